//! Notifications end to end on loopback, over real protocols: HTTP sinks (small axum servers)
//! stand in for ntfy and a WhatsApp gateway, a real SMTP server (Debian's python3-aiosmtpd)
//! receives the e-mail. Sinks going down and coming back, and a server killed mid-dispatch,
//! lose nothing.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use common::*;
use sepiion_server::config::{
    BodyEncoding, NotifyConfig, NtfyConfig, SmtpConfig, SmtpSecurity, WhatsappConfig,
};
use serde_json::{Value, json};

/// One request a sink received.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    headers: HeaderMap,
    body: String,
}

impl Hit {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Default)]
struct SinkState {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Answer this much later (to catch a server mid-delivery).
    delay: Arc<Mutex<Duration>>,
}

async fn record(
    State(s): State<SinkState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let delay = *s.delay.lock().unwrap();
    tokio::time::sleep(delay).await;
    s.hits.lock().unwrap().push(Hit {
        method: method.to_string(),
        path: uri.path().to_string(),
        headers,
        body,
    });
    StatusCode::OK
}

/// An HTTP server on 127.0.0.1 that records every request; it can go down and come back on the
/// same port.
struct HttpSink {
    port: u16,
    state: SinkState,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl HttpSink {
    async fn start() -> HttpSink {
        let mut s = HttpSink {
            port: 0,
            state: SinkState::default(),
            task: None,
        };
        s.up().await;
        s
    }
    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("sink binds");
        self.port = listener.local_addr().unwrap().port();
        let app = axum::Router::new()
            .fallback(record)
            .with_state(self.state.clone());
        self.task = Some(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }));
    }
    /// Closes the port: connections are refused until `up`.
    async fn down(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            let _ = t.await;
        }
    }
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
    fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }
}

/// The real SMTP server (python3-aiosmtpd) writing each message to a folder.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

fn python() -> &'static str {
    // Debian's interpreter, where python3-aiosmtpd is installed (not a pyenv or venv one).
    if Path::new("/usr/bin/python3").exists() {
        "/usr/bin/python3"
    } else {
        "python3"
    }
}

impl SmtpSink {
    fn start() -> SmtpSink {
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new(python())
            .arg(script)
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the SMTP sink (apt install python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().unwrap_or_else(|_| {
            panic!("SMTP sink did not start (is python3-aiosmtpd installed?): {line:?}")
        });
        SmtpSink { child, port, dir }
    }
    /// The decoded messages (headers and the plain-text part).
    fn messages(&self) -> Vec<String> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "txt"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const GATEWAY_BODY: &str = r#"{"target":"{phone}","message":"{message}","countryCode":"62"}"#;

fn notify_config(ntfy: &HttpSink, wa: &HttpSink, smtp_port: Option<u16>) -> NotifyConfig {
    NotifyConfig {
        backoff_base_ms: 100,
        backoff_max_ms: 400,
        poll_ms: 50,
        // The sinks answer at once (or refuse the connection); only a starved machine makes an
        // answer late. A send that times out is retried (at least once), which the
        // exactly-once test would count as a duplicate: it failed so once, at 3 s, under load.
        timeout_ms: 30_000,
        max_attempts: 1_000,
        // Reminders and digests by the real clock would add deliveries the tests do not expect.
        schedule_every_s: 0,
        ntfy: Some(NtfyConfig {
            base_url: ntfy.url("/"),
            token: Some("tk_ntfy".into()),
            rate_per_second: 200,
        }),
        whatsapp: Some(WhatsappConfig {
            url: wa.url("/send"),
            method: "POST".into(),
            headers: BTreeMap::from([("Authorization".to_string(), "Token-Rahasia".to_string())]),
            body: GATEWAY_BODY.into(),
            encoding: BodyEncoding::Json,
            rate_per_second: 200,
        }),
        smtp: smtp_port.map(|port| SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Protokol Kabupaten <protokol@pemkab.test>".into(),
            rate_per_second: 200,
        }),
        ..NotifyConfig::default()
    }
}

fn set_contact(db: &rusqlite::Connection, username: &str, phone: &str, email: &str) {
    db.execute(
        "UPDATE users SET phone = ?2, email = ?3 WHERE username = ?1",
        rusqlite::params![username, phone, email],
    )
    .unwrap();
}

/// Waits (bounded) until `check` holds.
async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn count(db: &rusqlite::Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The public address the tests' servers put in links (requests go to the loopback address).
const PUBLIC_URL: &str = "https://agenda.example.go.id";

/// The path of the contact confirmation link in a message (`/konfirmasi/<64 hex digits>`).
fn confirmation_path(message: &str) -> String {
    let at = message
        .find(&format!("{PUBLIC_URL}/konfirmasi/"))
        .unwrap_or_else(|| panic!("no confirmation link in {message}"));
    let path = &message[at + PUBLIC_URL.len()..];
    let end = "/konfirmasi/".len() + 64;
    assert!(
        path.len() >= end && path[12..end].bytes().all(|b| b.is_ascii_hexdigit()),
        "{message}"
    );
    path[..end].to_string()
}

/// Confirms a requester's address the way its holder does: opens the link (a page that only
/// asks), then presses the button.
async fn confirm_contact(s: &TestServer, message: &str) {
    let path = confirmation_path(message);
    let page = s.http.get(s.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ya, ini kontak saya"), "{html}");
    let done = s.http.post(s.url(&path)).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert!(done.text().await.unwrap().contains("sudah dikonfirmasi"));
}

#[tokio::test]
async fn every_channel_carries_the_right_message_to_the_right_people() {
    let ntfy = HttpSink::start().await;
    let wa = HttpSink::start().await;
    let smtp = SmtpSink::start();
    let cfg = notify_config(&ntfy, &wa, Some(smtp.port));
    let s = start_with(move |c| {
        c.notify = cfg;
        c.public_url = Some(PUBLIC_URL.into());
    })
    .await;
    // Protocol staff set their own contact and channels.
    let protokol = s.login("protokol").await;
    let mine = s
        .put(
            "/api/v1/staff/notification-settings",
            Some(&protokol),
            json!({"phone": "0812 1111 2222", "email": "protokol@pemkab.test",
                   "channels": ["ntfy", "whatsapp", "email"]}),
        )
        .await
        .ok();
    let ntfy_url = mine["ntfy_url"].as_str().unwrap().to_string();
    assert!(ntfy_url.starts_with(&ntfy.url("/sepiion-")), "{mine}");
    s.put(
        "/api/v1/staff/notification-settings",
        Some(&protokol),
        json!({"phone": "12", "email": "bukan-email", "channels": []}),
    )
    .await
    .err(422);

    let device = s.device().await;
    let r = s
        .submit(
            &device,
            json!({"requester_email": "warga@contoh.id", "requester_phone": "0812-3456-7890"}),
        )
        .await;
    let code = r["tracking_code"].as_str().unwrap().to_string();
    let id = r["id"].as_str().unwrap().to_string();

    // The requester's receipt by e-mail: plain text with an HTML part, the tracking code, the
    // key. The address is not confirmed yet: the tracking code and fixed sentences only.
    wait_until("the receipt e-mail", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains("To: warga@contoh.id"))
    })
    .await;
    let receipt = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains("To: warga@contoh.id"))
        .unwrap();
    assert!(
        receipt.contains(&format!("Subject: Permohonan {code}")),
        "{receipt}"
    );
    assert!(
        receipt.contains(&format!("kode pelacakan {code}")),
        "{receipt}"
    );
    assert!(
        receipt.contains(&format!("Lacak: {PUBLIC_URL}/lacak/{code}")),
        "{receipt}"
    );
    assert!(
        receipt.contains("tracking code"),
        "English below: {receipt}"
    );
    assert!(!receipt.contains("Pesta Kesenian"), "no title: {receipt}");
    assert!(receipt.contains("Has-HTML: True"), "{receipt}");
    assert!(
        receipt.contains("X-Sepiion-Idempotency-Key: sepiion-"),
        "{receipt}"
    );

