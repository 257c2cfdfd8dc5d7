//! Approval templates (流程模板): key, name, category; the published version is in `wf_template_versions`.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfTemplates {
    Table,
    Id,
    Key,
    Name,
    Category,
    Description,
    Icon,
    Effect,
    Builtin,
    Active,
    CurrentVersionId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfTemplates::Table)
                .col(big_pk_auto(WfTemplates::Id))
                .col(string_uniq(WfTemplates::Key))
                .col(string(WfTemplates::Name))
                .col(string(WfTemplates::Category))
                .col(text(WfTemplates::Description))
                .col(string(WfTemplates::Icon))
                .col(string_null(WfTemplates::Effect))
                .col(boolean(WfTemplates::Builtin))
                .col(boolean(WfTemplates::Active))
                .col(big_integer_null(WfTemplates::CurrentVersionId))
                .col(timestamp_with_time_zone(WfTemplates::CreatedAt))
                .col(timestamp_with_time_zone(WfTemplates::UpdatedAt))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfTemplates::Table).to_owned()).await
    }
}
