//! Sync benchmark (run through `bench/sync`): a server with 2 leaders × 1 year of agenda
//! (2,000 items) and 1,000 requests on loopback; a staff device's full first sync and a no-op
//! incremental sync, measured through a byte-counting proxy. The last lines are `key=value`.

#[path = "common/load.rs"]
mod load;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let server = load::loaded_server(dir.path()).await;

    // A new staff device, through the counting proxy.
    let wire = Arc::new(AtomicU64::new(0));
    let proxy = counting_proxy(server.addr, wire.clone()).await;
    let store = Store::open(&dir.path().join("staff.db"), Variant::Internal).unwrap();
    let engine = SyncEngine::new(
        store,
        ServerClient::new(&format!("http://{proxy}")).unwrap(),
    );
    engine.login("admin", "sepiion-demo").await.expect("login");

    wire.store(0, Ordering::Relaxed);
    let body_before = engine.client().stats().response_bytes;
    let started = Instant::now();
    let full = engine.sync_once().await.expect("full sync");
    let full_ms = started.elapsed().as_secs_f64() * 1000.0;
    let full_bytes = wire.load(Ordering::Relaxed);
    let full_json = engine.client().stats().response_bytes - body_before;

    wire.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let noop = engine.sync_once().await.expect("no-op sync");
    let noop_ms = started.elapsed().as_secs_f64() * 1000.0;
    let noop_bytes = wire.load(Ordering::Relaxed);
    assert_eq!(noop.pulled, 0);

    println!("full_sync_ms={full_ms:.0}");
    println!("full_sync_bytes={full_bytes}");
    println!("full_sync_json_bytes={full_json}");
    println!("full_sync_round_trips={}", full.round_trips);
    println!("items={}", full.pulled);
    println!("items_per_s={:.0}", full.pulled as f64 / (full_ms / 1000.0));
    println!("noop_sync_ms={noop_ms:.1}");
    println!("noop_sync_bytes={noop_bytes}");
    println!("noop_round_trips={}", noop.round_trips);
    server.stop().await;
}
