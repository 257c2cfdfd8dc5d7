//! Workflow DTOs and server functions (thin adapters over `workflow::service`).

use crate::common::Page;
use crate::domain::workflow::calendar::WorkCalendar;
use crate::domain::workflow::flow::{Flow, MultiMode};
use crate::domain::workflow::form::FormSchema;
use crate::domain::workflow::instance::{EventKind, InstanceStatus, SignerPosition, TaskStatus};
use crate::domain::workflow::route::StepKind;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;

#[cfg(feature = "ssr")]
use crate::ctx::{server_context, with_status};
#[cfg(feature = "ssr")]
use crate::workflow::service as svc;

/// A person as lists and timelines show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserRef {
    pub id: i64,
    pub display_name: String,
}

/// A published template in the "new request" list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateSummary {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub icon: String,
    pub version: i32,
    pub builtin: bool,
}

/// A template's current version with its form and flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateDetail {
    pub key: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub icon: String,
    pub version: i32,
    pub version_id: i64,
    pub published_at: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form: FormSchema,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub flow: Flow,
}

/// A template to publish: a new one, or a new version of an existing key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PublishTemplate {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z][a-z0-9_-]{0,39}$"))]
    pub key: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 40))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 20))]
    pub category: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 500))]
    pub description: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 40))]
    pub icon: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form: FormSchema,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub flow: Flow,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 200))]
    pub note: String,
}

/// A request to submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubmitRequest {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 40))]
    pub template_key: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form: Value,
    /// Approvers the requester picked, by node id, for nodes whose rule is "requester picks".
    #[serde(default)]
    pub picks: HashMap<String, Vec<i64>>,
}

/// A resubmission after a return, with the corrected form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResubmitRequest {
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form: Value,
    #[serde(default)]
    pub picks: Option<HashMap<String, Vec<i64>>>,
    /// The instance's `lock_version` the requester saw; a different current one is a conflict
    /// (checked inside the resubmission's transaction).
    #[serde(default)]
    pub lock_version: Option<i64>,
}

/// What a node looks like on the instance's diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeState {
    /// Finished with approval (or copied, for a CC node).
    Done,
    /// Has open tasks.
    Current,
    /// Ended in a rejection.
    Rejected,
    /// Passed without anyone (nobody found, or only the requester).
    Skipped,
    /// Its tasks were cancelled (returned, withdrawn, another approver decided).
    Cancelled,
    /// Not reached (yet, or on a branch not taken).
    Waiting,
}

/// One node's state, handlers and time spent, keyed by node id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NodeView {
    pub id: String,
    pub name: String,
    pub state: NodeState,
    pub handlers: Vec<UserRef>,
    pub started_at: Option<String>,
    pub ended_at: Option<String>,
    /// Seconds from the first task opening to the last one ending (or to now).
    pub spent_secs: Option<i64>,
}

/// A task of an instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskView {
    pub id: i64,
    pub node_id: String,
    pub node_name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: StepKind,
    pub assignee: UserRef,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: TaskStatus,
    pub round: i32,
    pub opened_at: Option<String>,
    pub acted_at: Option<String>,
    pub due_at: Option<String>,
    pub overdue: bool,
}

/// One entry of an instance's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub seq: i32,
    pub actor: Option<UserRef>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub event: EventKind,
    pub comment: String,
    /// SHA-256 of the form as it stood when this happened.
    pub form_hash: String,
    pub at: String,
}

/// What the current user may do to the instance as a whole (task actions are per task).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceCan {
    pub withdraw: bool,
    pub urge: bool,
    pub resubmit: bool,
    pub comment: bool,
}

