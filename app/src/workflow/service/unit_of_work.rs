//! One transition's unit of work: load an instance with its version, run the pure engine
//! against the organisation read in the same transaction, persist the instance (checking its
//! lock version), sync the task, CC and history rows, and enqueue the notices.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::domain::workflow::notice::NoticeText;

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

/// A notification to deliver after commit. What it says ([`NoticeText`]) is worded in the
/// recipient's language when it is delivered ([`Notice::word`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Notice {
    pub user_id: i64,
    pub kind: String,
    /// The request's title, which the words name.
    #[serde(default)]
    pub subject: String,
    /// What to say. `None` on notices queued before texts were worded on delivery: their
    /// words are in `title` and `body` already.
    #[serde(default)]
    pub text: Option<NoticeText>,
    /// The words, once worded.
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    pub instance_id: Option<i64>,
}

impl Notice {
    fn about(user_id: i64, kind: &str, subject: &str, text: NoticeText, instance_id: i64) -> Self {
        Self {
            user_id,
            kind: kind.into(),
            subject: subject.into(),
            text: Some(text),
            title: String::new(),
            body: String::new(),
            instance_id: Some(instance_id),
        }
    }

    /// Puts the notice into words in `locale` (the recipient's language).
    pub(crate) fn word(&mut self, locale: crate::i18n::Locale) {
        use crate::i18n::td_string;
        let Some(text) = &self.text else { return };
        let title = self.subject.clone();
        self.title = match text {
            NoticeText::TaskOpened { .. } => td_string!(locale, notice.title_task, title = title).to_string(),
            NoticeText::Copied { .. } => td_string!(locale, notice.title_cc, title = title).to_string(),
            NoticeText::Urged => td_string!(locale, notice.title_urged, title = title).to_string(),
            NoticeText::TaskOverdue { .. } => td_string!(locale, notice.title_overdue, title = title).to_string(),
            NoticeText::Reminded { .. } => td_string!(locale, notice.title_remind, title = title).to_string(),
            _ => title,
        };
        self.body = match text {
            NoticeText::TaskOpened { node } => td_string!(locale, notice.task, node = node.clone()).to_string(),
            NoticeText::Copied { node } => td_string!(locale, notice.cc, node = node.clone()).to_string(),
            NoticeText::Approved => td_string!(locale, notice.approved).to_string(),
            NoticeText::Rejected => td_string!(locale, notice.rejected).to_string(),
            NoticeText::Withdrawn => td_string!(locale, notice.withdrawn).to_string(),
            NoticeText::Returned => td_string!(locale, notice.returned).to_string(),
            NoticeText::Urged => td_string!(locale, notice.urged).to_string(),
            NoticeText::RequestOverdue => td_string!(locale, notice.request_overdue).to_string(),
            NoticeText::TaskOverdue { node } => {
                td_string!(locale, notice.task_overdue, node = node.clone()).to_string()
            }
            NoticeText::Reminded { node } => td_string!(locale, notice.remind, node = node.clone()).to_string(),
            NoticeText::Commented { text } => text.clone(),
        };
    }
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

pub(super) fn node_name(flow: &Flow, id: &str) -> String {
    flow.walk().into_iter().find(|n| n.id() == id).map(|n| n.name().to_owned()).unwrap_or_else(|| id.to_owned())
}

/// The deadline of the node with this id, if it has one.
pub(crate) fn node_timeout(flow: &Flow, id: &str) -> Option<crate::domain::workflow::flow::Timeout> {
    flow.walk().into_iter().find(|n| n.id() == id).and_then(Node::timeout)
}

pub(super) fn current_nodes(flow: &Flow, i: &Instance) -> String {
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
/// A transition the engine made, to be written: the instance as loaded, its state and form
/// after, the audit action, and when.
#[derive(Clone, Copy)]
pub(crate) struct Transition<'a> {
    pub audit_action: &'a str,
    pub now: DateTime<Utc>,
    pub loaded: &'a Loaded,
    pub after: &'a Stored,
    pub form: &'a Map<String, Value>,
}

pub(crate) async fn persist(txn: &DatabaseTransaction, caller: &Caller, t: &Transition<'_>) -> AppResult<i64> {
    let Transition { audit_action, now, loaded, after, form } = *t;
    let before = &loaded.stored.engine;
    let engine = &after.engine;
    let def = &loaded.def;
    let id = loaded.row.id;
    let hash = form_hash(form);
    let change = effects::Change {
        before: Some(before.status),
        after: engine.status,
        old_form: &loaded.form,
        form,
        requester: engine.requester,
        now,
    };
    effects::on_transition(txn, def, &change).await?;
    let finished =
        matches!(engine.status, InstanceStatus::Approved | InstanceStatus::Rejected | InstanceStatus::Withdrawn);
    let new_version = loaded.row.lock_version + 1;
    let res = wf_instances::Entity::update_many()
        .col_expr(wf_instances::Column::State, Expr::value(serde_json::to_string(after).map_err(AppError::internal)?))
        .col_expr(wf_instances::Column::Status, Expr::value(wf_instances::Status::from(engine.status)))
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
        return Err(AppError::conflict(crate::error::Conflict::RequestChanged));
    }
    sync_rows(txn, &RowSync { def, id, title: &loaded.row.title, before, engine, hash: &hash, now }).await?;
    audit::record(txn, caller, now, audit_action, &format!("instance:{id}"), Outcome::Ok, "").await?;
    Ok(new_version)
}

