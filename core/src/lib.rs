//! Sepiion's shared core: the domain model, the request state machine, validation, conflict
//! detection, the words and the date formatting both sides show, the notification rules, and the wire types of the
//! API and of sync.
//!
//! This crate does no I/O; the server and the apps both build on it.

#[macro_use]
mod codes;

pub mod agenda;
pub mod api;
pub mod conflict;
pub mod draft;
pub mod i18n;
pub mod model;
pub mod notify;
pub mod phone;
pub mod report;
pub mod sync;
pub mod time;
pub mod validation;
pub mod workflow;

pub use model::*;
