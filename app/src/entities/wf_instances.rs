//! The `wf_instances` table.
use crate::domain::workflow::instance::InstanceStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wf_instances")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub template_id: i64,
    pub version_id: i64,
    pub requester_id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub status: Status,
    #[sea_orm(column_type = "Text")]
    pub form: String,
    pub form_hash: String,
    #[sea_orm(column_type = "Text")]
    pub state: String,
    pub current_nodes: String,
    pub lock_version: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Where an instance stands, as stored: the domain's [`InstanceStatus`], one for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Status {
    Running,
    Returned,
    Approved,
    Rejected,
    Withdrawn,
}

impl From<InstanceStatus> for Status {
    fn from(s: InstanceStatus) -> Self {
        match s {
            InstanceStatus::Running => Self::Running,
            InstanceStatus::Returned => Self::Returned,
            InstanceStatus::Approved => Self::Approved,
            InstanceStatus::Rejected => Self::Rejected,
            InstanceStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

impl From<Status> for InstanceStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::Running => Self::Running,
            Status::Returned => Self::Returned,
            Status::Approved => Self::Approved,
            Status::Rejected => Self::Rejected,
            Status::Withdrawn => Self::Withdrawn,
        }
    }
}
