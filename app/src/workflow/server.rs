//! Workflow services: templates and their versions, submitting, every action, the lists,
//! attachments, leave balances, offboarding hand-over. Every state change runs the pure
//! engine inside one database transaction that also writes the tasks, the append-only
//! history, the outbox and the audit row, and bumps the instance's lock version — so two
//! approvers acting at once give one transition and a clear conflict.

use super::api::{
    AttachmentDto, CommentBody, HandOverBody, HandOverResult, HistoryEntry, InboxItem, InstanceCan, InstanceView,
    LeaveBalance, NodeState, NodeView, NotificationDto, PredictedStep, PublishTemplate, ResubmitRequest, SetLeaveGrant,
    SubmitRequest, TaskAction, TaskBox, TaskCounts, TaskQuery, TaskView, TemplateDetail, TemplateSummary, UserRef,
};
use super::effects;
use super::org_view::DbOrg;
use crate::audit::server::{self as audit, Outcome, audited};
use crate::common::Page;
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::permission::Permission;
use crate::domain::time::add_working;
use crate::domain::workflow::calendar::WorkCalendar;
use crate::domain::workflow::flow::{Facts, Flow, Node};
use crate::domain::workflow::form::FormSchema;
use crate::domain::workflow::instance::{
    Action, ActionError, Env, EventKind, Instance, InstanceStatus, ReturnTarget, SignerPosition, SystemAction,
    TaskStatus,
};
use crate::domain::workflow::route::{Assignment, OrgView, Request, Step, predict};
use crate::entities::{
    attachments, notifications, outbox, settings, users, wf_cc, wf_drafts, wf_history, wf_instances, wf_tasks,
    wf_template_versions, wf_templates,
};
use crate::error::{AppError, AppResult, ErrorCode};
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

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The snake_case name serde gives a unit-like enum value.
pub(crate) fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(Value::String(s)) => s,
        Ok(Value::Object(m)) => m.values().next().and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
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
    pub effect: Option<String>,
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
        ActionError::NotRunning => AppError::Conflict { message: "the request is not running".into() },
        ActionError::UnknownTask => AppError::NotFound,
        ActionError::NotYourTask | ActionError::NotRequester => AppError::Forbidden,
        ActionError::TaskNotOpen => AppError::Conflict { message: "the task has already been handled".into() },
        ActionError::AlreadyActedOn => {
            AppError::Conflict { message: "someone has already acted on the request".into() }
        }
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

// ---------------------------------------------------------------- templates

/// A template key, trimmed: a lower-case letter, then a-z, 0-9, `_` and `-`, at most 40.
pub(crate) fn check_key(key: &str) -> AppResult<String> {
    let k = key.trim();
    let ok = !k.is_empty()
        && k.len() <= 40
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok { Ok(k.to_owned()) } else { Err(AppError::field("key", ErrorCode::InvalidFormat)) }
}

/// Checks a template's form and flow together; every problem names its field or node.
///
/// # Errors
/// `InvalidTemplate` listing the problems.
pub fn check_template(form: &FormSchema, flow: &Flow) -> AppResult<()> {
    let mut problems: Vec<String> = Vec::new();
    if let Err(errs) = form.check() {
        problems.extend(errs.into_iter().map(|e| format!("field {}: {}", e.field, e.message)));
    }
    if let Err(errs) = flow.validate(form) {
        problems.extend(errs.into_iter().map(|e| e.to_string()));
    }
    if problems.is_empty() { Ok(()) } else { Err(AppError::InvalidTemplate { problems }) }
}

