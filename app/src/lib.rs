//! Tongban's isomorphic crate: pages and components for both the server (`ssr`) and the
//! browser (`hydrate`), server functions, the pure domain, and (server only) services and
//! entities.
#![recursion_limit = "512"]

pub mod audit;
pub mod auth;
pub mod common;
pub mod components;
pub mod data;
pub mod domain;
pub mod error;
pub mod flash;
pub mod org;
pub mod shell;
pub mod url;
pub mod words;
pub mod workflow;

#[cfg(feature = "ssr")]
pub mod ctx;
#[cfg(feature = "ssr")]
pub mod entities;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

pub use shell::{App, shell};
