//! Sign-in, sessions, passwords, personal API tokens, and the user's own settings.

pub mod api;
pub mod login_page;
pub mod profile_page;
#[cfg(feature = "ssr")]
pub mod server;
