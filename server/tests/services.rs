//! Service tests: the same bodies on SQLite and PostgreSQL.

mod common;
#[path = "services/security.rs"]
mod security;

use app::ctx::Caller;
use app::entities::{audit_log, departments, sessions, users};
use app::error::{AppError, ErrorCode};
use app::org::api::{DeptUpdate, NewUser, UserUpdate};
use app::{audit, auth, org};
use common::{DEMO_PASSWORD, TestDb, as_user, user_id};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};

fn new_user(username: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: "测试员".into(),
        password: "Secret-2026".into(),
        department_id: None,
        position: String::new(),
        manager_id: None,
        phone: String::new(),
        email: String::new(),
        roles: vec![],
    }
}

async fn audit_count(t: &TestDb, action: &str, result: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::Result.eq(result))
        .count(&t.db)
        .await
        .unwrap()
}

async fn demo_organisation_is_seeded(t: TestDb) {
    let db = &t.db;
    assert_eq!(departments::Entity::find().count(db).await.unwrap(), 9);
    assert!(users::Entity::find().count(db).await.unwrap() >= 20);
    let by_name = |n: &'static str| async move {
        users::Entity::find().filter(users::Column::Username.eq(n)).one(db).await.unwrap().unwrap()
    };
    let zhang = by_name("zhang.wei").await;
    let li = by_name("li.na").await;
    let liu = by_name("liu.yang").await;
    assert_eq!(zhang.manager_id, Some(li.id));
    assert_eq!(li.manager_id, Some(liu.id));
    let depts = departments::Entity::find().all(db).await.unwrap();
    let head = |name: &str| depts.iter().find(|d| d.name == name).unwrap().head_user_id;
    assert_eq!(head("研发部"), Some(li.id));
    assert_eq!(head("财务部"), Some(by_name("wang.fang").await.id));
    assert_eq!(head("人力资源部"), Some(by_name("chen.jing").await.id));
    assert_eq!(head("行政部"), Some(by_name("chen.jing").await.id));
    assert_eq!(head("总经办"), Some(liu.id));
    let rd = depts.iter().find(|d| d.name == "研发部").unwrap().id;
    assert_eq!(depts.iter().filter(|d| d.parent_id == Some(rd)).count(), 2, "研发部 has two teams");
    let admin = as_user(db, "admin").await;
    assert!(admin.principal.unwrap().roles.contains(&"admin".to_string()));
    // Seeding again changes nothing.
    assert!(!server::seed::seed_demo(db, DEMO_PASSWORD, t.now(), false).await.unwrap());
}

async fn login_checks_password_and_audits(t: TestDb) {
    let st = t.state();
    let anon = Caller::anonymous("10.0.0.1");
    let (u, p) = auth::server::login(&st, &anon, " Zhang.Wei ", DEMO_PASSWORD).await.unwrap();
    assert_eq!(u.username, "zhang.wei");
    assert_eq!(p.username, "zhang.wei");
    assert!(u.last_login_at.is_some());
    let err = auth::server::login(&st, &anon, "zhang.wei", "wrong-password-1").await.unwrap_err();
    assert_eq!(err, AppError::field("password", ErrorCode::WrongCredentials));
    let err = auth::server::login(&st, &anon, "nobody", "wrong-password-1").await.unwrap_err();
    assert_eq!(err, AppError::field("password", ErrorCode::WrongCredentials));
    assert_eq!(audit_count(&t, "auth.login", "ok").await, 1);
    assert_eq!(audit_count(&t, "auth.login", "failed").await, 2);
}

