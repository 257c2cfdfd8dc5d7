//! The versioned JSON API (`/api/v1`), on the same services as the server functions, with
//! its OpenAPI document. Every handler takes the caller from the authentication middleware;
//! the services check permissions.

use app::audit::api::{AuditFilter, AuditRow};
use app::auth::api::{ApiTokenDto, CreatedApiToken, NewApiToken};
use app::common::Page;
use app::ctx::{AppState, Caller};
use app::domain::permission::Permission;
use app::error::{AppError, ErrorCode};
use app::org::api::{
    DepartmentDto, DeptUpdate, DirectoryEntry, DormantAccount, NewUser, RoleDto, UserDetail, UserUpdate,
};
use app::{audit, auth, org};
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An `AppError` as an HTTP response: its status and a JSON body with an English message.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::to_value(&self.0).unwrap_or_else(|_| serde_json::json!({"error": "internal"}));
        if let serde_json::Value::Object(m) = &mut body {
            m.insert("message".into(), serde_json::Value::String(self.0.to_string()));
        }
        let mut res = (status, Json(body)).into_response();
        if let AppError::TooManyAttempts { retry_after_secs } = self.0
            && let Ok(v) = axum::http::HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
        }
        res
    }
}

/// The error body of every API route.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// `not_found`, `forbidden`, `unauthenticated`, `validation`, `invalid_form`,
    /// `invalid_template`, `bad_request`, `conflict`, `payload_too_large`, `too_many_attempts`
    /// or `internal`.
    pub error: String,
    pub message: String,
    pub field: Option<String>,
    pub code: Option<ErrorCode>,
    pub request_id: Option<String>,
    /// `invalid_form`: every refused field, `{path, code}` (`items[1].amount`).
    #[schema(value_type = Option<Vec<Object>>)]
    pub errors: Option<Vec<serde_json::Value>>,
    /// `invalid_template`: every problem, each naming its field or node.
    pub problems: Option<Vec<String>>,
}

type ApiResult<T> = Result<T, ApiError>;

/// `Json` whose rejections (malformed JSON, wrong types, wrong content type) are our 400s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(AppError::PayloadTooLarge)),
            Err(e) => Err(ApiError(AppError::bad(match e {
                JsonRejection::JsonDataError(e) => e.body_text(),
                JsonRejection::JsonSyntaxError(_) => "malformed JSON".to_owned(),
                JsonRejection::MissingJsonContentType(_) => "expected Content-Type: application/json".to_owned(),
                other => other.body_text(),
            }))),
        }
    }
}

/// `Path` whose rejections (an id that is not a number) are our 400s.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Self(p.0))
            .map_err(|e: PathRejection| ApiError(AppError::bad(e.body_text())))
    }
}

/// `Query` whose rejections are our 400s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| ApiError(AppError::bad(e.body_text())))
    }
}

/// Credentials for `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub permissions: Vec<Permission>,
    pub locale: String,
}

impl Me {
    fn of(p: &app::domain::permission::Principal) -> Self {
        Self {
            id: p.user_id,
            username: p.username.clone(),
            display_name: p.display_name.clone(),
            roles: p.roles.clone(),
            permissions: p.permissions.iter().copied().collect(),
            locale: p.locale.clone(),
        }
    }
}

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    session: Session,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<Me>> {
    let (user, principal) = auth::server::login(&st, &caller, &body.username, &body.password).await?;
    auth::server::start_session(&session, &user).await?;
    Ok(Json(Me::of(&principal)))
}

/// Ends the session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    session: Session,
) -> ApiResult<StatusCode> {
    auth::server::record_logout(&st, &caller).await?;
    session.flush().await.map_err(AppError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user and what they may do.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = ErrorBody)),
    security(("session" = []), ("bearer" = [])))]
async fn me(Extension(caller): Extension<Caller>) -> ApiResult<Json<Me>> {
    Ok(Json(Me::of(caller.require_user()?)))
}

/// Every department in tree order.
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation",
    responses((status = 200, body = Vec<DepartmentDto>), (status = 401, body = ErrorBody)))]
