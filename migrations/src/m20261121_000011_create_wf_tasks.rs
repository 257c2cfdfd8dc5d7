//! Tasks of instances, one row per engine task, for lists, deadlines and the scheduler.
use super::m20261121_000010_create_wf_instances::WfInstances;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfTasks {
    Table,
    Id,
    InstanceId,
    Seq,
    NodeId,
    NodeName,
    Kind,
    AssigneeId,
    Status,
    Round,
    CreatedAt,
    OpenedAt,
    ActedAt,
    DueAt,
    TimerAt,
    Overdue,
    LeaseOwner,
    LeaseUntil,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfTasks::Table)
                .col(big_pk_auto(WfTasks::Id))
                .col(big_integer(WfTasks::InstanceId))
                .col(integer(WfTasks::Seq))
                .col(string(WfTasks::NodeId))
                .col(string(WfTasks::NodeName))
                .col(string(WfTasks::Kind))
                .col(big_integer(WfTasks::AssigneeId))
                .col(string(WfTasks::Status))
                .col(integer(WfTasks::Round))
                .col(timestamp_with_time_zone(WfTasks::CreatedAt))
                .col(timestamp_with_time_zone_null(WfTasks::OpenedAt))
                .col(timestamp_with_time_zone_null(WfTasks::ActedAt))
                .col(timestamp_with_time_zone_null(WfTasks::DueAt))
                .col(timestamp_with_time_zone_null(WfTasks::TimerAt))
                .col(boolean(WfTasks::Overdue))
                .col(string_null(WfTasks::LeaseOwner))
                .col(timestamp_with_time_zone_null(WfTasks::LeaseUntil))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfTasks::Table, WfTasks::InstanceId)
                        .to(WfInstances::Table, WfInstances::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_tasks_assignee_id_status")
                .table(WfTasks::Table)
                .col(WfTasks::AssigneeId)
                .col(WfTasks::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_wf_tasks_status_timer_at")
                .table(WfTasks::Table)
                .col(WfTasks::Status)
                .col(WfTasks::TimerAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_wf_tasks_instance_id_seq")
                .table(WfTasks::Table)
                .col(WfTasks::InstanceId)
                .col(WfTasks::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfTasks::Table).to_owned()).await
    }
}
