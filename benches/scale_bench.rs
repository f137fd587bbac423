//! Growth benchmark (run through `bench/scale`): the release server binary on loopback with the
//! demo data plus 1×, 10× and 50× a year's load (2,000 agenda items, up to ten years of them,
//! and 1,000 requests per ×), and per size: a staff device's full sync per record, a no-op
//! sync, the staff inbox, public reads and submissions. Figures are `key=value` lines, one
//! block per size, plus the server process's CPU time per operation, which other work on the
//! machine disturbs far less than wall time.
//!
//! The load is written through the server's own functions (`agenda::create`,
//! `requests::submit`) in large transactions while the server is stopped: the same rows a
//! year of use leaves, in seconds instead of an hour of HTTP. The notification events those
//! submissions queue are marked done, as in an office where they went out long ago (otherwise
//! the server would spend its first minutes expanding 50,000 of them during the measurements).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Days, Utc};
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};
#[path = "../testkit/fixtures.rs"]
mod fixtures;

use sepiion_core::api::{AgendaItemInput, NewRequest};
use sepiion_server::config::Config;
use sepiion_server::domain::context::Ctx;

const SCALES: [u64; 3] = [1, 10, 50];
const ITEMS_PER_X: u64 = 2_000;
/// Ten years of agenda at most (2,000 items a year for both leaders).
const MAX_ITEMS: u64 = 20_000;
const REQUESTS_PER_X: u64 = 1_000;
/// How long each throughput load runs.
const LOAD_SECONDS: u64 = 3;

fn item(i: u64) -> AgendaItemInput {
    let (leader, j) = (["bupati", "wakil_bupati"][(i % 2) as usize], (i / 2) as i64);
    // Both leaders, a few items a day, from tomorrow on.
    let start = Utc::now() + Days::days(1 + j * 365 / 1000) + Days::hours(3 * (j % 3));
    fixtures::agenda_item(i, leader, start)
}

fn request(i: u64) -> NewRequest {
    let start = Utc::now() + Days::days(2 + (i % 700) as i64) + Days::minutes((i % 480) as i64);
    fixtures::numbered_request(i, ["bupati", "wakil_bupati"][(i % 2) as usize], start)
}

