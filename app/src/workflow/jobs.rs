//! Background work: node deadlines (SPEC WF-6) and outbox delivery. Both are safe with
//! several servers on one database: due rows are claimed with `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL (SQLite has one writer at a time) and a lease, and every firing re-checks its
//! row inside the transaction that acts on it, so each due job happens exactly once.

use super::service::{Notice, VersionCache, load, node_timeout, system_step, work_calendar};
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::time::add_working;
use crate::domain::workflow::flow::TimeoutAction;
use crate::domain::workflow::instance::SystemAction;
use crate::entities::{notifications, outbox, users, wf_instances, wf_tasks, wf_templates, wf_violations};
use crate::error::AppResult;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

const BATCH: u64 = 50;
const LEASE_SECS: i64 = 120;

/// Fires every deadline that is due by the clock; returns how many tasks were handled.
///
/// # Errors
/// The database error (the jobs stay due and are retried on the next run).
pub async fn run_timers(st: &AppState, owner: &str) -> AppResult<usize> {
    let now = st.clock.now();
    let pg = st.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres;
    // A plain read first: most runs find nothing, and then take no write lock.
    let any = wf_tasks::Entity::find()
        .filter(wf_tasks::Column::Status.eq(wf_tasks::Status::Open))
        .filter(wf_tasks::Column::TimerAt.lte(now))
        .one(&st.db)
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    let txn = begin_write(&st.db).await?;
    let mut q = wf_tasks::Entity::find()
        .select_only()
        .column(wf_tasks::Column::Id)
        .filter(wf_tasks::Column::Status.eq(wf_tasks::Status::Open))
        .filter(wf_tasks::Column::TimerAt.lte(now))
        .filter(Condition::any().add(wf_tasks::Column::LeaseUntil.is_null()).add(wf_tasks::Column::LeaseUntil.lt(now)))
        .order_by_asc(wf_tasks::Column::TimerAt)
        .limit(BATCH);
    if pg {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let ids: Vec<i64> = q.into_tuple().all(&txn).await?;
    if ids.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    wf_tasks::Entity::update_many()
        .col_expr(wf_tasks::Column::LeaseOwner, Expr::value(owner))
        .col_expr(wf_tasks::Column::LeaseUntil, Expr::value(now + Duration::seconds(LEASE_SECS)))
        .filter(wf_tasks::Column::Id.is_in(ids.clone()))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let mut done = 0;
    for id in ids {
        match fire(st, owner, id, now).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(e) => tracing::warn!(task = id, error = %e, "deadline not handled; will retry"),
        }
    }
    Ok(done)
}