async fn list_departments(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<DepartmentDto>>> {
    Ok(Json(org::server::list_departments(&st, &caller).await?))
}

/// A new department.
#[derive(Deserialize, ToSchema)]
pub struct NewDepartment {
    pub name: String,
    pub parent_id: Option<i64>,
}

/// Creates a department.
#[utoipa::path(post, path = "/api/v1/departments", tag = "organisation", request_body = NewDepartment,
    responses((status = 201, body = DepartmentDto), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_department(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewDepartment>,
) -> ApiResult<(StatusCode, Json<DepartmentDto>)> {
    let d = org::server::create_department(&st, &caller, &body.name, body.parent_id).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// Renames, moves or re-heads a department.
#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "organisation", request_body = DeptUpdate,
    params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_department(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DeptUpdate>,
) -> ApiResult<StatusCode> {
    org::server::update_department(&st, &caller, id, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes an empty department.
#[utoipa::path(delete, path = "/api/v1/departments/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_department(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    org::server::delete_department(&st, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of the address book.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct UsersQuery {
    /// Free text: name, username, phone, position, e-mail or department.
    pub q: Option<String>,
    /// A department id: that department and every one below it.
    pub department: Option<i64>,
    pub page: Option<u64>,
}

/// The address book: active colleagues.
#[utoipa::path(get, path = "/api/v1/users", tag = "organisation", params(UsersQuery),
    responses((status = 200, body = Page<DirectoryEntry>), (status = 401, body = ErrorBody)))]
async fn list_users(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<UsersQuery>,
) -> ApiResult<Json<Page<DirectoryEntry>>> {
    Ok(Json(org::server::directory(&st, &caller, q.q, q.department, q.page).await?))
}

/// Creates an account (a `viewer` unless roles are given).
#[utoipa::path(post, path = "/api/v1/users", tag = "organisation", request_body = NewUser,
    responses((status = 201, body = UserDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserDetail>)> {
    Ok((StatusCode::CREATED, Json(org::server::create_user(&st, &caller, body).await?)))
}

/// One account in full (the read is audited).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserDetail>> {
    Ok(Json(org::server::get_user(&st, &caller, id).await?))
}

/// Edits an account's profile.
#[utoipa::path(put, path = "/api/v1/users/{id}", tag = "organisation", params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, body = UserDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Json<UserDetail>> {
    Ok(Json(org::server::update_user(&st, &caller, id, body).await?))
}

/// Disables an account (offboarding): it cannot sign in and its sessions end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn disable_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    org::server::set_user_active(&st, &caller, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables an account again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn enable_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    org::server::set_user_active(&st, &caller, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every role with its permissions.
#[utoipa::path(get, path = "/api/v1/roles", tag = "organisation", responses((status = 200, body = Vec<RoleDto>), (status = 403, body = ErrorBody)))]
async fn list_roles(State(st): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<RoleDto>>> {
    Ok(Json(org::server::list_roles(&st, &caller).await?))
}

/// Days without sign-in.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct DormantQuery {
    pub days: Option<i64>,
}

/// Active accounts with no sign-in for `days` days (default 90).
#[utoipa::path(get, path = "/api/v1/reports/dormant-accounts", tag = "organisation", params(DormantQuery),
    responses((status = 200, body = Vec<DormantAccount>), (status = 403, body = ErrorBody)))]
async fn dormant(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<DormantQuery>,
) -> ApiResult<Json<Vec<DormantAccount>>> {
    Ok(Json(org::server::dormant_accounts(&st, &caller, q.days.unwrap_or(90)).await?))
}

/// The audit log, newest first (the read is audited).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditRow>), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Page<AuditRow>>> {
    Ok(Json(audit::server::search(&st, &caller, f).await?))
}

/// The filtered audit log as CSV (UTF-8 with BOM; the export is audited).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)))]
async fn audit_export(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Response> {
    let csv = audit::server::export_csv(&st, &caller, f).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", app::domain::time::fmt_stamp(st.clock.now()));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "auth", responses((status = 200, body = Vec<ApiTokenDto>), (status = 401, body = ErrorBody)))]
async fn list_tokens(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<ApiTokenDto>>> {
    Ok(Json(auth::server::list_tokens(&st, &caller).await?))
}

/// Creates a personal API token; its secret is in the response, once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewApiToken>,
) -> ApiResult<(StatusCode, Json<CreatedApiToken>)> {
    let (info, token) = auth::server::create_token(&st, &caller, body).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiToken { info, token })))
}

/// Deletes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_token(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    auth::server::delete_token(&st, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- workflow

