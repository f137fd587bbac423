//! Sync benchmark (run through `bench/sync`): a server with 2 leaders × 1 year of agenda
//! (2,000 items) and 1,000 requests on loopback; a staff device's full first sync and a no-op
//! incremental sync, measured through a byte-counting proxy. The last lines are `key=value`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::{Duration, Utc};
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion_core::api::{AgendaItemInput, NewRequest};
use sepiion_core::model::{AgendaStatus, Attendance, RequestKind, StaffAssignment, Visibility};
use sepiion_core::sync::{MAX_PUSH, Mutation, MutationOp, MutationStatus};
use sepiion_server::RunningServer;
use sepiion_server::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ITEMS: usize = 2_000;
const REQUESTS: usize = 1_000;

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

async fn push_all(client: &ServerClient, token: &str, ops: Vec<MutationOp>) {
    let mutations: Vec<Mutation> = ops
        .into_iter()
        .map(|op| Mutation {
            id: uuid::Uuid::new_v4().to_string(),
            base_version: None,
            op,
        })
        .collect();
    for chunk in mutations.chunks(MAX_PUSH) {
        let res = client.push(token, chunk.to_vec()).await.expect("push");
        for r in &res.results {
            assert_eq!(r.status, MutationStatus::Applied, "{:?}", r.error);
        }
    }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.path().join("server.db"),
        demo: true,
        ..Config::default()
    };
    config.limits.submissions_per_hour = 1_000_000;
    let server = RunningServer::start(config).await.expect("server starts");
    let direct = ServerClient::new(&server.url()).unwrap();

    // Load: a year of agenda for both leaders, and a thousand requests from the public.
    eprintln!("loading {ITEMS} agenda items and {REQUESTS} requests…");
    let admin = direct.login("admin", "sepiion-demo").await.expect("login");
    let today = Utc::now() + Duration::days(1);
    let items = (0..ITEMS)
        .map(|i| {
            let (leader, j) = (["bupati", "wakil_bupati"][i % 2], (i / 2) as i64);
            let start =
                today + Duration::days(j * 365 / (ITEMS as i64 / 2)) + Duration::hours(3 * (j % 3));
            MutationOp::CreateAgendaItem {
                item: AgendaItemInput {
                    id: Some(uuid::Uuid::new_v4().to_string()),
                    base_version: None,
                    leader_id: leader.into(),
                    title: format!("Kegiatan pimpinan nomor {i}"),
                    starts_at: start,
                    ends_at: start + Duration::minutes(90),
                    location: "Gedung Mahudara Mandala Giri, Semarapura".into(),
                    category: "Rapat".into(),
                    visibility: [Visibility::Public, Visibility::Internal][i % 2],
                    status: AgendaStatus::Confirmed,
                    attendance: Attendance::InPerson,
                    representative: None,
                    dress_code: "Pakaian dinas harian".into(),
                    assigned_staff: vec![StaffAssignment {
                        name: "Komang Ajudan".into(),
                        duty: "Ajudan".into(),
                    }],
                    running_order: "1. Pembukaan\n2. Sambutan\n3. Acara inti\n4. Penutup".into(),
                    internal_notes: String::new(),
                },
            }
        })
        .collect();
    push_all(&direct, &admin.token, items).await;
    let device = direct.register_device().await.unwrap();
    let requests = (0..REQUESTS)
        .map(|i| {
            let start = today + Duration::days(2 + (i as i64 * 360 / REQUESTS as i64));
            MutationOp::SubmitRequest {
                request: NewRequest {
                    id: Some(uuid::Uuid::new_v4().to_string()),
                    kind: RequestKind::Undangan,
                    leader_id: Some("bupati".into()),
                    title: format!("Permohonan kehadiran nomor {i}"),
                    description: "Dengan hormat, kami memohon kehadiran Bapak Bupati untuk \
                                  memberikan sambutan pada acara kami."
                        .into(),
                    starts_at: start,
                    ends_at: start + Duration::hours(2),
                    location: "Balai Banjar Kamasan".into(),
                    organizer: "Sekaa Teruna Kamasan".into(),
                    requester_name: "Ni Made Sari".into(),
                    requester_phone: "081234567890".into(),
                    requester_email: None,
                    expected_attendees: 150,
                    leader_role: "memberi sambutan".into(),
                    dress_code: "Pakaian adat madya".into(),
                    letter_number: None,
                    notify_channels: None,
                },
            }
        })
        .collect();
    push_all(&direct, &device.token, requests).await;

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
