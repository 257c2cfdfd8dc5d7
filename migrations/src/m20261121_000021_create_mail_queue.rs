//! E-mails to send, written with the notifications they copy; sent by a background job
//! (claimed with a lease, retried with back-off).
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum MailQueue {
    Table,
    Id,
    UserId,
    ToAddr,
    Subject,
    Body,
    CreatedAt,
    AvailableAt,
    Attempts,
    LeaseOwner,
    LeaseUntil,
    SentAt,
    LastError,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(MailQueue::Table)
                .col(big_pk_auto(MailQueue::Id))
                .col(big_integer(MailQueue::UserId))
                .col(string(MailQueue::ToAddr))
                .col(string(MailQueue::Subject))
                .col(text(MailQueue::Body))
                .col(timestamp_with_time_zone(MailQueue::CreatedAt))
                .col(timestamp_with_time_zone(MailQueue::AvailableAt))
                .col(integer(MailQueue::Attempts).default(0))
                .col(string_null(MailQueue::LeaseOwner))
                .col(timestamp_with_time_zone_null(MailQueue::LeaseUntil))
                .col(timestamp_with_time_zone_null(MailQueue::SentAt))
                .col(text_null(MailQueue::LastError))
                .foreign_key(
                    ForeignKey::create()
                        .from(MailQueue::Table, MailQueue::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_mail_queue_sent_at_available_at")
                .table(MailQueue::Table)
                .col(MailQueue::SentAt)
                .col(MailQueue::AvailableAt)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(MailQueue::Table).to_owned()).await
    }
}
