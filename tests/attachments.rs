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
