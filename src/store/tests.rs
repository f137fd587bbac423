//! The store without a server: local changes, pulls over pending changes, push answers,
//! conflicts. End-to-end behaviour against the real server is in `tests/`.

use chrono::{Duration, TimeZone, Utc};
use sepiion_core::api::{AgendaItemInput, ErrorBody, LoginResponse};
use sepiion_core::model::*;
use sepiion_core::sync::{Change, MutationResult, MutationStatus, PullPage, Record};

use super::*;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("cache.db"), Variant::Internal).unwrap();
    store
        .set_session(&LoginResponse {
            token: "sps_test".into(),
            expires_at: Utc::now() + Duration::days(1),
            user: StaffUser {
                id: 2,
                username: "protokol".into(),
                display_name: "Kadek Protokol".into(),
                role: Role::Protocol,
                leader_id: None,
                active: true,
            },
        })
        .unwrap();
    (dir, store)
}

fn item(version: i64, location: &str) -> AgendaItem {
    let start = Utc.with_ymd_and_hms(2030, 5, 4, 1, 0, 0).unwrap();
    AgendaItem {
        id: "a1".into(),
        leader_id: "bupati".into(),
        title: "Rapat koordinasi OPD".into(),
        starts_at: start,
        ends_at: start + Duration::hours(2),
        location: location.into(),
        category: "Rapat".into(),
        visibility: Visibility::Internal,
        status: AgendaStatus::Confirmed,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: String::new(),
        internal: Some(AgendaInternal::default()),
        ical_sequence: 0,
        updated_at: start,
        version,
    }
}

fn page(records: Vec<Record>, cursor: &str) -> PullPage {
    PullPage {
        changes: records
            .into_iter()
            .map(|r| Change {
                entity: r.kind(),
                id: r.id().to_string(),
                record: Some(r),
            })
            .collect(),
        cursor: cursor.into(),
        has_more: false,
        remaining: 0,
    }
}

fn agenda(r: Record) -> AgendaItem {
    match r {
        Record::AgendaItem(a) => *a,
        other => panic!("not an agenda item: {other:?}"),
    }
}

fn answer(id: &str, status: MutationStatus, record: Option<Record>) -> MutationResult {
    MutationResult {
        id: id.into(),
        status,
        record,
        error: (status == MutationStatus::Rejected).then(|| ErrorBody {
            error: "validation".into(),
            message: "Tidak valid.".into(),
            fields: Default::default(),
        }),
        conflicts: vec![],
        unknown_mentions: vec![],
    }
}

#[test]
fn a_local_change_shows_at_once_and_waits_in_the_outbox() {
    let (_d, s) = store();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Kantor Bupati")))],
        "c1-1",
    ))
    .unwrap();
    let mut edit = AgendaItemInput::from_item(&item(3, ""));
    edit.location = "Pura Goa Lawah".into();
    let shown = s.update_agenda_item("a1", edit).unwrap();
    assert_eq!(shown.location, "Pura Goa Lawah");
    assert_eq!(shown.version, 4, "the version the server will give it");
    assert!(s.agenda_item("a1").unwrap().unwrap().pending);
    assert_eq!(s.pending_count().unwrap(), 1);
    assert_eq!(s.outbox().unwrap()[0].base_version, Some(3));
    // The server's record is unchanged until it confirms.
    assert_eq!(
        agenda(s.server_records().unwrap().remove(0)).location,
        "Kantor Bupati"
    );
}

