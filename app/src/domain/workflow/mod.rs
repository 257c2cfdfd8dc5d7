//! The workflow engine's pure core (SPEC WF-1..7): money, form schemas and their
//! validation, block-structured flows with their validation and conditions, and routing
//! (who each node goes to, which path a request takes), the instance state machine, and the
//! working-time calendar. Compiles
//! for the browser too, so the designer validates with the server's own code.

pub mod calendar;
pub mod design;
pub mod flow;
pub mod form;
pub mod formdata;
pub mod instance;
pub mod money;
pub mod notice;
#[cfg(test)]
mod proptests;
pub mod route;
#[cfg(test)]
mod testkit;
