//! Test harness: the real server crate on 127.0.0.1 with a temporary SQLite file (the one
//! `testkit/server.rs`, shared with the server's tests), app stores in temporary files, and a
//! loopback proxy that can cut connections.
#![allow(dead_code)]

pub mod nginx;
pub mod proxy;
#[path = "../../testkit/server.rs"]
mod server;
pub mod ui;

#[allow(unused_imports)]
pub use server::fixtures::new_request;
pub use server::*;

use std::path::Path;
use std::time::Duration;

use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{Backoff, ServerClient, SyncEngine};

/// A port nobody listens on (just freed).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

/// An HTTP client that opens a new connection for every request, so the fault proxy sees one
/// request per connection.
pub fn one_shot_http() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// An app store in `dir` syncing with `url`.
pub fn engine(dir: &Path, name: &str, variant: Variant, url: &str) -> SyncEngine {
    let store = Store::open(&dir.join(format!("{name}.db")), variant).expect("store opens");
    SyncEngine::new(store, ServerClient::with_http(url, one_shot_http()))
}

/// A staff device signed in as a demo account (argon2 is slow: log in once per device).
pub async fn staff(dir: &Path, name: &str, url: &str, username: &str) -> SyncEngine {
    let e = engine(dir, name, Variant::Internal, url);
    e.login(username, PASSWORD).await.expect("login");
    e
}

/// Retry quickly: tests wait for nothing but the loopback.
pub fn fast_backoff() -> Backoff {
    Backoff {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(20),
    }
}

/// SplitMix64: a tiny seeded generator, so a failing randomized round can be replayed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }
}
