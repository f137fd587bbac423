//! The app's store and sync engine against the real server on loopback: offline work, two
//! devices converging, conflicts kept and resolved, a stale cursor.

mod common;

use chrono::Duration;
use common::*;
use sepiion::platform::Variant;
use sepiion::store::OutboxStatus;
use sepiion::sync::SyncError;
use sepiion_core::api::{AgendaItemInput, NoteInput};
use sepiion_core::model::{AgendaItem, AgendaStatus, Attendance, RequestState, Visibility};
use sepiion_core::sync::{EntityKind, MutationOp, Record};
use sepiion_core::workflow::{Action, TransitionInput};

fn agenda_items(e: &sepiion::sync::SyncEngine) -> Vec<AgendaItem> {
    e.store()
        .records_of(EntityKind::AgendaItem)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::AgendaItem(a) => Some(*a),
            _ => None,
        })
        .collect()
}

/// An item both test accounts may edit: not confidential, not made from a request, ahead.
fn editable_items(e: &sepiion::sync::SyncEngine) -> Vec<AgendaItem> {
    agenda_items(e)
        .into_iter()
        .filter(|a| {
            a.visibility != Visibility::Confidential
                && a.status != AgendaStatus::Cancelled
                && a.internal
                    .as_ref()
                    .is_some_and(|i| i.source_request_id.is_none())
                && a.starts_at > chrono::Utc::now()
        })
        .collect()
}

