//! Security at the HTTP layer (issue 14): the same bodies on SQLite and PostgreSQL, through
//! the real router. Each test is a hole that was open, tried the way an attacker would.

use crate::common::client::{Req, app, login, send};
use crate::common::{self, DEMO_PASSWORD, TestDb, user_id};
use crate::on_both;
use axum::http::{Method, StatusCode, header};

fn login_body(username: &str, password: &str) -> String {
    serde_json::json!({"username": username, "password": password}).to_string()
}

/// Item 2: behind one trusted proxy the client's address is the one the proxy appended; a
/// fresh `X-Forwarded-For` text from the client for every guess changes nothing.
async fn a_forged_forwarded_for_does_not_escape_the_lockout(t: TestDb) {
    let app = app(&t);
    let mut statuses = Vec::new();
    for i in 0..8 {
        let forged = format!("10.{}.{}.{}, 203.0.113.7", i, i * 3, i * 7);
        let r = send(
            &app,
            Method::POST,
            "/api/v1/auth/login",
            Req {
                json: Some(login_body("zhang.wei", "wrong-password-1")),
                headers: vec![("x-forwarded-for", forged)],
                ..Default::default()
            },
        )
        .await;
        statuses.push(r.status.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429], "{statuses:?}");
    // Even the right password waits out the lock from that address.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req {
            json: Some(login_body("zhang.wei", DEMO_PASSWORD)),
            headers: vec![("x-forwarded-for", "198.51.100.99, 203.0.113.7".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

/// Item 1 over the API: HR (only `user_manage`) cannot create an administrator or reset
/// one's password.
async fn the_users_api_refuses_an_administrator_from_hr(t: TestDb) {
    let app = app(&t);
    let st = t.state();
    let admin = common::as_user(&t.db, "admin").await;
    let role = app::org::api::NewRole {
        key: "hr_team".into(),
        name: "人事".into(),
        permissions: vec!["directory_read".into(), "user_read".into(), "user_manage".into()],
    };
    app::org::server::create_role(&st, &admin, role).await.unwrap();
    app::org::server::set_user_role(&st, &admin, user_id(&t.db, "zhang.wei").await, "hr_team", true).await.unwrap();
    let hr = login(&app, "zhang.wei").await;
    let body = r#"{"username":"evil.admin","display_name":"x","password":"Unusual-pass-2026","roles":["admin"]}"#;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/users",
        Req { cookie: Some(&hr), json: Some(body.into()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let aid = user_id(&t.db, "admin").await;
    let r = send(
        &app,
        Method::POST,
        "/sfn/reset_password",
        Req { cookie: Some(&hr), form: Some(format!("id={aid}&password=Taken-over-2026x")), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    let r = send(
        &app,
        Method::POST,
        &format!("/api/v1/users/{aid}/disable"),
        Req { cookie: Some(&hr), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
}

/// Item 6: after signing in, `next` goes to a path of this site or to `/`, whatever it holds.
async fn sign_in_never_redirects_off_the_site(t: TestDb) {
    let app = app(&t);
    let payloads = [
        ("%2F%09%2Fevil.example", "/"),
        ("%2F%0A%2Fevil.example", "/"),
        ("%2F%0D%2Fevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%2F%5Cevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("https%3A%2F%2Fevil.example", "/"),
        ("javascript%3Aalert(1)", "/"),
        ("%2F%20%2Fevil.example", "/"),
        ("%2F%E3%80%80%2Fevil.example", "/"),
        ("evil.example", "/"),
        ("%2Fapprovals%3Ftab%3Dtodo", "/approvals?tab=todo"),
    ];
    for (next, expected) in payloads {
        let r = send(
            &app,
            Method::POST,
            "/sfn/login",
            Req {
                form: Some(format!("username=zhang.wei&password={DEMO_PASSWORD}&next={next}")),
                headers: vec![("accept", "text/html".into()), ("referer", "http://localhost/login".into())],
                ..Default::default()
            },
        )
        .await;
        assert_eq!(r.status, StatusCode::FOUND, "{next}: {}", r.body);
        assert_eq!(r.headers.get(header::LOCATION).unwrap(), expected, "{next}");
    }
}

/// Item 8: every response says nosniff and a referrer policy; a page carries a content
/// security policy whose nonce is on each of its inline scripts and nowhere else; API
/// responses are not stored.
async fn pages_carry_a_nonce_policy_and_api_responses_are_not_stored(t: TestDb) {
    let app = app(&t);
    let me = login(&app, "zhang.wei").await;
    let page = send(
        &app,
        Method::GET,
        "/approvals",
        Req { cookie: Some(&me), headers: vec![("accept", "text/html".into())], ..Default::default() },
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).expect("a CSP").to_str().unwrap().to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src 'self' 'unsafe-inline"), "{csp}");
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("a nonce").to_owned();
    assert!(nonce.len() >= 16, "{nonce}");
    // Every script with something to run carries the nonce (an empty `<script></script>`
    // Leptos leaves in the body runs nothing).
    let scripts = page.body.matches("<script").count() - page.body.matches("<script></script>").count();
    let with_nonce = page.body.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(scripts > 0 && with_nonce == scripts, "{with_nonce} of {scripts} inline scripts carry the nonce");
    assert!(!page.body.contains("onclick="), "no inline handlers");
    assert_eq!(page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert_eq!(page.headers.get(header::REFERRER_POLICY).unwrap(), "strict-origin-when-cross-origin");
    // A second page gets another nonce.
    let again = send(
        &app,
        Method::GET,
        "/approvals",
        Req { cookie: Some(&me), headers: vec![("accept", "text/html".into())], ..Default::default() },
    )
    .await;
    assert_ne!(again.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap(), csp);
    let api = send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&me), ..Default::default() }).await;
    assert_eq!(api.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert_eq!(api.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    assert!(api.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over plain HTTP");

    // Over TLS: HSTS, and the session cookie under the __Host- prefix.
    let mut opts = t.options();
    opts.secure_cookies = true;
    let tls = server::router_for(t.state(), &opts);
    let r = send(
        &tls,
        Method::POST,
        "/api/v1/auth/login",
        Req { json: Some(login_body("zhang.wei", DEMO_PASSWORD)), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-tongban_session=") && cookie.contains("Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert!(r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());
}

/// Item 16: an upload declared as SVG (or HTML) never comes back with that type; downloads
/// are attachments, not stored, sandboxed.
async fn downloads_are_inert(t: TestDb) {
    let app = app(&t);
    let me = login(&app, "zhang.wei").await;
    let svg = r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    for (name, declared) in [("x.png", "image/svg+xml"), ("y.txt", "text/html"), ("z.pdf", "application/pdf")] {
        let up = send(
            &app,
            Method::POST,
            &format!("/api/v1/attachments?filename={name}"),
            Req { cookie: Some(&me), headers: vec![("content-type", declared.into())], form: None, json: None },
        )
        .await;
        // (no body: refused as empty)
        assert_eq!(up.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", up.body);
        let req = axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/attachments?filename={name}"))
            .header(header::HOST, "localhost")
            .header(header::COOKIE, &me)
            .header("sec-fetch-site", "same-origin")
            .header(header::CONTENT_TYPE, declared)
            .body(axum::body::Body::from(svg))
            .unwrap();
        let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let bytes = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
        let id = serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()["id"].as_str().unwrap().to_owned();
        let down = send(
            &app,
            Method::GET,
            &format!("/api/v1/attachments/{id}"),
            Req { cookie: Some(&me), ..Default::default() },
        )
        .await;
        assert_eq!(down.status, StatusCode::OK);
        let ct = down.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap();
        if declared == "application/pdf" {
            assert_eq!(ct, "application/pdf");
        } else {
            assert_eq!(ct, "application/octet-stream", "{declared}");
        }
        assert!(down.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().starts_with("attachment"));
        assert_eq!(down.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        assert!(down.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap().contains("sandbox"));
        assert_eq!(down.body, svg, "streamed whole");
    }
}

/// Item 11: with a session cookie a state-changing request must say where it comes from;
/// a bearer token needs no such header.
async fn a_session_post_without_origin_is_refused(t: TestDb) {
    let app = app(&t);
    let admin = login(&app, "admin").await;
    let body = r#"{"name":"无来源部门"}"#;
    for headers in [
        vec![("x-no-fetch-metadata", "1".to_owned())],
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("sec-fetch-site", "same-site".to_owned())],
    ] {
        let r = send(
            &app,
            Method::POST,
            "/api/v1/departments",
            Req { cookie: Some(&admin), json: Some(body.into()), headers: headers.clone(), ..Default::default() },
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{headers:?}: {}", r.body);
    }
    let ok = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            cookie: Some(&admin),
            json: Some(body.into()),
            headers: vec![("sec-fetch-site", "same-origin".into())],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    // A token from an integration: no cookie, no browser headers.
    let tok = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Req {
            cookie: Some(&admin),
            json: Some(format!(r#"{{"name":"ERP","password":"{DEMO_PASSWORD}"}}"#)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(tok.status, StatusCode::CREATED, "{}", tok.body);
    let secret = tok.json()["token"].as_str().unwrap().to_owned();
    let r = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            json: Some(r#"{"name":"集成部门"}"#.into()),
            headers: vec![("authorization", format!("Bearer {secret}"))],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
}

/// Item 12: a password change continues the session under a new id; the old id is dead.
async fn a_password_change_cycles_the_session_id(t: TestDb) {
    let app = app(&t);
    let old = login(&app, "zhou.jie").await;
    let r = send(
        &app,
        Method::POST,
        "/sfn/change_password",
        Req {
            cookie: Some(&old),
            form: Some(format!(
                "current_password={DEMO_PASSWORD}&new_password=Rarely-guessed-77&confirm_password=Rarely-guessed-77"
            )),
            ..Default::default()
        },
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    let new = r.cookie().expect("a new session cookie");
    assert_ne!(new, old);
    let me_old = send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&old), ..Default::default() }).await;
    assert_eq!(me_old.status, StatusCode::UNAUTHORIZED);
    let me_new = send(&app, Method::GET, "/api/v1/me", Req { cookie: Some(&new), ..Default::default() }).await;
    assert_eq!(me_new.status, StatusCode::OK, "{}", me_new.body);
}

/// Items 5 and 10: a read-only token reads and never writes; its use is audited under its
/// prefix. An account with a password someone else set can do nothing but change it.
async fn read_only_tokens_and_first_sign_in(t: TestDb) {
    let app = app(&t);
    let li = login(&app, "li.na").await;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Req {
            cookie: Some(&li),
            json: Some(format!(r#"{{"name":"BI","read_only":true,"password":"{DEMO_PASSWORD}"}}"#)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let secret = r.json()["token"].as_str().unwrap().to_owned();
    let prefix = r.json()["prefix"].as_str().unwrap().to_owned();
    let bearer = || vec![("authorization", format!("Bearer {secret}"))];
    assert_eq!(
        send(&app, Method::GET, "/api/v1/me", Req { headers: bearer(), ..Default::default() }).await.status,
        StatusCode::OK
    );
    let write = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req { json: Some(r#"{"name":"只读"}"#.into()), headers: bearer(), ..Default::default() },
    )
    .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    // A token cannot mint another.
    let mint = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Req {
            json: Some(format!(r#"{{"name":"x","password":"{DEMO_PASSWORD}"}}"#)),
            headers: bearer(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(mint.status, StatusCode::FORBIDDEN);
    // What a full token does is audited with its prefix.
    let r = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        Req {
            cookie: Some(&li),
            json: Some(format!(r#"{{"name":"ERP","password":"{DEMO_PASSWORD}"}}"#)),
            ..Default::default()
        },
    )
    .await;
    let full = r.json()["token"].as_str().unwrap().to_owned();
    let full_prefix = r.json()["prefix"].as_str().unwrap().to_owned();
    let denied = send(
        &app,
        Method::POST,
        "/api/v1/departments",
        Req {
            json: Some(r#"{"name":"越权"}"#.into()),
            headers: vec![("authorization", format!("Bearer {full}"))],
            ..Default::default()
        },
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let rows = app::entities::audit_log::Entity::find()
        .filter(app::entities::audit_log::Column::Detail.contains(&full_prefix))
        .all(&t.db)
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.detail.starts_with(&format!("[token {full_prefix}]"))), "{rows:?}");
    let _ = prefix;

    // An administrator creates an account; its first sign-in must change the password.
    let admin = login(&app, "admin").await;
    let body = r#"{"username":"new.clerk","display_name":"新同事","password":"Handed-over-2026"}"#;
    let r = send(
        &app,
        Method::POST,
        "/api/v1/users",
        Req { cookie: Some(&admin), json: Some(body.into()), ..Default::default() },
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = send(
        &app,
        Method::POST,
        "/api/v1/auth/login",
        Req { json: Some(login_body("new.clerk", "Handed-over-2026")), ..Default::default() },
    )
    .await;
    let clerk = r.cookie().unwrap();
    let page = send(
        &app,
        Method::GET,
        "/approvals",
        Req { cookie: Some(&clerk), headers: vec![("accept", "text/html".into())], ..Default::default() },
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers.get(header::LOCATION).unwrap(), "/me?must_change=1");
    let api = send(&app, Method::GET, "/api/v1/departments", Req { cookie: Some(&clerk), ..Default::default() }).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN);
    assert_eq!(api.json()["error"], "password_change_required");
    let me = send(
        &app,
        Method::GET,
        "/me",
        Req { cookie: Some(&clerk), headers: vec![("accept", "text/html".into())], ..Default::default() },
    )
    .await;
    assert_eq!(me.status, StatusCode::OK);
    let r = send(
        &app,
        Method::POST,
        "/sfn/change_password",
        Req {
            cookie: Some(&clerk),
            form: Some(
                "current_password=Handed-over-2026&new_password=My-own-choice-88&confirm_password=My-own-choice-88"
                    .into(),
            ),
            ..Default::default()
        },
    )
    .await;
    assert!(r.status.is_success(), "{} {}", r.status, r.body);
    let clerk = r.cookie().unwrap();
    let api = send(&app, Method::GET, "/api/v1/departments", Req { cookie: Some(&clerk), ..Default::default() }).await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
}

/// Item 9: a live event stream ends with its session.
async fn a_live_stream_ends_with_its_session(t: TestDb) {
    use http_body_util::BodyExt;
    let app = app(&t);
    let li = login(&app, "li.na").await;
    let req = axum::http::Request::builder()
        .uri("/api/v1/events")
        .header(header::COOKIE, &li)
        .header(header::ACCEPT, "text/event-stream")
        .header(header::HOST, "localhost")
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(app.clone(), req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut body = res.into_body();
    let first = body.frame().await.expect("a first event").unwrap();
    assert!(first.is_data());
    let out = send(&app, Method::POST, "/api/v1/auth/logout", Req { cookie: Some(&li), ..Default::default() }).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            match body.frame().await {
                None => return true,
                Some(Err(_)) => return true,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert_eq!(ended, Ok(true), "the stream ended after sign-out");
    let _ = common::Backend::Sqlite;
}

on_both!(
    a_forged_forwarded_for_does_not_escape_the_lockout,
    the_users_api_refuses_an_administrator_from_hr,
    sign_in_never_redirects_off_the_site,
    pages_carry_a_nonce_policy_and_api_responses_are_not_stored,
    downloads_are_inert,
    a_session_post_without_origin_is_refused,
    a_password_change_cycles_the_session_id,
    read_only_tokens_and_first_sign_in,
    a_live_stream_ends_with_its_session,
);
