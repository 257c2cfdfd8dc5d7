//! Test databases: each test gets a fresh, migrated, seeded database — a SQLite file in a
//! temp dir, or a new PostgreSQL database on the local server (`TONGBAN_TEST_PG`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). PostgreSQL being unreachable fails the
//! test; it is never skipped.
#![allow(dead_code)]

pub mod client;

use app::ctx::Caller;
use app::domain::permission::Principal;
use app::domain::workflow::calendar::WorkCalendar;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub const DEMO_PASSWORD: &str = "Demo-pass-2026";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    /// The database with its writer slot (the state's own, so tests and services share it).
    pub db: app::ctx::Db,
    pub backend: Backend,
    /// A data directory for uploads.
    pub files: std::path::PathBuf,
    /// The one state (and so the one clock) the services, the router and the jobs share.
    st: app::ctx::AppState,
    _dir: Option<TempDir>,
    _files: TempDir,
}

/// A fresh directory under the system's temp dir, removed with everything in it on drop.
/// (Ours rather than the `tempfile` crate's: that one, as a dev-dependency, turns on a
/// feature of a crate the server shares, and the test build would compile sqlx and sea-orm
/// a second time.)
pub struct TempDir(std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(format!("tongban-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("create a temp dir");
        Self(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The default start: Monday 2026-11-23 10:00 in China (02:00 UTC), a working day.
pub const DEFAULT_START: &str = "2026-11-23T10:00:00+08:00";

/// The instant every test's clock starts at: `TONGBAN_TEST_NOW` (RFC 3339) if set, else
/// [`DEFAULT_START`]. The test command also runs the time-sensitive tests at awkward
/// instants (just after midnight in China, a month's and a year's turn, a weekend, a
/// holiday, a make-up working Saturday). No test reads the wall clock.
pub fn test_start() -> DateTime<Utc> {
    let text = std::env::var("TONGBAN_TEST_NOW").ok().filter(|v| !v.trim().is_empty());
    let text = text.as_deref().unwrap_or(DEFAULT_START);
    DateTime::parse_from_rfc3339(text.trim())
        .unwrap_or_else(|e| panic!("TONGBAN_TEST_NOW={text:?} is not an RFC 3339 time: {e}"))
        .with_timezone(&Utc)
}

/// The working calendar of the test databases: Monday to Friday 09:00–18:00, New Year's Day
/// 2027 off, and Saturday 2027-01-09 a make-up working day (调休).
pub fn test_calendar() -> WorkCalendar {
    let mut cal = WorkCalendar::default();
    cal.holidays.insert(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap());
    cal.workdays.insert(NaiveDate::from_ymd_opt(2027, 1, 9).unwrap());
    cal
}

impl TestDb {
    /// The services' state: one manual clock, standing at [`test_start`] until moved.
    pub fn state(&self) -> app::ctx::AppState {
        self.st.clone()
    }

    /// The same state (the same clock), sending e-mail through `smtp` when given.
    pub fn state_with_smtp(&self, smtp: Option<app::ctx::SmtpSettings>) -> app::ctx::AppState {
        let mut st = self.st.clone();
        st.settings = std::sync::Arc::new(app::ctx::Settings { smtp, ..(*self.st.settings).clone() });
        st
    }

    /// The router's options in the tests (a proxy is trusted so tests can set the client
    /// address with `X-Forwarded-For`).
    pub fn options(&self) -> server::RouterOptions {
        options(self.files.clone())
    }

    /// The tests' clock.
    pub fn clock(&self) -> &app::ctx::Clock {
        &self.st.clock
    }

    /// The time on the tests' clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.st.clock.now()
    }

    /// Today in China by the tests' clock.
    pub fn today(&self) -> NaiveDate {
        app::domain::time::local_date(self.now())
    }

    /// `minutes` of working time after `from`, by the test calendar.
    pub fn working_minutes_after(&self, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        app::domain::time::add_working(&test_calendar(), from, minutes)
    }
}

fn options(files: std::path::PathBuf) -> server::RouterOptions {
    server::RouterOptions {
        secure_cookies: false,
        trust_proxy: 1,
        max_body_bytes: 64 * 1024,
        secret: [7; 64],
        data_dir: files,
        max_upload_bytes: 256 * 1024,
        smtp: None,
    }
}

fn pg_admin_url() -> String {
    std::env::var("TONGBAN_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

static CLEANED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops test databases left by earlier test processes (cargo runs test binaries one after
/// another, so those are finished).
async fn drop_stale_databases(admin: &DatabaseConnection) {
    CLEANED
        .get_or_init(|| async {
            let mine = format!("tb_test_{}_", std::process::id());
            let rows = admin
                .query_all_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    "SELECT datname FROM pg_database WHERE datname LIKE 'tb_test_%'",
                ))
                .await
                .unwrap_or_default();
            for row in rows {
                if let Ok(name) = row.try_get::<String>("", "datname")
                    && !name.starts_with(&mine)
                {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            }
        })
        .await;
}

/// A fresh database of the given kind, migrated and seeded with the demo organisation.
pub async fn fresh(backend: Backend) -> TestDb {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = TempDir::new();
            (server::config::sqlite_url(dir.path()), Some(dir))
        }
        Backend::Postgres => {
            let admin = server::db::connect(&pg_admin_url()).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is required for the service tests and is unreachable at {}: {e}", pg_admin_url())
            });
            drop_stale_databases(&admin).await;
            let name = format!("tb_test_{}_{}", std::process::id(), uuid::Uuid::new_v4().simple());
            admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
            let base = pg_admin_url();
            let url = match base.rsplit_once('/') {
                Some((prefix, _)) => format!("{prefix}/{name}"),
                None => panic!("bad TONGBAN_TEST_PG"),
            };
            (url, None)
        }
    };
    let db = app::ctx::Db::new(server::db::connect(&url).await.expect("connect"));
    server::db::migrate(&db).await.expect("migrate");
    let start = test_start();
    app::org::server::ensure_builtin_roles(&db, start).await.expect("roles");
    assert!(server::seed::seed_demo(&db, DEMO_PASSWORD, start, false).await.expect("seed"));
    app::workflow::builtin::ensure_builtin_templates(&db, start).await.expect("templates");
    let files = TempDir::new();
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("tongban")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    let st = server::app_state(db.clone(), leptos, &options(files.path().to_owned()), app::ctx::Clock::manual(start));
    let admin = as_user(&db, "admin").await;
    app::workflow::service::set_work_calendar(&st, &admin, test_calendar()).await.expect("calendar");
    TestDb { db, backend, files: files.path().to_owned(), st, _dir: dir, _files: files }
}

/// Runs the same test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    super::$name(super::common::fresh(super::common::Backend::Sqlite).await).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    super::$name(super::common::fresh(super::common::Backend::Postgres).await).await;
                }
            }
        )*
    };
}

/// The user id of a demo username.
pub async fn user_id(db: &DatabaseConnection, username: &str) -> i64 {
    app::entities::users::Entity::find()
        .filter(app::entities::users::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"))
        .id
}

/// A caller acting as a demo user, from 127.0.0.1.
pub async fn as_user(db: &DatabaseConnection, username: &str) -> Caller {
    let u = app::entities::users::Entity::find()
        .filter(app::entities::users::Column::Username.eq(username))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let p: Principal = app::auth::server::principal_of(db, &u).await.unwrap();
    Caller::user(p, "127.0.0.1")
}
