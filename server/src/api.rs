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
    /// `not_found`, `forbidden`, `unauthenticated`, `validation`, `bad_request`, `conflict`,
    /// `too_many_attempts` or `internal`.
    pub error: String,
    pub message: String,
    pub field: Option<String>,
    pub code: Option<ErrorCode>,
    pub request_id: Option<String>,
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
    let (user, principal) = auth::server::login(&st.db, &caller, &body.username, &body.password).await?;
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
    auth::server::record_logout(&st.db, &caller).await?;
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
    Ok(Json(org::server::list_departments(&st.db, &caller).await?))
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
    let d = org::server::create_department(&st.db, &caller, &body.name, body.parent_id).await?;
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
    org::server::update_department(&st.db, &caller, id, body).await?;
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
    org::server::delete_department(&st.db, &caller, id).await?;
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
    Ok(Json(org::server::directory(&st.db, &caller, q.q, q.department, q.page).await?))
}

/// Creates an account (a `viewer` unless roles are given).
#[utoipa::path(post, path = "/api/v1/users", tag = "organisation", request_body = NewUser,
    responses((status = 201, body = UserDetail), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<UserDetail>)> {
    Ok((StatusCode::CREATED, Json(org::server::create_user(&st.db, &caller, body).await?)))
}

/// One account in full (the read is audited).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 200, body = UserDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserDetail>> {
    Ok(Json(org::server::get_user(&st.db, &caller, id).await?))
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
    Ok(Json(org::server::update_user(&st.db, &caller, id, body).await?))
}

/// Disables an account (offboarding): it cannot sign in and its sessions end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "organisation", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn disable_user(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    org::server::set_user_active(&st.db, &caller, id, false).await?;
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
    org::server::set_user_active(&st.db, &caller, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every role with its permissions.
#[utoipa::path(get, path = "/api/v1/roles", tag = "organisation", responses((status = 200, body = Vec<RoleDto>), (status = 403, body = ErrorBody)))]
async fn list_roles(State(st): State<AppState>, Extension(caller): Extension<Caller>) -> ApiResult<Json<Vec<RoleDto>>> {
    Ok(Json(org::server::list_roles(&st.db, &caller).await?))
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
    Ok(Json(org::server::dormant_accounts(&st.db, &caller, q.days.unwrap_or(90)).await?))
}

/// The audit log, newest first (the read is audited).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditRow>), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Page<AuditRow>>> {
    Ok(Json(audit::server::search(&st.db, &caller, f).await?))
}

/// The filtered audit log as CSV (UTF-8 with BOM; the export is audited).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)))]
async fn audit_export(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Response> {
    let csv = audit::server::export_csv(&st.db, &caller, f).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", chrono::Utc::now().format("%Y%m%d-%H%M%S"));
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
    Ok(Json(auth::server::list_tokens(&st.db, &caller).await?))
}

/// Creates a personal API token; its secret is in the response, once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "auth", request_body = NewApiToken,
    responses((status = 201, body = CreatedApiToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiJson(body): ApiJson<NewApiToken>,
) -> ApiResult<(StatusCode, Json<CreatedApiToken>)> {
    let (info, token) = auth::server::create_token(&st.db, &caller, body).await?;
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
    auth::server::delete_token(&st.db, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
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
        .split_for_parts()
}
