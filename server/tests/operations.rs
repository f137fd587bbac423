//! Running the server in service: `/healthz` and `/metrics` (who may read them, real figures),
//! `last_seen` throttling, `restore` from the command line, the example configuration and the
//! backup script of `deploy/`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use rusqlite::params;
use serde_json::json;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sepiion-server"));
    c.env("RUST_LOG", "warn");
    c
}

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

async fn text(s: &TestServer, path: &str, token: Option<&str>) -> (u16, String) {
    let mut req = s.http.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The value of one sample line (`name{labels} value`) of a Prometheus text answer.
fn sample(metrics: &str, line_start: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn healthz_says_whether_the_database_answers() {
    let mut s = start().await;
    let ok = s.get("/healthz", None).await.ok();
    assert_eq!(ok, json!({"status": "ok", "database": "ok"}));

    // The database file is taken away under the running server (a botched manual restore).
    let db = s.db.clone();
    std::fs::rename(&db, s.dir.path().join("elsewhere.db")).unwrap();
    let body = s.get("/healthz", None).await.err(503);
    assert_eq!(body["error"], "database_unavailable");
    s.stop().await;
}

#[tokio::test]
async fn metrics_need_an_admin_token_or_an_allowed_direct_address() {
    let mut s = start().await;
    let admin = s.login("admin").await;
    let staff = s.login("protokol").await;
    let device = s.device().await;

    s.get("/metrics", None).await.err(401);
    s.get("/metrics", Some(&staff)).await.err(403);
    s.get("/metrics", Some(&device)).await.err(403);
    s.get("/metrics", Some("sps_not-a-session")).await.err(401);

    // Some traffic to count: a push with one applied mutation and a replay, pulls, a 404.
    let id = uuid::Uuid::new_v4().to_string();
    let mut request = request_body(12);
    merge(&mut request, json!({"id": id}));
    let push = json!({"mutations": [{
        "id": uuid::Uuid::new_v4().to_string(),
        "op": {"type": "submit_request", "request": request},
        "base_version": null
    }]});
    let first = s
        .post("/api/v1/sync/push", Some(&device), push.clone())
        .await
        .ok();
    assert_eq!(first["results"][0]["status"], "applied", "{first}");
    let again = s.post("/api/v1/sync/push", Some(&device), push).await.ok();
    assert_eq!(again["results"][0]["status"], "already_applied");
    s.get("/api/v1/sync/pull", Some(&device)).await.ok();
    s.get("/api/v1/sync/pull?limit=5", Some(&admin)).await.ok();
    s.get(&format!("/api/v1/public/requests/{id}"), Some(&device))
        .await
        .ok();
    s.get("/no/such/page", None).await.err(404);

    let (status, m) = text(&s, "/metrics", Some(&admin)).await;
    assert_eq!(status, 200, "{m}");
    assert!(
        m.contains("# TYPE sepiion_http_requests_total counter"),
        "{m}"
    );
    let pulls =
        r#"sepiion_http_requests_total{method="GET",route="/api/v1/sync/pull",status="200"}"#;
    assert_eq!(sample(&m, pulls), Some(2.0), "{m}");
    // Route templates, not concrete paths; unmatched paths in one series.
    let by_id = r#"sepiion_http_requests_total{method="GET",route="/api/v1/public/requests/{id}",status="200"}"#;
    assert_eq!(sample(&m, by_id), Some(1.0), "{m}");
    assert!(!m.contains(&id), "no ids in labels");
    assert_eq!(
        sample(
            &m,
            r#"sepiion_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(1.0)
    );
    assert!(
        m.contains(r#"sepiion_http_request_duration_seconds_bucket{"#),
        "{m}"
    );
    assert_eq!(sample(&m, "sepiion_sync_pulls_total"), Some(2.0));
    assert_eq!(sample(&m, "sepiion_sync_pushes_total"), Some(2.0));
    assert_eq!(
        sample(&m, r#"sepiion_sync_mutations_total{outcome="applied"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &m,
            r#"sepiion_sync_mutations_total{outcome="already_applied"}"#
        ),
        Some(1.0)
    );
    assert_eq!(sample(&m, "sepiion_sync_push_mutations_count"), Some(2.0));
    // The demo data lies in the database file or still in the WAL.
    let bytes = sample(&m, "sepiion_database_bytes").unwrap()
        + sample(&m, "sepiion_database_wal_bytes").unwrap();
    assert!(bytes > 100_000.0, "{m}");
    assert!(sample(&m, "sepiion_open_sessions").unwrap() >= 2.0, "{m}");
    assert!(sample(&m, "sepiion_active_devices").unwrap() >= 1.0, "{m}");
    s.stop().await;
}

#[tokio::test]
async fn metrics_allowed_addresses_read_without_a_token_but_not_through_a_proxy() {
    let mut s = start_with(|c| {
        c.metrics_allow = vec!["127.0.0.1/32".parse().unwrap()];
        c.limits.registrations_per_hour = 1;
    })
    .await;
    // A rate-limit refusal to count.
    s.device().await;
    s.post("/api/v1/public/devices", None, json!({}))
        .await
        .err(429);
    let (status, m) = text(&s, "/metrics", None).await;
    assert_eq!(status, 200, "{m}");
    assert_eq!(
        sample(
            &m,
            r#"sepiion_http_rate_limited_total{method="POST",route="/api/v1/public/devices"}"#
        ),
        Some(1.0),
        "{m}"
    );
    // The same address, but the request names a client behind a proxy: the peer is the proxy.
    let res = s
        .send(
            s.http
                .get(s.url("/metrics"))
                .header("X-Forwarded-For", "203.0.113.9"),
        )
        .await;
    res.err(401);
    s.stop().await;
}

/// A client inventing HTTP methods cannot create series: every method HTTP does not define is
/// counted under `other`.
#[tokio::test]
async fn invented_methods_are_counted_as_other() {
    let mut s = start_with(|c| c.metrics_allow = vec!["127.0.0.1/32".parse().unwrap()]).await;
    for i in 0..40 {
        let method = reqwest::Method::from_bytes(format!("XMETHOD{i}").as_bytes()).unwrap();
        let res = s
            .http
            .request(method, s.url("/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405);
    }
    let (status, m) = text(&s, "/metrics", None).await;
    assert_eq!(status, 200, "{m}");
    assert!(!m.contains("XMETHOD"), "{m}");
    assert_eq!(
        sample(
            &m,
            r#"sepiion_http_requests_total{method="other",route="/healthz",status="405"}"#
        ),
        Some(40.0),
        "{m}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_device_last_seen_is_written_at_most_every_five_minutes() {
    let mut s = start().await;
    let token = s.device().await;
    let hash = sepiion_server::domain::caller::token_hash(&token);
    let db = s.sql();
    let set = |secs_ago: i64| {
        let changed = db
            .execute(
                "UPDATE devices SET last_seen = ?1 WHERE token_hash = ?2",
                params![chrono::Utc::now().timestamp() - secs_ago, hash],
            )
            .unwrap();
        assert_eq!(changed, 1);
    };
    let last_seen = || -> i64 {
        db.query_row(
            "SELECT last_seen FROM devices WHERE token_hash = ?1",
            params![hash],
            |r| r.get(0),
        )
        .unwrap()
    };
    set(100);
    let recent = last_seen();
    s.get("/api/v1/public/requests", Some(&token)).await.ok();
    assert_eq!(last_seen(), recent, "seen 100 s ago: not written again");
    set(301);
    s.get("/api/v1/public/requests", Some(&token)).await.ok();
    assert!(
        last_seen() >= chrono::Utc::now().timestamp() - 5,
        "seen over 5 minutes ago: written"
    );
    s.stop().await;
}

fn run(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn restore_checks_the_backup_refuses_a_served_database_and_keeps_the_replaced_one() {
    let mut s = start().await;
    let db = s.db.clone();
    let dir = tempfile::tempdir().unwrap();
    let backup = dir.path().join("cadangan.db");
    let (ok, out) = run(bin()
        .args(["backup", "--db"])
        .arg(&db)
        .arg("--to")
        .arg(&backup));
    assert!(ok, "{out}");
    let restore = |from: &Path| {
        run(bin()
            .args(["restore", "--from"])
            .arg(from)
            .arg("--db")
            .arg(&db))
    };

    // Not a database, a damaged copy, a newer schema: refused, with the reason.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"bukan basis data").unwrap();
    let (ok, out) = restore(&junk);
    assert!(!ok);
    assert!(out.contains("not a Sepiion backup"), "{out}");
    let newer = dir.path().join("newer.db");
    std::fs::copy(&backup, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let (ok, out) = restore(&newer);
    assert!(!ok);
    assert!(out.contains("schema version 99"), "{out}");

    // A valid backup while the server runs: refused.
    let (ok, out) = restore(&backup);
    assert!(!ok);
    assert!(out.contains("running server"), "{out}");
    // A session made after the backup: in the replaced file only.
    s.login("admin").await;
    s.stop().await;

    let (ok, out) = restore(&backup);
    assert!(ok, "{out}");
    let kept: Vec<_> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sepiion.db.replaced-") && n.ends_with('Z'))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    let replaced = rusqlite::Connection::open(s.dir.path().join(&kept[0])).unwrap();
    let sessions: i64 = replaced
        .query_row("SELECT COUNT(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert!(sessions >= 1, "the replaced file is the old database");

    // The restored database serves, with the restore in its audit log.
    let mut again = serve_existing(&db).await;
    let admin = again.login("admin").await;
    let audit = again.get("/api/v1/admin/audit", Some(&admin)).await.ok();
    assert!(audit.to_string().contains("database.restore"), "{audit}");
    again.stop().await;
}

#[tokio::test]
async fn the_privacy_policy_is_served_to_anyone_from_the_store_text() {
    let mut s = start().await;
    let res = s.http.get(s.url("/privasi")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
    let body = res.text().await.unwrap();
    assert_eq!(
        body,
        std::fs::read_to_string(repo_file("docs/privasi.txt")).unwrap()
    );
    assert!(body.contains("KEBIJAKAN PRIVASI"));
    s.stop().await;
}

#[test]
fn the_example_configuration_of_deploy_loads() {
    let c = sepiion_server::config::Config::load(Some(&repo_file("deploy/sepiion.toml")))
        .expect("deploy/sepiion.toml is a valid configuration");
    assert_eq!(c.addr, "127.0.0.1:8080");
    assert!(!c.demo);
    assert_eq!(c.leaders.len(), 2);
    assert_eq!(c.metrics_allow.len(), 2);
    assert_eq!(c.limits, sepiion_server::config::Limits::default());
}

#[test]
fn the_backup_script_keeps_the_newest_copies() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sepiion.db");
    let (ok, out) = run(bin().args(["demo", "--db"]).arg(&db));
    assert!(ok, "{out}");
    let backups = dir.path().join("cadangan");
    std::fs::create_dir(&backups).unwrap();
    // Three older copies (names carry the time) and a stray file that is not a backup.
    for old in ["20260101T023000Z", "20260102T023000Z", "20260103T023000Z"] {
        std::fs::write(backups.join(format!("sepiion-{old}.db")), b"old").unwrap();
    }
    std::fs::write(backups.join("catatan.txt"), b"keep me").unwrap();
    let (ok, out) = run(Command::new("sh")
        .arg(repo_file("deploy/sepiion-backup"))
        .env("SEPIION_DB", &db)
        .env("SEPIION_BACKUP_DIR", &backups)
        .env("SEPIION_BACKUP_KEEP", "2")
        .env("SEPIION_BIN", env!("CARGO_BIN_EXE_sepiion-server"))
        .env("RUST_LOG", "warn"));
    assert!(ok, "{out}");
    let mut names: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(names[0], "catatan.txt");
    assert_eq!(names[1], "sepiion-20260103T023000Z.db");
    let newest = backups.join(&names[2]);
    let conn = rusqlite::Connection::open(&newest).unwrap();
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert!(users > 0, "the new copy is a real backup");
}