    // Protocol staff by e-mail, WhatsApp and ntfy; the requester by WhatsApp too.
    wait_until("protocol staff's e-mail", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains("To: protokol@pemkab.test"))
    })
    .await;
    wait_until("both WhatsApp messages", || wa.hits().len() >= 2).await;
    let hits = wa.hits();
    for phone in ["6281234567890", "6281211112222"] {
        let hit = hits
            .iter()
            .find(|h| h.json()["target"] == phone)
            .unwrap_or_else(|| panic!("WhatsApp to {phone}: {hits:?}"));
        assert_eq!(hit.method, "POST");
        assert_eq!(hit.path, "/send");
        assert_eq!(hit.header("authorization"), "Token-Rahasia");
        assert_eq!(hit.header("content-type"), "application/json");
        assert!(hit.header("idempotency-key").starts_with("sepiion-"));
        assert_eq!(hit.json()["countryCode"], "62");
        assert!(hit.json()["message"].as_str().unwrap().contains(&code));
    }
    let to_requester = hits
        .iter()
        .find(|h| h.json()["target"] == "6281234567890")
        .unwrap();
    let wa_receipt = to_requester.json()["message"].as_str().unwrap().to_string();
    assert!(!wa_receipt.contains("Pesta Kesenian"), "{wa_receipt}");
    // The holder of each address confirms it with the link sent to it; from now on its
    // messages carry the details.
    confirm_contact(&s, &receipt).await;
    confirm_contact(&s, &wa_receipt).await;

    wait_until("ntfy pushes", || !ntfy.hits().is_empty()).await;
    let topic: String = s
        .sql()
        .query_row(
            "SELECT ntfy_topic FROM users WHERE username = 'protokol'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        topic.starts_with("sepiion-") && topic.len() > 20,
        "secret topic {topic}"
    );
    assert!(
        ntfy_url.ends_with(&topic),
        "the app shows the topic to subscribe to"
    );
    wait_until("ntfy push to protocol staff", || {
        ntfy.hits()
            .iter()
            .any(|h| h.json()["topic"] == topic.as_str())
    })
    .await;
    let push = ntfy
        .hits()
        .into_iter()
        .find(|h| h.json()["topic"] == topic.as_str())
        .unwrap();
    assert_eq!(push.method, "POST");
    assert_eq!(push.header("authorization"), "Bearer tk_ntfy");
    assert!(
        push.json()["title"]
            .as_str()
            .unwrap()
            .starts_with("Permohonan baru")
    );
    assert!(push.header("idempotency-key").ends_with("-ntfy"));

    // Staff move the request on; the requester hears "Disetujui" by e-mail.
    let ajudan = s.login("ajudan.bupati").await;
    s.approve(&protokol, &ajudan, &id).await;
    wait_until("the approval e-mail", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains("To: warga@contoh.id") && m.contains("Disetujui"))
    })
    .await;
    let approval = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains("To: warga@contoh.id") && m.contains("Disetujui"))
        .unwrap();
    assert!(
        approval.contains(&format!("Permohonan {code} — Disetujui")),
        "{approval}"
    );
    assert!(approval.contains("Pesta Kesenian"), "details: {approval}");
    // Staff names never reach the requester.
    for m in smtp
        .messages()
        .iter()
        .filter(|m| m.contains("To: warga@contoh.id"))
    {
        assert!(!m.to_lowercase().contains("ajudan bupati"), "{m}");
    }
    // A confirmed address gets the whole receipt of the next request.
    let second = s
        .submit(&device, json!({"requester_email": "warga@contoh.id"}))
        .await;
    let code2 = second["tracking_code"].as_str().unwrap().to_string();
    wait_until("the second receipt", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains(&format!("Subject: Permohonan diterima: {code2}")))
    })
    .await;
    let receipt2 = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains(&format!("Subject: Permohonan diterima: {code2}")))
        .unwrap();
    assert!(
        receipt2.contains(&format!("Kode pelacakan Anda: {code2}")),
        "{receipt2}"
    );
    assert!(receipt2.contains("Pesta Kesenian"), "{receipt2}");
    assert!(!receipt2.contains("/konfirmasi/"), "{receipt2}");
}

