//! Request middleware: request ids, cross-site request forgery checks, and working out who
//! the caller is (session cookie or bearer token) for every request.

use app::auth::server::{SESSION_AUTH_VERSION, SESSION_USER, principal_for_session, principal_for_token};
use app::ctx::{AppState, Caller, REQUEST_ID};
use app::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use tower_sessions::Session;
use tracing::Instrument;

use crate::api::ApiError;

/// Whether to trust `X-Forwarded-For` (set from the config).
#[derive(Debug, Clone, Copy)]
pub struct TrustProxy(pub bool);

/// Gives each request an id (kept from a sane `X-Request-Id`, else new), puts it in the
/// tracing span and the response, and makes it available to error reporting.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(), str::to_owned);
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path());
    let started = std::time::Instant::now();
    // The span goes with the future (`instrument`), never entered across an `.await`: a
    // guard held over an await stays entered while the task moves between threads, nests
    // requests inside one another, and tracing-subscriber then panics in the middle of a
    // request ("tried to clone a span that already closed") — seen when a browser fetched
    // many WASM parts at once.
    let mut res = REQUEST_ID
        .scope(
            id.clone(),
            async move {
                let res = next.run(req).await;
                tracing::info!(status = res.status().as_u16(), ms = started.elapsed().as_millis() as u64, "served");
                res
            }
            .instrument(span),
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

fn origin_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Refuses state-changing requests whose `Origin` (or, lacking it, `Referer`) is another
/// site. Requests with neither come from non-browser clients, which cannot be forged.
pub async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let source =
        req.headers().get(header::ORIGIN).or_else(|| req.headers().get(header::REFERER)).and_then(|v| v.to_str().ok());
    if let Some(source) = source
        && (source == "null" || origin_of(source) != Some(host))
    {
        tracing::warn!(source, host, "cross-site request refused");
        return ApiError(AppError::Forbidden).into_response();
    }
    next.run(req).await
}

fn client_addr(req: &Request, trust_proxy: bool) -> String {
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| trust_proxy && !v.is_empty() && v.len() <= 64);
    if let Some(first) = forwarded {
        return first.to_owned();
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string())
}

/// Works out the caller: a bearer token, else the session. A session whose user was
/// disabled or whose password changed since is ended here, on its next request.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let trust = req.extensions().get::<TrustProxy>().is_some_and(|t| t.0);
    let addr = client_addr(&req, trust);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let principal = if let Some(token) = bearer {
        match principal_for_token(&state, token.trim()).await {
            Ok(Some(p)) => Some(p),
            Ok(None) => return ApiError(AppError::Unauthenticated).into_response(),
            Err(e) => return ApiError(e).into_response(),
        }
    } else if let Some(session) = req.extensions().get::<Session>().cloned() {
        let uid = session.get::<i64>(SESSION_USER).await.ok().flatten();
        let av = session.get::<i32>(SESSION_AUTH_VERSION).await.ok().flatten();
        match (uid, av) {
            (Some(uid), Some(av)) => match principal_for_session(&state, uid, av).await {
                Ok(Some(p)) => Some(p),
                Ok(None) => {
                    // Disabled or password changed: this session is over.
                    let _ = session.flush().await;
                    None
                }
                Err(e) => return ApiError(e).into_response(),
            },
            _ => None,
        }
    } else {
        None
    };
    let signed_in = principal.is_some();
    let caller = match principal {
        Some(p) => Caller::user(p, addr),
        None => Caller::anonymous(addr),
    };
    req.extensions_mut().insert(caller);
    if !signed_in && is_page_request(&req) {
        let next_url = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let target = format!("/login?next={}", app::components::percent_encode(next_url));
        return Redirect::to(&target).into_response();
    }
    next.run(req).await
}

/// A browser asking for a page of the signed-in area.
fn is_page_request(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let path = req.uri().path();
    let public = ["/login", "/pkg/", "/sfn/", "/api/", "/healthz", "/readyz"];
    if public.iter().any(|p| path == *p || (p.ends_with('/') && path.starts_with(p))) {
        return false;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.contains('.') {
        return false;
    }
    req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Server functions that fail before our code runs (arguments that do not parse, a body
/// over the limit) come back from the framework as 500 with our error in the body; give them
/// the status that error carries, so bad input is never a server error.
pub async fn server_fn_status(req: Request, next: Next) -> Response {
    let is_sfn = req.uri().path().starts_with("/sfn/");
    let res = next.run(req).await;
    if !is_sfn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(b) => b,
        Err(_) => return ApiError(AppError::internal("unreadable server function error")).into_response(),
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        let err = match err {
            AppError::BadRequest { message } if message.contains("length limit exceeded") => AppError::PayloadTooLarge,
            other => other,
        };
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if parts.status != StatusCode::INTERNAL_SERVER_ERROR {
            let body = serde_json::to_vec(&err).unwrap_or_default();
            parts.headers.remove(header::CONTENT_LENGTH);
            return Response::from_parts(parts, axum::body::Body::from(body));
        }
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// 404 for unknown `/api/` paths in JSON rather than the HTML page.
pub async fn api_not_found() -> Response {
    (StatusCode::NOT_FOUND, axum::Json(serde_json::json!({"error": "not_found", "message": "no such API route"})))
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::origin_of;
    use app::error::AppError;

    #[tokio::test]
    async fn internal_errors_carry_the_request_id() {
        let e = app::ctx::REQUEST_ID.scope("req-123".to_owned(), async { AppError::internal("db on fire") }).await;
        assert_eq!(e, AppError::Internal { request_id: "req-123".into() });
        assert!(!e.to_string().contains("fire"), "the cause stays in the log");
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("http://127.0.0.1:3000/login?x"), Some("127.0.0.1:3000"));
        assert_eq!(origin_of("https://evil.example"), Some("evil.example"));
        assert_eq!(origin_of("garbage"), None);
    }
}