async fn fire(st: &AppState, owner: &str, id: i64, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = begin_write(&st.db).await?;
    // Lock order as in every transition: the instance first (inside `load`), then its tasks;
    // the task row is read again once the instance is held.
    let Some(t) = wf_tasks::Entity::find_by_id(id).one(&txn).await? else { return Ok(false) };
    let loaded = load(&txn, &st.area::<VersionCache>(), t.instance_id).await?;
    let Some(t) = wf_tasks::Entity::find_by_id(id).one(&txn).await? else { return Ok(false) };
    let release = |next: Option<DateTime<Utc>>, overdue: bool| {
        wf_tasks::Entity::update_many()
            .col_expr(wf_tasks::Column::TimerAt, Expr::value(next))
            .col_expr(wf_tasks::Column::Overdue, Expr::value(overdue))
            .col_expr(wf_tasks::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(wf_tasks::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(wf_tasks::Column::Id.eq(id))
    };
    let due = t.status == wf_tasks::Status::Open
        && t.timer_at.is_some_and(|at| at <= now)
        && t.lease_owner.as_deref() == Some(owner);
    if !due {
        // Handled by someone else, or acted on by its handler meanwhile.
        txn.commit().await?;
        return Ok(false);
    }
    let timeout = node_timeout(&loaded.def.flow, &t.node_id);
    let Some(timeout) = timeout else {
        release(None, t.overdue).exec(&txn).await?;
        txn.commit().await?;
        return Ok(false);
    };
    drop(loaded);
    let caller = Caller::system();
    let versions = st.area::<VersionCache>();
    // One system transition of this task's instance, in this transaction.
    let step = async |action: SystemAction, extra: Vec<i64>| {
        system_step(&txn, &versions, &caller, t.instance_id, action, extra, now).await
    };
    let task = t.seq as u32;
    let mut next = None;
    if t.overdue {
        // Only reminders repeat.
        step(SystemAction::Remind { task }, vec![]).await?;
        if let TimeoutAction::Remind { every_minutes } = timeout.action {
            let cal = work_calendar(&txn).await?;
            next = Some(add_working(&cal, now, i64::from(every_minutes)));
        }
    } else {
        step(SystemAction::MarkOverdue { task }, vec![]).await?;
        wf_violations::Entity::insert(wf_violations::ActiveModel {
            instance_id: Set(t.instance_id),
            task_id: Set(t.id),
            node_id: Set(t.node_id.clone()),
            assignee_id: Set(t.assignee_id),
            due_at: Set(t.due_at.unwrap_or(now)),
            recorded_at: Set(now),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        match timeout.action {
            TimeoutAction::Remind { every_minutes } => {
                step(SystemAction::Remind { task }, vec![]).await?;
                let cal = work_calendar(&txn).await?;
                next = Some(add_working(&cal, now, i64::from(every_minutes)));
            }
            TimeoutAction::Escalate => {
                let manager = users::Entity::find_by_id(t.assignee_id).one(&txn).await?.and_then(|u| u.manager_id);
                let moved = match manager {
                    Some(m) => step(SystemAction::Escalate { task, to: m }, vec![m]).await?,
                    None => None,
                };
                if moved.is_none() {
                    // Nobody above: the handler is reminded instead.
                    step(SystemAction::Remind { task }, vec![]).await?;
                }
            }
            TimeoutAction::AutoApprove => {
                step(SystemAction::AutoApprove { task }, vec![]).await?;
            }
            TimeoutAction::AutoReturn => {
                step(SystemAction::AutoReturn { task }, vec![]).await?;
            }
        }
    }
    let still_open =
        wf_tasks::Entity::find_by_id(id).one(&txn).await?.is_some_and(|r| r.status == wf_tasks::Status::Open);
    release(next.filter(|_| still_open), true).exec(&txn).await?;
    txn.commit().await?;
    Ok(true)
}

/// The language a person reads, from their stored choice (Chinese unless they chose English).
pub(crate) fn locale_of(stored: Option<&str>) -> crate::i18n::Locale {
    match stored {
        Some("en") => crate::i18n::Locale::en,
        _ => crate::i18n::Locale::zh_CN,
    }
}

/// Who asks for what, for each request the notices are about: the requester's name and the
/// template's, three queries for the whole batch.
async fn title_parts(
    conn: &impl sea_orm::ConnectionTrait,
    notices: &[Notice],
) -> AppResult<HashMap<i64, (String, String)>> {
    let ids: Vec<i64> = notices.iter().filter(|n| n.text.is_some()).filter_map(|n| n.instance_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64, i64)> = wf_instances::Entity::find()
        .select_only()
        .columns([wf_instances::Column::Id, wf_instances::Column::RequesterId, wf_instances::Column::TemplateId])
        .filter(wf_instances::Column::Id.is_in(ids))
        .into_tuple()
        .all(conn)
        .await?;
    let names: HashMap<i64, String> = users::Entity::find()
        .select_only()
        .columns([users::Column::Id, users::Column::DisplayName])
        .filter(users::Column::Id.is_in(rows.iter().map(|r| r.1)))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let templates: HashMap<i64, String> = wf_templates::Entity::find()
        .select_only()
        .columns([wf_templates::Column::Id, wf_templates::Column::Name])
        .filter(wf_templates::Column::Id.is_in(rows.iter().map(|r| r.2)))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|(id, requester, template)| {
            Some((id, (names.get(&requester)?.clone(), templates.get(&template)?.clone())))
        })
        .collect())
}

/// Delivers pending outbox rows: in-app notifications, and (with SMTP configured) queued
/// e-mails for the kinds each user chose; returns how many rows.
///
/// # Errors
/// The database error (the rows stay pending).
pub async fn deliver_outbox(st: &AppState) -> AppResult<usize> {
    let db = &st.db;
    let now = st.clock.now();
    let pending = outbox::Entity::find().filter(outbox::Column::DoneAt.is_null()).one(db).await?;
    if pending.is_none() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let mut q = outbox::Entity::find()
        .filter(outbox::Column::DoneAt.is_null())
        .filter(outbox::Column::AvailableAt.lte(now))
        .order_by_asc(outbox::Column::Id)
        .limit(200);
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(&txn).await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let mut notices: Vec<Notice> = rows
        .iter()
        .filter(|r| r.topic == "notify")
        .filter_map(|r| serde_json::from_str::<Notice>(&r.payload).ok())
        .collect();
    // Worded now, each in its recipient's language.
    let recipients: Vec<i64> = notices.iter().map(|n| n.user_id).collect();
    let locales: HashMap<i64, String> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Locale)
        .filter(users::Column::Id.is_in(recipients))
        .into_tuple::<(i64, String)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let titles = title_parts(&txn, &notices).await?;
    for n in &mut notices {
        let locale = locale_of(locales.get(&n.user_id).map(String::as_str));
        // The request's title too, in the recipient's language (a notice queued by an older
        // server keeps the title it carries).
        if let Some((requester, template)) = n.text.as_ref().and(n.instance_id).and_then(|i| titles.get(&i)) {
            n.subject = crate::components::request_title(locale, requester, template);
        }
        n.word(locale);
    }
    let link = |n: &Notice| n.instance_id.map(|i| format!("/approvals/{i}")).unwrap_or_default();
    let notes: Vec<notifications::ActiveModel> = notices
        .iter()
        .map(|n| notifications::ActiveModel {
            user_id: Set(n.user_id),
            kind: Set(n.kind.clone()),
            title: Set(n.title.clone()),
            body: Set(n.body.clone()),
            link: Set(link(n)),
            instance_id: Set(n.instance_id),
            created_at: Set(now),
            read_at: Set(None),
            ..Default::default()
        })
        .collect();
    if !notes.is_empty() {
        notifications::Entity::insert_many(notes).exec(&txn).await?;
    }
    if let Some(smtp) = &st.settings.smtp {
        super::mail::queue(&txn, smtp, &notices, now).await?;
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let n = ids.len();
    outbox::Entity::update_many()
        .col_expr(outbox::Column::DoneAt, Expr::value(now))
        .filter(outbox::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(n)
}