#[test]
fn a_pull_keeps_a_pending_change_on_top_of_a_newer_server_record() {
    let (_d, s) = store();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Kantor Bupati")))],
        "c1-1",
    ))
    .unwrap();
    let mut edit = AgendaItemInput::from_item(&item(3, "Kantor Bupati"));
    edit.title = "Rapat koordinasi (diubah)".into();
    s.update_agenda_item("a1", edit).unwrap();
    // Someone else moved the item; the pull brings version 4.
    let mut theirs = item(4, "Gedung Mahudara");
    theirs.dress_code = "Batik".into();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(theirs.clone()))],
        "c1-2",
    ))
    .unwrap();
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert!(shown.pending);
    assert_eq!(
        shown.item.title, "Rapat koordinasi (diubah)",
        "my change is not lost"
    );
    assert_eq!(agenda(s.server_records().unwrap().remove(0)), theirs);
    assert_eq!(s.cursor().unwrap().as_deref(), Some("c1-2"));
    // An older server record arriving late does not move the cache back.
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(2, "Lama")))],
        "c1-3",
    ))
    .unwrap();
    assert_eq!(agenda(s.server_records().unwrap().remove(0)), theirs);
}

#[test]
fn a_second_change_of_a_record_waits_for_the_first() {
    let (_d, s) = store();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Lokasi A")))],
        "c1-1",
    ))
    .unwrap();
    let mut e1 = AgendaItemInput::from_item(&item(3, "Lokasi B"));
    e1.title = "Satu".into();
    s.update_agenda_item("a1", e1).unwrap();
    s.cancel_agenda_item("a1", "Hujan").unwrap();
    let outbox = s.outbox().unwrap();
    assert_eq!(
        outbox[1].base_version,
        Some(4),
        "based on the first change's result"
    );
    let batch = s.next_push_batch(100).unwrap();
    assert_eq!(batch.len(), 1, "one change per record per push");
    let mut applied = item(4, "Lokasi B");
    applied.title = "Satu".into();
    let tally = s
        .apply_push_results(&[answer(
            &batch[0].id,
            MutationStatus::Applied,
            Some(Record::AgendaItem(Box::new(applied))),
        )])
        .unwrap();
    assert_eq!(tally.applied, 1);
    let next = s.next_push_batch(100).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].base_version, Some(4));
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert_eq!(shown.item.status, AgendaStatus::Cancelled);
    assert_eq!(s.outbox().unwrap()[0].attempts, 1);
}

#[test]
fn a_conflict_holds_later_changes_and_either_side_can_win() {
    let (_d, s) = store();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Lokasi A")))],
        "c1-1",
    ))
    .unwrap();
    let mut e1 = AgendaItemInput::from_item(&item(3, "Mine"));
    e1.title = "Punyaku".into();
    s.update_agenda_item("a1", e1).unwrap();
    s.cancel_agenda_item("a1", "Hujan").unwrap();
    let batch = s.next_push_batch(100).unwrap();
    let theirs = item(5, "Theirs");
    let tally = s
        .apply_push_results(&[answer(
            &batch[0].id,
            MutationStatus::Conflict,
            Some(Record::AgendaItem(Box::new(theirs.clone()))),
        )])
        .unwrap();
    assert_eq!((tally.conflicts, tally.held), (1, 1));
    assert_eq!(s.pending_count().unwrap(), 0);
    let conflicts = s.conflicts().unwrap();
    assert_eq!(conflicts.len(), 2);
    assert_eq!(conflicts[1].error.as_ref().unwrap().error, "held");
    assert!(
        conflicts
            .iter()
            .all(|c| c.server_record == Some(Record::AgendaItem(Box::new(theirs.clone()))))
    );
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert!(shown.conflict && !shown.pending);
    assert_eq!(
        shown.item, theirs,
        "the server's version is shown while in conflict"
    );

    // Keep my edit (on top of version 5), drop my cancellation.
    let kept = s.resolve_keep_mine(&conflicts[0].id).unwrap();
    s.resolve_take_server(&conflicts[1].id).unwrap();
    let outbox = s.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].id, kept);
    assert_eq!(outbox[0].base_version, Some(5));
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert_eq!(shown.item.title, "Punyaku");
    assert!(shown.pending && !shown.conflict);
}

