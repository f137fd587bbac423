//! Test harness: a real server on 127.0.0.1 port 0 with a temporary SQLite file, and a thin
//! JSON client.
#![allow(dead_code)]

use reqwest::StatusCode;
use sepiion_server::RunningServer;
use sepiion_server::config::Config;
use serde_json::{Value, json};

pub const PASSWORD: &str = "sepiion-demo";

pub struct TestServer {
    pub server: Option<RunningServer>,
    pub dir: tempfile::TempDir,
    pub base: String,
    pub http: reqwest::Client,
}

/// Starts a server with demo data and generous limits.
pub async fn start() -> TestServer {
    start_with(|_| {}).await
}

/// Starts a server with demo data after `tweak` adjusts the configuration.
pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("sepiion.db"),
        demo: true,
        ..Config::default()
    };
    config.limits.registrations_per_hour = 10_000;
    config.limits.submissions_per_hour = 10_000;
    config.limits.login_failures = 1_000;
    tweak(&mut config);
    let server = RunningServer::start(config).await.expect("server starts");
    let base = server.url();
    TestServer {
        server: Some(server),
        dir,
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

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
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

    /// Submits a valid request from `device` and returns it.
    pub async fn submit(&self, device: &str, overrides: Value) -> Value {
        let mut body = request_body(10);
        merge(&mut body, overrides);
        let r = self
            .post("/api/v1/public/requests", Some(device), body)
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
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

    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
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

/// A RFC 3339 instant `days` from now at 10:00 WITA (02:00 UTC), plus `hours`.
pub fn wita_at(days: i64, hour_wita: i64) -> String {
    let date = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    let t = date.and_hms_opt(0, 0, 0).unwrap().and_utc() + chrono::Duration::hours(hour_wita - 8);
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A complete, valid request body for an event `days` from now, 10.00–12.00 WITA.
pub fn request_body(days: i64) -> Value {
    json!({
        "kind": "undangan",
        "leader_id": "bupati",
        "title": "Pembukaan Pesta Kesenian Desa Kamasan",
        "description": "Mohon kehadiran Bapak Bupati untuk membuka pesta kesenian desa.",
        "starts_at": wita_at(days, 10),
        "ends_at": wita_at(days, 12),
        "location": "Balai Desa Kamasan",
        "organizer": "Desa Kamasan",
        "requester_name": "Ni Made Sari",
        "requester_phone": "081234567890",
        "requester_email": "sari@contoh.id",
        "expected_attendees": 300,
        "leader_role": "membuka acara",
        "dress_code": "Pakaian adat madya",
        "letter_number": "005/77/DS-KMS"
    })
}
