//! Roles with their permission sets, and the user ↔ role assignment.
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Key,
    Name,
    Builtin,
    Permissions,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Roles::Table)
                .col(big_pk_auto(Roles::Id))
                .col(string_uniq(Roles::Key))
                .col(string(Roles::Name))
                .col(boolean(Roles::Builtin).default(false))
                // JSON array of permission keys.
                .col(text(Roles::Permissions))
                .col(timestamp_with_time_zone(Roles::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(UserRoles::Table)
                .col(big_integer(UserRoles::UserId))
                .col(big_integer(UserRoles::RoleId))
                .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::RoleId))
                .foreign_key(
                    ForeignKey::create()
                        .from(UserRoles::Table, UserRoles::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(UserRoles::Table, UserRoles::RoleId)
                        .to(Roles::Table, Roles::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("idx_user_roles_role").table(UserRoles::Table).col(UserRoles::RoleId).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(UserRoles::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(Roles::Table).to_owned()).await
    }
}
