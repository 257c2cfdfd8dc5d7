//! Organisation services. Each checks the caller's permission first, runs its change in one
//! transaction together with its audit row, and returns DTOs.

use crate::audit::server::{self as audit, Outcome, audited};
use crate::auth::server::{check_new_password, hash_password_async, principal_of, revoke_credentials};
use crate::common::Page;
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::org::{DeptNode, flatten_tree, subtree_ids, would_cycle};
use crate::domain::permission::{
    ADMIN_ROLE, BUILTIN_ROLES, DEFAULT_ROLE, Permission, Principal, may_grant, may_manage_account, role_permissions,
};
use crate::domain::validate;
use crate::entities::{departments, roles, user_roles, users};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::org::api::{
    DepartmentDto, DeptUpdate, DirectoryEntry, DormantAccount, NewRole, NewUser, RoleDto, UserDetail, UserSummary,
    UserUpdate,
};
use chrono::{SecondsFormat, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

fn ts(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Makes sure the built-in roles exist with their permission sets. Run at every start.
///
/// # Errors
/// The database error.
pub async fn ensure_builtin_roles(conn: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> AppResult<()> {
    for (key, perms) in BUILTIN_ROLES {
        let keys: Vec<&str> = perms.iter().map(|p| p.key()).collect();
        let json = serde_json::to_string(&keys).map_err(AppError::internal)?;
        match roles::Entity::find().filter(roles::Column::Key.eq(key)).one(conn).await? {
            Some(r) if r.permissions == json && r.builtin => {}
            Some(r) if key != "admin" && r.builtin => {
                // Built-in roles other than admin may have been widened by an administrator:
                // leave them as they are.
            }
            Some(r) => {
                let mut am = r.into_active_model();
                am.permissions = Set(json);
                am.builtin = Set(true);
                am.update(conn).await?;
            }
            None => {
                roles::ActiveModel {
                    key: Set(key.to_owned()),
                    name: Set(builtin_role_name(key).to_owned()),
                    builtin: Set(true),
                    permissions: Set(json),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(conn)
                .await?;
            }
        }
    }
    Ok(())
}

fn builtin_role_name(key: &str) -> &'static str {
    match key {
        "admin" => "管理员",
        "approver" => "审批人",
        "operator" => "操作员",
        "auditor" => "审计员",
        "process_owner" => "流程管理员",
        _ => "查看员",
    }
}

async fn all_departments(conn: &impl ConnectionTrait) -> AppResult<Vec<departments::Model>> {
    Ok(departments::Entity::find().all(conn).await?)
}

fn nodes(depts: &[departments::Model]) -> Vec<DeptNode> {
    depts
        .iter()
        .map(|d| DeptNode { id: d.id, name: d.name.clone(), parent_id: d.parent_id, sort_order: d.sort_order })
        .collect()
}

/// Every department in tree order, with head and member count.
///
/// # Errors
/// `Unauthenticated`/`Forbidden` without `directory_read`.
pub async fn list_departments(st: &AppState, caller: &Caller) -> AppResult<Vec<DepartmentDto>> {
    let db = &st.db;
    caller.require(Permission::DirectoryRead)?;
    let depts = all_departments(db).await?;
    let counts: Vec<(Option<i64>, i64)> = users::Entity::find()
        .select_only()
        .column(users::Column::DepartmentId)
        .column_as(users::Column::Id.count(), "n")
        .filter(users::Column::Active.eq(true))
        .group_by(users::Column::DepartmentId)
        .into_tuple()
        .all(db)
        .await?;
    let counts: HashMap<i64, i64> = counts.into_iter().filter_map(|(d, n)| d.map(|d| (d, n))).collect();
    let head_ids: Vec<i64> = depts.iter().filter_map(|d| d.head_user_id).collect();
    let heads: HashMap<i64, String> = users::Entity::find()
        .filter(users::Column::Id.is_in(head_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect();
    let by_id: HashMap<i64, &departments::Model> = depts.iter().map(|d| (d.id, d)).collect();
    Ok(flatten_tree(&nodes(&depts))
        .into_iter()
        .filter_map(|(n, depth)| {
            let d = by_id.get(&n.id)?;
            Some(DepartmentDto {
                id: d.id,
                name: d.name.clone(),
                parent_id: d.parent_id,
                head_user_id: d.head_user_id,
                head_name: d.head_user_id.and_then(|h| heads.get(&h).cloned()),
                sort_order: d.sort_order,
                member_count: counts.get(&d.id).copied().unwrap_or(0) as u64,
                depth: depth as u32,
            })
        })
        .collect())
}

/// Refuses a reference (on `field`) to a department that does not exist.
async fn check_department(conn: &impl ConnectionTrait, field: &str, id: Option<i64>) -> AppResult<()> {
    if let Some(id) = id
        && departments::Entity::find_by_id(id).one(conn).await?.is_none()
    {
        return Err(AppError::field(field, ErrorCode::UnknownReference));
    }
    Ok(())
}

async fn check_active_user(conn: &impl ConnectionTrait, field: &str, id: Option<i64>) -> AppResult<()> {
    if let Some(id) = id {
        match users::Entity::find_by_id(id).one(conn).await? {
            Some(u) if u.active => {}
            _ => return Err(AppError::field(field, ErrorCode::UnknownReference)),
        }
    }
    Ok(())
}

/// Creates a department.
///
/// # Errors
/// `Forbidden` without `dept_manage`; `Validation` for a bad name or unknown parent.
pub async fn create_department(
    st: &AppState,
    caller: &Caller,
    name: &str,
    parent_id: Option<i64>,
) -> AppResult<DepartmentDto> {
    let (db, now) = (&st.db, st.clock.now());
    audited(st, caller, "department.create", name, async {
        caller.require(Permission::DeptManage)?;
        let name = validate::required_text("name", name, 50)?;
        let txn = begin_write(db).await?;
        check_department(&txn, "parent_id", parent_id).await?;
        let d = departments::ActiveModel {
            name: Set(name.clone()),
            parent_id: Set(parent_id),
            head_user_id: Set(None),
            sort_order: Set(0),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(&txn, caller, now, "department.create", &format!("department:{}", d.id), Outcome::Ok, &name)
            .await?;
        txn.commit().await?;
        Ok(DepartmentDto {
            id: d.id,
            name: d.name,
            parent_id: d.parent_id,
            head_user_id: None,
            head_name: None,
            sort_order: 0,
            member_count: 0,
            depth: 0,
        })
    })
    .await
}

/// Renames, moves, re-heads or re-orders a department.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation` (name, unknown parent or head, a move into its own subtree).
pub async fn update_department(st: &AppState, caller: &Caller, id: i64, u: DeptUpdate) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("department:{id}");
    audited(st, caller, "department.update", &target, async {
        caller.require(Permission::DeptManage)?;
        let name = validate::required_text("name", &u.name, 50)?;
        let txn = begin_write(db).await?;
        let depts = all_departments(&txn).await?;
        let Some(d) = depts.iter().find(|d| d.id == id).cloned() else { return Err(AppError::NotFound) };
        check_department(&txn, "parent_id", u.parent_id).await?;
        if would_cycle(&nodes(&depts), id, u.parent_id) {
            return Err(AppError::field("parent_id", ErrorCode::Cycle));
        }
        check_active_user(&txn, "head_user_id", u.head_user_id).await?;
        let detail = format!(
            "name {}→{}; parent {:?}→{:?}; head {:?}→{:?}",
            d.name, name, d.parent_id, u.parent_id, d.head_user_id, u.head_user_id
        );
        let mut am = d.into_active_model();
        am.name = Set(name);
        am.parent_id = Set(u.parent_id);
        am.head_user_id = Set(u.head_user_id);
        am.sort_order = Set(u.sort_order.unwrap_or(0).clamp(-10_000, 10_000));
        am.update(&txn).await?;
        audit::record(&txn, caller, now, "department.update", &target, Outcome::Ok, &detail).await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Deletes an empty department (no sub-departments, no members).
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation` with `NotEmpty`.
pub async fn delete_department(st: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("department:{id}");
    audited(st, caller, "department.delete", &target, async {
        caller.require(Permission::DeptManage)?;
        let txn = begin_write(db).await?;
        let d = departments::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
        let children = departments::Entity::find().filter(departments::Column::ParentId.eq(id)).count(&txn).await?;
        let members = users::Entity::find().filter(users::Column::DepartmentId.eq(id)).count(&txn).await?;
        if children > 0 || members > 0 {
            return Err(AppError::field("department", ErrorCode::NotEmpty));
        }
        departments::Entity::delete_by_id(id).exec(&txn).await?;
        audit::record(&txn, caller, now, "department.delete", &target, Outcome::Ok, &d.name).await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

fn like_pattern(q: &str) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

fn like(col: users::Column, pattern: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::col((users::Entity, col)).like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\'))
}

/// Users matching a free-text query (name, username, phone, position, e-mail or department
/// name) within a department subtree.
async fn user_query(
    conn: &impl ConnectionTrait,
    q: Option<&str>,
    dept: Option<i64>,
    only_active: bool,
) -> AppResult<sea_orm::Select<users::Entity>> {
    let mut sel = users::Entity::find();
    if only_active {
        sel = sel.filter(users::Column::Active.eq(true));
    }
    let depts = all_departments(conn).await?;
    if let Some(d) = dept {
        sel = sel.filter(users::Column::DepartmentId.is_in(subtree_ids(&nodes(&depts), d)));
    }
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let q: String = q.chars().take(50).collect();
        let pat = like_pattern(&q);
        let lower = like_pattern(&q.to_lowercase());
        let matching_depts: Vec<i64> = depts
            .iter()
            .filter(|d| d.name.contains(q.as_str()))
            .flat_map(|d| subtree_ids(&nodes(&depts), d.id))
            .collect();
        let mut cond = Condition::any()
            .add(like(users::Column::DisplayName, &pat))
            .add(like(users::Column::Username, &lower))
            .add(like(users::Column::Phone, &pat))
            .add(like(users::Column::Position, &pat))
            .add(like(users::Column::Email, &lower));
        if !matching_depts.is_empty() {
            cond = cond.add(users::Column::DepartmentId.is_in(matching_depts));
        }
        sel = sel.filter(cond);
    }
    Ok(sel)
}

async fn dept_names(conn: &impl ConnectionTrait) -> AppResult<HashMap<i64, String>> {
    Ok(all_departments(conn).await?.into_iter().map(|d| (d.id, d.name)).collect())
}

/// The address book: active colleagues, searchable, by department subtree.
///
/// # Errors
/// `Forbidden` without `directory_read`.
pub async fn directory(
    st: &AppState,
    caller: &Caller,
    q: Option<String>,
    dept: Option<i64>,
    page: Option<u64>,
) -> AppResult<Page<DirectoryEntry>> {
    let db = &st.db;
    caller.require(Permission::DirectoryRead)?;
    let per_page = 30;
    let page = crate::common::page_number(page);
    let sel = user_query(db, q.as_deref(), dept, true).await?;
    let total = sel.clone().count(db).await?;
    let rows = sel
        .order_by_asc(users::Column::DepartmentId)
        .order_by_asc(users::Column::Id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .all(db)
        .await?;
    let names = dept_names(db).await?;
    let items = rows
        .into_iter()
        .map(|u| DirectoryEntry {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department_id: u.department_id,
            department_name: u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default(),
            position: u.position,
            phone: u.phone,
            email: u.email,
        })
        .collect();
    Ok(Page { items, total, page, per_page })
}

async fn roles_of(conn: &impl ConnectionTrait, user_ids: &[i64]) -> AppResult<HashMap<i64, Vec<String>>> {
    let links =
        user_roles::Entity::find().filter(user_roles::Column::UserId.is_in(user_ids.to_vec())).all(conn).await?;
    let keys: HashMap<i64, String> =
        roles::Entity::find().all(conn).await?.into_iter().map(|r| (r.id, r.key)).collect();
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for l in links {
        if let Some(k) = keys.get(&l.role_id) {
            out.entry(l.user_id).or_default().push(k.clone());
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    Ok(out)
}

/// Accounts for administration, disabled ones included.
///
/// # Errors
/// `Forbidden` without `user_read`.
pub async fn list_users(
    st: &AppState,
    caller: &Caller,
    q: Option<String>,
    page: Option<u64>,
) -> AppResult<Page<UserSummary>> {
    let db = &st.db;
    caller.require(Permission::UserRead)?;
    let per_page = 50;
    let page = crate::common::page_number(page);
    let sel = user_query(db, q.as_deref(), None, false).await?;
    let total = sel.clone().count(db).await?;
    let rows = sel.order_by_asc(users::Column::Id).offset((page - 1) * per_page).limit(per_page).all(db).await?;
    let names = dept_names(db).await?;
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let mut roles = roles_of(db, &ids).await?;
    let items = rows
        .into_iter()
        .map(|u| UserSummary {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department_name: u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default(),
            position: u.position,
            active: u.active,
            roles: roles.remove(&u.id).unwrap_or_default(),
            last_login_at: u.last_login_at.map(ts),
        })
        .collect();
    Ok(Page { items, total, page, per_page })
}

async fn detail_of(conn: &impl ConnectionTrait, u: users::Model) -> AppResult<UserDetail> {
    let names = dept_names(conn).await?;
    let manager_name = match u.manager_id {
        Some(m) => users::Entity::find_by_id(m).one(conn).await?.map(|m| m.display_name),
        None => None,
    };
    let roles = roles_of(conn, &[u.id]).await?.remove(&u.id).unwrap_or_default();
    Ok(UserDetail {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        department_id: u.department_id,
        department_name: u.department_id.and_then(|d| names.get(&d).cloned()),
        position: u.position,
        manager_id: u.manager_id,
        manager_name,
        phone: u.phone,
        email: u.email,
        active: u.active,
        locale: u.locale,
        roles,
        last_login_at: u.last_login_at.map(ts),
        created_at: ts(u.created_at),
    })
}

/// One account in full. Reading it is audited.
///
/// # Errors
/// `Forbidden` without `user_read`; `NotFound`.
pub async fn get_user(st: &AppState, caller: &Caller, id: i64) -> AppResult<UserDetail> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("user:{id}");
    audited(st, caller, "user.read", &target, async {
        caller.require(Permission::UserRead)?;
        let u = users::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
        let detail = detail_of(db, u).await?;
        let txn = begin_write(db).await?;
        audit::record(&txn, caller, now, "user.read", &format!("user:{}", detail.username), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// The caller's own account.
///
/// # Errors
/// `Unauthenticated`.
pub async fn my_account(st: &AppState, caller: &Caller) -> AppResult<UserDetail> {
    let db = &st.db;
    let me = caller.require_user()?;
    let u = users::Entity::find_by_id(me.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    detail_of(db, u).await
}

/// What a new account is made of. Everything else is the same for every new account: active,
/// in Chinese, credentials at version 1, never signed in.
pub struct AccountFields {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub department_id: Option<i64>,
    pub position: String,
    pub manager_id: Option<i64>,
    pub phone: String,
    pub email: String,
    /// Someone else chose the password: it must be replaced at the first sign-in.
    pub must_change_password: bool,
}

/// The row of a new account (the one place its defaults are written: accounts made by an
/// administrator, by the new-account request, by the seeds).
#[must_use]
pub fn new_account(f: AccountFields, now: chrono::DateTime<Utc>) -> users::ActiveModel {
    users::ActiveModel {
        username: Set(f.username),
        display_name: Set(f.display_name),
        password_hash: Set(f.password_hash),
        department_id: Set(f.department_id),
        position: Set(f.position),
        manager_id: Set(f.manager_id),
        phone: Set(f.phone),
        email: Set(f.email),
        active: Set(true),
        locale: Set("zh-CN".into()),
        auth_version: Set(1),
        last_login_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        must_change_password: Set(f.must_change_password),
        ..Default::default()
    }
}

/// The account `id`, if `me` may change it: its credentials, status, profile or roles. Every
/// such path loads the account through here.
///
/// # Errors
/// `NotFound`; `Forbidden` for an administrator's account (unless `me` is one) or an account
/// that can do something `me` cannot.
async fn manageable_account(conn: &impl ConnectionTrait, me: &Principal, id: i64) -> AppResult<users::Model> {
    let u = users::Entity::find_by_id(id).one(conn).await?.ok_or(AppError::NotFound)?;
    let target = principal_of(conn, &u).await?;
    if !may_manage_account(me, &target) {
        return Err(AppError::Forbidden);
    }
    Ok(u)
}

/// The one path by which an account gains or loses a role (a new account's roles, a grant,
/// a revocation). Nobody grants a role carrying a permission they do not hold, and only an
/// administrator grants the administrators' role. Returns whether anything changed.
///
/// # Errors
/// `Validation` for an unknown role; `Forbidden` for a role `me` may not grant.
async fn change_role(
    conn: &impl ConnectionTrait,
    me: &Principal,
    user_id: i64,
    key: &str,
    granted: bool,
) -> AppResult<bool> {
    let role = roles::Entity::find()
        .filter(roles::Column::Key.eq(key))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::field("roles", ErrorCode::UnknownReference))?;
    let stored: Vec<String> = serde_json::from_str(&role.permissions).unwrap_or_default();
    if granted && !may_grant(me, Some(role.key.as_str()), &role_permissions(&role.key, &stored)) {
        return Err(AppError::Forbidden);
    }
    let exists = user_roles::Entity::find_by_id((user_id, role.id)).one(conn).await?.is_some();
    if granted && !exists {
        user_roles::Entity::insert(user_roles::ActiveModel { user_id: Set(user_id), role_id: Set(role.id) })
            .exec(conn)
            .await?;
    } else if !granted && exists {
        user_roles::Entity::delete_by_id((user_id, role.id)).exec(conn).await?;
    }
    Ok(granted != exists)
}

/// Creates an account. It starts as a `viewer` unless other roles are named.
///
/// # Errors
/// `Forbidden` without `user_manage`; `Validation` (fields, password policy, a taken
/// username, unknown department, manager or role).
pub async fn create_user(st: &AppState, caller: &Caller, n: NewUser) -> AppResult<UserDetail> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("user:{}", n.username.trim());
    audited(st, caller, "user.create", &target, async {
        let me = caller.require(Permission::UserManage)?;
        let username = validate::username(&n.username)?;
        let display_name = validate::required_text("display_name", &n.display_name, 40)?;
        let position = validate::optional_text("position", &n.position, 40)?;
        let phone = validate::phone(&n.phone)?;
        let email = validate::email(&n.email)?;
        check_new_password(&username, &n.password).map_err(|c| AppError::field("password", c))?;
        let role_keys = if n.roles.is_empty() { vec![DEFAULT_ROLE.to_owned()] } else { n.roles.clone() };
        let hash = hash_password_async(&n.password).await?;
        let txn = begin_write(db).await?;
        if users::Entity::find().filter(users::Column::Username.eq(&username)).count(&txn).await? > 0 {
            return Err(AppError::field("username", ErrorCode::Duplicate));
        }
        check_department(&txn, "department_id", n.department_id).await?;
        check_active_user(&txn, "manager_id", n.manager_id).await?;
        let fields = AccountFields {
            username: username.clone(),
            display_name,
            password_hash: hash,
            department_id: n.department_id,
            position,
            manager_id: n.manager_id,
            phone,
            email,
            // The administrator knows this password: the user replaces it at first sign-in.
            must_change_password: true,
        };
        let u = new_account(fields, now).insert(&txn).await?;
        for key in &role_keys {
            change_role(&txn, me, u.id, key, true).await?;
        }
        audit::record(&txn, caller, now, "user.create", &format!("user:{username}"), Outcome::Ok, &role_keys.join(","))
            .await?;
        let detail = detail_of(&txn, u).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// Edits an account's profile fields.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation`.
pub async fn update_user(st: &AppState, caller: &Caller, id: i64, upd: UserUpdate) -> AppResult<UserDetail> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("user:{id}");
    audited(st, caller, "user.update", &target, async {
        let me = caller.require(Permission::UserManage)?;
        let display_name = validate::required_text("display_name", &upd.display_name, 40)?;
        let position = validate::optional_text("position", &upd.position, 40)?;
        let phone = validate::phone(&upd.phone)?;
        let email = validate::email(&upd.email)?;
        if upd.manager_id == Some(id) {
            return Err(AppError::field("manager_id", ErrorCode::Cycle));
        }
        let txn = begin_write(db).await?;
        let u = manageable_account(&txn, me, id).await?;
        check_department(&txn, "department_id", upd.department_id).await?;
        check_active_user(&txn, "manager_id", upd.manager_id).await?;
        let username = u.username.clone();
        let mut am = u.into_active_model();
        am.display_name = Set(display_name);
        am.position = Set(position);
        am.phone = Set(phone);
        am.email = Set(email);
        am.department_id = Set(upd.department_id);
        am.manager_id = Set(upd.manager_id);
        am.updated_at = Set(now);
        let u = am.update(&txn).await?;
        audit::record(&txn, caller, now, "user.update", &format!("user:{username}"), Outcome::Ok, "").await?;
        let detail = detail_of(&txn, u).await?;
        txn.commit().await?;
        Ok(detail)
    })
    .await
}

/// Enables or disables an account. Disabling (offboarding) ends every session at once.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Conflict` when disabling oneself.
pub async fn set_user_active(st: &AppState, caller: &Caller, id: i64, active: bool) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let action = if active { "user.enable" } else { "user.disable" };
    let target = format!("user:{id}");
    audited(st, caller, action, &target, async {
        let me = caller.require(Permission::UserManage)?;
        if me.user_id == id && !active {
            return Err(AppError::conflict(crate::error::Conflict::OwnAccount));
        }
        let txn = begin_write(db).await?;
        let u = manageable_account(&txn, me, id).await?;
        let username = u.username.clone();
        let version = u.auth_version + 1;
        let mut am = u.into_active_model();
        am.active = Set(active);
        if !active {
            am.auth_version = Set(version);
        }
        am.updated_at = Set(now);
        am.update(&txn).await?;
        if !active {
            revoke_credentials(&txn, id).await?;
        }
        audit::record(&txn, caller, now, action, &format!("user:{username}"), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Sets a new password for another account (the user's sessions end).
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation` for the policy.
pub async fn reset_password(st: &AppState, caller: &Caller, id: i64, new_password: &str) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("user:{id}");
    audited(st, caller, "user.reset_password", &target, async {
        let me = caller.require(Permission::UserManage)?;
        let u = manageable_account(db, me, id).await?;
        check_new_password(&u.username, new_password).map_err(|c| AppError::field("password", c))?;
        let hash = hash_password_async(new_password).await?;
        let txn = begin_write(db).await?;
        // Checked again inside the write: the account may have been made an administrator
        // while the password was hashed.
        let u = manageable_account(&txn, me, id).await?;
        let username = u.username.clone();
        let version = u.auth_version + 1;
        let mut am = u.into_active_model();
        am.password_hash = Set(hash);
        am.auth_version = Set(version);
        am.updated_at = Set(now);
        am.must_change_password = Set(true);
        am.update(&txn).await?;
        revoke_credentials(&txn, id).await?;
        audit::record(&txn, caller, now, "user.reset_password", &format!("user:{username}"), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Grants or revokes one role.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Validation` for an unknown role; `Conflict` when an
/// administrator would remove their own admin role.
pub async fn set_user_role(st: &AppState, caller: &Caller, id: i64, role: &str, granted: bool) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let action = if granted { "user.grant_role" } else { "user.revoke_role" };
    let target = format!("user:{id}");
    audited(st, caller, action, &target, async {
        let me = caller.require(Permission::UserManage)?;
        if me.user_id == id && role == ADMIN_ROLE && !granted {
            return Err(AppError::conflict(crate::error::Conflict::OwnAdminRole));
        }
        let txn = begin_write(db).await?;
        let u = manageable_account(&txn, me, id).await?;
        change_role(&txn, me, id, role, granted).await?;
        audit::record(&txn, caller, now, action, &format!("user:{}", u.username), Outcome::Ok, role).await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

fn role_dto(r: roles::Model, members: u64) -> RoleDto {
    let permissions = serde_json::from_str::<Vec<String>>(&r.permissions)
        .unwrap_or_default()
        .iter()
        .filter_map(|k| Permission::from_key(k))
        .collect();
    RoleDto { id: r.id, key: r.key, name: r.name, builtin: r.builtin, permissions, member_count: members }
}

/// Every role with its permissions and member count.
///
/// # Errors
/// `Forbidden` without `role_manage` or `user_manage`.
pub async fn list_roles(st: &AppState, caller: &Caller) -> AppResult<Vec<RoleDto>> {
    let db = &st.db;
    let me = caller.require_user()?;
    if !me.can(Permission::RoleManage) && !me.can(Permission::UserManage) && !me.can(Permission::UserRead) {
        return Err(AppError::Forbidden);
    }
    let counts: Vec<(i64, i64)> = user_roles::Entity::find()
        .select_only()
        .column(user_roles::Column::RoleId)
        .column_as(user_roles::Column::UserId.count(), "n")
        .group_by(user_roles::Column::RoleId)
        .into_tuple()
        .all(db)
        .await?;
    let counts: HashMap<i64, i64> = counts.into_iter().collect();
    let rows = roles::Entity::find().order_by_asc(roles::Column::Id).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let n = counts.get(&r.id).copied().unwrap_or(0) as u64;
            role_dto(r, n)
        })
        .collect())
}

fn parse_permissions(keys: &[String]) -> AppResult<Vec<String>> {
    let mut out = Vec::new();
    for k in keys {
        let p = Permission::from_key(k).ok_or_else(|| AppError::field("permissions", ErrorCode::UnknownReference))?;
        if !out.contains(&p.key().to_owned()) {
            out.push(p.key().to_owned());
        }
    }
    Ok(out)
}

/// Creates a custom role.
///
/// # Errors
/// `Forbidden` without `role_manage`; `Validation` (key format, duplicate, unknown permission).
pub async fn create_role(st: &AppState, caller: &Caller, n: NewRole) -> AppResult<RoleDto> {
    let (db, now) = (&st.db, st.clock.now());
    audited(st, caller, "role.create", &format!("role:{}", n.key.trim()), async {
        let me = caller.require(Permission::RoleManage)?;
        let key = validate::username(&n.key).map_err(|_| AppError::field("key", ErrorCode::InvalidFormat))?;
        let name = validate::required_text("name", &n.name, 40)?;
        let perms = parse_permissions(&n.permissions)?;
        if !may_grant(me, Some(key.as_str()), &role_permissions(&key, &perms)) {
            return Err(AppError::Forbidden);
        }
        let txn = begin_write(db).await?;
        if roles::Entity::find().filter(roles::Column::Key.eq(&key)).count(&txn).await? > 0 {
            return Err(AppError::field("key", ErrorCode::Duplicate));
        }
        let r = roles::ActiveModel {
            key: Set(key.clone()),
            name: Set(name),
            builtin: Set(false),
            permissions: Set(serde_json::to_string(&perms).map_err(AppError::internal)?),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(&txn, caller, now, "role.create", &format!("role:{key}"), Outcome::Ok, &perms.join(",")).await?;
        txn.commit().await?;
        Ok(role_dto(r, 0))
    })
    .await
}

/// Grants or withdraws one permission of a role. The `admin` role always holds everything.
///
/// # Errors
/// `Forbidden`; `NotFound`; `Conflict` for the admin role.
pub async fn set_role_permission(
    st: &AppState,
    caller: &Caller,
    role_id: i64,
    permission: Permission,
    granted: bool,
) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("role:{role_id}");
    audited(st, caller, "role.update", &target, async {
        let me = caller.require(Permission::RoleManage)?;
        if granted && !may_grant(me, None, &[permission].into()) {
            return Err(AppError::Forbidden);
        }
        let txn = begin_write(db).await?;
        let r = roles::Entity::find_by_id(role_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        if r.key == ADMIN_ROLE {
            return Err(AppError::conflict(crate::error::Conflict::AdminRoleFixed));
        }
        let mut perms: Vec<String> = serde_json::from_str(&r.permissions).unwrap_or_default();
        perms.retain(|k| k != permission.key());
        if granted {
            perms.push(permission.key().to_owned());
        }
        let key = r.key.clone();
        let mut am = r.into_active_model();
        am.permissions = Set(serde_json::to_string(&perms).map_err(AppError::internal)?);
        am.update(&txn).await?;
        let detail = format!("{}{}", if granted { "+" } else { "-" }, permission.key());
        audit::record(&txn, caller, now, "role.update", &format!("role:{key}"), Outcome::Ok, &detail).await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Deletes a custom role (its members lose it).
///
/// # Errors
/// `Forbidden`; `NotFound`; `Conflict` for a built-in role.
pub async fn delete_role(st: &AppState, caller: &Caller, role_id: i64) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let target = format!("role:{role_id}");
    audited(st, caller, "role.delete", &target, async {
        caller.require(Permission::RoleManage)?;
        let txn = begin_write(db).await?;
        let r = roles::Entity::find_by_id(role_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        if r.builtin {
            return Err(AppError::conflict(crate::error::Conflict::BuiltinRole));
        }
        user_roles::Entity::delete_many().filter(user_roles::Column::RoleId.eq(role_id)).exec(&txn).await?;
        roles::Entity::delete_by_id(role_id).exec(&txn).await?;
        audit::record(&txn, caller, now, "role.delete", &format!("role:{}", r.key), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// Active accounts with no login for `days` days (never-used accounts older than that too).
///
/// # Errors
/// `Forbidden` without `account_report`; `Validation` for days outside 1..=3650.
pub async fn dormant_accounts(st: &AppState, caller: &Caller, days: i64) -> AppResult<Vec<DormantAccount>> {
    let (db, now) = (&st.db, st.clock.now());
    caller.require(Permission::AccountReport)?;
    if !(1..=3650).contains(&days) {
        return Err(AppError::field("days", ErrorCode::OutOfRange));
    }
    let cutoff = now - chrono::Duration::days(days);
    let rows = users::Entity::find()
        .filter(users::Column::Active.eq(true))
        .filter(users::Column::CreatedAt.lt(cutoff))
        .filter(Condition::any().add(users::Column::LastLoginAt.is_null()).add(users::Column::LastLoginAt.lt(cutoff)))
        .order_by_asc(users::Column::LastLoginAt)
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let names = dept_names(db).await?;
    Ok(rows
        .into_iter()
        .map(|u| DormantAccount {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            department_name: u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default(),
            last_login_at: u.last_login_at.map(ts),
            days_idle: (now - u.last_login_at.unwrap_or(u.created_at)).num_days(),
        })
        .collect())
}

/// Active users to pick from in forms (at most 2000).
///
/// # Errors
/// `Forbidden` without `directory_read`.
pub async fn user_options(st: &AppState, caller: &Caller) -> AppResult<Vec<crate::org::api::UserOption>> {
    let db = &st.db;
    caller.require(Permission::DirectoryRead)?;
    let names = dept_names(db).await?;
    let rows = users::Entity::find()
        .filter(users::Column::Active.eq(true))
        .order_by_asc(users::Column::DepartmentId)
        .order_by_asc(users::Column::Id)
        .limit(2000)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|u| crate::org::api::UserOption {
            id: u.id,
            display_name: u.display_name,
            department_name: u.department_id.and_then(|d| names.get(&d).cloned()).unwrap_or_default(),
        })
        .collect())
}
