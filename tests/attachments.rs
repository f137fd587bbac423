//! Attachments chosen offline travel with the request: kept on the device, uploaded once the
//! server has the request, never twice, and a refusal is kept with its reason.

mod common;

use common::*;
use sepiion::platform::Variant;

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

#[tokio::test]
async fn a_letter_attached_offline_reaches_the_server_once() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    // Offline: nothing listens on this port yet.
    let port = free_port();
    let offline = format!("http://127.0.0.1:{port}");
    let device = engine(dir.path(), "public", Variant::Public, &offline);
    let store = device.store().clone();

    // Chosen in the form, kept with the draft; a wrong file is refused at once.
    let refused = store.add_draft_attachment("virus.exe", b"MZ\x90\x00");
    assert!(matches!(
        refused,
        Err(sepiion::store::StoreError::Invalid(_))
    ));
    let kept = store.add_draft_attachment("undangan.pdf", PDF).unwrap();
    assert_eq!(store.local_attachments(None).unwrap().len(), 1);
    let r = store
        .submit_request(new_request("Karya agung", 12))
        .unwrap();
    // Submitting moved the draft's file to the request.
    assert!(store.local_attachments(None).unwrap().is_empty());
    assert_eq!(store.local_attachments(Some(&r.id)).unwrap()[0].id, kept.id);
    assert!(device.sync_once().await.is_err(), "offline");
    assert!(
        store.uploads_ready().unwrap().is_empty(),
        "waits for its request"
    );

    // Online: one sync sends the request, then the file.
    let online = engine(dir.path(), "public", Variant::Public, &server.base);
    online.sync_once().await.expect("sync");
    assert!(
        online
            .store()
            .local_attachments(Some(&r.id))
            .unwrap()
            .is_empty()
    );
    let shown = online
        .store()
        .own_requests()
        .unwrap()
        .into_iter()
        .find(|e| e.request.id == r.id)
        .expect("own request");
    assert_eq!(shown.request.attachments.len(), 1);
    assert_eq!(shown.request.attachments[0].id, kept.id);
    assert_eq!(shown.request.attachments[0].content_type, "application/pdf");

    // A retried upload (its answer lost) does not make a second copy on the server.
    let token = match online.store().identity().unwrap() {
        sepiion::store::Identity::Device { token, .. } => token,
        other => panic!("device identity, got {other:?}"),
    };
    let again = sepiion::store::attachments::Upload {
        id: kept.id.clone(),
        request_id: r.id.clone(),
        filename: "undangan.pdf".into(),
        data: PDF.to_vec(),
    };
    online
        .client()
        .upload_attachment(&token, &again)
        .await
        .expect("retry answered");
    online.sync_once().await.unwrap();
    let after = online
        .store()
        .own_requests()
        .unwrap()
        .into_iter()
        .find(|e| e.request.id == r.id)
        .unwrap();
    assert_eq!(after.request.attachments.len(), 1);
    server.stop().await;
}

/// Issue 23: staff open the letter a review is about. The bytes come from the server the first
/// time (staff API for staff, the public API for the device's own request), are kept in the
/// store, open offline afterwards, and leave the device with the staff member's sign-out.
#[tokio::test]
async fn an_opened_letter_is_the_same_bytes_and_opens_offline_afterwards() {
    let mut server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let citizen = engine(dir.path(), "public", Variant::Public, &server.base);
    let store = citizen.store().clone();
    store
        .add_draft_attachment("surat-undangan.pdf", PDF)
        .unwrap();
    let r = store
        .submit_request(new_request("Odalan Pura Dalem", 15))
        .unwrap();
    citizen.sync_once().await.expect("request sent");
    citizen
        .sync_once()
        .await
        .expect("letter uploaded and pulled");
    let meta = store
        .own_requests()
        .unwrap()
        .into_iter()
        .find(|e| e.request.id == r.id)
        .expect("own request")
        .request
        .attachments
        .first()
        .cloned()
        .expect("the letter on the server");
    assert_eq!(meta.size, PDF.len() as i64, "the size the server stored");

    // The citizen opens their own letter through the public API.
    assert!(store.cached_attachment(&meta.id).unwrap().is_none());
    let own = citizen
        .fetch_attachment(&r.id, &meta)
        .await
        .expect("own letter");
    assert_eq!(own, PDF);

    // Staff open it through the staff API; the bytes stay on the device.
    let protokol = staff(dir.path(), "staff", &server.base, "protokol").await;
    protokol.sync_once().await.expect("staff sync");
    assert!(
        protokol
            .store()
            .cached_attachment(&meta.id)
            .unwrap()
            .is_none()
    );
    let bytes = protokol
        .fetch_attachment(&r.id, &meta)
        .await
        .expect("letter");
    assert_eq!(bytes, PDF);
    let cached = protokol
        .store()
        .cached_attachment(&meta.id)
        .unwrap()
        .expect("kept");
    assert_eq!(cached.data, PDF);
    assert_eq!(cached.filename, "surat-undangan.pdf");
    assert_eq!(cached.content_type, "application/pdf");

    // Another device's letter is not the citizen's to fetch: the public API refuses it.
    let other = engine(dir.path(), "other", Variant::Public, &server.base);
    other.sync_once().await.expect("registers");
    assert!(other.fetch_attachment(&r.id, &meta).await.is_err());
    assert!(other.store().cached_attachment(&meta.id).unwrap().is_none());

    // Offline, the kept copy is still there; signing out takes it away.
    server.stop().await;
    assert!(
        protokol.fetch_attachment(&r.id, &meta).await.is_err(),
        "offline"
    );
    assert_eq!(
        protokol
            .store()
            .cached_attachment(&meta.id)
            .unwrap()
            .map(|c| c.data),
        Some(PDF.to_vec())
    );
    protokol.store().sign_out().unwrap();
    assert!(
        protokol
            .store()
            .cached_attachment(&meta.id)
            .unwrap()
            .is_none()
    );
}
