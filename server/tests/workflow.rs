//! Workflow service tests: the built-in templates routed with the demo users, every action
//! through the services, races, deadlines with a moved clock, schedulers in parallel, bad
//! input — the same bodies on SQLite and PostgreSQL.

mod common;

use app::ctx::{AppState, Caller};
use app::domain::workflow::instance::{EventKind, InstanceStatus, TaskStatus};
use app::entities::{audit_log, notifications, outbox, users, wf_history, wf_instances, wf_tasks, wf_violations};
use app::error::{AppError, ErrorCode};
use app::workflow::api::{
    CommentBody, HandOverBody, InstanceView, NodeState, PublishTemplate, ResubmitRequest, SubmitRequest, TaskAction,
    TaskActionBody, TaskBox, TaskQuery,
};
use app::workflow::{jobs, service as wf};
use chrono::SecondsFormat;
use common::{TestDb, as_user, test_calendar, user_id};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

async fn submit(st: &AppState, who: &Caller, key: &str, form: Value) -> Result<InstanceView, AppError> {
    wf::submit(st, who, SubmitRequest { template_key: key.into(), form, picks: Default::default() }).await
}

fn expense(amount: &str) -> Value {
    json!({"reason": "出差上海", "items": [
        {"date": "2026-11-02", "category": "travel", "amount": amount, "note": "机票"},
        {"date": "2026-11-03", "category": "hotel", "amount": "0", "note": "住宿"}
    ]})
}

fn leave(kind: &str, start: &str, end: &str) -> Value {
    json!({"leave_type": kind, "start_date": start, "end_date": end, "reason": "家中有事"})
}

/// The open task of `user` on the instance.
fn task_of(v: &InstanceView, user: i64) -> i64 {
    v.tasks
        .iter()
        .find(|t| t.assignee.id == user && t.status == TaskStatus::Open)
        .unwrap_or_else(|| panic!("no open task for {user}: {:?}", v.tasks))
        .id
}

fn open_assignees(v: &InstanceView) -> Vec<i64> {
    v.tasks.iter().filter(|t| t.status == TaskStatus::Open).map(|t| t.assignee.id).collect()
}

fn action(a: &str) -> TaskActionBody {
    TaskAction::from_form(a, None, None, None).expect("a known action").into()
}

/// An action with its details.
fn act_with(a: TaskAction) -> TaskActionBody {
    a.into()
}

async fn approve(st: &AppState, t: &TestDb, username: &str, v: &InstanceView) -> InstanceView {
    let who = as_user(&t.db, username).await;
    let uid = user_id(&t.db, username).await;
    wf::act(st, &who, task_of(v, uid), TaskActionBody { comment: "同意".into(), ..action("approve") }).await.unwrap()
}

async fn balance(t: &TestDb, username: &str, kind: &str) -> (String, String, String) {
    let who = as_user(&t.db, username).await;
    let b = wf::leave_balances(&t.state(), &who, None).await.unwrap();
    let b = b.into_iter().find(|b| b.leave_type == kind).unwrap();
    (b.available_days, b.held_days, b.used_days)
}

