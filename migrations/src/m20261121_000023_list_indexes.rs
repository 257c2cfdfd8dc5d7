//! Indexes for the approval lists and the navigation counts (issue 4: the to-do page with
//! 100 000 tasks in the database). The to-do page is read in `opened_at` order straight from
//! an index instead of sorting every open task of the approver; the overdue and unread-CC
//! counts are answered from covering indexes; the done list walks `acted_at` backwards.
//! `(assignee_id, status, opened_at, id)` starts with the old `(assignee_id, status)`
//! index's columns, which is therefore dropped.
use super::m20261121_000011_create_wf_tasks::WfTasks;
use super::m20261121_000016_create_notifications::Notifications;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn task_index<const N: usize>(name: &str, cols: [WfTasks; N]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(WfTasks::Table);
    for c in cols {
        i.col(c);
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use WfTasks::*;
        m.create_index(task_index("idx_wf_tasks_todo_order", [AssigneeId, Status, OpenedAt, Id])).await?;
        m.create_index(task_index("idx_wf_tasks_todo_overdue", [AssigneeId, Status, Overdue])).await?;
        m.create_index(task_index("idx_wf_tasks_done_order", [AssigneeId, ActedAt, Status])).await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_user_id_kind_read_at")
                .table(Notifications::Table)
                .col(Notifications::UserId)
                .col(Notifications::Kind)
                .col(Notifications::ReadAt)
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_wf_tasks_assignee_id_status").table(WfTasks::Table).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        use WfTasks::*;
        m.create_index(task_index("idx_wf_tasks_assignee_id_status", [AssigneeId, Status])).await?;
        for name in ["idx_wf_tasks_todo_order", "idx_wf_tasks_todo_overdue", "idx_wf_tasks_done_order"] {
            m.drop_index(Index::drop().name(name).table(WfTasks::Table).to_owned()).await?;
        }
        m.drop_index(
            Index::drop().name("idx_notifications_user_id_kind_read_at").table(Notifications::Table).to_owned(),
        )
        .await
    }
}