#[test]
fn a_refused_creation_keeps_what_was_typed() {
    let (_d, s) = store();
    let start = Utc::now() + Duration::days(3);
    let created = s
        .create_agenda_item(AgendaItemInput {
            id: None,
            base_version: None,
            leader_id: "bupati".into(),
            title: "Kunjungan ke Nusa Penida".into(),
            starts_at: start,
            ends_at: start + Duration::hours(3),
            location: "Pelabuhan Sampalan".into(),
            category: "Kunjungan kerja".into(),
            visibility: Visibility::Public,
            status: AgendaStatus::Tentative,
            attendance: Attendance::InPerson,
            representative: None,
            dress_code: String::new(),
            assigned_staff: vec![],
            running_order: String::new(),
            internal_notes: String::new(),
        })
        .unwrap();
    let batch = s.next_push_batch(100).unwrap();
    s.apply_push_results(&[answer(&batch[0].id, MutationStatus::Rejected, None)])
        .unwrap();
    assert!(
        s.agenda_item(&created.id).unwrap().is_none(),
        "not on the agenda"
    );
    let rejected = s.rejected().unwrap();
    assert_eq!(rejected.len(), 1);
    match &rejected[0].op {
        sepiion_core::sync::MutationOp::CreateAgendaItem { item } => {
            assert_eq!(item.title, "Kunjungan ke Nusa Penida")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_reset_for_full_resync_keeps_unsent_changes() {
    let (_d, s) = store();
    let mut other = item(1, "Lokasi X");
    other.id = "a2".into();
    s.apply_pull_page(&page(
        vec![
            Record::AgendaItem(Box::new(item(3, "Lokasi A"))),
            Record::AgendaItem(Box::new(other)),
        ],
        "c1-9",
    ))
    .unwrap();
    s.cancel_agenda_item("a1", "Hujan").unwrap();
    s.reset_for_full_resync().unwrap();
    assert_eq!(s.cursor().unwrap(), None);
    assert!(s.server_records().unwrap().is_empty());
    assert!(s.agenda_item("a2").unwrap().is_none());
    assert_eq!(s.pending_count().unwrap(), 1);
    // The cancellation waits; once the server's item is back, it shows on top of it again.
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Lokasi A")))],
        "c1-10",
    ))
    .unwrap();
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert!(shown.pending);
    assert_eq!(shown.item.status, AgendaStatus::Cancelled);
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let (_d, s) = store();
    let mut input = AgendaItemInput::from_item(&item(1, "Lokasi A"));
    input.title = "  ".into();
    assert!(matches!(
        s.create_agenda_item(input),
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.cancel_agenda_item("a1", " "),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.pending_count().unwrap(), 0);
    assert!(s.outbox().unwrap().is_empty());
}

/// A valid submission, five days ahead.
fn new_request() -> sepiion_core::api::NewRequest {
    let start = Utc::now() + Duration::days(5);
    sepiion_core::api::NewRequest {
        id: None,
        kind: RequestKind::Undangan,
        leader_id: Some("bupati".into()),
        title: "Pembukaan Festival Semarapura".into(),
        description: "Mohon Bapak Bupati berkenan membuka festival.".into(),
        starts_at: start,
        ends_at: start + Duration::hours(3),
        location: "Lapangan Puputan Klungkung".into(),
        organizer: "Dinas Pariwisata".into(),
        requester_name: "Ni Made Sari".into(),
        requester_phone: "0812-3456-7890".into(),
        requester_email: None,
        expected_attendees: 500,
        leader_role: "membuka acara".into(),
        dress_code: String::new(),
        letter_number: None,
        notify_channels: None,
    }
}

#[test]
fn the_offline_preview_of_a_submission_is_normalized_as_the_server_stores_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("public.db"), Variant::Public).unwrap();
    let r = store
        .submit_request(sepiion_core::api::NewRequest {
            title: "  Pembukaan Festival Semarapura ".into(),
            requester_email: Some("  ".into()),
            letter_number: Some(String::new()),
            ..new_request()
        })
        .unwrap();
    assert_eq!(r.requester_email, None);
    assert_eq!(r.letter_number, None);
    assert_eq!(r.title, "Pembukaan Festival Semarapura");
}

