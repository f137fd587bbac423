//! Test harness: the one test server of `testkit/server.rs` (shared with the app's tests): a
//! real server on 127.0.0.1 port 0 with a temporary SQLite file, and a thin JSON client.
#![allow(dead_code)]

#[path = "../../../testkit/server.rs"]
mod server;

pub use server::*;
