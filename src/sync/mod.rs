//! Moving changes between the device's store and the server.
//!
//! - [`client`]: the HTTP calls (reqwest with rustls), errors sorted into "try again later" and
//!   "needs the user".
//! - [`engine`]: one sync = push the outbox in order, then pull from the saved cursor until
//!   caught up; retried with exponential backoff; progress published for the UI.
//! - [`backoff`]: the retry delays.

pub mod backoff;
pub mod client;
pub mod engine;

pub use backoff::Backoff;
pub use client::{ServerClient, SyncError};
pub use engine::{SyncEngine, SyncPhase, SyncProgress, SyncReport};
