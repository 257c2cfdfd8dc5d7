//! Organisation DTOs and server functions (thin adapters over `org::server`).
// `create_user` mirrors the new-account form field by field (eight inputs), so the form posts
// before the WASM loads; a struct argument would rename every input (`input[username]`), and
// an `allow` on the function does not reach the code the `#[server]` macro generates.
#![allow(clippy::too_many_arguments)]

use crate::common::Page;
use crate::domain::permission::Permission;
use crate::error::{AppError, ErrorCode};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ctx::{server_context, with_status};
#[cfg(feature = "ssr")]
use crate::org::server as svc;

/// A department in tree order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DepartmentDto {
    pub id: i64,
    pub name: String,
    pub parent_id: Option<i64>,
    pub head_user_id: Option<i64>,
    pub head_name: Option<String>,
    pub sort_order: i32,
    /// Active members directly in this department.
    pub member_count: u64,
    /// Depth in the tree (0 for a top-level department).
    pub depth: u32,
}

/// Changes to a department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeptUpdate {
    pub name: String,
    pub parent_id: Option<i64>,
    pub head_user_id: Option<i64>,
    pub sort_order: Option<i32>,
}

/// A colleague in the address book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DirectoryEntry {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub department_name: String,
    pub position: String,
    pub phone: String,
    pub email: String,
}

/// An account in the administration list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_name: String,
    pub position: String,
    pub active: bool,
    pub roles: Vec<String>,
    pub last_login_at: Option<String>,
}

/// An account in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserDetail {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub position: String,
    pub manager_id: Option<i64>,
    pub manager_name: Option<String>,
    pub phone: String,
    pub email: String,
    pub active: bool,
    pub locale: String,
    pub roles: Vec<String>,
    pub last_login_at: Option<String>,
    pub created_at: String,
}

/// A new account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewUser {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z][a-z0-9._-]{2,31}$"))]
    pub username: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 40))]
    pub display_name: String,
    #[cfg_attr(feature = "ssr", schema(min_length = 10, max_length = 128))]
    pub password: String,
    pub department_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 40))]
    pub position: String,
    pub manager_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 20, pattern = "^[0-9 +-]*$"))]
    pub phone: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 120))]
    pub email: String,
    /// Role keys; empty means `viewer`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// Changes to an account's profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 40))]
    pub display_name: String,
    pub department_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 40))]
    pub position: String,
    pub manager_id: Option<i64>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 20, pattern = "^[0-9 +-]*$"))]
    pub phone: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_length = 120))]
    pub email: String,
}

/// A role and its permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoleDto {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
    pub member_count: u64,
}

/// A new custom role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewRole {
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// An account nobody has used for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DormantAccount {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_name: String,
    pub last_login_at: Option<String>,
    pub days_idle: i64,
}

/// Parses an optional id typed into a form ("" is none).
///
/// # Errors
/// `Validation` with `InvalidFormat` on `field`.
pub fn opt_id(field: &str, s: &str) -> Result<Option<i64>, AppError> {
    match s.trim() {
        "" => Ok(None),
        v => v.parse::<i64>().map(Some).map_err(|_| AppError::field(field, ErrorCode::InvalidFormat)),
    }
}

/// Every department in tree order.
#[server(prefix = "/sfn", endpoint = "list_departments")]
pub async fn list_departments() -> Result<Vec<DepartmentDto>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_departments(&st, &caller).await)
}

/// The address book.
#[server(prefix = "/sfn", endpoint = "search_directory")]
pub async fn search_directory(
    q: Option<String>,
    dept: Option<i64>,
    page: Option<u64>,
) -> Result<Page<DirectoryEntry>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::directory(&st, &caller, q, dept, page).await)
}

/// Accounts for administration.
#[server(prefix = "/sfn", endpoint = "list_users")]
pub async fn list_users(q: Option<String>, page: Option<u64>) -> Result<Page<UserSummary>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_users(&st, &caller, q, page).await)
}

/// One account in full (audited).
#[server(prefix = "/sfn", endpoint = "get_user")]
pub async fn get_user(id: i64) -> Result<UserDetail, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::get_user(&st, &caller, id).await)
}

/// The caller's own account.
#[server(prefix = "/sfn", endpoint = "my_account")]
pub async fn my_account() -> Result<UserDetail, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::my_account(&st, &caller).await)
}

