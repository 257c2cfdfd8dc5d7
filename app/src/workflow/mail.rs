//! E-mail notifications (SPEC INFO-3): queued from the outbox for the kinds each user chose,
//! sent over SMTP (lettre) by a background job. Rows are claimed with a lease (and `SKIP
//! LOCKED` on PostgreSQL) so several servers never send one twice; a failure is retried
//! with growing pauses and its error kept on the row.

use super::desk::email_kinds;
use super::service::Notice;
use crate::ctx::{AppState, SmtpSettings, begin_write};
use crate::entities::{mail_queue, users};
use crate::error::{AppError, AppResult};
use crate::i18n::td_string;
use chrono::{DateTime, Duration, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

const BATCH: u64 = 20;
const LEASE_SECS: i64 = 120;
/// After this many failures a mail is given up (its last error stays on the row).
pub const MAX_ATTEMPTS: i32 = 8;

/// Queues the e-mails for these notices: to users with an address who chose the kind.
pub(crate) async fn queue(
    conn: &impl ConnectionTrait,
    smtp: &SmtpSettings,
    notices: &[Notice],
    now: DateTime<Utc>,
) -> AppResult<()> {
    if notices.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = notices.iter().map(|n| n.user_id).collect();
    let people: HashMap<i64, users::Model> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .filter(users::Column::Active.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut kinds: HashMap<i64, Vec<String>> = HashMap::new();
    let mut rows = Vec::new();
    for n in notices {
        let Some(u) = people.get(&n.user_id).filter(|u| u.email.contains('@')) else { continue };
        if let std::collections::hash_map::Entry::Vacant(e) = kinds.entry(u.id) {
            e.insert(email_kinds(conn, u.id).await?);
        }
        // Reminders are repeated deadline notices: they follow the "overdue" choice.
        let kind = if n.kind == "remind" { "overdue" } else { n.kind.as_str() };
        if !kinds.get(&u.id).is_some_and(|k| k.iter().any(|x| x == kind)) {
            continue;
        }
        let link = n.instance_id.map(|i| format!("{}/approvals/{i}", smtp.public_url.trim_end_matches('/')));
        // In the recipient's language, as the notice itself was worded.
        let locale = super::jobs::locale_of(Some(u.locale.as_str()));
        let body = format!(
            "{}\n\n{}\n{}\n{}\n\n{}\n",
            td_string!(locale, notice.mail_greeting, name = u.display_name.clone()),
            n.title,
            n.body,
            link.map(|l| format!("\n{}", td_string!(locale, notice.mail_view, link = l))).unwrap_or_default(),
            td_string!(locale, notice.mail_footer),
        );
        let subject = td_string!(locale, notice.mail_subject, title = n.title.clone()).to_string();
        rows.push(mail_queue::ActiveModel {
            user_id: Set(u.id),
            to_addr: Set(u.email.clone()),
            subject: Set(subject),
            body: Set(body),
            created_at: Set(now),
            available_at: Set(now),
            attempts: Set(0),
            lease_owner: Set(None),
            lease_until: Set(None),
            sent_at: Set(None),
            last_error: Set(None),
            ..Default::default()
        });
    }
    if !rows.is_empty() {
        mail_queue::Entity::insert_many(rows).exec(conn).await?;
    }
    Ok(())
}

fn message(smtp: &SmtpSettings, m: &mail_queue::Model) -> Result<Message, String> {
    let from: Mailbox = smtp.from.parse().map_err(|e| format!("TONGBAN_SMTP_FROM: {e}"))?;
    let to: Mailbox = m.to_addr.parse().map_err(|e| format!("recipient {}: {e}", m.to_addr))?;
    Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| e.to_string())
}

/// Sends the e-mails that are due; returns how many went out. Does nothing without SMTP.
///
/// # Errors
/// The database error (claimed rows are retried when their lease ends).
pub async fn send_due(st: &AppState, owner: &str) -> AppResult<usize> {
    let Some(smtp) = st.settings.smtp.clone() else { return Ok(0) };
    let now = st.clock.now();
    let due = || {
        mail_queue::Entity::find()
            .filter(mail_queue::Column::SentAt.is_null())
            .filter(mail_queue::Column::AvailableAt.lte(now))
            .filter(mail_queue::Column::Attempts.lt(MAX_ATTEMPTS))
            .filter(
                Condition::any()
                    .add(mail_queue::Column::LeaseUntil.is_null())
                    .add(mail_queue::Column::LeaseUntil.lt(now)),
            )
    };
    if due().one(&st.db).await?.is_none() {
        return Ok(0);
    }
    let txn = begin_write(&st.db).await?;
    let mut q = due().order_by_asc(mail_queue::Column::Id).limit(BATCH);
    if st.db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(&txn).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    mail_queue::Entity::update_many()
        .col_expr(mail_queue::Column::LeaseOwner, Expr::value(owner))
        .col_expr(mail_queue::Column::LeaseUntil, Expr::value(now + Duration::seconds(LEASE_SECS)))
        .filter(mail_queue::Column::Id.is_in(ids))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp.url)
        .map_err(|e| AppError::bad(format!("TONGBAN_SMTP_URL: {e}")))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    let mut sent = 0;
    for m in rows {
        let result = match message(&smtp, &m) {
            Ok(msg) => transport.send(msg).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let mut upd = mail_queue::Entity::update_many()
            .col_expr(mail_queue::Column::LeaseOwner, Expr::value(Option::<String>::None))
            .col_expr(mail_queue::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(mail_queue::Column::Id.eq(m.id));
        match result {
            Ok(()) => {
                sent += 1;
                upd = upd.col_expr(mail_queue::Column::SentAt, Expr::value(st.clock.now()));
            }
            Err(e) => {
                tracing::warn!(mail = m.id, error = %e, "e-mail not sent; will retry");
                let attempts = m.attempts + 1;
                let pause = Duration::minutes(1i64 << attempts.clamp(0, 10));
                upd = upd
                    .col_expr(mail_queue::Column::Attempts, Expr::value(attempts))
                    .col_expr(mail_queue::Column::AvailableAt, Expr::value(st.clock.now() + pause))
                    .col_expr(mail_queue::Column::LastError, Expr::value(e.chars().take(500).collect::<String>()));
            }
        }
        let txn = begin_write(&st.db).await?;
        upd.exec(&txn).await?;
        txn.commit().await?;
    }
    Ok(sent)
}
