//! Sync benchmark (run through `bench/sync`): a server with 2 leaders × 1 year of agenda
//! (2,000 items) and 1,000 requests on loopback; a staff device's full first sync and a no-op
//! incremental sync, measured through a byte-counting proxy. The full sync runs `RUNS` times,
//! each on a new device, and the median is reported, with where its time goes. The last lines
//! are `key=value`.

#[path = "../testkit/fixtures.rs"]
mod fixtures;
#[path = "common/load.rs"]
mod load;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine, SyncReport};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Full syncs measured (each by a new device); the median counts.
const RUNS: usize = 5;

/// A loopback proxy that counts the bytes passing in both directions.
async fn counting_proxy(upstream: SocketAddr, bytes: Arc<AtomicU64>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let bytes = bytes.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(pump(cr, sw, bytes.clone()), pump(sr, cw, bytes.clone()));
            });
        }
    });
    addr
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    bytes: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        bytes.fetch_add(n as u64, Ordering::Relaxed);
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// CPU time of this whole process (server and device together), robust to other work on the
/// machine in a way wall time is not.
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec, which lives on this stack frame.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The server's own time answering sync pulls (reading, serialising, compressing), from its
/// request-duration histogram in `/metrics`, in seconds.
async fn server_pull_seconds(base: &str, admin_token: &str) -> f64 {
    let text = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .bearer_auth(admin_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .filter(|l| {
            l.starts_with("sepiion_http_request_duration_seconds_sum")
                && l.contains("route=\"/api/v1/sync/pull\"")
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

struct FullSync {
    wall: Duration,
    cpu: Duration,
    server: Duration,
    decode: Duration,
    report: SyncReport,
    wire_bytes: u64,
    json_bytes: u64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = load::loaded_server(dir.path()).await;
    let base = server.url();
    let admin = ServerClient::new(&base)
        .unwrap()
        .login("admin", "sepiion-demo")
        .await
        .expect("login")
        .token;

    // New staff devices, through the counting proxy.
    let wire = Arc::new(AtomicU64::new(0));
    let proxy = counting_proxy(server.addr, wire.clone()).await;
    let mut runs = Vec::new();
    let mut last_engine = None;
    for run in 0..RUNS {
        let store = Store::open(
            &dir.path().join(format!("staff-{run}.db")),
            Variant::Internal,
        )
        .unwrap();
        let engine = SyncEngine::new(
            store,
            ServerClient::new(&format!("http://{proxy}")).unwrap(),
        );
        engine.login("admin", "sepiion-demo").await.expect("login");
        let server_before = server_pull_seconds(&base, &admin).await;
        wire.store(0, Ordering::Relaxed);
        let stats_before = engine.client().stats();
        let (cpu_before, started) = (process_cpu(), Instant::now());
        let report = engine.sync_once().await.expect("full sync");
        let (wall, cpu) = (started.elapsed(), process_cpu() - cpu_before);
        let wire_bytes = wire.load(Ordering::Relaxed);
        let stats = engine.client().stats();
        let server_s = server_pull_seconds(&base, &admin).await - server_before;
        runs.push(FullSync {
            wall,
            cpu,
            server: Duration::from_secs_f64(server_s.max(0.0)),
            decode: stats.decode_time - stats_before.decode_time,
            wire_bytes,
            json_bytes: stats.response_bytes - stats_before.response_bytes,
            report,
        });
        eprintln!(
            "run {run}: {:.1} ms wall, {:.1} ms CPU",
            ms(runs[run].wall),
            ms(runs[run].cpu)
        );
        last_engine = Some(engine);
    }
    runs.sort_by_key(|r| r.wall);
    let median = &runs[RUNS / 2];
    let mut cpus: Vec<Duration> = runs.iter().map(|r| r.cpu).collect();
    cpus.sort();

    let engine = last_engine.unwrap();
    wire.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let noop = engine.sync_once().await.expect("no-op sync");
    let noop_ms = ms(started.elapsed());
    let noop_bytes = wire.load(Ordering::Relaxed);
    assert_eq!(noop.pulled, 0);

    let items = median.report.pulled;
    let rest = median
        .wall
        .saturating_sub(median.server + median.decode + median.report.apply_time);
    println!(
        "load: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("full_sync_ms={:.1}", ms(median.wall));
    println!("full_sync_min_ms={:.1}", ms(runs[0].wall));
    println!("full_sync_cpu_ms={:.1}", ms(cpus[RUNS / 2]));
    println!("full_sync_bytes={}", median.wire_bytes);
    println!(
        "full_sync_bytes_per_record={:.1}",
        median.wire_bytes as f64 / items as f64
    );
    println!("full_sync_json_bytes={}", median.json_bytes);
    println!("full_sync_round_trips={}", median.report.round_trips);
    println!("items={items}");
    println!(
        "items_per_s={:.0}",
        items as f64 / median.wall.as_secs_f64()
    );
    // Where the median run's time went. The parts overlap: the device writes one page while
    // the server prepares the next.
    println!("server_ms={:.1}", ms(median.server));
    println!("device_decode_ms={:.1}", ms(median.decode));
    println!("device_apply_ms={:.1}", ms(median.report.apply_time));
    println!("transfer_and_rest_ms={:.1}", ms(rest));
    println!("noop_sync_ms={noop_ms:.1}");
    println!("noop_sync_bytes={noop_bytes}");
    println!("noop_round_trips={}", noop.round_trips);
    server.stop().await;
}
