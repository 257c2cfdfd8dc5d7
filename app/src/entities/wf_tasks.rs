//! The `wf_tasks` table.
use crate::domain::workflow::instance::TaskStatus;
use crate::domain::workflow::route::StepKind;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wf_tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub instance_id: i64,
    pub seq: i32,
    pub node_id: String,
    pub node_name: String,
    pub kind: Kind,
    pub assignee_id: i64,
    pub status: Status,
    pub round: i32,
    pub created_at: DateTimeUtc,
    pub opened_at: Option<DateTimeUtc>,
    pub acted_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    pub timer_at: Option<DateTimeUtc>,
    pub overdue: bool,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A task's state as stored: the domain's [`TaskStatus`], one for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Open,
    Approved,
    Rejected,
    Transferred,
    Returned,
    Cancelled,
}

impl From<TaskStatus> for Status {
    fn from(s: TaskStatus) -> Self {
        match s {
            TaskStatus::Waiting => Self::Waiting,
            TaskStatus::Open => Self::Open,
            TaskStatus::Approved => Self::Approved,
            TaskStatus::Rejected => Self::Rejected,
            TaskStatus::Transferred => Self::Transferred,
            TaskStatus::Returned => Self::Returned,
            TaskStatus::Cancelled => Self::Cancelled,
        }
    }
}

impl From<Status> for TaskStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Waiting => Self::Waiting,
            Status::Open => Self::Open,
            Status::Approved => Self::Approved,
            Status::Rejected => Self::Rejected,
            Status::Transferred => Self::Transferred,
            Status::Returned => Self::Returned,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

/// What a task asks of its holder, as stored: the domain's [`StepKind`], one for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Kind {
    Approver,
    Handler,
    Cc,
}

impl From<StepKind> for Kind {
    fn from(k: StepKind) -> Self {
        match k {
            StepKind::Approver => Self::Approver,
            StepKind::Handler => Self::Handler,
            StepKind::Cc => Self::Cc,
        }
    }
}

impl From<Kind> for StepKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Approver => Self::Approver,
            Kind::Handler => Self::Handler,
            Kind::Cc => Self::Cc,
        }
    }
}
