//! The organisation: departments, users, roles, the address book, account reports.

pub mod admin_pages;
pub mod api;
pub mod contacts_page;
#[cfg(feature = "ssr")]
pub mod server;
