//! Schema migrations, applied forward on startup (`tongban serve`) or by `tongban migrate`.
//! One file per table or change, named `mYYYYMMDD_HHMMSS_<verb>_<table>.rs`, with `up` and `down`.

pub use sea_orm_migration::prelude::*;

mod m20261121_000001_create_departments;
mod m20261121_000002_create_users;
mod m20261121_000003_create_roles;
mod m20261121_000004_create_sessions;
mod m20261121_000005_create_login_attempts;
mod m20261121_000006_create_api_tokens;
mod m20261121_000007_create_audit_log;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_departments::Migration),
            Box::new(m20261121_000002_create_users::Migration),
            Box::new(m20261121_000003_create_roles::Migration),
            Box::new(m20261121_000004_create_sessions::Migration),
            Box::new(m20261121_000005_create_login_attempts::Migration),
            Box::new(m20261121_000006_create_api_tokens::Migration),
            Box::new(m20261121_000007_create_audit_log::Migration),
        ]
    }
}
