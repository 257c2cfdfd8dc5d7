//! The designers' services (SPEC DES-1..4): drafts with revision checks, publishing a draft,
//! running instances keeping their version, history with diff, rollback, export and import,
//! permissions and audit, and bad input — the same bodies on SQLite and PostgreSQL.

mod common;

use app::domain::workflow::design::{
    self, ChangeKind, ExportFile, NodeKind, Slot, TemplateDoc, new_field, new_node, parse_export,
};
use app::domain::workflow::flow::{ApproverRule, CmpOp, Condition, Node};
use app::domain::workflow::instance::InstanceStatus;
use app::entities::audit_log;
use app::error::{AppError, Conflict};
use app::workflow::api::{PublishTemplate, SubmitRequest, TaskAction, TaskActionBody};
use app::workflow::design_api::SaveDesign;
use app::workflow::{design_server as ds, service as wf};
use common::{TestDb, as_user, user_id};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

/// The expense flow as the browser test builds it: manager; amount > 5000 → the general
/// manager; CC the finance department's head. A detail table with a total.
fn expense_doc(key: &str, gm: i64, finance_dept: i64) -> TemplateDoc {
    let mut form = app::domain::workflow::form::FormSchema::default();
    let mut items = new_field(&form, "table", "费用明细").unwrap();
    items.key = "items".into();
    items.required = true;
    form.fields.push(items);
    let mut total = new_field(&form, "total", "合计").unwrap();
    total.key = "amount".into();
    form.fields.push(total);
    let mut flow = app::domain::workflow::flow::Flow::default();
    let first = new_node(&flow, NodeKind::Approver, "直属主管");
    design::insert(&mut flow, &Slot { parent: None, index: 0 }, first).unwrap();
    let c = new_node(&flow, NodeKind::Conditions, "金额判断");
    let cid = c.id().to_owned();
    design::insert(&mut flow, &Slot { parent: None, index: 1 }, c).unwrap();
    let mut g = new_node(&flow, NodeKind::Approver, "总经理");
    if let Node::Approver { rule, .. } = &mut g {
        *rule = ApproverRule::Users { ids: vec![gm] };
    }
    design::insert(&mut flow, &Slot { parent: Some((cid.clone(), 0)), index: 0 }, g).unwrap();
    if let Some(Node::Conditions { arms, .. }) = design::node_mut(&mut flow, &cid) {
        arms[0].condition = Some(Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!("5000") });
    }
    let mut cc = new_node(&flow, NodeKind::Cc, "抄送财务");
    if let Node::Cc { targets, .. } = &mut cc {
        targets.push(ApproverRule::DepartmentHead { department: Some(finance_dept) });
    }
    design::insert(&mut flow, &Slot { parent: None, index: 2 }, cc).unwrap();
    TemplateDoc {
        key: key.into(), name: "差旅报销".into(), category: "财务".into(), form, flow, ..Default::default()
    }
}

fn items(amount: &str) -> serde_json::Value {
    json!({"items": [{"item": "机票", "amount": amount}]})
}

