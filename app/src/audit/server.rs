//! Audit services: append a row in the caller's transaction, search, export, verify.

use crate::audit::api::{AuditFilter, AuditRow};
use crate::common::Page;
use crate::ctx::{AppState, Caller};
use crate::domain::audit::{self as chain, AuditContent, ChainBreak, StoredRow};
use crate::domain::permission::Permission;
use crate::entities::{audit_head, audit_log};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// How an audited operation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }
}

/// Appends one row to the chain. Call it inside the transaction of the change it records,
/// so both commit or neither does, with the instant the change took place (the same one the
/// change itself wrote).
///
/// # Errors
/// The database error.
pub async fn record(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    now: DateTime<Utc>,
    action: &str,
    target: &str,
    outcome: Outcome,
    detail: &str,
) -> AppResult<()> {
    use sea_orm::ExprTrait;
    // Taking the head row first serialises appenders (row lock / SQLite write lock).
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::col(audit_head::Column::Seq).add(1))
        .filter(audit_head::Column::Id.eq(1))
        .exec(conn)
        .await?;
    let head =
        audit_head::Entity::find_by_id(1).one(conn).await?.ok_or_else(|| AppError::internal("audit head missing"))?;
    let content = AuditContent {
        seq: head.seq,
        at: now.to_rfc3339_opts(SecondsFormat::Micros, true),
        actor_id: caller.principal.as_ref().map(|p| p.user_id),
        actor_name: caller.actor_name(),
        action: action.to_owned(),
        target: target.to_owned(),
        client_addr: caller.client_addr.clone(),
        result: outcome.as_str().to_owned(),
        detail: match &caller.token {
            Some(prefix) if detail.is_empty() => format!("[token {prefix}]"),
            Some(prefix) => format!("[token {prefix}] {detail}"),
            None => detail.to_owned(),
        },
    };
    let hash = chain::row_hash(&head.last_hash, &content);
    audit_log::Entity::insert(audit_log::ActiveModel {
        seq: Set(content.seq),
        at: Set(chrono::DateTime::parse_from_rfc3339(&content.at).map_err(AppError::internal)?.with_timezone(&Utc)),
        actor_id: Set(content.actor_id),
        actor_name: Set(content.actor_name),
        action: Set(content.action),
        target: Set(content.target),
        client_addr: Set(content.client_addr),
        result: Set(content.result),
        detail: Set(content.detail),
        prev_hash: Set(head.last_hash),
        hash: Set(hash.clone()),
        ..Default::default()
    })
    .exec(conn)
    .await?;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::LastHash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records a refused or failed operation in its own transaction (the operation's own
/// transaction, if any, was rolled back).
pub async fn record_failure(st: &AppState, caller: &Caller, action: &str, target: &str, err: &AppError) {
    let outcome = match err {
        AppError::Forbidden | AppError::Unauthenticated => Outcome::Denied,
        _ => Outcome::Failed,
    };
    let detail = match err {
        AppError::Internal { request_id } => format!("internal error, request {request_id}"),
        other => other.to_string(),
    };
    let res: AppResult<()> = async {
        let txn = crate::ctx::begin_write(&st.db).await?;
        record(&txn, caller, st.clock.now(), action, target, outcome, &detail).await?;
        txn.commit().await?;
        Ok(())
    }
    .await;
    if let Err(e) = res {
        tracing::error!(error = %e, action, "could not audit a failed operation");
    }
}

/// Runs an audited operation: on error, the failure is audited and the error returned.
///
/// # Errors
/// Whatever the operation returned.
pub async fn audited<T, F>(st: &AppState, caller: &Caller, action: &str, target: &str, op: F) -> AppResult<T>
where
    F: std::future::Future<Output = AppResult<T>>,
{
    let r = op.await;
    if let Err(e) = &r {
        // Validation errors are the user's typos, not security events; everything else is kept.
        if !matches!(e, AppError::Validation { .. }) {
            record_failure(st, caller, action, target, e).await;
        }
    }
    r
}

fn apply_filter(
    mut q: sea_orm::Select<audit_log::Entity>,
    f: &AuditFilter,
) -> AppResult<sea_orm::Select<audit_log::Entity>> {
    if let Some(actor) = f.actor.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::ActorName.eq(actor.to_lowercase()));
    }
    if let Some(action) = f.action.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(audit_log::Column::Action.starts_with(action));
    }
    // Days are China days, as people read the log (not UTC days, which start at 08:00).
    let (from, to) = crate::domain::time::day_range(
        crate::domain::validate::optional_day("from", f.from.as_deref())?,
        crate::domain::validate::optional_day("to", f.to.as_deref())?,
    );
    if let Some(from) = from {
        q = q.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = to {
        q = q.filter(audit_log::Column::At.lt(to));
    }
    Ok(q)
}

