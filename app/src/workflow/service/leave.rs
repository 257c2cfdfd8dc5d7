//! Leave balances and grants, the offboarding hand-over, the working calendar.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Leave balances of the caller, or of another user for `template_manage`/`user_read`.
///
/// # Errors
/// `Forbidden` for someone else's balances without permission.
pub async fn leave_balances(st: &AppState, caller: &Caller, user: Option<i64>) -> AppResult<Vec<LeaveBalance>> {
    let db = &st.db;
    let me = caller.require_user()?;
    let uid = user.unwrap_or(me.user_id);
    if uid != me.user_id && !me.can(Permission::TemplateManage) && !me.can(Permission::UserRead) {
        return Err(AppError::Forbidden);
    }
    if users::Entity::find_by_id(uid).one(db).await?.is_none() {
        return Err(AppError::NotFound);
    }
    effects::balances(db, uid, st.clock.now()).await
}

/// Sets a user's grant of one leave type.
///
/// # Errors
/// `Forbidden` without `user_manage` (HR, administrators), and for one's own grant (nobody
/// sets their own leave); `Validation` for an unknown type or bad amount.
pub async fn set_leave_grant(
    st: &AppState,
    caller: &Caller,
    user: i64,
    g: SetLeaveGrant,
) -> AppResult<Vec<LeaveBalance>> {
    let now = st.clock.now();
    audited(st, caller, "leave.grant", &format!("user:{user}"), async {
        let me = caller.require(Permission::UserManage)?;
        if me.user_id == user {
            return Err(AppError::Forbidden);
        }
        let txn = begin_write(&st.db).await?;
        if users::Entity::find_by_id(user).one(&txn).await?.is_none() {
            return Err(AppError::NotFound);
        }
        effects::set_grant(&txn, user, &g, now).await?;
        audit::record(
            &txn,
            caller,
            now,
            "leave.grant",
            &format!("user:{user}"),
            Outcome::Ok,
            &format!("{} {}", g.leave_type, g.granted_days),
        )
        .await?;
        txn.commit().await?;
        effects::balances(&st.db, user, now).await
    })
    .await
}

/// Offboarding: hands every open task of `leaver` to `successor`, recorded in each
/// instance's history, and optionally disables the leaver.
///
/// # Errors
/// `Forbidden` without `user_manage`; `Validation` for an unknown or inactive successor.
pub async fn hand_over(st: &AppState, caller: &Caller, leaver: i64, body: HandOverBody) -> AppResult<HandOverResult> {
    let res = audited(st, caller, "workflow.hand_over", &format!("user:{leaver}"), async {
        let admin = caller.require(Permission::UserManage)?.user_id;
        if users::Entity::find_by_id(leaver).one(&st.db).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let ok = users::Entity::find_by_id(body.successor).one(&st.db).await?.is_some_and(|u| u.active);
        if !ok || body.successor == leaver {
            return Err(AppError::field("successor", ErrorCode::UnknownReference));
        }
        let tasks = wf_tasks::Entity::find()
            .filter(wf_tasks::Column::AssigneeId.eq(leaver))
            .filter(wf_tasks::Column::Status.eq(wf_tasks::Status::Open))
            .all(&st.db)
            .await?;
        let mut result = HandOverResult { handed_over: 0, skipped: vec![] };
        for t in tasks {
            let now = st.clock.now();
            let txn = begin_write(&st.db).await?;
            let action = SystemAction::HandOver {
                task: t.seq as u32,
                to: body.successor,
                by: admin,
                comment: "离职交接".into(),
            };
            match system_step(
                &txn,
                &st.area::<VersionCache>(),
                caller,
                t.instance_id,
                action,
                vec![body.successor],
                now,
            )
            .await?
            {
                Some(_) => {
                    txn.commit().await?;
                    result.handed_over += 1;
                }
                None => {
                    txn.rollback().await?;
                    result.skipped.push(t.id);
                }
            }
        }
        Ok(result)
    })
    .await?;
    if body.disable {
        crate::org::server::set_user_active(st, caller, leaver, false).await?;
    }
    Ok(res)
}

/// The working calendar, for administrators.
///
/// # Errors
/// `Unauthenticated`.
pub async fn get_work_calendar(db: &DatabaseConnection, caller: &Caller) -> AppResult<WorkCalendar> {
    caller.require_user()?;
    work_calendar(db).await
}

/// Replaces the working calendar (holidays, make-up working days, hours).
///
/// # Errors
/// `Forbidden` without `template_manage`; `Validation` for hours that do not make a day.
pub async fn set_work_calendar(st: &AppState, caller: &Caller, cal: WorkCalendar) -> AppResult<WorkCalendar> {
    audited(st, caller, "calendar.update", "work_calendar", async {
        caller.require(Permission::TemplateManage)?;
        if cal.day_end <= cal.day_start {
            return Err(AppError::field("day_end", ErrorCode::OutOfRange));
        }
        if cal.holidays.len() + cal.workdays.len() > 5000 {
            return Err(AppError::field("holidays", ErrorCode::OutOfRange));
        }
        let now = st.clock.now();
        let txn = begin_write(&st.db).await?;
        let value = serde_json::to_string(&cal).map_err(AppError::internal)?;
        let existing = settings::Entity::find_by_id("work_calendar".to_owned()).one(&txn).await?;
        let am = settings::ActiveModel { key: Set("work_calendar".into()), value: Set(value), updated_at: Set(now) };
        if existing.is_some() {
            am.update(&txn).await?;
        } else {
            am.insert(&txn).await?;
        }
        audit::record(&txn, caller, now, "calendar.update", "work_calendar", Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(cal)
    })
    .await
}
