//! Reading: one request as its participants see it, the predicted path, the lists
//! (to-do, done, mine, CC), the navigation's counts, notifications.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn is_participant(
    conn: &impl ConnectionTrait,
    row: &wf_instances::Model,
    user: i64,
) -> AppResult<bool> {
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
    view_of(&st.db, &st.area::<VersionCache>(), row, me, now).await
}

pub(super) async fn view_of(
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
        attachment_rows::Entity::find()
            .filter(attachment_rows::Column::Id.is_in(att_ids))
            .filter(attachment_rows::Column::InstanceId.eq(row.id))
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
                kind: t.kind.into(),
                assignee: user_ref(&refs, t.assignee_id),
                status: t.status.into(),
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
    let my_tasks =
        tasks.iter().filter(|t| t.assignee_id == me && t.status == wf_tasks::Status::Open).map(|t| t.id).collect();
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

pub(super) fn node_views(
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
            if mine.iter().any(|t| matches!(t.status, wf_tasks::Status::Open | wf_tasks::Status::Waiting))
                && engine.status == InstanceStatus::Running
            {
                NodeState::Current
            } else if mine.iter().any(|t| t.status == wf_tasks::Status::Rejected) {
                NodeState::Rejected
            } else if mine.iter().any(|t| t.status == wf_tasks::Status::Approved) {
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
    let def = version_def(db, &st.area::<VersionCache>(), t.version_id).await?;
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

pub(super) fn collect_users(steps: &[Step], out: &mut Vec<i64>) {
    for s in steps {
        match s {
            Step::Node { assignment: Assignment::Assigned { users }, .. } => out.extend(users),
            Step::Node { .. } => {}
            Step::Parallel { arms, .. } => arms.iter().for_each(|(_, a)| collect_users(a, out)),
        }
    }
}

pub(super) fn flatten_steps(steps: &[Step], depth: u32, refs: &HashMap<i64, UserRef>, out: &mut Vec<PredictedStep>) {
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

pub(super) const PER_PAGE: u64 = 20;

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
        let status =
            parse_status::<InstanceStatus>(s).map_err(|_| AppError::field("status", ErrorCode::InvalidFormat))?;
        inst = inst.add(wf_instances::Column::Status.eq(wf_instances::Status::from(status)));
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
            use wf_tasks::Status;
            let statuses: &[Status] = if q.r#box == TaskBox::Todo {
                &[Status::Open]
            } else {
                &[Status::Approved, Status::Rejected, Status::Returned, Status::Transferred]
            };
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
            instance_status: i.status.into(),
            current_nodes: i.current_nodes.clone(),
            node_name: task.as_ref().map(|t| t.node_name.clone()),
            task_status: task.as_ref().map(|t| t.status.into()),
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
        .filter(wf_tasks::Column::Status.eq(wf_tasks::Status::Open));
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