#[tokio::test]
async fn sinks_down_then_back_get_every_message_exactly_once() {
    let mut ntfy = HttpSink::start().await;
    let mut wa = HttpSink::start().await;
    ntfy.down().await;
    wa.down().await;
    let cfg = notify_config(&ntfy, &wa, None);
    let s = start_with(move |c| c.notify = cfg).await;
    let db = s.sql();
    set_contact(&db, "protokol", "081211112222", "x@pemkab.test");
    let device = s.device().await;
    for _ in 0..3 {
        s.submit(&device, json!({})).await;
    }
    // Retries happen while the sinks are down.
    wait_until("retries against the closed ports", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE attempts >= 2 AND status = 'pending'",
        ) > 0
    })
    .await;
    let total = count(&db, "SELECT COUNT(*) FROM deliveries");
    assert!(total >= 6, "ntfy and WhatsApp deliveries: {total}");
    assert!(
        db.query_row(
            "SELECT last_error FROM deliveries WHERE attempts >= 2 LIMIT 1",
            [],
            |r| { r.get::<_, String>(0) }
        )
        .unwrap()
        .contains("HTTP")
    );
    ntfy.up().await;
    wa.up().await;
    wait_until("every delivery sent", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE status != 'sent'",
        ) == 0
    })
    .await;
    // Counted again now: under load a submission's event may have been expanded only after
    // the first retries began.
    let total = count(&db, "SELECT COUNT(*) FROM deliveries");
    let mut keys: HashMap<String, usize> = HashMap::new();
    for h in ntfy.hits().iter().chain(wa.hits().iter()) {
        *keys
            .entry(h.header("idempotency-key").to_string())
            .or_default() += 1;
    }
    assert_eq!(keys.len() as i64, total, "one key per delivery");
    assert!(
        keys.values().all(|n| *n == 1),
        "each delivered once: {keys:?}"
    );
}

#[tokio::test]
async fn a_failing_address_fails_for_good_without_holding_up_the_others() {
    let ntfy = HttpSink::start().await;
    let wa = HttpSink::start().await;
    let mut cfg = notify_config(&ntfy, &wa, None);
    cfg.max_attempts = 3;
    // A gateway URL whose port refuses connections: every WhatsApp delivery fails.
    cfg.whatsapp.as_mut().unwrap().url = "http://127.0.0.1:9/send".into();
    let s = start_with(move |c| c.notify = cfg).await;
    let db = s.sql();
    let device = s.device().await;
    s.submit(&device, json!({})).await;
    wait_until("WhatsApp marked failed", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'whatsapp' AND status = 'failed'",
        ) > 0
    })
    .await;
    let (attempts, error): (i64, String) = db
        .query_row(
            "SELECT attempts, last_error FROM deliveries WHERE channel = 'whatsapp'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(attempts, 3);
    assert!(!error.is_empty());
    // Admin sees it, with the error, and sends it again.
    let admin = s.login("admin").await;
    let log = s
        .get(
            "/api/v1/admin/deliveries?status=failed&channel=whatsapp",
            Some(&admin),
        )
        .await
        .ok();
    let failed = log.as_array().unwrap();
    assert_eq!(failed.len(), 1, "{log}");
    assert_eq!(failed[0]["recipient"], "pemohon");
    assert_eq!(failed[0]["address"], "6281234567890");
    assert_eq!(failed[0]["last_error"].as_str(), Some(error.as_str()));
    let id = failed[0]["id"].as_i64().unwrap();
    let again = s
        .post(
            &format!("/api/v1/admin/deliveries/{id}/resend"),
            Some(&admin),
            json!({}),
        )
        .await
        .ok();
    assert_eq!(again["status"], "pending");
    // The history stays: the three attempts and their error, and a count of resends.
    assert_eq!(again["attempts"], 3, "{again}");
    assert_eq!(again["last_error"].as_str(), Some(error.as_str()));
    assert_eq!(again["resends"], 1);
    let generation: i64 = db
        .query_row(
            "SELECT generation FROM deliveries WHERE id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(generation, 1, "a resend goes out under a new key");
    let protokol = s.login("protokol").await;
    s.post(
        &format!("/api/v1/admin/deliveries/{id}/resend"),
        Some(&protokol),
        json!({}),
    )
    .await
    .err(403);
    s.post(
        "/api/v1/admin/deliveries/424242/resend",
        Some(&admin),
        json!({}),
    )
    .await
    .err(404);
    // The resend tries again up to the maximum (three more attempts) and fails again: the log
    // then says six attempts, resent once, with the error.
    wait_until("the resent WhatsApp failed again", || {
        count(
            &db,
            &format!("SELECT COUNT(*) FROM deliveries WHERE id = {id} AND status = 'failed'"),
        ) == 1
    })
    .await;
    let log = s
        .get(
            "/api/v1/admin/deliveries?status=failed&channel=whatsapp",
            Some(&admin),
        )
        .await
        .ok();
    assert_eq!(log[0]["id"], id);
    assert_eq!(log[0]["attempts"], 6, "{log}");
    assert_eq!(log[0]["resends"], 1);
    assert_eq!(log[0]["last_error"].as_str(), Some(error.as_str()));
    wait_until("ntfy delivered regardless", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE channel = 'ntfy' AND status != 'sent'",
        ) == 0
    })
    .await;
    assert!(!ntfy.hits().is_empty());
}

/// The server binary as a child process.
struct Child2 {
    child: Child,
    base: String,
}

fn spawn_server(db: &Path, config: &Path) -> Child2 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sepiion-server"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut base = String::new();
    for _ in 0..200 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.strip_prefix("Sepiion server: ") {
            base = rest.split_whitespace().next().unwrap().to_string();
            break;
        }
    }
    assert!(base.starts_with("http://"), "server did not start");
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    Child2 { child, base }
}

