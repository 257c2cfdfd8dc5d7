//! Published versions of templates: form schema and flow as JSON, never changed once written.
use super::m20261121_000008_create_wf_templates::WfTemplates;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfTemplateVersions {
    Table,
    Id,
    TemplateId,
    Version,
    FormSchema,
    Flow,
    Note,
    PublishedBy,
    PublishedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfTemplateVersions::Table)
                .col(big_pk_auto(WfTemplateVersions::Id))
                .col(big_integer(WfTemplateVersions::TemplateId))
                .col(integer(WfTemplateVersions::Version))
                .col(text(WfTemplateVersions::FormSchema))
                .col(text(WfTemplateVersions::Flow))
                .col(string(WfTemplateVersions::Note))
                .col(big_integer_null(WfTemplateVersions::PublishedBy))
                .col(timestamp_with_time_zone(WfTemplateVersions::PublishedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfTemplateVersions::Table, WfTemplateVersions::TemplateId)
                        .to(WfTemplates::Table, WfTemplates::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_wf_template_versions_template_id_version")
                .table(WfTemplateVersions::Table)
                .col(WfTemplateVersions::TemplateId)
                .col(WfTemplateVersions::Version)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfTemplateVersions::Table).to_owned()).await
    }
}
