//! Running the server in service: `/healthz` and `/metrics` (who may read them, real figures),
//! `last_seen` throttling, `restore` from the command line, the example configuration and the
//! backup script of `deploy/`.

mod common;
mod pytools;

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
    // A public read the response cache keeps.
    let from = chrono::Utc::now().date_naive();
    let to = from + chrono::Duration::days(6);
    let (status, _) = text(
        &s,
        &format!("/api/v1/public/agenda?from={from}&to={to}"),
        None,
    )
    .await;
    assert_eq!(status, 200);

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
    // What the server holds in memory: SQLite's caches, the cached answer, the throttle keys of
    // the sign-ins and the device registration.
    assert!(
        sample(&m, "sepiion_sqlite_memory_bytes").unwrap() > 0.0,
        "{m}"
    );
    assert!(sample(&m, "sepiion_cached_answers").unwrap() >= 1.0, "{m}");
    assert!(sample(&m, "sepiion_throttle_keys").unwrap() >= 1.0, "{m}");
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
    // HTTPS links in the calendar feed, and the office's contact on the portal's Tentang page.
    assert!(
        c.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        "{:?}",
        c.public_url
    );
    assert!(!c.office.name.is_empty() && !c.office.phone.is_empty());
    assert!(!c.office.email.is_empty() && !c.office.hours.is_empty());
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
    // The saved name is the final one, never the temporary `.partial`.
    assert!(!out.contains(".partial"), "{out}");
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
    assert!(
        out.contains(&format!("backup: {}", newest.display())),
        "{out}"
    );
}

/// `restore` keeps only the newest few databases it replaced (each a whole database).
#[test]
fn restore_prunes_old_replaced_databases() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sepiion.db");
    let backup = dir.path().join("cadangan.db");
    let (ok, out) = run(bin().args(["demo", "--db"]).arg(&db));
    assert!(ok, "{out}");
    let (ok, out) = run(bin()
        .args(["backup", "--db"])
        .arg(&db)
        .arg("--to")
        .arg(&backup));
    assert!(ok, "{out}");
    let olds = ["20250101T000000Z", "20250201T000000Z", "20250301T000000Z"];
    for stamp in olds {
        let old = dir.path().join(format!("sepiion.db.replaced-{stamp}"));
        std::fs::write(&old, b"old").unwrap();
        std::fs::write(
            dir.path().join(format!("sepiion.db.replaced-{stamp}-wal")),
            b"w",
        )
        .unwrap();
    }
    let (ok, out) = run(bin()
        .args(["restore", "--from"])
        .arg(&backup)
        .arg("--db")
        .arg(&db));
    assert!(ok, "{out}");
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sepiion.db.replaced-"))
        .collect();
    names.sort();
    // The one just made and the two newest before it; the oldest is gone with its WAL.
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(!names.iter().any(|n| n.contains(olds[0])), "{names:?}");
    assert!(names.contains(&format!("sepiion.db.replaced-{}", olds[1])));
    assert!(names.contains(&format!("sepiion.db.replaced-{}-wal", olds[2])));
    assert!(out.contains(olds[0]), "the pruned file is named: {out}");
}

