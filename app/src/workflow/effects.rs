//! What built-in templates do besides routing, inside the transaction of the transition that
//! causes it, so it happens exactly once: leave holds its days while running and deducts
//! them on final approval (SPEC WF-9); a new-account request creates the account (ORG-2).

use super::api::{LeaveBalance, SetLeaveGrant};
use super::service::VersionDef;
use crate::domain::workflow::form::half_days_of;
use crate::domain::workflow::instance::InstanceStatus;
use crate::domain::workflow::money::Money;
use crate::entities::wf_templates::Effect;
use crate::entities::{departments, leave_balances, roles, user_roles, users};
use crate::error::{AppError, AppResult, ErrorCode};
use chrono::{DateTime, Utc};
use sea_orm::ExprTrait;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Map, Value};

/// Leave types with their labels and default yearly grants (in days).
pub const LEAVE_TYPES: [(&str, &str, i32); 4] =
    [("annual", "年假", 10), ("sick", "病假", 10), ("personal", "事假", 5), ("compensatory", "调休", 0)];

fn text<'a>(form: &'a Map<String, Value>, key: &str) -> &'a str {
    form.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn days_text(halves: i32) -> String {
    let m = Money(i64::from(halves) * 50).to_string();
    m.strip_suffix(".00").or_else(|| m.strip_suffix('0')).unwrap_or(&m).to_owned()
}

/// Checks a submitted form against what the template's effect needs.
///
/// # Errors
/// `Validation` naming the field.
pub(crate) async fn validate(
    conn: &impl ConnectionTrait,
    def: &VersionDef,
    form: &Map<String, Value>,
) -> AppResult<()> {
    match def.effect {
        Some(Effect::Leave) => {
            if half_days_of(form.get("days")).unwrap_or(0) == 0 {
                return Err(AppError::field("end_date", ErrorCode::OutOfRange));
            }
            if !LEAVE_TYPES.iter().any(|(k, ..)| *k == text(form, "leave_type")) {
                return Err(AppError::field("leave_type", ErrorCode::UnknownReference));
            }
        }
        Some(Effect::NewAccount) => {
            let username = crate::domain::validate::username(text(form, "username"))?;
            if users::Entity::find().filter(users::Column::Username.eq(&username)).count(conn).await? > 0 {
                return Err(AppError::field("username", ErrorCode::Duplicate));
            }
            crate::domain::validate::email(text(form, "email"))?;
            crate::domain::validate::phone(text(form, "phone"))?;
            if let Some(d) = form.get("department").and_then(Value::as_i64)
                && departments::Entity::find_by_id(d).one(conn).await?.is_none()
            {
                return Err(AppError::field("department", ErrorCode::UnknownReference));
            }
        }
        _ => {}
    }
    Ok(())
}

/// A status change, as an effect sees it.
pub(crate) struct Change<'a> {
    /// The status before; `None` for a request being filed.
    pub before: Option<InstanceStatus>,
    pub after: InstanceStatus,
    /// The form the instance ran with before (empty for a new request).
    pub old_form: &'a Map<String, Value>,
    /// The form it runs with now (they differ on a resubmission).
    pub form: &'a Map<String, Value>,
    pub requester: i64,
    pub now: DateTime<Utc>,
}

/// Runs the effect of a status change.
///
/// # Errors
/// `Validation` (a leave balance that no longer covers the request, a username taken since
/// the request was filed); the database error.
pub(crate) async fn on_transition(conn: &impl ConnectionTrait, def: &VersionDef, c: &Change<'_>) -> AppResult<()> {
    let Change { before, after, old_form, form, requester, now } = *c;
    let was = before == Some(InstanceStatus::Running);
    let is = after == InstanceStatus::Running;
    match def.effect {
        Some(Effect::Leave) => {
            if was && !is {
                let n = half_days_of(old_form.get("days")).unwrap_or(0) as i32;
                let mut q = leave_balances::Entity::update_many()
                    .col_expr(
                        leave_balances::Column::HeldHalfDays,
                        Expr::col(leave_balances::Column::HeldHalfDays).sub(n),
                    )
                    .col_expr(leave_balances::Column::UpdatedAt, Expr::value(now));
                if after == InstanceStatus::Approved {
                    q = q.col_expr(
                        leave_balances::Column::UsedHalfDays,
                        Expr::col(leave_balances::Column::UsedHalfDays).add(n),
                    );
                }
                q.filter(leave_balances::Column::UserId.eq(requester))
                    .filter(leave_balances::Column::LeaveType.eq(text(old_form, "leave_type")))
                    .exec(conn)
                    .await?;
            }
            if !was && is {
                let n = half_days_of(form.get("days")).unwrap_or(0) as i32;
                ensure_rows(conn, requester, now).await?;
                let res = leave_balances::Entity::update_many()
                    .col_expr(
                        leave_balances::Column::HeldHalfDays,
                        Expr::col(leave_balances::Column::HeldHalfDays).add(n),
                    )
                    .col_expr(leave_balances::Column::UpdatedAt, Expr::value(now))
                    .filter(leave_balances::Column::UserId.eq(requester))
                    .filter(leave_balances::Column::LeaveType.eq(text(form, "leave_type")))
                    .filter(
                        Expr::col(leave_balances::Column::GrantedHalfDays)
                            .sub(Expr::col(leave_balances::Column::UsedHalfDays))
                            .sub(Expr::col(leave_balances::Column::HeldHalfDays))
                            .gte(n),
                    )
                    .exec(conn)
                    .await?;
                if res.rows_affected != 1 {
                    return Err(AppError::field("days", ErrorCode::InsufficientBalance));
                }
            }
        }
        Some(Effect::NewAccount) if after == InstanceStatus::Approved && before != Some(InstanceStatus::Approved) => {
            create_account(conn, form, now).await?;
        }
        Some(Effect::TemplatePublish)
            if after == InstanceStatus::Approved && before != Some(InstanceStatus::Approved) =>
        {
            super::design_server::publish_reviewed(conn, form, requester, now).await?;
        }
        _ => {}
    }
    Ok(())
}

