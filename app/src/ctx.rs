//! What every service call runs with (server only): the shared state, and the caller —
//! who is acting, from which address, under which request id.

use crate::domain::permission::{Permission, Principal};
use crate::error::{AppError, AppResult};
use leptos::config::LeptosOptions;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::sync::Arc;

/// Settings the services need (the server's `Config` fills them in).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Mark cookies `Secure` (the site is served over TLS).
    pub secure_cookies: bool,
    /// Where uploaded files are kept (content-addressed, under `files/`).
    pub data_dir: std::path::PathBuf,
    /// The largest attachment accepted, in bytes.
    pub max_upload_bytes: usize,
    /// Where e-mail goes out, when configured.
    pub smtp: Option<SmtpSettings>,
}

/// The outgoing mail server (`TONGBAN_SMTP_URL`, e.g. `smtp://127.0.0.1:2525` or
/// `smtps://user:pass@mail.example.com`), the sender, and the address links in mails use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
    pub public_url: String,
}

/// The time services go by. Every service, job and page reads the time from the one
/// `Clock` in `AppState` — never `Utc::now()` and never the database's `now()` — so that
/// what one part writes and another compares (an outbox row's `available_at`, a deadline, a
/// lock window) is on the same clock. A service reads it once and passes that instant down,
/// so a request or a job happens at one moment.
///
/// Tests use a manual clock, which moves only when told (deadlines are tested by moving it,
/// not by sleeping); the browser tests' server runs on one that starts at a fixed instant.
/// There is deliberately no `Default`: a clock that silently falls back to the system time
/// is how a test ends up on two clocks.
#[derive(Debug, Clone)]
pub struct Clock(ClockKind);

#[derive(Debug, Clone)]
enum ClockKind {
    System,
    Manual(Arc<std::sync::Mutex<chrono::DateTime<chrono::Utc>>>),
    /// Starts at an instant and runs at the speed of the monotonic clock.
    From {
        start: chrono::DateTime<chrono::Utc>,
        at: std::time::Instant,
    },
}

impl Clock {
    /// The system clock: the only place the server reads the wall-clock time.
    #[must_use]
    pub fn system() -> Self {
        Self(ClockKind::System)
    }

    /// A clock standing at `t` until moved.
    #[must_use]
    pub fn manual(t: chrono::DateTime<chrono::Utc>) -> Self {
        Self(ClockKind::Manual(Arc::new(std::sync::Mutex::new(t))))
    }

    /// A clock that reads `t` now and runs on from there (`TONGBAN_CLOCK_START`, for the
    /// browser tests and demonstrations as of a given day).
    #[must_use]
    pub fn starting_at(t: chrono::DateTime<chrono::Utc>) -> Self {
        Self(ClockKind::From { start: t, at: std::time::Instant::now() })
    }

    /// The current time.
    #[must_use]
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        match &self.0 {
            ClockKind::System => chrono::Utc::now(),
            ClockKind::Manual(t) => *t.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            ClockKind::From { start, at } => {
                *start + chrono::Duration::from_std(at.elapsed()).unwrap_or_else(|_| chrono::Duration::zero())
            }
        }
    }

    /// Moves a manual clock forward (other clocks ignore this).
    pub fn advance(&self, by: chrono::Duration) {
        if let ClockKind::Manual(t) = &self.0 {
            let mut g = t.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *g += by;
        }
    }

    /// Sets a manual clock to `t` (other clocks ignore this).
    pub fn set(&self, t: chrono::DateTime<chrono::Utc>) {
        if let ClockKind::Manual(m) = &self.0 {
            *m.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = t;
        }
    }
}

/// Shared by every request handler, server function and background job.
#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub db: Db,
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// What an area keeps in memory for the life of the server (a cache of published
    /// template versions, …), each under its own type: the state names no area's types.
    pub areas: Arc<AreaState>,
    /// The live event streams open on this server.
    pub live: Arc<LiveStreams>,
}

impl AppState {
    /// The state `S` an area keeps for the life of the server, made on first use.
    #[must_use]
    pub fn area<S: Default + Send + Sync + 'static>(&self) -> Arc<S> {
        self.areas.get_or_default::<S>()
    }
}

