//! Login attempts per account and client address, for throttling across all servers.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum LoginAttempts {
    Table,
    Id,
    Username,
    ClientAddr,
    Success,
    AttemptedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginAttempts::Table)
                .col(big_pk_auto(LoginAttempts::Id))
                .col(string(LoginAttempts::Username))
                .col(string(LoginAttempts::ClientAddr))
                .col(boolean(LoginAttempts::Success))
                .col(timestamp_with_time_zone(LoginAttempts::AttemptedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempts_lookup")
                .table(LoginAttempts::Table)
                .col(LoginAttempts::Username)
                .col(LoginAttempts::ClientAddr)
                .col(LoginAttempts::AttemptedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginAttempts::Table).to_owned()).await
    }
}
