//! Audit DTOs and server functions.

use crate::common::Page;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ctx::{server_context, with_status};

/// Filters of the audit viewer and export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct AuditFilter {
    /// Username of the actor.
    pub actor: Option<String>,
    /// Action, or its prefix (`user.` finds every user action).
    pub action: Option<String>,
    /// First day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

/// One audit row as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub client_addr: String,
    pub result: String,
    pub detail: String,
}

/// A page of the audit log.
#[server(prefix = "/sfn", endpoint = "search_audit")]
pub async fn search_audit(filter: AuditFilter) -> Result<Page<AuditRow>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::audit::server::search(&st, &caller, filter).await)
}
