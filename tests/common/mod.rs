//! Test harness: the real server crate on 127.0.0.1 with a temporary SQLite file, app stores in
//! temporary files, and a loopback proxy that can cut connections.
#![allow(dead_code)]

pub mod nginx;
pub mod proxy;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Duration as Days, Utc};
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{Backoff, ServerClient, SyncEngine};
use sepiion_core::api::NewRequest;
use sepiion_core::model::RequestKind;
use sepiion_server::RunningServer;
use sepiion_server::config::Config;

pub const PASSWORD: &str = "sepiion-demo";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub url: String,
}

pub fn config(db: &Path, addr: &str) -> Config {
    let mut config = Config {
        addr: addr.into(),
        db: db.to_path_buf(),
        demo: true,
        ..Config::default()
    };
    config.limits.registrations_per_hour = 100_000;
    config.limits.submissions_per_hour = 100_000;
    config.limits.login_failures = 10_000;
    config
}

/// A server with demo data (staff accounts, agenda, requests in every state).
pub async fn start_server() -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("server.db");
    start_server_in(dir, db, "127.0.0.1:0").await
}

/// A server with demo data and a changed configuration.
pub async fn start_server_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("server.db");
    start_configured(dir, db, "127.0.0.1:0", tweak).await
}

pub async fn start_server_in(dir: tempfile::TempDir, db: PathBuf, addr: &str) -> TestServer {
    start_configured(dir, db, addr, |_| {}).await
}

async fn start_configured(
    dir: tempfile::TempDir,
    db: PathBuf,
    addr: &str,
    tweak: impl FnOnce(&mut Config),
) -> TestServer {
    let mut c = config(&db, addr);
    tweak(&mut c);
    let server = RunningServer::start(c).await.expect("server starts");
    let url = server.url();
    TestServer {
        server: Some(server),
        dir,
        db,
        url,
    }
}

impl TestServer {
    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
    }
}

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

/// A valid request, `days` ahead.
pub fn new_request(title: &str, days: i64) -> NewRequest {
    let start = Utc::now() + Days::days(days);
    NewRequest {
        id: None,
        kind: RequestKind::Undangan,
        leader_id: Some("bupati".into()),
        title: title.into(),
        description: "Mohon kehadiran Bapak Bupati pada acara kami.".into(),
        starts_at: start,
        ends_at: start + Days::hours(2),
        location: "Balai Banjar Kamasan".into(),
        organizer: "Sekaa Teruna Kamasan".into(),
        requester_name: "Ni Made Sari".into(),
        requester_phone: "081234567890".into(),
        requester_email: None,
        expected_attendees: 120,
        leader_role: "memberi sambutan".into(),
        dress_code: "Pakaian adat madya".into(),
        letter_number: None,
        notify_channels: None,
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
