//! What people do to requests: submit, act on a task, withdraw, urge, comment, resubmit —
//! and the steps the system takes (deadlines).

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) async fn validate_form(
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

pub(super) fn check_picks(flow: &Flow, picks: &HashMap<String, Vec<i64>>) -> AppResult<()> {
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
    if req.template_key.trim() == crate::workflow::design_server::REVIEW_KEY {
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
    let def = version_def(&st.db, &st.area::<VersionCache>(), vid).await?;
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
    // Stored in the default language for search and the API; pages and notices compose it
    // again in their reader's language.
    let title = crate::components::request_title(crate::i18n::Locale::zh_CN, &user.display_name, &t.name);
    let hash = form_hash(&form);
    let row = wf_instances::ActiveModel {
        template_id: Set(t.id),
        version_id: Set(def.id),
        requester_id: Set(user.user_id),
        title: Set(title.clone()),
        summary: Set(summary_of(&def.form, &form)),
        status: Set(stored.engine.status.into()),
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
    let change = effects::Change {
        before: None,
        after: stored.engine.status,
        old_form: &Map::new(),
        form: &form,
        requester: user.user_id,
        now,
    };
    effects::on_transition(&txn, &def, &change).await?;
    let rows =
        RowSync { def: &def, id: row.id, title: &title, before: &blank, engine: &stored.engine, hash: &hash, now };
    sync_rows(&txn, &rows).await?;
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
pub async fn act(st: &AppState, caller: &Caller, task_id: i64, a: TaskActionBody) -> AppResult<InstanceView> {
    // A refusal (someone else's task, a stale lock version, a task handled meanwhile) is
    // audited like a refused organisation change.
    let name = format!("workflow.{}", a.action.name());
    audited(st, caller, &name, &format!("task:{task_id}"), act_unaudited(st, caller, task_id, a)).await
}

async fn act_unaudited(st: &AppState, caller: &Caller, task_id: i64, a: TaskActionBody) -> AppResult<InstanceView> {
    let user = caller.require_user()?.clone();
    let t = wf_tasks::Entity::find_by_id(task_id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if t.assignee_id != user.user_id {
        return Err(AppError::Forbidden);
    }
    let task = t.seq as u32;
    let comment = crate::domain::validate::optional_text("comment", &a.comment, 2000)?;
    let required = || AppError::field("user", ErrorCode::Required);
    let audit_name = format!("workflow.{}", a.action.name());
    let named: Vec<i64> = match &a.action {
        TaskAction::Transfer { user } | TaskAction::AddSigner { user, .. } => user.iter().copied().collect(),
        _ => vec![],
    };
    let action = match a.action {
        TaskAction::Approve => Action::Approve { task, comment },
        TaskAction::Reject => Action::Reject { task, comment },
        TaskAction::Return { target_node } => {
            let target = match target_node.as_deref().map(str::trim) {
                None | Some("" | "requester") => ReturnTarget::Requester,
                Some(id) => ReturnTarget::Node { id: id.to_owned() },
            };
            Action::Return { task, target, comment }
        }
        TaskAction::Transfer { user } => Action::Transfer { task, to: user.ok_or_else(required)?, comment },
        TaskAction::AddSigner { user, position } => Action::AddSigner {
            task,
            user: user.ok_or_else(required)?,
            position: position.unwrap_or(SignerPosition::After),
            comment,
        },
        TaskAction::Comment => Action::Comment { comment },
    };
    let step = Step { id: t.instance_id, expected: a.lock_version, audit_name, extra: named, new_form: None };
    transition(st, caller, step, move |i, env| i.apply(action, user.user_id, env)).await
}

/// One transition someone asks for: which instance, at which lock version, under which audit
/// name, with which users the action names, and (a resubmission) the corrected form.
pub(super) struct Step {
    pub id: i64,
    pub expected: Option<i64>,
    pub audit_name: String,
    pub extra: Vec<i64>,
    pub new_form: Option<ResubmitRequest>,
}

impl Step {
    /// An action on instance `id` that names nobody and checks no lock version.
    fn plain(id: i64, audit_name: &str) -> Self {
        Self { id, expected: None, audit_name: audit_name.to_owned(), extra: vec![], new_form: None }
    }
}

/// Loads, runs the engine, persists; one transaction. A step's `new_form` replaces the form
/// (a resubmission); its `expected` lock version is checked inside the transaction.
pub(super) async fn transition<F>(st: &AppState, caller: &Caller, step: Step, f: F) -> AppResult<InstanceView>
where
    F: FnOnce(&mut Instance, &Env<'_, DbOrg>) -> Result<(), ActionError>,
{
    let Step { id, expected, audit_name, extra, new_form } = step;
    let now = st.clock.now();
    let txn = begin_write(&st.db).await?;
    let loaded = load(&txn, &st.area::<VersionCache>(), id).await?;
    if expected.is_some_and(|v| v != loaded.row.lock_version) {
        return Err(AppError::conflict(crate::error::Conflict::RequestChanged));
    }
    let mut stored = loaded.stored.clone();
    let mut form = loaded.form.clone();
    if let Some(ResubmitRequest { form: input, picks, .. }) = new_form {
        if let Some(p) = picks {
            check_picks(&loaded.def.flow, &p)?;
            stored.picks = p;
        }
        form = validate_form(&txn, &loaded.def, loaded.row.requester_id, &input, Some(id)).await?;
        claim_attachments(&txn, &loaded.def.form, &form, id).await?;
    }
    run_engine(&txn, &loaded.def, &mut stored, &form, &extra, f).await?;
    persist(&txn, caller, &Transition { audit_action: &audit_name, now, loaded: &loaded, after: &stored, form: &form })
        .await?;
    txn.commit().await?;
    after_change(st, caller, id).await
}

/// The instance as the caller sees it right after changing it: they are on it (requester,
/// handler, or commenter checked before the change), so no read check is repeated.
pub(super) async fn after_change(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    let now = st.clock.now();
    let me = caller.require_user()?.user_id;
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    view_of(&st.db, &st.area::<VersionCache>(), row, me, now).await
}

/// Only the requester may do this, whatever state the request is in.
pub(super) async fn own_request(db: &DatabaseConnection, id: i64, user: i64) -> AppResult<()> {
    let row = wf_instances::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    if row.requester_id == user { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Withdraws the caller's own request while no one has acted on it.
///
/// # Errors
/// `Forbidden` for someone else's request; `Conflict` once someone has acted.
pub async fn withdraw(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    audited(st, caller, "workflow.withdraw", &format!("instance:{id}"), async {
        let user = caller.require_user()?.user_id;
        own_request(&st.db, id, user).await?;
        transition(st, caller, Step::plain(id, "workflow.withdraw"), move |i, env| i.apply(Action::Withdraw, user, env))
            .await
    })
    .await
}

/// Urges the handlers of the caller's own running request.
///
/// # Errors
/// `Forbidden` for someone else's request; `Conflict` when it is not running.
pub async fn urge(st: &AppState, caller: &Caller, id: i64) -> AppResult<InstanceView> {
    audited(st, caller, "workflow.urge", &format!("instance:{id}"), async {
        let user = caller.require_user()?.user_id;
        own_request(&st.db, id, user).await?;
        transition(st, caller, Step::plain(id, "workflow.urge"), move |i, env| i.apply(Action::Urge, user, env)).await
    })
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
    transition(st, caller, Step::plain(id, "workflow.comment"), move |i, env| {
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
    audited(st, caller, "workflow.resubmit", &format!("instance:{id}"), resubmit_unaudited(st, caller, id, req)).await
}

async fn resubmit_unaudited(st: &AppState, caller: &Caller, id: i64, req: ResubmitRequest) -> AppResult<InstanceView> {
    let user = caller.require_user()?.user_id;
    let row = wf_instances::Entity::find_by_id(id).one(&st.db).await?.ok_or(AppError::NotFound)?;
    if row.requester_id != user {
        return Err(AppError::Forbidden);
    }
    let review = wf_templates::Entity::find_by_id(row.template_id).one(&st.db).await?;
    if review.is_some_and(|t| t.key == crate::workflow::design_server::REVIEW_KEY) {
        // A returned review is filed again by publishing the draft again.
        return Err(AppError::Forbidden);
    }

    if row.status != wf_instances::Status::Returned {
        return Err(AppError::conflict(crate::error::Conflict::NotReturned));
    }
    let step = Step {
        id,
        expected: req.lock_version,
        audit_name: "workflow.resubmit".into(),
        extra: vec![],
        new_form: Some(req),
    };
    transition(st, caller, step, move |i, env| i.apply(Action::Resubmit, user, env)).await
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
    let name = format!("workflow.{}", action.name());
    match run_engine(txn, &loaded.def, &mut stored, &loaded.form, &extra, |i, env| i.apply_system(action, env)).await {
        Ok(()) => {}
        Err(AppError::Conflict { .. } | AppError::NotFound | AppError::Validation { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    persist(txn, caller, &Transition { audit_action: &name, now, loaded: &loaded, after: &stored, form: &loaded.form })
        .await
        .map(Some)
}
