//! tower-sessions records kept in the `sessions` table, on SQLite or PostgreSQL alike, so
//! several servers share sessions. The user id is copied into its own column so all of a
//! user's sessions can be revoked at once.

use app::entities::sessions;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// The database-backed session store.
///
/// Sessions live on the system clock, not on the services' `Clock`: tower-sessions stamps
/// each record's expiry from the system time itself (it cannot be given a clock), so the
/// store compares expiries with that same clock. Nothing else compares with `expires_at`.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    clock: app::ctx::Clock,
}

impl DbSessionStore {
    #[must_use]
    pub fn new(db: DatabaseConnection) -> Self {
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
            let res = sessions::Entity::insert(model(record)?)
                .on_conflict(OnConflict::column(sessions::Column::Id).do_nothing().to_owned())
                .exec_without_returning(&self.db)
                .await
                .map_err(backend)?;
            if res > 0 {
                return Ok(());
            }
            record.id = Id::default();
        }
        Err(backend("could not allocate a session id"))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sessions::Entity::insert(model(record)?)
            .on_conflict(
                OnConflict::column(sessions::Column::Id)
                    .update_columns([sessions::Column::UserId, sessions::Column::Data, sessions::Column::ExpiresAt])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(backend)?;
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
        sessions::Entity::delete_by_id(id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        sessions::Entity::delete_many()
            .filter(sessions::Column::ExpiresAt.lte(self.clock.now()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
