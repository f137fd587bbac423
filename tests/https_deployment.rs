//! The deployment of README "Running it for a regency", as far as one machine allows: the
//! server binary started the way `deploy/systemd/sepiion.service` starts it (`serve --config`),
//! the first admin made with `create-user`, Debian's nginx in front with the committed
//! `deploy/nginx/sepiion.conf` and a certificate from a test CA, and the apps' real
//! `ServerClient` syncing through it over HTTPS (the CA trusted through the development-only
//! `SEPIION_DEV_EXTRA_CA`).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::nginx::Nginx;
use common::*;
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};

/// The server binary, as `cargo test --workspace` (scripts/test) builds it for the server's own
/// tests. Running this test alone, build it first (`cargo build -p sepiion-server`); it is built
/// here only when missing, since building it from inside a test with other features than the
/// workspace's would make the two builds replace each other's copy.
fn server_binary() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let bin = deps
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join(format!("sepiion-server{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "sepiion-server",
                "--bin",
                "sepiion-server",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building sepiion-server");
    }
    assert!(bin.exists(), "{}", bin.display());
    bin
}

struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A plain HTTP GET on loopback (std only, no runtime needed): true on a 200.
fn http_ok(url: &str) -> bool {
    use std::io::Read;
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let Ok(mut s) = std::net::TcpStream::connect(host) else {
        return false;
    };
    let _ = write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    );
    let mut answer = String::new();
    let _ = s.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

fn wait_for_health(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_ok(&format!("{url}/healthz")) {
        assert!(
            Instant::now() < deadline,
            "the server did not answer /healthz"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

const PDF_HEAD: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apps_sync_over_https_through_nginx_with_the_deployment_files() {
    let bin = server_binary();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sepiion.db");
    let port = free_port();
    let config = dir.path().join("sepiion.toml");
    // The example configuration of deploy/, with this test's address and database.
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/sepiion.toml"))
            .unwrap();
    let rendered = example
        .replace(
            "addr = \"127.0.0.1:8080\"",
            &format!("addr = \"127.0.0.1:{port}\""),
        )
        .replace(
            "db = \"/var/lib/sepiion/sepiion.db\"",
            &format!("db = {:?}", db.display().to_string()),
        );
    assert_ne!(rendered, example);
    std::fs::write(&config, rendered).unwrap();

    // The first admin, without demo data.
    let mut create = Command::new(&bin)
        .args(["create-user", "--db"])
        .arg(&db)
        .args(["--username", "kabag", "--display-name", "Kepala Bagian"])
        .args(["--role", "admin", "--config"])
        .arg(&config)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    create
        .stdin
        .take()
        .unwrap()
        .write_all(b"kata-sandi-kabag\n")
        .unwrap();
    assert!(create.wait().unwrap().success());

    // As the systemd unit starts it.
    let server = ServerProcess(
        Command::new(&bin)
            .args(["serve", "--config"])
            .arg(&config)
            .env("SEPIION_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let direct = format!("http://127.0.0.1:{port}");
    wait_for_health(&direct);
    let nginx = Nginx::start(([127, 0, 0, 1], port).into());

    // Plain HTTP is redirected to HTTPS.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirects
        .get(format!("{}/api/v1/public/info", nginx.http_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 301);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("https://"),
        "{:?}",
        r.headers()
    );

    // Without the test CA the public roots do not trust this certificate.
    let strict = reqwest::Client::builder().build().unwrap();
    let refused = strict
        .get(format!("{}/healthz", nginx.https_url))
        .send()
        .await;
    assert!(refused.is_err(), "an unknown CA is refused");

    // SAFETY: set before any client is built; this test binary runs one test.
    unsafe { std::env::set_var("SEPIION_DEV_EXTRA_CA", &nginx.ca_pem) };

    // Staff: the admin made above signs in and creates an agenda item, through nginx.
    let apps = tempfile::tempdir().unwrap();
    let client = ServerClient::new(&nginx.https_url).expect("an https address is allowed");
    let info = client.info().await.expect("info over https");
    assert_eq!(info.regency, "Kabupaten Klungkung");
    let staff = SyncEngine::new(
        Store::open(&apps.path().join("staf.db"), Variant::Internal).unwrap(),
        client,
    );
    staff.login("kabag", "kata-sandi-kabag").await.unwrap();
    staff.sync_once().await.unwrap();
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let item = staff
        .store()
        .create_agenda_item(sepiion_core::api::AgendaItemInput {
            id: None,
            base_version: None,
            leader_id: "bupati".into(),
            title: "Rapat koordinasi HUT Kabupaten".into(),
            starts_at: start,
            ends_at: start + chrono::Duration::hours(2),
            location: "Kantor Bupati".into(),
            category: "Rapat".into(),
            visibility: sepiion_core::model::Visibility::Public,
            status: sepiion_core::model::AgendaStatus::Confirmed,
            attendance: sepiion_core::model::Attendance::InPerson,
            representative: None,
            dress_code: "PDH".into(),
            assigned_staff: vec![],
            running_order: String::new(),
            internal_notes: String::new(),
        })
        .unwrap();
    assert_eq!(staff.sync_once().await.unwrap().push.applied, 1);

    // A citizen's phone: registers, sends a request with a 4 MiB letter (above the JSON limit,
    // below the attachment route's), sees the public agenda item.
    let phone = SyncEngine::new(
        Store::open(&apps.path().join("hp.db"), Variant::Public).unwrap(),
        ServerClient::new(&nginx.https_url).unwrap(),
    );
    let mut letter = PDF_HEAD.to_vec();
    letter.resize(4 * 1024 * 1024, b' ');
    letter.extend_from_slice(b"\n%%EOF\n");
    phone
        .store()
        .add_draft_attachment("undangan.pdf", &letter)
        .unwrap();
    let request = phone
        .store()
        .submit_request(new_request("Upacara HUT Desa", 14))
        .unwrap();
    let report = phone.sync_once().await.unwrap();
    assert_eq!(report.push.applied, 1, "{report:?}");
    let mine = phone.store().own_requests().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        mine[0].request.attachments.len(),
        1,
        "the letter went through nginx"
    );
    assert_eq!(mine[0].request.attachments[0].size, letter.len() as i64);
    let public_items = phone
        .store()
        .records_of(sepiion_core::sync::EntityKind::AgendaItem)
        .unwrap();
    assert!(
        public_items
            .iter()
            .any(|r| matches!(r, sepiion_core::sync::Record::AgendaItem(a) if a.id == item.id)),
        "the public item reached the phone"
    );

    // The staff device receives the request, through nginx too.
    staff.sync_once().await.unwrap();
    assert!(
        staff
            .store()
            .inbox(None, None)
            .unwrap()
            .iter()
            .any(|e| e.request.id == request.id)
    );

    // nginx refuses a JSON body above the server's limit before it reaches the server.
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(300 * 1024));
    let trusted = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(&nginx.ca_pem).unwrap()).unwrap(),
        )
        .build()
        .unwrap();
    let r = trusted
        .post(format!("{}/api/v1/public/devices", nginx.https_url))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let log = nginx.access_log();
    assert!(log.contains("POST /api/v1/sync/push"), "{log}");
    assert!(log.contains("/attachments HTTP/"), "{log}");
    drop(nginx);

    // systemd stops the service with SIGTERM: the server finishes and exits cleanly.
    let mut server = server;
    let term = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}