#[tokio::test]
async fn a_server_killed_mid_dispatch_sends_everything_after_restart() {
    let wa = HttpSink::start().await;
    // Slow answers: the kill lands while deliveries are in flight.
    *wa.state.delay.lock().unwrap() = Duration::from_millis(300);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sepiion.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[limits]
submissions_per_hour = 1000
registrations_per_hour = 1000

[notify]
schedule_every_s = 0
backoff_base_ms = 100
backoff_max_ms = 400
poll_ms = 50

[notify.whatsapp]
url = "{}"
body = '{}'
rate_per_second = 20
"#,
            wa.url("/send"),
            GATEWAY_BODY
        ),
    )
    .unwrap();
    let db_path = dir.path().join("s.db");
    let mut server = spawn_server(&db_path, &config);
    let http = reqwest::Client::new();
    let device: Value = http
        .post(format!("{}/api/v1/public/devices", server.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = device["token"].as_str().unwrap().to_string();
    for i in 0..12 {
        let mut body = request_body(10);
        merge(
            &mut body,
            json!({"requester_phone": format!("0812000000{i:02}")}),
        );
        let res = http
            .post(format!("{}/api/v1/public/requests", server.base))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    wait_until("the first deliveries", || wa.hits().len() >= 2).await;
    server.child.kill().unwrap(); // SIGKILL: no graceful shutdown
    server.child.wait().unwrap();
    let db = rusqlite::Connection::open(&db_path).unwrap();
    let left = count(
        &db,
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'",
    );
    assert!(left > 0, "the kill came before the end of dispatch");

    let mut again = spawn_server(&db_path, &config);
    wait_until("every delivery sent after the restart", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE status != 'sent'",
        ) == 0
    })
    .await;
    let total = count(&db, "SELECT COUNT(*) FROM deliveries");
    assert_eq!(total, 12, "one WhatsApp message per requester");
    let keys: std::collections::HashSet<String> = wa
        .hits()
        .iter()
        .map(|h| h.header("idempotency-key").to_string())
        .collect();
    assert_eq!(
        keys.len() as i64,
        total,
        "nothing lost; repeats carry the same key"
    );
    let phones: std::collections::HashSet<String> = wa
        .hits()
        .iter()
        .map(|h| h.json()["target"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(phones.len(), 12);
    again.child.kill().unwrap();
    again.child.wait().unwrap();
}

#[tokio::test]
async fn reminders_escalate_and_the_digest_goes_out_once_at_its_local_time() {
    use chrono::{Duration as Days, TimeZone, Utc};
    use sepiion_server::config::Config;
    use sepiion_server::domain::context::Ctx;
    use sepiion_server::domain::notify::schedule::run_once;

    // The test drives the scheduler with its own clock; the server's own is off.
    let s = start_with(|c| c.notify.schedule_every_s = 0).await;
    let mut db = s.sql();
    let ctx = Ctx::from_config(&Config::default()).unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    let run = |db: &mut rusqlite::Connection, now| {
        let tx = db
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        let n = run_once(&tx, &ctx, now).unwrap();
        tx.commit().unwrap();
        n
    };
    let events = |db: &rusqlite::Connection, kind: &str| {
        count(
            db,
            &format!("SELECT COUNT(*) FROM notify_events WHERE event LIKE '%\"type\":\"{kind}\"%'"),
        )
    };
    let device = s.device().await;
    let id = s.submit_id(&device, json!({})).await;

    // 16.00 WITA today (08:00 UTC): before the digest; the new request is not yet overdue.
    let today = Utc::now().date_naive();
    let before_digest = Utc.from_utc_datetime(&today.and_hms_opt(8, 0, 0).unwrap());
    let baseline = events(&db, "reminder");
    run(&mut db, before_digest);
    assert_eq!(events(&db, "daily_digest"), 0, "not before 17.00 WITA");

    // A day later the new request is overdue (24 h), two days later escalated (48 h); once each.
    let later = Utc::now() + Days::hours(25);
    run(&mut db, later);
    run(&mut db, later);
    let mine = |db: &rusqlite::Connection| {
        count(
            db,
            &format!(
                "SELECT COUNT(*) FROM notify_events WHERE request_id = '{id}' AND event LIKE '%\"type\":\"reminder\"%'"
            ),
        )
    };
    assert_eq!(mine(&db), 1, "one reminder per quiet spell");
    run(&mut db, Utc::now() + Days::hours(49));
    assert_eq!(mine(&db), 2, "then one escalation");
    assert!(events(&db, "reminder") > baseline);
    wait_until("the escalation reaches admin", || {
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
                 WHERE n.request_id = '{id}' AND n.kind = 'reminder' AND u.username = 'admin'"
            ),
        ) == 1
    })
    .await;

    // 17.05 WITA (09:05 UTC): tomorrow's agenda for each leader's team, once.
    let digest_time = Utc.from_utc_datetime(&today.and_hms_opt(9, 5, 0).unwrap());
    run(&mut db, digest_time);
    run(&mut db, digest_time + Days::minutes(30));
    let tomorrow = today.succ_opt().unwrap();
    let digests = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM notify_events
             WHERE event LIKE '%\"type\":\"daily_digest\"%' AND event LIKE '%\"date\":\"{tomorrow}\"%'"
        ),
    );
    assert_eq!(digests, 2, "one per leader");
    wait_until("the digest reaches the Bupati's ajudan", || {
        count(
            &db,
            &format!("SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE n.kind = 'daily_digest' AND u.username IN ('ajudan.bupati', 'sespri.bupati', 'bupati')
               AND n.link_id = '{tomorrow}'"),
        ) == 3
    })
    .await;
    let title: String = db
        .query_row(
            "SELECT n.title_ind FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE n.kind = 'daily_digest' AND u.username = 'ajudan.bupati' AND n.link_id = ?1",
            [tomorrow.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        title.starts_with("Agenda Bupati Klungkung besok"),
        "{title}"
    );
}

fn notifications(changes: &[Value]) -> Vec<Value> {
    changes
        .iter()
        .filter(|c| c["entity"] == "notification")
        .map(|c| c["record"]["data"].clone())
        .collect()
}

#[tokio::test]
async fn notifications_sync_to_their_recipient_only() {
    let s = start_with(|c| c.notify.schedule_every_s = 0).await;
    let device = s.device().await;
    let other = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let id = r["id"].as_str().unwrap().to_string();
    let protokol = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;

    let mut staff_new = Vec::new();
    for _ in 0..100 {
        staff_new = notifications(&s.pull_all(&protokol, None, 500).await.changes);
        if !staff_new.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let new = staff_new
        .iter()
        .find(|n| n["link"]["id"] == id.as_str())
        .expect("protocol staff are told of the new request");
    assert_eq!(new["kind"], "new_request");
    assert!(
        new["title"]["id"]
            .as_str()
            .unwrap()
            .starts_with("Permohonan baru")
    );
    assert!(new["read_at"].is_null());

    s.approve(&protokol, &ajudan, &id).await;
    let mut mine = Vec::new();
    for _ in 0..100 {
        mine = notifications(&s.pull_all(&device, None, 500).await.changes);
        if mine
            .iter()
            .any(|n| n["title"]["id"].as_str().unwrap().contains("Disetujui"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(mine.iter().any(|n| n["kind"] == "receipt"), "{mine:?}");
    let approved = mine
        .iter()
        .find(|n| n["title"]["id"].as_str().unwrap().contains("Disetujui"))
        .expect("the requester's device is told of the approval");
    assert_eq!(approved["link"], json!({"type": "request", "id": id}));
    // Only their own: the requester gets no staff notice, staff none of the requester's, and
    // another device nothing at all (not even tombstones).
    assert!(
        mine.iter()
            .all(|n| n["kind"] == "receipt" || n["kind"] == "request_update")
    );
    let staff_ids: Vec<Value> = notifications(&s.pull_all(&ajudan, None, 500).await.changes)
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    assert!(mine.iter().all(|n| !staff_ids.contains(&n["id"])));
    let theirs = s.pull_all(&other, None, 500).await.changes;
    assert!(
        theirs.iter().all(|c| c["entity"] != "notification"),
        "{theirs:?}"
    );
    // The ajudan, who approved, is not told of their own action.
    assert!(
        notifications(&s.pull_all(&ajudan, None, 500).await.changes)
            .iter()
            .all(|n| n["kind"] != "request_update")
    );
}

#[tokio::test]
async fn the_apps_learn_the_lead_time_from_the_public_info() {
    let s = start_with(|c| {
        c.notify.schedule_every_s = 0;
        c.notify.lead_time_days = 3;
    })
    .await;
    let info = s.get("/api/v1/public/info", None).await.ok();
    assert_eq!(info["lead_time_days"], 3);
    let core: sepiion_core::api::ServerInfo = serde_json::from_value(info).unwrap();
    assert_eq!(core.lead_time_days, 3);
}

/// Pushes one read mark; the mutation's answer.
async fn mark_read(s: &TestServer, token: &str, mutation_id: &str, id: &str) -> Value {
    let push = json!({"mutations": [{
        "id": mutation_id,
        "op": {"type": "mark_notification_read", "id": id}
    }]});
    let answer = s.post("/api/v1/sync/push", Some(token), push).await.ok();
    answer["results"][0].clone()
}

#[tokio::test]
async fn a_read_mark_reaches_the_recipients_other_devices_once_and_only_the_recipient_may_mark() {
    let s = start_with(|c| c.notify.schedule_every_s = 0).await;
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let request_id = r["id"].as_str().unwrap().to_string();
    // The same staff member on two phones, and someone else.
    let phone = s.login("protokol").await;
    let tablet = s.login("protokol").await;
    let ajudan = s.login("ajudan.bupati").await;
    let mut notice = Value::Null;
    let mut tablet_cursor = String::new();
    for _ in 0..100 {
        let Pulled {
            changes, cursor, ..
        } = s.pull_all(&tablet, None, 500).await;
        tablet_cursor = cursor;
        if let Some(n) = notifications(&changes)
            .into_iter()
            .find(|n| n["link"]["id"] == request_id.as_str())
        {
            notice = n;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let id = notice["id"]
        .as_str()
        .expect("the new request's notification")
        .to_string();
    assert!(notice["read_at"].is_null());
    let version = notice["version"].as_i64().unwrap();

    // Nobody else may mark it: not another staff member, not a public device; the answer says
    // "not found", as for an id that does not exist.
    for (token, mutation) in [
        (&ajudan, "8d7f4a1e-0000-4000-8000-000000000001"),
        (&device, "8d7f4a1e-0000-4000-8000-000000000002"),
    ] {
        let answer = mark_read(&s, token, mutation, &id).await;
        assert_eq!(answer["status"], "rejected", "{answer}");
        assert_eq!(answer["error"]["error"], "not_found", "{answer}");
    }
    let unknown = mark_read(
        &s,
        &phone,
        "8d7f4a1e-0000-4000-8000-000000000003",
        "no-such",
    )
    .await;
    assert_eq!(unknown["error"]["error"], "not_found", "{unknown}");
    let after_refusals = s.pull_all(&tablet, Some(&tablet_cursor), 500).await.changes;
    assert!(
        notifications(&after_refusals).is_empty(),
        "refused marks change nothing: {after_refusals:?}"
    );

    // The recipient reads it on the phone.
    let first = mark_read(&s, &phone, "8d7f4a1e-0000-4000-8000-000000000004", &id).await;
    assert_eq!(first["status"], "applied", "{first}");
    let read_at = first["record"]["data"]["read_at"].clone();
    assert!(read_at.is_string(), "{first}");
    assert_eq!(first["record"]["data"]["version"], version + 1);
    // A replay (lost answer) is answered "already applied"; a second mark from another device
    // keeps the first read time and moves nothing.
    let replay = mark_read(&s, &phone, "8d7f4a1e-0000-4000-8000-000000000004", &id).await;
    assert_eq!(replay["status"], "already_applied", "{replay}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let again = mark_read(&s, &tablet, "8d7f4a1e-0000-4000-8000-000000000005", &id).await;
    assert_eq!(again["status"], "applied", "{again}");
    assert_eq!(again["record"]["data"]["read_at"], read_at);
    assert_eq!(again["record"]["data"]["version"], version + 1);

    // The tablet's next sync brings the read state, once.
    let changes = s.pull_all(&tablet, Some(&tablet_cursor), 500).await.changes;
    let synced = notifications(&changes);
    assert_eq!(synced.len(), 1, "{synced:?}");
    assert_eq!(synced[0]["id"], id.as_str());
    assert_eq!(synced[0]["read_at"], read_at);
    // A reinstall (a full sync from nothing) sees it read too.
    let fresh = notifications(&s.pull_all(&phone, None, 500).await.changes);
    let fresh = fresh.iter().find(|n| n["id"] == id.as_str()).unwrap();
    assert_eq!(fresh["read_at"], read_at);
    // The other staff member never learns of it.
    assert!(
        notifications(&s.pull_all(&ajudan, None, 500).await.changes)
            .iter()
            .all(|n| n["id"] != id.as_str())
    );
}

/// The texts each account received for the events of `kinds`, by username.
fn received(db: &rusqlite::Connection, kind: &str) -> Vec<(String, String, String)> {
    let mut st = db
        .prepare(
            "SELECT u.username, n.title_ind || char(10) || n.body_ind,
                    n.title_en || char(10) || n.body_en
             FROM notifications n JOIN users u ON u.id = n.user_id
             WHERE n.kind = ?1 ORDER BY n.created_at, n.id",
        )
        .unwrap();
    st.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

fn to_user<'a>(
    list: &'a [(String, String, String)],
    user: &str,
) -> Vec<&'a (String, String, String)> {
    list.iter().filter(|(u, _, _)| u == user).collect()
}

#[tokio::test]
async fn nobody_is_told_of_their_own_action_and_staff_learn_who_did_what_and_why() {
    let s = start().await;
    let db = s.sql();
    let ajudan = s.login("ajudan.bupati").await;
    let protokol = s.login("protokol").await;

    // The ajudan moves, then cancels an agenda item of tomorrow (the reported case).
    let input = |from: i64, to: i64| {
        json!({"leader_id": "bupati", "title": "Rapat Koordinasi Galungan",
               "starts_at": wita_at(1, from), "ends_at": wita_at(1, to),
               "location": "Kantor Bupati", "category": "rapat", "visibility": "internal",
               "status": "confirmed", "attendance": "in_person"})
    };
    let item = s
        .post("/api/v1/staff/agenda", Some(&ajudan), input(9, 10))
        .await
        .ok();
    let item_id = item["item"]["id"].as_str().unwrap().to_string();
    s.put(
        &format!("/api/v1/staff/agenda/{item_id}"),
        Some(&ajudan),
        input(10, 11),
    )
    .await
    .ok();
    s.post(
        &format!("/api/v1/staff/agenda/{item_id}/cancel"),
        Some(&ajudan),
        json!({"reason": "Bupati dipanggil ke Denpasar"}),
    )
    .await
    .ok();

    // A request 10 days ahead: forwarded, represented by the ajudan, then cancelled by
    // protocol staff (more than 48 hours ahead).
    let device = s.device().await;
    let r = s.submit(&device, json!({})).await;
    let id = r["id"].as_str().unwrap().to_string();
    for (token, body) in [
        (&protokol, json!({"action": "start_review"})),
        (&protokol, json!({"action": "forward_to_leader"})),
        (
            &ajudan,
            json!({"action": "represent", "representative": "sekda"}),
        ),
        (
            &protokol,
            json!({"action": "cancel", "reason": "Acara ditunda panitia"}),
        ),
    ] {
        s.transition(token, &id, body).await.ok();
    }
    wait_until("every event expanded", || {
        count(&db, "SELECT COUNT(*) FROM notify_events WHERE expanded = 0") == 0
            && count(&db, "SELECT COUNT(*) FROM notify_events") >= 7
    })
    .await;

    // On every path: each staff event knows its actor, and the actor got nothing of it.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM notify_events WHERE actor_user_id IS NULL
               AND (json_extract(event, '$.type') = 'agenda_changed'
                    OR json_extract(event, '$.actor') != 'requester')
               AND json_extract(event, '$.type') != 'submitted'"
        ),
        0,
        "a staff event without its actor"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM notifications n JOIN notify_events e ON e.id = n.event_id
             WHERE n.user_id = e.actor_user_id"
        ),
        0,
        "somebody was told of their own action"
    );

    let changed = received(&db, "agenda_changed");
    assert!(to_user(&changed, "ajudan.bupati").is_empty(), "{changed:?}");
    let sespri = to_user(&changed, "sespri.bupati");
    assert_eq!(sespri.len(), 2, "moved, then cancelled: {changed:?}");
    let (_, id_text, en_text) = sespri[0];
    assert!(id_text.contains("09.00–10.00 WITA → "), "{id_text}");
    assert!(id_text.contains(", 10.00–11.00 WITA\n"), "{id_text}");
    assert!(
        id_text.contains("Diubah oleh Komang Ajudan Bupati."),
        "{id_text}"
    );
    let (_, id_text, en_text2) = sespri[1];
    assert!(
        id_text.starts_with("Agenda dibatalkan: Rapat Koordinasi Galungan"),
        "{id_text}"
    );
    assert!(id_text.contains("Status: Pasti → Batal"), "{id_text}");
    assert!(
        id_text.contains("Alasan: Bupati dipanggil ke Denpasar"),
        "{id_text}"
    );
    assert!(
        id_text.contains("Diubah oleh Komang Ajudan Bupati."),
        "{id_text}"
    );
    assert!(
        en_text2.contains("Status: Confirmed → Cancelled"),
        "{en_text2}"
    );
    assert!(!en_text.contains("confirmed") && !en_text2.contains("confirmed"));

    // The outcome reaches protocol, the sespri and the Bupati, naming the representative
    // and the ajudan who decided, as two different people.
    let decisions = received(&db, "decision");
    for user in ["protokol", "sespri.bupati", "bupati"] {
        let got = to_user(&decisions, user);
        let (_, text, en) = got
            .iter()
            .find(|(_, t, _)| t.starts_with("Diwakilkan"))
            .unwrap_or_else(|| panic!("{user} hears the outcome: {decisions:?}"));
        assert!(
            text.contains("diwakili oleh I Wayan Sudarsana (Sekretaris Daerah)"),
            "{text}"
        );
        assert!(
            text.contains("Diputuskan oleh Komang Ajudan Bupati."),
            "{text}"
        );
        assert!(en.contains("represented by I Wayan Sudarsana"), "{en}");
    }
    // Protocol's cancellation 10 days ahead reaches the Bupati's team, not protocol itself.
    for user in ["ajudan.bupati", "sespri.bupati", "bupati"] {
        assert!(
            to_user(&decisions, user)
                .iter()
                .any(|(_, t, _)| t.starts_with("Dibatalkan")
                    && t.contains("Dibatalkan oleh Kadek Protokol.")
                    && t.contains("Alasan: Acara ditunda panitia")),
            "{user}: {decisions:?}"
        );
    }
    assert!(
        !to_user(&decisions, "protokol")
            .iter()
            .any(|(_, t, _)| t.starts_with("Dibatalkan"))
    );
}

#[tokio::test]
async fn an_english_requester_hears_english_and_urgency_reaches_staff_with_importance() {
    let ntfy = HttpSink::start().await;
    let wa = HttpSink::start().await;
    let smtp = SmtpSink::start();
    let cfg = notify_config(&ntfy, &wa, Some(smtp.port));
    let s = start_with(move |c| {
        c.notify = cfg;
        c.public_url = Some(PUBLIC_URL.into());
    })
    .await;
    let db = s.sql();
    set_contact(&db, "protokol", "081211112222", "protokol@pemkab.test");
    let device = s.device().await;
    // Three days ahead: urgent ("mendesak") under the default 7-day lead time.
    let mut body = request_body(3);
    merge(
        &mut body,
        json!({"requester_email": "guest@example.org", "requester_phone": "0812-3456-7890"}),
    );
    let r = s
        .send(
            s.http
                .post(s.url("/api/v1/public/requests"))
                .bearer_auth(&device)
                .header("Accept-Language", "en-GB,en;q=0.9")
                .json(&body),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let code = r.body["tracking_code"].as_str().unwrap().to_string();
    let id = r.body["id"].as_str().unwrap().to_string();
    let stored: String = db
        .query_row("SELECT language FROM requests WHERE id = ?1", [&id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(stored, "en");

    wait_until("the receipt e-mail", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains("To: guest@example.org"))
    })
    .await;
    let receipt = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains("To: guest@example.org"))
        .unwrap();
    // Not confirmed yet: the fixed sentences, in English first.
    assert!(
        receipt.contains(&format!("Subject: Request {code}")),
        "{receipt}"
    );
    let english = receipt
        .find("This number or address was given")
        .expect("English text");
    let indonesian = receipt
        .find("Nomor atau alamat ini dicantumkan")
        .expect("Indonesian below");
    assert!(english < indonesian, "English first: {receipt}");
    wait_until("the requester's WhatsApp", || {
        wa.hits()
            .iter()
            .any(|h| h.json()["target"] == "6281234567890")
    })
    .await;
    let hits = wa.hits();
    let text = hits
        .iter()
        .find(|h| h.json()["target"] == "6281234567890")
        .unwrap()
        .json()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.starts_with(&format!("*Request {code}*")), "{text}");
    assert!(!text.contains("Permohonan"), "{text}");
    confirm_contact(&s, &text).await;

    // Staff read Indonesian, tagged urgent, with the e-mail marked important.
    wait_until("protocol staff's e-mail", || {
        smtp.messages()
            .iter()
            .any(|m| m.contains("To: protokol@pemkab.test"))
    })
    .await;
    let staff_mail = smtp
        .messages()
        .into_iter()
        .find(|m| m.contains("To: protokol@pemkab.test"))
        .unwrap();
    assert!(
        staff_mail.contains("Subject: [MENDESAK] Permohonan baru"),
        "{staff_mail}"
    );
    assert!(staff_mail.contains("Importance: high"), "{staff_mail}");
    assert!(staff_mail.contains("X-Priority: 1"), "{staff_mail}");
    assert!(
        staff_mail.contains("Penyelenggara: Desa Kamasan"),
        "{staff_mail}"
    );
    assert!(
        staff_mail.contains("Pimpinan: Bupati Klungkung"),
        "{staff_mail}"
    );

    // Forwarded: the Bupati's team hears it urgent too.
    let protokol = s.login("protokol").await;
    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .ok();
    s.transition(&protokol, &id, json!({"action": "forward_to_leader"}))
        .await
        .ok();
    wait_until("the forward is expanded", || {
        count(
            &db,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'forwarded'",
        ) >= 3
    })
    .await;
    for (user, title, _) in received(&db, "forwarded") {
        assert!(
            title.starts_with("[MENDESAK] Menunggu keputusan pimpinan"),
            "{user}: {title}"
        );
    }
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'forwarded' AND priority != 'high'"
        ),
        0
    );
    // The requester's update (in review) came in English on WhatsApp too.
    wait_until("the in-review WhatsApp", || {
        wa.hits().iter().any(|h| {
            h.json()["target"] == "6281234567890"
                && h.json()["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("In review")
        })
    })
    .await;
}

#[tokio::test]
async fn thousands_of_deliveries_each_reach_the_sinks_exactly_once() {
    let ntfy = HttpSink::start().await;
    let wa = HttpSink::start().await;
    let mut cfg = notify_config(&ntfy, &wa, None);
    cfg.ntfy.as_mut().unwrap().rate_per_second = 5_000;
    cfg.whatsapp.as_mut().unwrap().rate_per_second = 5_000;
    cfg.poll_ms = 10;
    let s = start_with(move |c| c.notify = cfg).await;
    let db = s.sql();
    // 1,500 notifications with one ntfy and one WhatsApp delivery each, written at once as the
    // outbox would; the dispatcher's rounds run every 10 ms and on every finished send.
    const N: usize = 1_500;
    {
        let mut db = s.sql();
        let tx = db.transaction().unwrap();
        let now = chrono::Utc::now();
        tx.execute(
            "INSERT INTO notify_events (created_at, event, expanded) VALUES (?1, '{}', 1)",
            [now.timestamp()],
        )
        .unwrap();
        let event = tx.last_insert_rowid();
        for i in 0..N {
            let id = format!("stress-{i}");
            tx.execute(
                "INSERT INTO notifications (id, event_id, created_at, kind, priority, user_id,
                     link_type, link_id, title_ind, title_en, body_ind, body_en)
                 VALUES (?1, ?2, ?3, 'reminder', 'normal', 1, 'request', 'x', 'Uji', 'Test',
                         'Isi', 'Body')",
                rusqlite::params![id, event, now.timestamp()],
            )
            .unwrap();
            for (channel, address) in [("ntfy", "sepiion-stress"), ("whatsapp", "6281200000000")] {
                tx.execute(
                    "INSERT INTO deliveries (notification_id, channel, address, status,
                         next_attempt_ms, created_at)
                     VALUES (?1, ?2, ?3, 'pending', ?4, ?5)",
                    rusqlite::params![
                        id,
                        channel,
                        address,
                        now.timestamp_millis(),
                        now.timestamp()
                    ],
                )
                .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    for _ in 0..1_200 {
        if count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE notification_id LIKE 'stress-%' AND status = 'sent'",
        ) == (2 * N) as i64
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE notification_id LIKE 'stress-%' AND status = 'sent'"
        ),
        (2 * N) as i64,
        "every delivery sent"
    );
    // Let any late duplicate arrive before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut keys: HashMap<String, usize> = HashMap::new();
    for h in ntfy.hits().iter().chain(wa.hits().iter()) {
        *keys
            .entry(h.header("idempotency-key").to_string())
            .or_default() += 1;
    }
    let stress = keys.iter().filter(|(k, _)| k.contains("stress-")).count();
    assert_eq!(stress, 2 * N, "one key per delivery");
    let twice: Vec<_> = keys.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE claimed_at_ms IS NOT NULL"
        ),
        0,
        "every claim freed by its outcome"
    );
}

