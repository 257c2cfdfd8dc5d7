//! The `wf_templates` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wf_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub key: String,
    pub name: String,
    pub category: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub icon: String,
    pub effect: Option<Effect>,
    pub builtin: bool,
    pub active: bool,
    pub current_version_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// What a built-in template does besides routing (see `workflow::effects`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)", rename_all = "snake_case")]
pub enum Effect {
    /// Holds the leave days while running, deducts them on approval.
    Leave,
    /// Creates the account on approval.
    NewAccount,
    /// Publishes the reviewed template draft on approval.
    TemplatePublish,
}