/// An instance in full: status, form, the flow with each node's state, tasks, history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceView {
    pub id: i64,
    pub template_key: String,
    pub template_name: String,
    pub version: i32,
    pub title: String,
    pub summary: String,
    pub requester: UserRef,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub status: InstanceStatus,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form: Value,
    pub form_hash: String,
    /// The files the form names, with their names and sizes.
    #[serde(default)]
    pub attachments: Vec<AttachmentDto>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub flow: Flow,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub form_schema: FormSchema,
    pub nodes: Vec<NodeView>,
    pub tasks: Vec<TaskView>,
    pub history: Vec<HistoryEntry>,
    /// The current user's open tasks here.
    pub my_tasks: Vec<i64>,
    pub can: InstanceCan,
    /// The optimistic-lock version; changes with every transition.
    pub lock_version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub finished_at: Option<String>,
}

/// Which list: my to-do, done by me, my requests, CC'd to me.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskBox {
    #[default]
    Todo,
    Done,
    Mine,
    Cc,
}

/// Filters of the lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
pub struct TaskQuery {
    #[serde(rename = "box", default)]
    pub r#box: TaskBox,
    /// A template key.
    pub template: Option<String>,
    /// `running`, `returned`, `approved`, `rejected`, `withdrawn`.
    pub status: Option<String>,
    /// Search in titles and summaries.
    pub q: Option<String>,
    /// Submitted on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Submitted on or before (`YYYY-MM-DD`).
    pub to: Option<String>,
    pub page: Option<u64>,
}

/// A row of a list: an instance, with the task that brings it there (to-do and done).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InboxItem {
    pub instance_id: i64,
    pub task_id: Option<i64>,
    pub template_key: String,
    pub template_name: String,
    pub title: String,
    pub summary: String,
    pub requester: UserRef,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub instance_status: InstanceStatus,
    /// The nodes with open tasks.
    pub current_nodes: String,
    pub node_name: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
    pub task_status: Option<TaskStatus>,
    /// When the task opened (to-do), was acted on (done), or the request was submitted.
    pub since: String,
    /// Seconds from `since` to when the list was read (the to-do list's "waited"), by the
    /// server's clock, so the page shows the same on the server and in the browser.
    pub waited_secs: i64,
    pub due_at: Option<String>,
    pub overdue: bool,
}

/// Counts for the navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskCounts {
    pub todo: u64,
    pub overdue: u64,
    pub cc_unread: u64,
    pub notifications_unread: u64,
}

/// What a task's holder does with it: the `action` of a [`TaskActionBody`] body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum TaskAction {
    Approve,
    Reject,
    /// Back to the requester (`target_node` empty or `requester`) or to an earlier node.
    Return {
        #[serde(default)]
        target_node: Option<String>,
    },
    /// To another user, who carries on.
    Transfer {
        #[serde(default)]
        user: Option<i64>,
    },
    /// Another approver on this node: `before`, `after` (default) or `alongside` this task.
    AddSigner {
        #[serde(default)]
        user: Option<i64>,
        #[serde(default)]
        #[cfg_attr(feature = "ssr", schema(value_type = Option<String>))]
        position: Option<SignerPosition>,
    },
    Comment,
}

impl TaskAction {
    /// The action's name, as its serde tag (`approve`, `add_signer`, …).
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::Approve => "approve",
            Self::Reject => "reject",
            Self::Return { .. } => "return",
            Self::Transfer { .. } => "transfer",
            Self::AddSigner { .. } => "add_signer",
            Self::Comment => "comment",
        }
    }

    /// The action named `name` (`approve`, …) with the details a form carries.
    ///
    /// # Errors
    /// `InvalidFormat` on `action` for an unknown name.
    pub fn from_form(
        name: &str,
        target_node: Option<String>,
        user: Option<i64>,
        position: Option<SignerPosition>,
    ) -> Result<Self, crate::domain::error::Invalid> {
        Ok(match name {
            "approve" => Self::Approve,
            "reject" => Self::Reject,
            "return" => Self::Return { target_node },
            "transfer" => Self::Transfer { user },
            "add_signer" => Self::AddSigner { user, position },
            "comment" => Self::Comment,
            _ => return Err(crate::domain::error::Invalid::new("action", crate::error::ErrorCode::InvalidFormat)),
        })
    }
}