/// Creates an account, then opens it.
#[server(prefix = "/sfn", endpoint = "create_user")]
pub async fn create_user(
    username: String,
    display_name: String,
    password: String,
    department_id: String,
    position: String,
    manager_id: String,
    phone: String,
    email: String,
) -> Result<UserDetail, AppError> {
    let (st, caller) = server_context().await?;
    let input = NewUser {
        username,
        display_name,
        password,
        department_id: with_status(opt_id("department_id", &department_id))?,
        position,
        manager_id: with_status(opt_id("manager_id", &manager_id))?,
        phone,
        email,
        roles: vec![],
    };
    let u = with_status(svc::create_user(&st, &caller, input).await)?;
    leptos_axum::redirect(&format!("/admin/users/{}", u.id));
    Ok(u)
}

/// Edits an account's profile.
#[server(prefix = "/sfn", endpoint = "update_user")]
pub async fn update_user(
    id: i64,
    display_name: String,
    department_id: String,
    position: String,
    manager_id: String,
    phone: String,
    email: String,
) -> Result<UserDetail, AppError> {
    let (st, caller) = server_context().await?;
    let upd = UserUpdate {
        display_name,
        department_id: with_status(opt_id("department_id", &department_id))?,
        position,
        manager_id: with_status(opt_id("manager_id", &manager_id))?,
        phone,
        email,
    };
    with_status(svc::update_user(&st, &caller, id, upd).await)
}

/// Enables or disables an account.
#[server(prefix = "/sfn", endpoint = "set_user_active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::set_user_active(&st, &caller, id, active).await)
}

/// Sets a new password for an account.
#[server(prefix = "/sfn", endpoint = "reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::reset_password(&st, &caller, id, &password).await)
}

/// Grants or revokes one role of an account.
#[server(prefix = "/sfn", endpoint = "set_user_role")]
pub async fn set_user_role(id: i64, role: String, granted: bool) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::set_user_role(&st, &caller, id, &role, granted).await)
}

/// Creates a department.
#[server(prefix = "/sfn", endpoint = "create_department")]
pub async fn create_department(name: String, parent_id: String) -> Result<DepartmentDto, AppError> {
    let (st, caller) = server_context().await?;
    let parent = with_status(opt_id("parent_id", &parent_id))?;
    with_status(svc::create_department(&st, &caller, &name, parent).await)
}

/// Renames, moves or re-heads a department.
#[server(prefix = "/sfn", endpoint = "update_department")]
pub async fn update_department(
    id: i64,
    name: String,
    parent_id: String,
    head_user_id: String,
    sort_order: String,
) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    let sort = match sort_order.trim() {
        "" => None,
        s => Some(with_status(s.parse::<i32>().map_err(|_| AppError::field("sort_order", ErrorCode::InvalidFormat)))?),
    };
    let upd = DeptUpdate {
        name,
        parent_id: with_status(opt_id("parent_id", &parent_id))?,
        head_user_id: with_status(opt_id("head_user_id", &head_user_id))?,
        sort_order: sort,
    };
    with_status(svc::update_department(&st, &caller, id, upd).await)
}

/// Deletes an empty department.
#[server(prefix = "/sfn", endpoint = "delete_department")]
pub async fn delete_department(id: i64) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::delete_department(&st, &caller, id).await)
}

/// Every role.
#[server(prefix = "/sfn", endpoint = "list_roles")]
pub async fn list_roles() -> Result<Vec<RoleDto>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::list_roles(&st, &caller).await)
}

/// Creates a custom role (it starts with address-book access only).
#[server(prefix = "/sfn", endpoint = "create_role")]
pub async fn create_role(key: String, name: String) -> Result<RoleDto, AppError> {
    let (st, caller) = server_context().await?;
    let n = NewRole { key, name, permissions: vec![Permission::DirectoryRead.key().to_owned()] };
    with_status(svc::create_role(&st, &caller, n).await)
}

/// Grants or withdraws one permission of a role.
#[server(prefix = "/sfn", endpoint = "set_role_permission")]
pub async fn set_role_permission(role_id: i64, permission: String, granted: bool) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    let p = with_status(
        Permission::from_key(&permission).ok_or_else(|| AppError::field("permission", ErrorCode::UnknownReference)),
    )?;
    with_status(svc::set_role_permission(&st, &caller, role_id, p, granted).await)
}

/// Deletes a custom role.
#[server(prefix = "/sfn", endpoint = "delete_role")]
pub async fn delete_role(id: i64) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::delete_role(&st, &caller, id).await)
}

/// Accounts without a login for `days` days.
#[server(prefix = "/sfn", endpoint = "dormant_accounts")]
pub async fn dormant_accounts(days: i64) -> Result<Vec<DormantAccount>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::dormant_accounts(&st, &caller, days).await)
}

/// A person to pick in a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOption {
    pub id: i64,
    pub display_name: String,
    pub department_name: String,
}

/// Active users to choose from (managers, heads).
#[server(prefix = "/sfn", endpoint = "user_options")]
pub async fn user_options() -> Result<Vec<UserOption>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(svc::user_options(&st, &caller).await)
}