async fn create_account(conn: &impl ConnectionTrait, form: &Map<String, Value>, now: DateTime<Utc>) -> AppResult<()> {
    let username = crate::domain::validate::username(text(form, "username"))?;
    if users::Entity::find().filter(users::Column::Username.eq(&username)).count(conn).await? > 0 {
        return Err(AppError::conflict(crate::error::Conflict::UsernameTaken { username }));
    }
    let department = form.get("department").and_then(Value::as_i64);
    let manager = match department {
        Some(d) => departments::Entity::find_by_id(d).one(conn).await?.and_then(|d| d.head_user_id),
        None => None,
    };
    // No usable password: an administrator sets the first one with "reset password".
    let unusable = format!("!disabled-{}", uuid::Uuid::new_v4().simple());
    let fields = crate::org::server::AccountFields {
        username,
        display_name: crate::domain::validate::required_text("display_name", text(form, "display_name"), 40)?,
        password_hash: unusable,
        department_id: department,
        position: text(form, "position").to_owned(),
        manager_id: manager,
        phone: crate::domain::validate::phone(text(form, "phone"))?,
        email: crate::domain::validate::email(text(form, "email"))?,
        must_change_password: false,
    };
    let u = crate::org::server::new_account(fields, now).insert(conn).await?;
    if let Some(r) =
        roles::Entity::find().filter(roles::Column::Key.eq(crate::domain::permission::DEFAULT_ROLE)).one(conn).await?
    {
        user_roles::Entity::insert(user_roles::ActiveModel { user_id: Set(u.id), role_id: Set(r.id) })
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Makes sure a user has a balance row for every leave type (defaults on first use).
///
/// # Errors
/// The database error.
pub(crate) async fn ensure_rows(conn: &impl ConnectionTrait, user: i64, now: DateTime<Utc>) -> AppResult<()> {
    let have = leave_balances::Entity::find().filter(leave_balances::Column::UserId.eq(user)).count(conn).await?;
    if have as usize == LEAVE_TYPES.len() {
        return Ok(());
    }
    for (key, _, days) in LEAVE_TYPES {
        leave_balances::Entity::insert(leave_balances::ActiveModel {
            user_id: Set(user),
            leave_type: Set(key.to_owned()),
            granted_half_days: Set(days * 2),
            used_half_days: Set(0),
            held_half_days: Set(0),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([leave_balances::Column::UserId, leave_balances::Column::LeaveType])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    }
    Ok(())
}

/// A user's balances.
///
/// # Errors
/// The database error.
pub(crate) async fn balances(
    conn: &impl ConnectionTrait,
    user: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<LeaveBalance>> {
    ensure_rows(conn, user, now).await?;
    let rows = leave_balances::Entity::find()
        .filter(leave_balances::Column::UserId.eq(user))
        .order_by_asc(leave_balances::Column::Id)
        .all(conn)
        .await?;
    Ok(LEAVE_TYPES
        .iter()
        .filter_map(|(key, label, _)| {
            let r = rows.iter().find(|r| r.leave_type == *key)?;
            Some(LeaveBalance {
                leave_type: (*key).to_owned(),
                label: (*label).to_owned(),
                granted_days: days_text(r.granted_half_days),
                used_days: days_text(r.used_half_days),
                held_days: days_text(r.held_half_days),
                available_days: days_text(r.granted_half_days - r.used_half_days - r.held_half_days),
            })
        })
        .collect())
}

/// Sets a grant.
///
/// # Errors
/// `Validation` for an unknown type or an amount that is not whole or half days in 0..=365.
pub(crate) async fn set_grant(
    conn: &impl ConnectionTrait,
    user: i64,
    g: &SetLeaveGrant,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !LEAVE_TYPES.iter().any(|(k, ..)| *k == g.leave_type) {
        return Err(AppError::field("leave_type", ErrorCode::UnknownReference));
    }
    let halves = half_days_of(Some(&Value::String(g.granted_days.trim().to_owned())))
        .filter(|h| *h <= 730)
        .ok_or_else(|| AppError::field("granted_days", ErrorCode::InvalidFormat))?;
    ensure_rows(conn, user, now).await?;
    leave_balances::Entity::update_many()
        .col_expr(leave_balances::Column::GrantedHalfDays, Expr::value(halves as i32))
        .col_expr(leave_balances::Column::UpdatedAt, Expr::value(now))
        .filter(leave_balances::Column::UserId.eq(user))
        .filter(leave_balances::Column::LeaveType.eq(&g.leave_type))
        .exec(conn)
        .await?;
    Ok(())
}
