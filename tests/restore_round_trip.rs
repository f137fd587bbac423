//! Restoring an older backup under devices that synced since: the round trip of the README's
//! "Restore" section, with the app's real store and sync engine against the real server.

mod common;

use common::*;
use sepiion::platform::Variant;
use sepiion::sync::SyncEngine;
use sepiion_core::model::RequestState;
use sepiion_core::workflow::{Action, TransitionInput};
use sepiion_server::storage::backup;

/// Titles of the device's own requests as the server lists them (by the device's token).
async fn titles_on_server(url: &str, device: &SyncEngine) -> Vec<String> {
    let token = device
        .store()
        .identity()
        .unwrap()
        .token()
        .unwrap()
        .to_string();
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/v1/public/requests"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut titles: Vec<String> = listed
        .as_array()
        .expect("a list of requests")
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    titles
}

fn own_titles(device: &SyncEngine) -> Vec<String> {
    let mut titles: Vec<String> = device
        .store()
        .own_requests()
        .unwrap()
        .into_iter()
        .map(|e| e.request.title)
        .collect();
    titles.sort();
    titles
}

fn state_of(device: &SyncEngine, id: &str) -> RequestState {
    device
        .store()
        .inbox(None, None)
        .unwrap()
        .into_iter()
        .find(|e| e.request.id == id)
        .expect("the request is in the staff cache")
        .request
        .state
}

#[tokio::test]
async fn an_older_backup_restored_makes_every_device_resync_and_keeps_their_unsent_changes() {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("http://{addr}");
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.db");
    let mut server = start_in(server_dir, db.clone(), &addr).await;
    let dir = tempfile::tempdir().unwrap();

    // Before the backup: a phone sends a request; a staff device and a tablet sync.
    let phone = engine(dir.path(), "phone", Variant::Public, &url);
    phone
        .store()
        .submit_request(new_request("Sebelum cadangan", 10))
        .unwrap();
    assert_eq!(phone.sync_once().await.unwrap().push.applied, 1);
    let desk = staff(dir.path(), "desk", &url, "protokol").await;
    desk.sync_once().await.unwrap();
    // Small pages: the resync after the restore has to span many of them.
    let tablet = engine(dir.path(), "tablet", Variant::Internal, &url).with_page_size(40);
    tablet.login("agenda", PASSWORD).await.unwrap();
    tablet.sync_once().await.unwrap();

    let backup_file = dir.path().join("cadangan.db");
    backup::backup(&db, &backup_file).unwrap();

    // After the backup: the phone and the desk change things and sync (the tablet does not).
    phone
        .store()
        .submit_request(new_request("Sesudah cadangan", 11))
        .unwrap();
    assert_eq!(phone.sync_once().await.unwrap().push.applied, 1);
    let submitted = desk
        .store()
        .inbox(Some(RequestState::Submitted), None)
        .unwrap();
    assert!(submitted.len() >= 2, "demo data has submitted requests");
    let (reviewed, offline) = (
        submitted[0].request.id.clone(),
        submitted[1].request.id.clone(),
    );
    desk.store()
        .transition(&reviewed, TransitionInput::new(Action::StartReview))
        .unwrap();
    assert_eq!(desk.sync_once().await.unwrap().push.applied, 1);

    // Unsent changes on both devices.
    phone
        .store()
        .submit_request(new_request("Belum terkirim", 12))
        .unwrap();
    desk.store()
        .transition(&offline, TransitionInput::new(Action::StartReview))
        .unwrap();
    assert_eq!(phone.store().pending_count().unwrap(), 1);
    assert_eq!(desk.store().pending_count().unwrap(), 1);

    // A running server's database is not replaced.
    let refused = backup::restore(&backup_file, &db).unwrap_err();
    assert!(
        refused.to_string().contains("running server"),
        "{refused:#}"
    );

    server.stop().await;
    let restored = backup::restore(&backup_file, &db).unwrap();
    let replaced = restored.replaced.expect("the replaced file is kept");
    assert!(replaced.exists(), "{}", replaced.display());
    let server_dir = std::mem::replace(&mut server.dir, tempfile::tempdir().unwrap());
    let mut server = start_in(server_dir, db.clone(), &addr).await;

    // The phone synced after the backup: its cursor is stale, it starts over, and its unsent
    // request reaches the server. The request sent after the backup is gone with the history.
    let report = phone.sync_once().await.unwrap();
    assert!(report.full_resync, "{report:?}");
    assert_eq!(report.push.applied, 1, "{report:?}");
    assert_eq!(phone.store().pending_count().unwrap(), 0);
    let expected = vec!["Belum terkirim".to_string(), "Sebelum cadangan".to_string()];
    assert_eq!(titles_on_server(&url, &phone).await, expected);
    assert_eq!(own_titles(&phone), expected);

    // The desk: its offline transition applies; the review it made after the backup is undone.
    let report = desk.sync_once().await.unwrap();
    assert!(report.full_resync, "{report:?}");
    assert_eq!(report.push.applied, 1, "{report:?}");
    assert_eq!(state_of(&desk, &offline), RequestState::InReview);
    assert_eq!(state_of(&desk, &reviewed), RequestState::Submitted);

    // The tablet synced only before the backup: its cursor is below the restore's floor, so it
    // starts over too, across many pages, and ends with what a new device gets.
    let report = tablet.sync_once().await.unwrap();
    assert!(report.full_resync, "{report:?}");
    assert!(report.round_trips > 3, "{report:?}");
    let fresh = staff(dir.path(), "fresh", &url, "agenda").await;
    fresh.sync_once().await.unwrap();
    assert_eq!(
        tablet.store().server_records().unwrap(),
        fresh.store().server_records().unwrap()
    );
    // And the next sync is incremental again.
    let again = tablet.sync_once().await.unwrap();
    assert!(!again.full_resync, "{again:?}");
    server.stop().await;
}
