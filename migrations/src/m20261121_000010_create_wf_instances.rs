//! Approval instances: the engine state as JSON, locked optimistically by `version`.
use super::m20261121_000002_create_users::Users;
use super::m20261121_000008_create_wf_templates::WfTemplates;
use super::m20261121_000009_create_wf_template_versions::WfTemplateVersions;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfInstances {
    Table,
    Id,
    TemplateId,
    VersionId,
    RequesterId,
    Title,
    Summary,
    Status,
    Form,
    FormHash,
    State,
    CurrentNodes,
    LockVersion,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfInstances::Table)
                .col(big_pk_auto(WfInstances::Id))
                .col(big_integer(WfInstances::TemplateId))
                .col(big_integer(WfInstances::VersionId))
                .col(big_integer(WfInstances::RequesterId))
                .col(string(WfInstances::Title))
                .col(text(WfInstances::Summary))
                .col(string(WfInstances::Status))
                .col(text(WfInstances::Form))
                .col(string(WfInstances::FormHash))
                .col(text(WfInstances::State))
                .col(string(WfInstances::CurrentNodes))
                .col(big_integer(WfInstances::LockVersion))
                .col(timestamp_with_time_zone(WfInstances::CreatedAt))
                .col(timestamp_with_time_zone(WfInstances::UpdatedAt))
                .col(timestamp_with_time_zone_null(WfInstances::FinishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfInstances::Table, WfInstances::TemplateId)
                        .to(WfTemplates::Table, WfTemplates::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WfInstances::Table, WfInstances::VersionId)
                        .to(WfTemplateVersions::Table, WfTemplateVersions::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WfInstances::Table, WfInstances::RequesterId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_instances_requester_id_created_at")
                .table(WfInstances::Table)
                .col(WfInstances::RequesterId)
                .col(WfInstances::CreatedAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_instances_status")
                .table(WfInstances::Table)
                .col(WfInstances::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_instances_template_id")
                .table(WfInstances::Table)
                .col(WfInstances::TemplateId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfInstances::Table).to_owned()).await
    }
}
