//! Approvals (SPEC WF-1..9): templates, instances, tasks and their lists, attachments,
//! leave balances, deadlines. The engine itself is pure code in `domain::workflow`; this
//! area persists it and exposes it.

pub mod api;
#[cfg(feature = "ssr")]
pub mod builtin;
pub mod design_api;
#[cfg(feature = "ssr")]
pub mod design_server;
#[cfg(feature = "ssr")]
pub mod desk;
#[cfg(feature = "ssr")]
pub mod effects;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod org_view;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
