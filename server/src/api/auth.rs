//! Signing in and out, the signed-in user, personal API tokens.

use super::prelude::*;
use app::auth;
use app::auth::api::{ApiTokenDto, CreatedApiToken, NewApiToken};

/// Credentials for `POST /api/v1/auth/login`.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    #[schema(min_length = 1, max_length = 32)]
    pub username: String,
    #[schema(min_length = 1, max_length = 128)]
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

/// This area's routes with their OpenAPI paths.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(delete_token))
}