async fn five_failures_lock_the_account_for_that_address(t: TestDb) {
    let st = t.state();
    let here = Caller::anonymous("10.0.0.2");
    for _ in 0..5 {
        assert!(matches!(
            auth::server::login(&st, &here, "li.na", "bad-guess-123").await,
            Err(AppError::Validation { .. })
        ));
    }
    // Locked: even the right password is refused, with a wait time.
    match auth::server::login(&st, &here, "li.na", DEMO_PASSWORD).await {
        Err(AppError::TooManyAttempts { retry_after_secs }) => assert_eq!(retry_after_secs, 15 * 60),
        other => panic!("expected a lock, got {other:?}"),
    }
    // Another address is not locked out.
    let elsewhere = Caller::anonymous("10.0.0.3");
    assert!(auth::server::login(&st, &elsewhere, "li.na", DEMO_PASSWORD).await.is_ok());
    assert_eq!(audit_count(&t, "auth.login", "denied").await, 1);
    // Fourteen minutes on it is still locked, for one more minute; at sixteen it is open.
    t.clock().advance(chrono::Duration::minutes(14));
    match auth::server::login(&st, &here, "li.na", DEMO_PASSWORD).await {
        Err(AppError::TooManyAttempts { retry_after_secs }) => assert_eq!(retry_after_secs, 60),
        other => panic!("expected a lock, got {other:?}"),
    }
    t.clock().advance(chrono::Duration::minutes(2));
    assert!(auth::server::login(&st, &here, "li.na", DEMO_PASSWORD).await.is_ok());
    // A success clears the count, even at the same instant as the failures before it.
    for _ in 0..4 {
        assert!(auth::server::login(&st, &here, "li.na", "bad-guess-123").await.is_err());
    }
    assert!(auth::server::login(&st, &here, "li.na", DEMO_PASSWORD).await.is_ok());
    for _ in 0..4 {
        assert!(auth::server::login(&st, &here, "li.na", "bad-guess-123").await.is_err());
    }
    assert!(auth::server::login(&st, &here, "li.na", DEMO_PASSWORD).await.is_ok(), "4 failures since the success");
}

async fn new_accounts_are_viewers_and_bad_input_changes_nothing(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let u = org::server::create_user(&st, &admin, new_user("new.hire")).await.unwrap();
    assert_eq!(u.roles, vec!["viewer".to_string()]);
    let before = users::Entity::find().count(db).await.unwrap();
    let dup = org::server::create_user(&st, &admin, new_user("New.Hire")).await.unwrap_err();
    assert_eq!(dup, AppError::field("username", ErrorCode::Duplicate));
    let mut weak = new_user("weak.one");
    weak.password = "weak.one-1".into();
    assert_eq!(
        org::server::create_user(&st, &admin, weak).await.unwrap_err(),
        AppError::field("password", ErrorCode::PasswordContainsUsername)
    );
    let mut sql = new_user("sql.name");
    sql.username = "x'); DROP TABLE users;--".into();
    assert_eq!(
        org::server::create_user(&st, &admin, sql).await.unwrap_err(),
        AppError::field("username", ErrorCode::InvalidFormat)
    );
    let mut bad_dept = new_user("bad.dept");
    bad_dept.department_id = Some(999_999);
    assert_eq!(
        org::server::create_user(&st, &admin, bad_dept).await.unwrap_err(),
        AppError::field("department_id", ErrorCode::UnknownReference)
    );
    assert_eq!(users::Entity::find().count(db).await.unwrap(), before, "nothing created by bad input");
    // HTML-looking display names are stored as typed (the UI escapes them).
    let mut html = new_user("html.name");
    html.display_name = "<script>alert(1)</script>".into();
    let h = org::server::create_user(&st, &admin, html).await.unwrap();
    assert_eq!(h.display_name, "<script>alert(1)</script>");
}

