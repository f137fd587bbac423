//! The one test server: the real server crate on 127.0.0.1 with demo data in a temporary SQLite
//! file, generous limits, and a thin JSON client with the steps many tests take (log in,
//! register a device, submit, transition, create an agenda item, pull every page). Shared by
//! `server/tests/common` and `tests/common` through `#[path]`, so there is one of each.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use reqwest::StatusCode;
use sepiion_server::RunningServer;
use sepiion_server::config::Config;
use serde_json::{Value, json};

#[path = "fixtures.rs"]
pub mod fixtures;

/// The demo accounts' password.
pub const PASSWORD: &str = "sepiion-demo";

/// The configuration of a test server on `addr` with its database at `db`: demo data and limits
/// no test reaches unless it lowers them.
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

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    /// The SQLite file.
    pub db: PathBuf,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub http: reqwest::Client,
}

/// A server with demo data (staff accounts, agenda, requests in every state).
pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// A server with demo data after `tweak` adjusts the configuration.
pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("sepiion.db");
    start_configured(dir, db, "127.0.0.1:0", tweak).await
}

/// A server on `addr` over the database `db` (kept in `dir`), e.g. after a restore.
pub async fn start_in(dir: tempfile::TempDir, db: PathBuf, addr: &str) -> TestServer {
    start_configured(dir, db, addr, |_| {}).await
}

/// A server over the existing database `db`, without demo data.
pub async fn serve_existing(db: &Path) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    start_configured(dir, db.to_path_buf(), "127.0.0.1:0", |c| c.demo = false).await
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
    let base = server.url();
    TestServer {
        server: Some(server),
        dir,
        db,
        base,
        http: reqwest::Client::new(),
    }
}

/// A response: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Res {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

impl Res {
    pub fn ok(self) -> Value {
        assert!(
            self.status.is_success(),
            "expected success, got {} {}",
            self.status,
            self.body
        );
        self.body
    }
    /// Asserts an error status with the JSON error shape, and returns the body.
    pub fn err(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert!(
            self.body["error"].is_string(),
            "error code in {}",
            self.body
        );
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "message in {}",
            self.body
        );
        assert!(self.body["fields"].is_object(), "fields in {}", self.body);
        self.body
    }
}

