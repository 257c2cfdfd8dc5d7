//! Approvals: templates, requests, tasks, drafts, attachments, leave, the working calendar, notifications.

use super::prelude::*;
use app::domain::workflow::calendar::WorkCalendar;
use app::workflow::api::{
    AttachmentDto, BatchBody, BatchItem, CommentBody, HandOverBody, HandOverResult, InboxItem, InstanceView,
    LeaveBalance, NotificationDto, NotificationPrefsDto, PredictedStep, PublishTemplate, ResubmitRequest,
    SetLeaveGrant, SubmitRequest, TaskActionBody, TaskCounts, TaskQuery, TemplateDetail, TemplateSummary,
};
use app::workflow::service as wf;

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
    request_body = TaskActionBody,
    responses((status = 200, body = InstanceView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn act_on_task(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<TaskActionBody>,
) -> ApiResult<Json<InstanceView>> {
    Ok(Json(wf::act(&st, &caller, id, body).await?))
}

/// The name of an upload.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    let disposition = format!("attachment; filename*=UTF-8''{}", app::url::percent_encode(&a.filename));
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
#[into_params(parameter_in = Query)]
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

/// This area's routes with their OpenAPI paths.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
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
}
