//! Request middleware: request ids, cross-site request forgery checks, working out who the
//! caller is (session cookie or bearer token) for every request, and carrying a plain form
//! post's message to the next page through the session.

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

/// How many proxies in front of the server append to `X-Forwarded-For` (0: the header is
/// ignored and the peer address is the client's).
#[derive(Debug, Clone, Copy)]
pub struct TrustProxy(pub u8);

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

/// Whether the session cookie is `Secure` (the site is served over TLS): HSTS is sent then.
#[derive(Debug, Clone, Copy)]
pub struct SecureTransport(pub bool);

/// Headers on every response: no type sniffing, no referrer beyond the origin to other
/// sites, no framing; HSTS over TLS; `no-store` on API and server-function responses
/// (and on downloads and exports, which are API routes); a content security policy on any
/// HTML the page renderer did not give one (without a nonce: no inline script at all).
pub async fn security_headers(req: Request, next: Next) -> Response {
    let secure = req.extensions().get::<SecureTransport>().is_some_and(|s| s.0);
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: header::HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    if secure {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
    let is_html = h.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if path.starts_with("/api/") || path.starts_with("/sfn/") {
        set(h, header::CACHE_CONTROL, "no-store");
    } else if is_html {
        // Pages carry personal data: never kept by a shared cache, always revalidated.
        set(h, header::CACHE_CONTROL, "private, no-cache");
    }
    if is_html && !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, &app::shell::content_security_policy(None));
    }
    res
}

/// The response to a request whose handler panicked: a logged 500 with the request id, the
/// same body as any internal error, instead of a dropped connection. (A panic is a bug; this
/// keeps one request's bug from looking like a network failure to the client.)
#[allow(clippy::needless_pass_by_value)] // the signature tower-http's CatchPanicLayer asks for
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    ApiError(AppError::internal(format!("handler panicked: {what}"))).into_response()
}

fn origin_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}

/// Whether a request carries the session cookie (under either name).
fn has_session_cookie(req: &Request) -> bool {
    req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).any(|c| {
        let name = c.trim().split('=').next().unwrap_or("");
        name == crate::SESSION_COOKIE || name == crate::SESSION_COOKIE_SECURE
    })
}

/// Refuses state-changing requests from another site: an `Origin` (or, lacking it,
/// `Referer`) naming another host, or `Sec-Fetch-Site` other than `same-origin`. A request
/// that carries the session cookie must show where it comes from by one of the three;
/// a request without the cookie (an API client with a bearer token, a sign-in form) cannot
/// ride on anyone's session.
pub async fn csrf(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let source = headers.get(header::ORIGIN).or_else(|| headers.get(header::REFERER)).and_then(|v| v.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let refused = match (source, fetch_site) {
        (Some(source), _) if source == "null" || origin_of(source) != Some(host) => Some("another origin"),
        (_, Some(site)) if site != "same-origin" => Some("Sec-Fetch-Site"),
        (None, None) if has_session_cookie(&req) => Some("no Origin, Referer or Sec-Fetch-Site with a session"),
        _ => None,
    };
    if let Some(why) = refused {
        tracing::warn!(source, host, fetch_site, why, "cross-site request refused");
        return ApiError(AppError::Forbidden).into_response();
    }
    next.run(req).await
}

/// The client's address. Each trusted proxy appends the address it received the request from
/// to `X-Forwarded-For`, so behind `hops` of them the client is the `hops`-th entry from the
/// right; everything to its left is whatever the client sent and is never believed. With
/// fewer entries than hops the request passed fewer proxies, and the left-most entry is the
/// one the first of them appended. An entry that is not an IP address is not used.
#[must_use]
pub fn client_addr_from<'a>(
    forwarded: impl IntoIterator<Item = &'a str>,
    peer: Option<std::net::IpAddr>,
    hops: u8,
) -> String {
    let peer = || peer.map_or_else(|| "unknown".to_owned(), |p| p.to_string());
    if hops == 0 {
        return peer();
    }
    let entries: Vec<&str> = forwarded.into_iter().flat_map(|v| v.split(',')).map(str::trim).collect();
    let Some(entry) = entries.len().checked_sub(usize::from(hops)).map_or(entries.first(), |i| entries.get(i)) else {
        return peer();
    };
    let parsed = entry
        .parse::<std::net::IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| entry.trim_start_matches('[').split(']').next().and_then(|v| v.parse().ok()));
    parsed.map_or_else(peer, |ip| ip.to_string())
}