async fn finance_dept(t: &TestDb) -> i64 {
    app::entities::departments::Entity::find()
        .filter(app::entities::departments::Column::Name.eq("财务部"))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn design_publish_and_versions(t: TestDb) {
    let st = t.state();
    let owner = as_user(&t.db, "han.mei").await;
    let admin = as_user(&t.db, "admin").await;
    let zhang = as_user(&t.db, "zhang.wei").await;
    let gm = user_id(&t.db, "liu.yang").await;
    let fin = finance_dept(&t).await;

    // A new template starts as an empty draft; saves carry the revision they were based on.
    assert_eq!(ds::create(&st, &owner, "trip", "差旅报销", "财务").await.unwrap(), "trip");
    assert!(matches!(ds::create(&st, &owner, "expense", "x", "").await, Err(AppError::Validation { .. })), "key taken");
    let opened = ds::design_open(&t.db, &owner, "trip").await.unwrap();
    assert_eq!((opened.draft_rev, opened.version), (1, 0));
    let doc = expense_doc("trip", gm, fin);
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: doc.clone(), rev: 1 }).await.unwrap();
    assert_eq!(s.draft_rev, 2);
    // Another owner saving on the stale revision is refused, and loses nothing of the first.
    let mut other = doc.clone();
    other.name = "别的名字".into();
    let e = ds::save_draft(&st, &admin, SaveDesign { doc: other, rev: 1 }).await.unwrap_err();
    assert!(
        matches!(&e, AppError::Conflict { reason: Conflict::DraftSavedBy { name }, .. } if name.contains("韩梅")),
        "{e:?}"
    );
    assert_eq!(ds::design_open(&t.db, &admin, "trip").await.unwrap().doc, doc);
    // The list shows the draft and who saved it.
    let list = ds::design_list(&t.db, &owner).await.unwrap();
    let row = list.iter().find(|r| r.key == "trip").unwrap();
    assert_eq!((row.version, row.draft_rev), (0, 2));
    assert_eq!(row.draft_updated_by.as_ref().unwrap().display_name, "韩梅");
    assert!(list.iter().any(|r| r.key == "expense" && r.version == 1 && r.draft_rev == 0));

    // Publish the draft: version 1, the draft is gone, and requests route as designed.
    assert!(matches!(ds::publish_draft(&st, &owner, "trip", 1, "").await, Err(AppError::Conflict { .. })));
    let v1 = ds::publish_draft(&st, &owner, "trip", 2, "首个版本").await.unwrap().published().unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(ds::design_open(&t.db, &owner, "trip").await.unwrap().draft_rev, 0);
    let submit = |amount: &'static str| {
        let st = st.clone();
        let zhang = zhang.clone();
        async move {
            wf::submit(
                &st,
                &zhang,
                SubmitRequest { template_key: "trip".into(), form: items(amount), picks: Default::default() },
            )
            .await
            .unwrap()
        }
    };
    let big = submit("8000").await;
    let li = user_id(&t.db, "li.na").await;
    assert!(big.flow.walk().iter().any(|n| n.name() == "总经理"), "the instance runs the designed flow");
    assert_eq!(big.form["amount"], json!("8000.00"), "the total is computed by the server");
    let task = big.tasks.iter().find(|x| x.assignee.id == li).expect("the manager's task").id;
    let act = TaskActionBody::from(TaskAction::Approve);
    let li_c = as_user(&t.db, "li.na").await;
    let after = wf::act(&st, &li_c, task, act.clone()).await.unwrap();
    assert!(
        after
            .tasks
            .iter()
            .any(|x| x.assignee.id == gm && x.status == app::domain::workflow::instance::TaskStatus::Open),
        "8000 goes to the general manager"
    );
    let small = submit("3000").await;
    let task = small.tasks.iter().find(|x| x.assignee.id == li).unwrap().id;
    let done = wf::act(&st, &li_c, task, act.clone()).await.unwrap();
    assert_eq!(done.status, InstanceStatus::Approved, "3000 ends after the manager");

    // Version 2 raises the threshold; the running request keeps version 1.
    let mut d2 = ds::design_open(&t.db, &owner, "trip").await.unwrap().doc;
    if let Some(Node::Conditions { arms, .. }) = design::node_mut(&mut d2.flow, "conditions1") {
        arms[0].condition = Some(Condition::Compare { field: "amount".into(), op: CmpOp::Gt, value: json!("10000") });
    }
    d2.form.fields.push(new_field(&d2.form, "long_text", "出差事由").unwrap());
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: d2.clone(), rev: 0 }).await.unwrap();
    assert_eq!(s.draft_base, 1);
    assert_eq!(
        ds::publish_draft(&st, &owner, "trip", s.draft_rev, "门槛提高到一万")
            .await
            .unwrap()
            .published()
            .unwrap()
            .version,
        2
    );
    let running = wf::get_instance(&st, &zhang, big.id).await.unwrap();
    assert_eq!((running.version, running.status), (1, InstanceStatus::Running));
    let vs = ds::versions(&t.db, &owner, "trip").await.unwrap();
    assert_eq!(
        vs.iter().map(|v| (v.version, v.current, v.instances)).collect::<Vec<_>>(),
        vec![(2, true, 0), (1, false, 2)]
    );
    assert_eq!(vs[0].note, "门槛提高到一万");
    let changes = ds::diff_versions(&t.db, &owner, "trip", 1, 2).await.unwrap();
    assert!(
        changes.iter().any(|c| c.id == "conditions1"
            && c.kind == ChangeKind::Changed
            && c.details.iter().any(|d| d.contains("10000"))),
        "{changes:?}"
    );
    assert!(changes.iter().any(|c| c.id == "long_text_1" && c.kind == ChangeKind::Added));
    assert_eq!(changes.len(), 2, "{changes:?}");

    // Roll back: version 3 is version 1 again.
    let v3 = ds::rollback(&st, &owner, "trip", 1).await.unwrap();
    assert_eq!(v3.version, 3);
    assert!(ds::diff_versions(&t.db, &owner, "trip", 1, 3).await.unwrap().is_empty());
    assert_eq!(ds::versions(&t.db, &owner, "trip").await.unwrap()[0].note, "rollback to version 1");

    // Export and import round trip: the file of version 2 comes back as the same document.
    let file = ds::export(&t.db, &owner, "trip", Some(2)).await.unwrap();
    assert_eq!(file.exported_version, 2);
    let mut copy = parse_export(&file.to_text()).unwrap();
    assert_eq!(copy, d2);
    copy.key = "trip_copy".into();
    let imported = ds::import(&st, &owner, &ExportFile::of(&copy, 2).to_text()).await.unwrap();
    assert_eq!((imported.doc.clone(), imported.draft_rev, imported.version), (copy, 1, 0));

    // Every change is in the audit log under the owner's name.
    for action in ["template.draft_save", "template.publish", "template.rollback", "template.import"] {
        let n = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq(action))
            .filter(audit_log::Column::ActorName.eq("han.mei"))
            .count(&t.db)
            .await
            .unwrap();
        assert!(n > 0, "{action} audited");
    }
    let _ = admin;
}

