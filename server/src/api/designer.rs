//! The template designer: drafts, publishing, versions, diffs, rollbacks, export and import.

use super::prelude::*;
use app::domain::workflow::design::{Change, Directory, TemplateDoc};
use app::workflow::api::TemplateDetail;
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
#[into_params(parameter_in = Query)]
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
#[into_params(parameter_in = Query)]
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

/// This area's routes with their OpenAPI paths.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
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
}