/// Tasks, history, CC rows and notifications for the difference between two engine states.
/// What [`sync_rows`] brings the rows of one instance in line with: the engine's state
/// before and after a transition, under the version and form hash it ran with.
#[derive(Clone, Copy)]
pub(crate) struct RowSync<'a> {
    pub def: &'a VersionDef,
    pub id: i64,
    pub title: &'a str,
    pub before: &'a Instance,
    pub engine: &'a Instance,
    pub hash: &'a str,
    pub now: DateTime<Utc>,
}

pub(crate) async fn sync_rows(txn: &DatabaseTransaction, r: &RowSync<'_>) -> AppResult<()> {
    let RowSync { def, id, title, before, engine, hash, now } = *r;
    let old: HashMap<u32, &crate::domain::workflow::instance::Task> = before.tasks.iter().map(|t| (t.id, t)).collect();
    let mut notices: Vec<Notice> = Vec::new();
    // Read once, when the first task with a deadline opens.
    let mut cal: Option<WorkCalendar> = None;
    let mut inserts = Vec::new();
    for t in &engine.tasks {
        let prev = old.get(&t.id);
        if prev.is_some_and(|p| p.status == t.status && p.assignee == t.assignee) {
            continue;
        }
        let status = wf_tasks::Status::from(t.status);
        let opened = t.status == TaskStatus::Open && prev.is_none_or(|p| p.status != TaskStatus::Open);
        let ended = !matches!(t.status, TaskStatus::Open | TaskStatus::Waiting);
        let mut due = None;
        if opened {
            let node = node_name(&def.flow, &t.node);
            notices.push(Notice::about(t.assignee, "task", title, NoticeText::TaskOpened { node }, id));
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
                kind: Set(t.kind.into()),
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
            event: Set(e.kind.name().to_owned()),
            detail: Set(serde_json::to_string(&e.kind).map_err(AppError::internal)?),
            comment: Set(e.comment.clone()),
            form_hash: Set(hash.to_owned()),
            at: Set(now),
            ..Default::default()
        });
        let to_requester = |kind: &str, text: NoticeText| Notice::about(engine.requester, kind, title, text, id);
        match &e.kind {
            EventKind::Copied { node, users } => {
                for u in users {
                    cc.push((node.clone(), *u));
                    let node = node_name(&def.flow, node);
                    notices.push(Notice::about(*u, "cc", title, NoticeText::Copied { node }, id));
                }
            }
            EventKind::Finished { status } => notices.push(to_requester(
                "decided",
                match status {
                    InstanceStatus::Approved => NoticeText::Approved,
                    InstanceStatus::Rejected => NoticeText::Rejected,
                    _ => NoticeText::Withdrawn,
                },
            )),
            EventKind::Returned { .. } | EventKind::AutoReturned { .. }
                if engine.status == InstanceStatus::Returned =>
            {
                notices.push(to_requester("returned", NoticeText::Returned));
            }
            EventKind::Urged => {
                for t in engine.open_tasks() {
                    notices.push(Notice::about(t.assignee, "urged", title, NoticeText::Urged, id));
                }
            }
            EventKind::Overdue { task } => {
                notices.push(to_requester("overdue", NoticeText::RequestOverdue));
                if let Some(t) = engine.tasks.iter().find(|t| t.id == *task) {
                    let node = node_name(&def.flow, &t.node);
                    notices.push(Notice::about(t.assignee, "overdue", title, NoticeText::TaskOverdue { node }, id));
                }
            }
            EventKind::Reminded { task } => {
                if let Some(t) = engine.tasks.iter().find(|t| t.id == *task) {
                    let node = node_name(&def.flow, &t.node);
                    notices.push(Notice::about(t.assignee, "remind", title, NoticeText::Reminded { node }, id));
                }
            }
            EventKind::Commented if e.actor != Some(engine.requester) => {
                let text = e.comment.chars().take(100).collect();
                notices.push(to_requester("comment", NoticeText::Commented { text }));
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
pub(super) fn summary_of(schema: &FormSchema, form: &Map<String, Value>) -> String {
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