fn to_row(m: audit_log::Model) -> AuditRow {
    AuditRow {
        seq: m.seq,
        at: m.at.to_rfc3339_opts(SecondsFormat::Secs, true),
        actor: m.actor_name,
        action: m.action,
        target: m.target,
        client_addr: m.client_addr,
        result: m.result,
        detail: m.detail,
    }
}

/// One page of the audit log, newest first. Reading the log is itself audited.
///
/// # Errors
/// `Forbidden` without `audit_read`; `Validation` for a bad date.
pub async fn search(st: &AppState, caller: &Caller, f: AuditFilter) -> AppResult<Page<AuditRow>> {
    let (db, now) = (&st.db, st.clock.now());
    audited(st, caller, "audit.read", "audit_log", async {
        caller.require(Permission::AuditRead)?;
        let per_page = f.per_page.unwrap_or(50).clamp(1, 200);
        let page = crate::common::page_number(f.page);
        let q = apply_filter(audit_log::Entity::find(), &f)?;
        let total = q.clone().count(db).await?;
        let rows =
            q.order_by_desc(audit_log::Column::Seq).offset((page - 1) * per_page).limit(per_page).all(db).await?;
        let txn = crate::ctx::begin_write(db).await?;
        record(&txn, caller, now, "audit.read", "audit_log", Outcome::Ok, &filter_detail(&f)).await?;
        txn.commit().await?;
        Ok(Page { items: rows.into_iter().map(to_row).collect(), total, page, per_page })
    })
    .await
}

fn filter_detail(f: &AuditFilter) -> String {
    format!(
        "actor={} action={} from={} to={}",
        f.actor.as_deref().unwrap_or(""),
        f.action.as_deref().unwrap_or(""),
        f.from.as_deref().unwrap_or(""),
        f.to.as_deref().unwrap_or("")
    )
}

/// The filtered audit log as CSV (UTF-8 with BOM so spreadsheet programs read Chinese), its
/// times in China time with the offset written out (`2026-12-01T00:17:05+08:00`).
///
/// # Errors
/// `Forbidden` without `audit_read`; `Validation` for a bad date.
pub async fn export_csv(st: &AppState, caller: &Caller, f: AuditFilter) -> AppResult<String> {
    let (db, now) = (&st.db, st.clock.now());
    audited(st, caller, "audit.export", "audit_log", async {
        caller.require(Permission::AuditRead)?;
        let rows = apply_filter(audit_log::Entity::find(), &f)?
            .order_by_asc(audit_log::Column::Seq)
            .limit(100_000)
            .all(db)
            .await?;
        let mut out = String::from("\u{feff}seq,time,actor,action,target,client_addr,result,detail\r\n");
        for m in rows {
            let at = m.at.with_timezone(&crate::domain::time::LOCAL_OFFSET).to_rfc3339_opts(SecondsFormat::Secs, false);
            let r = to_row(m);
            let cells = [r.seq.to_string(), at, r.actor, r.action, r.target, r.client_addr, r.result, r.detail];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        let txn = crate::ctx::begin_write(db).await?;
        record(&txn, caller, now, "audit.export", "audit_log", Outcome::Ok, &filter_detail(&f)).await?;
        txn.commit().await?;
        Ok(out)
    })
    .await
}

/// Quotes a CSV cell, and defuses cells a spreadsheet would run as a formula (a leading
/// `=`, `+`, `-`, `@`, or a tab or carriage return before one).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Walks the whole chain in pages. Returns the number of rows verified.
///
/// # Errors
/// The first break, as text; or a database error.
pub async fn verify_chain(db: &DatabaseConnection) -> Result<i64, String> {
    let mut pos = (0_i64, chain::GENESIS.to_owned());
    loop {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(pos.0))
            .order_by_asc(audit_log::Column::Seq)
            .limit(5000)
            .all(db)
            .await
            .map_err(|e| e.to_string())?;
        if rows.is_empty() {
            break;
        }
        let stored: Vec<StoredRow> = rows
            .into_iter()
            .map(|m| StoredRow {
                content: AuditContent {
                    seq: m.seq,
                    at: m.at.to_rfc3339_opts(SecondsFormat::Micros, true),
                    actor_id: m.actor_id,
                    actor_name: m.actor_name,
                    action: m.action,
                    target: m.target,
                    client_addr: m.client_addr,
                    result: m.result,
                    detail: m.detail,
                },
                prev_hash: m.prev_hash,
                hash: m.hash,
            })
            .collect();
        pos = chain::verify_rows(pos, &stored).map_err(|b| b.to_string())?;
    }
    let head = audit_head::Entity::find_by_id(1).one(db).await.map_err(|e| e.to_string())?;
    if let Some(h) = head
        && h.seq != pos.0
    {
        return Err(ChainBreak::Truncated { last_seq: pos.0, head_seq: h.seq }.to_string());
    }
    Ok(pos.0)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("\t=cmd|' /C calc'!A0"), "'\t=cmd|' /C calc'!A0");
        assert_eq!(csv_cell("\r=1+1"), "\"'\r=1+1\"");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
    }
}