/// What pulling every page brought.
#[derive(Debug)]
pub struct Pulled {
    /// The changes, in order.
    pub changes: Vec<Value>,
    /// The cursor to continue from.
    pub cursor: String,
    /// `remaining` of each page.
    pub remaining: Vec<i64>,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
    }

    /// An open connection to the server's database.
    pub fn sql(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.db).expect("database opens")
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let res = req.send().await.expect("request reaches the server");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res {
            status,
            body,
            headers,
        }
    }

    fn auth(req: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Res {
        self.send(Self::auth(self.http.get(self.url(path)), token))
            .await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.send(Self::auth(self.http.post(self.url(path)), token).json(&body))
            .await
    }

    pub async fn put(&self, path: &str, token: Option<&str>, body: Value) -> Res {
        self.send(Self::auth(self.http.put(self.url(path)), token).json(&body))
            .await
    }

    /// Logs a demo account in and returns its session token.
    pub async fn login(&self, username: &str) -> String {
        let body = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"username": username, "password": PASSWORD}),
            )
            .await
            .ok();
        body["token"].as_str().expect("token").to_string()
    }

    /// Registers a public device and returns its token.
    pub async fn device(&self) -> String {
        let body = self
            .post("/api/v1/public/devices", None, json!({}))
            .await
            .ok();
        body["token"].as_str().expect("token").to_string()
    }

    /// Submits a valid request (`request_body(10)` with `overrides`) from `device` and returns it.
    pub async fn submit(&self, device: &str, overrides: Value) -> Value {
        let mut body = request_body(10);
        merge(&mut body, overrides);
        let r = self
            .post("/api/v1/public/requests", Some(device), body)
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }

    /// Submits a valid request with `overrides` from `device` and returns its id.
    pub async fn submit_id(&self, device: &str, overrides: Value) -> String {
        self.submit(device, overrides).await["id"]
            .as_str()
            .expect("id")
            .to_string()
    }

    /// A staff transition; returns the response.
    pub async fn transition(&self, token: &str, id: &str, body: Value) -> Res {
        self.post(
            &format!("/api/v1/staff/requests/{id}/transitions"),
            Some(token),
            body,
        )
        .await
    }

    /// Takes the steps `actions` (which need no other input) one after the other as `token`,
    /// each of which must succeed; returns the last answer.
    pub async fn steps(&self, token: &str, id: &str, actions: &[&str]) -> Value {
        let mut last = Value::Null;
        for action in actions {
            last = self
                .transition(token, id, json!({ "action": action }))
                .await
                .ok();
        }
        last
    }

    /// Takes request `id` into review and forwards it as `protokol`, then approves it as
    /// `approver` (the leader's ajudan or sespri); returns the approval's answer.
    pub async fn approve(&self, protokol: &str, approver: &str, id: &str) -> Value {
        self.steps(protokol, id, &["start_review", "forward_to_leader"])
            .await;
        self.steps(approver, id, &["approve"]).await
    }

    /// Creates an agenda item as `token` (a public, confirmed item of the Bupati's at the
    /// Pendopo unless `body` says otherwise); returns the item.
    pub async fn create_item(&self, token: &str, body: Value) -> Value {
        let mut full = json!({"leader_id": "bupati", "location": "Pendopo Kabupaten",
            "category": "rapat", "visibility": "public", "status": "confirmed",
            "attendance": "in_person", "dress_code": "PDH Khaki"});
        merge(&mut full, body);
        self.post("/api/v1/staff/agenda", Some(token), full)
            .await
            .ok()["item"]
            .clone()
    }

    /// Pulls every page as `token` from `cursor` (from the start when `None`), `limit` changes a
    /// page: no page is larger than asked, and the last one says nothing remains.
    pub async fn pull_all(&self, token: &str, cursor: Option<&str>, limit: u32) -> Pulled {
        let mut out = Pulled {
            changes: Vec::new(),
            cursor: cursor.unwrap_or_default().to_string(),
            remaining: Vec::new(),
        };
        for _ in 0..10_000 {
            let path = match out.cursor.as_str() {
                "" => format!("/api/v1/sync/pull?limit={limit}"),
                c => format!("/api/v1/sync/pull?limit={limit}&cursor={c}"),
            };
            let page = self.get(&path, Some(token)).await.ok();
            let batch = page["changes"].as_array().expect("changes");
            assert!(batch.len() <= limit as usize, "{} > {limit}", batch.len());
            out.changes.extend(batch.iter().cloned());
            out.remaining
                .push(page["remaining"].as_i64().expect("remaining"));
            out.cursor = page["cursor"].as_str().expect("cursor").to_string();
            if page["has_more"] == false {
                assert_eq!(page["remaining"], 0);
                return out;
            }
        }
        panic!("more than 10,000 pages");
    }
}

/// Merges the keys of `extra` into `base`.
pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(b), Value::Object(e)) = (base.as_object_mut(), extra) {
        for (k, v) in e {
            b.insert(k, v);
        }
    }
}

/// The instant `days` from now at `hour_wita` WITA (UTC+8).
pub fn wita_instant(days: i64, hour_wita: i64) -> chrono::DateTime<chrono::Utc> {
    let date = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    date.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::hours(hour_wita - 8)
}

/// [`wita_instant`] as RFC 3339.
pub fn wita_at(days: i64, hour_wita: i64) -> String {
    wita_instant(days, hour_wita).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// [`fixtures::valid_request`] as JSON, for an event `days` from now, 10.00–12.00 WITA (the
/// fields a client leaves out are left out).
pub fn request_body(days: i64) -> Value {
    let mut body = serde_json::to_value(fixtures::valid_request(
        "Pembukaan Pesta Kesenian Desa Kamasan",
        wita_instant(days, 10),
    ))
    .expect("a request is JSON");
    body.as_object_mut()
        .expect("an object")
        .retain(|_, v| !v.is_null());
    body["starts_at"] = json!(wita_at(days, 10));
    body["ends_at"] = json!(wita_at(days, 12));
    body
}
