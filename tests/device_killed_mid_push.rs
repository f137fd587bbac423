//! The device process is killed in the middle of a push — after the server committed the
//! mutations, before the answer arrived — and restarted: it resumes, and the server holds each
//! change exactly once.
//!
//! The test re-executes its own binary as the device (`child_device_process`, ignored in normal
//! runs and failing if started without the parent's environment); a proxy holds the push's
//! answer and tells the test, which then kills the child.

mod common;

use std::process::Command;
use std::time::Duration;

use common::proxy::{FaultProxy, Mode};
use common::*;
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};

const CHILD_DB: &str = "SEPIION_TEST_CHILD_DB";
const CHILD_URL: &str = "SEPIION_TEST_CHILD_URL";

/// The device half of the test below, which starts it (with `--ignored`) in a child process.
#[test]
#[ignore = "the device process of a_device_killed_mid_push_resumes_…, started by that test"]
fn child_device_process() {
    let db = std::env::var(CHILD_DB).expect("started by the parent test, which sets the database");
    let url = std::env::var(CHILD_URL).expect("started by the parent test, which sets the server");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = Store::open(db.as_ref(), Variant::Public).unwrap();
        let engine = SyncEngine::new(store, ServerClient::new(&url).unwrap());
        let _ = engine.sync_once().await;
    });
    // Reaching here means the parent did not kill us while the push was held.
    std::process::exit(3);
}

#[tokio::test]
async fn a_device_killed_mid_push_resumes_and_nothing_is_lost_or_doubled() {
    let server = start().await;
    let mut proxy = FaultProxy::start(server.server.as_ref().unwrap().addr, Mode::Hold).await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.db");

    // Registered, then three requests made offline.
    let mut ids = Vec::new();
    {
        let device = engine(dir.path(), "device", Variant::Public, &server.base);
        device.sync_once().await.unwrap();
        for i in 0..3 {
            let r = device
                .store()
                .submit_request(new_request(&format!("Melasti {i}"), 7 + i))
                .unwrap();
            ids.push(r.id);
        }
    }

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_device_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DB, &db)
        .env(CHILD_URL, proxy.url())
        .spawn()
        .expect("child starts");
    // The server has applied the push and is answering: kill the device now.
    tokio::time::timeout(Duration::from_secs(120), proxy.wait_held())
        .await
        .expect("the child pushes within two minutes");
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the child was killed, not finished: {status:?}"
    );

    // Restarted: the answer was lost, so the three changes are still pending on the device.
    let device = engine(dir.path(), "device", Variant::Public, &server.base);
    assert_eq!(device.store().pending_count().unwrap(), 3);
    let report = device.sync_once().await.unwrap();
    assert_eq!(
        report.push.already_applied, 3,
        "the server had committed: {report:?}"
    );
    assert_eq!(report.push.applied, 0);
    assert_eq!(device.store().pending_count().unwrap(), 0);

    let token = device
        .store()
        .identity()
        .unwrap()
        .token()
        .unwrap()
        .to_string();
    let listed: Vec<serde_json::Value> = reqwest::Client::new()
        .get(format!("{}/api/v1/public/requests", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut on_server: Vec<String> = listed
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    on_server.sort();
    ids.sort();
    assert_eq!(on_server, ids, "each request exactly once");
    let own = device.store().own_requests().unwrap();
    assert_eq!(own.len(), 3);
    assert!(
        own.iter()
            .all(|e| !e.pending && !e.request.tracking_code.is_empty())
    );
}