#[test]
fn local_conflict_checks_use_the_servers_travel_buffer_once_known() {
    let (_dir, store) = store();
    assert_eq!(
        store.travel_buffer().unwrap(),
        Duration::minutes(sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES)
    );
    store
        .set_server_info(&sepiion_core::api::ServerInfo {
            regency: "Kabupaten Contoh".into(),
            time_zone: "Asia/Makassar".into(),
            zone_abbrev: "WITA".into(),
            travel_buffer_minutes: 45,
            lead_time_days: 3,
            leaders: vec![],
            server_version: "test".into(),
        })
        .unwrap();
    assert_eq!(store.travel_buffer().unwrap(), Duration::minutes(45));
    assert_eq!(store.lead_time().unwrap(), Duration::days(3));
}

#[test]
fn a_submission_whose_attachment_cannot_be_moved_leaves_neither_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("public.db");
    let store = Store::open(&path, Variant::Public).unwrap();
    let pdf = b"%PDF-1.4 undangan";
    let file = store.add_draft_attachment("undangan.pdf", pdf).unwrap();
    // The disk refuses the second step of the submission (here: a trigger, set up from another
    // connection to the same file).
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse_attach BEFORE UPDATE OF request_id ON attachments_outbox
             BEGIN SELECT RAISE(ABORT, 'disk refused'); END;",
        )
        .unwrap();
    let new = new_request();
    assert!(store.submit_request(new.clone()).is_err());
    assert_eq!(store.pending_count().unwrap(), 0, "no request was queued");
    assert!(
        store
            .records_of(sepiion_core::sync::EntityKind::Request)
            .unwrap()
            .is_empty()
    );
    let draft = store.local_attachments(None).unwrap();
    assert_eq!(draft.len(), 1, "the file stays with the draft");
    assert_eq!(draft[0].id, file.id);

    // Once the disk takes it, both land together.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("DROP TRIGGER refuse_attach")
        .unwrap();
    let r = store.submit_request(new).unwrap();
    assert_eq!(store.local_attachments(Some(&r.id)).unwrap()[0].id, file.id);
    assert!(store.local_attachments(None).unwrap().is_empty());
}

#[test]
fn screens_read_while_a_write_is_in_progress() {
    let (_dir, store) = store();
    store
        .apply_pull_page(&page(
            vec![Record::AgendaItem(Box::new(item(1, "Pendopo")))],
            "c1",
        ))
        .unwrap();
    let reader = store.clone();
    let seen = store
        .write(|tx| {
            tx.execute("DELETE FROM records", [])?;
            // The write is open and uncommitted: a read on another thread must neither wait
            // for it nor see it.
            let (done, answer) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let _ = done.send(reader.records_of(sepiion_core::sync::EntityKind::AgendaItem));
            });
            Ok(answer
                .recv_timeout(std::time::Duration::from_secs(2))
                .expect("the read does not wait for the writer"))
        })
        .unwrap();
    assert_eq!(seen.unwrap().len(), 1, "the last committed state");
}

#[test]
fn every_committed_write_moves_the_change_feed_and_a_failed_one_does_not() {
    let (_dir, store) = store();
    let mut feed = store.changes();
    let before = store.revision();
    store.set_pref("pref_x", Some("1")).unwrap();
    assert!(feed.has_changed().unwrap());
    assert_eq!(*feed.borrow_and_update(), before + 1);
    assert!(
        store
            .update_agenda_item("missing", AgendaItemInput::from_item(&item(1, "x")))
            .is_err()
    );
    assert!(!feed.has_changed().unwrap(), "nothing was written");
    store
        .apply_pull_page(&page(
            vec![Record::AgendaItem(Box::new(item(1, "Pendopo")))],
            "c1",
        ))
        .unwrap();
    assert!(feed.has_changed().unwrap(), "a sync's writes too");
}

