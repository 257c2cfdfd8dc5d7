//! The Tongban server: configuration, database, sessions, middleware, the JSON API, the
//! Leptos pages and server functions, background jobs, and the command line.

pub mod api;
pub mod assets;
pub mod config;
pub mod db;
pub mod forms;
pub mod middleware;
pub mod seed;
pub mod session_store;

use app::ctx::{AppState, Clock, Settings};
use app::{App, shell};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{any, get};
use axum::{Extension, Json, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_sessions::cookie::{Key, SameSite};
use tower_sessions::{Expiry, SessionManagerLayer};

/// The session cookie's name over plain HTTP (development, tests).
pub const SESSION_COOKIE: &str = "tongban_session";
/// Its name with secure cookies: the `__Host-` prefix makes the browser refuse it unless it
/// is `Secure`, for `/`, and set by this host itself (no sibling subdomain can plant one).
pub const SESSION_COOKIE_SECURE: &str = "__Host-tongban_session";

/// What the router needs beyond the database.
#[derive(Debug, Clone)]
pub struct RouterOptions {
    pub secure_cookies: bool,
    /// Proxies in front of the server that append to `X-Forwarded-For` (0: none).
    pub trust_proxy: u8,
    pub max_body_bytes: usize,
    pub secret: [u8; 64],
    /// Where uploads are stored (`files/` inside it).
    pub data_dir: std::path::PathBuf,
    pub max_upload_bytes: usize,
    /// Outgoing e-mail; none sends no mail.
    pub smtp: Option<app::ctx::SmtpSettings>,
}

/// Site options when not started by cargo-leptos: `Leptos.toml` if present, else defaults;
/// `LEPTOS_*` variables override either.
///
/// # Errors
/// A message when `Leptos.toml` cannot be read.
pub fn leptos_options() -> Result<LeptosOptions, String> {
    let file = if std::env::var("LEPTOS_OUTPUT_NAME").is_ok() {
        None
    } else if std::path::Path::new("Leptos.toml").exists() {
        Some("Leptos.toml")
    } else {
        return Ok(LeptosOptions::builder()
            .output_name("tongban")
            .site_root(std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into()))
            .site_pkg_dir("pkg")
            .build());
    };
    leptos::config::get_configuration(file).map(|c| c.leptos_options).map_err(|e| e.to_string())
}

/// The state every handler and job shares.
#[must_use]
pub fn app_state(db: app::ctx::Db, leptos_options: LeptosOptions, opts: &RouterOptions, clock: Clock) -> AppState {
    AppState {
        db,
        leptos_options,
        settings: Arc::new(Settings {
            secure_cookies: opts.secure_cookies,
            data_dir: opts.data_dir.clone(),
            max_upload_bytes: opts.max_upload_bytes,
            smtp: opts.smtp.clone(),
        }),
        clock,
        areas: Arc::default(),
        live: Arc::default(),
    }
}

/// The page routes, listed once per process. Listing them runs the whole app with resource
/// loading switched off by a process-wide flag (leptos_router's `SuppressResourceLoad`, see
/// leptos issue #4773): a page rendered on another thread while a second router was being
/// built had its resources wait forever. Tests build many routers in one process; listing the
/// routes once, before any router exists, closes that window.
static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();

/// The whole HTTP application: API, server functions, pages, static files.
pub fn router_for(state: AppState, opts: &RouterOptions) -> Router {
    let db = state.db.clone();
    let leptos_options = state.leptos_options.clone();
    let sessions = SessionManagerLayer::new(session_store::DbSessionStore::new(db))
        .with_name(if opts.secure_cookies { SESSION_COOKIE_SECURE } else { SESSION_COOKIE })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(opts.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)))
        .with_signed(Key::from(&opts.secret));
    let (api, openapi) = api::router();
    let openapi = Arc::new(openapi);
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let ctx_state = state.clone();
    Router::new()
        .merge(api)
        .route("/api/v1/openapi.json", get(move || async move { Json(openapi.as_ref().clone()) }))
        .route("/api/v1/events", get(forms::events))
        .route("/api/{*rest}", any(middleware::api_not_found))
        .merge(forms::routes(opts.max_upload_bytes))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(ctx_state.clone());
                provide_context(app::error::RequestId(app::ctx::current_request_id()));
                // A fresh nonce for the page's inline scripts (see `app::shell::shell`).
                leptos::nonce::provide_nonce();
            },
            {
                let o = leptos_options.clone();
                move || shell(o.clone())
            },
        )
        .nest_service(
            "/pkg",
            tower_http::services::ServeDir::new(
                std::path::Path::new(leptos_options.site_root.as_ref()).join(leptos_options.site_pkg_dir.as_ref()),
            )
            .precompressed_br(),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(middleware::server_fn_status))
        .layer(axum::middleware::from_fn(middleware::flash))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::authenticate))
        .layer(sessions)
        .layer(axum::middleware::from_fn(middleware::csrf))
        .layer(DefaultBodyLimit::max(opts.max_body_bytes))
        .layer(Extension(middleware::TrustProxy(opts.trust_proxy)))
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .layer(Extension(middleware::SecureTransport(opts.secure_cookies)))
        .layer(CompressionLayer::new())
        // Inside the request-id scope, so the panic is logged with the request's id.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(middleware::panic_response))
        .layer(axum::middleware::from_fn(middleware::request_id))
        .with_state(state)
}

async fn readyz(State(st): State<AppState>) -> (StatusCode, &'static str) {
    match st.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// Deletes expired sessions and old login attempts every few minutes. Safe on several
/// servers: each run is an idempotent delete.
pub fn spawn_cleanup(state: AppState) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use tower_sessions::session_store::ExpiredDeletion;
    tokio::spawn(async move {
        let db = state.db.clone();
        let store = session_store::DbSessionStore::new(db.clone());
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            tick.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "session clean-up failed");
            }
            let cutoff = state.clock.now() - chrono::Duration::days(7);
            if let Err(e) = app::entities::login_attempts::Entity::delete_many()
                .filter(app::entities::login_attempts::Column::AttemptedAt.lt(cutoff))
                .exec(&db)
                .await
            {
                tracing::warn!(error = %e, "login attempt clean-up failed");
            }
            match app::workflow::service::delete_unclaimed_uploads(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "unclaimed uploads deleted"),
                Err(e) => tracing::warn!(error = %e, "upload clean-up failed"),
            }
        }
    });
}

/// Runs the background jobs: outbox delivery every second, node deadlines every 30 seconds.
/// Several servers may run them against one database; each due job is taken once.
pub fn spawn_workers(state: AppState) {
    let owner = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut n: u64 = 0;
        loop {
            tick.tick().await;
            n += 1;
            loop {
                match app::workflow::jobs::deliver_outbox(&state).await {
                    Ok(200..) => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox delivery failed");
                        break;
                    }
                }
            }
            if n % 5 == 2
                && let Err(e) = app::workflow::mail::send_due(&state, &owner).await
            {
                tracing::warn!(error = %e, "e-mail run failed");
            }
            if n % 30 == 1
                && let Err(e) = app::workflow::jobs::run_timers(&state, &owner).await
            {
                tracing::warn!(error = %e, "deadline run failed");
            }
        }
    });
}