use app::domain::workflow::calendar::WorkCalendar;
use app::workflow::api::{
    AttachmentDto, BatchBody, BatchItem, CommentBody, HandOverBody, HandOverResult, InboxItem, InstanceView,
    LeaveBalance, NotificationDto, NotificationPrefsDto, PredictedStep, PublishTemplate, ResubmitRequest,
    SetLeaveGrant, SubmitRequest, TaskAction, TaskCounts, TaskQuery, TemplateDetail, TemplateSummary,
};
use app::workflow::server as wf;

/// Published templates.
#[utoipa::path(get, path = "/api/v1/templates", tag = "workflow",
    responses((status = 200, body = Vec<TemplateSummary>), (status = 401, body = ErrorBody)))]
async fn list_templates(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<TemplateSummary>>> {
    Ok(Json(wf::list_templates(&st.db, &caller).await?))
}

/// Publishes a template (a new key, or a new version of an existing one).
#[utoipa::path(post, path = "/api/v1/templates", tag = "workflow", request_body = PublishTemplate,
    responses((status = 201, body = TemplateDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish_template(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<PublishTemplate>,
) -> ApiResult<(StatusCode, Json<TemplateDetail>)> {
    Ok((StatusCode::CREATED, Json(wf::publish_template(&st, &caller, body).await?)))
}

/// A template's current version with its form schema and flow.
#[utoipa::path(get, path = "/api/v1/templates/{key}", tag = "workflow", params(("key" = String, Path)),
    responses((status = 200, body = TemplateDetail), (status = 404, body = ErrorBody)))]
async fn get_template(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<TemplateDetail>> {
    Ok(Json(wf::get_template(&st.db, &caller, &key).await?))
}

/// Form values for a prediction.
#[derive(Deserialize, ToSchema)]
pub struct PredictBody {
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
    #[serde(default)]
    pub picks: std::collections::HashMap<String, Vec<i64>>,
}

/// The path these form values would take for the caller, and who would act at each node.
#[utoipa::path(post, path = "/api/v1/templates/{key}/predict", tag = "workflow", params(("key" = String, Path)),
    request_body = PredictBody, responses((status = 200, body = Vec<PredictedStep>), (status = 404, body = ErrorBody)))]
async fn predict_path(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<PredictBody>,
) -> ApiResult<Json<Vec<PredictedStep>>> {
    Ok(Json(wf::predict_path(&st, &caller, &key, &body.form, &body.picks).await?))
}

/// Submits a request.
#[utoipa::path(post, path = "/api/v1/instances", tag = "workflow", request_body = SubmitRequest,
    responses((status = 201, body = InstanceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<SubmitRequest>,
) -> ApiResult<(StatusCode, Json<InstanceView>)> {
    Ok((StatusCode::CREATED, Json(wf::submit(&st, &caller, body).await?)))
}

/// An instance: status, form, flow with node states, tasks, history.
#[utoipa::path(get, path = "/api/v1/instances/{id}", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::get_instance(&st, &caller, id).await?))
}

/// Withdraws the caller's own request while no one has acted on it.
#[utoipa::path(post, path = "/api/v1/instances/{id}/withdraw", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn withdraw_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::withdraw(&st, &caller, id).await?))
}

/// Urges the handlers of the caller's own request.
#[utoipa::path(post, path = "/api/v1/instances/{id}/urge", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn urge_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::urge(&st, &caller, id).await?))
}

/// Resubmits a returned request with its corrected form.
#[utoipa::path(post, path = "/api/v1/instances/{id}/resubmit", tag = "workflow", params(("id" = i64, Path)),
    request_body = ResubmitRequest,
    responses((status = 200, body = InstanceView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn resubmit_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ResubmitRequest>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::resubmit(&st, &caller, id, body).await?))
}

/// Comments on an instance (anyone on it).
#[utoipa::path(post, path = "/api/v1/instances/{id}/comments", tag = "workflow", params(("id" = i64, Path)),
    request_body = CommentBody,
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn comment_instance(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<CommentBody>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::comment(&st, &caller, id, body).await?))
}

/// The lists: `box=todo|done|mine|cc`, with filters and pages of 20.
#[utoipa::path(get, path = "/api/v1/tasks", tag = "workflow", params(TaskQuery),
    responses((status = 200, body = Page<InboxItem>), (status = 401, body = ErrorBody)))]
