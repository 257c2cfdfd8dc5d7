//! Authentication services: passwords, login throttling, principals, API tokens.

use crate::audit::server::{self as audit, Outcome, audited};
use crate::auth::api::{ApiTokenDto, NewApiToken};
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::permission::{Permission, Principal};
use crate::domain::{password, validate};
use crate::entities::{api_tokens, login_attempts, roles, sessions, user_roles, users};
use crate::error::{AppError, AppResult, ErrorCode};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

/// Failed logins for one account from one address before it is locked.
pub const MAX_FAILURES: u64 = 5;
/// How long the lock lasts.
pub const LOCK_MINUTES: i64 = 15;

/// Hashes a password with argon2id.
///
/// # Errors
/// `Internal` if hashing fails.
pub fn hash_password(pw: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

/// Whether `pw` matches a stored hash.
#[must_use]
pub fn verify_password(hash: &str, pw: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

// A hash of a random password, verified against when the account does not exist, so that a
// missing account takes as long to refuse as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("not-a-real-password-1").unwrap_or_default());

/// Loads what a user may do.
///
/// # Errors
/// The database error.
pub async fn principal_of(conn: &impl ConnectionTrait, user: &users::Model) -> AppResult<Principal> {
    let role_ids: Vec<i64> = user_roles::Entity::find()
        .filter(user_roles::Column::UserId.eq(user.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.role_id)
        .collect();
    let roles = roles::Entity::find().filter(roles::Column::Id.is_in(role_ids)).all(conn).await?;
    let mut permissions = std::collections::BTreeSet::new();
    for r in &roles {
        for key in serde_json::from_str::<Vec<String>>(&r.permissions).unwrap_or_default() {
            if let Some(p) = Permission::from_key(&key) {
                permissions.insert(p);
            }
        }
    }
    let mut role_keys: Vec<String> = roles.into_iter().map(|r| r.key).collect();
    role_keys.sort();
    Ok(Principal {
        user_id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        roles: role_keys,
        permissions,
        locale: user.locale.clone(),
    })
}

/// The principal of a session, if its user is still active and the session was issued for
/// the user's current `auth_version` (password unchanged, never disabled since).
///
/// # Errors
/// The database error.
pub async fn principal_for_session(st: &AppState, user_id: i64, auth_version: i32) -> AppResult<Option<Principal>> {
    let db = &st.db;
    let Some(user) = users::Entity::find_by_id(user_id).one(db).await? else { return Ok(None) };
    if !user.active || user.auth_version != auth_version {
        return Ok(None);
    }
    Ok(Some(principal_of(db, &user).await?))
}

/// Seconds until the account may try again, if it is locked for this address. Failures
/// count after the last success by row order, not by time: several attempts can carry the
/// same instant.
async fn locked_for(
    conn: &impl ConnectionTrait,
    username: &str,
    addr: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<u64>> {
    let window_start = now - Duration::minutes(LOCK_MINUTES);
    let last_success: Option<i64> = login_attempts::Entity::find()
        .select_only()
        .column(login_attempts::Column::Id)
        .filter(login_attempts::Column::Username.eq(username))
        .filter(login_attempts::Column::ClientAddr.eq(addr))
        .filter(login_attempts::Column::Success.eq(true))
        .order_by_desc(login_attempts::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    let failures = login_attempts::Entity::find()
        .filter(login_attempts::Column::Username.eq(username))
        .filter(login_attempts::Column::ClientAddr.eq(addr))
        .filter(login_attempts::Column::Success.eq(false))
        .filter(login_attempts::Column::Id.gt(last_success.unwrap_or(0)))
        .filter(login_attempts::Column::AttemptedAt.gt(window_start))
        .order_by_desc(login_attempts::Column::Id)
        .limit(MAX_FAILURES)
        .all(conn)
        .await?;
    if (failures.len() as u64) < MAX_FAILURES {
        return Ok(None);
    }
    let until = failures[0].attempted_at + Duration::minutes(LOCK_MINUTES);
    Ok(Some((until - now).num_seconds().max(1) as u64))
}

/// Signs a user in: checks throttling and the password, records the attempt, audits it.
///
/// # Errors
/// `Validation` (empty fields, or `WrongCredentials`), `TooManyAttempts` while locked.
pub async fn login(st: &AppState, caller: &Caller, username: &str, pw: &str) -> AppResult<(users::Model, Principal)> {
    let (db, now) = (&st.db, st.clock.now());
    let username = username.trim().to_lowercase();
    if username.is_empty() {
        return Err(AppError::field("username", ErrorCode::Required));
    }
    if pw.is_empty() {
        return Err(AppError::field("password", ErrorCode::Required));
    }
    // Bound the work an attacker can cause and the size of what is stored.
    if username.len() > 64 || pw.len() > password::MAX_LEN * 4 {
        return Err(AppError::field("password", ErrorCode::WrongCredentials));
    }
    let target = format!("user:{username}");
    if let Some(retry_after_secs) = locked_for(db, &username, &caller.client_addr, now).await? {
        let txn = begin_write(db).await?;
        audit::record(&txn, caller, now, "auth.login", &target, Outcome::Denied, "locked").await?;
        txn.commit().await?;
        return Err(AppError::TooManyAttempts { retry_after_secs });
    }
    let user = users::Entity::find().filter(users::Column::Username.eq(&username)).one(db).await?;
    // Verify outside the transaction: argon2 is slow and must not hold the write lock.
    let ok = match &user {
        Some(u) => verify_password(&u.password_hash, pw),
        None => {
            let _ = verify_password(&DUMMY_HASH, pw);
            false
        }
    };
    let active = user.as_ref().is_some_and(|u| u.active);
    let txn = begin_write(db).await?;
    login_attempts::Entity::insert(login_attempts::ActiveModel {
        username: Set(username.clone()),
        client_addr: Set(caller.client_addr.clone()),
        success: Set(ok && active),
        attempted_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    match user {
        Some(u) if ok && active => {
            let mut am = u.clone().into_active_model();
            am.last_login_at = Set(Some(now));
            let u = am.update(&txn).await?;
            let principal = principal_of(&txn, &u).await?;
            let who = Caller { principal: Some(principal.clone()), ..caller.clone() };
            audit::record(&txn, &who, now, "auth.login", &target, Outcome::Ok, "").await?;
            txn.commit().await?;
            Ok((u, principal))
        }
        other => {
            let why = match other {
                None => "no such account",
                Some(u) if !u.active => "account disabled",
                Some(_) => "wrong password",
            };
            audit::record(&txn, caller, now, "auth.login", &target, Outcome::Failed, why).await?;
            txn.commit().await?;
            Err(AppError::field("password", ErrorCode::WrongCredentials))
        }
    }
}

/// Audits a logout.
///
/// # Errors
/// The database error.
pub async fn record_logout(st: &AppState, caller: &Caller) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    if let Some(p) = &caller.principal {
        let txn = begin_write(db).await?;
        audit::record(&txn, caller, now, "auth.logout", &format!("user:{}", p.username), Outcome::Ok, "").await?;
        txn.commit().await?;
    }
    Ok(())
}

/// Deletes every stored session of a user (they are signed out everywhere at once).
///
/// # Errors
/// The database error.
pub async fn revoke_sessions(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<()> {
    sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(conn).await?;
    Ok(())
}

/// Changes the caller's own password. Returns the new `auth_version` (the caller's current
/// session is re-issued with it; every other session ends).
///
/// # Errors
/// `Unauthenticated`; `Validation` for a wrong current password or a new one that breaks the policy.
pub async fn change_password(st: &AppState, caller: &Caller, current: &str, new: &str) -> AppResult<i32> {
    let (db, now) = (&st.db, st.clock.now());
    let me = caller.require_user()?;
    let target = format!("user:{}", me.username);
    audited(st, caller, "auth.change_password", &target, async {
        let user = users::Entity::find_by_id(me.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
        if !verify_password(&user.password_hash, current) {
            return Err(AppError::field("current_password", ErrorCode::WrongPassword));
        }
        password::check_policy(&user.username, new).map_err(|c| AppError::field("new_password", c))?;
        if current == new {
            return Err(AppError::field("new_password", ErrorCode::Duplicate));
        }
        let hash = hash_password(new)?;
        let txn = begin_write(db).await?;
        let version = user.auth_version + 1;
        let mut am = user.into_active_model();
        am.password_hash = Set(hash);
        am.auth_version = Set(version);
        am.updated_at = Set(now);
        am.update(&txn).await?;
        revoke_sessions(&txn, me.user_id).await?;
        audit::record(&txn, caller, now, "auth.change_password", &target, Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(version)
    })
    .await
}

/// Saves the caller's UI language.
///
/// # Errors
/// `Validation` for an unsupported locale.
pub async fn set_locale(st: &AppState, caller: &Caller, locale: &str) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let locale = validate::locale(locale)?;
    let Some(me) = &caller.principal else { return Ok(()) };
    let txn = begin_write(db).await?;
    users::Entity::update_many()
        .col_expr(users::Column::Locale, Expr::value(locale.clone()))
        .filter(users::Column::Id.eq(me.user_id))
        .exec(&txn)
        .await?;
    audit::record(&txn, caller, now, "user.set_locale", &format!("user:{}", me.username), Outcome::Ok, &locale).await?;
    txn.commit().await?;
    Ok(())
}

fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn token_dto(m: api_tokens::Model) -> ApiTokenDto {
    ApiTokenDto {
        id: m.id,
        name: m.name,
        prefix: m.prefix,
        created_at: m.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        last_used_at: m.last_used_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        expires_at: m.expires_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    }
}

/// Creates a personal API token. The secret is returned once and stored only as a hash.
///
/// # Errors
/// `Unauthenticated`; `Validation` for a bad name or expiry.
pub async fn create_token(st: &AppState, caller: &Caller, input: NewApiToken) -> AppResult<(ApiTokenDto, String)> {
    let (db, now) = (&st.db, st.clock.now());
    let me = caller.require_user()?;
    let name = validate::required_text("name", &input.name, 60)?;
    let expires_at = match input.expires_in_days {
        None => None,
        Some(d) if (1..=3650).contains(&d) => Some(now + Duration::days(d)),
        Some(_) => return Err(AppError::field("expires_in_days", ErrorCode::OutOfRange)),
    };
    let mut raw = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = format!("tb_{}", hex::encode(raw));
    let txn = begin_write(db).await?;
    let count = api_tokens::Entity::find().filter(api_tokens::Column::UserId.eq(me.user_id)).count(&txn).await?;
    if count >= 20 {
        return Err(AppError::Conflict { message: "at most 20 tokens per user".into() });
    }
    let m = api_tokens::ActiveModel {
        user_id: Set(me.user_id),
        name: Set(name.clone()),
        token_hash: Set(token_hash(&secret)),
        prefix: Set(secret[..10].to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(&txn, caller, now, "token.create", &format!("token:{}", m.id), Outcome::Ok, &name).await?;
    txn.commit().await?;
    Ok((token_dto(m), secret))
}

/// The caller's API tokens (never their secrets).
///
/// # Errors
/// `Unauthenticated`.
pub async fn list_tokens(st: &AppState, caller: &Caller) -> AppResult<Vec<ApiTokenDto>> {
    let db = &st.db;
    let me = caller.require_user()?;
    let rows = api_tokens::Entity::find()
        .filter(api_tokens::Column::UserId.eq(me.user_id))
        .order_by_desc(api_tokens::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(token_dto).collect())
}

/// Deletes one of the caller's tokens.
///
/// # Errors
/// `Unauthenticated`; `NotFound` for a token that is not the caller's.
pub async fn delete_token(st: &AppState, caller: &Caller, id: i64) -> AppResult<()> {
    let (db, now) = (&st.db, st.clock.now());
    let me = caller.require_user()?;
    audited(st, caller, "token.delete", &format!("token:{id}"), async {
        let txn = begin_write(db).await?;
        let res = api_tokens::Entity::delete_many()
            .filter(api_tokens::Column::Id.eq(id))
            .filter(api_tokens::Column::UserId.eq(me.user_id))
            .exec(&txn)
            .await?;
        if res.rows_affected == 0 {
            return Err(AppError::NotFound);
        }
        audit::record(&txn, caller, now, "token.delete", &format!("token:{id}"), Outcome::Ok, "").await?;
        txn.commit().await?;
        Ok(())
    })
    .await
}

/// The principal a bearer token stands for, if the token exists, has not expired and its
/// user is active.
///
/// # Errors
/// The database error.
pub async fn principal_for_token(st: &AppState, secret: &str) -> AppResult<Option<Principal>> {
    let (db, now) = (&st.db, st.clock.now());
    if !secret.starts_with("tb_") || secret.len() != 67 {
        return Ok(None);
    }
    let Some(tok) =
        api_tokens::Entity::find().filter(api_tokens::Column::TokenHash.eq(token_hash(secret))).one(db).await?
    else {
        return Ok(None);
    };
    if tok.expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let Some(user) = users::Entity::find_by_id(tok.user_id).one(db).await? else { return Ok(None) };
    if !user.active {
        return Ok(None);
    }
    // Last use is recorded at most once a minute per token to keep reads cheap.
    if tok.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        api_tokens::Entity::update_many()
            .col_expr(api_tokens::Column::LastUsedAt, Expr::value(now))
            .filter(api_tokens::Column::Id.eq(tok.id))
            .exec(db)
            .await?;
    }
    Ok(Some(principal_of(db, &user).await?))
}

/// The session keys the server stores.
pub const SESSION_USER: &str = "uid";
/// The `auth_version` the session was issued for.
pub const SESSION_AUTH_VERSION: &str = "av";

/// Starts a fresh session for a signed-in user (a new id, against session fixation).
///
/// # Errors
/// `Internal` if the session store fails.
pub async fn start_session(session: &tower_sessions::Session, user: &users::Model) -> AppResult<()> {
    session.cycle_id().await.map_err(AppError::internal)?;
    session.insert(SESSION_USER, user.id).await.map_err(AppError::internal)?;
    session.insert(SESSION_AUTH_VERSION, user.auth_version).await.map_err(AppError::internal)?;
    Ok(())
}
