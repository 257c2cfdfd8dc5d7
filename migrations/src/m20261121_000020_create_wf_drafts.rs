//! Request drafts: a form being filled, saved to come back to (also what a plain form post
//! keeps when the server refuses it, so nothing typed is lost).
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfDrafts {
    Table,
    Id,
    UserId,
    TemplateKey,
    /// Set for the draft of a resubmission (the returned request).
    InstanceId,
    Form,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfDrafts::Table)
                .col(big_pk_auto(WfDrafts::Id))
                .col(big_integer(WfDrafts::UserId))
                .col(string(WfDrafts::TemplateKey))
                .col(big_integer_null(WfDrafts::InstanceId))
                .col(text(WfDrafts::Form))
                .col(timestamp_with_time_zone(WfDrafts::CreatedAt))
                .col(timestamp_with_time_zone(WfDrafts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfDrafts::Table, WfDrafts::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_wf_drafts_user_id").table(WfDrafts::Table).col(WfDrafts::UserId).to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfDrafts::Table).to_owned()).await
    }
}