async fn expense_routes_by_amount(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let (li, wang, liu) =
        (user_id(&t.db, "li.na").await, user_id(&t.db, "wang.fang").await, user_id(&t.db, "liu.yang").await);
    // The path is predicted before submitting, by the engine's own routing.
    let steps = wf::predict_path(&st, &zhang, "expense", &expense("8000"), &Default::default()).await.unwrap();
    let who: Vec<Vec<i64>> = steps.iter().map(|s| s.users.iter().map(|u| u.id).collect()).collect();
    assert_eq!(who, vec![vec![li], vec![wang], vec![liu]]);

    let v = submit(&st, &zhang, "expense", expense("8000")).await.unwrap();
    assert_eq!(v.form["total"], "8000.00", "the total is computed on the server");
    assert_eq!(v.status, InstanceStatus::Running);
    assert_eq!(open_assignees(&v), vec![li]);
    let v = approve(&st, &t, "li.na", &v).await;
    assert_eq!(open_assignees(&v), vec![wang]);
    let v = approve(&st, &t, "wang.fang", &v).await;
    assert_eq!(open_assignees(&v), vec![liu]);
    let v = approve(&st, &t, "liu.yang", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    assert!(v.finished_at.is_some());
    let states: Vec<(String, NodeState)> = v.nodes.iter().map(|n| (n.id.clone(), n.state)).collect();
    assert_eq!(
        states,
        vec![("manager".into(), NodeState::Done), ("finance".into(), NodeState::Done), ("gm".into(), NodeState::Done)]
    );
    // History: submitted, three approvals, finished; each with the form's hash.
    let kinds: Vec<&str> = v
        .history
        .iter()
        .map(|h| match h.event {
            EventKind::Submitted => "submitted",
            EventKind::Approved { .. } => "approved",
            EventKind::Finished { .. } => "finished",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, vec!["submitted", "approved", "approved", "approved", "finished"]);
    assert!(v.history.iter().all(|h| h.form_hash == v.form_hash && h.form_hash.len() == 64));

    // 3000 stops after finance.
    let v = submit(&st, &zhang, "expense", expense("3000")).await.unwrap();
    let v = approve(&st, &t, "li.na", &v).await;
    let v = approve(&st, &t, "wang.fang", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    assert_eq!(v.nodes.iter().find(|n| n.id == "gm").unwrap().state, NodeState::Waiting);

    // Notifications went through the outbox: tasks for each approver, the decision for the requester.
    let delivered = jobs::deliver_outbox(&st).await.unwrap();
    assert!(delivered >= 7, "{delivered}");
    assert_eq!(jobs::deliver_outbox(&st).await.unwrap(), 0, "each is delivered once");
    let zid = user_id(&t.db, "zhang.wei").await;
    let decided = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(zid))
        .filter(notifications::Column::Kind.eq("decided"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(decided, 2);
    let counts = wf::task_counts(&t.db, &as_user(&t.db, "liu.yang").await).await.unwrap();
    assert_eq!(counts.todo, 0);
    assert!(counts.notifications_unread >= 1);
}

async fn leave_balances_and_routing(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let (li, liu, chen) =
        (user_id(&t.db, "li.na").await, user_id(&t.db, "liu.yang").await, user_id(&t.db, "chen.jing").await);
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("10".into(), "0".into(), "0".into()));
    // Five working days (Mon..Fri): manager, then the manager's manager; CC HR.
    let v = submit(&st, &zhang, "leave", leave("annual", "2026-11-30", "2026-12-04")).await.unwrap();
    assert_eq!(v.form["days"], "5");
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("5".into(), "5".into(), "0".into()));
    let v = approve(&st, &t, "li.na", &v).await;
    assert_eq!(open_assignees(&v), vec![liu]);
    let v = approve(&st, &t, "liu.yang", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("5".into(), "0".into(), "5".into()));
    let cc = v.nodes.iter().find(|n| n.id == "cc_hr").unwrap();
    assert_eq!((cc.state, cc.handlers.iter().map(|h| h.id).collect::<Vec<_>>()), (NodeState::Done, vec![chen]));
    let chen_c = as_user(&t.db, "chen.jing").await;
    let cc_box = wf::list_tasks(&st, &chen_c, TaskQuery { r#box: TaskBox::Cc, ..Default::default() }).await.unwrap();
    assert_eq!(cc_box.items.iter().map(|i| i.instance_id).collect::<Vec<_>>(), vec![v.id]);
    // HR can read it; it is on their list.
    wf::get_instance(&st, &chen_c, v.id).await.unwrap();

    // Half a day: the manager only.
    let v = submit(
        &st,
        &zhang,
        "leave",
        json!({"leave_type": "sick", "start_date": "2026-12-07", "start_half": "pm", "end_date": "2026-12-07",
               "reason": "看病"}),
    )
    .await
    .unwrap();
    assert_eq!(v.form["days"], "0.5");
    let v = approve(&st, &t, "li.na", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    assert_eq!(balance(&t, "zhang.wei", "sick").await.2, "0.5");

    // Returned to the requester: the hold is released; resubmitted with other dates, held again.
    let v = submit(&st, &zhang, "leave", leave("annual", "2026-12-07", "2026-12-08")).await.unwrap();
    assert_eq!(balance(&t, "zhang.wei", "annual").await.1, "2");
    let li_c = as_user(&t.db, "li.na").await;
    let v = wf::act(
        &st,
        &li_c,
        task_of(&v, li),
        TaskActionBody {
            comment: "日期再确认".into(),
            ..act_with(TaskAction::Return { target_node: Some("requester".into()) })
        },
    )
    .await
    .unwrap();
    assert_eq!(v.status, InstanceStatus::Returned);
    assert!(v.can.resubmit || wf::get_instance(&st, &zhang, v.id).await.unwrap().can.resubmit);
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("5".into(), "0".into(), "5".into()));
    // A resubmission from a page opened before the request last changed is a conflict,
    // checked in the resubmission's own transaction — and audited as a failed action.
    let seen = wf::get_instance(&st, &zhang, v.id).await.unwrap().lock_version;
    let stale = ResubmitRequest {
        form: leave("annual", "2026-12-07", "2026-12-07"),
        picks: None,
        lock_version: Some(seen - 1),
    };
    let e = wf::resubmit(&st, &zhang, v.id, stale).await.unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
    let failed = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("workflow.resubmit"))
        .filter(audit_log::Column::Result.eq("failed"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(failed, 1, "the stale resubmission is audited");
    // The task li.na returned shows as returned (a status the domain knows, not a string
    // the database adds). Acting on someone else's task is refused and audited as denied.
    let returned = v
        .tasks
        .iter()
        .find(|t| t.assignee.id == li && t.status == TaskStatus::Returned)
        .unwrap_or_else(|| panic!("li.na's task is returned: {:?}", v.tasks))
        .id;
    let e = wf::act(&st, &zhang, returned, action("approve")).await.unwrap_err();
    assert_eq!(e, AppError::Forbidden);
    let denied = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("workflow.approve"))
        .filter(audit_log::Column::ActorName.eq("zhang.wei"))
        .filter(audit_log::Column::Result.eq("denied"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(denied, 1, "acting on li.na's task is audited");
    let v = wf::resubmit(
        &st,
        &zhang,
        v.id,
        ResubmitRequest { form: leave("annual", "2026-12-07", "2026-12-07"), picks: None, lock_version: Some(seen) },
    )
    .await
    .unwrap();
    assert_eq!(v.form["days"], "1");
    assert_eq!(balance(&t, "zhang.wei", "annual").await.1, "1");
    let done = wf::list_tasks(&st, &li_c, TaskQuery { r#box: TaskBox::Done, ..Default::default() }).await.unwrap();
    assert!(done.items.iter().any(|i| i.instance_id == v.id), "the return is on li.na's done list");
    let v = approve(&st, &t, "li.na", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("4".into(), "0".into(), "6".into()));

    // More than is left: refused on submit, nothing held.
    let e = submit(&st, &zhang, "leave", leave("annual", "2026-12-14", "2026-12-25")).await.unwrap_err();
    assert_eq!(e, AppError::field("days", ErrorCode::InsufficientBalance));
    assert_eq!(balance(&t, "zhang.wei", "annual").await, ("4".into(), "0".into(), "6".into()));
    // A weekend only has no working days.
    let e = submit(&st, &zhang, "leave", leave("annual", "2026-12-12", "2026-12-13")).await.unwrap_err();
    assert_eq!(e, AppError::field("end_date", ErrorCode::OutOfRange));
    // Withdrawn while untouched: released.
    let v = submit(&st, &zhang, "leave", leave("personal", "2026-12-14", "2026-12-14")).await.unwrap();
    assert_eq!(balance(&t, "zhang.wei", "personal").await.1, "1");
    let v = wf::withdraw(&st, &zhang, v.id).await.unwrap();
    assert_eq!(v.status, InstanceStatus::Withdrawn);
    assert_eq!(balance(&t, "zhang.wei", "personal").await, ("5".into(), "0".into(), "0".into()));
    let _ = liu;
}

async fn bad_input_changes_nothing(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let before = wf_instances::Entity::find().count(&t.db).await.unwrap();
    assert_eq!(submit(&st, &zhang, "no_such", json!({})).await.unwrap_err(), AppError::NotFound);
    let e = submit(&st, &zhang, "expense", json!({"items": []})).await.unwrap_err();
    let AppError::InvalidForm { errors } = e else { panic!("{e:?}") };
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec!["reason", "items"]);
    let e = submit(
        &st,
        &zhang,
        "expense",
        json!({"reason": "x", "items": [{"date": "2026-11-02", "category": "travel", "amount": "12a"},
                                         {"date": "11/02", "category": "travel", "amount": "-5"},
                                         {"date": "2026-11-02", "category": "bribes", "amount": 5}]}),
    )
    .await
    .unwrap_err();
    let AppError::InvalidForm { errors } = e else { panic!("{e:?}") };
    let got: Vec<(String, ErrorCode)> = errors.into_iter().map(|e| (e.path, e.code)).collect();
    assert_eq!(
        got,
        vec![
            ("items[0].amount".into(), ErrorCode::InvalidFormat),
            ("items[1].date".into(), ErrorCode::InvalidFormat),
            ("items[1].amount".into(), ErrorCode::OutOfRange),
            ("items[2].category".into(), ErrorCode::UnknownReference),
        ]
    );
    assert_eq!(
        submit(&st, &zhang, "expense", json!([1, 2])).await.unwrap_err(),
        AppError::bad("form must be a JSON object")
    );
    // A flow with a condition on a field the form lacks, straight to the publish service.
    let admin = as_user(&t.db, "admin").await;
    let tpl = wf::get_template(&t.db, &admin, "expense").await.unwrap();
    let mut flow = serde_json::to_value(&tpl.flow).unwrap();
    flow["nodes"][2]["arms"][0]["condition"]["field"] = json!("amount_typo");
    let e = wf::publish_template(
        &st,
        &admin,
        PublishTemplate {
            key: "expense".into(),
            name: "报销".into(),
            category: "财务".into(),
            description: String::new(),
            icon: String::new(),
            form: tpl.form.clone(),
            flow: serde_json::from_value(flow).unwrap(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    let AppError::InvalidTemplate { problems } = e else { panic!("{e:?}") };
    assert!(problems[0].contains("金额判断") && problems[0].contains("amount_typo"), "{problems:?}");
    // Only process owners publish.
    let e = wf::publish_template(
        &st,
        &zhang,
        PublishTemplate {
            key: "mine".into(),
            name: "x".into(),
            category: String::new(),
            description: String::new(),
            icon: String::new(),
            form: tpl.form.clone(),
            flow: tpl.flow.clone(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e, AppError::Forbidden);
    assert_eq!(wf_instances::Entity::find().count(&t.db).await.unwrap(), before);

    // Acting on someone else's task, on a finished instance, returning to a node that is not there.
    let v = submit(&st, &zhang, "expense", expense("100")).await.unwrap();
    let li = user_id(&t.db, "li.na").await;
    let task = task_of(&v, li);
    let wang_c = as_user(&t.db, "wang.fang").await;
    assert_eq!(wf::act(&st, &wang_c, task, action("approve")).await.unwrap_err(), AppError::Forbidden);
    let li_c = as_user(&t.db, "li.na").await;
    let e = wf::act(&st, &li_c, task, act_with(TaskAction::Return { target_node: Some("nowhere".into()) }))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::field("target_node", ErrorCode::UnknownReference));
    assert_eq!(
        AppError::from(TaskAction::from_form("dance", None, None, None).unwrap_err()),
        AppError::field("action", ErrorCode::InvalidFormat)
    );
    assert_eq!(wf::act(&st, &li_c, 999_999, action("approve")).await.unwrap_err(), AppError::NotFound);
    let e = wf::act(&st, &li_c, task, act_with(TaskAction::Transfer { user: Some(999_999) })).await.unwrap_err();
    assert_eq!(e, AppError::field("user", ErrorCode::UnknownReference));
    let unchanged = wf::get_instance(&st, &zhang, v.id).await.unwrap();
    assert_eq!(unchanged.lock_version, v.lock_version);
    assert_eq!(unchanged.history.len(), v.history.len());
    let v = wf::act(&st, &li_c, task, action("reject")).await.unwrap();
    assert_eq!(v.status, InstanceStatus::Rejected);
    assert!(matches!(wf::act(&st, &li_c, task, action("approve")).await.unwrap_err(), AppError::Conflict { .. }));
    assert!(matches!(wf::withdraw(&st, &zhang, v.id).await.unwrap_err(), AppError::Conflict { .. }));
    // A stale lock version is a conflict.
    let v = submit(&st, &zhang, "expense", expense("100")).await.unwrap();
    let e = wf::act(
        &st,
        &li_c,
        task_of(&v, li),
        TaskActionBody { lock_version: Some(v.lock_version - 1), ..action("approve") },
    )
    .await
    .unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }));
    // Someone not on the instance cannot read it; an auditor can, and the read is audited.
    let outsider = as_user(&t.db, "wu.min").await;
    assert_eq!(wf::get_instance(&st, &outsider, v.id).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(
        wf::comment(&st, &outsider, v.id, CommentBody { comment: "hi".into() }).await.unwrap_err(),
        AppError::Forbidden
    );
    wf::get_instance(&st, &admin, v.id).await.unwrap();
    let reads =
        audit_log::Entity::find().filter(audit_log::Column::Action.eq("workflow.read")).count(&t.db).await.unwrap();
    assert_eq!(reads, 2, "the denied read and the auditor's read");
}

async fn concurrent_approvals_one_wins(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let v = submit(&st, &zhang, "expense", expense("100")).await.unwrap();
    let li = user_id(&t.db, "li.na").await;
    let task = task_of(&v, li);
    let li_c = as_user(&t.db, "li.na").await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (st, li_c) = (st.clone(), li_c.clone());
        set.spawn(async move { wf::act(&st, &li_c, task, action("approve")).await });
    }
    let (mut ok, mut conflict) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(_) => ok += 1,
            Err(AppError::Conflict { .. }) => conflict += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, conflict), (1, 99));
    let approvals = wf_history::Entity::find()
        .filter(wf_history::Column::InstanceId.eq(v.id))
        .filter(wf_history::Column::Event.eq("approved"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(approvals, 1);
    let v = wf::get_instance(&st, &zhang, v.id).await.unwrap();
    assert_eq!(v.lock_version, 2);
    assert_eq!(open_assignees(&v), vec![user_id(&t.db, "wang.fang").await]);
    // Only the winner's transition reached the outbox.
    let task_notes = outbox::Entity::find().count(&t.db).await.unwrap();
    assert_eq!(task_notes, 2, "li.na's task and wang.fang's task");
}

/// Publishes a one-node template whose node has a deadline.
async fn timed_template(st: &AppState, t: &TestDb, key: &str, then: Value) {
    let admin = as_user(&t.db, "admin").await;
    let mut timeout = then;
    timeout["after_minutes"] = json!(120);
    let node = json!({"type": "approver", "id": "manager", "name": "直属主管", "rule": {"kind": "manager", "levels": 1},
                      "timeout": timeout});
    let form =
        serde_json::from_value(json!({"fields": [{"key": "subject", "label": "事项", "type": "text"}]})).unwrap();
    let flow: app::domain::workflow::flow::Flow = serde_json::from_value(json!({"nodes": [node]})).unwrap();
    if timeout["then"] == "auto_approve" {
        // A node that approves by itself needs a second process owner's review: the draft
        // goes to han.mei, whose approval publishes it.
        use app::workflow::design_server as ds;
        ds::create(st, &admin, key, "限时审批", "测试").await.unwrap();
        let doc = app::domain::workflow::design::TemplateDoc {
            key: key.into(),
            name: "限时审批".into(),
            category: "测试".into(),
            description: String::new(),
            icon: String::new(),
            form,
            flow,
        };
        let s = ds::save_draft(st, &admin, app::workflow::design_api::SaveDesign { doc, rev: 1 }).await.unwrap();
        let app::workflow::design_api::PublishOutcome::UnderReview { instance_id, concerns } =
            ds::publish_draft(st, &admin, key, s.draft_rev, "").await.unwrap()
        else {
            panic!("an auto-approving node publishes only after review")
        };
        assert_eq!(concerns, [app::domain::workflow::design::PublishConcern::AutoApprove { node: "manager".into() }]);
        let han = as_user(&t.db, "han.mei").await;
        let v = wf::get_instance(st, &han, instance_id).await.unwrap();
        // The reasons travel as codes; the reviewer's page words them in the reviewer's language.
        assert_eq!(v.form["concerns"], "auto_approve manager");
        approve(st, t, "han.mei", &v).await;
        assert_eq!(wf::get_template(&st.db, &admin, key).await.unwrap().version, 1);
        return;
    }
    wf::publish_template(
        st,
        &admin,
        PublishTemplate {
            key: key.into(),
            name: "限时审批".into(),
            category: "测试".into(),
            description: String::new(),
            icon: String::new(),
            form,
            flow,
            note: String::new(),
        },
    )
    .await
    .unwrap();
}

async fn deadlines_with_a_moved_clock(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let (li, liu) = (user_id(&t.db, "li.na").await, user_id(&t.db, "liu.yang").await);
    timed_template(&st, &t, "t_remind", json!({"then": "remind", "every_minutes": 60})).await;
    timed_template(&st, &t, "t_escalate", json!({"then": "escalate"})).await;
    timed_template(&st, &t, "t_approve", json!({"then": "auto_approve"})).await;
    timed_template(&st, &t, "t_return", json!({"then": "auto_return"})).await;
    let remind = submit(&st, &zhang, "t_remind", json!({"subject": "a"})).await.unwrap();
    let escalate = submit(&st, &zhang, "t_escalate", json!({"subject": "b"})).await.unwrap();
    let approve = submit(&st, &zhang, "t_approve", json!({"subject": "c"})).await.unwrap();
    let ret = submit(&st, &zhang, "t_return", json!({"subject": "d"})).await.unwrap();
    // Two working hours on, by the calendar in China time: from Monday 10:00 that is 12:00;
    // from 00:17, a weekend or a holiday it is 11:00 on the next working day.
    let due = t.working_minutes_after(t.now(), 120);
    let local_due = app::domain::time::local(due);
    assert!(test_calendar().is_working_day(local_due.date()), "due on a working day: {local_due}");
    assert_eq!(remind.tasks[0].due_at.as_deref(), Some(due.to_rfc3339_opts(SecondsFormat::Secs, true).as_str()));
    let minute = chrono::Duration::minutes(1);
    t.clock().set(due - minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 0, "not due yet");
    t.clock().set(due + minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 4);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 0, "each fires once");
    let fired = t.now();

    let remind = wf::get_instance(&st, &zhang, remind.id).await.unwrap();
    assert!(remind.tasks[0].overdue && remind.status == InstanceStatus::Running);
    assert!(remind.history.iter().any(|h| matches!(h.event, EventKind::Overdue { .. })));
    let escalate = wf::get_instance(&st, &zhang, escalate.id).await.unwrap();
    assert_eq!(open_assignees(&escalate), vec![liu], "escalated to li.na's manager");
    let approve = wf::get_instance(&st, &zhang, approve.id).await.unwrap();
    assert_eq!(approve.status, InstanceStatus::Approved);
    let ret = wf::get_instance(&st, &zhang, ret.id).await.unwrap();
    assert_eq!(ret.status, InstanceStatus::Returned);
    assert_eq!(wf_violations::Entity::find().count(&t.db).await.unwrap(), 4);
    let counts = wf::task_counts(&t.db, &as_user(&t.db, "li.na").await).await.unwrap();
    assert_eq!((counts.todo, counts.overdue), (1, 1));

    // The reminder repeats every 60 working minutes (not overnight, not on days off).
    let again = t.working_minutes_after(fired, 60);
    t.clock().set(again - minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 0);
    t.clock().set(again + minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 1);
    let reminders =
        |v: &InstanceView| v.history.iter().filter(|h| matches!(h.event, EventKind::Reminded { .. })).count();
    assert_eq!(reminders(&wf::get_instance(&st, &zhang, remind.id).await.unwrap()), 2);
    // Acting ends the reminders; the escalated task has its own deadline from its escalation.
    approve_task(&st, &t, "li.na", remind.id, li).await;
    let escalated_due = t.working_minutes_after(fired, 120);
    t.clock().set(escalated_due - minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 0);
    t.clock().set(escalated_due + minute);
    assert_eq!(jobs::run_timers(&st, "a").await.unwrap(), 1, "only the escalated task (its own deadline)");
    // The requester was told about every overdue task.
    jobs::deliver_outbox(&st).await.unwrap();
    let zid = user_id(&t.db, "zhang.wei").await;
    let overdue_notes = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(zid))
        .filter(notifications::Column::Kind.eq("overdue"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(overdue_notes, 5);
}

async fn approve_task(st: &AppState, t: &TestDb, username: &str, instance: i64, user: i64) {
    let who = as_user(&t.db, username).await;
    let v = wf::get_instance(st, &who, instance).await.unwrap();
    wf::act(st, &who, task_of(&v, user), action("approve")).await.unwrap();
}

async fn two_schedulers_fire_each_job_once(t: TestDb) {
    let st = t.state();
    timed_template(&st, &t, "t_approve", json!({"then": "auto_approve"})).await;
    let zhang = as_user(&t.db, "zhang.wei").await;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(submit(&st, &zhang, "t_approve", json!({"subject": format!("s{i}")})).await.unwrap().id);
    }
    t.clock().set(t.working_minutes_after(t.now(), 120) + chrono::Duration::minutes(1));
    let run = |owner: &'static str| {
        let st = st.clone();
        tokio::spawn(async move {
            let mut n = 0;
            for _ in 0..10 {
                n += jobs::run_timers(&st, owner).await.unwrap();
            }
            n
        })
    };
    let (a, b) = (run("server-a"), run("server-b"));
    let fired = a.await.unwrap() + b.await.unwrap();
    assert_eq!(fired, 30);
    assert_eq!(wf_violations::Entity::find().count(&t.db).await.unwrap(), 30);
    for id in ids {
        let auto = wf_history::Entity::find()
            .filter(wf_history::Column::InstanceId.eq(id))
            .filter(wf_history::Column::Event.eq("auto_approved"))
            .count(&t.db)
            .await
            .unwrap();
        assert_eq!(auto, 1, "instance {id}");
    }
}

async fn running_instances_keep_their_version(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let admin = as_user(&t.db, "admin").await;
    let old = submit(&st, &zhang, "expense", expense("8000")).await.unwrap();
    assert_eq!(old.version, 1);
    let tpl = wf::get_template(&t.db, &admin, "expense").await.unwrap();
    // Version 2: the general manager only above 10000.
    let mut flow = serde_json::to_value(&tpl.flow).unwrap();
    flow["nodes"][2]["arms"][0]["condition"]["value"] = json!("10000");
    let d = wf::publish_template(
        &st,
        &admin,
        PublishTemplate {
            key: "expense".into(),
            name: "报销".into(),
            category: "财务".into(),
            description: tpl.description.clone(),
            icon: tpl.icon.clone(),
            form: tpl.form.clone(),
            flow: serde_json::from_value(flow).unwrap(),
            note: "提高总经理审批门槛".into(),
        },
    )
    .await
    .unwrap();
    assert_eq!(d.version, 2);
    let new = submit(&st, &zhang, "expense", expense("8000")).await.unwrap();
    assert_eq!(new.version, 2);
    let old = approve(&st, &t, "li.na", &old).await;
    let old = approve(&st, &t, "wang.fang", &old).await;
    assert_eq!(old.status, InstanceStatus::Running, "version 1 still asks the general manager");
    let new = approve(&st, &t, "li.na", &new).await;
    let new = approve(&st, &t, "wang.fang", &new).await;
    assert_eq!(new.status, InstanceStatus::Approved);
}

async fn new_account_and_offboarding(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let rd = app::entities::departments::Entity::find()
        .filter(app::entities::departments::Column::Name.eq("研发部"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let form = json!({"username": "new.hire", "display_name": "新同事", "department": rd, "position": "工程师",
                      "email": "new.hire@tongban.example", "phone": ""});
    let v = submit(&st, &zhang, "new_account", form.clone()).await.unwrap();
    // A second request for the same name is refused only once the first has created it.
    let v = approve(&st, &t, "li.na", &v).await;
    let v = approve(&st, &t, "admin", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    let u = users::Entity::find().filter(users::Column::Username.eq("new.hire")).one(&t.db).await.unwrap().unwrap();
    assert!(u.active && u.department_id == Some(rd));
    assert_eq!(
        submit(&st, &zhang, "new_account", form).await.unwrap_err(),
        AppError::field("username", ErrorCode::Duplicate)
    );

    // li.na leaves: her open tasks go to liu.yang, recorded in each history.
    let a = submit(&st, &zhang, "expense", expense("100")).await.unwrap();
    let b = submit(&st, &zhang, "leave", leave("annual", "2026-12-01", "2026-12-01")).await.unwrap();
    let admin = as_user(&t.db, "admin").await;
    let li = user_id(&t.db, "li.na").await;
    let liu = user_id(&t.db, "liu.yang").await;
    assert_eq!(
        wf::hand_over(&st, &zhang, li, HandOverBody { successor: liu, disable: true }).await.unwrap_err(),
        AppError::Forbidden
    );
    let r = wf::hand_over(&st, &admin, li, HandOverBody { successor: liu, disable: true }).await.unwrap();
    assert_eq!(r.handed_over, 2);
    for id in [a.id, b.id] {
        let v = wf::get_instance(&st, &zhang, id).await.unwrap();
        assert_eq!(open_assignees(&v), vec![liu]);
        let h = v.history.last().unwrap();
        assert!(matches!(h.event, EventKind::HandedOver { to, .. } if to == liu));
        assert_eq!(h.actor.as_ref().map(|a| a.id), Some(user_id(&t.db, "admin").await));
    }
    let li_row = users::Entity::find_by_id(li).one(&t.db).await.unwrap().unwrap();
    assert!(!li_row.active);
    // New requests now route past the disabled manager to the administrators (the node's empty rule).
    let c = submit(&st, &zhang, "expense", expense("100")).await.unwrap();
    assert_eq!(open_assignees(&c), vec![user_id(&t.db, "admin").await]);
}

async fn attachments_belong_to_their_request(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let a = wf::upload_attachment(&st, &zhang, "发票.pdf", "application/pdf", b"%PDF-1.4 receipt").await.unwrap();
    let same = wf::upload_attachment(&st, &zhang, "copy.pdf", "application/pdf", b"%PDF-1.4 receipt").await.unwrap();
    assert_eq!(a.sha256, same.sha256, "content-addressed");
    assert!(t.files.join("files").join(&a.sha256[..2]).join(&a.sha256).exists());
    assert_eq!(
        wf::upload_attachment(&st, &zhang, "run.exe", "application/octet-stream", b"MZ").await.unwrap_err(),
        AppError::field("filename", ErrorCode::NotAllowed)
    );
    assert_eq!(
        wf::upload_attachment(&st, &zhang, "big.pdf", "application/pdf", &vec![b'x'; 300 * 1024]).await.unwrap_err(),
        AppError::PayloadTooLarge
    );
    assert_eq!(
        wf::upload_attachment(&st, &zhang, "empty.pdf", "application/pdf", b"").await.unwrap_err(),
        AppError::field("file", ErrorCode::Required)
    );
    // Someone else cannot put zhang.wei's upload into their own request.
    let wu = as_user(&t.db, "wu.min").await;
    let mut form = expense("100");
    form["items"][0]["receipt"] = json!([a.id.clone()]);
    let e = submit(&st, &wu, "expense", form.clone()).await.unwrap_err();
    let AppError::InvalidForm { errors } = e else { panic!() };
    assert_eq!(errors[0].path, "items[0].receipt");
    let v = submit(&st, &zhang, "expense", form).await.unwrap();
    // The approver reads it; an outsider does not.
    let li = as_user(&t.db, "li.na").await;
    let id: i64 = a.id.parse().unwrap();
    let (_, mut file) = wf::download_attachment(&st, &li, id).await.unwrap();
    let mut bytes = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut file, &mut bytes).await.unwrap();
    assert_eq!(bytes, b"%PDF-1.4 receipt");
    assert_eq!(wf::download_attachment(&st, &wu, id).await.unwrap_err(), AppError::Forbidden);
    let _ = v;
}

async fn lists_filter_and_page(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let li = as_user(&t.db, "li.na").await;
    for i in 0..23 {
        submit(
            &st,
            &zhang,
            "expense",
            json!({"reason": format!("差旅{i}"), "items": [
            {"date": "2026-11-02", "category": "travel", "amount": "10"}]}),
        )
        .await
        .unwrap();
    }
    submit(&st, &zhang, "leave", leave("annual", "2026-12-01", "2026-12-01")).await.unwrap();
    let q = |b: TaskBox| TaskQuery { r#box: b, ..Default::default() };
    let todo = wf::list_tasks(&st, &li, q(TaskBox::Todo)).await.unwrap();
    assert_eq!((todo.total, todo.items.len()), (24, 20));
    let page2 = wf::list_tasks(&st, &li, TaskQuery { page: Some(2), ..q(TaskBox::Todo) }).await.unwrap();
    assert_eq!(page2.items.len(), 4);
    let leave_only =
        wf::list_tasks(&st, &li, TaskQuery { template: Some("leave".into()), ..q(TaskBox::Todo) }).await.unwrap();
    assert_eq!(leave_only.total, 1);
    assert!(leave_only.items[0].summary.contains("1天"), "{}", leave_only.items[0].summary);
    let search = wf::list_tasks(&st, &li, TaskQuery { q: Some("差旅1".into()), ..q(TaskBox::Todo) }).await.unwrap();
    assert_eq!(search.total, 11, "差旅1 and 差旅10..19, found in the summaries");
    let search = wf::list_tasks(&st, &li, TaskQuery { q: Some("张伟".into()), ..q(TaskBox::Todo) }).await.unwrap();
    assert_eq!(search.total, 24);
    let mine = wf::list_tasks(&st, &zhang, q(TaskBox::Mine)).await.unwrap();
    assert_eq!(mine.total, 24);
    assert_eq!(wf::list_tasks(&st, &zhang, q(TaskBox::Todo)).await.unwrap().total, 0);
    let running =
        wf::list_tasks(&st, &zhang, TaskQuery { status: Some("running".into()), ..q(TaskBox::Mine) }).await.unwrap();
    assert_eq!(running.total, 24);
    let e =
        wf::list_tasks(&st, &zhang, TaskQuery { status: Some("bogus".into()), ..q(TaskBox::Mine) }).await.unwrap_err();
    assert_eq!(e, AppError::field("status", ErrorCode::InvalidFormat));
    let e = wf::list_tasks(&st, &zhang, TaskQuery { from: Some("yesterday".into()), ..q(TaskBox::Mine) })
        .await
        .unwrap_err();
    assert_eq!(e, AppError::field("from", ErrorCode::InvalidFormat));
    let today = wf::list_tasks(
        &st,
        &zhang,
        TaskQuery { from: Some(t.today().to_string()), to: Some(t.today().to_string()), ..q(TaskBox::Mine) },
    )
    .await
    .unwrap();
    assert_eq!(today.total, 24);
    let yesterday = t.today().pred_opt().unwrap().to_string();
    let none = wf::list_tasks(
        &st,
        &zhang,
        TaskQuery { from: Some(yesterday.clone()), to: Some(yesterday), ..q(TaskBox::Mine) },
    )
    .await
    .unwrap();
    assert_eq!(none.total, 0, "filed today in China, not yesterday");
    let tasks = wf_tasks::Entity::find().count(&t.db).await.unwrap();
    assert_eq!(tasks, 24);
    // How long each task has waited, by the services' clock (the page shows this).
    t.clock().advance(chrono::Duration::minutes(90));
    let todo = wf::list_tasks(&st, &li, q(TaskBox::Todo)).await.unwrap();
    assert!(todo.items.iter().all(|i| i.waited_secs == 90 * 60), "{:?}", todo.items[0]);
}

async fn transfer_add_signer_and_return_to_a_node(t: TestDb) {
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let (li, wang, liu, chen) = (
        user_id(&t.db, "li.na").await,
        user_id(&t.db, "wang.fang").await,
        user_id(&t.db, "liu.yang").await,
        user_id(&t.db, "chen.jing").await,
    );
    let v = submit(&st, &zhang, "expense", expense("8000")).await.unwrap();
    // li.na transfers to chen.jing, who adds liu.yang before herself.
    let li_c = as_user(&t.db, "li.na").await;
    let v = wf::act(
        &st,
        &li_c,
        task_of(&v, li),
        TaskActionBody { comment: "请代批".into(), ..act_with(TaskAction::Transfer { user: Some(chen) }) },
    )
    .await
    .unwrap();
    assert_eq!(open_assignees(&v), vec![chen]);
    let chen_c = as_user(&t.db, "chen.jing").await;
    let v = wf::act(
        &st,
        &chen_c,
        task_of(&v, chen),
        act_with(TaskAction::AddSigner {
            user: Some(liu),
            position: Some(app::domain::workflow::instance::SignerPosition::Before),
        }),
    )
    .await
    .unwrap();
    assert_eq!(open_assignees(&v), vec![liu], "the added signer goes first");
    let todo = wf::list_tasks(&st, &chen_c, TaskQuery { r#box: TaskBox::Todo, ..Default::default() }).await.unwrap();
    assert_eq!(todo.total, 0, "chen.jing waits for liu.yang");
    let v = approve(&st, &t, "liu.yang", &v).await;
    assert_eq!(open_assignees(&v), vec![chen]);
    let v = approve(&st, &t, "chen.jing", &v).await;
    assert_eq!(open_assignees(&v), vec![wang]);
    // Finance returns it to the manager node: it runs again, in a new round, for li.na.
    let wang_c = as_user(&t.db, "wang.fang").await;
    let e = wf::act(&st, &wang_c, task_of(&v, wang), act_with(TaskAction::Return { target_node: Some("gm".into()) }))
        .await
        .unwrap_err();
    assert_eq!(e, AppError::field("target_node", ErrorCode::UnknownReference), "not an earlier node");
    let v =
        wf::act(&st, &wang_c, task_of(&v, wang), act_with(TaskAction::Return { target_node: Some("manager".into()) }))
            .await
            .unwrap();
    assert_eq!(v.status, InstanceStatus::Running);
    assert_eq!(open_assignees(&v), vec![li]);
    let manager = v.nodes.iter().find(|n| n.id == "manager").unwrap();
    assert_eq!(manager.state, NodeState::Current);
    let finance = v.nodes.iter().find(|n| n.id == "finance").unwrap();
    assert_eq!(finance.state, NodeState::Cancelled);
    // The returned task shows on wang.fang's done list; the history keeps every step.
    let done = wf::list_tasks(&st, &wang_c, TaskQuery { r#box: TaskBox::Done, ..Default::default() }).await.unwrap();
    assert_eq!(done.total, 1);
    let events: Vec<&str> = v
        .history
        .iter()
        .map(|h| match h.event {
            EventKind::Transferred { .. } => "transferred",
            EventKind::SignerAdded { .. } => "signer_added",
            EventKind::Approved { .. } => "approved",
            EventKind::Returned { .. } => "returned",
            EventKind::Submitted => "submitted",
            _ => "other",
        })
        .collect();
    assert_eq!(events, vec!["submitted", "transferred", "signer_added", "approved", "approved", "returned"]);
    let v = approve(&st, &t, "li.na", &v).await;
    let v = approve(&st, &t, "wang.fang", &v).await;
    let v = approve(&st, &t, "liu.yang", &v).await;
    assert_eq!(v.status, InstanceStatus::Approved);
    // Comments by people on the request; the requester is told.
    let v = wf::comment(&st, &chen_c, v.id, CommentBody { comment: "已归档".into() }).await.unwrap();
    assert_eq!(v.history.last().unwrap().comment, "已归档");
    // Every task stays, transferred and returned ones marked: li.na (transferred), chen.jing,
    // liu.yang (added before her), wang.fang (returned), then li.na, wang.fang, liu.yang again.
    let mut rows = wf_tasks::Entity::find().filter(wf_tasks::Column::InstanceId.eq(v.id)).all(&t.db).await.unwrap();
    rows.sort_by_key(|r| r.seq);
    let got: Vec<(wf_tasks::Status, i64, i32)> = rows.iter().map(|r| (r.status, r.assignee_id, r.round)).collect();
    use wf_tasks::Status::{Approved, Returned, Transferred};
    assert_eq!(
        got,
        vec![
            (Transferred, li, 1),
            (Approved, chen, 1),
            (Approved, liu, 1),
            (Returned, wang, 1),
            (Approved, li, 2),
            (Approved, wang, 2),
            (Approved, liu, 2),
        ]
    );
    // Stored as the domain's names.
    let stored: Vec<String> = sea_orm::ConnectionTrait::query_all_raw(
        &t.db,
        sea_orm::Statement::from_string(
            sea_orm::ConnectionTrait::get_database_backend(&t.db),
            format!("SELECT status FROM wf_tasks WHERE instance_id = {} ORDER BY seq", v.id),
        ),
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String>("", "status").unwrap())
    .collect();
    assert_eq!(stored[..4], ["transferred", "approved", "approved", "returned"]);
}

on_both!(
    transfer_add_signer_and_return_to_a_node,
    expense_routes_by_amount,
    leave_balances_and_routing,
    bad_input_changes_nothing,
    concurrent_approvals_one_wins,
    deadlines_with_a_moved_clock,
    two_schedulers_fire_each_job_once,
    running_instances_keep_their_version,
    new_account_and_offboarding,
    attachments_belong_to_their_request,
    lists_filter_and_page,
);