/// An action on a task: `{"action": "approve", "comment": "…", "lock_version": 3}`, with the
/// action's own fields beside (`target_node`, `user`, `position`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TaskActionBody {
    #[serde(flatten)]
    pub action: TaskAction,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub comment: String,
    /// The instance's `lock_version` the user saw; a different current one is a conflict.
    #[serde(default)]
    pub lock_version: Option<i64>,
}

impl From<TaskAction> for TaskActionBody {
    fn from(action: TaskAction) -> Self {
        Self { action, comment: String::new(), lock_version: None }
    }
}

/// A comment on an instance (by anyone on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CommentBody {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 2000))]
    pub comment: String,
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttachmentDto {
    /// The id to put in attachment fields.
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// A leave balance, in days (half-day steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LeaveBalance {
    pub leave_type: String,
    pub label: String,
    pub granted_days: String,
    pub used_days: String,
    /// Held by requests still running.
    pub held_days: String,
    pub available_days: String,
}

/// Setting one user's grant of one leave type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SetLeaveGrant {
    pub leave_type: String,
    /// Days, in half-day steps (`"10"`, `"7.5"`).
    pub granted_days: String,
}

/// Handing a leaver's open tasks to a successor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandOverBody {
    pub successor: i64,
    /// Also disable the leaver's account.
    #[serde(default)]
    pub disable: bool,
}

/// The result of a hand-over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HandOverResult {
    pub handed_over: u64,
    /// Tasks that could not move (the successor already has a task on that node).
    pub skipped: Vec<i64>,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationDto {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub instance_id: Option<i64>,
    pub created_at: String,
    pub read: bool,
}

/// A row of a predicted path, for "who will approve this".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PredictedStep {
    pub node_id: String,
    pub node_name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub kind: StepKind,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub mode: MultiMode,
    pub users: Vec<UserRef>,
    pub skipped: bool,
    /// Depth inside parallel branches (0 at the top).
    pub depth: u32,
}

/// A saved draft of a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftDto {
    pub id: i64,
    pub template_key: String,
    /// For the draft of a resubmission: the returned request.
    pub instance_id: Option<i64>,
    pub form: Value,
    pub updated_at: String,
}

/// A draft in the list of drafts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub id: i64,
    pub template_key: String,
    pub template_name: String,
    pub instance_id: Option<i64>,
    pub updated_at: String,
}

/// A returned request being corrected: its id, its template's name (the reader is the
/// requester), lock version, and the returns and comments that say what to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResubmitInfo {
    pub id: i64,
    pub title: String,
    pub lock_version: i64,
    pub returns: Vec<HistoryEntry>,
}

/// A person in a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: i64,
    pub display_name: String,
    pub department: String,
}

/// Everything the request form needs, read at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormPage {
    pub key: String,
    pub name: String,
    pub description: String,
    pub icon: String,
    pub schema: FormSchema,
    /// Nodes where the requester picks the approvers: (node id, name).
    pub picks: Vec<(String, String)>,
    pub form: Value,
    pub draft_id: Option<i64>,
    pub resubmit: Option<ResubmitInfo>,
    pub balances: Vec<LeaveBalance>,
    pub calendar: WorkCalendar,
    /// The files the values already name.
    pub files: Vec<AttachmentDto>,
    pub people: Vec<PersonOption>,
    /// (id, name, depth)
    pub departments: Vec<(i64, String, u32)>,
    pub predicted: Vec<PredictedStep>,
    pub max_upload_bytes: u64,
}

/// One task's result in a batch decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchItem {
    pub task_id: i64,
    pub instance_id: Option<i64>,
    /// The request's title as stored (in the organisation's language).
    pub title: String,
    /// Who filed the request and on which form, to word the title in the reader's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Why this one failed (others still went through).
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub error: Option<AppError>,
}

