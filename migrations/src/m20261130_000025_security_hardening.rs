//! Security hardening (issue 14): login throttling by address across accounts needs an index
//! on the address; API tokens may be read-only; an account may have to change its password
//! at its next sign-in (the first administrator, demo accounts, a reset by an administrator).
use super::m20261121_000002_create_users::Users;
use super::m20261121_000005_create_login_attempts::LoginAttempts;
use super::m20261121_000006_create_api_tokens::ApiTokens;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Added {
    ReadOnly,
    MustChangePassword,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("idx_login_attempts_addr")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::ClientAddr)
                .col(LoginAttempts::AttemptedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(ApiTokens::Table).add_column(boolean(Added::ReadOnly).default(false)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Users::Table).add_column(boolean(Added::MustChangePassword).default(false)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).drop_column(Added::MustChangePassword).to_owned()).await?;
        m.alter_table(Table::alter().table(ApiTokens::Table).drop_column(Added::ReadOnly).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_login_attempts_addr").table(LoginAttempts::Table).to_owned()).await
    }
}
