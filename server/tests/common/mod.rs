//! Test databases: each test gets a fresh, migrated, seeded database — a SQLite file in a
//! temp dir, or a new PostgreSQL database on the local server (`TONGBAN_TEST_PG`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). PostgreSQL being unreachable fails the
//! test; it is never skipped.
#![allow(dead_code)]

use app::ctx::Caller;
use app::domain::permission::Principal;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub const DEMO_PASSWORD: &str = "Demo-pass-2026";

#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// A data directory for uploads.
    pub files: std::path::PathBuf,
    _dir: Option<tempfile::TempDir>,
    _files: tempfile::TempDir,
}

impl TestDb {
    /// Services' state on a manual clock standing at Monday 2026-11-23 10:00 Beijing time.
    pub fn state(&self) -> app::ctx::AppState {
        self.state_with_smtp(None)
    }

    /// The same, sending e-mail through `smtp` when given.
    pub fn state_with_smtp(&self, smtp: Option<app::ctx::SmtpSettings>) -> app::ctx::AppState {
        let start =
            chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00").unwrap().with_timezone(&chrono::Utc);
        server::app_state(
            self.db.clone(),
            leptos::config::LeptosOptions::builder().output_name("tongban").build(),
            &server::RouterOptions {
                secure_cookies: false,
                trust_proxy: false,
                max_body_bytes: 64 * 1024,
                secret: [7; 64],
                data_dir: self.files.clone(),
                max_upload_bytes: 256 * 1024,
                smtp,
            },
            app::ctx::Clock::manual(start),
        )
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
            let dir = tempfile::tempdir().expect("temp dir");
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
    let db = server::db::connect(&url).await.expect("connect");
    server::db::migrate(&db).await.expect("migrate");
    app::org::server::ensure_builtin_roles(&db).await.expect("roles");
    assert!(server::seed::seed_demo(&db, DEMO_PASSWORD).await.expect("seed"));
    app::workflow::builtin::ensure_builtin_templates(&db).await.expect("templates");
    let files = tempfile::tempdir().expect("files dir");
    TestDb { db, backend, files: files.path().to_owned(), _dir: dir, _files: files }
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
