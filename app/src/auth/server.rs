//! Authentication services: passwords, login throttling, principals, API tokens.

use crate::audit::server::{self as audit, Outcome, audited};
use crate::auth::api::{ApiTokenDto, NewApiToken};
use crate::ctx::{AppState, Caller, begin_write};
use crate::domain::permission::Principal;
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

/// Failed sign-ins for one account from one address (within [`LOCK_MINUTES`]) before that
/// address is refused for that account.
pub const MAX_FAILURES: u64 = 5;
/// Failed sign-ins for one account from every address together before addresses that have
/// not signed in to it lately are refused too (a guess spread over many addresses).
pub const ACCOUNT_MAX_FAILURES: u64 = 20;
/// Failed sign-ins from one address across every account (password spraying) before that
/// address is refused for accounts it has not signed in to lately.
pub const ADDRESS_MAX_FAILURES: u64 = 30;
/// How long failures count, and how long a lock lasts after the last one.
pub const LOCK_MINUTES: i64 = 15;
/// An address that signed in to an account successfully within this many days is known for
/// it: the account-wide and address-wide limits do not lock it out. (Sign-in attempts are
/// kept for 7 days.)
pub const KNOWN_DAYS: i64 = 7;

/// Password hashing and verification at once: argon2 takes tens of milliseconds of CPU and
/// memory each, so it runs on the blocking pool, never on the async workers, and no more of
/// them than there are cores.
static HASHING: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZero::get))
});

/// Hashes a password with argon2id (blocking; see [`hash_password_async`]).
///
/// # Errors
/// `Internal` if hashing fails.
pub fn hash_password(pw: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(pw.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

/// Whether `pw` matches a stored hash (blocking; see [`verify_password_async`]). A stored
/// value that is no hash (an account created without a usable password) costs as much to
/// refuse as a wrong password.
#[must_use]
pub fn verify_password(hash: &str, pw: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(h) => Argon2::default().verify_password(pw.as_bytes(), &h).is_ok(),
        Err(_) => {
            let _ = PasswordHash::new(&DUMMY_HASH)
                .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok());
            false
        }
    }
}

/// [`hash_password`] on the blocking pool, at most one per core at once.
///
/// # Errors
/// `Internal` if hashing fails.
pub async fn hash_password_async(pw: &str) -> AppResult<String> {
    let pw = pw.to_owned();
    let _slot = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || hash_password(&pw)).await.map_err(AppError::internal)?
}

/// [`verify_password`] on the blocking pool, at most one per core at once. `None` (no such
/// account) is checked against a dummy hash: it takes as long as a wrong password.
///
/// # Errors
/// `Internal` if the blocking pool is gone.
pub async fn verify_password_async(hash: Option<String>, pw: &str) -> AppResult<bool> {
    let pw = pw.to_owned();
    let _slot = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&h, &pw),
        None => {
            let _ = verify_password(&DUMMY_HASH, &pw);
            false
        }
    })
    .await
    .map_err(AppError::internal)
}

/// Passwords refused as too common: the first this many of zxcvbn's list of the most used
/// passwords (from leaked password dumps), shipped inside the binary.
pub const COMMON_PASSWORDS: usize = 10_000;

/// Whether a password is one of the [`COMMON_PASSWORDS`] most common ones (in any case, or
/// with the usual letter-for-digit swaps), or guessable in fewer tries than that.
#[must_use]
pub fn is_common_password(pw: &str) -> bool {
    use zxcvbn::matching::patterns::MatchPattern;
    let estimate = zxcvbn::zxcvbn(pw, &[]);
    let whole = pw.chars().count();
    estimate.guesses() <= COMMON_PASSWORDS as u64
        || estimate.sequence().iter().any(|m| {
            m.i == 0
                && m.j + 1 == whole
                // (zxcvbn does not export its dictionary type; its default is the
                // passwords list.)
                && matches!(&m.pattern, MatchPattern::Dictionary(d)
                    if d.dictionary_name == Default::default() && d.rank <= COMMON_PASSWORDS)
        })
}

