//! The HTTP layer driven through the real router: the JSON API, server functions, pages,
//! bad input, cross-site requests, and the authorization matrix.

mod common;
#[path = "http/security.rs"]
mod security;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{DEMO_PASSWORD, TestDb, user_id};
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use tower::ServiceExt;

use common::client::{Req, app, login, send};

async fn api_login_me_logout(t: TestDb) {
    let app = app(&t);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req { json: Some(format!(r#"{{"username":"zhang.wei","password":"{DEMO_PASSWORD}"}}"#)), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let set_cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let cookie = r.cookie().unwrap();
    let me = send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&cookie), ..Default::default() }).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "zhang.wei");
    assert_eq!(me.json()["roles"], serde_json::json!(["viewer"]));
    let out =
        send(&app, Method::POST, "/api/v1/auth/logout", Req { cookie: Some(&cookie), ..Default::default() }).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let me = send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&cookie), ..Default::default() }).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    assert_eq!(me.json()["error"], "unauthenticated");
}

async fn wrong_credentials_then_lockout(t: TestDb) {
    let app = app(&t);
    for _ in 0..5 {
        let r = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            Req { json: Some(r#"{"username":"li.na","password":"nope-nope-1"}"#.into()), ..Default::default() },
        )
        .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.json()["code"], "wrong_credentials");
    }
    let r = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req { json: Some(format!(r#"{{"username":"li.na","password":"{DEMO_PASSWORD}"}}"#)), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get(header::RETRY_AFTER).is_some());
    assert_eq!(r.json()["error"], "too_many_attempts");
}

async fn bad_input_gets_clear_4xx(t: TestDb) {
    let app = app(&t);
    let admin = login(&app, "admin").await;
    let c = Some(admin.as_str());
    let cases: Vec<(Method, &str, Req, StatusCode)> = vec![
        (
            Method::POST,
            "/api/v1/auth/login",
            Req { json: Some("{not json".into()), ..Default::default() },
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/auth/login",
            Req { json: Some(r#"{"username": 5}"#.into()), ..Default::default() },
            StatusCode::BAD_REQUEST,
        ),
        (
            Method::POST,
            "/api/v1/users",
            Req { cookie: c, json: Some("[]".into()), ..Default::default() },
            StatusCode::BAD_REQUEST,
        ),
        (Method::GET, "/api/v1/users/abc", Req { cookie: c, ..Default::default() }, StatusCode::BAD_REQUEST),
        (Method::GET, "/api/v1/users/999999", Req { cookie: c, ..Default::default() }, StatusCode::NOT_FOUND),
        (Method::DELETE, "/api/v1/departments/999999", Req { cookie: c, ..Default::default() }, StatusCode::NOT_FOUND),
        (Method::GET, "/api/v1/no/such/route", Req { cookie: c, ..Default::default() }, StatusCode::NOT_FOUND),
        (
            Method::GET,
            "/api/v1/audit?from=notadate",
            Req { cookie: c, ..Default::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (Method::GET, "/api/v1/users?page=-3", Req { cookie: c, ..Default::default() }, StatusCode::BAD_REQUEST),
        (
            Method::POST,
            "/api/v1/users",
            Req {
                cookie: c,
                json: Some(r#"{"username":"zhang.wei","display_name":"重复","password":"Secret-2026"}"#.into()),
                ..Default::default()
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/api/v1/departments",
            Req { cookie: c, json: Some(format!(r#"{{"name":"{}"}}"#, "长".repeat(51))), ..Default::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/api/v1/departments",
            Req { cookie: c, json: Some(format!(r#"{{"name":"{}"}}"#, "x".repeat(100_000))), ..Default::default() },
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Method::POST,
            "/sfn/create_department",
            Req { cookie: c, form: Some("name=ok&parent_id=notanumber".into()), ..Default::default() },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            Method::POST,
            "/sfn/get_user",
            Req { cookie: c, form: Some("id=abc".into()), ..Default::default() },
            StatusCode::BAD_REQUEST,
        ),
        // An area's words: an area or a language that does not exist.
        (
            Method::POST,
            "/sfn/area_words",
            Req { cookie: c, form: Some("area=nope&lang=en".into()), ..Default::default() },
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/sfn/area_words",
            Req { cookie: c, form: Some("area=designer&lang=fr".into()), ..Default::default() },
            StatusCode::NOT_FOUND,
        ),
        (
            Method::POST,
            "/sfn/area_words",
            Req { cookie: c, form: Some("area=designer".into()), ..Default::default() },
            StatusCode::BAD_REQUEST,
        ),
    ];
    // The designer's words, in the language asked for.
    let words = send(
        &app,
        Method::POST,
        "/sfn/area_words",
        Req { cookie: c, form: Some("area=designer&lang=en".into()), ..Default::default() },
    )
    .await;
    assert_eq!(words.status, StatusCode::OK, "{}", words.body);
    assert!(words.body.contains("\"Publish\"") && !words.body.contains("发布"), "{}", words.body);
    let depts_before =
        send(&app, Method::GET, "/api/v1/departments", Req { cookie: c, ..Default::default() }).await.body;
    for (m, path, req, want) in cases {
        let r = send(&app, m.clone(), path, req).await;
        assert_eq!(r.status, want, "{m} {path}: {}", r.body);
    }
    // An oversized server-function post is refused as a client error too.
    let big = send(
        &app,
        Method::POST,
        "/sfn/create_department",
        Req { cookie: c, form: Some(format!("name={}&parent_id=", "x".repeat(100_000))), ..Default::default() },
    )
    .await;
    assert!(big.status.is_client_error(), "oversized form: {} {}", big.status, big.body);
    let depts_after =
        send(&app, Method::GET, "/api/v1/departments", Req { cookie: c, ..Default::default() }).await.body;
    assert_eq!(depts_before, depts_after, "bad input changed nothing");
    // HTML and SQL-looking names are data, stored and returned as typed.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            cookie: c,
            json: Some(r#"{"name":"<img src=x onerror=alert(1)>'; DROP TABLE users;--"}"#.into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["name"], "<img src=x onerror=alert(1)>'; DROP TABLE users;--");
}

async fn cross_site_posts_are_refused(t: TestDb) {
    let app = app(&t);
    let admin = login(&app, "admin").await;
    let body = r#"{"name":"钓鱼部门"}"#.to_string();
    let evil = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            cookie: Some(&admin),
            json: Some(body.clone()),
            headers: vec![("origin", "https://evil.example".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(evil.status, StatusCode::FORBIDDEN);
    let evil_ref = send(
        &app,
        Method::POST,
        "/sfn/create_department",
        Req {
            cookie: Some(&admin),
            form: Some("name=x&parent_id=".into()),
            headers: vec![("referer", "https://evil.example/page".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(evil_ref.status, StatusCode::FORBIDDEN);
    let same = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            cookie: Some(&admin),
            json: Some(body),
            headers: vec![("origin", "http://localhost".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(same.status, StatusCode::CREATED, "{}", same.body);
}

async fn bearer_tokens_authenticate_the_api(t: TestDb) {
    let app = app(&t);
    let c = login(&app, "li.na").await;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Req {
            cookie: Some(&c),
            json: Some(format!(r#"{{"name":"ERP","expires_in_days":30,"password":"{DEMO_PASSWORD}"}}"#)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let token = r.json()["token"].as_str().unwrap().to_owned();
    let id = r.json()["id"].as_i64().unwrap();
    let me = send(
        &app,
        Method::GET,
        "/api/v1/me",
        Req { headers: vec![("authorization", format!("Bearer {token}"))], ..Default::default() },
    )
    .await;
    assert_eq!(me.json()["username"], "li.na");
    let list = send(&app, Method::GET, "/api/v1/tokens", Req { cookie: Some(&c), ..Default::default() }).await;
    assert!(!list.body.contains(&token), "the secret is never listed");
    let bad = send(
        &app,
        Method::GET,
        "/api/v1/me",
        Req { headers: vec![("authorization", "Bearer tb_wrong".into())], ..Default::default() },
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    let del =
        send(&app, Method::DELETE, &format!("/api/v1/tokens/{id}"), Req { cookie: Some(&c), ..Default::default() })
            .await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = send(
        &app,
        Method::GET,
        "/api/v1/me",
        Req { headers: vec![("authorization", format!("Bearer {token}"))], ..Default::default() },
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
}

async fn pages_health_and_openapi(t: TestDb) {
    let app = app(&t);
    let html = vec![("accept", "text/html".to_string())];
    let r = send(&app, Method::GET, "/contacts?q=x", Req { headers: html.clone(), ..Default::default() }).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "/login?next=%2Fcontacts%3Fq%3Dx");
    let r = send(&app, Method::GET, "/login", Req { headers: html.clone(), ..Default::default() }).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<form") && r.body.contains("/sfn/login"), "the login form posts without JavaScript");
    let c = login(&app, "zhang.wei").await;
    let r = send(
        &app,
        Method::GET,
        "/contacts?q=%E6%9D%8E%E5%A8%9C",
        Req { cookie: Some(&c), headers: html.clone(), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("李娜"), "server-rendered search result");
    let r = send(
        &app,
        Method::GET,
        "/definitely/not/here",
        Req { cookie: Some(&c), headers: html.clone(), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("404"));
    let r =
        send(&app, Method::GET, "/admin/audit", Req { cookie: Some(&c), headers: html, ..Default::default() }).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a viewer's admin page says forbidden");
    assert_eq!(send(&app, Method::GET, "/healthz", Req::default()).await.status, StatusCode::OK);
    assert_eq!(send(&app, Method::GET, "/readyz", Req::default()).await.status, StatusCode::OK);
    let doc = send(&app, Method::GET, "/api/v1/openapi.json", Req::default()).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.json()["paths"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/departments",
        "/api/v1/users",
        "/api/v1/tokens",
        "/api/v1/tokens/{id}",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} missing from {paths:?}");
    }
    assert!(send(&app, Method::GET, "/healthz", Req::default()).await.headers.get("x-request-id").is_some());
}

async fn a_plain_form_post_comes_back_with_its_error(t: TestDb) {
    let app = app(&t);
    let r = send(
        &app,
        Method::POST,
        "/sfn/login",
        Req {
            form: Some("username=zhang.wei&password=wrong-wrong-1&next=%2F".into()),
            headers: vec![("accept", "text/html".into()), ("referer", "http://localhost/login".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Back to the form's page; the error waits in the session, not in the URL.
    assert_eq!(r.headers.get(header::LOCATION).unwrap(), "http://localhost/login");
    assert!(r.headers.get(app::flash::HEADER).is_none(), "the message never leaves the server");
    let cookie = r.cookie().expect("a session holds the message");
    let page = |c: String| {
        let app = app.clone();
        async move {
            let r = Req { cookie: Some(&c), headers: vec![("accept", "text/html".into())], ..Default::default() };
            send(&app, Method::GET, "/login", r).await
        }
    };
    let shown = page(cookie.clone()).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("用户名或密码错误"), "the form shows its error: {}", shown.body);
    assert!(!page(cookie).await.body.contains("用户名或密码错误"), "once: a reload does not repeat it");
    let ok = send(
        &app,
        Method::POST,
        "/sfn/login",
        Req {
            form: Some(format!("username=zhang.wei&password={DEMO_PASSWORD}&next=%2Fcontacts")),
            headers: vec![("accept", "text/html".into()), ("referer", "http://localhost/login".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.headers.get(header::LOCATION).unwrap(), "/contacts");
    assert!(ok.cookie().is_some());
}

async fn disabling_ends_an_open_session_on_its_next_request(t: TestDb) {
    let app = app(&t);
    let admin = login(&app, "admin").await;
    let victim = login(&app, "shen.yue").await;
    assert_eq!(
        send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&victim), ..Default::default() }).await.status,
        StatusCode::OK
    );
    let id = user_id(&t.db, "shen.yue").await;
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/users/{id}/disable"),
        Req { cookie: Some(&admin), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&victim), ..Default::default() }).await.status,
        StatusCode::UNAUTHORIZED
    );
    let relog = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req { json: Some(format!(r#"{{"username":"shen.yue","password":"{DEMO_PASSWORD}"}}"#)), ..Default::default() },
    )
    .await;
    assert_eq!(relog.status, StatusCode::UNAUTHORIZED);
}

// ---- The authorization matrix -------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Viewer,
    Operator,
    Approver,
    Admin,
    Disabled,
}

const EVERYONE: &[Who] = &[Who::Anonymous, Who::Viewer, Who::Operator, Who::Approver, Who::Admin, Who::Disabled];
const SIGNED_IN: &[Who] = &[Who::Viewer, Who::Operator, Who::Approver, Who::Admin];
const USER_READ: &[Who] = &[Who::Operator, Who::Admin];
const ADMIN: &[Who] = &[Who::Admin];
/// zhang.wei (a viewer) filed the matrix's requests; li.na (an approver) holds their task.
const REQUESTER: &[Who] = &[Who::Viewer];
const ASSIGNEE: &[Who] = &[Who::Approver];
const PARTICIPANTS: &[Who] = &[Who::Viewer, Who::Approver];
/// People on the request, and administrators as auditors.
const READERS: &[Who] = &[Who::Viewer, Who::Approver, Who::Admin];
const EXPENSE: &str = r#"{"template_key":"expense","form":{"reason":"矩阵","items":[{"date":"2026-11-02","category":"travel","amount":"10"}]}}"#;

/// Workflow objects the matrix acts on.
struct WfIds {
    a: i64,
    b: i64,
    task: i64,
    attachment: i64,
    other: i64,
}

async fn workflow_fixtures(t: &TestDb) -> WfIds {
    let st = t.state();
    let zhang = common::as_user(&t.db, "zhang.wei").await;
    let form: serde_json::Value = serde_json::from_str(EXPENSE).unwrap();
    let att =
        app::workflow::service::upload_attachment(&st, &zhang, "r.pdf", "application/pdf", b"%PDF").await.unwrap();
    let mut with_receipt = form["form"].clone();
    with_receipt["items"][0]["receipt"] = serde_json::json!([att.id.clone()]);
    let submit = |f: serde_json::Value| app::workflow::api::SubmitRequest {
        template_key: "expense".into(),
        form: f,
        picks: Default::default(),
    };
    let a = app::workflow::service::submit(&st, &zhang, submit(with_receipt)).await.unwrap();
    let b = app::workflow::service::submit(&st, &zhang, submit(form["form"].clone())).await.unwrap();
    WfIds {
        a: a.id,
        b: b.id,
        task: a.tasks[0].id,
        attachment: att.id.parse().unwrap(),
        other: user_id(&t.db, "he.jing").await,
    }
}

/// (method, route template, concrete path, JSON body, form body, who may pass)
type Row = (&'static str, &'static str, String, Option<String>, Option<String>, &'static [Who]);

fn matrix(zid: i64, w: &WfIds) -> Vec<Row> {
    let p = |s: &str| s.to_owned();
    let j = |s: &str| Some(s.to_owned());
    let f = |s: &str| Some(s.to_owned());
    vec![
        // JSON API
        ("GET", "/api/v1/me", p("/api/v1/me"), None, None, SIGNED_IN),
        ("GET", "/api/v1/departments", p("/api/v1/departments"), None, None, SIGNED_IN),
        ("POST", "/api/v1/departments", p("/api/v1/departments"), j(r#"{"name":"矩阵部门"}"#), None, ADMIN),
        ("PUT", "/api/v1/departments/{id}", p("/api/v1/departments/999999"), j(r#"{"name":"x"}"#), None, ADMIN),
        ("DELETE", "/api/v1/departments/{id}", p("/api/v1/departments/999999"), None, None, ADMIN),
        ("GET", "/api/v1/users", p("/api/v1/users?q=%E6%9D%8E"), None, None, SIGNED_IN),
        (
            "POST",
            "/api/v1/users",
            p("/api/v1/users"),
            j(r#"{"username":"matrix.user","display_name":"矩阵","password":"Matrix-2026"}"#),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/users/{id}", format!("/api/v1/users/{zid}"), None, None, USER_READ),
        ("PUT", "/api/v1/users/{id}", format!("/api/v1/users/{zid}"), j(r#"{"display_name":"张伟"}"#), None, ADMIN),
        ("POST", "/api/v1/users/{id}/disable", p("/api/v1/users/999999/disable"), None, None, ADMIN),
        ("POST", "/api/v1/users/{id}/enable", p("/api/v1/users/999999/enable"), None, None, ADMIN),
        ("GET", "/api/v1/roles", p("/api/v1/roles"), None, None, USER_READ),
        ("GET", "/api/v1/reports/dormant-accounts", p("/api/v1/reports/dormant-accounts"), None, None, USER_READ),
        ("GET", "/api/v1/audit", p("/api/v1/audit"), None, None, ADMIN),
        ("GET", "/api/v1/audit/export", p("/api/v1/audit/export"), None, None, ADMIN),
        ("GET", "/api/v1/tokens", p("/api/v1/tokens"), None, None, SIGNED_IN),
        ("POST", "/api/v1/tokens", p("/api/v1/tokens"), j(r#"{"name":"matrix"}"#), None, SIGNED_IN),
        ("DELETE", "/api/v1/tokens/{id}", p("/api/v1/tokens/999999"), None, None, SIGNED_IN),
        ("GET", "/api/v1/openapi.json", p("/api/v1/openapi.json"), None, None, EVERYONE),
        ("GET", "/healthz", p("/healthz"), None, None, EVERYONE),
        ("GET", "/readyz", p("/readyz"), None, None, EVERYONE),
        // server functions
        ("POST", "/sfn/current_user", p("/sfn/current_user"), None, f(""), EVERYONE),
        ("POST", "/sfn/set_locale", p("/sfn/set_locale"), None, f("locale=en&back=%2F"), EVERYONE),
        (
            "POST",
            "/sfn/change_password",
            p("/sfn/change_password"),
            None,
            f("current_password=wrong-wrong-1&new_password=New-pass-2026&confirm_password=New-pass-2026"),
            SIGNED_IN,
        ),
        ("POST", "/sfn/list_api_tokens", p("/sfn/list_api_tokens"), None, f(""), SIGNED_IN),
        (
            "POST",
            "/sfn/create_api_token",
            p("/sfn/create_api_token"),
            None,
            f("name=matrix&expires_in_days=&password=wrong-password-1"),
            SIGNED_IN,
        ),
        ("POST", "/sfn/delete_api_token", p("/sfn/delete_api_token"), None, f("id=999999"), SIGNED_IN),
        ("POST", "/sfn/list_departments", p("/sfn/list_departments"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/search_directory", p("/sfn/search_directory"), None, f("q=%E6%9D%8E"), SIGNED_IN),
        ("POST", "/sfn/user_options", p("/sfn/user_options"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/my_account", p("/sfn/my_account"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/list_users", p("/sfn/list_users"), None, f(""), USER_READ),
        ("POST", "/sfn/get_user", p("/sfn/get_user"), None, Some(format!("id={zid}")), USER_READ),
        (
            "POST",
            "/sfn/create_user",
            p("/sfn/create_user"),
            None,
            f(
                "username=matrix.form&display_name=x&password=Matrix-2026&department_id=&position=&manager_id=&phone=&email=",
            ),
            ADMIN,
        ),
        (
            "POST",
            "/sfn/update_user",
            p("/sfn/update_user"),
            None,
            Some(format!(
                "id={zid}&display_name=%E5%BC%A0%E4%BC%9F&department_id=&position=&manager_id=&phone=&email="
            )),
            ADMIN,
        ),
        ("POST", "/sfn/set_user_active", p("/sfn/set_user_active"), None, f("id=999999&active=false"), ADMIN),
        ("POST", "/sfn/reset_password", p("/sfn/reset_password"), None, f("id=999999&password=Whatever-2026"), ADMIN),
        ("POST", "/sfn/set_user_role", p("/sfn/set_user_role"), None, f("id=999999&role=viewer&granted=true"), ADMIN),
        ("POST", "/sfn/create_department", p("/sfn/create_department"), None, f("name=matrix&parent_id="), ADMIN),
        (
            "POST",
            "/sfn/update_department",
            p("/sfn/update_department"),
            None,
            f("id=999999&name=x&parent_id=&head_user_id=&sort_order="),
            ADMIN,
        ),
        ("POST", "/sfn/delete_department", p("/sfn/delete_department"), None, f("id=999999"), ADMIN),
        ("POST", "/sfn/list_roles", p("/sfn/list_roles"), None, f(""), USER_READ),
        ("POST", "/sfn/create_role", p("/sfn/create_role"), None, f("key=matrix-role&name=x"), ADMIN),
        (
            "POST",
            "/sfn/set_role_permission",
            p("/sfn/set_role_permission"),
            None,
            f("role_id=999999&permission=user_read&granted=true"),
            ADMIN,
        ),
        ("POST", "/sfn/delete_role", p("/sfn/delete_role"), None, f("id=999999"), ADMIN),
        ("POST", "/sfn/dormant_accounts", p("/sfn/dormant_accounts"), None, f("days=30"), USER_READ),
        ("POST", "/sfn/search_audit", p("/sfn/search_audit"), None, f("filter[page]=1"), ADMIN),
        // These change the session of whoever calls them: run last.
        // Workflow: instance `a` and `b` are zhang.wei's (a viewer), `a`'s task is li.na's (an
        // approver); administrators read every instance as auditors.
        ("GET", "/api/v1/templates", p("/api/v1/templates"), None, None, SIGNED_IN),
        (
            "POST",
            "/api/v1/templates",
            p("/api/v1/templates"),
            j(
                r#"{"key":"matrix","name":"矩阵","form":{"fields":[]},"flow":{"nodes":[{"type":"approver","id":"m","name":"主管","rule":{"kind":"manager","levels":1}}]}}"#,
            ),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/templates/{key}", p("/api/v1/templates/expense"), None, None, SIGNED_IN),
        // Designers: process owners and administrators only (the matrix has no process owner).
        ("GET", "/api/v1/designer/templates", p("/api/v1/designer/templates"), None, None, ADMIN),
        ("GET", "/api/v1/designer/templates/{key}", p("/api/v1/designer/templates/expense"), None, None, ADMIN),
        (
            "PUT",
            "/api/v1/designer/templates/{key}/draft",
            p("/api/v1/designer/templates/mx/draft"),
            j(r#"{"doc":{"key":"mx","name":"矩阵","form":{"fields":[]},"flow":{"nodes":[]}},"rev":0}"#),
            None,
            ADMIN,
        ),
        (
            "DELETE",
            "/api/v1/designer/templates/{key}/draft",
            p("/api/v1/designer/templates/nope/draft"),
            None,
            None,
            ADMIN,
        ),
        (
            "POST",
            "/api/v1/designer/templates/{key}/publish",
            p("/api/v1/designer/templates/nope/publish"),
            j(r#"{"rev":1}"#),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/designer/directory", p("/api/v1/designer/directory"), None, None, ADMIN),
        ("GET", "/api/v1/templates/{key}/versions", p("/api/v1/templates/expense/versions"), None, None, ADMIN),
        (
            "GET",
            "/api/v1/templates/{key}/versions/{version}",
            p("/api/v1/templates/expense/versions/1"),
            None,
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/templates/{key}/diff", p("/api/v1/templates/expense/diff?from=1&to=1"), None, None, ADMIN),
        (
            "POST",
            "/api/v1/templates/{key}/rollback",
            p("/api/v1/templates/nope/rollback"),
            j(r#"{"version":1}"#),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/templates/{key}/export", p("/api/v1/templates/expense/export"), None, None, ADMIN),
        ("POST", "/api/v1/templates/import", p("/api/v1/templates/import"), j("{}"), None, ADMIN),
        ("POST", "/sfn/design_list", p("/sfn/design_list"), None, f(""), ADMIN),
        // An area's words: every signed-in page may need them (an unknown area is a 404).
        ("POST", "/sfn/area_words", p("/sfn/area_words"), None, f("area=designer&lang=en"), SIGNED_IN),
        ("POST", "/sfn/design_open", p("/sfn/design_open"), None, f("key=expense"), ADMIN),
        ("POST", "/sfn/design_directory", p("/sfn/design_directory"), None, f(""), ADMIN),
        (
            "POST",
            "/sfn/design_save",
            p("/sfn/design_save"),
            j(r#"{"save":{"doc":{"key":"ms","name":"矩阵","form":{"fields":[]},"flow":{"nodes":[]}},"rev":0}}"#),
            None,
            ADMIN,
        ),
        ("POST", "/sfn/design_discard", p("/sfn/design_discard"), None, f("key=nope"), ADMIN),
        ("POST", "/sfn/design_publish", p("/sfn/design_publish"), None, f("key=nope&rev=1&note="), ADMIN),
        ("POST", "/sfn/design_versions", p("/sfn/design_versions"), None, f("key=expense"), ADMIN),
        ("POST", "/sfn/design_diff", p("/sfn/design_diff"), None, f("key=expense&from=1&to=1"), ADMIN),
        ("POST", "/sfn/design_rollback", p("/sfn/design_rollback"), None, f("key=nope&version=1"), ADMIN),
        ("POST", "/sfn/design_import", p("/sfn/design_import"), None, f("text=x"), ADMIN),
        ("POST", "/sfn/design_create", p("/sfn/design_create"), None, f("key=mc&name=x&category="), ADMIN),
        (
            "POST",
            "/api/v1/templates/{key}/predict",
            p("/api/v1/templates/expense/predict"),
            j(r#"{"form":{}}"#),
            None,
            SIGNED_IN,
        ),
        ("POST", "/api/v1/instances", p("/api/v1/instances"), j(EXPENSE), None, SIGNED_IN),
        ("GET", "/api/v1/instances/{id}", format!("/api/v1/instances/{}", w.a), None, None, READERS),
        ("POST", "/api/v1/instances/{id}/urge", format!("/api/v1/instances/{}/urge", w.a), None, None, REQUESTER),
        (
            "POST",
            "/api/v1/instances/{id}/resubmit",
            format!("/api/v1/instances/{}/resubmit", w.a),
            j(r#"{"form":{}}"#),
            None,
            REQUESTER,
        ),
        (
            "POST",
            "/api/v1/instances/{id}/comments",
            format!("/api/v1/instances/{}/comments", w.a),
            j(r#"{"comment":"矩阵"}"#),
            None,
            PARTICIPANTS,
        ),
        (
            "POST",
            "/api/v1/instances/{id}/withdraw",
            format!("/api/v1/instances/{}/withdraw", w.b),
            None,
            None,
            REQUESTER,
        ),
        ("GET", "/api/v1/tasks", p("/api/v1/tasks?box=todo"), None, None, SIGNED_IN),
        ("GET", "/api/v1/tasks/counts", p("/api/v1/tasks/counts"), None, None, SIGNED_IN),
        (
            "POST",
            "/api/v1/tasks/{id}/actions",
            format!("/api/v1/tasks/{}/actions", w.task),
            j(r#"{"action":"comment","comment":"矩阵"}"#),
            None,
            ASSIGNEE,
        ),
        ("POST", "/api/v1/attachments", p("/api/v1/attachments?filename=m.txt"), j("{}"), None, SIGNED_IN),
        ("GET", "/api/v1/attachments/{id}", format!("/api/v1/attachments/{}", w.attachment), None, None, READERS),
        ("GET", "/api/v1/leave-balances", p("/api/v1/leave-balances"), None, None, SIGNED_IN),
        (
            "GET",
            "/api/v1/users/{id}/leave-balances",
            format!("/api/v1/users/{}/leave-balances", w.other),
            None,
            None,
            USER_READ,
        ),
        (
            "PUT",
            "/api/v1/users/{id}/leave-balances",
            format!("/api/v1/users/{}/leave-balances", w.other),
            j(r#"{"leave_type":"annual","granted_days":"12"}"#),
            None,
            ADMIN,
        ),
        (
            "POST",
            "/api/v1/users/{id}/hand-over",
            p("/api/v1/users/999999/hand-over"),
            j(r#"{"successor":1}"#),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/work-calendar", p("/api/v1/work-calendar"), None, None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/work-calendar",
            p("/api/v1/work-calendar"),
            j(r#"{"holidays":["2027-01-01"],"workdays":[],"day_start":"09:00:00","day_end":"18:00:00"}"#),
            None,
            ADMIN,
        ),
        ("GET", "/api/v1/notifications", p("/api/v1/notifications"), None, None, SIGNED_IN),
        ("POST", "/api/v1/notifications/read", p("/api/v1/notifications/read"), j("{}"), None, SIGNED_IN),
        ("POST", "/sfn/list_templates", p("/sfn/list_templates"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/get_template", p("/sfn/get_template"), None, f("key=expense"), SIGNED_IN),
        (
            "POST",
            "/sfn/submit_instance",
            p("/sfn/submit_instance"),
            Some(format!(r#"{{"req":{EXPENSE}}}"#)),
            None,
            SIGNED_IN,
        ),
        ("POST", "/sfn/get_instance", p("/sfn/get_instance"), None, Some(format!("id={}", w.a)), READERS),
        (
            "POST",
            "/sfn/act_on_task",
            p("/sfn/act_on_task"),
            Some(format!(r#"{{"task":{},"action":{{"action":"comment","comment":"矩阵"}}}}"#, w.task)),
            None,
            ASSIGNEE,
        ),
        ("POST", "/sfn/urge_request", p("/sfn/urge_request"), None, Some(format!("id={}", w.a)), REQUESTER),
        ("POST", "/sfn/withdraw_request", p("/sfn/withdraw_request"), None, Some(format!("id={}", w.b)), REQUESTER),
        ("POST", "/sfn/list_tasks", p("/sfn/list_tasks"), j(r#"{"query":{"box":"todo"}}"#), None, SIGNED_IN),
        ("POST", "/sfn/my_leave_balances", p("/sfn/my_leave_balances"), None, f(""), SIGNED_IN),
        (
            "POST",
            "/api/v1/tasks/batch",
            p("/api/v1/tasks/batch"),
            j(r#"{"tasks":[999999],"action":"approve"}"#),
            None,
            SIGNED_IN,
        ),
        ("GET", "/api/v1/drafts", p("/api/v1/drafts"), None, None, SIGNED_IN),
        ("POST", "/api/v1/drafts", p("/api/v1/drafts"), j(r#"{"template_key":"expense","form":{}}"#), None, SIGNED_IN),
        // Someone else's draft is "not found" (tested in the service tests); here only sign-in matters.
        ("GET", "/api/v1/drafts/{id}", p("/api/v1/drafts/999999"), None, None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/drafts/{id}",
            p("/api/v1/drafts/999999"),
            j(r#"{"template_key":"expense","form":{}}"#),
            None,
            SIGNED_IN,
        ),
        ("DELETE", "/api/v1/drafts/{id}", p("/api/v1/drafts/999999"), None, None, SIGNED_IN),
        ("GET", "/api/v1/notification-prefs", p("/api/v1/notification-prefs"), None, None, SIGNED_IN),
        (
            "PUT",
            "/api/v1/notification-prefs",
            p("/api/v1/notification-prefs"),
            j(r#"{"email_kinds":["task"]}"#),
            None,
            SIGNED_IN,
        ),
        ("POST", "/sfn/get_form_page", p("/sfn/get_form_page"), None, f("key=expense"), SIGNED_IN),
        (
            "POST",
            "/sfn/predict_request",
            p("/sfn/predict_request"),
            j(r#"{"key":"expense","form":{},"picks":{}}"#),
            None,
            SIGNED_IN,
        ),
        (
            "POST",
            "/sfn/save_draft",
            p("/sfn/save_draft"),
            j(r#"{"id":null,"template_key":"expense","instance_id":null,"form":{}}"#),
            None,
            SIGNED_IN,
        ),
        ("POST", "/sfn/list_my_drafts", p("/sfn/list_my_drafts"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/delete_draft", p("/sfn/delete_draft"), None, f("id=999999"), SIGNED_IN),
        ("POST", "/sfn/nav_counts", p("/sfn/nav_counts"), None, f(""), SIGNED_IN),
        (
            "POST",
            "/sfn/act_form",
            p("/sfn/act_form"),
            None,
            Some(format!("task={}&action=comment&comment=matrix", w.task)),
            ASSIGNEE,
        ),
        (
            "POST",
            "/sfn/comment_request",
            p("/sfn/comment_request"),
            None,
            Some(format!("id={}&comment=matrix", w.a)),
            PARTICIPANTS,
        ),
        ("POST", "/sfn/my_notifications", p("/sfn/my_notifications"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/mark_notifications_read", p("/sfn/mark_notifications_read"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/notification_prefs", p("/sfn/notification_prefs"), None, f(""), SIGNED_IN),
        ("POST", "/sfn/save_notification_prefs", p("/sfn/save_notification_prefs"), None, f("task=on"), SIGNED_IN),
        // The approval pages' plain form posts.
        (
            "POST",
            "/approvals/form",
            p("/approvals/form"),
            None,
            f("_template=expense&_op=draft&reason=matrix"),
            SIGNED_IN,
        ),
        ("POST", "/approvals/batch", p("/approvals/batch"), None, f("task=999999&action=approve"), SIGNED_IN),
        (
            "POST",
            "/sfn/login",
            p("/sfn/login"),
            None,
            Some(format!("username=he.jing&password={DEMO_PASSWORD}")),
            EVERYONE,
        ),
        (
            "POST",
            "/api/v1/auth/login",
            p("/api/v1/auth/login"),
            j(r#"{"username":"he.jing","password":"Demo-pass-2026"}"#),
            None,
            EVERYONE,
        ),
        ("POST", "/sfn/logout", p("/sfn/logout"), None, f(""), EVERYONE),
        ("POST", "/api/v1/auth/logout", p("/api/v1/auth/logout"), None, None, EVERYONE),
    ]
}

async fn authorization_matrix(t: TestDb) {
    let app = app(&t);
    let zid = user_id(&t.db, "zhang.wei").await;
    let w = workflow_fixtures(&t).await;
    let rows = matrix(zid, &w);

    // Every route the server has is in the matrix, and nothing else is.
    let (_, doc) = server::api::router();
    let mut routes: BTreeSet<(String, String)> = BTreeSet::new();
    for (path, item) in &doc.paths.paths {
        for (m, op) in [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ] {
            if op.is_some() {
                routes.insert((m.to_owned(), path.clone()));
            }
        }
    }
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.insert((method.to_string(), path.to_owned()));
    }
    for extra in ["/api/v1/openapi.json", "/healthz", "/readyz"] {
        routes.insert(("GET".into(), extra.into()));
    }
    for extra in ["/approvals/form", "/approvals/batch"] {
        routes.insert(("POST".into(), extra.into()));
    }
    let listed: BTreeSet<(String, String)> = rows.iter().map(|r| (r.0.to_owned(), r.1.to_owned())).collect();
    let missing: Vec<_> = routes.difference(&listed).collect();
    assert!(missing.is_empty(), "routes missing from the authorization matrix: {missing:?}");
    let stale: Vec<_> = listed.difference(&routes).collect();
    assert!(stale.is_empty(), "matrix rows for routes that do not exist: {stale:?}");

    // One session per kind of caller; the disabled one is disabled after signing in.
    let disabled = login(&app, "qin.fen").await;
    let admin_id = login(&app, "admin").await;
    let qid = user_id(&t.db, "qin.fen").await;
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/users/{qid}/disable"),
        Req { cookie: Some(&admin_id), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let mut cookies: Vec<(Who, Option<String>)> = vec![(Who::Anonymous, None), (Who::Disabled, Some(disabled))];
    for (who, name) in
        [(Who::Viewer, "zhang.wei"), (Who::Operator, "xu.ming"), (Who::Approver, "li.na"), (Who::Admin, "admin")]
    {
        cookies.push((who, Some(login(&app, name).await)));
    }

    let mut failures = Vec::new();
    for (method, template, path, json, form, allowed) in &rows {
        for (who, cookie) in &cookies {
            let req = Req { cookie: cookie.as_deref(), json: json.clone(), form: form.clone(), ..Default::default() };
            let r = send(&app, Method::from_bytes(method.as_bytes()).unwrap(), path, req).await;
            let passed = r.status != StatusCode::UNAUTHORIZED && r.status != StatusCode::FORBIDDEN;
            let expected = allowed.contains(who);
            if r.status.is_server_error() {
                failures.push(format!("{method} {template} as {who:?}: server error {} {}", r.status, r.body));
            } else if passed != expected {
                failures.push(format!(
                    "{method} {template} as {who:?}: expected {} got {} {}",
                    if expected { "allow" } else { "deny" },
                    r.status,
                    r.body
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix failures:\n{}", failures.join("\n"));
}

async fn an_expense_goes_through_the_api(t: TestDb) {
    let app = app(&t);
    let zhang = login(&app, "zhang.wei").await;
    fn req(cookie: &str, json: Option<String>) -> Req<'_> {
        Req { cookie: Some(cookie), json, ..Default::default() }
    }
    // Upload a receipt (raw body), then file 8000 with it.
    let mut b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/attachments?filename=%E5%8F%91%E7%A5%A8.png")
        .header(header::COOKIE, &zhang)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "image/png");
    let up = app.clone().oneshot(b.body(Body::from(&b"\x89PNG receipt"[..])).unwrap()).await.unwrap();
    assert_eq!(up.status(), StatusCode::CREATED);
    let bytes = up.into_body().collect().await.unwrap().to_bytes();
    let att: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(att["filename"], "发票.png");
    b = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/attachments?filename=big.pdf")
        .header(header::COOKIE, &zhang)
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_TYPE, "application/pdf");
    let big = app.clone().oneshot(b.body(Body::from(vec![b'x'; 300 * 1024])).unwrap()).await.unwrap();
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let body = serde_json::json!({"template_key": "expense", "form": {"reason": "出差北京", "items": [
        {"date": "2026-11-02", "category": "travel", "amount": "7000", "receipt": att["id"]},
        {"date": "2026-11-03", "category": "hotel", "amount": 1000}]}});
    let r = send(&app, Method::POST, "/api/v1/instances", req(&zhang, Some(body.to_string()))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let v = r.json();
    assert_eq!(v["form"]["total"], "8000.00");
    let id = v["id"].as_i64().unwrap();
    for who in ["li.na", "wang.fang", "liu.yang"] {
        let c = login(&app, who).await;
        let todo = send(&app, Method::GET, "/api/v1/tasks?box=todo", req(&c, None)).await.json();
        assert_eq!(todo["total"], 1, "{who}: {todo}");
        let task = todo["items"][0]["task_id"].as_i64().unwrap();
        // The receipt is readable by the approver.
        let f = send(&app, Method::GET, &format!("/api/v1/attachments/{}", att["id"].as_str().unwrap()), req(&c, None))
            .await;
        assert_eq!(f.status, StatusCode::OK);
        assert_eq!(f.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        let r = send(
            &app,
            Method::POST,
            &format!("/api/v1/tasks/{task}/actions"),
            req(&c, Some(r#"{"action":"approve","comment":"同意"}"#.into())),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
        // The same approval again is a conflict, not a second transition.
        let again = send(
            &app,
            Method::POST,
            &format!("/api/v1/tasks/{task}/actions"),
            req(&c, Some(r#"{"action":"approve"}"#.into())),
        )
        .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    }
    let v = send(&app, Method::GET, &format!("/api/v1/instances/{id}"), req(&zhang, None)).await.json();
    assert_eq!(v["status"], "approved");
    let events: Vec<&str> =
        v["history"].as_array().unwrap().iter().map(|h| h["event"]["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["submitted", "approved", "approved", "approved", "finished"]);

    // Bad input: a clear 4xx and nothing filed.
    let bad = |json: &str| Some(json.to_owned());
    let r =
        send(&app, Method::POST, "/api/v1/instances", req(&zhang, bad(r#"{"template_key":"nope","form":{}}"#))).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/instances",
        req(&zhang, bad(r#"{"template_key":"expense","form":{"reason":"","items":[{"date":"x","category":"travel","amount":"abc"}]}}"#)),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"], "invalid_form");
    let body = r.json();
    let paths: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["reason", "items[0].date", "items[0].amount"]);
    let r = send(&app, Method::POST, "/api/v1/instances", req(&zhang, bad(r#"{"template_key":"expense"}"#))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&app, Method::POST, "/api/v1/tasks/abc/actions", req(&zhang, bad(r#"{"action":"approve"}"#))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(&app, Method::GET, "/api/v1/tasks?box=later", req(&zhang, None)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mine = send(&app, Method::GET, "/api/v1/tasks?box=mine", req(&zhang, None)).await.json();
    assert_eq!(mine["total"], 1);
    let doc = send(&app, Method::GET, "/api/v1/openapi.json", Req::default()).await.json();
    for path in ["/api/v1/instances", "/api/v1/tasks/{id}/actions", "/api/v1/attachments", "/api/v1/templates/{key}"] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
}

/// The event stream: refused without a session; with one, counts come at once and again
/// (with the notification) when something arrives for the user — read with a time limit,
/// since the stream itself never ends.
async fn the_event_stream_pushes_counts(t: TestDb) {
    use std::time::Duration;
    let app = app(&t);
    let anon = send(&app, Method::GET, "/api/v1/events", Req::default()).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let li = login(&app, "li.na").await;
    let req = Request::builder()
        .uri("/api/v1/events")
        .header(header::COOKIE, &li)
        .header(header::ACCEPT, "text/event-stream")
        .header(header::HOST, "localhost")
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/event-stream"));
    let mut body = res.into_body();
    // Reads frames until one holds a `counts` event, at most `secs` seconds.
    async fn next_counts(body: &mut Body, secs: u64) -> serde_json::Value {
        let mut buf = String::new();
        tokio::time::timeout(Duration::from_secs(secs), async {
            loop {
                let frame = body.frame().await.expect("stream ended").expect("stream error");
                if let Ok(data) = frame.into_data() {
                    buf.push_str(&String::from_utf8_lossy(&data));
                }
                while let Some(end) = buf.find("\n\n") {
                    let block: String = buf.drain(..end + 2).collect();
                    if block.lines().any(|l| l == "event: counts") {
                        let data: String =
                            block.lines().filter_map(|l| l.strip_prefix("data: ")).collect::<Vec<_>>().join("\n");
                        return serde_json::from_str(&data).unwrap();
                    }
                }
            }
        })
        .await
        .expect("no counts event in time")
    }
    let first = next_counts(&mut body, 5).await;
    assert_eq!(first["counts"]["todo"], 0, "{first}");
    assert!(first["latest"].is_null());

    // Zhang files a request with li.na as the first approver; the notification is written
    // by the outbox job (any server of the deployment may run it).
    let zhang = login(&app, "zhang.wei").await;
    let body_json = serde_json::json!({"template_key": "office_supplies",
        "form": {"items": [{"name": "A4 纸", "quantity": 2}], "reason": "部门补充"}});
    let r = send(
        &app,
        Method::POST,
        "/api/v1/instances",
        Req { cookie: Some(&zhang), json: Some(body_json.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app::workflow::jobs::deliver_outbox(&t.state()).await.unwrap();
    let next = next_counts(&mut body, 10).await;
    assert_eq!(next["counts"]["todo"], 1, "{next}");
    assert_eq!(next["counts"]["notifications_unread"], 1, "{next}");
    assert!(next["latest"]["title"].as_str().is_some_and(|s| !s.is_empty()), "{next}");
}

/// The designers' API: process owners only; an invalid flow sent straight to the publish
/// route is refused with the node named; export then import round trip; a malformed file is
/// a clear 400.
async fn the_designer_api(t: TestDb) {
    let app = app(&t);
    let owner = login(&app, "han.mei").await;
    let zhang = login(&app, "zhang.wei").await;
    let get = |path: &'static str, cookie: String| {
        let app = app.clone();
        async move { send(&app, Method::GET, path, Req { cookie: Some(&cookie), ..Default::default() }).await }
    };
    assert_eq!(get("/api/v1/designer/templates", zhang.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get("/api/v1/designer/directory", zhang.clone()).await.status, StatusCode::FORBIDDEN);
    assert_eq!(get("/api/v1/templates/expense/versions", zhang.clone()).await.status, StatusCode::FORBIDDEN);
    let list = get("/api/v1/designer/templates", owner.clone()).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.json().as_array().unwrap().iter().any(|t| t["key"] == "expense"));

    // Export: a file the import reads back.
    let file = get("/api/v1/templates/expense/export", owner.clone()).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("expense-v1.tongban.json"));
    let doc = app::domain::workflow::design::parse_export(&file.body).unwrap();
    let mut copy: serde_json::Value = serde_json::from_str(&file.body).unwrap();
    copy["template"]["key"] = serde_json::json!("expense_copy");
    let r = send(
        &app,
        Method::POST,
        "/api/v1/templates/import",
        Req { cookie: Some(&owner), json: Some(copy.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["doc"]["flow"], serde_json::to_value(&doc.flow).unwrap());
    let r = send(
        &app,
        Method::POST,
        "/api/v1/templates/import",
        Req { cookie: Some(&owner), json: Some("{\"format\": 1".into()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.json()["message"].as_str().unwrap().contains("not JSON"), "{}", r.body);

    // The REST publish refuses what the designer refuses, with the same words: one
    // normalisation (`TemplateDoc::normalise`) behind both.
    let many: Vec<serde_json::Value> = (0..=app::domain::workflow::design::MAX_FIELDS)
        .map(|i| serde_json::json!({"key": format!("f{i}"), "label": format!("字段{i}"), "type": "text"}))
        .collect();
    for (doc_json, expect) in [
        (
            serde_json::json!({"key": "wide", "name": "很宽", "form": {"fields": many}, "flow": doc.flow}),
            (StatusCode::BAD_REQUEST, "at most 200 fields"),
        ),
        (
            serde_json::json!({"key": "template_publish", "name": "审核", "form": doc.form, "flow": doc.flow}),
            (StatusCode::FORBIDDEN, ""),
        ),
        (
            serde_json::json!({"key": "Bad Key", "name": "x", "form": doc.form, "flow": doc.flow}),
            (StatusCode::UNPROCESSABLE_ENTITY, "key"),
        ),
    ] {
        let key = doc_json["key"].as_str().unwrap().to_owned();
        let rest = send(
            &app,
            Method::POST,
            "/api/v1/templates",
            Req { cookie: Some(&owner), json: Some(doc_json.to_string()), ..Default::default() },
        )
        .await;
        let draft = send(
            &app,
            Method::PUT,
            &format!("/api/v1/designer/templates/{}/draft", app::url::percent_encode(&key)),
            Req {
                cookie: Some(&owner),
                json: Some(serde_json::json!({"doc": doc_json, "rev": 0}).to_string()),
                ..Default::default()
            },
        )
        .await;
        for (route, r) in [("REST publish", &rest), ("designer draft", &draft)] {
            assert_eq!(r.status, expect.0, "{route} of {key}: {}", r.body);
            assert!(r.body.contains(expect.1), "{route} of {key}: {}", r.body);
        }
        assert_eq!(rest.json()["message"], draft.json()["message"], "the same refusal for {key}");
    }

    // An invalid flow straight to the publish route: 422 naming the node, nothing published.
    let mut flow = serde_json::to_value(&doc.flow).unwrap();
    flow["nodes"][0]["rule"] = serde_json::json!({"kind": "users", "ids": [424242]});
    let body = serde_json::json!({"key": "expense", "name": "报销", "form": doc.form, "flow": flow});
    let r = send(
        &app,
        Method::POST,
        "/api/v1/templates",
        Req { cookie: Some(&owner), json: Some(body.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let j = r.json();
    assert_eq!(j["error"], "invalid_template");
    let first = j["problems"][0].as_str().unwrap().to_owned();
    assert!(first.contains(doc.flow.nodes[0].name()) && first.contains("user #424242"), "{first}");
    let r = send(
        &app,
        Method::POST,
        "/api/v1/templates",
        Req { cookie: Some(&zhang), json: Some(body.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let vs = get("/api/v1/templates/expense/versions", owner.clone()).await;
    assert_eq!(vs.json().as_array().unwrap().len(), 1, "nothing was published");

    // Drafts through the API: save, a stale save conflicts, publish, diff, rollback.
    let draft = serde_json::json!({"doc": {"key": "expense", "name": "报销", "category": "财务", "form": doc.form, "flow": doc.flow}, "rev": 0});
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/designer/templates/expense/draft",
        Req { cookie: Some(&owner), json: Some(draft.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["draft_rev"], 1);
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/designer/templates/expense/draft",
        Req { cookie: Some(&owner), json: Some(draft.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = send(
        &app,
        Method::PUT,
        "/api/v1/designer/templates/other/draft",
        Req { cookie: Some(&owner), json: Some(draft.to_string()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "the address and the document name different keys");
    let r = send(
        &app,
        Method::POST,
        "/api/v1/designer/templates/expense/publish",
        Req { cookie: Some(&owner), json: Some(r#"{"rev": 1, "note": "同一内容"}"#.into()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["version"], 2);
    let d = get("/api/v1/templates/expense/diff?from=1&to=2", owner.clone()).await;
    assert_eq!(d.json(), serde_json::json!([]), "{}", d.body);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/templates/expense/rollback",
        Req { cookie: Some(&owner), json: Some(r#"{"version": 1}"#.into()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["version"], 3);
    let v = get("/api/v1/templates/expense/versions/1", owner.clone()).await;
    assert_eq!(v.json()["flow"], serde_json::to_value(&doc.flow).unwrap());
    let openapi = get("/api/v1/openapi.json", owner.clone()).await;
    assert!(openapi.body.contains("/api/v1/designer/templates/{key}/publish"), "the routes are documented");
}

/// A page asked for while another router is being built still answers. Building a router
/// lists the page routes by running the app with resource loading switched off process-wide
/// (leptos issue #4773); a page whose data started loading in that window waited forever, and
/// a test, building its own router next to others, hung once in a few hundred runs. Here a
/// thread builds routers back to back while the page is asked for again and again.
async fn a_page_answers_while_another_router_is_built(t: TestDb) {
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    let app = app(&t);
    let me = login(&app, "zhang.wei").await;
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let built = std::sync::Arc::new(AtomicU32::new(0));
    let builder = {
        let (stop, built, state, opts) = (stop.clone(), built.clone(), t.state(), t.options());
        let runtime = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            let _inside = runtime.enter();
            while !stop.load(Ordering::Relaxed) {
                drop(server::router_for(state.clone(), &opts));
                built.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    // Thirty pages, and as many more as it takes for routers to have been built meanwhile.
    let mut round = 0;
    while round < 30 || (built.load(Ordering::Relaxed) < 3 && round < 3000) {
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            send(&app, Method::GET, "/approvals", Req { cookie: Some(&me), ..Default::default() }),
        )
        .await;
        let Ok(page) = page else {
            stop.store(true, Ordering::Relaxed);
            panic!("round {round}: the page never finished while routers were being built");
        };
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("__RESOLVED_RESOURCES"), "round {round}: the page's data resolved");
        round += 1;
    }
    stop.store(true, Ordering::Relaxed);
    builder.join().expect("the builder thread");
    assert!(built.load(Ordering::Relaxed) >= 3, "routers were built meanwhile");
}

on_both!(
    a_page_answers_while_another_router_is_built,
    the_event_stream_pushes_counts,
    an_expense_goes_through_the_api,
    api_login_me_logout,
    wrong_credentials_then_lockout,
    bad_input_gets_clear_4xx,
    cross_site_posts_are_refused,
    bearer_tokens_authenticate_the_api,
    pages_health_and_openapi,
    a_plain_form_post_comes_back_with_its_error,
    disabling_ends_an_open_session_on_its_next_request,
    authorization_matrix,
    the_designer_api,
);