/// Per-area state, one value per type (see [`AppState::area`]).
#[derive(Default)]
pub struct AreaState(
    std::sync::RwLock<std::collections::HashMap<std::any::TypeId, Arc<dyn std::any::Any + Send + Sync>>>,
);

impl AreaState {
    fn get_or_default<S: Default + Send + Sync + 'static>(&self) -> Arc<S> {
        let key = std::any::TypeId::of::<S>();
        let found = self.0.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(&key).cloned();
        let any = match found {
            Some(v) => v,
            None => self
                .0
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .entry(key)
                .or_insert_with(|| Arc::new(S::default()))
                .clone(),
        };
        // The map holds under each type's id a value of that type.
        any.downcast::<S>().unwrap_or_else(|_| Arc::new(S::default()))
    }
}

impl std::fmt::Debug for AreaState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AreaState")
    }
}

/// The database connection pool with its writer slot.
///
/// On SQLite one writer at a time per database: SQLite allows a single writer anyway, and
/// queueing here instead of in SQLite's busy handler (which sleeps in steps of up to 100 ms)
/// keeps write latency flat under load. The slot belongs to the connection, so two databases
/// in one process (tests, a restore drill) never wait for each other. Other processes on the
/// same file still meet the busy handler.
#[derive(Debug, Clone)]
pub struct Db {
    conn: DatabaseConnection,
    writer: Arc<tokio::sync::Semaphore>,
}

impl Db {
    /// Wraps a connection pool.
    #[must_use]
    pub fn new(conn: DatabaseConnection) -> Self {
        Self { conn, writer: Arc::new(tokio::sync::Semaphore::new(1)) }
    }

    /// The pool itself.
    #[must_use]
    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }
}

impl From<DatabaseConnection> for Db {
    fn from(conn: DatabaseConnection) -> Self {
        Self::new(conn)
    }
}

impl std::ops::Deref for Db {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        &self.conn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.conn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.conn.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.conn.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.conn.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.conn.support_returning()
    }
    fn is_mock_connection(&self) -> bool {
        self.conn.is_mock_connection()
    }
}

/// The most live event streams one person may hold open on one server (tabs, devices);
/// opening another closes their oldest.
pub const MAX_LIVE_STREAMS: usize = 5;

/// One open stream: its number and the flag that closes it.
type OpenStream = (u64, Arc<std::sync::atomic::AtomicBool>);

/// The live event streams open on this server, per user.
#[derive(Debug, Default)]
pub struct LiveStreams {
    next: std::sync::atomic::AtomicU64,
    open: std::sync::Mutex<std::collections::HashMap<i64, std::collections::VecDeque<OpenStream>>>,
}

/// One open stream: it ends when [`LiveTicket::closed`] says so, and leaves the registry when
/// dropped.
#[derive(Debug)]
pub struct LiveTicket {
    registry: Arc<LiveStreams>,
    user: i64,
    id: u64,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl LiveStreams {
    /// Registers a new stream of `user`, closing their oldest beyond [`MAX_LIVE_STREAMS`].
    #[must_use]
    pub fn open(self: &Arc<Self>, user: i64) -> LiveTicket {
        use std::sync::atomic::Ordering;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = open.entry(user).or_default();
        mine.push_back((id, closed.clone()));
        while mine.len() > MAX_LIVE_STREAMS {
            if let Some((_, oldest)) = mine.pop_front() {
                oldest.store(true, Ordering::Relaxed);
            }
        }
        LiveTicket { registry: self.clone(), user, id, closed }
    }

    /// How many streams `user` has open here.
    #[must_use]
    pub fn count(&self, user: i64) -> usize {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&user).map_or(0, |v| v.len())
    }
}

impl LiveTicket {
    /// Whether a newer stream of the same user closed this one.
    #[must_use]
    pub fn closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for LiveTicket {
    fn drop(&mut self) {
        let mut open = self.registry.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(mine) = open.get_mut(&self.user) {
            mine.retain(|(id, _)| *id != self.id);
            if mine.is_empty() {
                open.remove(&self.user);
            }
        }
    }
}

/// Where a call comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An HTTP request, with its id.
    Request(String),
    /// The command line or a background job.
    System,
}

