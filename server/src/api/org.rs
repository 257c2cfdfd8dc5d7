//! The organisation: departments, accounts, roles, dormant accounts.

use super::prelude::*;
use app::org;
use app::org::api::{
    DepartmentDto, DeptUpdate, DirectoryEntry, DormantAccount, NewUser, RoleDto, UserDetail, UserUpdate,
};

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
    #[schema(min_length = 1, max_length = 50)]
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
#[into_params(parameter_in = Query)]
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
#[into_params(parameter_in = Query)]
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

/// This area's routes with their OpenAPI paths.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_departments, create_department))
        .routes(routes!(update_department, delete_department))
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(list_roles))
        .routes(routes!(dormant))
}