/// Every line the server writes in JSON mode, parsed; panics on a line that is not JSON.
fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The README's `journalctl -u sepiion -o cat | jq 'select(.level=="ERROR")'` over `out`.
fn jq_errors(out: &str) -> Vec<serde_json::Value> {
    use std::io::Write;
    let mut jq = Command::new("jq")
        .args(["-c", r#"select(.level=="ERROR")"#])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("jq (Debian package jq, installed by .ci/run)");
    jq.stdin.take().unwrap().write_all(out.as_bytes()).unwrap();
    let done = jq.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "jq: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    json_lines(&String::from_utf8_lossy(&done.stdout))
}

/// Runs `serve` in JSON mode until it exits or `wait` passes (then it is stopped with SIGTERM);
/// returns its stdout and stderr together.
fn serve_json(args: &[&str], wait: std::time::Duration) -> (bool, String) {
    let mut child = bin()
        .env("SEPIION_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + wait;
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn messages(lines: &[serde_json::Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["fields"]["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn json_mode_writes_only_json_and_logs_the_schema_and_fatal_errors_with_their_cause() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sepiion.db");
    let db_arg = db.to_str().unwrap();
    let newest = std::fs::read_dir(repo_file("server/migrations"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .max()
        .unwrap();
    let schema: usize = newest[..4].parse().unwrap();

    // A first start: migrated from 0, then the listening line; every line JSON, no banner.
    let (_, out) = serve_json(
        &["--addr", "127.0.0.1:0", "--db", db_arg],
        std::time::Duration::from_secs(3),
    );
    let lines = json_lines(&out);
    let said = messages(&lines);
    assert!(said.contains(&format!("migrated 0 → {schema}")), "{said:?}");
    assert_eq!(
        said.iter().filter(|m| m.contains("migrated")).count(),
        1,
        "only our schema line, not rusqlite_migration's: {said:?}"
    );
    assert!(
        said.iter().any(|m| m == "Sepiion server listening"),
        "{said:?}"
    );
    assert!(jq_errors(&out).is_empty(), "{out}");

    // The next start: up to date, with the number of the newest migration file.
    let (_, out) = serve_json(
        &["--addr", "127.0.0.1:0", "--db", db_arg],
        std::time::Duration::from_secs(3),
    );
    let said = messages(&json_lines(&out));
    assert!(
        said.contains(&format!("schema {schema}, up to date")),
        "{said:?}"
    );

    // The port taken: one ERROR record naming the address.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let (ok, out) = serve_json(
        &["--addr", &addr, "--db", db_arg],
        std::time::Duration::from_secs(10),
    );
    assert!(!ok);
    json_lines(&out);
    let errors = jq_errors(&out);
    assert_eq!(errors.len(), 1, "{out}");
    let error = errors[0]["fields"]["error"].as_str().unwrap();
    assert!(error.contains(&addr), "{error}");

    // A database that cannot be opened: the ERROR record names the file.
    let missing = dir.path().join("no-such-dir").join("sepiion.db");
    let (ok, out) = serve_json(
        &["--addr", "127.0.0.1:0", "--db", missing.to_str().unwrap()],
        std::time::Duration::from_secs(10),
    );
    assert!(!ok);
    let errors = jq_errors(&out);
    assert_eq!(errors.len(), 1, "{out}");
    let error = errors[0]["fields"]["error"].as_str().unwrap();
    assert!(error.contains(missing.to_str().unwrap()), "{error}");

    // A failed migration (a table in the way): the record names the file and the schemas.
    let blocked = dir.path().join("blocked.db");
    rusqlite::Connection::open(&blocked)
        .unwrap()
        .execute_batch("CREATE TABLE users (x INTEGER);")
        .unwrap();
    let (ok, out) = serve_json(
        &["--addr", "127.0.0.1:0", "--db", blocked.to_str().unwrap()],
        std::time::Duration::from_secs(10),
    );
    assert!(!ok);
    let errors = jq_errors(&out);
    assert_eq!(errors.len(), 1, "{out}");
    let error = errors[0]["fields"]["error"].as_str().unwrap();
    assert!(error.contains(blocked.to_str().unwrap()), "{error}");
    assert!(
        error.contains(&format!("from schema 0 to {schema}")),
        "{error}"
    );
}

/// Runs `create-user` on `db` (a new admin called `username`), in JSON mode or not; returns
/// whether it succeeded and its stdout and stderr together.
fn create_user(db: &std::path::Path, username: &str, json: bool) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sepiion-server"));
    cmd.env_remove("RUST_LOG").env_remove("SEPIION_LOG_FORMAT");
    if json {
        cmd.env("SEPIION_LOG_FORMAT", "json");
    }
    let mut child = cmd
        .args(["create-user", "--username", username])
        .args(["--display-name", "Kabag", "--role", "admin", "--db"])
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"kata-sandi-yang-panjang-1\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn create_user_logs_only_our_schema_line_without_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    // A first install: create-user makes the database.
    let (ok, all) = create_user(&dir.path().join("sepiion.db"), "kabag", false);
    assert!(ok, "{all}");
    assert!(all.contains("migrated 0 → "), "the schema is logged: {all}");
    assert!(all.contains("Akun dibuat: kabag (admin)"), "{all}");
    // rusqlite_migration's own line ("Database migrated to version 8") is not ours.
    assert!(!all.contains("Database migrated"), "{all}");
    assert!(!all.contains('\u{1b}'), "no escape codes: {all:?}");

    // In JSON mode (the unit's SEPIION_LOG_FORMAT) every line is a record.
    let (ok, all) = create_user(&dir.path().join("json.db"), "kabag", true);
    assert!(ok, "{all}");
    let said = messages(&json_lines(&all));
    assert!(
        said.iter().any(|m| m.starts_with("migrated 0 → ")),
        "{said:?}"
    );
    assert!(said.iter().any(|m| m == "user created"), "{said:?}");
    assert!(!all.contains("Database migrated"), "{all}");
}

/// The shipped units as systemd reads them: `systemd-analyze verify` on a root holding them
/// (and stand-ins for the binaries they start) prints nothing — an unknown key or a key in the
/// wrong section (`StartLimitBurst` in `[Service]`) is a warning there.
#[test]
fn the_systemd_units_of_deploy_verify_clean() {
    let root = tempfile::tempdir().unwrap();
    let units = root.path().join("etc/systemd/system");
    std::fs::create_dir_all(&units).unwrap();
    // systemd's own units (sysinit.target, …) the shipped ones depend on.
    std::fs::create_dir_all(root.path().join("usr/lib/systemd")).unwrap();
    let (ok, out) = run(Command::new("cp")
        .args(["-a", "/usr/lib/systemd/system"])
        .arg(root.path().join("usr/lib/systemd/")));
    assert!(ok, "systemd's units (Debian package systemd): {out}");
    let bin_dir = root.path().join("usr/local/bin");
    std::fs::create_dir_all(&bin_dir).unwrap();
    for b in ["sepiion-server", "sepiion-backup", "litestream"] {
        use std::os::unix::fs::PermissionsExt;
        let p = bin_dir.join(b);
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut names = Vec::new();
    for e in std::fs::read_dir(repo_file("deploy/systemd")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), units.join(e.file_name())).unwrap();
        names.push(format!(
            "etc/systemd/system/{}",
            e.file_name().to_string_lossy()
        ));
    }
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    let verify = Command::new("systemd-analyze")
        .arg("verify")
        .arg(format!("--root={}", root.path().display()))
        .arg("--man=no")
        .args(&names)
        .current_dir(root.path())
        .output()
        .expect("systemd-analyze (Debian package systemd, installed by .ci/run)");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
    assert!(verify.status.success(), "{said}");
    assert!(said.trim().is_empty(), "systemd-analyze verify: {said}");

    // The backup runs at night in the regency's zone, whatever the machine's zone.
    let config =
        sepiion_server::config::Config::load(Some(&repo_file("deploy/sepiion.toml"))).unwrap();
    let timer = std::fs::read_to_string(repo_file("deploy/systemd/sepiion-backup.timer")).unwrap();
    let on_calendar = timer
        .lines()
        .find_map(|l| l.strip_prefix("OnCalendar="))
        .expect("OnCalendar=");
    assert!(
        on_calendar.ends_with(&format!(" {}", config.time_zone)),
        "{on_calendar}"
    );
    let calendar = Command::new("systemd-analyze")
        .args(["calendar", on_calendar])
        .output()
        .unwrap();
    assert!(calendar.status.success(), "{calendar:?}");
}

/// A child process killed when the test ends, passed or not.
struct Reaped(std::process::Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A tool installed in the test venv (`scripts/pyenv`): `litestream`, `moto_server`.
fn venv_tool(name: &str) -> PathBuf {
    let python = PathBuf::from(pytools::python());
    let tool = python.parent().unwrap().join(name);
    assert!(
        tool.exists(),
        "{} missing: run scripts/pyenv",
        tool.display()
    );
    tool
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The shipped replication (deploy/litestream/litestream.yml, Litestream from PyPI) against a
/// local S3-compatible server (moto): every write a live server acknowledged is in the copy
/// `deploy/sepiion-replica-restore` puts on a new path within a minute (the promised recovery
/// point), and that copy serves.
#[tokio::test(flavor = "multi_thread")]
async fn replication_restores_every_acknowledged_write_onto_a_new_machine() {
    let litestream = venv_tool("litestream");
    let moto = venv_tool("moto_server");
    let work = tempfile::tempdir().unwrap();
    let port = free_port();
    let _s3 = Reaped(
        Command::new(&moto)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let endpoint = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut made = false;
    for _ in 0..150 {
        if let Ok(r) = http.put(format!("{endpoint}/sepiion-test")).send().await {
            assert!(
                r.status().is_success(),
                "creating the bucket: {}",
                r.status()
            );
            made = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(made, "moto_server did not answer on {endpoint}");

    let mut s = start().await;
    let db = s.dir.path().join("sepiion.db");
    let settings = |cmd: &mut Command, db: &Path| {
        cmd.env_remove("AWS_CA_BUNDLE")
            .env("SEPIION_DB", db)
            .env("SEPIION_REPLICA_BUCKET", "sepiion-test")
            .env("SEPIION_REPLICA_PATH", "klungkung/sepiion")
            .env("SEPIION_REPLICA_ENDPOINT", &endpoint)
            .env("SEPIION_REPLICA_REGION", "us-east-1")
            .env("LITESTREAM_ACCESS_KEY_ID", "test")
            .env("LITESTREAM_SECRET_ACCESS_KEY", "test");
    };
    let config = repo_file("deploy/litestream/litestream.yml");
    let mut replicate = Command::new(&litestream);
    replicate
        .args(["replicate", "-config"])
        .arg(&config)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    settings(&mut replicate, &db);
    let _replicating = Reaped(replicate.spawn().unwrap());

    // Writes acknowledged while replication runs: public submissions (201 = on disk).
    let device = s.device().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let r = s
            .submit(&device, json!({"title": format!("Acara replikasi {i}")}))
            .await;
        ids.push(r["id"].as_str().unwrap().to_string());
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let acknowledged = std::time::Instant::now();

    // Restores onto a new path until every row is there; the server keeps running meanwhile.
    let mut attempt = 0;
    let restored = loop {
        attempt += 1;
        let target = work.path().join(format!("machine-{attempt}"));
        std::fs::create_dir(&target).unwrap();
        let new_db = target.join("sepiion.db");
        let mut restore = Command::new("sh");
        restore
            .arg(repo_file("deploy/sepiion-replica-restore"))
            .env("SEPIION_LITESTREAM_ENV", "")
            .env("SEPIION_LITESTREAM_CONFIG", &config)
            .env("LITESTREAM", &litestream)
            .env("SEPIION_BIN", env!("CARGO_BIN_EXE_sepiion-server"))
            .env("SEPIION_USER", "")
            .env("RUST_LOG", "warn");
        settings(&mut restore, &new_db);
        let (ok, out) = run(&mut restore);
        let found = ok.then(|| {
            let conn = rusqlite::Connection::open(&new_db).unwrap();
            ids.iter()
                .filter(|id| {
                    conn.query_row("SELECT COUNT(*) FROM requests WHERE id = ?1", [id], |r| {
                        r.get::<_, i64>(0)
                    })
                    .unwrap()
                        == 1
                })
                .count()
        });
        if found == Some(ids.len()) {
            break new_db;
        }
        assert!(
            acknowledged.elapsed() < std::time::Duration::from_secs(60),
            "after a minute the replica has {found:?} of {} rows: {out}",
            ids.len()
        );
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    };
    s.stop().await;

    // The restored copy serves: the submissions are there for staff.
    let mut again = serve_existing(&restored).await;
    let staff = again.login("protokol").await;
    for id in &ids {
        again
            .get(&format!("/api/v1/staff/requests/{id}"), Some(&staff))
            .await
            .ok();
    }
    again.stop().await;
}

/// A tmpfs of `size` mounted on `dir` (as root, else through `sudo -n`), unmounted at the end.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(dir).unwrap();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut cmd = if root {
            Command::new("mount")
        } else {
            let mut c = Command::new("sudo");
            c.args(["-n", "mount"]);
            c
        };
        let (ok, out) = run(cmd
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0777"),
                "tmpfs",
            ])
            .arg(dir));
        assert!(
            ok,
            "this test mounts a small tmpfs (root or password-less sudo): {out}"
        );
        SmallDisk(dir.to_path_buf())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let mut cmd = Command::new("umount");
        if !Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
        {
            cmd = Command::new("sudo");
            cmd.args(["-n", "umount"]);
        }
        let _ = cmd.arg("-l").arg(&self.0).status();
    }
}

/// Fills the filesystem holding `dir` with one file; returns its path.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk = vec![0x55u8; 16 * 1024];
    for _ in 0..100_000 {
        if f.write_all(&chunk).and_then(|()| f.sync_data()).is_err() {
            return path;
        }
    }
    panic!("{} never filled up", dir.display());
}

/// The database's disk fills up under a running server: writes answer 503 `storage_full`
/// (never a 500), reads go on, `/healthz` says why, every write acknowledged before is kept, and
/// once space is freed the server writes again by itself.
#[tokio::test]
async fn a_full_disk_refuses_writes_keeps_reads_and_recovers_when_space_returns() {
    let dir = tempfile::tempdir().unwrap();
    let disk_dir = dir.path().join("disk");
    let _disk = SmallDisk::mount(&disk_dir, "8m");
    let db = disk_dir.join("sepiion.db");
    let mut s = start_with(|c| c.db = db.clone()).await;
    let staff = s.login("protokol").await;
    let device = s.device().await;
    let mut acknowledged = Vec::new();
    for i in 0..3 {
        let r = s
            .submit(&device, json!({"title": format!("Sebelum penuh {i}")}))
            .await;
        acknowledged.push(r["id"].as_str().unwrap().to_string());
    }

    let filler = fill(&disk_dir);
    // The WAL may still reuse its own space for a while: write until a write is refused.
    let mut refused = None;
    for i in 0..3000 {
        let mut body = request_body(10);
        merge(&mut body, json!({"title": format!("Saat penuh {i}")}));
        let r = s.post("/api/v1/public/requests", Some(&device), body).await;
        match r.status.as_u16() {
            201 => acknowledged.push(r.body["id"].as_str().unwrap().to_string()),
            503 => {
                refused = Some(r);
                break;
            }
            other => panic!("a write on a full disk answered {other}: {}", r.body),
        }
    }
    let refused = refused.expect("a write is refused once the disk is full");
    assert_eq!(refused.body["error"], "storage_full", "{}", refused.body);
    assert!(refused.headers.contains_key("retry-after"));
    assert!(
        refused.body["message"]
            .as_str()
            .is_some_and(|m| m.contains("penuh")),
        "{}",
        refused.body
    );

    // Reads go on: the public agenda, every acknowledged request for staff.
    let day = chrono::Utc::now().date_naive();
    let week = day + chrono::Duration::days(14);
    s.get(&format!("/api/v1/public/agenda?from={day}&to={week}"), None)
        .await
        .ok();
    for id in &acknowledged {
        s.get(&format!("/api/v1/staff/requests/{id}"), Some(&staff))
            .await
            .ok();
    }
    // A staff write is refused the same way.
    let r = s
        .post(
            &format!("/api/v1/staff/requests/{}/notes", acknowledged[0]),
            Some(&staff),
            json!({"text": "Catatan saat disk penuh"}),
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body["error"], "storage_full", "{}", r.body);
    let health = s.get("/healthz", None).await.err(503);
    assert_eq!(health["error"], "storage_full", "{health}");
    assert!(
        health["message"]
            .as_str()
            .is_some_and(|m| m.contains(db.to_str().unwrap())),
        "{health}"
    );

    // Space returns: healthy again and writes succeed, with nothing restarted.
    std::fs::remove_file(&filler).unwrap();
    let health = s.get("/healthz", None).await.ok();
    assert_eq!(health["status"], "ok");
    let r = s
        .submit(&device, json!({"title": "Setelah ruang kembali"}))
        .await;
    acknowledged.push(r["id"].as_str().unwrap().to_string());
    s.stop().await;

    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    for id in &acknowledged {
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 1, "acknowledged request {id} is kept");
    }
}

/// glibc's malloc arenas of process `pid`: the heaps it maps for threads other than the main one
/// are 64 MiB regions aligned to 64 MiB (HEAP_MAX_SIZE on 64-bit), anonymous; anything else
/// (thread stacks, large blocks) starts there only by a 1-in-16384 chance.
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
fn malloc_heaps(pid: u32) -> usize {
    const HEAP: u64 = 64 << 20;
    std::fs::read_to_string(format!("/proc/{pid}/maps"))
        .unwrap()
        .lines()
        .filter(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let start = u64::from_str_radix(f[0].split('-').next().unwrap(), 16).unwrap();
            // No file behind it (inode 0, no path).
            f.len() == 5 && f[4] == "0" && start.is_multiple_of(HEAP)
        })
        .count()
}

/// The soak's memory growth was glibc keeping freed memory in one arena per thread (README,
/// "Soak"): the server caps them, so many threads serving at once share one heap beside the
/// main arena.
#[cfg(all(target_os = "linux", target_env = "gnu", target_pointer_width = "64"))]
#[test]
fn the_server_keeps_two_malloc_arenas_however_many_threads_serve() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Reaped(
        bin()
            .args(["serve", "--demo", "--addr", &addr, "--db"])
            .arg(dir.path().join("sepiion.db"))
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let get = |path: &str| -> Option<String> {
        let mut s = std::net::TcpStream::connect(&addr).ok()?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        Some(answer)
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !get("/healthz").is_some_and(|a| a.starts_with("HTTP/1.1 200")) {
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not start"
        );
        assert!(server.0.try_wait().unwrap().is_none(), "the server exited");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Sixteen clients at once, each reading what takes the database and the blocking pool's
    // threads (the agenda, the calendar feed).
    std::thread::scope(|scope| {
        for c in 0..16 {
            let get = &get;
            scope.spawn(move || {
                for i in 0..8 {
                    // Distinct ranges: answers not cached yet, each read from the database.
                    let from = chrono::Utc::now().date_naive()
                        + chrono::Duration::days(i64::from(c * 8 + i));
                    let to = from + chrono::Duration::days(6);
                    let path = match (c + i) % 3 {
                        0 | 1 => format!("/api/v1/public/agenda?from={from}&to={to}"),
                        _ => "/ics/public.ics".to_string(),
                    };
                    let answer = get(&path).expect("an answer");
                    assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer:.200}");
                }
            });
        }
    });
    let threads = std::fs::read_dir(format!("/proc/{}/task", server.0.id()))
        .unwrap()
        .count();
    let heaps = malloc_heaps(server.0.id());
    assert!(threads > 3, "the load used several threads: {threads}");
    assert!(
        heaps <= 1,
        "{heaps} malloc heaps beside the main arena for {threads} threads"
    );
}
