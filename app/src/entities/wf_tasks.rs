//! The `wf_tasks` table.
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
    pub kind: String,
    pub assignee_id: i64,
    pub status: String,
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