/// A batch decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchBody {
    #[cfg_attr(feature = "ssr", schema(min_items = 1, max_items = 100))]
    pub tasks: Vec<i64>,
    /// `approve` or `reject`.
    #[cfg_attr(feature = "ssr", schema(pattern = "^(approve|reject)$"))]
    pub action: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    pub comment: String,
}

/// Which notifications also come by e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationPrefsDto {
    /// Kinds: `task`, `decided`, `returned`, `overdue`, `urged`, `cc`, `comment`.
    pub email_kinds: Vec<String>,
    /// The address they go to (the account's e-mail).
    pub email: String,
    /// Whether this server sends e-mail at all.
    pub smtp_enabled: bool,
}

/// Published templates (for the "new request" page).
#[server(prefix = "/sfn", endpoint = "list_templates")]
pub async fn list_templates() -> Result<Vec<TemplateSummary>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_templates(&st.db, &caller).await)
}

/// A template's current version.
#[server(prefix = "/sfn", endpoint = "get_template")]
pub async fn get_template(key: String) -> Result<TemplateDetail, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::get_template(&st.db, &caller, &key).await)
}

/// Submits a request.
#[server(prefix = "/sfn", endpoint = "submit_instance", input = leptos::server_fn::codec::Json)]
pub async fn submit_instance(req: SubmitRequest) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::submit(&st, &caller, req).await)
}

/// An instance in full.
#[server(prefix = "/sfn", endpoint = "get_instance")]
pub async fn get_instance(id: i64) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::get_instance(&st, &caller, id).await)
}

/// Acts on a task.
#[server(prefix = "/sfn", endpoint = "act_on_task", input = leptos::server_fn::codec::Json)]
pub async fn act_on_task(task: i64, action: TaskActionBody) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::act(&st, &caller, task, action).await)
}

/// Withdraws the caller's own request while no one has acted on it.
#[server(prefix = "/sfn", endpoint = "withdraw_request")]
pub async fn withdraw_request(id: i64) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::withdraw(&st, &caller, id).await)
}

/// Urges the handlers of the caller's own request.
#[server(prefix = "/sfn", endpoint = "urge_request")]
pub async fn urge_request(id: i64) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::urge(&st, &caller, id).await)
}

/// The lists: to-do, done, mine, CC'd.
#[server(prefix = "/sfn", endpoint = "list_tasks", input = leptos::server_fn::codec::Json)]
pub async fn list_tasks(query: TaskQuery) -> Result<Page<InboxItem>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_tasks(&st, &caller, query).await)
}

/// The caller's leave balances.
#[server(prefix = "/sfn", endpoint = "my_leave_balances")]
pub async fn my_leave_balances() -> Result<Vec<LeaveBalance>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::leave_balances(&st, &caller, None).await)
}

/// Everything the request form needs: for a template key, a draft, or a returned request.
#[server(prefix = "/sfn", endpoint = "get_form_page")]
pub async fn get_form_page(
    key: Option<String>,
    draft: Option<i64>,
    resubmit: Option<i64>,
) -> Result<FormPage, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::workflow::desk::form_page(&st, &caller, key, draft, resubmit).await)
}

/// The path these form values would take and who would handle each node.
#[server(prefix = "/sfn", endpoint = "predict_request", input = leptos::server_fn::codec::Json)]
pub async fn predict_request(
    key: String,
    form: Value,
    picks: HashMap<String, Vec<i64>>,
) -> Result<Vec<PredictedStep>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::predict_path(&st, &caller, &key, &form, &picks).await)
}

/// Saves a draft (new or replacing one of the caller's); returns its id.
#[server(prefix = "/sfn", endpoint = "save_draft", input = leptos::server_fn::codec::Json)]
pub async fn save_draft(
    id: Option<i64>,
    template_key: String,
    instance_id: Option<i64>,
    form: Value,
) -> Result<i64, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::workflow::desk::save_draft(&st, &caller, id, &template_key, instance_id, &form).await)
}

