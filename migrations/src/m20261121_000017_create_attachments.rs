//! Uploaded files; the bytes live content-addressed in the data directory.
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Attachments {
    Table,
    Id,
    Sha256,
    Size,
    Filename,
    ContentType,
    UploadedBy,
    InstanceId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Attachments::Table)
                .col(big_pk_auto(Attachments::Id))
                .col(string(Attachments::Sha256))
                .col(big_integer(Attachments::Size))
                .col(string(Attachments::Filename))
                .col(string(Attachments::ContentType))
                .col(big_integer(Attachments::UploadedBy))
                .col(big_integer_null(Attachments::InstanceId))
                .col(timestamp_with_time_zone(Attachments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Attachments::Table, Attachments::UploadedBy)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attachments_sha256")
                .table(Attachments::Table)
                .col(Attachments::Sha256)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_attachments_instance_id")
                .table(Attachments::Table)
                .col(Attachments::InstanceId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Attachments::Table).to_owned()).await
    }
}
