//! The `wf_instances` table.
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
    pub status: String,
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