impl Origin {
    /// The request being served.
    #[must_use]
    pub fn request() -> Self {
        Self::Request(current_request_id())
    }
}

/// Who is calling and from where. Put into each request's extensions by the server's
/// authentication middleware.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Option<Principal>,
    pub client_addr: String,
    /// Where the call comes from: a request (with its id) or the system itself.
    pub origin: Origin,
    /// The prefix of the API token the request came with, if it came with one (written into
    /// the audit rows of what it does).
    pub token: Option<String>,
}

impl Caller {
    /// An anonymous caller from an address.
    #[must_use]
    pub fn anonymous(client_addr: impl Into<String>) -> Self {
        Self { principal: None, client_addr: client_addr.into(), origin: Origin::request(), token: None }
    }

    /// The command line and background jobs: audited as `system`.
    #[must_use]
    pub fn system() -> Self {
        Self { principal: None, client_addr: "local".into(), origin: Origin::System, token: None }
    }

    /// A signed-in user.
    #[must_use]
    pub fn user(principal: Principal, client_addr: impl Into<String>) -> Self {
        Self { principal: Some(principal), client_addr: client_addr.into(), origin: Origin::request(), token: None }
    }

    /// A user acting through an API token (its prefix).
    #[must_use]
    pub fn via_token(principal: Principal, client_addr: impl Into<String>, prefix: impl Into<String>) -> Self {
        Self { token: Some(prefix.into()), ..Self::user(principal, client_addr) }
    }

    /// The signed-in user.
    ///
    /// # Errors
    /// `Unauthenticated` for an anonymous caller.
    pub fn require_user(&self) -> AppResult<&Principal> {
        self.principal.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// The signed-in user, if they hold `p`.
    ///
    /// # Errors
    /// `Unauthenticated` for an anonymous caller, `Forbidden` without the permission.
    pub fn require(&self, p: Permission) -> AppResult<&Principal> {
        let user = self.require_user()?;
        if user.can(p) { Ok(user) } else { Err(AppError::Forbidden) }
    }

    /// The name written into the audit log.
    #[must_use]
    pub fn actor_name(&self) -> String {
        match &self.principal {
            Some(p) => p.username.clone(),
            None if self.origin == Origin::System => "system".into(),
            None => "anonymous".into(),
        }
    }
}

tokio::task_local! {
    /// The id of the request being served, set by the server's middleware.
    pub static REQUEST_ID: String;
}

/// The current request's id, or a fresh one outside a request.
#[must_use]
pub fn current_request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| uuid::Uuid::new_v4().simple().to_string()[..12].to_owned())
}

/// A write transaction: on SQLite it also holds the process's writer slot until it ends.
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _slot: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    /// Commits.
    ///
    /// # Errors
    /// The database error.
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// Rolls back.
    ///
    /// # Errors
    /// The database error.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

/// Begins a transaction that will write. On SQLite it waits for the process's writer slot and
/// then takes the write lock at once (`BEGIN IMMEDIATE`), so a read-then-write transaction
/// never fails half-way on a lock upgrade; PostgreSQL ignores both.
///
/// # Errors
/// The database error; a writer slot not free within 30 seconds.
pub async fn begin_write(db: &Db) -> Result<WriteTxn, DbErr> {
    let slot = if db.get_database_backend() == DbBackend::Sqlite {
        let permit = tokio::time::timeout(std::time::Duration::from_secs(30), db.writer.clone().acquire_owned())
            .await
            .map_err(|_| DbErr::Custom("timed out waiting for the database writer".into()))?
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        Some(permit)
    } else {
        None
    };
    let txn = db
        .conn
        .begin_with_options(TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        })
        .await?;
    Ok(WriteTxn { txn, _slot: slot })
}

