//! Many clients at once, each loading the server-rendered pages and posting server functions
//! as a browser does: every request is answered (a panic in a handler is a 500, never a
//! dropped connection). Its own test binary, one runtime, the two databases one after the
//! other: the server runs in one runtime, and Leptos's rendering shares global state across
//! the runtimes of tests running side by side in one process (there, an occasional page
//! never finished; a real server under the same load answers every request).

mod common;

use axum::http::{Method, StatusCode};
use common::client::{Req, app, login, send};
use common::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pages_and_server_functions_answer_many_clients_at_once() {
    many_clients_at_once(common::fresh(Backend::Sqlite).await).await;
    many_clients_at_once(common::fresh(Backend::Postgres).await).await;
}

/// Tens of clients at once, each loading the server-rendered pages and calling server
/// functions for a while: every request is answered with its normal status. (Under
/// concurrent renders a page's `<title>` closure read a reactive value after its owner was
/// gone; the panic dropped the connection, and with the panic caught it would be a 500.)
async fn many_clients_at_once(t: TestDb) {
    let app = app(&t);
    // A request zhang.wei filed: li.na (his manager) approves it; wang.fang may not read it.
    let zhang = common::as_user(&t.db, "zhang.wei").await;
    let form = serde_json::json!({"items": [{"name": "A4 纸", "quantity": 2}], "reason": "部门补充"});
    let filed = app::workflow::service::submit(
        &t.state(),
        &zhang,
        app::workflow::api::SubmitRequest { template_key: "office_supplies".into(), form, picks: Default::default() },
    )
    .await
    .unwrap();
    let cookies = [login(&app, "li.na").await, login(&app, "zhang.wei").await, login(&app, "wang.fang").await];
    let instance = format!("/approvals/{}", filed.id);
    const CLIENTS: usize = 32;
    const EACH: usize = 24;
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (app, cookie, instance) = (app.clone(), cookies[c % cookies.len()].clone(), instance.clone());
        clients.push(tokio::spawn(async move {
            let mut failed = Vec::new();
            for i in 0..EACH {
                let (method, path, form) = match (c + i) % 8 {
                    0 => (Method::GET, "/approvals", None),
                    1 => (Method::GET, "/approvals?box=mine", None),
                    2 => (Method::GET, "/", None),
                    3 => (Method::GET, "/contacts", None),
                    4 => (Method::GET, "/notifications", None),
                    5 => (Method::GET, instance.as_str(), None),
                    6 => (Method::POST, "/sfn/nav_counts", Some(String::new())),
                    _ => (Method::POST, "/sfn/current_user", Some(String::new())),
                };
                let req = Req { cookie: Some(&cookie), form, ..Default::default() };
                let Ok(r) =
                    tokio::time::timeout(std::time::Duration::from_secs(45), send(&app, method, path, req)).await
                else {
                    failed.push(format!("{path}: no answer in 45 s"));
                    continue;
                };
                // The instance page is the requester's and its approvers' only.
                let ok = r.status == StatusCode::OK || (path == instance && r.status == StatusCode::FORBIDDEN);
                if !ok {
                    failed.push(format!("{path}: {} {}", r.status, r.body.chars().take(160).collect::<String>()));
                }
            }
            failed
        }));
    }
    let mut failed = Vec::new();
    for c in clients {
        failed.extend(c.await.expect("a client's task panicked: a request went unanswered"));
    }
    assert!(
        failed.is_empty(),
        "{} of {} requests failed, e.g. {:?}",
        failed.len(),
        CLIENTS * EACH,
        &failed[..failed.len().min(3)]
    );
}
