//! The load both benchmarks sync: a server on loopback with the demo data plus 2 leaders ×
//! 1 year of agenda (2,000 items) and 1,000 requests from the public.

use chrono::{Duration, Utc};
use sepiion::sync::ServerClient;
use sepiion_core::sync::{MAX_PUSH, Mutation, MutationOp, MutationStatus};
use sepiion_server::RunningServer;
use sepiion_server::config::Config;

pub const ITEMS: usize = 2_000;
pub const REQUESTS: usize = 1_000;

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
        let res = client
            .push(token, chunk.to_vec(), sepiion_core::validation::Lang::Id)
            .await
            .expect("push");
        for r in &res.results {
            assert_eq!(r.status, MutationStatus::Applied, "{:?}", r.error);
        }
    }
}

/// Starts the server in `dir` and loads it.
pub async fn loaded_server(dir: &std::path::Path) -> RunningServer {
    let mut config = Config {
        addr: "127.0.0.1:0".into(),
        db: dir.join("server.db"),
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
                item: super::fixtures::agenda_item(i as u64, leader, start),
            }
        })
        .collect();
    push_all(&direct, &admin.token, items).await;
    let device = direct.register_device().await.unwrap();
    let requests = (0..REQUESTS)
        .map(|i| {
            let start = today + Duration::days(2 + (i as i64 * 360 / REQUESTS as i64));
            MutationOp::SubmitRequest {
                request: super::fixtures::numbered_request(i as u64, "bupati", start),
            }
        })
        .collect();
    push_all(&direct, &device.token, requests).await;

    server
}
