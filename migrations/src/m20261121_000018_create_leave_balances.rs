//! Leave balances per user and type, in half days: granted, used, held by running requests.
use super::m20261121_000002_create_users::Users;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum LeaveBalances {
    Table,
    Id,
    UserId,
    LeaveType,
    GrantedHalfDays,
    UsedHalfDays,
    HeldHalfDays,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LeaveBalances::Table)
                .col(big_pk_auto(LeaveBalances::Id))
                .col(big_integer(LeaveBalances::UserId))
                .col(string(LeaveBalances::LeaveType))
                .col(integer(LeaveBalances::GrantedHalfDays))
                .col(integer(LeaveBalances::UsedHalfDays))
                .col(integer(LeaveBalances::HeldHalfDays))
                .col(timestamp_with_time_zone(LeaveBalances::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(LeaveBalances::Table, LeaveBalances::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_leave_balances_user_id_leave_type")
                .table(LeaveBalances::Table)
                .col(LeaveBalances::UserId)
                .col(LeaveBalances::LeaveType)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LeaveBalances::Table).to_owned()).await
    }
}