/// The caller's drafts.
#[server(prefix = "/sfn", endpoint = "list_my_drafts")]
pub async fn list_my_drafts() -> Result<Vec<DraftSummary>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::workflow::desk::list_drafts(&st.db, &caller).await)
}

/// Deletes one of the caller's drafts.
#[server(prefix = "/sfn", endpoint = "delete_draft")]
pub async fn delete_draft(id: i64) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::workflow::desk::delete_draft(&st, &caller, id).await)
}

/// Counts for the navigation.
#[server(prefix = "/sfn", endpoint = "nav_counts")]
pub async fn nav_counts() -> Result<TaskCounts, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::task_counts(&st.db, &caller).await)
}

/// Acts on a task from a plain form (works before the WASM loads).
#[server(prefix = "/sfn", endpoint = "act_form")]
pub async fn act_form(
    task: i64,
    action: String,
    comment: Option<String>,
    target_node: Option<String>,
    user: Option<i64>,
    position: Option<String>,
    lock_version: Option<i64>,
) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    let comment = comment.unwrap_or_default();
    let decided = async {
        let position = match position.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(
                serde_json::from_value::<SignerPosition>(Value::String(p.to_owned()))
                    .map_err(|_| AppError::field("position", crate::error::ErrorCode::InvalidFormat))?,
            ),
        };
        let action = TaskAction::from_form(&action, target_node, user, position)?;
        svc::act(&st, &caller, task, TaskActionBody { action, comment: comment.clone(), lock_version }).await
    };
    // Refused without JavaScript, the page comes back with the comment still in its box.
    crate::ctx::with_status_keeping(decided.await, &[("comment", &comment)])
}

/// Comments on a request (anyone who may read it).
#[server(prefix = "/sfn", endpoint = "comment_request")]
pub async fn comment_request(id: i64, comment: String) -> Result<InstanceView, AppError> {
    let (st, caller) = server_context().await?;
    let done = svc::comment(&st, &caller, id, CommentBody { comment: comment.clone() }).await;
    crate::ctx::with_status_keeping(done, &[("comment", &comment)])
}

/// The caller's notifications, newest first.
#[server(prefix = "/sfn", endpoint = "my_notifications")]
pub async fn my_notifications(page: Option<u64>) -> Result<Page<NotificationDto>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_notifications(&st.db, &caller, page).await)
}

/// Marks the caller's notifications read (all, or up to an id).
#[server(prefix = "/sfn", endpoint = "mark_notifications_read")]
pub async fn mark_notifications_read(up_to: Option<i64>) -> Result<u64, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::mark_notifications_read(&st, &caller, up_to).await)
}

/// The caller's notification preferences.
#[server(prefix = "/sfn", endpoint = "notification_prefs")]
pub async fn notification_prefs() -> Result<NotificationPrefsDto, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::workflow::desk::get_prefs(&st, &caller).await)
}

/// Saves which notifications also come by e-mail (one checkbox per kind).
#[server(prefix = "/sfn", endpoint = "save_notification_prefs")]
pub async fn save_notification_prefs(
    task: Option<String>,
    decided: Option<String>,
    returned: Option<String>,
    overdue: Option<String>,
    urged: Option<String>,
    cc: Option<String>,
    comment: Option<String>,
) -> Result<NotificationPrefsDto, AppError> {
    let (st, caller) = server_context().await?;
    let chosen: Vec<String> = [
        ("task", task),
        ("decided", decided),
        ("returned", returned),
        ("overdue", overdue),
        ("urged", urged),
        ("cc", cc),
        ("comment", comment),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(k, _)| k.to_owned())
    .collect();
    with_status(crate::workflow::desk::set_prefs(&st, &caller, &chosen).await)
}