fn client_addr(req: &Request, hops: u8) -> String {
    let forwarded = req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    client_addr_from(forwarded, peer, hops)
}

/// Works out the caller: a bearer token, else the session. A session whose user was
/// disabled or whose password changed since is ended here, on its next request.
pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let trust = req.extensions().get::<TrustProxy>().map_or(0, |t| t.0);
    let addr = client_addr(&req, trust);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let mut token_prefix = None;
    let principal = if let Some(token) = bearer {
        match principal_for_token(&state, token.trim()).await {
            Ok(Some(used)) => {
                if used.read_only && !matches!(*req.method(), Method::GET | Method::HEAD) {
                    tracing::warn!(token = %used.prefix, "a read-only token tried to change something");
                    return ApiError(AppError::Forbidden).into_response();
                }
                tracing::info!(token = %used.prefix, user = %used.principal.username, "token used");
                token_prefix = Some(used.prefix);
                Some(used.principal)
            }
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
    let caller = match (principal, token_prefix) {
        (Some(p), Some(prefix)) => Caller::via_token(p, addr, prefix),
        (Some(p), None) => Caller::user(p, addr),
        (None, _) => Caller::anonymous(addr),
    };
    let must_change = caller.principal.as_ref().is_some_and(|p| p.must_change_password);
    req.extensions_mut().insert(caller);
    if must_change && !open_before_password_change(&req) {
        if req.method() == Method::GET && !req.uri().path().starts_with("/api/") {
            return Redirect::to("/me?must_change=1").into_response();
        }
        return ApiError(AppError::PasswordChangeRequired).into_response();
    }
    if !signed_in && is_page_request(&req) {
        let next_url = req.uri().path_and_query().map_or("/", |pq| pq.as_str());
        let target = format!("/login?next={}", app::url::percent_encode(next_url));
        return Redirect::to(&target).into_response();
    }
    next.run(req).await
}

/// What an account that must change its password may still do: its own page, the change
/// itself, reading who it is, the language, signing out, and the site's static files.
fn open_before_password_change(req: &Request) -> bool {
    let path = req.uri().path();
    let open = [
        "/me",
        "/sfn/change_password",
        "/sfn/current_user",
        "/sfn/my_account",
        "/sfn/list_api_tokens",
        "/sfn/nav_counts",
        "/sfn/set_locale",
        "/sfn/logout",
        "/api/v1/me",
        "/api/v1/auth/logout",
        "/api/v1/events",
        "/healthz",
        "/readyz",
    ];
    let static_file = req.method() == Method::GET
        && !path.starts_with("/api/")
        && !path.starts_with("/sfn/")
        && path.rsplit('/').next().is_some_and(|last| last.contains('.'));
    open.contains(&path) || path.starts_with("/pkg/") || static_file
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

/// Carries a message from a plain form post to the page it redirects to ([`app::flash`]).
///
/// On the way out, a response carrying the internal flash header loses it, and its message
/// goes into the session, addressed to the redirect's target. On the way in, a page request
/// takes the waiting message out of the session (whatever page it is: a message is for the
/// very next page only) and, when it is addressed to this page, hands it to the render. Looking
/// costs nothing to a request without a waiting message: the session is read, not written.
pub async fn flash(mut req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    if let Some(session) = &session
        && is_page_view(&req)
        && session.get_value(app::flash::SESSION_KEY).await.ok().flatten().is_some()
    {
        let waiting = session.remove_value(app::flash::SESSION_KEY).await.ok().flatten();
        if let Some(stored) = waiting.and_then(|v| serde_json::from_value::<app::flash::Stored>(v).ok())
            && stored.is_for(req.uri().path())
        {
            let path = req.uri().path().to_owned();
            req.extensions_mut().insert(app::flash::Incoming(path, stored.flash));
        }
    }
    let mut res = next.run(req).await;
    if let Some(value) = res.headers_mut().remove(app::flash::HEADER) {
        let to = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(location_path);
        match (session, to, app::flash::from_header(&value)) {
            (Some(session), Some(to), Some(flash)) => {
                if let Err(e) = session.insert(app::flash::SESSION_KEY, app::flash::Stored { to, flash }).await {
                    tracing::warn!(error = %e, "the message for the next page could not be kept");
                }
            }
            _ => tracing::warn!("a message for the next page without a session or a redirect was dropped"),
        }
    }
    res
}

/// The path and query of a redirect target, which may be a full URL (a `Referer`).
fn location_path(location: &str) -> String {
    let rest = location.split_once("://").map_or(location, |(_, r)| r.find('/').map_or("/", |i| &r[i..]));
    rest.to_owned()
}

/// A browser asking for a page (signed in or not): what a flash message is shown on.
fn is_page_view(req: &Request) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let path = req.uri().path();
    let not_pages = ["/pkg/", "/sfn/", "/api/"];
    if not_pages.iter().any(|p| path.starts_with(p)) || path.rsplit('/').next().unwrap_or("").contains('.') {
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
        // Here the error leaves the server: an internal one is given its request's id.
        let err = err.with_request_id(&app::ctx::current_request_id());
        parts.status = StatusCode::from_u16(err.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&err).unwrap_or_default();
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::from(body));
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
    #[test]
    fn the_page_a_redirect_goes_to() {
        assert_eq!(super::location_path("http://localhost/login?next=%2F"), "/login?next=%2F");
        assert_eq!(super::location_path("https://oa.example.cn"), "/");
        assert_eq!(super::location_path("/approvals?box=todo"), "/approvals?box=todo");
    }

    use super::client_addr_from;

    #[test]
    fn the_client_is_the_address_the_trusted_proxy_appended() {
        let peer = Some("10.0.0.5".parse().unwrap());
        // No proxy trusted: the header is the client's own text.
        assert_eq!(client_addr_from(["203.0.113.9"], peer, 0), "10.0.0.5");
        // One proxy: the right-most entry, whatever the client put before it.
        assert_eq!(client_addr_from(["6.6.6.6, 203.0.113.9"], peer, 1), "203.0.113.9");
        assert_eq!(client_addr_from(["6.6.6.6", "203.0.113.9"], peer, 1), "203.0.113.9");
        // Two proxies: the second from the right.
        assert_eq!(client_addr_from(["6.6.6.6, 203.0.113.9, 10.1.1.1"], peer, 2), "203.0.113.9");
        assert_eq!(client_addr_from(["203.0.113.9"], peer, 2), "203.0.113.9");
        // Ports and brackets are dropped; junk is not an address.
        assert_eq!(client_addr_from(["203.0.113.9:4711"], peer, 1), "203.0.113.9");
        assert_eq!(client_addr_from(["[2001:db8::1]:443"], peer, 1), "2001:db8::1");
        assert_eq!(client_addr_from(["1.2.3.4, not-an-ip"], peer, 1), "10.0.0.5");
        assert_eq!(client_addr_from([], peer, 1), "10.0.0.5");
        assert_eq!(client_addr_from([], None, 1), "unknown");
    }

    use super::origin_of;
    use app::error::AppError;

    #[tokio::test]
    async fn internal_errors_name_the_request_where_they_leave_the_server() {
        use axum::response::IntoResponse;
        let e = AppError::internal("db on fire");
        assert_eq!(e, AppError::Internal { request_id: String::new() }, "the service does not know the request");
        assert!(!e.to_string().contains("fire"), "the cause stays in the log");
        let res =
            app::ctx::REQUEST_ID.scope("req-123".to_owned(), async { crate::api::ApiError(e).into_response() }).await;
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["request_id"], "req-123");
        // A request id already named is kept.
        let named = AppError::Internal { request_id: "other".into() }.with_request_id("req-123");
        assert_eq!(named, AppError::Internal { request_id: "other".into() });
    }

    #[tokio::test]
    async fn a_panic_becomes_a_500_with_the_request_id() {
        let res = app::ctx::REQUEST_ID.scope("req123".into(), async { super::panic_response(Box::new("boom")) }).await;
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1024).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"], "internal");
        assert_eq!(v["request_id"], "req123");
        assert!(!v["message"].as_str().unwrap().contains("boom"), "the cause stays in the log: {v}");
    }

    #[test]
    fn origins() {
        assert_eq!(origin_of("http://127.0.0.1:3000/login?x"), Some("127.0.0.1:3000"));
        assert_eq!(origin_of("https://evil.example"), Some("evil.example"));
        assert_eq!(origin_of("garbage"), None);
    }
}
