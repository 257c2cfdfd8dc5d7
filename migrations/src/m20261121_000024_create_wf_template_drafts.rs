//! Template drafts (SPEC DES-4): the designer's work in progress on a template, one per
//! template key, shared by its process owners. `rev` rises with every save, so a save based on
//! an older revision (another owner saved in between, on any server) is refused, not lost.
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfTemplateDrafts {
    Table,
    Id,
    TemplateKey,
    /// The template document (`design::TemplateDoc`) as JSON.
    Doc,
    /// The version the draft started from (0 for a new template).
    BaseVersion,
    Rev,
    UpdatedBy,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfTemplateDrafts::Table)
                .col(big_pk_auto(WfTemplateDrafts::Id))
                .col(string_uniq(WfTemplateDrafts::TemplateKey))
                .col(text(WfTemplateDrafts::Doc))
                .col(integer(WfTemplateDrafts::BaseVersion))
                .col(big_integer(WfTemplateDrafts::Rev))
                .col(big_integer(WfTemplateDrafts::UpdatedBy))
                .col(timestamp_with_time_zone(WfTemplateDrafts::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfTemplateDrafts::Table, WfTemplateDrafts::UpdatedBy)
                        .to(Users::Table, Users::Id),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfTemplateDrafts::Table).to_owned()).await
    }
}
