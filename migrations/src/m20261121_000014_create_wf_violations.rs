//! Overdue tasks (违规), recorded when a deadline passes.
use super::m20261121_000010_create_wf_instances::WfInstances;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfViolations {
    Table,
    Id,
    InstanceId,
    TaskId,
    NodeId,
    AssigneeId,
    DueAt,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfViolations::Table)
                .col(big_pk_auto(WfViolations::Id))
                .col(big_integer(WfViolations::InstanceId))
                .col(big_integer(WfViolations::TaskId))
                .col(string(WfViolations::NodeId))
                .col(big_integer(WfViolations::AssigneeId))
                .col(timestamp_with_time_zone(WfViolations::DueAt))
                .col(timestamp_with_time_zone(WfViolations::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfViolations::Table, WfViolations::InstanceId)
                        .to(WfInstances::Table, WfInstances::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_violations_assignee_id")
                .table(WfViolations::Table)
                .col(WfViolations::AssigneeId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_wf_violations_task_id")
                .table(WfViolations::Table)
                .col(WfViolations::TaskId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfViolations::Table).to_owned()).await
    }
}