async fn list_tasks(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Page<InboxItem>>> {
    Ok(Json(wf::list_tasks(&st, &caller, q).await?))
}

/// Counts for the navigation: open tasks, overdue ones, unread notifications.
#[utoipa::path(get, path = "/api/v1/tasks/counts", tag = "workflow",
    responses((status = 200, body = TaskCounts), (status = 401, body = ErrorBody)))]
async fn task_counts(State(st): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<TaskCounts>> {
    Ok(Json(wf::task_counts(&st.db, &caller).await?))
}

/// Acts on one of the caller's tasks: approve, reject, return, transfer, add_signer, comment.
#[utoipa::path(post, path = "/api/v1/tasks/{id}/actions", tag = "workflow", params(("id" = i64, Path)),
    request_body = TaskAction,
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn act_on_task(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TaskAction>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::act(&st, &caller, id, body).await?))
}

/// The name of an upload.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    pub filename: String,
}

/// Uploads a file (the raw bytes as the body, its name in `filename`); at most
/// `TONGBAN_MAX_UPLOAD_BYTES`. Returns the id to put into attachment fields.
#[utoipa::path(post, path = "/api/v1/attachments", tag = "workflow", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentDto), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_attachment(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<(StatusCode, Json<AttachmentDto>)> {
    caller.require_user()?;
    let bytes =
        axum::body::to_bytes(body, st.settings.max_upload_bytes).await.map_err(|_| AppError::PayloadTooLarge)?;
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok((StatusCode::CREATED, Json(wf::upload_attachment(&st, &caller, &q.filename, ct, &bytes).await?)))
}

/// Downloads an attachment (its uploader and the readers of its request).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn download_attachment(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let (a, file) = wf::download_attachment(&st, &caller, id).await?;
    let disposition = format!("attachment; filename*=UTF-8''{}", app::components::percent_encode(&a.filename));
    // Only types a browser shows without running anything keep their type; SVG and HTML
    // (which carry script) and everything else are plain bytes, and always an attachment.
    let inert = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"];
    let declared = a.content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let safe_type = if inert.contains(&declared.as_str()) { declared } else { "application/octet-stream".to_owned() };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, safe_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (axum::http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".to_owned()),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file)),
    )
        .into_response())
}

/// The caller's leave balances.
#[utoipa::path(get, path = "/api/v1/leave-balances", tag = "workflow",
    responses((status = 200, body = Vec<LeaveBalance>), (status = 401, body = ErrorBody)))]