#[test]
fn the_agenda_read_returns_exactly_the_items_overlapping_the_days_in_time_order() {
    let (_d, s) = store();
    let tz = chrono_tz::Asia::Makassar;
    // Local 4 May 2030 (WITA) runs from 3 May 16.00 UTC to 4 May 16.00 UTC.
    let at = |h: i64| Utc.with_ymd_and_hms(2030, 5, 3, 16, 0, 0).unwrap() + Duration::hours(h);
    let mk = |id: &str, leader: &str, from: i64, to: i64| {
        let mut a = item(1, "Kantor Bupati");
        a.id = id.into();
        a.leader_id = leader.into();
        a.starts_at = at(from);
        a.ends_at = at(to);
        Record::AgendaItem(Box::new(a))
    };
    s.apply_pull_page(&page(
        vec![
            mk("late", "bupati", 20, 22),
            mk("over-midnight", "bupati", -2, 1), // began the evening before
            mk("wakil", "wakil_bupati", 3, 4),
            mk("day-before", "bupati", -6, -1),
            mk("day-after", "bupati", 24, 26),
            mk("early", "bupati", 1, 2),
            mk("ends-at-midnight", "bupati", -3, 0), // touches the day, does not overlap it
        ],
        "c1-1",
    ))
    .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2030, 5, 4).unwrap();
    let ids = |leader| -> Vec<String> {
        s.agenda(leader, day, day, tz)
            .unwrap()
            .into_iter()
            .map(|e| e.item.id)
            .collect()
    };
    assert_eq!(ids(Some("bupati")), ["over-midnight", "early", "late"]);
    assert_eq!(ids(None), ["over-midnight", "early", "wakil", "late"]);
    assert!(ids(Some("sekda")).is_empty());
}

/// How the row of agenda item `id` stores its JSON: (shown JSON stored apart, server JSON
/// stored).
fn storage(s: &Store, id: &str) -> (bool, bool) {
    s.read(|tx| {
        Ok(tx.query_row(
            "SELECT json IS NOT NULL, server_json IS NOT NULL FROM records
             WHERE kind = 'agenda_item' AND id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    })
    .unwrap()
}

#[test]
fn a_record_is_stored_once_unless_a_local_change_is_shown_on_top() {
    let (_d, s) = store();
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(item(3, "Kantor Bupati")))],
        "c1-1",
    ))
    .unwrap();
    assert_eq!(
        storage(&s, "a1"),
        (false, true),
        "pulled: the server's JSON only"
    );
    assert_eq!(
        s.agenda_item("a1").unwrap().unwrap().item.location,
        "Kantor Bupati"
    );

    let mut edit = AgendaItemInput::from_item(&item(3, ""));
    edit.location = "Pura Goa Lawah".into();
    s.update_agenda_item("a1", edit).unwrap();
    assert_eq!(
        storage(&s, "a1"),
        (true, true),
        "edited: what is shown, apart"
    );
    assert_eq!(
        s.agenda_item("a1").unwrap().unwrap().item.location,
        "Pura Goa Lawah"
    );

    // The server confirms with its version 4: shown is the server's record again.
    let confirmed = item(4, "Pura Goa Lawah");
    let id = s.outbox().unwrap()[0].id.clone();
    s.apply_push_results(&[answer(
        &id,
        MutationStatus::Applied,
        Some(Record::AgendaItem(Box::new(confirmed.clone()))),
    )])
    .unwrap();
    assert_eq!(storage(&s, "a1"), (false, true));
    let shown = s.agenda_item("a1").unwrap().unwrap();
    assert!(!shown.pending);
    assert_eq!(shown.item, confirmed);

    // An item made on this device: only what is shown, until the server has it.
    let mut new = AgendaItemInput::from_item(&item(1, "Pendopo"));
    new.id = None;
    let made = s.create_agenda_item(new).unwrap();
    assert_eq!(storage(&s, &made.id), (true, false));
    assert!(s.agenda_item(&made.id).unwrap().unwrap().pending);
}