#[tokio::test]
async fn public_device_submits_three_offline_and_one_sync_delivers_exactly_three() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let device = engine(dir.path(), "public", Variant::Public, &url);

    let mut ids = Vec::new();
    for i in 0..3 {
        let r = device
            .store()
            .submit_request(new_request(&format!("Odalan pura ke-{i}"), 10 + i))
            .unwrap();
        ids.push(r.id);
    }
    let own = device.store().own_requests().unwrap();
    assert_eq!(own.len(), 3);
    assert!(
        own.iter()
            .all(|e| e.pending && e.request.state == RequestState::Submitted)
    );
    assert_eq!(device.store().pending_count().unwrap(), 3);

    // The server is down: the sync fails as a network problem and nothing is lost.
    let err = device.sync_once().await.unwrap_err();
    assert!(matches!(err, SyncError::Network(_)), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(device.store().pending_count().unwrap(), 3);

    // The server comes up; one sync later it holds exactly the three.
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.db");
    let mut server = start_in(server_dir, db, &format!("127.0.0.1:{port}")).await;
    let report = device.sync_once().await.unwrap();
    assert_eq!(report.push.applied, 3);
    assert_eq!(device.store().pending_count().unwrap(), 0);

    let token = device
        .store()
        .identity()
        .unwrap()
        .token()
        .unwrap()
        .to_string();
    let listed: serde_json::Value = reqwest::Client::new()
        .get(format!("{url}/api/v1/public/requests"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut on_server: Vec<String> = listed
        .as_array()
        .expect("a list of requests")
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    on_server.sort();
    ids.sort();
    assert_eq!(on_server, ids);

    // The device sees the server's state: tracking codes, nothing pending.
    let own = device.store().own_requests().unwrap();
    assert_eq!(own.len(), 3);
    for e in &own {
        assert!(!e.pending);
        assert!(!e.request.tracking_code.is_empty());
        assert_eq!(e.request.state, RequestState::Submitted);
    }
    // Syncing again sends nothing and changes nothing.
    let again = device.sync_once().await.unwrap();
    assert_eq!(again.push, Default::default());
    assert_eq!(device.store().own_requests().unwrap().len(), 3);
    server.stop().await;
}

#[tokio::test]
async fn a_staff_day_offline_syncs_and_a_second_device_converges() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = staff(dir.path(), "a", &server.base, "protokol").await;
    let b = staff(dir.path(), "b", &server.base, "agenda").await;
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let before = b.store().server_records().unwrap();
    assert_eq!(a.store().server_records().unwrap(), before);

    // A day in the field, offline.
    let s = a.store();
    let submitted = s.inbox(Some(RequestState::Submitted), None).unwrap();
    assert!(submitted.len() >= 3, "demo data has submitted requests");
    let (r1, r2, r3) = (
        &submitted[0].request,
        &submitted[1].request,
        &submitted[2].request,
    );
    s.transition(&r1.id, TransitionInput::new(Action::StartReview))
        .unwrap();
    let mut forward = TransitionInput::new(Action::ForwardToLeader);
    forward.leader_id = Some("bupati".into());
    let shown = s.transition(&r1.id, forward).unwrap();
    assert_eq!(shown.state, RequestState::AwaitingLeader);
    s.transition(
        &r2.id,
        TransitionInput::new(Action::RequestInfo).with_reason("Mohon lampirkan surat undangan."),
    )
    .unwrap();
    s.transition(&r3.id, TransitionInput::new(Action::StartReview))
        .unwrap();
    for (r, text) in [
        (r1, "Koordinasi dengan panitia"),
        (r3, "Cek lokasi"),
        (r3, "Siapkan sambutan"),
    ] {
        s.add_note(
            &r.id,
            NoteInput {
                id: None,
                instruction: "Hadiri & koordinasikan".into(),
                text: text.into(),
            },
        )
        .unwrap();
    }
    let start = chrono::Utc::now() + Duration::days(20);
    let created = s
        .create_agenda_item(AgendaItemInput {
            id: None,
            base_version: None,
            leader_id: "wakil_bupati".into(),
            title: "Peninjauan banjir di Tangkas".into(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
            location: "Desa Tangkas".into(),
            category: "Kunjungan kerja".into(),
            visibility: Visibility::Internal,
            status: AgendaStatus::Tentative,
            attendance: Attendance::InPerson,
            representative: None,
            dress_code: "Pakaian dinas lapangan".into(),
            assigned_staff: vec![],
            running_order: String::new(),
            internal_notes: String::new(),
        })
        .unwrap();
    let mut edit = AgendaItemInput::from_item(&created);
    edit.status = AgendaStatus::Confirmed;
    s.update_agenda_item(&created.id, edit).unwrap();
    let items = editable_items(&a);
    let mut moved = AgendaItemInput::from_item(&items[0]);
    moved.location = "Gedung Mahudara Mandala Giri".into();
    s.update_agenda_item(&items[0].id, moved).unwrap();
    s.cancel_agenda_item(&items[1].id, "Pimpinan berhalangan")
        .unwrap();

    let pending = s.pending_count().unwrap();
    assert_eq!(pending, 11);
    let detail = s.request_detail(&r3.id).unwrap().unwrap();
    assert!(detail.request.pending);
    assert_eq!(detail.notes.len(), 2);
    assert!(detail.notes.iter().all(|n| n.pending));

    let report = a.sync_once().await.unwrap();
    assert_eq!(report.push.applied, 11, "{report:?}");
    assert_eq!(report.push.conflicts + report.push.rejected, 0);
    assert_eq!(s.pending_count().unwrap(), 0);
    assert!(s.outbox().unwrap().is_empty());

    b.sync_once().await.unwrap();
    let after = b.store().server_records().unwrap();
    assert_eq!(a.store().server_records().unwrap(), after);
    assert_ne!(after, before);
    // B sees what A did.
    let r1_on_b = b.store().request_detail(&r1.id).unwrap().unwrap();
    assert_eq!(r1_on_b.request.request.state, RequestState::AwaitingLeader);
    assert_eq!(r1_on_b.notes[0].note.text, "Koordinasi dengan panitia");
    let created_on_b = b.store().agenda_item(&created.id).unwrap().unwrap();
    assert_eq!(created_on_b.item.status, AgendaStatus::Confirmed);
    assert!(!created_on_b.pending);
    assert_eq!(
        b.store()
            .agenda_item(&items[1].id)
            .unwrap()
            .unwrap()
            .item
            .status,
        AgendaStatus::Cancelled
    );
}

#[tokio::test]
async fn two_devices_edit_one_agenda_item_offline_and_the_conflict_is_kept() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = staff(dir.path(), "a", &server.base, "protokol").await;
    let b = staff(dir.path(), "b", &server.base, "agenda").await;
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    let items = editable_items(&a);
    let (x, y) = (items[0].clone(), items[1].clone());

    // Both edit X and Y while offline.
    let mut ax = AgendaItemInput::from_item(&x);
    ax.title = "Versi A".into();
    a.store().update_agenda_item(&x.id, ax).unwrap();
    let mut bx = AgendaItemInput::from_item(&x);
    bx.location = "Lokasi versi B".into();
    b.store().update_agenda_item(&x.id, bx).unwrap();
    let mut ay = AgendaItemInput::from_item(&y);
    ay.dress_code = "Pakaian adat".into();
    a.store().update_agenda_item(&y.id, ay).unwrap();
    let mut by = AgendaItemInput::from_item(&y);
    by.dress_code = "Batik".into();
    b.store().update_agenda_item(&y.id, by).unwrap();

    assert_eq!(a.sync_once().await.unwrap().push.applied, 2);
    let report = b.sync_once().await.unwrap();
    assert_eq!(report.push.conflicts, 2, "{report:?}");
    assert_eq!(report.push.applied, 0);

    // The conflict is visible through the store, with both sides: nothing lost.
    let conflicts = b.store().conflicts().unwrap();
    assert_eq!(conflicts.len(), 2);
    let cx = conflicts.iter().find(|c| c.record_id == x.id).unwrap();
    assert_eq!(cx.status, OutboxStatus::Conflict);
    match &cx.server_record {
        Some(Record::AgendaItem(server_x)) => assert_eq!(server_x.title, "Versi A"),
        other => panic!("conflict without the server's item: {other:?}"),
    }
    match &cx.op {
        MutationOp::UpdateAgendaItem { item, .. } => assert_eq!(item.location, "Lokasi versi B"),
        other => panic!("unexpected op {other:?}"),
    }
    let shown_x = b.store().agenda_item(&x.id).unwrap().unwrap();
    assert!(shown_x.conflict);
    assert_eq!(
        shown_x.item.title, "Versi A",
        "the server's version is shown"
    );
    assert_eq!(b.store().pending_count().unwrap(), 0);

    // Keep mine for X, take the server's for Y.
    let cy = conflicts.iter().find(|c| c.record_id == y.id).unwrap();
    b.store().resolve_keep_mine(&cx.id).unwrap();
    b.store().resolve_take_server(&cy.id).unwrap();
    assert!(b.store().conflicts().unwrap().is_empty());
    assert_eq!(b.store().pending_count().unwrap(), 1);
    let shown_y = b.store().agenda_item(&y.id).unwrap().unwrap();
    assert_eq!(shown_y.item.dress_code, "Pakaian adat");
    assert!(!shown_y.conflict && !shown_y.pending);

    let report = b.sync_once().await.unwrap();
    assert_eq!(report.push.applied, 1, "{report:?}");
    a.sync_once().await.unwrap();
    let x_on_a = a.store().agenda_item(&x.id).unwrap().unwrap().item;
    // A changed the title, B the location: keeping B's edit re-applied only the location, so
    // both changes survive.
    assert_eq!(x_on_a.location, "Lokasi versi B");
    assert_eq!(x_on_a.title, "Versi A");
    assert_eq!(
        a.store().server_records().unwrap(),
        b.store().server_records().unwrap()
    );
}

#[tokio::test]
async fn a_stale_cursor_rebuilds_the_cache_and_keeps_unsettled_changes() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = staff(dir.path(), "a", &server.base, "admin").await;
    let b = staff(dir.path(), "b", &server.base, "admin").await;
    a.sync_once().await.unwrap();
    b.sync_once().await.unwrap();
    // A conflict left unresolved on B.
    let x = editable_items(&a)[0].clone();
    let mut ax = AgendaItemInput::from_item(&x);
    ax.title = "Versi A".into();
    a.store().update_agenda_item(&x.id, ax).unwrap();
    let mut bx = AgendaItemInput::from_item(&x);
    bx.title = "Versi B".into();
    b.store().update_agenda_item(&x.id, bx).unwrap();
    a.sync_once().await.unwrap();
    assert_eq!(b.sync_once().await.unwrap().push.conflicts, 1);

    // More happens on the server, then it forgets its history (e.g. restored from a backup):
    // B's cursor now points into history the server no longer has.
    let y = editable_items(&a)[1].clone();
    a.store().cancel_agenda_item(&y.id, "Hujan deras").unwrap();
    a.sync_once().await.unwrap();
    let token = a.store().identity().unwrap().token().unwrap().to_string();
    let res = reqwest::Client::new()
        .post(format!("{}/api/v1/admin/sync/reset", server.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());

    let report = b.sync_once().await.unwrap();
    assert!(report.full_resync);
    assert_eq!(
        b.store().conflicts().unwrap().len(),
        1,
        "the conflict is kept"
    );
    let fresh = staff(dir.path(), "fresh", &server.base, "admin").await;
    fresh.sync_once().await.unwrap();
    assert_eq!(
        b.store().server_records().unwrap(),
        fresh.store().server_records().unwrap()
    );
}

#[tokio::test]
async fn the_apps_conflict_warnings_use_the_travel_buffer_the_server_is_configured_with() {
    let server = start_with(|c| c.travel_buffer_minutes = 45).await;
    let dir = tempfile::tempdir().unwrap();
    let a = staff(dir.path(), "a", &server.base, "protokol").await;
    a.sync_once().await.unwrap();
    assert_eq!(a.store().travel_buffer().unwrap(), Duration::minutes(45));
    let x = editable_items(&a)[0].clone();
    // A slot ending 40 minutes before X, elsewhere: a clash under 45 minutes, none under 30.
    let candidate = sepiion_core::conflict::Slot {
        id: "candidate".into(),
        leader_id: x.leader_id.clone(),
        title: "Kunjungan".into(),
        starts_at: x.starts_at - Duration::minutes(100),
        ends_at: x.starts_at - Duration::minutes(40),
        location: "Tempat lain sama sekali".into(),
    };
    let found = sepiion::ui::internal::agenda::local_conflicts(
        a.store(),
        chrono_tz::Asia::Makassar,
        &candidate,
    );
    assert!(
        found
            .iter()
            .any(|c| c.other_id == x.id
                && c.kind == sepiion_core::conflict::ConflictKind::TravelBuffer),
        "{found:?}"
    );
}

#[tokio::test]
async fn a_sync_brings_the_servers_lead_time_for_the_urgent_flag() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&dir.path().join("server.db"), "127.0.0.1:0");
    cfg.notify.schedule_every_s = 0;
    cfg.notify.lead_time_days = 4;
    let server = sepiion_server::RunningServer::start(cfg).await.unwrap();
    let device = engine(dir.path(), "public", Variant::Public, &server.url());
    assert_eq!(
        device.store().lead_time().unwrap(),
        Duration::days(7),
        "the default before the first sync"
    );
    device.sync_once().await.unwrap();
    assert_eq!(device.store().lead_time().unwrap(), Duration::days(4));
    server.stop().await;
}

