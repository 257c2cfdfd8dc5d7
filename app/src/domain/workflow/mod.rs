//! The workflow engine's pure core (SPEC WF-1..7): money, form schemas and their
//! validation, and block-structured flows with their validation and conditions. Compiles
//! for the browser too, so the designer validates with the server's own code.

pub mod flow;
pub mod form;
pub mod money;
