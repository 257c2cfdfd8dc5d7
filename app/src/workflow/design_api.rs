//! The designers' DTOs and server functions (thin adapters over `workflow::design_server`).

use super::api::{TemplateDetail, UserRef};
use crate::domain::workflow::design::{Change, Directory, PublishConcern, TemplateDoc};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ctx::{server_context, with_status};
#[cfg(feature = "ssr")]
use crate::workflow::design_server as svc;

/// What publishing a draft did: published it, or sent it to another process owner for review
/// (a `template_publish` request) because its publisher should not decide it alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PublishOutcome {
    Published { template: TemplateDetail },
    UnderReview { instance_id: i64, concerns: Vec<PublishConcern> },
}

impl PublishOutcome {
    /// The published template, if it was published.
    #[must_use]
    pub fn published(self) -> Option<TemplateDetail> {
        match self {
            Self::Published { template } => Some(template),
            Self::UnderReview { .. } => None,
        }
    }
}

/// A template in the designer's list: published, with a draft, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DesignSummary {
    pub key: String,
    pub name: String,
    pub category: String,
    pub icon: String,
    /// The published version, 0 when never published.
    pub version: i32,
    pub builtin: bool,
    /// The draft's revision, 0 when there is no draft.
    pub draft_rev: i64,
    pub draft_updated_by: Option<UserRef>,
    pub draft_updated_at: Option<String>,
}

/// What the designer opens: the draft if there is one, else the published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DesignState {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub doc: TemplateDoc,
    /// The published version, 0 when never published.
    pub version: i32,
    /// The draft's revision (0: no draft; the document is the published version).
    pub draft_rev: i64,
    /// The version the draft started from.
    pub draft_base: i32,
    pub draft_updated_by: Option<UserRef>,
    pub draft_updated_at: Option<String>,
    pub builtin: bool,
}

/// A draft to save; `rev` is the revision it was based on (0 for the first save).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SaveDesign {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub doc: TemplateDoc,
    #[serde(default)]
    pub rev: i64,
}

/// One published version in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionInfo {
    pub version: i32,
    pub published_at: String,
    pub published_by: Option<UserRef>,
    pub note: String,
    pub current: bool,
    /// How many instances started with this version.
    pub instances: u64,
}

#[server(prefix = "/sfn", endpoint = "design_list")]
pub async fn design_list() -> Result<Vec<DesignSummary>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::design_list(&st.db, &caller).await)
}

#[server(prefix = "/sfn", endpoint = "design_open")]
pub async fn design_open(key: String) -> Result<DesignState, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::design_open(&st.db, &caller, &key).await)
}

#[server(prefix = "/sfn", endpoint = "design_directory")]
pub async fn design_directory() -> Result<Directory, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::design_directory(&st.db, &caller).await)
}

#[server(prefix = "/sfn", endpoint = "design_save", input = leptos::server_fn::codec::Json)]
pub async fn design_save(save: SaveDesign) -> Result<DesignState, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::save_draft(&st, &caller, save).await)
}

#[server(prefix = "/sfn", endpoint = "design_discard")]
pub async fn design_discard(key: String) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::discard_draft(&st, &caller, &key).await)
}

#[server(prefix = "/sfn", endpoint = "design_publish")]
pub async fn design_publish(key: String, rev: i64, note: String) -> Result<PublishOutcome, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::publish_draft(&st, &caller, &key, rev, &note).await)
}

#[server(prefix = "/sfn", endpoint = "design_versions")]
pub async fn design_versions(key: String) -> Result<Vec<VersionInfo>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::versions(&st.db, &caller, &key).await)
}

#[server(prefix = "/sfn", endpoint = "design_diff")]
pub async fn design_diff(key: String, from: i32, to: i32) -> Result<Vec<Change>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::diff_versions(&st.db, &caller, &key, from, to).await)
}

#[server(prefix = "/sfn", endpoint = "design_rollback")]
pub async fn design_rollback(key: String, version: i32) -> Result<TemplateDetail, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::rollback(&st, &caller, &key, version).await)
}

#[server(prefix = "/sfn", endpoint = "design_import")]
pub async fn design_import(text: String) -> Result<DesignState, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::import(&st, &caller, &text).await)
}

/// Starts a new template: an empty draft with this key and name. Returns the key.
#[server(prefix = "/sfn", endpoint = "design_create")]
pub async fn design_create(key: String, name: String, category: Option<String>) -> Result<String, AppError> {
    let (st, caller) = server_context().await?;
    let k = with_status(svc::create(&st, &caller, &key, &name, category.as_deref().unwrap_or_default()).await)?;
    leptos_axum::redirect(&format!("/designer/{k}"));
    Ok(k)
}
