//! Workflow services, one file per responsibility: `templates` and their versions, the
//! `unit_of_work` of a transition, `commands` (submitting, every action), `queries` (a
//! request, the lists), `attachments`, `leave` (balances, offboarding hand-over, the working
//! calendar). Every state change runs the pure
//! engine inside one database transaction that also writes the tasks, the append-only
//! history, the outbox and the audit row, and bumps the instance's lock version — so two
//! approvers acting at once give one transition and a clear conflict.

use super::api::{
    AttachmentDto, CommentBody, HandOverBody, HandOverResult, HistoryEntry, InboxItem, InstanceCan, InstanceView,
    LeaveBalance, NodeState, NodeView, NotificationDto, PredictedStep, PublishTemplate, ResubmitRequest, SetLeaveGrant,
    SubmitRequest, TaskAction, TaskActionBody, TaskBox, TaskCounts, TaskQuery, TaskView, TemplateDetail,
    TemplateSummary, UserRef,
};
use super::effects;
use super::org_view::DbOrg;
use crate::audit::server::{self as audit, Outcome, audited};
use crate::common::Page;
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::permission::Permission;
use crate::domain::time::add_working;
use crate::domain::workflow::calendar::WorkCalendar;
use crate::domain::workflow::design::TemplateDoc;
use crate::domain::workflow::flow::{Facts, Flow, Node};
use crate::domain::workflow::form::FormSchema;
use crate::domain::workflow::instance::{
    Action, ActionError, Env, EventKind, Instance, InstanceStatus, ReturnTarget, SignerPosition, SystemAction,
    TaskStatus,
};
use crate::domain::workflow::route::{Assignment, OrgView, Request, Step, predict};
use crate::entities::attachments as attachment_rows;
use crate::entities::{
    notifications, outbox, settings, users, wf_cc, wf_drafts, wf_history, wf_instances, wf_tasks, wf_template_versions,
    wf_templates,
};
use crate::error::{AppError, AppResult, Conflict, ErrorCode};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

mod attachments;
mod commands;
mod leave;
mod queries;
mod templates;
mod unit_of_work;

pub use attachments::*;
pub use commands::*;
pub use leave::*;
pub use queries::*;
pub use templates::*;
pub(crate) use unit_of_work::*;

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_status<T: for<'de> Deserialize<'de>>(s: &str) -> AppResult<T> {
    serde_json::from_value(Value::String(s.to_owned())).map_err(AppError::internal)
}

/// A published version, as the engine needs it. Versions never change once written, so
/// every server may cache them.
#[derive(Debug)]
pub(crate) struct VersionDef {
    pub id: i64,
    pub key: String,
    pub effect: Option<wf_templates::Effect>,
    pub version: i32,
    pub form: FormSchema,
    pub flow: Flow,
}

/// Published versions already read, by id (kept in the application state: one per database).
#[derive(Debug, Default)]
pub struct VersionCache(RwLock<HashMap<i64, Arc<VersionDef>>>);

pub(crate) async fn version_def(
    conn: &impl ConnectionTrait,
    cache: &VersionCache,
    id: i64,
) -> AppResult<Arc<VersionDef>> {
    if let Some(v) = cache.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&id) {
        return Ok(v.clone());
    }
    let v = wf_template_versions::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let t = wf_templates::Entity::find_by_id(v.template_id).one(conn).await?.ok_or(AppError::NotFound)?;
    let def = Arc::new(VersionDef {
        id: v.id,
        key: t.key,
        effect: t.effect,
        version: v.version,
        form: serde_json::from_str(&v.form_schema).map_err(AppError::internal)?,
        flow: serde_json::from_str(&v.flow).map_err(AppError::internal)?,
    });
    cache.0.write().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id, def.clone());
    Ok(def)
}

/// What is stored in `wf_instances.state`: the engine's instance and the requester's picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Stored {
    pub engine: Instance,
    #[serde(default)]
    pub picks: HashMap<String, Vec<i64>>,
}

pub(crate) fn form_hash(form: &Map<String, Value>) -> String {
    hex::encode(Sha256::digest(serde_json::to_string(form).unwrap_or_default().as_bytes()))
}

fn action_error(e: ActionError) -> AppError {
    match e {
        ActionError::NotRunning => AppError::conflict(Conflict::RequestNotRunning),
        ActionError::UnknownTask => AppError::NotFound,
        ActionError::NotYourTask | ActionError::NotRequester => AppError::Forbidden,
        ActionError::TaskNotOpen => AppError::conflict(Conflict::TaskHandled),
        ActionError::AlreadyActedOn => AppError::conflict(Conflict::AlreadyActedOn),
        ActionError::BadReturnTarget => AppError::field("target_node", ErrorCode::UnknownReference),
        ActionError::BadUser => AppError::field("user", ErrorCode::UnknownReference),
        ActionError::ToRequester => AppError::field("user", ErrorCode::IsRequester),
        ActionError::CommentRequired => AppError::field("comment", ErrorCode::Required),
    }
}

/// The organisation's working calendar (holidays, make-up days, hours).
///
/// # Errors
/// The database error.
pub async fn work_calendar(conn: &impl ConnectionTrait) -> AppResult<WorkCalendar> {
    match settings::Entity::find_by_id("work_calendar".to_owned()).one(conn).await? {
        Some(s) => serde_json::from_str(&s.value).map_err(AppError::internal),
        None => Ok(WorkCalendar::default()),
    }
}

pub(crate) async fn user_refs(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> AppResult<HashMap<i64, UserRef>> {
    let ids: HashSet<i64> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, String)> = users::Entity::find()
        .select_only()
        .columns([users::Column::Id, users::Column::DisplayName])
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, display_name)| (id, UserRef { id, display_name })).collect())
}

pub(crate) fn user_ref(map: &HashMap<i64, UserRef>, id: i64) -> UserRef {
    map.get(&id).cloned().unwrap_or(UserRef { id, display_name: format!("#{id}") })
}