async fn designers_refuse_bad_input_and_other_users(t: TestDb) {
    let st = t.state();
    let owner = as_user(&t.db, "han.mei").await;
    let zhang = as_user(&t.db, "zhang.wei").await;
    let gm = user_id(&t.db, "liu.yang").await;
    let fin = finance_dept(&t).await;

    // Only process owners and administrators.
    assert_eq!(ds::design_list(&t.db, &zhang).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(ds::create(&st, &zhang, "mine", "x", "").await.unwrap_err(), AppError::Forbidden);
    assert_eq!(ds::design_directory(&t.db, &zhang).await.unwrap_err(), AppError::Forbidden);
    let doc = expense_doc("trip", gm, fin);
    assert_eq!(
        ds::save_draft(&st, &zhang, SaveDesign { doc: doc.clone(), rev: 0 }).await.unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(ds::rollback(&st, &zhang, "expense", 1).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(ds::import(&st, &zhang, "{}").await.unwrap_err(), AppError::Forbidden);
    let denied = audit_log::Entity::find()
        .filter(audit_log::Column::ActorName.eq("zhang.wei"))
        .filter(audit_log::Column::Action.starts_with("template."))
        .count(&t.db)
        .await
        .unwrap();
    assert!(denied >= 4, "refusals are audited too");

    // Malformed import files: a clear error each, nothing saved.
    for (text, part) in [
        ("", "empty"),
        ("{\"format\": \"tongban.template\", ", "not JSON"),
        ("{\"hello\": 1}", "not a Tongban template"),
        ("{\"format\": \"tongban.template\", \"format_version\": 7, \"template\": {}}", "format version 7"),
    ] {
        match ds::import(&st, &owner, text).await.unwrap_err() {
            AppError::BadRequest { message } => assert!(message.contains(part), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    let mut broken = serde_json::to_value(ExportFile::of(&doc, 1)).unwrap();
    broken["template"]["flow"]["nodes"][1]["arms"][0]["condition"] = json!(null);
    let e = ds::import(&st, &owner, &broken.to_string()).await.unwrap_err();
    let AppError::InvalidTemplate { problems } = e else { panic!("{e:?}") };
    assert!(problems.iter().any(|p| p.contains("金额判断") && p.contains("default branch")), "{problems:?}");
    assert!(ds::design_list(&t.db, &owner).await.unwrap().iter().all(|r| r.key != "trip"));

    // A draft with problems saves (work in progress) but does not publish; the refusal names the node.
    let mut bad = doc.clone();
    if let Some(Node::Approver { rule, .. }) = design::node_mut(&mut bad.flow, "approver2") {
        *rule = ApproverRule::Users { ids: vec![999_999] };
    }
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: bad.clone(), rev: 0 }).await.unwrap();
    let e = ds::publish_draft(&st, &owner, "trip", s.draft_rev, "").await.unwrap_err();
    let AppError::InvalidTemplate { problems } = e else { panic!("{e:?}") };
    assert!(problems.iter().any(|p| p.contains("总经理") && p.contains("user #999999")), "{problems:?}");
    assert_eq!(ds::versions(&t.db, &owner, "trip").await.unwrap_err(), AppError::NotFound, "nothing published");

    // The same invalid flow straight to the publish service, bypassing the designer.
    let e = wf::publish_template(
        &st,
        &owner,
        PublishTemplate {
            key: "trip".into(),
            name: "差旅".into(),
            category: String::new(),
            description: String::new(),
            icon: String::new(),
            form: bad.form.clone(),
            flow: bad.flow.clone(),
            note: String::new(),
        },
    )
    .await
    .unwrap_err();
    let AppError::InvalidTemplate { problems } = e else { panic!("{e:?}") };
    assert!(problems[0].contains("总经理") && problems[0].contains("approver2"), "{problems:?}");

    // Bad keys and names; a key in the document that differs is a different template.
    let mut nameless = doc.clone();
    nameless.name = "  ".into();
    assert!(matches!(
        ds::save_draft(&st, &owner, SaveDesign { doc: nameless, rev: 0 }).await,
        Err(AppError::Validation { .. })
    ));
    let mut badkey = doc.clone();
    badkey.key = "Bad Key".into();
    assert!(matches!(
        ds::save_draft(&st, &owner, SaveDesign { doc: badkey, rev: 0 }).await,
        Err(AppError::Validation { .. })
    ));
    // Discard leaves nothing behind.
    ds::discard_draft(&st, &owner, "trip").await.unwrap();
    assert_eq!(ds::discard_draft(&st, &owner, "trip").await.unwrap_err(), AppError::NotFound);
}

on_both!(design_publish_and_versions, designers_refuse_bad_input_and_other_users);
