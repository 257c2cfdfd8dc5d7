//! The versioned JSON API (`/api/v1`), on the same services as the server functions, with
//! its OpenAPI document. Every handler takes the caller from the authentication middleware;
//! the services check permissions. One file per area, each returning its routes with their
//! OpenAPI paths; this module holds what they share (the error body, the extractors) and
//! merges them.

use app::ctx::AppState;
use app::error::{AppError, ErrorCode};
use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;

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
        // Here the error leaves the server: an internal one is given its request's id.
        let error = self.0.with_request_id(&app::ctx::current_request_id());
        let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = serde_json::to_value(&error).unwrap_or_else(|_| serde_json::json!({"error": "internal"}));
        if let serde_json::Value::Object(m) = &mut body {
            m.insert("message".into(), serde_json::Value::String(error.to_string()));
        }
        let mut res = (status, Json(body)).into_response();
        if let AppError::TooManyAttempts { retry_after_secs } = error
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
    /// `conflict`: why, as a code with its parameters (`{"code": "draft_saved_by", "name": "韩梅"}`),
    /// for a client to word in its own language.
    pub reason: Option<app::error::Conflict>,
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

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

#[derive(OpenApi)]
#[openapi(
    info(title = "Tongban API", version = "1", description = "The Tongban (通办) OA suite's integration API. \
        Authenticate with the session cookie from POST /api/v1/auth/login, or with a personal token as \
        `Authorization: Bearer tb_…`. Errors are JSON: {error, message, field?, code?, request_id?}."),
    components(schemas(ErrorBody, app::error::Conflict, app::workflow::api::TaskBox)),
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

/// What every area's handlers use.
pub(crate) mod prelude {
    pub(crate) use super::{ApiJson, ApiPath, ApiQuery, ApiResult, ErrorBody};
    pub use app::common::Page;
    pub use app::ctx::{AppState, Caller};
    pub use app::domain::permission::Permission;
    pub use app::error::AppError;
    pub use axum::extract::State;
    pub use axum::http::StatusCode;
    pub use axum::response::{IntoResponse, Response};
    pub use axum::{Extension, Json};
    pub use serde::{Deserialize, Serialize};
    pub use tower_sessions::Session;
    pub use utoipa::ToSchema;
    pub use utoipa_axum::router::OpenApiRouter;
    pub use utoipa_axum::routes;
}

mod audit;
mod auth;
mod designer;
mod org;
mod workflow;

/// The API routes and their OpenAPI document (the same lists, so the two cannot drift): each
/// area returns its own router with its paths.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::routes())
        .merge(org::routes())
        .merge(audit::routes())
        .merge(workflow::routes())
        .merge(designer::routes())
        .split_for_parts()
}
