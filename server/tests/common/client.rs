//! The HTTP client of the tests: requests through the real router (no socket), as a
//! browser or an integration sends them.

use super::{DEMO_PASSWORD, TestDb};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The whole application on the test database's state: the same clock the tests move and
/// the jobs they run go by.
pub fn app(t: &TestDb) -> Router {
    server::router_for(t.state(), &t.options())
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("tongban_session="))
            .map(|v| v.split(';').next().unwrap().to_owned())
    }
}

#[derive(Default, Clone)]
pub struct Req<'a> {
    pub cookie: Option<&'a str>,
    pub json: Option<String>,
    pub form: Option<String>,
    pub headers: Vec<(&'static str, String)>,
}

pub async fn send(app: &Router, method: Method, path: &str, r: Req<'_>) -> Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("x-forwarded-for", "192.0.2.10")
        .header(header::HOST, "localhost");
    if let Some(c) = r.cookie {
        b = b.header(header::COOKIE, c);
        // What a browser sends with every request of its own pages (the CSRF check wants one
        // of Origin, Referer or Sec-Fetch-Site with a session cookie).
        let states_origin = r
            .headers
            .iter()
            .any(|(k, _)| matches!(*k, "origin" | "referer" | "sec-fetch-site" | "x-no-fetch-metadata"));
        if !states_origin {
            b = b.header("sec-fetch-site", "same-origin");
        }
    }
    for (k, v) in &r.headers {
        b = b.header(*k, v);
    }
    let body = if let Some(j) = r.json {
        b = b.header(header::CONTENT_TYPE, "application/json");
        Body::from(j)
    } else if let Some(f) = r.form {
        b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        Body::from(f)
    } else {
        Body::empty()
    };
    let request = b.body(body).unwrap();
    let (method, path) = (request.method().clone(), request.uri().to_string());
    // No request may go unanswered: one that takes two minutes fails its test, naming itself,
    // instead of holding the whole run (once, a page request never finished in one run of
    // several hundred).
    let answered = async {
        let res = app.clone().oneshot(request).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    };
    match tokio::time::timeout(std::time::Duration::from_secs(120), answered).await {
        Ok(r) => r,
        Err(_) => panic!("{method} {path} went unanswered for two minutes"),
    }
}

pub async fn login(app: &Router, username: &str) -> String {
    let r = send(
        app,
        Method::POST,
        "/api/v1/auth/login",
        Req {
            json: Some(format!(r#"{{"username":"{username}","password":"{DEMO_PASSWORD}"}}"#)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.body);
    r.cookie().expect("session cookie")
}