/// Published templates, by category and name.
///
/// # Errors
/// `Unauthenticated`.
pub async fn list_templates(db: &DatabaseConnection, caller: &Caller) -> AppResult<Vec<TemplateSummary>> {
    caller.require_user()?;
    let ts = wf_templates::Entity::find()
        .filter(wf_templates::Column::Active.eq(true))
        .filter(wf_templates::Column::CurrentVersionId.is_not_null())
        // Filed by the designer's publish, not from the catalogue.
        .filter(wf_templates::Column::Key.ne(super::design_server::REVIEW_KEY))
        .order_by_asc(wf_templates::Column::Category)
        .order_by_asc(wf_templates::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i64> = ts.iter().filter_map(|t| t.current_version_id).collect();
    let versions: HashMap<i64, i32> = wf_template_versions::Entity::find()
        .select_only()
        .columns([wf_template_versions::Column::Id, wf_template_versions::Column::Version])
        .filter(wf_template_versions::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(ts
        .into_iter()
        .map(|t| TemplateSummary {
            version: t.current_version_id.and_then(|v| versions.get(&v).copied()).unwrap_or(0),
            key: t.key,
            name: t.name,
            category: t.category,
            description: t.description,
            icon: t.icon,
            builtin: t.builtin,
        })
        .collect())
}

/// A template's current version.
///
/// # Errors
/// `Unauthenticated`; `NotFound` for an unknown or unpublished key.
pub async fn get_template(db: &DatabaseConnection, caller: &Caller, key: &str) -> AppResult<TemplateDetail> {
    caller.require_user()?;
    let t = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(key))
        .filter(wf_templates::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let vid = t.current_version_id.ok_or(AppError::NotFound)?;
    let v = wf_template_versions::Entity::find_by_id(vid).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(TemplateDetail {
        key: t.key,
        name: t.name,
        category: t.category,
        description: t.description,
        icon: t.icon,
        version: v.version,
        version_id: v.id,
        published_at: ts(v.published_at),
        form: serde_json::from_str(&v.form_schema).map_err(AppError::internal)?,
        flow: serde_json::from_str(&v.flow).map_err(AppError::internal)?,
    })
}

/// Publishes a template: a new key, or a new version of an existing one. Running instances
/// keep the version they started with.
///
/// # Errors
/// `Forbidden` without `template_manage`; `Validation`/`InvalidTemplate` naming the field
/// or node at fault.
pub async fn publish_template(st: &AppState, caller: &Caller, p: PublishTemplate) -> AppResult<TemplateDetail> {
    let now = st.clock.now();
    let target = format!("template:{}", p.key.trim());
    audited(st, caller, "template.publish", &target, async {
        let user = caller.require(Permission::TemplateManage)?;
        // The same limits and trimming as the designer's drafts and publish: one function.
        let doc = super::design_server::normalise(&crate::domain::workflow::design::TemplateDoc {
            key: p.key.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            description: p.description.clone(),
            icon: p.icon.clone(),
            form: p.form.clone(),
            flow: p.flow.clone(),
        })?;
        let (key, name, category, description, icon) = (doc.key, doc.name, doc.category, doc.description, doc.icon);
        let note = crate::domain::validate::optional_text("note", &p.note, 200)?;
        check_template(&p.form, &p.flow)?;
        let txn = begin_write(&st.db).await?;
        let reviewed = crate::domain::workflow::design::TemplateDoc {
            key: key.clone(),
            name: name.clone(),
            category: category.clone(),
            description: description.clone(),
            icon: icon.clone(),
            form: p.form.clone(),
            flow: p.flow.clone(),
        };
        if !super::design_server::concerns_of(&txn, &reviewed, user.user_id).await?.is_empty() {
            return Err(AppError::Conflict {
                message: "this change needs another process owner's review: save it as a draft (PUT /api/v1/designer/templates/{key}/draft) and publish the draft, which files the review".into(),
            });
        }
        // What the flow names (users, roles, departments) must exist in the organisation.
        let dir = super::design_server::load_directory(&txn).await?;
        let refs = crate::domain::workflow::design::check_refs(&p.flow, &dir);
        if !refs.is_empty() {
            return Err(AppError::InvalidTemplate { problems: refs.into_iter().map(|e| e.to_string()).collect() });
        }
        let version = publish_in(
            &txn,
            now,
            Some(user.user_id),
            &key,
            &name,
            &category,
            &description,
            &icon,
            None,
            &p.form,
            &p.flow,
            &note,
        )
        .await?;
        audit::record(
            &txn,
            caller,
            now,
            "template.publish",
            &format!("template:{key}"),
            Outcome::Ok,
            &format!("version {version}"),
        )
        .await?;
        txn.commit().await?;
        get_template(&st.db, caller, &key).await
    })
    .await
}

/// Writes a new version (and the template row the first time); returns the version number.
pub(crate) async fn publish_in(
    txn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    by: Option<i64>,
    key: &str,
    name: &str,
    category: &str,
    description: &str,
    icon: &str,
    effect: Option<&str>,
    form: &FormSchema,
    flow: &Flow,
    note: &str,
) -> AppResult<i32> {
    let existing = wf_templates::Entity::find().filter(wf_templates::Column::Key.eq(key)).one(txn).await?;
    let template_id = match &existing {
        Some(t) => t.id,
        None => {
            wf_templates::ActiveModel {
                key: Set(key.to_owned()),
                name: Set(name.to_owned()),
                category: Set(category.to_owned()),
                description: Set(description.to_owned()),
                icon: Set(icon.to_owned()),
                effect: Set(effect.map(str::to_owned)),
                builtin: Set(effect.is_some() || by.is_none()),
                active: Set(true),
                current_version_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?
            .id
        }
    };
    let last: Option<i32> = wf_template_versions::Entity::find()
        .select_only()
        .column_as(wf_template_versions::Column::Version.max(), "v")
        .filter(wf_template_versions::Column::TemplateId.eq(template_id))
        .into_tuple::<Option<i32>>()
        .one(txn)
        .await?
        .flatten();
    let version = last.unwrap_or(0) + 1;
    let v = wf_template_versions::ActiveModel {
        template_id: Set(template_id),
        version: Set(version),
        form_schema: Set(serde_json::to_string(form).map_err(AppError::internal)?),
        flow: Set(serde_json::to_string(flow).map_err(AppError::internal)?),
        note: Set(note.to_owned()),
        published_by: Set(by),
        published_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    wf_templates::Entity::update_many()
        .col_expr(wf_templates::Column::CurrentVersionId, Expr::value(v.id))
        .col_expr(wf_templates::Column::Name, Expr::value(name))
        .col_expr(wf_templates::Column::Category, Expr::value(category))
        .col_expr(wf_templates::Column::Description, Expr::value(description))
        .col_expr(wf_templates::Column::Icon, Expr::value(icon))
        .col_expr(wf_templates::Column::UpdatedAt, Expr::value(now))
        .filter(wf_templates::Column::Id.eq(template_id))
        .exec(txn)
        .await?;
    Ok(version)
}

// ---------------------------------------------------------------- transitions

/// One instance, loaded for a change inside its transaction.
pub(crate) struct Loaded {
    pub row: wf_instances::Model,
    pub def: Arc<VersionDef>,
    pub stored: Stored,
    pub form: Map<String, Value>,
}

pub(crate) async fn load(conn: &impl ConnectionTrait, cache: &VersionCache, id: i64) -> AppResult<Loaded> {
    let mut q = wf_instances::Entity::find_by_id(id);
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Serialises writers of one instance; the lock version check stays as the guard.
        q = q.lock(LockType::Update);
    }
    let row = q.one(conn).await?.ok_or(AppError::NotFound)?;
    let def = version_def(conn, cache, row.version_id).await?;
    let stored: Stored = serde_json::from_str(&row.state).map_err(AppError::internal)?;
    let form = match serde_json::from_str::<Value>(&row.form).map_err(AppError::internal)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    Ok(Loaded { row, def, stored, form })
}

/// Runs `f` on the engine with the organisation loaded for it.
pub(crate) async fn run_engine<F>(
    conn: &impl ConnectionTrait,
    def: &VersionDef,
    stored: &mut Stored,
    form: &Map<String, Value>,
    extra_users: &[i64],
    f: F,
) -> AppResult<()>
where
    F: FnOnce(&mut Instance, &Env<'_, DbOrg>) -> Result<(), ActionError>,
{
    let requester = stored.engine.requester;
    let mut extra: Vec<i64> = extra_users.to_vec();
    extra.extend(stored.picks.values().flatten());
    let org = DbOrg::load(conn, &def.flow, requester, &extra).await?;
    let depts = org.departments_of(requester);
    let request = Request { requester, facts: Facts { form, requester_departments: &depts }, picks: &stored.picks };
    let env = Env { flow: &def.flow, request: &request, org: &org };
    f(&mut stored.engine, &env).map_err(action_error)
}

/// A notification to deliver after commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Notice {
    pub user_id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub instance_id: Option<i64>,
}

pub(crate) async fn enqueue(conn: &impl ConnectionTrait, notices: &[Notice], now: DateTime<Utc>) -> AppResult<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let rows: Vec<outbox::ActiveModel> = notices
        .iter()
        .map(|n| outbox::ActiveModel {
            topic: Set("notify".into()),
            payload: Set(serde_json::to_string(n).unwrap_or_default()),
            created_at: Set(now),
            available_at: Set(now),
            attempts: Set(0),
            lease_owner: Set(None),
            lease_until: Set(None),
            done_at: Set(None),
            last_error: Set(None),
            ..Default::default()
        })
        .collect();
    outbox::Entity::insert_many(rows).exec(conn).await?;
    Ok(())
}

fn node_name(flow: &Flow, id: &str) -> String {
    flow.walk().into_iter().find(|n| n.id() == id).map(|n| n.name().to_owned()).unwrap_or_else(|| id.to_owned())
}

/// The deadline of the node with this id, if it has one.
pub(crate) fn node_timeout(flow: &Flow, id: &str) -> Option<crate::domain::workflow::flow::Timeout> {
    flow.walk().into_iter().find(|n| n.id() == id).and_then(Node::timeout)
}

fn current_nodes(flow: &Flow, i: &Instance) -> String {
    let mut names: Vec<String> = Vec::new();
    for t in i.open_tasks() {
        let n = node_name(flow, &t.node);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.join("、")
}

/// Writes what an engine step changed: the instance row (checking its lock version), tasks,
/// history, CC rows, notifications into the outbox, the audit row, and runs the template's
/// effects. All in the caller's transaction.
pub(crate) async fn persist(
    txn: &DatabaseTransaction,
    caller: &Caller,
    audit_action: &str,
    now: DateTime<Utc>,
    loaded: &Loaded,
    after: &Stored,
    form: &Map<String, Value>,
) -> AppResult<i64> {
    let before = &loaded.stored.engine;
    let engine = &after.engine;
    let def = &loaded.def;
    let id = loaded.row.id;
    let hash = form_hash(form);
    effects::on_transition(txn, def, before.status, engine.status, &loaded.form, form, engine.requester, now).await?;
    let finished =
        matches!(engine.status, InstanceStatus::Approved | InstanceStatus::Rejected | InstanceStatus::Withdrawn);
    let new_version = loaded.row.lock_version + 1;
    let res = wf_instances::Entity::update_many()
        .col_expr(wf_instances::Column::State, Expr::value(serde_json::to_string(after).map_err(AppError::internal)?))
        .col_expr(wf_instances::Column::Status, Expr::value(name_of(&engine.status)))
        .col_expr(wf_instances::Column::Form, Expr::value(Value::Object(form.clone()).to_string()))
        .col_expr(wf_instances::Column::FormHash, Expr::value(hash.clone()))
        .col_expr(wf_instances::Column::Summary, Expr::value(summary_of(&def.form, form)))
        .col_expr(wf_instances::Column::CurrentNodes, Expr::value(current_nodes(&def.flow, engine)))
        .col_expr(wf_instances::Column::LockVersion, Expr::value(new_version))
        .col_expr(wf_instances::Column::UpdatedAt, Expr::value(now))
        .col_expr(wf_instances::Column::FinishedAt, Expr::value(finished.then_some(now)))
        .filter(wf_instances::Column::Id.eq(id))
        .filter(wf_instances::Column::LockVersion.eq(loaded.row.lock_version))
        .exec(txn)
        .await?;
    if res.rows_affected != 1 {
        return Err(AppError::Conflict { message: "the request was changed by someone else; reload it".into() });
    }
    sync_rows(txn, def, id, &loaded.row.title, before, engine, &hash, now, None).await?;
    audit::record(txn, caller, now, audit_action, &format!("instance:{id}"), Outcome::Ok, "").await?;
    Ok(new_version)
}

/// Tasks, history, CC rows and notifications for the difference between two engine states.
pub(crate) async fn sync_rows(
    txn: &DatabaseTransaction,
    def: &VersionDef,
    id: i64,
    title: &str,
    before: &Instance,
    engine: &Instance,
    hash: &str,
    now: DateTime<Utc>,
    calendar: Option<&WorkCalendar>,
) -> AppResult<()> {
    let old: HashMap<u32, &crate::domain::workflow::instance::Task> = before.tasks.iter().map(|t| (t.id, t)).collect();
    let returned_from: HashSet<u32> = engine.history[before.history.len()..]
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Returned { task, .. } => Some(task),
            _ => None,
        })
        .collect();
    let mut notices: Vec<Notice> = Vec::new();
    let mut cal: Option<WorkCalendar> = calendar.cloned();
    let mut inserts = Vec::new();
    for t in &engine.tasks {
        let prev = old.get(&t.id);
        if prev.is_some_and(|p| p.status == t.status && p.assignee == t.assignee) {
            continue;
        }
        let status = if returned_from.contains(&t.id) { "returned".to_owned() } else { name_of(&t.status) };
        let opened = t.status == TaskStatus::Open && prev.is_none_or(|p| p.status != TaskStatus::Open);
        let ended = !matches!(t.status, TaskStatus::Open | TaskStatus::Waiting);
        let mut due = None;
        if opened {
            notices.push(Notice {
                user_id: t.assignee,
                kind: "task".into(),
                title: format!("待办：{title}"),
                body: format!("请处理「{}」", node_name(&def.flow, &t.node)),
                instance_id: Some(id),
            });
            let timeout = node_timeout(&def.flow, &t.node);
            if let Some(to) = timeout {
                if cal.is_none() {
                    cal = Some(work_calendar(txn).await?);
                }
                due = cal.as_ref().map(|c| add_working(c, now, i64::from(to.after_minutes)));
            }
        }
        match prev {
            None => inserts.push(wf_tasks::ActiveModel {
                instance_id: Set(id),
                seq: Set(t.id as i32),
                node_id: Set(t.node.clone()),
                node_name: Set(node_name(&def.flow, &t.node)),
                kind: Set(name_of(&t.kind)),
                assignee_id: Set(t.assignee),
                status: Set(status),
                round: Set(t.round as i32),
                created_at: Set(now),
                opened_at: Set(opened.then_some(now)),
                acted_at: Set(ended.then_some(now)),
                due_at: Set(due),
                timer_at: Set(due),
                overdue: Set(false),
                lease_owner: Set(None),
                lease_until: Set(None),
                ..Default::default()
            }),
            Some(_) => {
                let mut q = wf_tasks::Entity::update_many()
                    .col_expr(wf_tasks::Column::Status, Expr::value(status))
                    .col_expr(wf_tasks::Column::AssigneeId, Expr::value(t.assignee));
                if opened {
                    q = q
                        .col_expr(wf_tasks::Column::OpenedAt, Expr::value(now))
                        .col_expr(wf_tasks::Column::DueAt, Expr::value(due))
                        .col_expr(wf_tasks::Column::TimerAt, Expr::value(due));
                }
                if ended {
                    q = q
                        .col_expr(wf_tasks::Column::ActedAt, Expr::value(now))
                        .col_expr(wf_tasks::Column::TimerAt, Expr::value(Option::<DateTime<Utc>>::None));
                }
                q.filter(wf_tasks::Column::InstanceId.eq(id))
                    .filter(wf_tasks::Column::Seq.eq(t.id as i32))
                    .exec(txn)
                    .await?;
            }
        }
    }
    if !inserts.is_empty() {
        wf_tasks::Entity::insert_many(inserts).exec(txn).await?;
    }
    let mut history = Vec::new();
    let mut cc = Vec::new();
    for (n, e) in engine.history.iter().enumerate().skip(before.history.len()) {
        history.push(wf_history::ActiveModel {
            instance_id: Set(id),
            seq: Set(n as i32 + 1),
            actor_id: Set(e.actor),
            event: Set(name_of(&e.kind)),
            detail: Set(serde_json::to_string(&e.kind).map_err(AppError::internal)?),
            comment: Set(e.comment.clone()),
            form_hash: Set(hash.to_owned()),
            at: Set(now),
            ..Default::default()
        });
        let to_requester = |kind: &str, body: String| Notice {
            user_id: engine.requester,
            kind: kind.into(),
            title: title.to_owned(),
            body,
            instance_id: Some(id),
        };
        match &e.kind {
            EventKind::Copied { node, users } => {
                for u in users {
                    cc.push((node.clone(), *u));
                    notices.push(Notice {
                        user_id: *u,
                        kind: "cc".into(),
                        title: format!("抄送：{title}"),
                        body: format!("{}抄送给你", node_name(&def.flow, node)),
                        instance_id: Some(id),
                    });
                }
            }
            EventKind::Finished { status } => notices.push(to_requester(
                "decided",
                match status {
                    InstanceStatus::Approved => "你的申请已通过".into(),
                    InstanceStatus::Rejected => "你的申请被驳回".into(),
                    _ => "你的申请已撤回".into(),
                },
            )),
            EventKind::Returned { .. } | EventKind::AutoReturned { .. }
                if engine.status == InstanceStatus::Returned =>
            {
                notices.push(to_requester("returned", "你的申请被退回，请修改后重新提交".into()));
            }
            EventKind::Urged => {
                for t in engine.open_tasks() {
                    notices.push(Notice {
                        user_id: t.assignee,
                        kind: "urged".into(),
                        title: format!("催办：{title}"),
                        body: "申请人催你尽快处理".into(),
                        instance_id: Some(id),
                    });
                }
            }
            EventKind::Overdue { task } => {
                notices.push(to_requester("overdue", "你的申请有环节已超时".into()));
                if let Some(t) = engine.tasks.iter().find(|t| t.id == *task) {
                    notices.push(Notice {
                        user_id: t.assignee,
                        kind: "overdue".into(),
                        title: format!("已超时：{title}"),
                        body: format!("「{}」已超过处理时限", node_name(&def.flow, &t.node)),
                        instance_id: Some(id),
                    });
                }
            }
            EventKind::Reminded { task } => {
                if let Some(t) = engine.tasks.iter().find(|t| t.id == *task) {
                    notices.push(Notice {
                        user_id: t.assignee,
                        kind: "remind".into(),
                        title: format!("提醒：{title}"),
                        body: format!("「{}」已超时，请尽快处理", node_name(&def.flow, &t.node)),
                        instance_id: Some(id),
                    });
                }
            }
            EventKind::Commented if e.actor != Some(engine.requester) => {
                notices.push(to_requester("comment", e.comment.chars().take(100).collect()));
            }
            _ => {}
        }
    }
    if !history.is_empty() {
        wf_history::Entity::insert_many(history).exec(txn).await?;
    }
    for (node, user) in cc {
        let exists = wf_cc::Entity::find()
            .filter(wf_cc::Column::InstanceId.eq(id))
            .filter(wf_cc::Column::UserId.eq(user))
            .filter(wf_cc::Column::NodeId.eq(&node))
            .count(txn)
            .await?
            > 0;
        if !exists {
            wf_cc::ActiveModel {
                instance_id: Set(id),
                user_id: Set(user),
                node_id: Set(node),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    enqueue(txn, &notices, now).await
}

/// A short line for lists: the headline fields of the form (amounts and durations first,
/// then choices and dates, then text), at most three.
fn summary_of(schema: &FormSchema, form: &Map<String, Value>) -> String {
    use crate::domain::workflow::form::FieldKind;
    let mut parts: Vec<(u8, String)> = Vec::new();
    for f in &schema.fields {
        let Some(v) = form.get(&f.key) else { continue };
        let (rank, text) = match (&f.kind, v) {
            (FieldKind::Total { .. } | FieldKind::Money { .. }, Value::String(s)) => (0, format!("¥{s}")),
            (FieldKind::WorkingDays { .. }, Value::String(s)) => (0, format!("{s}天")),
            (FieldKind::Select { options }, Value::String(s)) => {
                (1, options.iter().find(|o| &o.value == s).map_or_else(|| s.clone(), |o| o.label.clone()))
            }
            (FieldKind::DateRange, Value::Object(o)) => (
                1,
                format!(
                    "{}~{}",
                    o.get("start").and_then(Value::as_str).unwrap_or_default(),
                    o.get("end").and_then(Value::as_str).unwrap_or_default()
                ),
            ),
            (FieldKind::Date, Value::String(s)) => (2, s.clone()),
            (FieldKind::Text { .. }, Value::String(s)) => (3, s.chars().take(30).collect()),
            _ => continue,
        };
        parts.push((rank, format!("{}：{text}", f.label)));
    }
    parts.sort_by_key(|(r, _)| *r);
    parts.into_iter().take(3).map(|(_, p)| p).collect::<Vec<_>>().join(" · ")
}

// ---------------------------------------------------------------- submit and act

async fn validate_form(
    txn: &impl ConnectionTrait,
    def: &VersionDef,
    requester: i64,
    input: &Value,
    instance: Option<i64>,
) -> AppResult<Map<String, Value>> {
    if !input.is_object() {
        return Err(AppError::bad("form must be a JSON object"));
    }
    let mut form = def.form.validate(input).map_err(|errors| AppError::InvalidForm { errors })?;
    let cal = work_calendar(txn).await?;
    def.form.fill_working_days(&mut form, &cal).map_err(|errors| AppError::InvalidForm { errors })?;
    check_attachments(txn, &def.form, &form, requester, instance).await?;
    effects::validate(txn, def, &form).await?;
    Ok(form)
}

/// Every attachment a form names must exist and be the requester's own upload (or already
/// belong to this instance, on a resubmission).
async fn check_attachments(
    conn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &Map<String, Value>,
    requester: i64,
    instance: Option<i64>,
) -> AppResult<()> {
    let refs = attachment_refs(schema, form);
    for (path, id) in &refs {
        let ok = match id.parse::<i64>() {
            Ok(n) => attachments::Entity::find_by_id(n)
                .one(conn)
                .await?
                .is_some_and(|a| a.uploaded_by == requester && (a.instance_id.is_none() || a.instance_id == instance)),
            Err(_) => false,
        };
        if !ok {
            return Err(AppError::InvalidForm {
                errors: vec![crate::domain::workflow::form::FieldError {
                    path: path.clone(),
                    code: ErrorCode::UnknownReference,
                }],
            });
        }
    }
    Ok(())
}

pub(crate) fn attachment_refs(schema: &FormSchema, form: &Map<String, Value>) -> Vec<(String, String)> {
    use crate::domain::workflow::form::FieldKind;
    let mut out = Vec::new();
    let ids = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    for f in &schema.fields {
        match &f.kind {
            FieldKind::Attachment { .. } => out.extend(ids(form.get(&f.key)).into_iter().map(|i| (f.key.clone(), i))),
            FieldKind::Table { columns } => {
                let rows = form.get(&f.key).and_then(Value::as_array).cloned().unwrap_or_default();
                for (n, row) in rows.iter().enumerate() {
                    for c in columns.iter().filter(|c| matches!(c.kind, FieldKind::Attachment { .. })) {
                        out.extend(ids(row.get(&c.key)).into_iter().map(|i| (format!("{}[{n}].{}", f.key, c.key), i)));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

async fn claim_attachments(
    conn: &impl ConnectionTrait,
    schema: &FormSchema,
    form: &Map<String, Value>,
    instance: i64,
) -> AppResult<()> {
    let ids: Vec<i64> = attachment_refs(schema, form).into_iter().filter_map(|(_, i)| i.parse().ok()).collect();
    if !ids.is_empty() {
        attachments::Entity::update_many()
            .col_expr(attachments::Column::InstanceId, Expr::value(instance))
            .filter(attachments::Column::Id.is_in(ids))
            .exec(conn)
            .await?;
    }
    Ok(())
}

fn check_picks(flow: &Flow, picks: &HashMap<String, Vec<i64>>) -> AppResult<()> {
    use crate::domain::workflow::flow::ApproverRule;
    for (node, users) in picks {
        let ok = flow.walk().into_iter().any(|n| {
            n.id() == node
                && matches!(
                    n,
                    Node::Approver { rule: ApproverRule::RequesterPicks, .. }
                        | Node::Handler { rule: ApproverRule::RequesterPicks, .. }
                )
        });
        if !ok || users.len() > 20 || users.iter().any(|u| *u <= 0) {
            return Err(AppError::field(&format!("picks.{node}"), ErrorCode::UnknownReference));
        }
    }
    Ok(())
}

/// Submits a request: the form validated and normalised on the server (totals and working
/// days recomputed here), the instance started, its first tasks opened — one transaction.
///
/// # Errors
/// `NotFound` for an unknown template; `InvalidForm` with every field error; `Validation`
/// for a leave balance that does not cover the request.
pub async fn submit(st: &AppState, caller: &Caller, req: SubmitRequest) -> AppResult<InstanceView> {
    caller.require_user()?;
    // The template-publish review is filed by the designer's publish, never by hand.
    if req.template_key.trim() == super::design_server::REVIEW_KEY {
        return Err(AppError::Forbidden);
    }
    submit_internal(st, caller, req).await
}

/// [`submit`] for any template, the service's own included.
pub(crate) async fn submit_internal(st: &AppState, caller: &Caller, req: SubmitRequest) -> AppResult<InstanceView> {
    let user = caller.require_user()?.clone();
    let t = wf_templates::Entity::find()
        .filter(wf_templates::Column::Key.eq(req.template_key.trim()))
        .filter(wf_templates::Column::Active.eq(true))
        .one(&st.db)
        .await?
        .ok_or(AppError::NotFound)?;
    let vid = t.current_version_id.ok_or(AppError::NotFound)?;
    let def = version_def(&st.db, &st.versions, vid).await?;
    check_picks(&def.flow, &req.picks)?;
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let form = validate_form(&txn, &def, user.user_id, &req.form, None).await?;
    let mut stored = Stored {
        engine: Instance {
            requester: user.user_id,
            status: InstanceStatus::Running,
            tasks: vec![],
            history: vec![],
            joined: Default::default(),
            round: 1,
        },
        picks: req.picks,
    };
    let blank = stored.engine.clone();
    let mut picked: Vec<i64> = stored.picks.values().flatten().copied().collect();
    picked.push(user.user_id);
    run_engine(&txn, &def, &mut stored, &form, &picked, |i, env| {
        *i = Instance::start(env);
        Ok(())
    })
    .await?;
    let title = format!("{}的{}", user.display_name, t.name);
    let hash = form_hash(&form);
    let row = wf_instances::ActiveModel {
        template_id: Set(t.id),
        version_id: Set(def.id),
        requester_id: Set(user.user_id),
        title: Set(title.clone()),
        summary: Set(summary_of(&def.form, &form)),
        status: Set(name_of(&stored.engine.status)),
        form: Set(Value::Object(form.clone()).to_string()),
        form_hash: Set(hash.clone()),
        state: Set(serde_json::to_string(&stored).map_err(AppError::internal)?),
        current_nodes: Set(current_nodes(&def.flow, &stored.engine)),
        lock_version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set((stored.engine.status != InstanceStatus::Running).then_some(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    claim_attachments(&txn, &def.form, &form, row.id).await?;
    effects::on_transition(
        &txn,
        &def,
        InstanceStatus::Withdrawn,
        stored.engine.status,
        &Map::new(),
        &form,
        user.user_id,
        now,
    )
    .await?;
    sync_rows(&txn, &def, row.id, &title, &blank, &stored.engine, &hash, now, None).await?;
    audit::record(&txn, caller, now, "workflow.submit", &format!("instance:{}", row.id), Outcome::Ok, &def.key).await?;
    txn.commit().await?;
    // The requester reads their own request: no participant check needed.
    after_change(st, caller, row.id).await
}

/// Acts on a task: approve, reject, return, transfer, add signer, comment.
///
/// # Errors
/// `NotFound` for an unknown task; `Forbidden` when it is not the caller's; `Conflict`
/// when it was handled meanwhile or the instance moved on; `Validation` for a bad target.
pub async fn act(st: &AppState, caller: &Caller, task_id: i64, a: TaskAction) -> AppResult<InstanceView> {
    let user = caller.require_user()?.clone();
    let t = wf_tasks::Entity::find_by_id(task_id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if t.assignee_id != user.user_id {
        return Err(AppError::Forbidden);
    }
    let task = t.seq as u32;
    let comment = crate::domain::validate::optional_text("comment", &a.comment, 2000)?;
    let action = match a.action.as_str() {
        "approve" => Action::Approve { task, comment },
        "reject" => Action::Reject { task, comment },
        "return" => {
            let target = match a.target_node.as_deref().map(str::trim) {
                None | Some("" | "requester") => ReturnTarget::Requester,
                Some(id) => ReturnTarget::Node { id: id.to_owned() },
            };
            Action::Return { task, target, comment }
        }
        "transfer" => {
            Action::Transfer { task, to: a.user.ok_or_else(|| AppError::field("user", ErrorCode::Required))?, comment }
        }
        "add_signer" => Action::AddSigner {
            task,
            user: a.user.ok_or_else(|| AppError::field("user", ErrorCode::Required))?,
            position: a.position.unwrap_or(SignerPosition::After),
            comment,
        },
        "comment" => Action::Comment { comment },
        _ => return Err(AppError::field("action", ErrorCode::InvalidFormat)),
    };
    let audit_name = format!("workflow.{}", a.action);
    transition(
        st,
        caller,
        t.instance_id,
        a.lock_version,
        &audit_name,
        a.user.into_iter().collect(),
        None,
        move |i, env| i.apply(action, user.user_id, env),
    )
    .await
}

/// Loads, runs the engine, persists; one transaction. `new_form` replaces the form (a
/// resubmission).
async fn transition<F>(
    st: &AppState,
    caller: &Caller,
    id: i64,
    expected: Option<i64>,
    audit_name: &str,
    extra: Vec<i64>,
    new_form: Option<ResubmitRequest>,
    f: F,
) -> AppResult<InstanceView>
where
    F: FnOnce(&mut Instance, &Env<'_, DbOrg>) -> Result<(), ActionError>,
{
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let loaded = load(&txn, &st.versions, id).await?;
    if expected.is_some_and(|v| v != loaded.row.lock_version) {
        return Err(AppError::Conflict { message: "the request was changed by someone else; reload it".into() });
    }
    let mut stored = loaded.stored.clone();
    let mut form = loaded.form.clone();
    if let Some(ResubmitRequest { form: input, picks }) = new_form {
        if let Some(p) = picks {
            check_picks(&loaded.def.flow, &p)?;
            stored.picks = p;
        }
        form = validate_form(&txn, &loaded.def, loaded.row.requester_id, &input, Some(id)).await?;
        claim_attachments(&txn, &loaded.def.form, &form, id).await?;
    }
    run_engine(&txn, &loaded.def, &mut stored, &form, &extra, f).await?;
    persist(&txn, caller, audit_name, now, &loaded, &stored, &form).await?;
    txn.commit().await?;
    after_change(st, caller, id).await
}

/// The instance as the caller sees it right after changing it: they are on it (requester,
/// handler, or commenter checked before the change), so no read check is repeated.
async fn after_change(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    let now = st.clock.now();
    let me = caller.require_user()?.user_id;
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    view_of(&st.db, &st.versions, row, me, now).await
}

/// Only the requester may do this, whatever state the request is in.
async fn own_request(db: &DatabaseConnection, id: i64, user: i64) -> AppResult<()> {
    let row = wf_instances::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if row.requester_id == user { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Withdraws the caller's own request while no one has acted on it.
///
/// # Errors
/// `Forbidden` for someone else's request; `Conflict` once someone has acted.
pub async fn withdraw(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    let user = caller.require_user()?.user_id;
    own_request(&st.db, id, user).await?;
    transition(st, caller, id, None, "workflow.withdraw", vec![], None, move |i, env| {
        i.apply(Action::Withdraw, user, env)
    })
    .await
}

/// Urges the handlers of the caller's own running request.
///
/// # Errors
/// `Forbidden` for someone else's request; `Conflict` when it is not running.
pub async fn urge(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    let user = caller.require_user()?.user_id;
    own_request(&st.db, id, user).await?;
    transition(st, caller, id, None, "workflow.urge", vec![], None, move |i, env| i.apply(Action::Urge, user, env))
        .await
}

/// A comment on an instance by someone on it.
///
/// # Errors
/// `Forbidden` for someone not on the instance; `Validation` for an empty comment.
pub async fn comment(st: &AppState, caller: &Caller, id: i64, body: CommentBody) -> AppResult<InstanceView> {
    let user = caller.require_user()?.user_id;
    let text = crate::domain::validate::required_text("comment", &body.comment, 2000)?;
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if !is_participant(&st.db, &row, user).await? {
        return Err(AppError::Forbidden);
    }
    transition(st, caller, id, None, "workflow.comment", vec![], None, move |i, env| {
        i.apply(Action::Comment { comment: text }, user, env)
    })
    .await
}

/// Resubmits a returned request with its corrected form.
///
/// # Errors
/// `Forbidden` for someone else's request; `Conflict` when it is not returned;
/// `InvalidForm`.
pub async fn resubmit(st: &AppState, caller: &Caller, id: i64, req: ResubmitRequest) -> AppResult<InstanceView> {
    let user = caller.require_user()?.user_id;
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if row.requester_id != user {
        return Err(AppError::Forbidden);
    }
    let review = wf_templates::Entity::find_by_id(row.template_id).one(&st.db).await?;
    if review.is_some_and(|t| t.key == super::design_server::REVIEW_KEY) {
        // A returned review is filed again by publishing the draft again.
        return Err(AppError::Forbidden);
    }

    if row.status != "returned" {
        return Err(AppError::Conflict { message: "only a returned request can be resubmitted".into() });
    }
    transition(st, caller, id, None, "workflow.resubmit", vec![], Some(req), move |i, env| {
        i.apply(Action::Resubmit, user, env)
    })
    .await
}

/// Applies a system action (deadline, hand-over) in the caller's transaction; `None` when the
/// engine refused it (the task moved on meanwhile).
pub(crate) async fn system_step(
    txn: &DatabaseTransaction,
    cache: &VersionCache,
    caller: &Caller,
    id: i64,
    action: SystemAction,
    extra: Vec<i64>,
    now: DateTime<Utc>,
) -> AppResult<Option<i64>> {
    let loaded = load(txn, cache, id).await?;
    let mut stored = loaded.stored.clone();
    let name = format!("workflow.{}", name_of(&action));
    match run_engine(txn, &loaded.def, &mut stored, &loaded.form, &extra, |i, env| i.apply_system(action, env)).await {
        Ok(()) => {}
        Err(AppError::Conflict { .. } | AppError::NotFound | AppError::Validation { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    persist(txn, caller, &name, now, &loaded, &stored, &loaded.form).await.map(Some)
}

// ---------------------------------------------------------------- reading

async fn is_participant(conn: &impl ConnectionTrait, row: &wf_instances::Model, user: i64) -> AppResult<bool> {
    if row.requester_id == user {
        return Ok(true);
    }
    let tasks = wf_tasks::Entity::find()
        .filter(wf_tasks::Column::InstanceId.eq(row.id))
        .filter(wf_tasks::Column::AssigneeId.eq(user))
        .count(conn)
        .await?;
    if tasks > 0 {
        return Ok(true);
    }
    let cc = wf_cc::Entity::find()
        .filter(wf_cc::Column::InstanceId.eq(row.id))
        .filter(wf_cc::Column::UserId.eq(user))
        .count(conn)
        .await?;
    Ok(cc > 0)
}

/// Checks the caller may read an instance: people on it (requester, handlers, CC), and
/// holders of `workflow_audit` (whose reads are audited).
pub(crate) async fn check_read(
    st: &AppState,
    caller: &Caller,
    row: &wf_instances::Model,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let db = &st.db;
    let user = caller.require_user()?;
    if is_participant(db, row, user.user_id).await? {
        return Ok(());
    }
    if user.can(Permission::WorkflowAudit) {
        let txn = begin_write(db).await?;
        audit::record(&txn, caller, now, "workflow.read", &format!("instance:{}", row.id), Outcome::Ok, "").await?;
        txn.commit().await?;
        return Ok(());
    }
    audit::record_failure(st, caller, "workflow.read", &format!("instance:{}", row.id), &AppError::Forbidden).await;
    Err(AppError::Forbidden)
}

/// An instance in full, for someone allowed to read it.
///
/// # Errors
/// `NotFound`; `Forbidden` for someone not on it and not an auditor.
pub async fn get_instance(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    let now = st.clock.now();
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    check_read(st, caller, &row, now).await?;
    let me = caller.require_user()?.user_id;
    view_of(&st.db, &st.versions, row, me, now).await
}

async fn view_of(
    db: &DatabaseConnection,
    cache: &VersionCache,
    row: wf_instances::Model,
    me: i64,
    now: DateTime<Utc>,
) -> AppResult<InstanceView> {
    let def = version_def(db, cache, row.version_id).await?;
    let stored: Stored = serde_json::from_str(&row.state).map_err(AppError::internal)?;
    let template = wf_templates::Entity::find_by_id(row.template_id).one(db).await?.ok_or(AppError::NotFound)?;
    let tasks = wf_tasks::Entity::find()
        .filter(wf_tasks::Column::InstanceId.eq(row.id))
        .order_by_asc(wf_tasks::Column::Seq)
        .all(db)
        .await?;
    let history = wf_history::Entity::find()
        .filter(wf_history::Column::InstanceId.eq(row.id))
        .order_by_asc(wf_history::Column::Seq)
        .all(db)
        .await?;
    let mut ids: Vec<i64> = tasks.iter().map(|t| t.assignee_id).collect();
    ids.extend(history.iter().filter_map(|h| h.actor_id));
    ids.push(row.requester_id);
    for h in &history {
        if let Ok(EventKind::Copied { users, .. }) = serde_json::from_str::<EventKind>(&h.detail) {
            ids.extend(users);
        }
    }
    let refs = user_refs(db, ids).await?;
    let form: Map<String, Value> = serde_json::from_str(&row.form).map_err(AppError::internal)?;
    let att_ids: Vec<i64> = attachment_refs(&def.form, &form).into_iter().filter_map(|(_, i)| i.parse().ok()).collect();
    let files = if att_ids.is_empty() {
        vec![]
    } else {
        attachments::Entity::find()
            .filter(attachments::Column::Id.is_in(att_ids))
            .filter(attachments::Column::InstanceId.eq(row.id))
            .all(db)
            .await?
            .into_iter()
            .map(attachment_dto)
            .collect()
    };
    let task_views: Vec<TaskView> = tasks
        .iter()
        .map(|t| {
            Ok(TaskView {
                id: t.id,
                node_id: t.node_id.clone(),
                node_name: t.node_name.clone(),
                kind: parse_status(&t.kind)?,
                assignee: user_ref(&refs, t.assignee_id),
                status: if t.status == "returned" { TaskStatus::Cancelled } else { parse_status(&t.status)? },
                round: t.round,
                opened_at: t.opened_at.map(ts),
                acted_at: t.acted_at.map(ts),
                due_at: t.due_at.map(ts),
                overdue: t.overdue,
            })
        })
        .collect::<AppResult<_>>()?;
    let nodes = node_views(&def.flow, &stored.engine, &tasks, &history, &refs, now);
    let e = &stored.engine;
    let my_tasks = tasks.iter().filter(|t| t.assignee_id == me && t.status == "open").map(|t| t.id).collect();
    let can = InstanceCan {
        withdraw: e.can(&Action::Withdraw, me),
        urge: e.can(&Action::Urge, me),
        resubmit: e.can(&Action::Resubmit, me),
        comment: true,
    };
    Ok(InstanceView {
        id: row.id,
        template_key: def.key.clone(),
        template_name: template.name,
        version: def.version,
        title: row.title,
        summary: row.summary,
        requester: user_ref(&refs, row.requester_id),
        status: e.status,
        form: Value::Object(form),
        form_hash: row.form_hash,
        attachments: files,
        flow: def.flow.clone(),
        form_schema: def.form.clone(),
        nodes,
        tasks: task_views,
        history: history
            .into_iter()
            .map(|h| {
                Ok(HistoryEntry {
                    seq: h.seq,
                    actor: h.actor_id.map(|a| user_ref(&refs, a)),
                    event: serde_json::from_str(&h.detail).map_err(AppError::internal)?,
                    comment: h.comment,
                    form_hash: h.form_hash,
                    at: ts(h.at),
                })
            })
            .collect::<AppResult<_>>()?,
        my_tasks,
        can,
        lock_version: row.lock_version,
        created_at: ts(row.created_at),
        updated_at: ts(row.updated_at),
        finished_at: row.finished_at.map(ts),
    })
}

fn node_views(
    flow: &Flow,
    engine: &Instance,
    tasks: &[wf_tasks::Model],
    history: &[wf_history::Model],
    refs: &HashMap<i64, UserRef>,
    now: DateTime<Utc>,
) -> Vec<NodeView> {
    let mut out = Vec::new();
    let events: Vec<EventKind> =
        history.iter().filter_map(|h| serde_json::from_str::<EventKind>(&h.detail).ok()).collect();
    for n in flow.walk() {
        if matches!(n, Node::Conditions { .. } | Node::Parallel { .. }) {
            continue;
        }
        let id = n.id();
        // The latest run of the node decides its state; earlier runs stay in the history.
        let round = tasks.iter().filter(|t| t.node_id == id).map(|t| t.round).max();
        let mine: Vec<&wf_tasks::Model> = tasks.iter().filter(|t| t.node_id == id && Some(t.round) == round).collect();
        let skipped = events.iter().any(|e| matches!(e, EventKind::NodeSkipped { node } if node == id));
        let copied: Vec<i64> = events
            .iter()
            .filter_map(|e| match e {
                EventKind::Copied { node, users } if node == id => Some(users.clone()),
                _ => None,
            })
            .flatten()
            .collect();
        let state = if !mine.is_empty() {
            if mine.iter().any(|t| t.status == "open" || t.status == "waiting")
                && engine.status == InstanceStatus::Running
            {
                NodeState::Current
            } else if mine.iter().any(|t| t.status == "rejected") {
                NodeState::Rejected
            } else if mine.iter().any(|t| t.status == "approved") {
                NodeState::Done
            } else {
                NodeState::Cancelled
            }
        } else if !copied.is_empty() {
            NodeState::Done
        } else if skipped {
            NodeState::Skipped
        } else {
            NodeState::Waiting
        };
        let mut handlers: Vec<UserRef> = Vec::new();
        for u in mine.iter().map(|t| t.assignee_id).chain(copied) {
            if !handlers.iter().any(|h| h.id == u) {
                handlers.push(user_ref(refs, u));
            }
        }
        let started = mine.iter().filter_map(|t| t.opened_at).min();
        let ended = if state == NodeState::Current { None } else { mine.iter().filter_map(|t| t.acted_at).max() };
        out.push(NodeView {
            id: id.to_owned(),
            name: n.name().to_owned(),
            state,
            handlers,
            started_at: started.map(ts),
            ended_at: ended.map(ts),
            spent_secs: started.map(|s| (ended.unwrap_or(now) - s).num_seconds()),
        });
    }
    out
}

/// Who each node of a template would go to for the caller, with these form values — the
/// engine's own routing, for the "who will approve this" preview.
///
/// # Errors
/// `NotFound`; `InvalidForm` only for values that cannot be read at all.
pub async fn predict_path(
    st: &AppState,
    caller: &Caller,
    key: &str,
    input: &Value,
    picks: &HashMap<String, Vec<i64>>,
) -> AppResult<Vec<PredictedStep>> {
    let user = caller.require_user()?.user_id;
    let db = &st.db;
    let t = get_template(db, caller, key).await?;
    let def = version_def(db, &st.versions, t.version_id).await?;
    // Routing runs on what is valid so far; missing fields make conditions false.
    let mut form = match def.form.validate(input) {
        Ok(f) => f,
        Err(_) => input.as_object().cloned().unwrap_or_default(),
    };
    let cal = work_calendar(db).await?;
    let _ = def.form.fill_working_days(&mut form, &cal);
    let extra: Vec<i64> = picks.values().flatten().copied().collect();
    let org = DbOrg::load(db, &def.flow, user, &extra).await?;
    let depts = org.departments_of(user);
    let req = Request { requester: user, facts: Facts { form: &form, requester_departments: &depts }, picks };
    let steps = predict(&def.flow, &req, &org);
    let mut ids = Vec::new();
    collect_users(&steps, &mut ids);
    let refs = user_refs(db, ids).await?;
    let mut out = Vec::new();
    flatten_steps(&steps, 0, &refs, &mut out);
    Ok(out)
}

fn collect_users(steps: &[Step], out: &mut Vec<i64>) {
    for s in steps {
        match s {
            Step::Node { assignment: Assignment::Assigned { users }, .. } => out.extend(users),
            Step::Node { .. } => {}
            Step::Parallel { arms, .. } => arms.iter().for_each(|(_, a)| collect_users(a, out)),
        }
    }
}

fn flatten_steps(steps: &[Step], depth: u32, refs: &HashMap<i64, UserRef>, out: &mut Vec<PredictedStep>) {
    for s in steps {
        match s {
            Step::Node { id, name, kind, mode, assignment } => out.push(PredictedStep {
                node_id: id.clone(),
                node_name: name.clone(),
                kind: *kind,
                mode: *mode,
                users: match assignment {
                    Assignment::Assigned { users } => users.iter().map(|u| user_ref(refs, *u)).collect(),
                    Assignment::Skipped { .. } => vec![],
                },
                skipped: matches!(assignment, Assignment::Skipped { .. }),
                depth,
            }),
            Step::Parallel { arms, .. } => arms.iter().for_each(|(_, a)| flatten_steps(a, depth + 1, refs, out)),
        }
    }
}

const PER_PAGE: u64 = 20;

/// The lists: to-do, done, my requests, CC'd to me; with filters and paging.
///
/// # Errors
/// `Unauthenticated`; `Validation` for a malformed date.
pub async fn list_tasks(st: &AppState, caller: &Caller, q: TaskQuery) -> AppResult<Page<InboxItem>> {
    let (db, now) = (&st.db, st.clock.now());
    let me = caller.require_user()?.user_id;
    let page = crate::common::page_number(q.page);
    // Days are China days: a request filed at 00:17 on the 1st is on the 1st.
    let (from, to) = crate::domain::time::day_range(
        crate::domain::validate::optional_day("from", q.from.as_deref())?,
        crate::domain::validate::optional_day("to", q.to.as_deref())?,
    );
    let mut inst = Condition::all();
    if let Some(k) = q.template.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let tid: Option<i64> = wf_templates::Entity::find()
            .select_only()
            .column(wf_templates::Column::Id)
            .filter(wf_templates::Column::Key.eq(k))
            .into_tuple()
            .one(db)
            .await?;
        inst = inst.add(wf_instances::Column::TemplateId.eq(tid.unwrap_or(-1)));
    }
    if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        if parse_status::<InstanceStatus>(s).is_err() {
            return Err(AppError::field("status", ErrorCode::InvalidFormat));
        }
        inst = inst.add(wf_instances::Column::Status.eq(s));
    }
    if let Some(text) = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pat = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        inst = inst.add(
            Condition::any()
                .add(Expr::col(wf_instances::Column::Title).like(sea_orm::sea_query::LikeExpr::new(&pat).escape('\\')))
                .add(
                    Expr::col(wf_instances::Column::Summary).like(sea_orm::sea_query::LikeExpr::new(&pat).escape('\\')),
                ),
        );
    }
    if let Some(f) = from {
        inst = inst.add(wf_instances::Column::CreatedAt.gte(f));
    }
    if let Some(t) = to {
        inst = inst.add(wf_instances::Column::CreatedAt.lt(t));
    }
    // Rows: (instance id, task) in display order.
    let (rows, total): (Vec<(i64, Option<wf_tasks::Model>)>, u64) = match q.r#box {
        TaskBox::Todo | TaskBox::Done => {
            let statuses: &[&str] =
                if q.r#box == TaskBox::Todo { &["open"] } else { &["approved", "rejected", "returned", "transferred"] };
            // The caller's tasks, narrowed by the instance filters in the database (a
            // subquery, never a list of ids carried through the application).
            let mut base = wf_tasks::Entity::find()
                .filter(wf_tasks::Column::AssigneeId.eq(me))
                .filter(wf_tasks::Column::Status.is_in(statuses.iter().copied()));
            if !inst.is_empty() {
                base = base.filter(
                    wf_tasks::Column::InstanceId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(wf_instances::Column::Id)
                            .from(wf_instances::Entity)
                            .cond_where(inst.clone())
                            .to_owned(),
                    ),
                );
            }
            let total = base.clone().count(db).await?;
            let order = if q.r#box == TaskBox::Todo { wf_tasks::Column::OpenedAt } else { wf_tasks::Column::ActedAt };
            let tasks = base
                .order_by_desc(order)
                .order_by_desc(wf_tasks::Column::Id)
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE)
                .all(db)
                .await?;
            (tasks.into_iter().map(|t| (t.instance_id, Some(t))).collect(), total)
        }
        TaskBox::Mine | TaskBox::Cc => {
            let mut sel = wf_instances::Entity::find().select_only().column(wf_instances::Column::Id).filter(inst);
            sel = if q.r#box == TaskBox::Mine {
                sel.filter(wf_instances::Column::RequesterId.eq(me))
            } else {
                sel.filter(
                    wf_instances::Column::Id.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(wf_cc::Column::InstanceId)
                            .from(wf_cc::Entity)
                            .and_where(wf_cc::Column::UserId.eq(me))
                            .to_owned(),
                    ),
                )
            };
            let total = sel.clone().count(db).await?;
            let ids: Vec<i64> = sel
                .order_by_desc(wf_instances::Column::CreatedAt)
                .order_by_desc(wf_instances::Column::Id)
                .offset((page - 1) * PER_PAGE)
                .limit(PER_PAGE)
                .into_tuple()
                .all(db)
                .await?;
            (ids.into_iter().map(|i| (i, None)).collect(), total)
        }
    };
    let ids: Vec<i64> = rows.iter().map(|(i, _)| *i).collect();
    let instances: HashMap<i64, wf_instances::Model> = wf_instances::Entity::find()
        .filter(wf_instances::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let tids: HashSet<i64> = instances.values().map(|i| i.template_id).collect();
    let templates: HashMap<i64, wf_templates::Model> = wf_templates::Entity::find()
        .filter(wf_templates::Column::Id.is_in(tids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let refs = user_refs(db, instances.values().map(|i| i.requester_id)).await?;
    let mut items = Vec::new();
    for (iid, task) in rows {
        let Some(i) = instances.get(&iid) else { continue };
        let t = templates.get(&i.template_id);
        let since = match &task {
            Some(t) if q.r#box == TaskBox::Todo => t.opened_at.unwrap_or(t.created_at),
            Some(t) => t.acted_at.unwrap_or(t.created_at),
            None => i.created_at,
        };
        items.push(InboxItem {
            instance_id: iid,
            task_id: task.as_ref().map(|t| t.id),
            template_key: t.map(|t| t.key.clone()).unwrap_or_default(),
            template_name: t.map(|t| t.name.clone()).unwrap_or_default(),
            title: i.title.clone(),
            summary: i.summary.clone(),
            requester: user_ref(&refs, i.requester_id),
            instance_status: parse_status(&i.status)?,
            current_nodes: i.current_nodes.clone(),
            node_name: task.as_ref().map(|t| t.node_name.clone()),
            task_status: match &task {
                Some(t) if t.status == "returned" => Some(TaskStatus::Cancelled),
                Some(t) => Some(parse_status(&t.status)?),
                None => None,
            },
            since: ts(since),
            waited_secs: Ord::max((now - since).num_seconds(), 0),
            due_at: task.as_ref().and_then(|t| t.due_at).map(ts),
            overdue: task.as_ref().is_some_and(|t| t.overdue),
        });
    }
    Ok(Page { items, total, page, per_page: PER_PAGE })
}

/// Counts for the navigation badges.
///
/// # Errors
/// `Unauthenticated`.
pub async fn task_counts(db: &DatabaseConnection, caller: &Caller) -> AppResult<TaskCounts> {
    let me = caller.require_user()?.user_id;
    let open = wf_tasks::Entity::find()
        .filter(wf_tasks::Column::AssigneeId.eq(me))
        .filter(wf_tasks::Column::Status.eq("open"));
    Ok(TaskCounts {
        todo: open.clone().count(db).await?,
        overdue: open.filter(wf_tasks::Column::Overdue.eq(true)).count(db).await?,
        cc_unread: notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(me))
            .filter(notifications::Column::Kind.eq("cc"))
            .filter(notifications::Column::ReadAt.is_null())
            .count(db)
            .await?,
        notifications_unread: notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(me))
            .filter(notifications::Column::ReadAt.is_null())
            .count(db)
            .await?,
    })
}

/// The caller's notifications, newest first.
///
/// # Errors
/// `Unauthenticated`.
pub async fn list_notifications(
    db: &DatabaseConnection,
    caller: &Caller,
    page: Option<u64>,
) -> AppResult<Page<NotificationDto>> {
    let me = caller.require_user()?.user_id;
    let page = crate::common::page_number(page);
    let q = notifications::Entity::find().filter(notifications::Column::UserId.eq(me));
    let total = q.clone().count(db).await?;
    let rows = q.order_by_desc(notifications::Column::Id).offset((page - 1) * PER_PAGE).limit(PER_PAGE).all(db).await?;
    Ok(Page {
        items: rows
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                instance_id: n.instance_id,
                created_at: ts(n.created_at),
                read: n.read_at.is_some(),
            })
            .collect(),
        total,
        page,
        per_page: PER_PAGE,
    })
}

/// Marks the caller's notifications read (all, or those up to an id).
///
/// # Errors
/// `Unauthenticated`.
pub async fn mark_notifications_read(st: &AppState, caller: &Caller, up_to: Option<i64>) -> AppResult<u64> {
    let now = st.clock.now();
    let me = caller.require_user()?.user_id;
    let mut q = notifications::Entity::update_many()
        .col_expr(notifications::Column::ReadAt, Expr::value(now))
        .filter(notifications::Column::UserId.eq(me))
        .filter(notifications::Column::ReadAt.is_null());
    if let Some(id) = up_to {
        q = q.filter(notifications::Column::Id.lte(id));
    }
    Ok(q.exec(&st.db).await?.rows_affected)
}

// ---------------------------------------------------------------- attachments

const ALLOWED_EXTENSIONS: [&str; 17] = [
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "heic", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv",
    "zip", "ofd",
];

/// Stores an upload content-addressed under the data directory and records it.
///
/// # Errors
/// `Unauthenticated`; `PayloadTooLarge`; `Validation` for an empty file, a bad name or a
/// type that is not allowed.
pub async fn upload_attachment(
    st: &AppState,
    caller: &Caller,
    filename: &str,
    content_type: &str,
    bytes: &[u8],
) -> AppResult<AttachmentDto> {
    let user = caller.require_user()?.user_id;
    let name: String =
        filename.trim().rsplit(['/', '\\']).next().unwrap_or_default().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("filename", ErrorCode::InvalidFormat));
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    if !ALLOWED_EXTENSIONS.contains(&ext.as_str()) {
        return Err(AppError::field("filename", ErrorCode::NotAllowed));
    }
    if bytes.is_empty() {
        return Err(AppError::field("file", ErrorCode::Required));
    }
    if bytes.len() > st.settings.max_upload_bytes {
        return Err(AppError::PayloadTooLarge);
    }
    // A quota per person per day: the disk is shared.
    let quota = (st.settings.max_upload_bytes as u64).saturating_mul(UPLOAD_QUOTA_FILES);
    let since = st.clock.now() - chrono::Duration::days(1);
    let recent: Vec<i64> = attachments::Entity::find()
        .select_only()
        .column(attachments::Column::Size)
        .filter(attachments::Column::UploadedBy.eq(user))
        .filter(attachments::Column::CreatedAt.gt(since))
        .into_tuple()
        .all(&st.db)
        .await?;
    let used: u64 = recent.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum();
    if used.saturating_add(bytes.len() as u64) > quota {
        return Err(AppError::Conflict {
            message: format!(
                "the upload quota of {} MB a day is used up; try again tomorrow or ask an administrator",
                quota / (1024 * 1024)
            ),
        });
    }
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = st.settings.data_dir.join("files").join(&sha[..2]);
    let path = dir.join(&sha);
    let mut dirs = tokio::fs::DirBuilder::new();
    dirs.recursive(true);
    #[cfg(unix)]
    dirs.mode(0o700);
    dirs.create(&dir).await.map_err(AppError::internal)?;
    // Written every time (the same content under the same name; a fresh modification time
    // tells the clean-up job the file is in use), to a temporary name, flushed, then renamed:
    // a crash never leaves a half-written file under the content's name. Readable by the
    // server's user only.
    let tmp = dir.join(format!("{sha}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let mut opts = tokio::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    opts.mode(0o600);
    let mut f = opts.open(&tmp).await.map_err(AppError::internal)?;
    tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(AppError::internal)?;
    f.sync_all().await.map_err(AppError::internal)?;
    drop(f);
    tokio::fs::rename(&tmp, &path).await.map_err(AppError::internal)?;
    let ct = if content_type.trim().is_empty() || content_type.len() > 100 {
        "application/octet-stream"
    } else {
        content_type.trim()
    };
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let a = attachments::ActiveModel {
        sha256: Set(sha.clone()),
        size: Set(bytes.len() as i64),
        filename: Set(name),
        content_type: Set(ct.to_owned()),
        uploaded_by: Set(user),
        instance_id: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, caller, now, "attachment.upload", &format!("attachment:{}", a.id), Outcome::Ok, &sha).await?;
    txn.commit().await?;
    Ok(attachment_dto(a))
}

pub(crate) fn attachment_dto(a: attachments::Model) -> AttachmentDto {
    AttachmentDto {
        id: a.id.to_string(),
        filename: a.filename,
        content_type: a.content_type,
        size: a.size,
        sha256: a.sha256,
        created_at: ts(a.created_at),
    }
}

/// An attachment's record and an open handle on its file (streamed out, never read whole
/// into memory), for its uploader and the readers of its instance.
///
/// # Errors
/// `NotFound`; `Forbidden`.
pub async fn download_attachment(
    st: &AppState,
    caller: &Caller,
    id: i64,
) -> AppResult<(AttachmentDto, tokio::fs::File)> {
    let me = caller.require_user()?.user_id;
    let a = attachments::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if a.uploaded_by != me {
        let Some(iid) = a.instance_id else { return Err(AppError::Forbidden) };
        let row = wf_instances::Entity::find_by_id(iid).one(&st.db).await?.ok_or(AppError::NotFound)?;
        check_read(st, caller, &row, st.clock.now()).await?;
    }
    let path = st.settings.data_dir.join("files").join(&a.sha256[..2]).join(&a.sha256);
    let file = tokio::fs::File::open(&path).await.map_err(AppError::internal)?;
    Ok((attachment_dto(a), file))
}

/// How much one person may upload in 24 hours, as a multiple of the largest single upload.
pub const UPLOAD_QUOTA_FILES: u64 = 25;

/// Deletes uploads never attached to a request (nor kept in a draft) a day after they were
/// made, and their files once nothing refers to them. Run by the clean-up job every few
/// minutes on every server; each row goes once. Returns how many uploads went.
///
/// # Errors
/// The database error.
pub async fn delete_unclaimed_uploads(st: &AppState) -> AppResult<u64> {
    let (db, now) = (&st.db, st.clock.now());
    let cutoff = now - chrono::Duration::days(1);
    let orphans = attachments::Entity::find()
        .filter(attachments::Column::InstanceId.is_null())
        .filter(attachments::Column::CreatedAt.lt(cutoff))
        .order_by_asc(attachments::Column::Id)
        .limit(500)
        .all(db)
        .await?;
    if orphans.is_empty() {
        return Ok(0);
    }
    // An attachment a draft holds is kept: the drafts of the uploaders, every value in them.
    let uploaders: Vec<i64> = orphans.iter().map(|a| a.uploaded_by).collect();
    let mut kept: std::collections::HashSet<String> = std::collections::HashSet::new();
    for d in wf_drafts::Entity::find().filter(wf_drafts::Column::UserId.is_in(uploaders)).all(db).await? {
        if let Ok(v) = serde_json::from_str::<Value>(&d.form) {
            collect_scalars(&v, &mut kept);
        }
    }
    let doomed: Vec<&attachments::Model> = orphans.iter().filter(|a| !kept.contains(&a.id.to_string())).collect();
    if doomed.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let res = attachments::Entity::delete_many()
        .filter(attachments::Column::Id.is_in(doomed.iter().map(|a| a.id)))
        // Claimed by a request since it was read: it stays.
        .filter(attachments::Column::InstanceId.is_null())
        .exec(&txn)
        .await?;
    let detail = format!("{} unclaimed uploads older than a day", res.rows_affected);
    audit::record(&txn, &Caller::system(), now, "attachment.cleanup", "attachments", Outcome::Ok, &detail).await?;
    txn.commit().await?;
    for sha in doomed.iter().map(|a| a.sha256.as_str()).collect::<std::collections::BTreeSet<_>>() {
        let still_used = attachments::Entity::find().filter(attachments::Column::Sha256.eq(sha)).count(db).await? > 0;
        let path = st.settings.data_dir.join("files").join(&sha[..2]).join(sha);
        // A file written in the last hour may belong to an upload whose row is being made.
        let fresh = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t.elapsed().is_ok_and(|e| e < std::time::Duration::from_secs(3600)));
        if !still_used && !fresh {
            let _ = tokio::fs::remove_file(&path).await;
        }
    }
    Ok(res.rows_affected)
}

fn collect_scalars(v: &Value, out: &mut std::collections::HashSet<String>) {
    match v {
        Value::String(s) => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| collect_scalars(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_scalars(x, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------- leave and offboarding

/// Leave balances of the caller, or of another user for `template_manage`/`user_read`.
///
/// # Errors
/// `Forbidden` for someone else's balances without permission.
pub async fn leave_balances(st: &AppState, caller: &Caller, user: Option<i64>) -> AppResult<Vec<LeaveBalance>> {
    let db = &st.db;
    let me = caller.require_user()?;
    let uid = user.unwrap_or(me.user_id);
    if uid != me.user_id && !me.can(Permission::TemplateManage) && !me.can(Permission::UserRead) {
        return Err(AppError::Forbidden);
    }
    if users::Entity::find_by_id(uid).one(db).await?.is_none() {
        return Err(AppError::NotFound);
    }
    effects::balances(db, uid, st.clock.now()).await
}

/// Sets a user's grant of one leave type.
///
/// # Errors
/// `Forbidden` without `user_manage` (HR, administrators), and for one's own grant (nobody
/// sets their own leave); `Validation` for an unknown type or bad amount.
pub async fn set_leave_grant(
    st: &AppState,
    caller: &Caller,
    user: i64,
    g: SetLeaveGrant,
) -> AppResult<Vec<LeaveBalance>> {
    let now = st.clock.now();
    audited(st, caller, "leave.grant", &format!("user:{user}"), async {
        let me = caller.require(Permission::UserManage)?;
        if me.user_id == user {
            return Err(AppError::Forbidden);
        }
        let txn = begin_write(&st.db).await?;
        if users::Entity::find_by_id(user).one(&txn).await?.is_none() {
            return Err(AppError::NotFound);
        }
        effects::set_grant(&txn, user, &g, now).await?;
        audit::record(
            &txn,
            caller,
            now,
            "leave.grant",
            &format!("user:{user}"),
            Outcome::Ok,
            &format!("{} {}", g.leave_type, g.granted_days),
        )
        .await?;
        txn.commit().await?;
        effects::balances(&st.db, user, now).await
    })
    .await
}

/// Offboarding: hands every open task of `leaver` to `successor`, recorded in each
/// instance's history, and optionally disables the leaver.
///
/// # Errors
/// `Forbidden` without `user_manage`; `Validation` for an unknown or inactive successor.
pub async fn hand_over(st: &AppState, caller: &Caller, leaver: i64, body: HandOverBody) -> AppResult<HandOverResult> {
    let res = audited(st, caller, "workflow.hand_over", &format!("user:{leaver}"), async {
        let admin = caller.require(Permission::UserManage)?.user_id;
        if users::Entity::find_by_id(leaver).one(&st.db).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let ok = users::Entity::find_by_id(body.successor).one(&st.db).await?.is_some_and(|u| u.active);
        if !ok || body.successor == leaver {
            return Err(AppError::field("successor", ErrorCode::UnknownReference));
        }
        let tasks = wf_tasks::Entity::find()
            .filter(wf_tasks::Column::AssigneeId.eq(leaver))
            .filter(wf_tasks::Column::Status.eq("open"))
            .all(&st.db)
            .await?;
        let mut result = HandOverResult { handed_over: 0, skipped: vec![] };
        for t in tasks {
            let now = st.clock.now();
            let txn = begin_write(&st.db).await?;
            let action = SystemAction::HandOver {
                task: t.seq as u32,
                to: body.successor,
                by: admin,
                comment: "离职交接".into(),
            };
            match system_step(&txn, &st.versions, caller, t.instance_id, action, vec![body.successor], now).await? {
                Some(_) => {
                    txn.commit().await?;
                    result.handed_over += 1;
                }
                None => {
                    txn.rollback().await?;
                    result.skipped.push(t.id);
                }
            }
        }
        Ok(result)
    })
    .await?;
    if body.disable {
        crate::org::server::set_user_active(st, caller, leaver, false).await?;
    }
    Ok(res)
}

/// The working calendar, for administrators.
///
/// # Errors
/// `Unauthenticated`.
pub async fn get_work_calendar(db: &DatabaseConnection, caller: &Caller) -> AppResult<WorkCalendar> {
    caller.require_user()?;
    work_calendar(db).await
}

/// Replaces the working calendar (holidays, make-up working days, hours).
///
/// # Errors
/// `Forbidden` without `template_manage`; `Validation` for hours that do not make a day.
pub async fn set_work_calendar(st: &AppState, caller: &Caller, cal: WorkCalendar) -> AppResult<WorkCalendar> {
    audited(st, caller, "calendar.update", "work_calendar", async {
        caller.require(Permission::TemplateManage)?;
        if cal.day_end <= cal.day_start {
            return Err(AppError::field("day_end", ErrorCode::OutOfRange));
        }
        if cal.holidays.len() + cal.workdays.len() > 5000 {
            return Err(AppError::field("holidays", ErrorCode::OutOfRange));
        }
        let now = st.clock.now();
        let txn = begin_write(&st.db).await?;
        let value = serde_json::to_string(&cal).map_err(AppError::internal)?;
        let existing = settings::Entity::find_by_id("work_calendar".to_owned()).one(&txn).await?;
        let am = settings::ActiveModel { key: Set("work_calendar".into()), value: Set(value), updated_at: Set(now) };
        if existing.is_some() {
            am.update(&txn).await?;
        } else {
            am.insert(&txn).await?;
        }
        audit::record(&txn, caller, now, "calendar.update", "work_calendar", Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(cal)
    })
    .await
}
