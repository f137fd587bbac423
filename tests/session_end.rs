//! A staff device whose session ends keeps every unsent change until its owner signs in again;
//! a deactivated account's data leaves the device; signing out ends the session on the server.

mod common;

use common::*;
use sepiion::store::{Identity, SESSION_NOTICE};
use sepiion::sync::SyncError;
use sepiion_core::api::NoteInput;
use sepiion_core::sync::EntityKind;

fn a_request_id(e: &sepiion::sync::SyncEngine) -> String {
    e.store()
        .records_of(EntityKind::Request)
        .unwrap()
        .into_iter()
        .find_map(|r| match r {
            sepiion_core::sync::Record::Request(r) => Some(r.id),
            _ => None,
        })
        .expect("the demo has requests")
}

fn note(text: &str) -> NoteInput {
    NoteInput {
        id: None,
        instruction: "Koordinasikan".into(),
        text: text.into(),
    }
}

fn sql(server: &TestServer, statement: &str) {
    rusqlite::Connection::open(&server.db)
        .unwrap()
        .execute(statement, [])
        .unwrap();
}

#[tokio::test]
async fn an_expired_session_keeps_unsent_changes_until_the_same_person_signs_in_again() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let e = staff(dir.path(), "protokol", &server.base, "protokol").await;
    e.sync_once().await.unwrap();
    let request = a_request_id(&e);
    // Made in the field, then the session runs out on the server.
    e.store()
        .add_note(&request, note("Cek lokasi parkir"))
        .unwrap();
    sql(&server, "UPDATE sessions SET expires_at = 0");
    let err = e.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Unauthorized), "{err:?}");
    assert!(matches!(e.store().identity().unwrap(), Identity::None));
    assert_eq!(
        e.store().pref(SESSION_NOTICE).unwrap().as_deref(),
        Some("expired")
    );
    assert_eq!(
        e.store().pending_count().unwrap(),
        1,
        "nothing made offline is lost"
    );
    assert!(
        !e.store()
            .records_of(EntityKind::Request)
            .unwrap()
            .is_empty()
    );
    // Signing in again sends it.
    e.login("protokol", PASSWORD).await.unwrap();
    assert_eq!(e.store().pref(SESSION_NOTICE).unwrap(), None);
    e.sync_once().await.unwrap();
    assert_eq!(e.store().pending_count().unwrap(), 0);
    let notes: i64 = rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM notes WHERE text = 'Cek lokasi parkir'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(notes, 1);
    server.stop().await;
}

#[tokio::test]
async fn another_person_signing_in_does_not_send_the_previous_accounts_changes() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let e = staff(dir.path(), "shared", &server.base, "protokol").await;
    e.sync_once().await.unwrap();
    let request = a_request_id(&e);
    e.store()
        .add_note(&request, note("Catatan protokol"))
        .unwrap();
    sql(&server, "UPDATE sessions SET expires_at = 0");
    assert!(e.sync_once().await.is_err());
    e.login("agenda", PASSWORD).await.unwrap();
    assert_eq!(e.store().pending_count().unwrap(), 0);
    e.sync_once().await.unwrap();
    let notes: i64 = rusqlite::Connection::open(&server.db)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM notes WHERE text = 'Catatan protokol'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(notes, 0, "not sent under the agenda account's name");
    server.stop().await;
}

#[tokio::test]
async fn a_deactivated_account_is_wiped_from_the_device() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let e = staff(dir.path(), "sespri", &server.base, "sespri.bupati").await;
    e.sync_once().await.unwrap();
    assert!(
        !e.store()
            .records_of(EntityKind::AgendaItem)
            .unwrap()
            .is_empty()
    );
    sql(
        &server,
        "UPDATE users SET active = 0 WHERE username = 'sespri.bupati'",
    );
    let err = e.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::AccountDeactivated), "{err:?}");
    assert!(
        e.store()
            .records_of(EntityKind::AgendaItem)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(e.store().identity().unwrap(), Identity::None));
    assert_eq!(
        e.store().pref(SESSION_NOTICE).unwrap().as_deref(),
        Some("deactivated")
    );
    server.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server_first() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let e = staff(dir.path(), "agenda", &server.base, "agenda").await;
    let Identity::Staff { token, .. } = e.store().identity().unwrap() else {
        panic!("signed in")
    };
    e.sign_out().await.unwrap();
    let res = reqwest::Client::new()
        .get(format!("{}/api/v1/auth/me", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "the old token no longer works");
    assert!(matches!(e.store().identity().unwrap(), Identity::None));
    server.stop().await;
}
