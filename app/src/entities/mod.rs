//! sea-orm entities, one per table (server only). Queries live in the services, not here.

pub mod api_tokens;
pub mod attachments;
pub mod audit_head;
pub mod audit_log;
pub mod departments;
pub mod leave_balances;
pub mod login_attempts;
pub mod mail_queue;
pub mod notification_prefs;
pub mod notifications;
pub mod outbox;
pub mod roles;
pub mod sessions;
pub mod settings;
pub mod user_roles;
pub mod users;
pub mod wf_cc;
pub mod wf_drafts;
pub mod wf_history;
pub mod wf_instances;
pub mod wf_tasks;
pub mod wf_template_drafts;
pub mod wf_template_versions;
pub mod wf_templates;
pub mod wf_violations;