async fn my_leave_balances(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<LeaveBalance>>> {
    Ok(Json(wf::leave_balances(&st, &caller, None).await?))
}

/// A user's leave balances (HR and administrators).
#[utoipa::path(get, path = "/api/v1/users/{id}/leave-balances", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LeaveBalance>), (status = 403, body = ErrorBody)))]
async fn user_leave_balances(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<LeaveBalance>>> {
    Ok(Json(wf::leave_balances(&st, &caller, Some(id)).await?))
}

/// Sets a user's grant of one leave type.
#[utoipa::path(put, path = "/api/v1/users/{id}/leave-balances", tag = "workflow", params(("id" = i64, Path)),
    request_body = SetLeaveGrant,
    responses((status = 200, body = Vec<LeaveBalance>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_leave_grant(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SetLeaveGrant>,
) -> ApiResult<Json<Vec<LeaveBalance>>> {
    Ok(Json(wf::set_leave_grant(&st, &caller, id, body).await?))
}

/// Offboarding: hands the user's open tasks to a successor (recorded in each request's
/// history), optionally disabling the account.
#[utoipa::path(post, path = "/api/v1/users/{id}/hand-over", tag = "workflow", params(("id" = i64, Path)),
    request_body = HandOverBody,
    responses((status = 200, body = HandOverResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn hand_over(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<HandOverBody>,
) -> ApiResult<Json<HandOverResult>> {
    Ok(Json(wf::hand_over(&st, &caller, id, body).await?))
}

/// The working calendar: holidays, make-up working days, working hours.
#[utoipa::path(get, path = "/api/v1/work-calendar", tag = "workflow",
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
async fn get_work_calendar(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<WorkCalendar>> {
    Ok(Json(wf::get_work_calendar(&st.db, &caller).await?))
}

/// Replaces the working calendar.
#[utoipa::path(put, path = "/api/v1/work-calendar", tag = "workflow", request_body = Object,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_work_calendar(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<WorkCalendar>,
) -> ApiResult<Json<WorkCalendar>> {
    Ok(Json(wf::set_work_calendar(&st, &caller, body).await?))
}

/// A page of a list.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    pub page: Option<u64>,
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "workflow", params(PageQuery),
    responses((status = 200, body = Page<NotificationDto>), (status = 401, body = ErrorBody)))]
async fn list_notifications(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<NotificationDto>>> {
    Ok(Json(wf::list_notifications(&st.db, &caller, q.page).await?))
}

/// Which notifications to mark read.
#[derive(Deserialize, ToSchema)]
pub struct MarkRead {
    /// Up to and including this id; all when absent.
    pub up_to: Option<i64>,
}

/// Marks the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "workflow", request_body = MarkRead,
    responses((status = 204), (status = 401, body = ErrorBody)))]
async fn mark_notifications_read(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<MarkRead>,
) -> ApiResult<StatusCode> {
    wf::mark_notifications_read(&st, &caller, body.up_to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Approves or rejects several of the caller's tasks with one comment; each task's result.
#[utoipa::path(post, path = "/api/v1/tasks/batch", tag = "workflow", request_body = BatchBody,
    responses((status = 200, body = Vec<BatchItem>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn batch_tasks(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<BatchBody>,
) -> ApiResult<Json<Vec<BatchItem>>> {
    Ok(Json(app::workflow::desk::batch_act(&st, &caller, &body.tasks, &body.action, &body.comment).await?))
}

/// A draft to save.
#[derive(Deserialize, ToSchema)]
pub struct DraftBody {
    pub template_key: String,
    /// For the draft of a resubmission: the caller's returned request.
    #[serde(default)]
    pub instance_id: Option<i64>,
    #[schema(value_type = Object)]
    pub form: serde_json::Value,
}

/// The saved draft's id.
#[derive(Serialize, ToSchema)]
pub struct DraftId {
    pub id: i64,
}

/// The caller's drafts.
#[utoipa::path(get, path = "/api/v1/drafts", tag = "workflow",
    responses((status = 200, body = Vec<Object>), (status = 401, body = ErrorBody)))]
async fn list_drafts(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<app::workflow::api::DraftSummary>>> {
    Ok(Json(app::workflow::desk::list_drafts(&st.db, &caller).await?))
}

/// Saves a new draft.
#[utoipa::path(post, path = "/api/v1/drafts", tag = "workflow", request_body = DraftBody,
    responses((status = 201, body = DraftId), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn create_draft(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(b): ApiJson<DraftBody>,
) -> ApiResult<(StatusCode, Json<DraftId>)> {
    let id = app::workflow::desk::save_draft(&st, &caller, None, &b.template_key, b.instance_id, &b.form).await?;
    Ok((StatusCode::CREATED, Json(DraftId { id })))
}

/// One of the caller's drafts.
#[utoipa::path(get, path = "/api/v1/drafts/{id}", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_draft(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<app::workflow::api::DraftDto>> {
    Ok(Json(app::workflow::desk::get_draft(&st.db, &caller, id).await?))
}

/// Replaces one of the caller's drafts.
#[utoipa::path(put, path = "/api/v1/drafts/{id}", tag = "workflow", params(("id" = i64, Path)), request_body = DraftBody,
    responses((status = 200, body = DraftId), (status = 404, body = ErrorBody)))]
async fn update_draft(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DraftBody>,
) -> ApiResult<Json<DraftId>> {
    let id = app::workflow::desk::save_draft(&st, &caller, Some(id), &b.template_key, b.instance_id, &b.form).await?;
    Ok(Json(DraftId { id }))
}

/// Deletes one of the caller's drafts.
#[utoipa::path(delete, path = "/api/v1/drafts/{id}", tag = "workflow", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_draft(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    app::workflow::desk::delete_draft(&st, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's choices of e-mail notifications.
#[utoipa::path(get, path = "/api/v1/notification-prefs", tag = "workflow",
    responses((status = 200, body = NotificationPrefsDto), (status = 401, body = ErrorBody)))]
async fn get_prefs(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<NotificationPrefsDto>> {
    Ok(Json(app::workflow::desk::get_prefs(&st, &caller).await?))
}

/// E-mail choices to save.
#[derive(Deserialize, ToSchema)]
pub struct PrefsBody {
    /// Kinds: `task`, `decided`, `returned`, `overdue`, `urged`, `cc`, `comment`.
    pub email_kinds: Vec<String>,
}

/// Replaces the caller's choices of e-mail notifications.
#[utoipa::path(put, path = "/api/v1/notification-prefs", tag = "workflow", request_body = PrefsBody,
    responses((status = 200, body = NotificationPrefsDto), (status = 422, body = ErrorBody)))]
async fn set_prefs(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(b): ApiJson<PrefsBody>,
) -> ApiResult<Json<NotificationPrefsDto>> {
    Ok(Json(app::workflow::desk::set_prefs(&st, &caller, &b.email_kinds).await?))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Tongban API", version = "1", description = "The Tongban (通办) OA suite's integration API. \
        Authenticate with the session cookie from POST /api/v1/auth/login, or with a personal token as \
        `Authorization: Bearer tb_…`. Errors are JSON: {error, message, field?, code?, request_id?}."),
    components(schemas(ErrorBody)),
    modifiers(&SecurityAddon)
)]
struct ApiDoc;