#[tokio::test]
async fn the_author_hears_which_mentions_matched_nobody_and_email_addresses_are_not_mentions() {
    let s = start().await;
    let db = s.sql();
    let protokol = s.login("protokol").await;
    let device = s.device().await;
    let id = s.submit(&device, json!({})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let events = || {
        count(
            &db,
            "SELECT COUNT(*) FROM notify_events WHERE event LIKE '%disposition%'",
        )
    };
    let note = s
        .post(
            &format!("/api/v1/staff/requests/{id}/notes"),
            Some(&protokol),
            json!({"instruction": "", "text": "Mohon dicek @komang dan @ajudan.bupatii, juga @agenda dan @Ajudan.Bupati."}),
        )
        .await
        .ok();
    assert_eq!(
        note["unknown_mentions"],
        json!(["komang", "ajudan.bupatii"]),
        "{note}"
    );
    assert!(note["id"].is_string() && note["text"].as_str().unwrap().contains("@komang"));
    assert_eq!(events(), 1);
    // A note that only carries an e-mail address is a plain note: nobody is paged.
    let plain = s
        .post(
            &format!("/api/v1/staff/requests/{id}/notes"),
            Some(&protokol),
            json!({"instruction": "", "text": "Surat dari panitia@contoh.id sudah diterima."}),
        )
        .await
        .ok();
    assert_eq!(plain["unknown_mentions"], json!([]));
    assert_eq!(events(), 1, "an e-mail address is not a mention");
}

/// The regency's WhatsApp number and mail server are no relay: nine devices name one victim's
/// number (written three ways) and address (with `+tags`) on requests whose title is an
/// advertisement. The victim gets at most the day's cap of messages, none with the title; the
/// rest are logged as skipped with the reason.
#[tokio::test]
async fn one_destination_gets_at_most_the_daily_cap_and_no_submitter_text() {
    let ntfy = HttpSink::start().await;
    let wa = HttpSink::start().await;
    let smtp = SmtpSink::start();
    let cfg = notify_config(&ntfy, &wa, Some(smtp.port));
    let s = start_with(move |c| {
        c.notify = cfg;
        c.public_url = Some(PUBLIC_URL.into());
        c.limits.messages_per_destination_per_day = 5;
    })
    .await;
    let db = s.sql();
    let spam = "PROMO OBAT KUAT murah hubungi spam.example";
    let phones = ["0812-9999-0000", "+62 812 9999 0000", "081299990000"];
    let mut codes = Vec::new();
    for i in 0..9 {
        let device = s.device().await;
        let r = s
            .submit(
                &device,
                json!({"title": spam, "requester_name": spam, "organizer": spam,
                    "requester_phone": phones[i % 3],
                    "requester_email": format!("Korban+{i}@Contoh.ID")}),
            )
            .await;
        codes.push(r["tracking_code"].as_str().unwrap().to_string());
    }
    wait_until("every requester delivery decided", || {
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
             WHERE n.user_id IS NULL AND d.channel IN ('whatsapp', 'email')",
        ) == 18
            && count(
                &db,
                "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'
                 AND channel IN ('whatsapp', 'email')",
            ) == 0
    })
    .await;
    let to_victim: Vec<String> = wa
        .hits()
        .iter()
        .filter(|h| h.json()["target"] == "6281299990000")
        .map(|h| h.json()["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(to_victim.len(), 5, "{to_victim:?}");
    let mails: Vec<String> = smtp
        .messages()
        .into_iter()
        .filter(|m| m.to_lowercase().contains("to: korban+"))
        .collect();
    assert_eq!(mails.len(), 5, "{mails:?}");
    for m in to_victim.iter().chain(&mails) {
        assert!(!m.contains("PROMO") && !m.contains("spam.example"), "{m}");
        assert!(codes.iter().any(|c| m.contains(c.as_str())), "{m}");
    }
    // Admin sees the rest as skipped, with the reason.
    let admin = s.login("admin").await;
    for channel in ["whatsapp", "email"] {
        let log = s
            .get(
                &format!("/api/v1/admin/deliveries?status=skipped&channel={channel}"),
                Some(&admin),
            )
            .await
            .ok();
        let skipped = log.as_array().unwrap();
        assert_eq!(skipped.len(), 4, "{log}");
        for e in skipped {
            assert_eq!(e["recipient"], "pemohon");
            let why = e["last_error"].as_str().unwrap();
            assert!(
                why.contains("daily cap") && why.contains("messages_per_destination_per_day"),
                "{why}"
            );
        }
    }
    // An admin may send a skipped one by hand: still without the submitter's text.
    let skipped = s
        .get(
            "/api/v1/admin/deliveries?status=skipped&channel=whatsapp",
            Some(&admin),
        )
        .await
        .ok();
    let first = skipped[0]["id"].as_i64().unwrap();
    s.post(
        &format!("/api/v1/admin/deliveries/{first}/resend"),
        Some(&admin),
        json!(null),
    )
    .await
    .ok();
    let victim_hits = || {
        wa.hits()
            .iter()
            .filter(|h| h.json()["target"] == "6281299990000")
            .map(|h| h.json()["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    wait_until("the resent message", || victim_hits().len() == 6).await;
    let resent = &victim_hits()[5];
    assert!(!resent.contains("PROMO"), "{resent}");
    // Staff accounts' own notices are not capped.
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM deliveries d JOIN notifications n ON n.id = d.notification_id
             WHERE n.user_id IS NOT NULL AND d.status = 'skipped'"
        ),
        0
    );
    // A link that was never sent confirms nothing.
    let unknown = format!("/konfirmasi/{}", "ab".repeat(32));
    let r = s.http.post(s.url(&unknown)).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM confirmed_contacts"), 0);

    // Protocol staff who checked a requester's number with them confirm it (other roles may
    // not); the next message to it carries the details.
    let device = s.device().await;
    let id = s
        .submit_id(&device, json!({"requester_phone": "0813 1111 2222"}))
        .await;
    let to_opd = |wa: &HttpSink| -> Vec<String> {
        wa.hits()
            .iter()
            .filter(|h| h.json()["target"] == "6281311112222")
            .map(|h| h.json()["message"].as_str().unwrap().to_string())
            .collect()
    };
    wait_until("the receipt", || !to_opd(&wa).is_empty()).await;
    assert!(to_opd(&wa)[0].contains("Nomor atau alamat ini dicantumkan"));
    let confirm = format!("/api/v1/staff/requests/{id}/contact-confirmation");
    let ajudan = s.login("ajudan.bupati").await;
    s.post(&confirm, Some(&ajudan), json!(null)).await.err(403);
    let protokol = s.login("protokol").await;
    let r = s.post(&confirm, Some(&protokol), json!(null)).await;
    assert_eq!(r.status, 204);
    s.transition(&protokol, &id, json!({"action": "start_review"}))
        .await
        .ok();
    wait_until("the in-review message", || to_opd(&wa).len() == 2).await;
    let update = &to_opd(&wa)[1];
    assert!(update.contains("sedang ditinjau"), "{update}");
    assert!(!update.contains("/konfirmasi/"), "{update}");
}
