//! User accounts. `auth_version` is bumped whenever the password changes or the account is
//! disabled, which invalidates every session issued before.
use super::m20261121_000001_create_departments::Departments;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    PasswordHash,
    DepartmentId,
    Position,
    ManagerId,
    Phone,
    Email,
    Active,
    Locale,
    AuthVersion,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Users::Table)
                .col(big_pk_auto(Users::Id))
                .col(string_uniq(Users::Username))
                .col(string(Users::DisplayName))
                .col(string(Users::PasswordHash))
                .col(big_integer_null(Users::DepartmentId))
                .col(string(Users::Position).default(""))
                .col(big_integer_null(Users::ManagerId))
                .col(string(Users::Phone).default(""))
                .col(string(Users::Email).default(""))
                .col(boolean(Users::Active).default(true))
                .col(string(Users::Locale).default("zh-CN"))
                .col(integer(Users::AuthVersion).default(1))
                .col(timestamp_with_time_zone_null(Users::LastLoginAt))
                .col(timestamp_with_time_zone(Users::CreatedAt))
                .col(timestamp_with_time_zone(Users::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Users::Table, Users::DepartmentId)
                        .to(Departments::Table, Departments::Id),
                )
                .foreign_key(ForeignKey::create().from(Users::Table, Users::ManagerId).to(Users::Table, Users::Id))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_users_department", Users::DepartmentId),
            ("idx_users_manager", Users::ManagerId),
            ("idx_users_display_name", Users::DisplayName),
        ] {
            m.create_index(Index::create().name(name).table(Users::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
