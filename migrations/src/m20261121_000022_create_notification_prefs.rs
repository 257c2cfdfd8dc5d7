//! Per-user notification preferences: which kinds of event also go out by e-mail.
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum NotificationPrefs {
    Table,
    UserId,
    /// Comma-separated kinds (`task,decided,returned,overdue,urged,cc,comment`).
    EmailKinds,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(NotificationPrefs::Table)
                .col(big_integer(NotificationPrefs::UserId).primary_key())
                .col(string(NotificationPrefs::EmailKinds))
                .col(timestamp_with_time_zone(NotificationPrefs::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(NotificationPrefs::Table, NotificationPrefs::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(NotificationPrefs::Table).to_owned()).await
    }
}
