//! The audit log (SPEC ORG-5): recording, the hash chain, the viewer and CSV export.

pub mod api;
pub mod audit_page;
#[cfg(feature = "ssr")]
pub mod server;
