//! The command line: `demo`, `backup` and `create-user` make databases the server can open.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;
use serde_json::json;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sepiion-server"));
    c.env("RUST_LOG", "warn");
    c
}

#[tokio::test]
async fn demo_then_backup_make_databases_the_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let out = bin().args(["demo", "--db"]).arg(&db).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("sepiion-demo"),
        "prints the demo password: {text}"
    );
    for user in [
        "admin",
        "protokol",
        "ajudan.bupati",
        "sespri.bupati",
        "agenda",
        "bupati",
    ] {
        assert!(text.contains(user), "lists {user}");
    }
    // Refuses to overwrite without --force.
    let again = bin().args(["demo", "--db"]).arg(&db).output().unwrap();
    assert!(!again.status.success());

    let backup = dir.path().join("cadangan.db");
    let out = bin()
        .args(["backup", "--db"])
        .arg(&db)
        .arg("--to")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    for path in [&db, &backup] {
        let mut s = serve_existing(path).await;
        let info = s.get("/api/v1/public/info", None).await.ok();
        assert_eq!(info["regency"], "Kabupaten Klungkung");
        assert_eq!(info["zone_abbrev"], "WITA");
        let admin = s.login("admin").await;
        let inbox = s.get("/api/v1/staff/requests", Some(&admin)).await.ok();
        assert_eq!(inbox["entries"].as_array().unwrap().len(), 40);
        // Every state has demo requests.
        for (state, n) in inbox["counts"].as_object().unwrap() {
            assert!(n.as_i64().unwrap() > 0, "no demo request in state {state}");
        }
        let (from, to) = (&wita_at(0, 9)[..10], &wita_at(30, 9)[..10]);
        let agenda = s
            .get(
                &format!("/api/v1/staff/agenda?from={from}&to={to}"),
                Some(&admin),
            )
            .await
            .ok();
        assert!(agenda.as_array().unwrap().len() > 40, "a month of agenda");
        s.stop().await;
    }
}

#[tokio::test]
async fn create_user_reads_the_password_from_stdin_not_argv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("baru.db");
    let mut child = bin()
        .args(["create-user", "--db"])
        .arg(&db)
        .args([
            "--username",
            "kabag",
            "--display-name",
            "Kepala Bagian Prokompim",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"kata-sandi-panjang\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A weak password is refused with the reason.
    let mut weak = bin()
        .args(["create-user", "--db"])
        .arg(&db)
        .args([
            "--username",
            "lemah",
            "--display-name",
            "Lemah",
            "--role",
            "protocol",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    weak.stdin.take().unwrap().write_all(b"pendek\n").unwrap();
    let out = weak.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("10 characters"));

    let mut s = serve_existing(&db).await;
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "kabag", "password": "kata-sandi-panjang"}),
        )
        .await
        .ok();
    assert_eq!(r["user"]["role"], "admin");
    // The fresh database got the two default offices.
    let info = s.get("/api/v1/public/info", None).await.ok();
    assert_eq!(info["leaders"].as_array().unwrap().len(), 2);
    s.stop().await;
}

#[test]
fn serve_refuses_a_bad_config_file_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "time_zone = \"Bali/Klungkung\"\n").unwrap();
    let out = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(dir.path().join("x.db"))
        .arg("--config")
        .arg(&cfg)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone"));
}