/// The password policy a new password must meet: the shared rules
/// ([`password::check_policy`]: length, mix, not the username) and not a common password.
///
/// # Errors
/// The first rule broken.
pub fn check_new_password(username: &str, pw: &str) -> Result<(), ErrorCode> {
    password::check_policy(username, pw)?;
    if is_common_password(pw) {
        return Err(ErrorCode::PasswordTooCommon);
    }
    Ok(())
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
        let stored: Vec<String> = serde_json::from_str(&r.permissions).unwrap_or_default();
        permissions.extend(crate::domain::permission::role_permissions(&r.key, &stored));
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
        must_change_password: user.must_change_password,
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

/// The address a sign-in throttle counts: an IPv4 address as it is, an IPv6 address by its
/// /64 network (what one subscriber gets; counting single IPv6 addresses would give an
/// attacker 2^64 fresh ones).
#[must_use]
pub fn throttle_key(addr: &str) -> String {
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
        Ok(std::net::IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or_else(|| addr.to_owned(), |v4| v4.to_string()),
        Ok(ip) => ip.to_string(),
        Err(_) => addr.chars().take(64).collect(),
    }
}

/// Seconds until `username` may try again from the address `key`, if a limit is reached.
/// `pending`: the attempt about to be made is not recorded yet (count it as one more).
///
/// Three limits: [`MAX_FAILURES`] for the account from this address (counted since its last
/// success here), then — unless this address signed in to the account within
/// [`KNOWN_DAYS`], so a colleague behind the same proxy or the owner at their desk still gets
/// in — [`ACCOUNT_MAX_FAILURES`] for the account from all addresses and
/// [`ADDRESS_MAX_FAILURES`] for this address across accounts.
async fn throttled(
    conn: &impl ConnectionTrait,
    username: &str,
    key: &str,
    now: DateTime<Utc>,
    pending: bool,
) -> AppResult<Option<u64>> {
    let window_start = now - Duration::minutes(LOCK_MINUTES);
    let extra = u64::from(pending);
    let failures = || {
        login_attempts::Entity::find()
            .filter(login_attempts::Column::Success.eq(false))
            .filter(login_attempts::Column::AttemptedAt.gt(window_start))
    };
    let successes = || {
        login_attempts::Entity::find()
            .select_only()
            .column(login_attempts::Column::Id)
            .filter(login_attempts::Column::Username.eq(username))
            .filter(login_attempts::Column::ClientAddr.eq(key))
            .filter(login_attempts::Column::Success.eq(true))
    };
    let retry = |newest: Option<login_attempts::Model>| {
        let last = newest.map_or(now, |m| m.attempted_at);
        Some((last + Duration::minutes(LOCK_MINUTES) - now).num_seconds().max(1) as u64)
    };
    // Failures count after the last success by row order, not by time: several attempts
    // can carry the same instant.
    let last_success: Option<i64> =
        successes().order_by_desc(login_attempts::Column::Id).into_tuple().one(conn).await?;
    let pair = failures()
        .filter(login_attempts::Column::Username.eq(username))
        .filter(login_attempts::Column::ClientAddr.eq(key))
        .filter(login_attempts::Column::Id.gt(last_success.unwrap_or(0)));
    if pair.clone().count(conn).await? + extra > MAX_FAILURES {
        return Ok(retry(pair.order_by_desc(login_attempts::Column::Id).one(conn).await?));
    }
    let known_since = now - Duration::days(KNOWN_DAYS);
    let known: Option<i64> =
        successes().filter(login_attempts::Column::AttemptedAt.gt(known_since)).into_tuple().one(conn).await?;
    if known.is_some() {
        return Ok(None);
    }
    let account = failures().filter(login_attempts::Column::Username.eq(username));
    if account.clone().count(conn).await? + extra > ACCOUNT_MAX_FAILURES {
        return Ok(retry(account.order_by_desc(login_attempts::Column::Id).one(conn).await?));
    }
    let address = failures().filter(login_attempts::Column::ClientAddr.eq(key));
    if address.clone().count(conn).await? + extra > ADDRESS_MAX_FAILURES {
        return Ok(retry(address.order_by_desc(login_attempts::Column::Id).one(conn).await?));
    }
    Ok(None)
}

/// Checks a password for `username` under the sign-in limits, the same for signing in and for
/// the current-password check of a password change. Returns whether it matched and the
/// attempt's row (the caller marks it successful in its own transaction).
///
/// An attempt while a limit holds is refused (and audited) without being recorded, so waiting
/// out a lock works. Any other attempt is recorded (as a failure) and committed *before* the
/// limits are counted again and the password is checked: of any number of parallel guesses
/// each counts every attempt committed before its own count, so the k-th to count sees at
/// least k — no more than the limit are ever checked, and every one of them is audited.
///
/// # Errors
/// `TooManyAttempts` (audited under `action`) while a limit is reached.
async fn throttled_verify(
    st: &AppState,
    caller: &Caller,
    action: &str,
    username: &str,
    hash: Option<String>,
    pw: &str,
) -> AppResult<(bool, i64)> {
    let (db, now) = (&st.db, st.clock.now());
    let key = throttle_key(&caller.client_addr);
    let deny = |retry_after_secs: u64| async move {
        let txn = begin_write(db).await?;
        audit::record(&txn, caller, now, action, &format!("user:{username}"), Outcome::Denied, "locked").await?;
        txn.commit().await?;
        Err::<(bool, i64), AppError>(AppError::TooManyAttempts { retry_after_secs })
    };
    if let Some(secs) = throttled(db, username, &key, now, true).await? {
        return deny(secs).await;
    }
    let txn = begin_write(db).await?;
    let attempt = login_attempts::Entity::insert(login_attempts::ActiveModel {
        username: Set(username.to_owned()),
        client_addr: Set(key.clone()),
        success: Set(false),
        attempted_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?
    .last_insert_id;
    txn.commit().await?;
    if let Some(secs) = throttled(db, username, &key, now, false).await? {
        return deny(secs).await;
    }
    Ok((verify_password_async(hash, pw).await?, attempt))
}

async fn mark_success(conn: &impl ConnectionTrait, attempt: i64) -> AppResult<()> {
    login_attempts::Entity::update_many()
        .col_expr(login_attempts::Column::Success, Expr::value(true))
        .filter(login_attempts::Column::Id.eq(attempt))
        .exec(conn)
        .await?;
    Ok(())
}

/// Signs a user in: checks the limits and the password, records the attempt, audits it.
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
    let user = users::Entity::find().filter(users::Column::Username.eq(&username)).one(db).await?;
    // Verified outside any transaction: argon2 is slow and must not hold the write lock.
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let (ok, attempt) = throttled_verify(st, caller, "auth.login", &username, hash, pw).await?;
    let active = user.as_ref().is_some_and(|u| u.active);
    let txn = begin_write(db).await?;
    match user {
        Some(u) if ok && active => {
            mark_success(&txn, attempt).await?;
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

/// Deletes every stored session and every API token of a user: they are signed out
/// everywhere at once, and integrations acting for them stop. Called when the password
/// changes, an administrator resets it, or the account is disabled.
///
/// # Errors
/// The database error.
pub async fn revoke_credentials(conn: &impl ConnectionTrait, user_id: i64) -> AppResult<()> {
    sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(conn).await?;
    api_tokens::Entity::delete_many().filter(api_tokens::Column::UserId.eq(user_id)).exec(conn).await?;
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
        if current.is_empty() || current.len() > password::MAX_LEN * 4 {
            return Err(AppError::field("current_password", ErrorCode::WrongPassword));
        }
        // The same limits as signing in: a stolen session cannot guess the password.
        let (ok, attempt) = throttled_verify(
            st,
            caller,
            "auth.change_password",
            &user.username,
            Some(user.password_hash.clone()),
            current,
        )
        .await?;
        if !ok {
            return Err(AppError::field("current_password", ErrorCode::WrongPassword));
        }
        check_new_password(&user.username, new).map_err(|c| AppError::field("new_password", c))?;
        if current == new {
            return Err(AppError::field("new_password", ErrorCode::Duplicate));
        }
        let hash = hash_password_async(new).await?;
        let txn = begin_write(db).await?;
        mark_success(&txn, attempt).await?;
        let version = user.auth_version + 1;
        let mut am = user.into_active_model();
        am.password_hash = Set(hash);
        am.auth_version = Set(version);
        am.updated_at = Set(now);
        am.must_change_password = Set(false);
        am.update(&txn).await?;
        revoke_credentials(&txn, me.user_id).await?;
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
        read_only: m.read_only,
    }
}

/// Days a token lives when none is asked for.
pub const TOKEN_DEFAULT_DAYS: i64 = 90;
/// The longest a token may live.
pub const TOKEN_MAX_DAYS: i64 = 365;

/// Creates a personal API token. The secret is returned once and stored only as a hash.
/// Every token expires (90 days unless asked otherwise, a year at most); creating one asks
/// for the current password again (a session left open must not mint a lasting credential).
///
/// # Errors
/// `Unauthenticated`; `Validation` for a bad name or expiry or a wrong password;
/// `TooManyAttempts` under the sign-in limits.
pub async fn create_token(st: &AppState, caller: &Caller, input: NewApiToken) -> AppResult<(ApiTokenDto, String)> {
    let (db, now) = (&st.db, st.clock.now());
    let me = caller.require_user()?;
    if caller.token.is_some() {
        // A token does not make another token: that needs the person, with their password.
        return Err(AppError::Forbidden);
    }
    let name = validate::required_text("name", &input.name, 60)?;
    let days = input.expires_in_days.unwrap_or(TOKEN_DEFAULT_DAYS);
    if !(1..=TOKEN_MAX_DAYS).contains(&days) {
        return Err(AppError::field("expires_in_days", ErrorCode::OutOfRange));
    }
    let expires_at = Some(now + Duration::days(days));
    if input.password.is_empty() {
        return Err(AppError::field("password", ErrorCode::Required));
    }
    if input.password.len() > password::MAX_LEN * 4 {
        return Err(AppError::field("password", ErrorCode::WrongPassword));
    }
    let user = users::Entity::find_by_id(me.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    let (ok, attempt) =
        throttled_verify(st, caller, "token.create", &user.username, Some(user.password_hash), &input.password).await?;
    if !ok {
        audit::record_failure(
            st,
            caller,
            "token.create",
            &format!("user:{}", me.username),
            &AppError::field("password", ErrorCode::WrongPassword),
        )
        .await;
        return Err(AppError::field("password", ErrorCode::WrongPassword));
    }
    let mut raw = [0_u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = format!("tb_{}", hex::encode(raw));
    let txn = begin_write(db).await?;
    let count = api_tokens::Entity::find().filter(api_tokens::Column::UserId.eq(me.user_id)).count(&txn).await?;
    if count >= 20 {
        return Err(AppError::conflict(crate::error::Conflict::TokenLimit { max: 20 }));
    }
    let m = api_tokens::ActiveModel {
        user_id: Set(me.user_id),
        name: Set(name.clone()),
        token_hash: Set(token_hash(&secret)),
        prefix: Set(secret[..10].to_owned()),
        created_at: Set(now),
        last_used_at: Set(None),
        expires_at: Set(expires_at),
        read_only: Set(input.read_only),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    mark_success(&txn, attempt).await?;
    let detail = format!("{name}; {}; {days} days{}", m.prefix, if input.read_only { "; read-only" } else { "" });
    audit::record(&txn, caller, now, "token.create", &format!("token:{}", m.id), Outcome::Ok, &detail).await?;
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

/// What a bearer token stands for.
#[derive(Debug, Clone)]
pub struct TokenUse {
    pub principal: Principal,
    /// The token's first characters, written into the audit rows of what it does.
    pub prefix: String,
    pub read_only: bool,
}

/// What a bearer token stands for, if the token exists, has not expired and its user is
/// active. (A password change, a reset or disabling the account deletes its tokens.)
///
/// # Errors
/// The database error.
pub async fn principal_for_token(st: &AppState, secret: &str) -> AppResult<Option<TokenUse>> {
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
    let principal = principal_of(db, &user).await?;
    Ok(Some(TokenUse { principal, prefix: tok.prefix, read_only: tok.read_only }))
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
