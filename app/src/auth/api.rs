//! Sign-in DTOs and server functions (thin adapters over `auth::server`).

use crate::domain::permission::Principal;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ctx::{server_context, with_status};

/// A personal API token as listed (its secret is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApiTokenDto {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    /// A read-only token may only read (GET).
    #[serde(default)]
    pub read_only: bool,
}

/// A request for a new token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewApiToken {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 60))]
    pub name: String,
    /// Days until it expires: 1 to 365; none means 90. Every token expires.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<i64>,
    /// Only reads (GET) are allowed with it.
    #[serde(default)]
    pub read_only: bool,
    /// The owner's current password: creating a credential asks for it again.
    #[serde(default)]
    pub password: String,
}

/// A token just created: its secret is in `token`, shown this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub info: ApiTokenDto,
    pub token: String,
}

/// Keeps `next` on this site: only a local absolute path is followed, else `/`. Browsers
/// drop tabs and line breaks from a URL and read a backslash as a slash, so `/\t/evil.example`
/// or `/\\evil.example` would leave the site: a path with any control character, whitespace or
/// backslash, one starting `//`, or one naming a scheme is refused whole.
#[must_use]
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2000
                && !n.contains("://")
                && !n.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\' || c == '\u{feff}') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The signed-in user, if any.
#[server(prefix = "/sfn", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<Principal>, AppError> {
    let (_, caller) = server_context().await?;
    Ok(caller.principal)
}

/// Signs in and starts a session, then goes to `next`.
#[server(prefix = "/sfn", endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    let (user, _) = with_status(crate::auth::server::login(&st, &caller, &username, &password).await)?;
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(AppError::internal)?;
    crate::auth::server::start_session(&session, &user).await?;
    crate::shell::set_locale_cookie(&user.locale, st.settings.secure_cookies);
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Ends the session and goes to the login page.
#[server(prefix = "/sfn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    crate::auth::server::record_logout(&st, &caller).await?;
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(AppError::internal)?;
    session.flush().await.map_err(AppError::internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Changes the caller's password; other sessions end, this one continues.
#[server(prefix = "/sfn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    confirm_password: String,
) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(caller.require_user().map(|_| ()))?;
    if new_password != confirm_password {
        return with_status(Err(AppError::field("confirm_password", crate::error::ErrorCode::InvalidFormat)));
    }
    let version =
        with_status(crate::auth::server::change_password(&st, &caller, &current_password, &new_password).await)?;
    // The session goes on under a new id: one copied before the change (from this browser's
    // cookie jar, a proxy log) is worth nothing after it.
    let session = leptos_axum::extract::<tower_sessions::Session>().await.map_err(AppError::internal)?;
    session.cycle_id().await.map_err(AppError::internal)?;
    session.insert(crate::auth::server::SESSION_AUTH_VERSION, version).await.map_err(AppError::internal)?;
    Ok(())
}

/// Switches the UI language, remembered for the user (and in a cookie before sign-in).
#[server(prefix = "/sfn", endpoint = "set_locale")]
pub async fn set_locale(locale: String, back: Option<String>) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::auth::server::set_locale(&st, &caller, &locale).await)?;
    crate::shell::set_locale_cookie(&locale, st.settings.secure_cookies);
    leptos_axum::redirect(&safe_next(back.as_deref()));
    Ok(())
}

/// The caller's API tokens.
#[server(prefix = "/sfn", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenDto>, AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::auth::server::list_tokens(&st, &caller).await)
}

/// Creates an API token; the secret comes back once.
#[server(prefix = "/sfn", endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    expires_in_days: String,
    password: String,
    read_only: Option<String>,
) -> Result<CreatedApiToken, AppError> {
    let (st, caller) = server_context().await?;
    let days = match expires_in_days.trim() {
        "" => None,
        s => Some(
            s.parse::<i64>().map_err(|_| AppError::field("expires_in_days", crate::error::ErrorCode::InvalidFormat))?,
        ),
    };
    let (info, token) = with_status(
        crate::auth::server::create_token(
            &st,
            &caller,
            NewApiToken { name, expires_in_days: days, read_only: read_only.is_some(), password },
        )
        .await,
    )?;
    Ok(CreatedApiToken { info, token })
}

/// Deletes one of the caller's API tokens.
#[server(prefix = "/sfn", endpoint = "delete_api_token")]
pub async fn delete_api_token(id: i64) -> Result<(), AppError> {
    let (st, caller) = server_context().await?;
    with_status(crate::auth::server::delete_token(&st, &caller, id).await)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_local() {
        assert_eq!(safe_next(Some("/contacts?q=1")), "/contacts?q=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
        for evil in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "/x/../\\evil",
            "/\u{0}/evil.example",
            "/\u{3000}/evil.example",
            "/\u{feff}/evil.example",
            "javascript:alert(1)",
            "/redirect?to=https://evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(Some("/approvals/42?tab=history#trail")), "/approvals/42?tab=history#trail");
    }
}
