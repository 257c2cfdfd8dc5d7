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
mod m20261121_000008_create_wf_templates;
mod m20261121_000009_create_wf_template_versions;
mod m20261121_000010_create_wf_instances;
mod m20261121_000011_create_wf_tasks;
mod m20261121_000012_create_wf_history;
mod m20261121_000013_create_wf_cc;
mod m20261121_000014_create_wf_violations;
mod m20261121_000015_create_outbox;
mod m20261121_000016_create_notifications;
mod m20261121_000017_create_attachments;
mod m20261121_000018_create_leave_balances;
mod m20261121_000019_create_settings;
mod m20261121_000020_create_wf_drafts;
mod m20261121_000021_create_mail_queue;
mod m20261121_000022_create_notification_prefs;
mod m20261121_000023_list_indexes;
mod m20261121_000024_create_wf_template_drafts;
mod m20261130_000025_security_hardening;

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
            Box::new(m20261121_000008_create_wf_templates::Migration),
            Box::new(m20261121_000009_create_wf_template_versions::Migration),
            Box::new(m20261121_000010_create_wf_instances::Migration),
            Box::new(m20261121_000011_create_wf_tasks::Migration),
            Box::new(m20261121_000012_create_wf_history::Migration),
            Box::new(m20261121_000013_create_wf_cc::Migration),
            Box::new(m20261121_000014_create_wf_violations::Migration),
            Box::new(m20261121_000015_create_outbox::Migration),
            Box::new(m20261121_000016_create_notifications::Migration),
            Box::new(m20261121_000017_create_attachments::Migration),
            Box::new(m20261121_000018_create_leave_balances::Migration),
            Box::new(m20261121_000019_create_settings::Migration),
            Box::new(m20261121_000020_create_wf_drafts::Migration),
            Box::new(m20261121_000021_create_mail_queue::Migration),
            Box::new(m20261121_000022_create_notification_prefs::Migration),
            Box::new(m20261121_000023_list_indexes::Migration),
            Box::new(m20261121_000024_create_wf_template_drafts::Migration),
            Box::new(m20261130_000025_security_hardening::Migration),
        ]
    }
}
