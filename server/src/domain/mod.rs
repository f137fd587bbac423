//! The domain: the rules of the protocol office's work, over storage and without HTTP. Who is
//! asking ([`caller`]) and who may see what ([`visibility`]); requests and their workflow,
//! the agenda, sync, the inbox, reports, users, demo data; the outputs (the Agenda Harian
//! [`sheet`], calendar feeds in [`ics`]) and notifications ([`notify`]). It receives its
//! configuration as [`context::Ctx`] and never names `http` (a test in `lib.rs` checks).

pub mod admin;
pub mod agenda;
pub mod answer_links;
pub mod caller;
pub mod context;
pub mod demo;
pub mod ics;
pub mod inbox;
pub mod notify;
pub mod reports;
pub mod requests;
pub mod sheet;
pub mod sync;
pub mod users;
pub mod visibility;
