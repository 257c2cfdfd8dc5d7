//! sea-orm entities, one per table (server only). Queries live in the services, not here.

pub mod api_tokens;
pub mod audit_head;
pub mod audit_log;
pub mod departments;
pub mod login_attempts;
pub mod roles;
pub mod sessions;
pub mod user_roles;
pub mod users;
