//! Pure domain code: no leptos, no database, no async, no I/O. Compiles for the browser too,
//! so the UI decides what to show with the same rules the server enforces.

pub mod audit;
pub mod error;
pub mod org;
pub mod password;
pub mod permission;
pub mod time;
pub mod validate;
pub mod workflow;