/// Signs `role` (bound to `leader`) in on `s`.
fn sign_in_as(s: &Store, role: Role, leader: Option<&str>) {
    s.set_session(&LoginResponse {
        token: "sps_other".into(),
        expires_at: Utc::now() + Duration::days(1),
        user: StaffUser {
            id: 3,
            username: "lain".into(),
            display_name: "Staf Lain".into(),
            role,
            leader_id: leader.map(str::to_string),
            active: true,
        },
    })
    .unwrap();
}

#[test]
fn agenda_writes_follow_the_servers_rule_of_who_writes_which_item() {
    let (_d, s) = store();
    let mut confidential = item(1, "Pendopo");
    confidential.visibility = Visibility::Confidential;
    s.apply_pull_page(&page(
        vec![Record::AgendaItem(Box::new(confidential))],
        "c1-1",
    ))
    .unwrap();
    let mut new = AgendaItemInput::from_item(&item(1, "Pendopo"));
    new.id = None;

    // Protocol staff write internal items but not confidential ones.
    let refused = s.cancel_agenda_item("a1", "Hujan").unwrap_err();
    assert!(
        matches!(&refused, StoreError::Invalid(f) if f.get("visibility").is_some()),
        "{refused:?}"
    );
    // An ajudan writes their own leader's items only.
    sign_in_as(&s, Role::Adc, Some("wakil_bupati"));
    let refused = s.create_agenda_item(new.clone()).unwrap_err();
    assert!(
        matches!(&refused, StoreError::Invalid(f) if f.get("leader_id").is_some()),
        "{refused:?}"
    );
    // The leader's own account reads only.
    sign_in_as(&s, Role::Leader, Some("bupati"));
    assert!(matches!(
        s.create_agenda_item(new.clone()),
        Err(StoreError::NotAllowed)
    ));
    assert!(s.outbox().unwrap().is_empty());
    // The Bupati's ajudan may cancel the confidential item; the reason is kept trimmed.
    sign_in_as(&s, Role::Adc, Some("bupati"));
    s.cancel_agenda_item("a1", "  Hujan deras ").unwrap();
    match &s.outbox().unwrap()[0].op {
        sepiion_core::sync::MutationOp::CancelAgendaItem { reason, .. } => {
            assert_eq!(reason, "Hujan deras")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn agenda_input_is_queued_as_the_server_stores_it() {
    let (_d, s) = store();
    let mut new = AgendaItemInput::from_item(&item(1, "  Pendopo Kabupaten  "));
    new.id = None;
    new.title = "  Rapat koordinasi OPD ".into();
    new.representative = Some("   ".into());
    let made = s.create_agenda_item(new).unwrap();
    assert_eq!(made.location, "Pendopo Kabupaten");
    assert_eq!(made.title, "Rapat koordinasi OPD");
    match &s.outbox().unwrap()[0].op {
        sepiion_core::sync::MutationOp::CreateAgendaItem { item } => {
            assert_eq!(item.location, "Pendopo Kabupaten");
            assert_eq!(item.representative, None);
            assert!(item.id.as_deref().is_some_and(|id| id == made.id));
        }
        other => panic!("{other:?}"),
    }
    let mut bad_id = AgendaItemInput::from_item(&item(1, "Pendopo"));
    bad_id.id = Some("bukan-uuid".into());
    assert!(matches!(
        s.create_agenda_item(bad_id),
        Err(StoreError::Invalid(f)) if f.get("id").is_some()
    ));
}

/// A tmpfs of `size` mounted on `dir` (as root, else through `sudo -n`), unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

fn privileged(cmd: &str) -> std::process::Command {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if root {
        std::process::Command::new(cmd)
    } else {
        let mut c = std::process::Command::new("sudo");
        c.args(["-n", cmd]);
        c
    }
}

impl SmallDisk {
    fn mount(dir: &Path, size: &str) -> SmallDisk {
        std::fs::create_dir_all(dir).unwrap();
        let out = privileged("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0777"),
                "tmpfs",
            ])
            .arg(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "this test mounts a small tmpfs (root or password-less sudo): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk(dir.to_path_buf())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = privileged("umount").arg("-l").arg(&self.0).status();
    }
}

/// The device's storage fills up: a local change is refused with an error (no panic), every
/// change already in the outbox stays there (also after reopening), pulls fail without harm,
/// and once space is freed changes are taken again.
#[test]
fn a_full_device_refuses_new_changes_and_keeps_the_outbox() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    let _mounted = SmallDisk::mount(&disk, "2m");
    let path = disk.join("cache.db");
    let s = Store::open(&path, Variant::Internal).unwrap();
    s.set_session(&LoginResponse {
        token: "sps_test".into(),
        expires_at: Utc::now() + Duration::days(1),
        user: StaffUser {
            id: 2,
            username: "protokol".into(),
            display_name: "Kadek Protokol".into(),
            role: Role::Protocol,
            leader_id: None,
            active: true,
        },
    })
    .unwrap();
    let mut made = Vec::new();
    let create = |n: usize| {
        let mut input = AgendaItemInput::from_item(&item(1, "Kantor Bupati"));
        input.id = None;
        input.title = format!("Rapat koordinasi {n}");
        input.running_order = "Sambutan, laporan, doa. ".repeat(40);
        s.create_agenda_item(input)
    };
    for n in 0..5 {
        made.push(create(n).unwrap().id);
    }

    // Fill the device.
    let filler = disk.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let chunk = vec![0u8; 16 * 1024];
    let mut full = false;
    for _ in 0..10_000 {
        if f.write_all(&chunk).and_then(|()| f.sync_data()).is_err() {
            full = true;
            break;
        }
    }
    assert!(full, "the tmpfs fills up");
    drop(f);

    // Changes go on while the WAL reuses its space, then one is refused: an error, not a panic.
    let mut refused = None;
    for n in 5..5_000 {
        match create(n) {
            Ok(a) => made.push(a.id),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let refused = refused.expect("a change is refused on a full device");
    assert!(
        matches!(&refused, StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::DiskFull),
        "{refused:?}"
    );
    // A pull does not get in either, and harms nothing.
    let many: Vec<Record> = (0..200)
        .map(|n| {
            let mut a = item(1, &"Balai Desa ".repeat(50));
            a.id = format!("srv-{n}");
            Record::AgendaItem(Box::new(a))
        })
        .collect();
    assert!(s.apply_pull_page(&page(many, "c1-9")).is_err());

    // Every change made before is still queued, in order, and shown.
    let queued = |s: &Store| -> Vec<String> {
        s.outbox()
            .unwrap()
            .into_iter()
            .map(|e| e.record_id)
            .collect()
    };
    assert_eq!(queued(&s), made);
    drop(s);
    let again = Store::open(&path, Variant::Internal).unwrap();
    assert_eq!(queued(&again), made, "after reopening on the full device");
    for id in &made {
        assert!(again.agenda_item(id).unwrap().is_some(), "{id} is shown");
    }

    // Space back: changes are taken again, and the outbox kept everything.
    std::fs::remove_file(&filler).unwrap();
    made.push(
        again
            .create_agenda_item({
                let mut input = AgendaItemInput::from_item(&item(1, "Kantor Bupati"));
                input.id = None;
                input
            })
            .unwrap()
            .id,
    );
    assert_eq!(queued(&again), made);
}

#[test]
fn a_request_sent_twice_with_its_client_id_is_queued_once() {
    let dir = tempfile::tempdir().unwrap();
    let public = Store::open(&dir.path().join("public.db"), Variant::Public).unwrap();
    let new = sepiion_core::api::NewRequest {
        id: Some("7d0c8a52-4a1e-4f51-9a0b-3c2f6e1d9b10".into()),
        ..new_request()
    };
    let first = public.submit_request(new.clone()).unwrap();
    let second = public.submit_request(new).unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(public.outbox().unwrap().len(), 1);
}