/// Adds agenda items and requests (numbers `from..to` of each) through the server's functions.
fn load(db: &Path, items: std::ops::Range<u64>, requests: std::ops::Range<u64>) {
    let config = Config {
        db: db.to_path_buf(),
        ..Config::default()
    };
    let ctx = Ctx::from_config(&config).unwrap();
    let mut conn = sepiion_server::storage::open(db).unwrap();
    let admin = conn
        .query_row(
            "SELECT * FROM users WHERE username = 'admin'",
            [],
            sepiion_server::domain::caller::staff_from_row,
        )
        .unwrap();
    let tx = conn.transaction().unwrap();
    let (device, _) = sepiion_server::domain::caller::create_device(&tx).unwrap();
    tx.commit().unwrap();
    let items: Vec<u64> = items.collect();
    for chunk in items.chunks(2_000) {
        let tx = conn.transaction().unwrap();
        for &i in chunk {
            sepiion_server::domain::agenda::create(&tx, &ctx, &admin, &item(i))
                .unwrap_or_else(|e| panic!("item {i}: {e:?}"));
        }
        tx.commit().unwrap();
    }
    let requests: Vec<u64> = requests.collect();
    for chunk in requests.chunks(2_000) {
        let tx = conn.transaction().unwrap();
        for &i in chunk {
            sepiion_server::domain::requests::submit(
                &tx,
                &device,
                &request(i),
                sepiion_core::validation::Lang::Id,
            )
            .unwrap_or_else(|e| panic!("request {i}: {e:?}"));
        }
        tx.execute("UPDATE notify_events SET expanded = 1", [])
            .unwrap();
        tx.commit().unwrap();
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The release server binary serving `db` on a free loopback port.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    async fn start(bin: &Path, db: &Path) -> ServerProcess {
        let port = free_port();
        let mut child = Command::new(bin)
            .args(["serve", "--db"])
            .arg(db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .env("SEPIION_SUBMISSIONS_PER_HOUR", "100000000")
            .env("SEPIION_REGISTRATIONS_PER_HOUR", "100000000")
            .stdout(Stdio::null())
            .spawn()
            .expect("the server binary starts");
        let url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..300 {
            if http
                .get(format!("{url}/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return ServerProcess { child, url };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not answer /healthz in 30 s");
    }

    /// CPU time the server process used so far (user + system, from /proc).
    fn cpu(&self) -> Duration {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        // Fields after the command name (which is in parentheses): utime is the 14th field.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
            + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        Duration::from_micros(ticks * 1_000_000 / hz)
    }

    fn stop(mut self) {
        // SIGTERM: the server finishes open requests and exits.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn p95(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[(v.len() * 95 / 100).min(v.len() - 1)]
}

/// Runs `task` on `workers` concurrent loops for `LOAD_SECONDS`; returns how many succeeded.
async fn rate<F, Fut>(workers: usize, task: F) -> f64
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let task = Arc::new(task);
    let until = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let started = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let (done, task) = (done.clone(), task.clone());
            tokio::spawn(async move {
                while Instant::now() < until {
                    if task(w).await {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

async fn measure(bin: &Path, dir: &Path, db: &Path, scale: u64) {
    let db_bytes = file_size(db) + file_size(&sepiion_server::storage::wal_path(db));
    let server = ServerProcess::start(bin, db).await;
    let url = server.url.clone();
    let client = ServerClient::new(&url).unwrap();
    let admin = client.login("admin", "sepiion-demo").await.unwrap().token;
    let http = reqwest::Client::builder().gzip(true).build().unwrap();

    // Full sync of a new staff device.
    let store = Store::open(&dir.join(format!("staff-{scale}.db")), Variant::Internal).unwrap();
    let engine = SyncEngine::new(store, ServerClient::new(&url).unwrap());
    engine.login("admin", "sepiion-demo").await.unwrap();
    let (cpu0, started) = (server.cpu(), Instant::now());
    let full = engine.sync_once().await.expect("full sync");
    let (full_wall, full_cpu) = (started.elapsed(), server.cpu() - cpu0);

    // No-op syncs.
    let mut noop = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let r = engine.sync_once().await.expect("no-op sync");
        noop.push(started.elapsed());
        assert_eq!(r.pulled, 0);
    }

    // The staff inbox, first page, as admin.
    let mut inbox = Vec::new();
    let cpu0 = server.cpu();
    for _ in 0..40 {
        let started = Instant::now();
        let res = http
            .get(format!("{url}/api/v1/staff/requests"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "inbox: {}", res.status());
        res.bytes().await.unwrap();
        inbox.push(started.elapsed());
    }
    let inbox_cpu = (server.cpu() - cpu0) / 40;

    // Public reads: this week's agenda.
    let today = Utc::now().date_naive();
    let agenda = format!(
        "{url}/api/v1/public/agenda?from={today}&to={}",
        today + Days::days(6)
    );
    let cpu0 = server.cpu();
    let reads = {
        let (http, agenda) = (http.clone(), agenda.clone());
        rate(16, move |_| {
            let (http, agenda) = (http.clone(), agenda.clone());
            async move {
                match http.get(&agenda).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        })
        .await
    };
    let read_cpu = (server.cpu() - cpu0).as_secs_f64() / (reads * LOAD_SECONDS as f64);

    // Submissions, 8 devices at once.
    let mut tokens = Vec::new();
    for _ in 0..8 {
        tokens.push(client.register_device().await.unwrap().token);
    }
    let tokens = Arc::new(tokens);
    let counter = Arc::new(AtomicU64::new(10_000_000));
    let cpu0 = server.cpu();
    let submissions = {
        let (http, url) = (http.clone(), url.clone());
        rate(8, move |w| {
            let (http, url, tokens) = (http.clone(), url.clone(), tokens.clone());
            let i = counter.fetch_add(1, Ordering::Relaxed);
            async move {
                http.post(format!("{url}/api/v1/public/requests"))
                    .bearer_auth(&tokens[w])
                    .json(&request(i))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    };
    let submit_cpu = (server.cpu() - cpu0).as_secs_f64() / (submissions * LOAD_SECONDS as f64);
    server.stop();

    let records = full.pulled.max(1);
    println!("[{scale}x]");
    println!("scale={scale}");
    println!("records={}", full.pulled);
    println!("db_mib={:.1}", db_bytes as f64 / (1024.0 * 1024.0));
    println!("full_sync_ms={:.0}", ms(full_wall));
    println!(
        "full_sync_us_per_record={:.1}",
        full_wall.as_secs_f64() * 1e6 / records as f64
    );
    println!(
        "full_sync_server_cpu_us_per_record={:.1}",
        full_cpu.as_secs_f64() * 1e6 / records as f64
    );
    println!("noop_sync_ms={:.2}", ms(median(noop)));
    println!("inbox_p50_ms={:.2}", ms(median(inbox.clone())));
    println!("inbox_p95_ms={:.2}", ms(p95(inbox)));
    println!("inbox_server_cpu_ms={:.2}", ms(inbox_cpu));
    println!("public_reads_per_s={reads:.0}");
    println!("public_read_server_cpu_us={:.0}", read_cpu * 1e6);
    println!("submissions_per_s={submissions:.0}");
    println!("submission_server_cpu_us={:.0}", submit_cpu * 1e6);
}

#[tokio::main]
async fn main() {
    let bin = PathBuf::from(
        // `cargo bench` adds `--bench` to the arguments.
        std::env::args()
            .skip(1)
            .find(|a| !a.starts_with("--"))
            .expect("usage: scale_bench PATH-TO-sepiion-server"),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("scale.db");
    let status = Command::new(&bin)
        .args(["demo", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "demo data");
    let (mut items, mut requests) = (0, 0);
    println!(
        "machine: {} cores, load {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    for scale in SCALES {
        let (to_items, to_requests) =
            ((ITEMS_PER_X * scale).min(MAX_ITEMS), REQUESTS_PER_X * scale);
        let started = Instant::now();
        load(&db, items..to_items, requests..to_requests);
        eprintln!(
            "{scale}x: loaded {to_items} agenda items and {to_requests} requests in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        (items, requests) = (to_items, to_requests);
        measure(&bin, dir.path(), &db, scale).await;
    }
}