/// For server functions: the state and the caller of the current request.
///
/// # Errors
/// `Internal` when called outside a request.
pub async fn server_context() -> AppResult<(AppState, Caller)> {
    let state = leptos::prelude::use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing"))?;
    let caller = match leptos_axum::extract::<axum::Extension<Caller>>().await {
        Ok(axum::Extension(c)) => c,
        Err(e) => return Err(AppError::internal(format!("caller missing: {e}"))),
    };
    Ok((state, caller))
}

/// The most characters of one typed text a refused plain form post keeps (the longest
/// free-text input of a form is 2,000).
pub const KEPT_CHARS: usize = 4000;

/// Sets the HTTP status of a server function's response to match its error. A plain HTML
/// form post (no JavaScript yet) is sent back to the form's page instead, with the error left
/// for that form in the session ([`crate::flash`]), where the page shows it inline.
pub fn with_status<T>(r: AppResult<T>) -> AppResult<T> {
    with_status_keeping(r, &[])
}

/// [`with_status`], keeping what was typed into the form's free-text inputs (`(name, text)`)
/// for the page the plain form post is sent back to, so a refused decision does not lose its
/// comment. Each text is kept up to [`KEPT_CHARS`] characters.
pub fn with_status_keeping<T>(r: AppResult<T>, kept: &[(&str, &str)]) -> AppResult<T> {
    if let Err(e) = &r {
        let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else { return r };
        let parts = leptos::prelude::use_context::<http::request::Parts>();
        let plain_form = parts.as_ref().is_some_and(|p| {
            p.method == http::Method::POST
                && p.headers
                    .get(http::header::ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        });
        let referer = parts
            .as_ref()
            .and_then(|p| p.headers.get(http::header::REFERER))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match (plain_form, referer) {
            (true, Some(referer)) => {
                let source = parts.as_ref().map(|p| p.uri.path().to_owned()).unwrap_or_default();
                let kept = kept
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(n, v)| ((*n).to_owned(), v.chars().take(KEPT_CHARS).collect()))
                    .collect();
                let flash = crate::flash::Flash::Error { source, error: e.clone(), kept };
                if let (Ok(v), Some(h)) = (http::HeaderValue::from_str(&referer), crate::flash::header_value(&flash)) {
                    opts.insert_header(http::header::LOCATION, v);
                    opts.insert_header(http::HeaderName::from_static(crate::flash::HEADER), h);
                    opts.set_status(http::StatusCode::SEE_OTHER);
                }
            }
            _ => opts.set_status(http::StatusCode::from_u16(e.status_code()).unwrap_or(http::StatusCode::BAD_REQUEST)),
        }
    }
    r
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn two_databases_have_their_own_writer_slots() {
        let a = super::Db::new(sea_orm::Database::connect("sqlite::memory:").await.unwrap());
        let b = super::Db::new(sea_orm::Database::connect("sqlite::memory:").await.unwrap());
        let held = super::begin_write(&a).await.unwrap();
        // With one slot per process this would wait 30 seconds and fail.
        let other = tokio::time::timeout(std::time::Duration::from_secs(2), super::begin_write(&b)).await;
        assert!(other.is_ok_and(|t| t.is_ok()), "the second database's writer is not held by the first's");
        // The same database's slot is held.
        let same = tokio::time::timeout(std::time::Duration::from_millis(200), super::begin_write(&a.clone())).await;
        assert!(same.is_err(), "one writer at a time on one database");
        held.rollback().await.unwrap();
    }

    #[test]
    fn a_sixth_live_stream_closes_the_oldest() {
        let live = std::sync::Arc::new(super::LiveStreams::default());
        let tickets: Vec<_> = (0..super::MAX_LIVE_STREAMS).map(|_| live.open(7)).collect();
        assert!(tickets.iter().all(|t| !t.closed()));
        let other = live.open(8);
        let newest = live.open(7);
        assert!(tickets[0].closed(), "the oldest of user 7 is closed");
        assert!(tickets[1..].iter().all(|t| !t.closed()) && !newest.closed() && !other.closed());
        assert_eq!(live.count(7), super::MAX_LIVE_STREAMS);
        drop(tickets);
        assert_eq!(live.count(7), 1, "closed streams leave the registry");
        drop(newest);
        assert_eq!(live.count(7), 0);
    }
}