async fn viewers_cannot_administer_and_refusals_are_audited(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let viewer = as_user(db, "zhang.wei").await;
    assert_eq!(org::server::create_user(&st, &viewer, new_user("sneaky")).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(org::server::get_user(&st, &viewer, 1).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(audit::server::search(&st, &viewer, Default::default()).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(org::server::create_department(&st, &viewer, "影子部门", None).await.unwrap_err(), AppError::Forbidden);
    assert_eq!(audit_count(&t, "user.create", "denied").await, 1);
    assert_eq!(audit_count(&t, "department.create", "denied").await, 1);
    // An operator reads account details but does not change them.
    let operator = as_user(db, "xu.ming").await;
    let zid = user_id(db, "zhang.wei").await;
    assert_eq!(org::server::get_user(&st, &operator, zid).await.unwrap().username, "zhang.wei");
    assert_eq!(audit_count(&t, "user.read", "ok").await, 1, "reading user details is audited");
    assert_eq!(org::server::set_user_active(&st, &operator, zid, false).await.unwrap_err(), AppError::Forbidden);
    // Anonymous callers are told to sign in.
    let anon = Caller::anonymous("127.0.0.1");
    assert_eq!(org::server::directory(&st, &anon, None, None, None).await.unwrap_err(), AppError::Unauthenticated);
}

async fn disabling_an_account_ends_its_sessions(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let uid = user_id(db, "zhang.wei").await;
    sessions::Entity::insert(sessions::ActiveModel {
        id: Set("s1".into()),
        user_id: Set(Some(uid)),
        data: Set("{}".into()),
        expires_at: Set(t.now() + chrono::Duration::days(1)),
    })
    .exec(db)
    .await
    .unwrap();
    let u = users::Entity::find_by_id(uid).one(db).await.unwrap().unwrap();
    assert!(auth::server::principal_for_session(&st, uid, u.auth_version).await.unwrap().is_some());
    let admin = as_user(db, "admin").await;
    org::server::set_user_active(&st, &admin, uid, false).await.unwrap();
    assert_eq!(sessions::Entity::find().filter(sessions::Column::UserId.eq(uid)).count(db).await.unwrap(), 0);
    assert!(auth::server::principal_for_session(&st, uid, u.auth_version).await.unwrap().is_none());
    assert!(auth::server::login(&st, &Caller::anonymous("1.1.1.1"), "zhang.wei", DEMO_PASSWORD).await.is_err());
    // Administrators cannot lock themselves out.
    let aid = user_id(db, "admin").await;
    assert!(matches!(org::server::set_user_active(&st, &admin, aid, false).await, Err(AppError::Conflict { .. })));
    org::server::set_user_active(&st, &admin, uid, true).await.unwrap();
    assert!(auth::server::login(&st, &Caller::anonymous("1.1.1.1"), "zhang.wei", DEMO_PASSWORD).await.is_ok());
}

async fn changing_the_password_invalidates_old_sessions(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let me = as_user(db, "wang.fang").await;
    let uid = user_id(db, "wang.fang").await;
    assert_eq!(
        auth::server::change_password(&st, &me, "wrong-current-1", "Brand-new-2026").await.unwrap_err(),
        AppError::field("current_password", ErrorCode::WrongPassword)
    );
    assert_eq!(
        auth::server::change_password(&st, &me, DEMO_PASSWORD, "short1").await.unwrap_err(),
        AppError::field("new_password", ErrorCode::PasswordTooShort)
    );
    let v = auth::server::change_password(&st, &me, DEMO_PASSWORD, "Brand-new-2026").await.unwrap();
    assert!(auth::server::principal_for_session(&st, uid, v - 1).await.unwrap().is_none());
    assert!(auth::server::principal_for_session(&st, uid, v).await.unwrap().is_some());
    let anon = Caller::anonymous("2.2.2.2");
    assert!(auth::server::login(&st, &anon, "wang.fang", DEMO_PASSWORD).await.is_err());
    assert!(auth::server::login(&st, &anon, "wang.fang", "Brand-new-2026").await.is_ok());
}

async fn departments_form_a_tree_without_cycles(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let depts = org::server::list_departments(&st, &admin).await.unwrap();
    assert_eq!(depts[0].name, "通办科技");
    let rd = depts.iter().find(|d| d.name == "研发部").unwrap().clone();
    let team = depts.iter().find(|d| d.name == "平台组").unwrap().clone();
    assert!(team.depth > rd.depth);
    let cycle =
        DeptUpdate { name: rd.name.clone(), parent_id: Some(team.id), head_user_id: rd.head_user_id, sort_order: None };
    assert_eq!(
        org::server::update_department(&st, &admin, rd.id, cycle).await.unwrap_err(),
        AppError::field("parent_id", ErrorCode::Cycle)
    );
    let qa = org::server::create_department(&st, &admin, "  质量组 ", Some(rd.id)).await.unwrap();
    assert_eq!(qa.name, "质量组");
    let rename = DeptUpdate {
        name: "质量保障组".into(),
        parent_id: Some(team.id),
        head_user_id: Some(user_id(db, "zheng.hao").await),
        sort_order: Some(3),
    };
    org::server::update_department(&st, &admin, qa.id, rename).await.unwrap();
    let after = org::server::list_departments(&st, &admin).await.unwrap();
    let moved = after.iter().find(|d| d.id == qa.id).unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.parent_id, moved.head_name.as_deref()),
        ("质量保障组", Some(team.id), Some("郑浩"))
    );
    assert_eq!(
        org::server::delete_department(&st, &admin, rd.id).await.unwrap_err(),
        AppError::field("department", ErrorCode::NotEmpty)
    );
    org::server::delete_department(&st, &admin, qa.id).await.unwrap();
    assert_eq!(org::server::delete_department(&st, &admin, qa.id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        org::server::create_department(&st, &admin, "", None).await.unwrap_err(),
        AppError::field("name", ErrorCode::Required)
    );
}

async fn the_address_book_searches_names_departments_and_phones(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let me = as_user(db, "zhang.wei").await;
    let by_name = org::server::directory(&st, &me, Some("李娜".into()), None, None).await.unwrap();
    assert_eq!(by_name.items.iter().map(|e| e.username.as_str()).collect::<Vec<_>>(), vec!["li.na"]);
    let by_dept = org::server::directory(&st, &me, Some("研发".into()), None, None).await.unwrap();
    assert!(by_dept.total >= 7, "研发部 and its teams: {}", by_dept.total);
    let by_phone = org::server::directory(&st, &me, Some("0010 0008".into()), None, None).await.unwrap();
    assert_eq!(by_phone.items[0].username, "wang.fang");
    let depts = org::server::list_departments(&st, &me).await.unwrap();
    let rd = depts.iter().find(|d| d.name == "研发部").unwrap().id;
    let in_rd = org::server::directory(&st, &me, None, Some(rd), None).await.unwrap();
    assert_eq!(in_rd.total, 7);
    let none = org::server::directory(&st, &me, Some("%_\\".into()), None, None).await.unwrap();
    assert_eq!(none.total, 0, "LIKE wildcards are escaped");
    // Disabled colleagues are not in the address book.
    let admin = as_user(db, "admin").await;
    org::server::set_user_active(&st, &admin, user_id(db, "li.na").await, false).await.unwrap();
    assert_eq!(org::server::directory(&st, &me, Some("李娜".into()), None, None).await.unwrap().total, 0);
}

async fn roles_grant_permissions(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let zid = user_id(db, "zhang.wei").await;
    let role = org::server::create_role(
        &st,
        &admin,
        app::org::api::NewRole {
            key: "security".into(),
            name: "安全员".into(),
            permissions: vec!["audit_read".into()],
        },
    )
    .await
    .unwrap();
    assert_eq!(
        org::server::create_role(
            &st,
            &admin,
            app::org::api::NewRole { key: "security".into(), name: "x".into(), permissions: vec![] }
        )
        .await
        .unwrap_err(),
        AppError::field("key", ErrorCode::Duplicate)
    );
    org::server::set_user_role(&st, &admin, zid, "security", true).await.unwrap();
    let z = as_user(db, "zhang.wei").await;
    assert!(audit::server::search(&st, &z, Default::default()).await.is_ok());
    org::server::set_role_permission(&st, &admin, role.id, app::domain::permission::Permission::AuditRead, false)
        .await
        .unwrap();
    let z = as_user(db, "zhang.wei").await;
    assert_eq!(audit::server::search(&st, &z, Default::default()).await.unwrap_err(), AppError::Forbidden);
    let admin_role =
        org::server::list_roles(&st, &admin).await.unwrap().into_iter().find(|r| r.key == "admin").unwrap();
    assert!(matches!(
        org::server::set_role_permission(
            &st,
            &admin,
            admin_role.id,
            app::domain::permission::Permission::AuditRead,
            false
        )
        .await,
        Err(AppError::Conflict { .. })
    ));
    assert!(matches!(org::server::delete_role(&st, &admin, admin_role.id).await, Err(AppError::Conflict { .. })));
    org::server::delete_role(&st, &admin, role.id).await.unwrap();
    let aid = user_id(db, "admin").await;
    assert!(matches!(
        org::server::set_user_role(&st, &admin, aid, "admin", false).await,
        Err(AppError::Conflict { .. })
    ));
}

async fn the_audit_chain_detects_edits_and_deletions(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    for i in 0..5 {
        org::server::create_department(&st, &admin, &format!("临时部门{i}"), None).await.unwrap();
    }
    let n = audit::server::verify_chain(db).await.unwrap();
    assert!(n >= 6);
    let row = audit_log::Entity::find().filter(audit_log::Column::Seq.eq(3)).one(db).await.unwrap().unwrap();
    let original = row.clone();
    let mut am = row.into_active_model();
    am.actor_name = Set("mallory".into());
    am.update(db).await.unwrap();
    let err = audit::server::verify_chain(db).await.unwrap_err();
    assert!(err.contains("row 3 was edited"), "{err}");
    original.clone().into_active_model().reset_all().update(db).await.unwrap();
    assert!(audit::server::verify_chain(db).await.is_ok());
    audit_log::Entity::delete_many().filter(audit_log::Column::Seq.eq(4)).exec(db).await.unwrap();
    let err = audit::server::verify_chain(db).await.unwrap_err();
    assert!(err.contains("row 4 was deleted"), "{err}");
}

async fn the_last_audit_row_cannot_be_removed_unnoticed(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    org::server::create_department(&st, &admin, "尾部", None).await.unwrap();
    let last = audit::server::verify_chain(db).await.unwrap();
    audit_log::Entity::delete_many().filter(audit_log::Column::Seq.eq(last)).exec(db).await.unwrap();
    let err = audit::server::verify_chain(db).await.unwrap_err();
    assert!(err.contains(&format!("row {last} was deleted")), "{err}");
}

async fn concurrent_changes_keep_one_audit_chain(t: TestDb) {
    let st = t.state();
    let db = t.db.clone();
    let admin = as_user(&db, "admin").await;
    let mut handles = Vec::new();
    for i in 0..20 {
        let (st, admin) = (st.clone(), admin.clone());
        handles.push(tokio::spawn(async move {
            org::server::create_department(&st, &admin, &format!("并发部门{i}"), None).await.unwrap();
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert!(audit::server::verify_chain(&db).await.is_ok());
    assert_eq!(audit_count(&t, "department.create", "ok").await, 20);
}

async fn the_audit_viewer_filters_and_exports(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let viewer = as_user(db, "zhang.wei").await;
    org::server::create_department(&st, &admin, "a,b \"quoted\"", None).await.unwrap();
    let _ = org::server::create_department(&st, &viewer, "nope", None).await;
    let f = app::audit::api::AuditFilter { actor: Some("zhang.wei".into()), ..Default::default() };
    let page = audit::server::search(&st, &admin, f).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].result, "denied");
    let f = app::audit::api::AuditFilter { action: Some("department.".into()), ..Default::default() };
    assert_eq!(audit::server::search(&st, &admin, f.clone()).await.unwrap().total, 2);
    let csv = audit::server::export_csv(&st, &admin, f).await.unwrap();
    assert!(csv.starts_with('\u{feff}'));
    assert_eq!(csv.lines().count(), 3);
    let bad = app::audit::api::AuditFilter { from: Some("yesterday".into()), ..Default::default() };
    assert_eq!(
        audit::server::search(&st, &admin, bad).await.unwrap_err(),
        AppError::field("from", ErrorCode::InvalidFormat)
    );
    // Days are China days: at 00:17 in China (still yesterday in UTC) today's rows are today's.
    let day = |d: chrono::NaiveDate| app::audit::api::AuditFilter {
        from: Some(d.to_string()),
        to: Some(d.to_string()),
        ..Default::default()
    };
    assert!(audit::server::search(&st, &admin, day(t.today())).await.unwrap().total >= 3);
    let yesterday = t.today().pred_opt().unwrap();
    assert_eq!(audit::server::search(&st, &admin, day(yesterday)).await.unwrap().total, 0);
    let tomorrow = t.today().succ_opt().unwrap();
    assert_eq!(audit::server::search(&st, &admin, day(tomorrow)).await.unwrap().total, 0);
    // The export shows China time with its offset.
    let f = app::audit::api::AuditFilter { action: Some("department.".into()), ..Default::default() };
    let csv = audit::server::export_csv(&st, &admin, f).await.unwrap();
    let shown =
        t.now().with_timezone(&app::domain::time::LOCAL_OFFSET).to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    assert!(csv.contains(&format!(",{shown},")), "{shown} in {csv}");
    assert!(audit_count(&t, "audit.read", "ok").await >= 3, "reading the audit log is itself audited");
}

async fn dormant_accounts_are_reported(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let operator = as_user(db, "xu.ming").await;
    // Everyone was created just now: nobody is dormant yet.
    assert!(org::server::dormant_accounts(&st, &operator, 30).await.unwrap().is_empty());
    let long_ago = t.now() - chrono::Duration::days(200);
    users::Entity::update_many()
        .col_expr(users::Column::CreatedAt, sea_orm::sea_query::Expr::value(long_ago))
        .exec(db)
        .await
        .unwrap();
    auth::server::login(&st, &Caller::anonymous("3.3.3.3"), "zhang.wei", DEMO_PASSWORD).await.unwrap();
    let list = org::server::dormant_accounts(&st, &operator, 90).await.unwrap();
    assert!(list.iter().all(|a| a.username != "zhang.wei"));
    assert!(list.iter().any(|a| a.username == "li.na" && a.days_idle >= 199));
    assert_eq!(
        org::server::dormant_accounts(&st, &operator, 0).await.unwrap_err(),
        AppError::field("days", ErrorCode::OutOfRange)
    );
    let viewer = as_user(db, "zhang.wei").await;
    assert_eq!(org::server::dormant_accounts(&st, &viewer, 30).await.unwrap_err(), AppError::Forbidden);
}

fn token(name: &str, days: Option<i64>) -> app::auth::api::NewApiToken {
    app::auth::api::NewApiToken {
        name: name.into(),
        expires_in_days: days,
        read_only: false,
        password: DEMO_PASSWORD.into(),
    }
}

async fn api_tokens_stand_for_their_user_until_deleted(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let me = as_user(db, "li.na").await;
    let (info, secret) = auth::server::create_token(&st, &me, token("ERP", None)).await.unwrap();
    assert!(secret.starts_with("tb_") && secret.starts_with(&info.prefix));
    let stored = app::entities::api_tokens::Entity::find_by_id(info.id).one(db).await.unwrap().unwrap();
    assert_ne!(stored.token_hash, secret, "only a hash is stored");
    assert_eq!(auth::server::principal_for_token(&st, &secret).await.unwrap().unwrap().principal.username, "li.na");
    assert!(auth::server::principal_for_token(&st, "tb_nonsense").await.unwrap().is_none());
    let other = as_user(db, "zhang.wei").await;
    assert_eq!(auth::server::delete_token(&st, &other, info.id).await.unwrap_err(), AppError::NotFound);
    assert_eq!(
        auth::server::create_token(&st, &me, token("x", Some(0))).await.unwrap_err(),
        AppError::field("expires_in_days", ErrorCode::OutOfRange)
    );
    let (second, _) = auth::server::create_token(&st, &me, token("BI", Some(7))).await.unwrap();
    auth::server::delete_token(&st, &me, second.id).await.unwrap();
    let admin = as_user(db, "admin").await;
    org::server::set_user_active(&st, &admin, me.principal.as_ref().unwrap().user_id, false).await.unwrap();
    assert!(
        auth::server::principal_for_token(&st, &secret).await.unwrap().is_none(),
        "a disabled user's tokens stop working"
    );
    org::server::set_user_active(&st, &admin, me.principal.as_ref().unwrap().user_id, true).await.unwrap();
    assert!(
        auth::server::principal_for_token(&st, &secret).await.unwrap().is_none(),
        "and stay revoked when the account is enabled again"
    );
    assert!(auth::server::list_tokens(&st, &me).await.unwrap().is_empty());
}

async fn profile_edits_validate(t: TestDb) {
    let st = t.state();
    let db = &t.db;
    let admin = as_user(db, "admin").await;
    let zid = user_id(db, "zhang.wei").await;
    let upd = |phone: &str, manager: Option<i64>| UserUpdate {
        display_name: "张伟".into(),
        department_id: None,
        position: "高级工程师".into(),
        manager_id: manager,
        phone: phone.into(),
        email: "zw@tongban.example".into(),
    };
    assert_eq!(
        org::server::update_user(&st, &admin, zid, upd("call me", None)).await.unwrap_err(),
        AppError::field("phone", ErrorCode::InvalidFormat)
    );
    assert_eq!(
        org::server::update_user(&st, &admin, zid, upd("", Some(zid))).await.unwrap_err(),
        AppError::field("manager_id", ErrorCode::Cycle)
    );
    assert_eq!(org::server::update_user(&st, &admin, 999_999, upd("", None)).await.unwrap_err(), AppError::NotFound);
    let d = org::server::update_user(&st, &admin, zid, upd("+86 139", None)).await.unwrap();
    assert_eq!((d.position.as_str(), d.phone.as_str()), ("高级工程师", "+86 139"));
}

on_both!(
    demo_organisation_is_seeded,
    login_checks_password_and_audits,
    five_failures_lock_the_account_for_that_address,
    new_accounts_are_viewers_and_bad_input_changes_nothing,
    viewers_cannot_administer_and_refusals_are_audited,
    disabling_an_account_ends_its_sessions,
    changing_the_password_invalidates_old_sessions,
    departments_form_a_tree_without_cycles,
    the_address_book_searches_names_departments_and_phones,
    roles_grant_permissions,
    the_audit_chain_detects_edits_and_deletions,
    the_last_audit_row_cannot_be_removed_unnoticed,
    concurrent_changes_keep_one_audit_chain,
    the_audit_viewer_filters_and_exports,
    dormant_accounts_are_reported,
    api_tokens_stand_for_their_user_until_deleted,
    profile_edits_validate,
);
