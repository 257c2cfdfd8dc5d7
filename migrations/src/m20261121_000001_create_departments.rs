//! Departments: a tree through `parent_id`; `head_user_id` is set once users exist.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Departments {
    Table,
    Id,
    Name,
    ParentId,
    HeadUserId,
    SortOrder,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Departments::Table)
                .col(big_pk_auto(Departments::Id))
                .col(string(Departments::Name))
                .col(big_integer_null(Departments::ParentId))
                .col(big_integer_null(Departments::HeadUserId))
                .col(integer(Departments::SortOrder).default(0))
                .col(timestamp_with_time_zone(Departments::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Departments::Table, Departments::ParentId)
                        .to(Departments::Table, Departments::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_departments_parent")
                .table(Departments::Table)
                .col(Departments::ParentId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Departments::Table).to_owned()).await
    }
}