/// Syncs `e` until its store holds a notification about `request_id` (the server's dispatcher
/// writes it shortly after the submission's commit). Bounded.
async fn notification_about(e: &sepiion::sync::SyncEngine, request_id: &str) -> String {
    for _ in 0..200 {
        e.sync_once().await.unwrap();
        let found = e.store().notifications().unwrap().into_iter().find(|n| {
            n.notification.link == sepiion_core::notify::Link::Request(request_id.into())
        });
        if let Some(n) = found {
            return n.notification.id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no notification about {request_id}");
}

fn is_read(e: &sepiion::sync::SyncEngine, id: &str) -> bool {
    let list = e.store().notifications().unwrap();
    list.iter().find(|n| n.notification.id == id).unwrap().read
}

#[tokio::test]
async fn a_notification_read_on_one_phone_is_read_on_the_others_after_their_sync() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let citizen = engine(dir.path(), "citizen", Variant::Public, &server.base);
    let request = citizen
        .store()
        .submit_request(new_request("Upacara Melasti Desa Adat", 12))
        .unwrap();
    citizen.sync_once().await.unwrap();
    // One staff member with a phone and a tablet.
    let phone = staff(dir.path(), "phone", &server.base, "protokol").await;
    let tablet = staff(dir.path(), "tablet", &server.base, "protokol").await;
    let id = notification_about(&phone, &request.id).await;
    notification_about(&tablet, &request.id).await;
    let unread_before = tablet.store().unread_notifications().unwrap();
    assert!(!is_read(&phone, &id) && !is_read(&tablet, &id));

    // Read on the phone, offline: shown read at once, one change queued however often it is
    // opened.
    phone.store().mark_notification_read(&id).unwrap();
    phone.store().mark_notification_read(&id).unwrap();
    assert!(is_read(&phone, &id));
    let queued = phone.store().outbox().unwrap();
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(
        queued[0].op,
        MutationOp::MarkNotificationRead { id: id.clone() }
    );
    assert_eq!(queued[0].kind, EntityKind::Notification);

    // The phone's sync sends it; the tablet's next sync brings it.
    let report = phone.sync_once().await.unwrap();
    assert_eq!(report.push.applied, 1, "{report:?}");
    assert_eq!(phone.store().pending_count().unwrap(), 0);
    assert!(is_read(&phone, &id), "still read with the server's record");
    assert!(!is_read(&tablet, &id));
    tablet.sync_once().await.unwrap();
    assert!(is_read(&tablet, &id));
    assert_eq!(
        tablet.store().unread_notifications().unwrap(),
        unread_before - 1
    );
    // Opening it on the tablet too queues nothing more.
    tablet.store().mark_notification_read(&id).unwrap();
    assert_eq!(tablet.store().pending_count().unwrap(), 0);

    // A reinstall (a new store, a full sync) finds it read.
    let reinstalled = staff(dir.path(), "reinstalled", &server.base, "protokol").await;
    reinstalled.sync_once().await.unwrap();
    assert!(is_read(&reinstalled, &id));
    // An id the device does not have is refused on the device.
    assert!(matches!(
        phone.store().mark_notification_read("no-such-notification"),
        Err(sepiion::store::StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_request_made_in_the_english_app_is_answered_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.db");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let mut server = start_in(server_dir, db.clone(), &format!("127.0.0.1:{port}")).await;
    let device = engine(dir.path(), "public", Variant::Public, &url);
    device
        .store()
        .set_language(sepiion_core::validation::Lang::En)
        .unwrap();
    let r = device
        .store()
        .submit_request(new_request("Temple anniversary", 12))
        .unwrap();
    device.sync_once().await.unwrap();
    let stored: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT language FROM requests WHERE id = ?1",
            [&r.id],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(
        stored, "en",
        "the server keeps the app's language for the requester"
    );
    server.stop().await;
}

/// Issue 23: "Simpan" tapped twice on a new agenda item. The form keeps one client id, so the
/// second tap names the same item: one change in the outbox, one item on the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_tap_on_a_new_item_makes_no_second_item() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let device = staff(dir.path(), "protokol", &server.base, "protokol").await;
    let s = device.store();
    let start = chrono::Utc::now() + Duration::days(21);
    let input = AgendaItemInput {
        id: Some(uuid::Uuid::new_v4().to_string()),
        base_version: None,
        leader_id: "wakil_bupati".into(),
        title: "Rapat koordinasi ketupat dua kali".into(),
        starts_at: start,
        ends_at: start + Duration::hours(1),
        location: "Kantor Bupati".into(),
        category: "Rapat".into(),
        visibility: Visibility::Internal,
        status: AgendaStatus::Tentative,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: String::new(),
        assigned_staff: vec![],
        running_order: String::new(),
        internal_notes: String::new(),
    };
    let first = s.create_agenda_item(input.clone()).unwrap();
    let second = s.create_agenda_item(input.clone()).unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(s.pending_count().unwrap(), 1, "{:?}", s.outbox().unwrap());
    device.sync_once().await.unwrap();
    // A tap arriving after the push is answered changes nothing either.
    s.create_agenda_item(input).unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
    device.sync_once().await.unwrap();
    let db = rusqlite::Connection::open(&server.db).unwrap();
    let on_server: i64 = db
        .query_row(
            "SELECT count(*) FROM agenda_items WHERE title = ?1",
            ["Rapat koordinasi ketupat dua kali"],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(on_server, 1);
}

/// Issue 24: a note sent through the outbox with a mistyped `@name` comes back from the server
/// naming it; a role mention, a real account and an e-mail address are not named. The staff
/// app shows the answer under the note.
#[tokio::test]
async fn the_server_names_a_notes_mentions_that_match_nobody_and_the_app_shows_it() {
    let server = start().await;
    let dir = tempfile::tempdir().unwrap();
    let a = staff(dir.path(), "a", &server.base, "protokol").await;
    assert_eq!(a.store().mention_names().unwrap(), None);
    a.sync_once().await.unwrap();
    let s = a.store();
    // The sync brought the names a mention may match; the note is checked before it is sent
    // (the role `@ajudan`, the real `@ajudan.bupati` and the e-mail address pass).
    let names = s.mention_names().unwrap().expect("fetched with the sync");
    assert!(names.iter().any(|n| n == "ajudan.bupati"), "{names:?}");
    assert!(names.iter().all(|n| *n == n.to_lowercase()), "{names:?}");
    assert_eq!(
        s.unmatched_mentions(
            "Hadiri & koordinasikan @ajudan",
            "Mohon @komang dan @ajudan.bupati hadir; kabari panitia@contoh.id."
        ),
        vec!["komang".to_string()]
    );
    let request = s.inbox(Some(RequestState::Submitted), None).unwrap()[0]
        .request
        .id
        .clone();
    let note = s
        .add_note(
            &request,
            NoteInput {
                id: None,
                instruction: "Hadiri & koordinasikan @ajudan".into(),
                text: "Mohon @komang dan @ajudan.bupati hadir; kabari panitia@contoh.id.".into(),
            },
        )
        .unwrap();
    assert!(
        s.unknown_mentions(&note.id).unwrap().is_empty(),
        "not sent yet"
    );
    a.sync_once().await.unwrap();
    assert_eq!(s.pending_count().unwrap(), 0);
    assert_eq!(
        s.unknown_mentions(&note.id).unwrap(),
        vec!["komang".to_string()]
    );

    let html = common::ui::render(
        s,
        Variant::Internal,
        sepiion::ui::shell::Route::Request(request),
    );
    assert!(
        html.contains(
            "Server: tidak ada akun bernama @komang; sebutan itu tidak memberi tahu siapa pun."
        ),
        "{html}"
    );
    // Signing out wipes the list with the rest of the account's data.
    a.sign_out().await.unwrap();
    assert_eq!(s.mention_names().unwrap(), None);
}
