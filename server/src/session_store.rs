//! tower-sessions records kept in the `sessions` table, on SQLite or PostgreSQL alike, so
//! several servers share sessions. The user id is copied into its own column so all of a
//! user's sessions can be revoked at once.

use app::ctx::Db;
use app::ctx::begin_write;
use app::entities::sessions;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

/// A session's sliding expiry is written again only when it moved by this much (12 hours of
/// inactivity end a session; up to an hour less is no loss).
pub const EXPIRY_SLACK_MINUTES: i64 = 60;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// The database-backed session store.
///
/// Sessions live on the system clock, not on the services' `Clock`: tower-sessions stamps
/// each record's expiry from the system time itself (it cannot be given a clock), so the
/// store compares expiries with that same clock. Nothing else compares with `expires_at`.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: app::ctx::Clock,
}

impl DbSessionStore {
    #[must_use]
    pub fn new(db: Db) -> Self {
        Self { db, clock: app::ctx::Clock::system() }
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn expiry(r: &Record) -> DateTime<Utc> {
    // Out of chrono's range only for a corrupt record: treat it as expired.
    DateTime::from_timestamp(r.expiry_date.unix_timestamp(), 0).unwrap_or(DateTime::UNIX_EPOCH)
}

fn model(r: &Record) -> session_store::Result<sessions::ActiveModel> {
    Ok(sessions::ActiveModel {
        id: Set(r.id.to_string()),
        user_id: Set(r.data.get(app::auth::server::SESSION_USER).and_then(serde_json::Value::as_i64)),
        data: Set(serde_json::to_string(&r.data).map_err(|e| session_store::Error::Encode(e.to_string()))?),
        expires_at: Set(expiry(r)),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the astronomically unlikely clash, draw again.
        for _ in 0..5 {
            let txn = begin_write(&self.db).await.map_err(backend)?;
            let res = sessions::Entity::insert(model(record)?)
                .on_conflict(OnConflict::column(sessions::Column::Id).do_nothing().to_owned())
                .exec_without_returning(&txn)
                .await
                .map_err(backend)?;
            txn.commit().await.map_err(backend)?;
            if res > 0 {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(backend("could not allocate a session id"))
    }

    /// Updates a session that still exists. Called after every request (the expiry slides
    /// with activity), so: a session that was ended meanwhile (signed out, a password change,
    /// an account disabled) is not brought back; and when only the expiry moved, by less than
    /// [`EXPIRY_SLACK_MINUTES`], nothing is written — a page view costs no write. Writes go
    /// through the writer slot like every other write: on SQLite a write waiting for the
    /// database lock never holds a pooled connection another writer needs.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let id = record.id.to_string();
        let user_id = record.data.get(app::auth::server::SESSION_USER).and_then(serde_json::Value::as_i64);
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires_at = expiry(record);
        let Some(row) = sessions::Entity::find_by_id(id.clone()).one(&self.db).await.map_err(backend)? else {
            return Ok(());
        };
        if row.user_id == user_id
            && row.data == data
            && (expires_at - row.expires_at).num_minutes().abs() < EXPIRY_SLACK_MINUTES
        {
            return Ok(());
        }
        let txn = begin_write(&self.db).await.map_err(backend)?;
        sessions::Entity::update_many()
            .col_expr(sessions::Column::UserId, Expr::value(user_id))
            .col_expr(sessions::Column::Data, Expr::value(data))
            .col_expr(sessions::Column::ExpiresAt, Expr::value(expires_at))
            .filter(sessions::Column::Id.eq(id))
            .exec(&txn)
            .await
            .map_err(backend)?;
        txn.commit().await.map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sessions::Entity::find_by_id(id.to_string())
            .filter(sessions::Column::ExpiresAt.gt(self.clock.now()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let data = serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let txn = begin_write(&self.db).await.map_err(backend)?;
        sessions::Entity::delete_by_id(id.to_string()).exec(&txn).await.map_err(backend)?;
        txn.commit().await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let txn = begin_write(&self.db).await.map_err(backend)?;
        sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(self.clock.now()))
            .exec(&txn)
            .await
            .map_err(backend)?;
        txn.commit().await.map_err(backend)?;
        Ok(())
    }
}