struct SecurityAddon;

impl utoipa::Modify for SecurityAddon {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("tongban_session"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

// ---------------------------------------------------------------- designers

use app::domain::workflow::design::{Change, Directory, TemplateDoc};
use app::workflow::design_api::{DesignState, DesignSummary, SaveDesign, VersionInfo};
use app::workflow::design_server as design;

/// Templates for the designer: published, drafted, or both (process owners and administrators).
#[utoipa::path(get, path = "/api/v1/designer/templates", tag = "designer",
    responses((status = 200, body = Vec<DesignSummary>), (status = 403, body = ErrorBody)))]
async fn design_list(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Vec<DesignSummary>>> {
    Ok(Json(design::design_list(&st.db, &caller).await?))
}

/// A template to edit: its draft, or else its published version.
#[utoipa::path(get, path = "/api/v1/designer/templates/{key}", tag = "designer", params(("key" = String, Path)),
    responses((status = 200, body = DesignState), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn design_open(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<DesignState>> {
    Ok(Json(design::design_open(&st.db, &caller, &key).await?))
}

/// Saves the template's draft; `rev` is the revision it is based on (0 creates the draft).
#[utoipa::path(put, path = "/api/v1/designer/templates/{key}/draft", tag = "designer", params(("key" = String, Path)),
    request_body = SaveDesign, responses((status = 200, body = DesignState), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn design_save(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<SaveDesign>,
) -> ApiResult<Json<DesignState>> {
    if body.doc.key.trim() != key {
        return Err(AppError::bad("the document's key differs from the address").into());
    }
    Ok(Json(design::save_draft(&st, &caller, body).await?))
}

/// Discards the template's draft.
#[utoipa::path(delete, path = "/api/v1/designer/templates/{key}/draft", tag = "designer", params(("key" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn design_discard(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<StatusCode> {
    design::discard_draft(&st, &caller, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The draft to publish: the revision the publisher checked, and a note for the history.
#[derive(Deserialize, ToSchema)]
pub struct PublishDraftBody {
    pub rev: i64,
    #[serde(default)]
    pub note: String,
}

/// Publishes the draft as the next version (checked like every publish).
#[utoipa::path(post, path = "/api/v1/designer/templates/{key}/publish", tag = "designer", params(("key" = String, Path)),
    request_body = PublishDraftBody, responses((status = 201, body = TemplateDetail, description = "published"),
        (status = 202, body = Object, description = "sent for another process owner's review: {status, instance_id, concerns}"),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn design_publish(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<PublishDraftBody>,
) -> ApiResult<Response> {
    Ok(match design::publish_draft(&st, &caller, &key, body.rev, &body.note).await? {
        app::workflow::design_api::PublishOutcome::Published { template } => {
            (StatusCode::CREATED, Json(template)).into_response()
        }
        review => (StatusCode::ACCEPTED, Json(review)).into_response(),
    })
}

/// The organisation as the designer's pickers and simulation see it.
#[utoipa::path(get, path = "/api/v1/designer/directory", tag = "designer",
    responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
async fn design_directory(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> ApiResult<Json<Directory>> {
    Ok(Json(design::design_directory(&st.db, &caller).await?))
}

/// A template's published versions, newest first.
#[utoipa::path(get, path = "/api/v1/templates/{key}/versions", tag = "designer", params(("key" = String, Path)),
    responses((status = 200, body = Vec<VersionInfo>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn template_versions(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
) -> ApiResult<Json<Vec<VersionInfo>>> {
    Ok(Json(design::versions(&st.db, &caller, &key).await?))
}

/// One published version's document.
#[utoipa::path(get, path = "/api/v1/templates/{key}/versions/{version}", tag = "designer",
    params(("key" = String, Path), ("version" = i32, Path)),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn template_version(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath((key, version)): ApiPath<(String, i32)>,
) -> ApiResult<Json<TemplateDoc>> {
    Ok(Json(design::version_doc(&st.db, &caller, &key, version).await?))
}

/// Two versions to compare.
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct DiffQuery {
    pub from: i32,
    pub to: i32,
}

/// What changed between two versions: fields and nodes added, removed and changed.
#[utoipa::path(get, path = "/api/v1/templates/{key}/diff", tag = "designer", params(("key" = String, Path), DiffQuery),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn template_diff(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<Vec<Change>>> {
    Ok(Json(design::diff_versions(&st.db, &caller, &key, q.from, q.to).await?))
}

/// The version to publish again.
#[derive(Deserialize, ToSchema)]
pub struct RollbackBody {
    pub version: i32,
}

/// Publishes an old version's form and flow again as the next version.
#[utoipa::path(post, path = "/api/v1/templates/{key}/rollback", tag = "designer", params(("key" = String, Path)),
    request_body = RollbackBody, responses((status = 201, body = TemplateDetail), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn template_rollback(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiJson(body): ApiJson<RollbackBody>,
) -> ApiResult<(StatusCode, Json<TemplateDetail>)> {
    Ok((StatusCode::CREATED, Json(design::rollback(&st, &caller, &key, body.version).await?)))
}

/// Which version to export (the current one when absent).
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct ExportQuery {
    #[serde(default)]
    pub version: Option<i32>,
}

/// A template as a JSON file to import elsewhere.
#[utoipa::path(get, path = "/api/v1/templates/{key}/export", tag = "designer", params(("key" = String, Path), ExportQuery),
    responses((status = 200, content_type = "application/json"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn template_export(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(key): ApiPath<String>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let file = design::export(&st.db, &caller, &key, q.version).await?;
    let name = design::export_file_name(&file.template.key, file.exported_version);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        file.to_text(),
    )
        .into_response())
}

/// Imports an exported template file (the request body) as the draft of its template.
#[utoipa::path(post, path = "/api/v1/templates/import", tag = "designer", request_body(content = String, content_type = "application/json"),
    responses((status = 201, body = DesignState), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn template_import(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: String,
) -> ApiResult<(StatusCode, Json<DesignState>)> {
    Ok((StatusCode::CREATED, Json(design::import(&st, &caller, &body).await?)))
}

/// The API routes and their OpenAPI document (the same list, so the two cannot drift).
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(update_department, delete_department))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(list_roles))
        .routes(routes!(dormant))
        .routes(routes!(audit_log))
        .routes(routes!(audit_export))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(delete_token))
        .routes(routes!(list_templates, publish_template))
        .routes(routes!(get_template))
        .routes(routes!(predict_path))
        .routes(routes!(submit_instance))
        .routes(routes!(get_instance))
        .routes(routes!(withdraw_instance))
        .routes(routes!(urge_instance))
        .routes(routes!(resubmit_instance))
        .routes(routes!(comment_instance))
        .routes(routes!(list_tasks))
        .routes(routes!(task_counts))
        .routes(routes!(act_on_task))
        .routes(routes!(batch_tasks))
        .routes(routes!(list_drafts, create_draft))
        .routes(routes!(get_draft, update_draft, delete_draft))
        .routes(routes!(get_prefs, set_prefs))
        .routes(routes!(upload_attachment))
        .routes(routes!(download_attachment))
        .routes(routes!(my_leave_balances))
        .routes(routes!(user_leave_balances, set_leave_grant))
        .routes(routes!(hand_over))
        .routes(routes!(get_work_calendar, set_work_calendar))
        .routes(routes!(list_notifications))
        .routes(routes!(mark_notifications_read))
        .routes(routes!(design_list))
        .routes(routes!(design_open))
        .routes(routes!(design_save, design_discard))
        .routes(routes!(design_publish))
        .routes(routes!(design_directory))
        .routes(routes!(template_versions))
        .routes(routes!(template_version))
        .routes(routes!(template_diff))
        .routes(routes!(template_rollback))
        .routes(routes!(template_export))
        .routes(routes!(template_import))
        .split_for_parts()
}
