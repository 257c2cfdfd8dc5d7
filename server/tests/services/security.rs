//! Security at the service layer (issue 14): the same bodies on SQLite and PostgreSQL. Each
//! test is a hole that was open, tried the way an attacker would.

use crate::common::{self, DEMO_PASSWORD, TestDb, as_user, user_id};
use crate::new_user;
use crate::on_both;
use app::domain::permission::Permission;
use app::error::AppError;
use app::org::api::{NewRole, UserUpdate};
use app::{auth, org};

/// A custom "HR" role holding only account management (and what it needs to see accounts),
/// given to zhang.wei by the administrator. Returns HR's caller.
async fn hr_clerk(t: &TestDb) -> app::ctx::Caller {
    let st = t.state();
    let admin = as_user(&t.db, "admin").await;
    let role = NewRole {
        key: "hr_team".into(),
        name: "人事".into(),
        permissions: vec!["directory_read".into(), "user_read".into(), "user_manage".into()],
    };
    org::server::create_role(&st, &admin, role).await.unwrap();
    org::server::set_user_role(&st, &admin, user_id(&t.db, "zhang.wei").await, "hr_team", true).await.unwrap();
    as_user(&t.db, "zhang.wei").await
}

/// Item 1: a holder of `user_manage` cannot become an administrator, or hand out anything
/// they do not hold, through any path.
async fn user_management_cannot_take_over_an_administrator(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let keeper = NewRole { key: "keeper".into(), name: "角色管理".into(), permissions: vec!["role_manage".into()] };
    org::server::create_role(&st, &admin, keeper).await.unwrap();
    let hr = hr_clerk(&t).await;
    let (aid, zid, lid) = (user_id(db, "admin").await, user_id(db, "zhang.wei").await, user_id(db, "li.na").await);

    // Creating an account with the admin role, or with a role carrying what HR lacks.
    for roles in [vec!["admin"], vec!["auditor"], vec!["viewer", "keeper"]] {
        let mut n = new_user("sneaky");
        n.roles = roles.iter().map(|r| (*r).to_owned()).collect();
        assert_eq!(org::server::create_user(&st, &hr, n).await.unwrap_err(), AppError::Forbidden, "{roles:?}");
    }
    assert!(org::server::list_users(&st, &admin, Some("sneaky".into()), None).await.unwrap().items.is_empty());
    // Granting them, to itself or to anyone.
    for (who, role) in [(zid, "admin"), (zid, "keeper"), (zid, "auditor"), (lid, "admin"), (lid, "process_owner")] {
        assert_eq!(org::server::set_user_role(&st, &hr, who, role, true).await.unwrap_err(), AppError::Forbidden);
    }
    // The administrator's account: no reset, no disabling, no edit, no role change.
    assert_eq!(org::server::reset_password(&st, &hr, aid, "Taken-over-2026").await.unwrap_err(), AppError::Forbidden);
    assert_eq!(org::server::set_user_active(&st, &hr, aid, false).await.unwrap_err(), AppError::Forbidden);
    let upd = UserUpdate {
        display_name: "x".into(),
        department_id: None,
        position: String::new(),
        manager_id: None,
        phone: String::new(),
        email: String::new(),
    };
    assert_eq!(org::server::update_user(&st, &hr, aid, upd.clone()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(org::server::set_user_role(&st, &hr, aid, "viewer", false).await.unwrap_err(), AppError::Forbidden);
    // Nor an account that can do more than HR can (the operator's password would hand over
    // the account reports).
    let operator = user_id(db, "xu.ming").await;
    assert_eq!(
        org::server::reset_password(&st, &hr, operator, "Taken-over-2026").await.unwrap_err(),
        AppError::Forbidden
    );
    // The administrator still signs in with the old password, still an administrator.
    let (_, p) =
        auth::server::login(&st, &app::ctx::Caller::anonymous("198.51.100.1"), "admin", DEMO_PASSWORD).await.unwrap();
    assert!(p.roles.iter().any(|r| r == "admin"));
    let me = as_user(db, "zhang.wei").await.principal.unwrap();
    assert!(!me.can(Permission::RoleManage) && !me.can(Permission::AuditRead), "{:?}", me.permissions);

    // What HR may do still works: a viewer account, HR's own role for a colleague, a reset.
    let mut n = new_user("new.clerk");
    n.roles = vec!["viewer".into()];
    let created = org::server::create_user(&st, &hr, n).await.unwrap();
    org::server::set_user_role(&st, &hr, created.id, "hr_team", true).await.unwrap();
    org::server::reset_password(&st, &hr, lid, "Reset-by-hr-2026").await.unwrap();
    org::server::update_user(&st, &hr, lid, UserUpdate { display_name: "李娜".into(), ..upd }).await.unwrap();
    // An administrator manages administrators.
    org::server::set_user_role(&st, &admin, lid, "admin", true).await.unwrap();
    assert_eq!(org::server::set_user_active(&st, &hr, lid, false).await.unwrap_err(), AppError::Forbidden);
    org::server::set_user_active(&st, &admin, lid, false).await.unwrap();
}

/// Item 1, roles: a role manager cannot write into a role a permission they do not hold.
async fn role_management_cannot_grant_what_it_lacks(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let keeper = NewRole { key: "keeper".into(), name: "角色管理".into(), permissions: vec!["role_manage".into()] };
    let keeper = org::server::create_role(&st, &admin, keeper).await.unwrap();
    org::server::set_user_role(&st, &admin, user_id(db, "li.na").await, "keeper", true).await.unwrap();
    let rm = as_user(db, "li.na").await;
    let wide = NewRole { key: "wide".into(), name: "宽".into(), permissions: vec!["user_manage".into()] };
    assert_eq!(org::server::create_role(&st, &rm, wide).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(
        org::server::set_role_permission(&st, &rm, keeper.id, Permission::UserManage, true).await.unwrap_err(),
        AppError::Forbidden
    );
    let viewer = org::server::list_roles(&st, &admin).await.unwrap().into_iter().find(|r| r.key == "viewer").unwrap();
    assert_eq!(
        org::server::set_role_permission(&st, &rm, viewer.id, Permission::AuditRead, true).await.unwrap_err(),
        AppError::Forbidden
    );
    // What a role manager holds, they may hand on; taking away is always allowed.
    let narrow = NewRole { key: "narrow".into(), name: "窄".into(), permissions: vec!["role_manage".into()] };
    org::server::create_role(&st, &rm, narrow).await.unwrap();
    org::server::set_role_permission(&st, &rm, viewer.id, Permission::DirectoryRead, false).await.unwrap();
}

fn anon(addr: &str) -> app::ctx::Caller {
    app::ctx::Caller::anonymous(addr)
}

/// Item 3: a guess spread over many addresses, password spraying from one address, 50
/// parallel guesses, and the current-password check of a password change are all limited;
/// the owner at a known address still gets in.
async fn sign_in_limits_hold_across_addresses_accounts_and_parallel_guesses(t: TestDb) {
    use app::auth::server::{ACCOUNT_MAX_FAILURES, ADDRESS_MAX_FAILURES, MAX_FAILURES};
    let st = t.state();
    // The owner signs in from their desk once: that address is known.
    auth::server::login(&st, &anon("192.0.2.50"), "wang.fang", DEMO_PASSWORD).await.unwrap();
    // A guess from a fresh address each time (four each, under the per-address limit).
    let mut n = 0;
    'spread: for a in 1..=50 {
        for _ in 0..4 {
            if n == ACCOUNT_MAX_FAILURES {
                break 'spread;
            }
            let e = auth::server::login(&st, &anon(&format!("198.51.100.{a}")), "wang.fang", "wrong-guess-1")
                .await
                .unwrap_err();
            assert_eq!(e, AppError::field("password", app::error::ErrorCode::WrongCredentials));
            n += 1;
        }
    }
    let e = auth::server::login(&st, &anon("203.0.113.200"), "wang.fang", DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(e, AppError::TooManyAttempts { .. }), "a new address is refused: {e:?}");
    auth::server::login(&st, &anon("192.0.2.50"), "wang.fang", DEMO_PASSWORD).await.expect("the known desk gets in");

    // Spraying: one address, one guess at each of many accounts.
    let users = ["he.jing", "chen.jing", "han.mei", "yang.guang", "feng.xue", "chu.yan", "zhao.lei", "zhou.jie"];
    let mut sprayed = 0;
    'spray: for round in 0..10 {
        for u in users {
            if sprayed == ADDRESS_MAX_FAILURES {
                break 'spray;
            }
            let _ = auth::server::login(&st, &anon("203.0.113.66"), u, &format!("Spring-{round}-2026")).await;
            sprayed += 1;
        }
    }
    let e = auth::server::login(&st, &anon("203.0.113.66"), "sun.li", DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(e, AppError::TooManyAttempts { .. }), "the spraying address is refused: {e:?}");
    auth::server::login(&st, &anon("203.0.113.67"), "sun.li", DEMO_PASSWORD).await.expect("others are not");

    // 50 parallel guesses from one address: at most the limit are checked, every one is
    // answered and audited.
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let st = st.clone();
        tasks.push(tokio::spawn(async move {
            auth::server::login(&st, &anon("198.18.0.9"), "wu.min", "parallel-guess-1").await.unwrap_err()
        }));
    }
    let mut checked = 0;
    for t in tasks {
        match t.await.unwrap() {
            AppError::TooManyAttempts { .. } => {}
            AppError::Validation { .. } => checked += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!(checked <= MAX_FAILURES as usize, "{checked} guesses were checked");
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let audited = app::entities::audit_log::Entity::find()
        .filter(app::entities::audit_log::Column::Action.eq("auth.login"))
        .filter(app::entities::audit_log::Column::Target.eq("user:wu.min"))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(audited, 50, "every guess is in the audit log");

    // A stolen session cannot guess the password through a password change.
    let me = as_user(&t.db, "zheng.hao").await;
    for _ in 0..MAX_FAILURES {
        let e = auth::server::change_password(&st, &me, "guess-guess-1", "Brand-new-pass-2026").await.unwrap_err();
        assert_eq!(e, AppError::field("current_password", app::error::ErrorCode::WrongPassword));
    }
    let e = auth::server::change_password(&st, &me, DEMO_PASSWORD, "Brand-new-pass-2026").await.unwrap_err();
    assert!(matches!(e, AppError::TooManyAttempts { .. }), "{e:?}");
}

/// Item 4: an account created without a usable password is refused like a wrong one.
async fn an_unusable_hash_is_just_a_wrong_password(t: TestDb) {
    assert!(!auth::server::verify_password("!disabled-0123456789abcdef", "anything-at-all"));
    assert!(!auth::server::verify_password_async(None, "anything-at-all").await.unwrap());
    let st = t.state();
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel};
    let u =
        app::entities::users::Entity::find_by_id(user_id(&t.db, "qin.fen").await).one(&t.db).await.unwrap().unwrap();
    let mut am = u.into_active_model();
    am.password_hash = Set("!disabled-0123456789abcdef".into());
    am.update(&t.db).await.unwrap();
    let e = auth::server::login(&st, &anon("192.0.2.77"), "qin.fen", "!disabled-0123456789abcdef").await.unwrap_err();
    assert_eq!(e, AppError::field("password", app::error::ErrorCode::WrongCredentials));
}

fn token(name: &str, days: Option<i64>, password: &str) -> app::auth::api::NewApiToken {
    app::auth::api::NewApiToken {
        name: name.into(),
        expires_in_days: days,
        read_only: false,
        password: password.into(),
    }
}

/// Item 5: every token expires (90 days by default, a year at most), creating one asks for
/// the password, and a password change, a reset or disabling the account revokes them.
async fn api_tokens_expire_need_the_password_and_die_with_it(t: TestDb) {
    use app::error::ErrorCode;
    let st = t.state();
    let me = as_user(&t.db, "sun.li").await;
    let (info, secret) = auth::server::create_token(&st, &me, token("ERP", None, DEMO_PASSWORD)).await.unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(info.expires_at.as_deref().unwrap()).unwrap();
    assert_eq!((expires.with_timezone(&chrono::Utc) - t.now()).num_days(), 90);
    assert_eq!(
        auth::server::create_token(&st, &me, token("x", Some(366), DEMO_PASSWORD)).await.unwrap_err(),
        AppError::field("expires_in_days", ErrorCode::OutOfRange)
    );
    assert_eq!(
        auth::server::create_token(&st, &me, token("x", Some(30), "")).await.unwrap_err(),
        AppError::field("password", ErrorCode::Required)
    );
    assert_eq!(
        auth::server::create_token(&st, &me, token("x", Some(30), "not-my-password")).await.unwrap_err(),
        AppError::field("password", ErrorCode::WrongPassword)
    );
    // Expired after its days.
    t.clock().advance(chrono::Duration::days(91));
    assert!(auth::server::principal_for_token(&st, &secret).await.unwrap().is_none());
    t.clock().advance(chrono::Duration::days(-91));
    assert!(auth::server::principal_for_token(&st, &secret).await.unwrap().is_some());
    // A password change revokes it.
    auth::server::change_password(&st, &me, DEMO_PASSWORD, "Brand-new-pass-2026").await.unwrap();
    assert!(auth::server::principal_for_token(&st, &secret).await.unwrap().is_none());
    // So does an administrator's reset.
    let (_, second) = auth::server::create_token(&st, &me, token("BI", Some(10), "Brand-new-pass-2026")).await.unwrap();
    let admin = as_user(&t.db, "admin").await;
    org::server::reset_password(&st, &admin, me.principal.as_ref().unwrap().user_id, "Reset-by-admin-2026")
        .await
        .unwrap();
    assert!(auth::server::principal_for_token(&st, &second).await.unwrap().is_none());
}

/// Item 13: no task of a request is handed to its requester.
async fn a_task_is_never_handed_to_the_requester(t: TestDb) {
    use app::workflow::api::{SubmitRequest, TaskAction, TaskActionBody};
    let st = t.state();
    let zhang = as_user(&t.db, "zhang.wei").await;
    let form = serde_json::json!({"items": [{"name": "A4 纸", "quantity": 2}], "reason": "部门补充"});
    let v = app::workflow::service::submit(
        &st,
        &zhang,
        SubmitRequest { template_key: "office_supplies".into(), form, picks: Default::default() },
    )
    .await
    .unwrap();
    let task =
        v.tasks.iter().find(|t| t.status == app::domain::workflow::instance::TaskStatus::Open).expect("an open task");
    use sea_orm::EntityTrait;
    let assignee =
        app::entities::users::Entity::find_by_id(task.assignee.id).one(&t.db).await.unwrap().unwrap().username;
    let approver = as_user(&t.db, &assignee).await;
    let zid = user_id(&t.db, "zhang.wei").await;
    for action in [TaskAction::Transfer { user: Some(zid) }, TaskAction::AddSigner { user: Some(zid), position: None }]
    {
        let name = action.name();
        let a = TaskActionBody::from(action);
        assert_eq!(
            app::workflow::service::act(&st, &approver, task.id, a).await.unwrap_err(),
            AppError::field("user", app::error::ErrorCode::IsRequester),
            "{name}"
        );
    }
}

/// Item 14: ten characters at least, and not one of the most common passwords.
async fn common_and_short_passwords_are_refused(t: TestDb) {
    use app::error::ErrorCode;
    let st = t.state();
    let admin = as_user(&t.db, "admin").await;
    for (pw, code) in [
        ("Secret-26", ErrorCode::PasswordTooShort),
        ("password123", ErrorCode::PasswordTooCommon),
        ("Password123", ErrorCode::PasswordTooCommon),
        ("qwerty123456", ErrorCode::PasswordTooCommon),
    ] {
        let mut n = new_user("pw.test");
        n.password = pw.into();
        assert_eq!(
            org::server::create_user(&st, &admin, n).await.unwrap_err(),
            AppError::field("password", code),
            "{pw}"
        );
    }
    let mut n = new_user("pw.test");
    n.password = "通办春季-2026-紫藤".into();
    org::server::create_user(&st, &admin, n).await.unwrap();
}

/// Item 9: a daily upload quota per person, and uploads nobody claimed go after a day
/// (those a draft holds stay).
async fn uploads_have_a_quota_and_unclaimed_ones_go(t: TestDb) {
    use app::workflow::service as wf;
    let mut st = t.state();
    st.settings = std::sync::Arc::new(app::ctx::Settings { max_upload_bytes: 100, ..(*st.settings).clone() });
    let me = as_user(&t.db, "zhao.lei").await;
    let mut ids = Vec::new();
    for i in 0..wf::UPLOAD_QUOTA_FILES {
        let body = format!("{i:0>100}");
        ids.push(
            wf::upload_attachment(&st, &me, &format!("r{i}.txt"), "text/plain", body.as_bytes()).await.unwrap().id,
        );
    }
    let e = wf::upload_attachment(&st, &me, "one-more.txt", "text/plain", b"x").await.unwrap_err();
    assert!(matches!(e, AppError::Conflict { .. }), "{e:?}");
    // Someone else still may.
    let other = as_user(&t.db, "zhou.jie").await;
    wf::upload_attachment(&st, &other, "mine.txt", "text/plain", b"mine").await.unwrap();
    // A draft holds one of them.
    let held: i64 = ids[0].parse().unwrap();
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
    app::entities::wf_drafts::ActiveModel {
        user_id: Set(me.principal.as_ref().unwrap().user_id),
        template_key: Set("expense".into()),
        instance_id: Set(None),
        form: Set(serde_json::json!({"items": [{"receipt": [held.to_string()]}]}).to_string()),
        created_at: Set(t.now()),
        updated_at: Set(t.now()),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap();
    assert_eq!(wf::delete_unclaimed_uploads(&st).await.unwrap(), 0, "nothing is a day old yet");
    t.clock().advance(chrono::Duration::hours(25));
    let gone = wf::delete_unclaimed_uploads(&st).await.unwrap();
    assert_eq!(gone, wf::UPLOAD_QUOTA_FILES - 1 + 1, "all but the held one, and the other person's");
    assert!(app::entities::attachments::Entity::find_by_id(held).one(&t.db).await.unwrap().is_some());
    assert_eq!(app::entities::attachments::Entity::find().count(&t.db).await.unwrap(), 1);
    // The quota is per day: tomorrow there is room again.
    wf::upload_attachment(&st, &me, "tomorrow.txt", "text/plain", b"x").await.unwrap();
}

/// Item 7: a process owner who makes themself an approver (or lets requests pass by
/// themselves) does not publish alone: the change waits for another process owner or an
/// administrator, through a `template_publish` request; leave grants are HR's, never one's own.
async fn a_process_owner_does_not_publish_a_self_serving_change_alone(t: TestDb) {
    use app::domain::workflow::design::{PublishConcern, TemplateDoc};
    use app::workflow::design_api::{PublishOutcome, SaveDesign};
    use app::workflow::design_server as ds;
    use app::workflow::service as wf;
    let st = t.state();
    let owner = as_user(&t.db, "han.mei").await;
    let han = user_id(&t.db, "han.mei").await;
    let admin = as_user(&t.db, "admin").await;
    let aid = user_id(&t.db, "admin").await;
    ds::create(&st, &owner, "gift", "礼品申领", "行政").await.unwrap();
    let doc = |approver: i64| TemplateDoc {
        key: "gift".into(),
        name: "礼品申领".into(),
        category: "行政".into(),
        description: String::new(),
        icon: String::new(),
        form: serde_json::from_value(serde_json::json!({"fields": [
            {"key": "item", "label": "礼品", "type": "text", "required": true}]}))
        .unwrap(),
        flow: serde_json::from_value(serde_json::json!({"nodes": [
            {"type": "approver", "id": "mine", "name": "审批", "rule": {"kind": "users", "ids": [approver]},
             "mode": "all", "on_empty": {"then": "admin"}}]}))
        .unwrap(),
    };
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: doc(han), rev: 1 }).await.unwrap();
    let PublishOutcome::UnderReview { instance_id, concerns } =
        ds::publish_draft(&st, &owner, "gift", s.draft_rev, "给自己审批").await.unwrap()
    else {
        panic!("published alone")
    };
    assert_eq!(concerns, [PublishConcern::NamesPublisher { node: "mine".into() }]);
    assert_eq!(wf::get_template(&st.db, &owner, "gift").await.unwrap_err(), AppError::NotFound, "not published yet");
    assert!(matches!(
        ds::publish_draft(&st, &owner, "gift", s.draft_rev, "").await.unwrap_err(),
        AppError::Conflict { .. }
    ));
    // Nobody files or sees the review request by hand.
    let zhang = as_user(&t.db, "zhang.wei").await;
    let by_hand = app::workflow::api::SubmitRequest {
        template_key: ds::REVIEW_KEY.into(),
        form: serde_json::json!({"template_key": "gift", "draft_rev": "1", "concerns": "x"}),
        picks: Default::default(),
    };
    assert_eq!(wf::submit(&st, &zhang, by_hand).await.unwrap_err(), AppError::Forbidden);
    assert!(wf::list_templates(&st.db, &zhang).await.unwrap().iter().all(|t| t.key != ds::REVIEW_KEY));
    // The only other process owner is the publisher: the review goes to the administrators.
    let v = wf::get_instance(&st, &admin, instance_id).await.unwrap();
    let task = v
        .tasks
        .iter()
        .find(|t| t.assignee.id == aid && t.status == app::domain::workflow::instance::TaskStatus::Open)
        .expect("the administrator reviews")
        .id;
    assert!(v.tasks.iter().all(|t| t.assignee.id != han), "never the publisher");
    let approve = app::workflow::api::TaskActionBody {
        comment: "可以".into(),
        ..app::workflow::api::TaskAction::Approve.into()
    };
    wf::act(&st, &admin, task, approve.clone()).await.unwrap();
    let published = wf::get_template(&st.db, &owner, "gift").await.unwrap();
    assert_eq!(published.version, 1);

    // A draft changed after the review was filed is not what the reviewer approved.
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: doc(han), rev: 0 }).await.unwrap();
    let PublishOutcome::UnderReview { instance_id, .. } =
        ds::publish_draft(&st, &owner, "gift", s.draft_rev, "").await.unwrap()
    else {
        panic!("published alone")
    };
    let mut changed = doc(han);
    changed.name = "礼品申领（改）".into();
    ds::save_draft(&st, &owner, SaveDesign { doc: changed, rev: s.draft_rev }).await.unwrap();
    let v = wf::get_instance(&st, &admin, instance_id).await.unwrap();
    let task = v.tasks.iter().find(|t| t.assignee.id == aid).unwrap().id;
    assert!(matches!(wf::act(&st, &admin, task, approve).await.unwrap_err(), AppError::Conflict { .. }));
    assert_eq!(wf::get_template(&st.db, &owner, "gift").await.unwrap().version, 1);

    // A change naming someone else publishes at once.
    let other = user_id(&t.db, "chen.jing").await;
    ds::discard_draft(&st, &owner, "gift").await.unwrap();
    let s = ds::save_draft(&st, &owner, SaveDesign { doc: doc(other), rev: 0 }).await.unwrap();
    assert!(ds::publish_draft(&st, &owner, "gift", s.draft_rev, "").await.unwrap().published().is_some());
    // The REST publish holds the same line.
    let d = doc(han);
    let rest = app::workflow::api::PublishTemplate {
        key: d.key,
        name: d.name,
        category: d.category,
        description: String::new(),
        icon: String::new(),
        form: d.form,
        flow: d.flow,
        note: String::new(),
    };
    assert!(matches!(wf::publish_template(&st, &owner, rest).await.unwrap_err(), AppError::Conflict { .. }));

    // Leave grants: HR's, never one's own.
    let grant = || app::workflow::api::SetLeaveGrant { leave_type: "annual".into(), granted_days: "30".into() };
    assert_eq!(wf::set_leave_grant(&st, &owner, han, grant()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(wf::set_leave_grant(&st, &admin, aid, grant()).await.unwrap_err(), AppError::Forbidden);
    wf::set_leave_grant(&st, &admin, han, grant()).await.unwrap();
}

on_both!(
    user_management_cannot_take_over_an_administrator,
    role_management_cannot_grant_what_it_lacks,
    sign_in_limits_hold_across_addresses_accounts_and_parallel_guesses,
    an_unusable_hash_is_just_a_wrong_password,
    api_tokens_expire_need_the_password_and_die_with_it,
    a_task_is_never_handed_to_the_requester,
    common_and_short_passwords_are_refused,
    uploads_have_a_quota_and_unclaimed_ones_go,
    a_process_owner_does_not_publish_a_self_serving_change_alone,
);
