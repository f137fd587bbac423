//! A network that drops at any moment loses nothing and duplicates nothing.
//!
//! Several devices (a public device and two staff members) make random changes offline, then
//! sync through a proxy that cuts connections at random points: before the request, in the
//! middle of it, after the server committed but before the answer arrived, in the middle of the
//! answer. After the network heals, every device must hold exactly what a fresh full sync with
//! its credentials holds, every mutation must have been answered once (applied, or kept on the
//! device as a conflict or refusal), and the server's records must show each applied change
//! exactly once (timelines, versions, counts).
//!
//! `SEPIION_FAULT_ROUNDS` (default 200) sets the number of rounds; `SEPIION_FAULT_SEED` replays
//! a failing run (the seed is printed when a round fails).

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{Duration, Utc};
use common::proxy::{FaultProxy, Mode};
use common::*;
use rusqlite::{OptionalExtension, params};
use sepiion::platform::Variant;
use sepiion::store::{Identity, OutboxStatus, Store};
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion_core::api::{AgendaItemInput, NoteInput};
use sepiion_core::model::{AgendaStatus, Attendance, Role, Visibility};
use sepiion_core::sync::{EntityKind, MutationOp, Record};
use sepiion_core::workflow::{Actor, TransitionInput, available_actions};

/// Prints how to replay the run if the round panics.
struct SeedGuard {
    seed: u64,
    round: usize,
}

impl Drop for SeedGuard {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "fault injection failed in round {} — replay with SEPIION_FAULT_SEED={}",
                self.round, self.seed
            );
        }
    }
}

struct Device {
    name: &'static str,
    engine: SyncEngine,
    actor: Actor,
}

/// Changes go to a few "hot" records (the first by id), so that devices collide often.
const HOT: usize = 8;

fn requests_of(store: &Store) -> Vec<sepiion_core::model::Request> {
    let mut list: Vec<_> = store
        .records_of(EntityKind::Request)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::Request(r) => Some(*r),
            _ => None,
        })
        .filter(|r| !r.state.is_final())
        .collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list.truncate(HOT);
    list
}

fn own_agenda_items(store: &Store) -> Vec<sepiion_core::model::AgendaItem> {
    let mut list: Vec<_> = store
        .records_of(EntityKind::AgendaItem)
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            Record::AgendaItem(a) => Some(*a),
            _ => None,
        })
        .filter(|a| {
            a.visibility != Visibility::Confidential
                && a.internal
                    .as_ref()
                    .is_some_and(|i| i.source_request_id.is_none())
                && a.status != AgendaStatus::Cancelled
        })
        .collect();
    list.sort_by(|a, b| a.id.cmp(&b.id));
    list.truncate(HOT);
    list
}

/// One random local change; refusals by the local checks are simply skipped.
fn random_change(d: &Device, rng: &mut Rng, n: u64) {
    let s = d.engine.store();
    match d.actor {
        Actor::Requester => {
            let own = requests_of(s);
            if own.is_empty() || rng.chance(60) {
                let _ = s.submit_request(new_request(
                    &format!("Upacara {n}"),
                    5 + rng.below(60) as i64,
                ));
                return;
            }
            let r = rng.pick(&own);
            let actions = available_actions(Actor::Requester, r.state);
            if actions.is_empty() {
                return;
            }
            let mut input = TransitionInput::new(*rng.pick(&actions));
            input.info = Some(format!("Surat undangan terlampir ({n})."));
            input.reason = Some("Acara ditunda.".into());
            let _ = s.transition(&r.id, input);
        }
        Actor::Staff(role) => {
            let requests = requests_of(s);
            let items = own_agenda_items(s);
            match rng.below(10) {
                0..=4 if !requests.is_empty() => {
                    let r = rng.pick(&requests);
                    let actions = available_actions(Actor::Staff(role), r.state);
                    if actions.is_empty() {
                        return;
                    }
                    let mut input = TransitionInput::new(*rng.pick(&actions));
                    input.reason = Some(format!("Alasan {n}"));
                    input.leader_id = Some(rng.pick(&["bupati", "wakil_bupati"]).to_string());
                    input.representative = Some("sekda".into());
                    let at = Utc::now() + Duration::days(30 + rng.below(30) as i64);
                    input.proposed_starts_at = Some(at);
                    input.proposed_ends_at = Some(at + Duration::hours(2));
                    let _ = s.transition(&r.id, input);
                }
                5 | 6 if !requests.is_empty() => {
                    let r = rng.pick(&requests);
                    let note = NoteInput {
                        id: None,
                        instruction: "Hadiri & koordinasikan".into(),
                        text: format!("Catatan {n} dari {}", d.name),
                    };
                    let _ = s.add_note(&r.id, note);
                }
                8 if !items.is_empty() => {
                    let item = rng.pick(&items);
                    let mut input = AgendaItemInput::from_item(item);
                    input.title = format!("{} (ubah {n})", d.name);
                    let _ = s.update_agenda_item(&item.id, input);
                }
                9 if !items.is_empty() => {
                    let _ = s.cancel_agenda_item(&rng.pick(&items).id, "Berhalangan");
                }
                _ => {
                    let start = Utc::now() + Duration::days(10 + rng.below(300) as i64);
                    let _ = s.create_agenda_item(AgendaItemInput {
                        id: None,
                        base_version: None,
                        leader_id: rng.pick(&["bupati", "wakil_bupati"]).to_string(),
                        title: format!("Kegiatan {n}"),
                        starts_at: start,
                        ends_at: start + Duration::hours(1),
                        location: "Semarapura".into(),
                        category: "Rapat".into(),
                        visibility: Visibility::Internal,
                        status: AgendaStatus::Tentative,
                        attendance: Attendance::InPerson,
                        representative: None,
                        dress_code: String::new(),
                        assigned_staff: vec![],
                        running_order: String::new(),
                        internal_notes: String::new(),
                    });
                }
            }
        }
    }
}

/// What a fresh device with the same credentials gets from a full sync.
async fn fresh_snapshot(
    dir: &Path,
    url: &str,
    identity: &Identity,
    variant: Variant,
) -> Vec<Record> {
    let path = dir.join(format!("fresh-{}.db", uuid::Uuid::new_v4()));
    let store = Store::open(&path, variant).unwrap();
    match identity {
        Identity::Device { device_id, token } => store
            .set_device(&sepiion_core::api::DeviceRegistration {
                device_id: device_id.clone(),
                token: token.clone(),
            })
            .unwrap(),
        Identity::Staff {
            token,
            user,
            expires_at,
        } => store
            .set_session(&sepiion_core::api::LoginResponse {
                token: token.clone(),
                expires_at: *expires_at,
                user: user.clone(),
            })
            .unwrap(),
        Identity::None => panic!("device without identity"),
    }
    let engine = SyncEngine::new(store, ServerClient::with_http(url, one_shot_http()));
    engine
        .sync_once()
        .await
        .expect("fresh sync over a healthy network");
    let records = engine.store().server_records().unwrap();
    drop(engine);
    let _ = std::fs::remove_file(&path);
    records
}

/// What the server shows of each change's effects, from the admin's full view.
#[derive(Debug, Default)]
struct Effects {
    timeline_len: HashMap<String, usize>,
    /// Versions of agenda items not made from requests (only direct edits change them).
    item_version: HashMap<String, i64>,
    notes: BTreeSet<String>,
    requests: BTreeSet<String>,
}

fn effects(records: &[Record]) -> Effects {
    let mut e = Effects::default();
    for r in records {
        match r {
            Record::Request(r) => {
                e.timeline_len.insert(r.id.clone(), r.timeline.len());
                e.requests.insert(r.id.clone());
            }
            Record::AgendaItem(a)
                if a.internal
                    .as_ref()
                    .is_some_and(|i| i.source_request_id.is_none()) =>
            {
                e.item_version.insert(a.id.clone(), a.version);
            }
            Record::Note(n) => {
                e.notes.insert(n.id.clone());
            }
            _ => {}
        }
    }
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_connection_cuts_lose_nothing_and_duplicate_nothing() {
    let rounds: usize = std::env::var("SEPIION_FAULT_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("SEPIION_FAULT_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| Utc::now().timestamp_nanos_opt().unwrap_or(7) as u64);
    let server = start().await;
    let upstream = server.server.as_ref().unwrap().addr;
    let proxy = FaultProxy::start(upstream, Mode::Healthy).await;
    let dir = tempfile::tempdir().unwrap();
    let devices = [
        Device {
            name: "publik",
            engine: engine(dir.path(), "publik", Variant::Public, &proxy.url()),
            actor: Actor::Requester,
        },
        Device {
            name: "protokol",
            engine: staff(dir.path(), "protokol", &proxy.url(), "protokol").await,
            actor: Actor::Staff(Role::Protocol),
        },
        Device {
            name: "admin",
            engine: staff(dir.path(), "admin", &proxy.url(), "admin").await,
            actor: Actor::Staff(Role::Admin),
        },
    ];
    for d in &devices {
        d.engine.sync_once().await.unwrap();
    }
    let server_db = rusqlite::Connection::open_with_flags(
        &server.db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let admin_identity = devices[2].engine.store().identity().unwrap();
    let mut before = effects(
        &fresh_snapshot(dir.path(), &server.base, &admin_identity, Variant::Internal).await,
    );
    let mut rng = Rng(seed);
    let mut n = 0u64;
    let mut totals = BTreeMap::<&str, usize>::new();

    for round in 0..rounds {
        let _guard = SeedGuard { seed, round };
        // Offline changes.
        for d in &devices {
            for _ in 0..1 + rng.below(3) {
                n += 1;
                random_change(d, &mut rng, n);
            }
        }
        // The ledger: every change waiting to be sent, per device.
        let ledger: Vec<Vec<(String, MutationOp)>> = devices
            .iter()
            .map(|d| {
                d.engine
                    .store()
                    .outbox()
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.status == OutboxStatus::Pending)
                    .map(|e| (e.id, e.op))
                    .collect()
            })
            .collect();

        // Sync through a network that fails 40 % of connections, all devices at once.
        proxy.set_mode(Mode::Random {
            rng: Rng(rng.next_u64()),
            percent: 40,
        });
        let backoff = fast_backoff();
        let (r0, r1, r2) = tokio::join!(
            devices[0].engine.sync_with_retry(backoff, 200),
            devices[1].engine.sync_with_retry(backoff, 200),
            devices[2].engine.sync_with_retry(backoff, 200),
        );
        for r in [r0, r1, r2] {
            let report = r.expect("sync succeeds within 200 attempts on a 40 % faulty network");
            *totals
                .entry("answered again as already applied")
                .or_default() += report.push.already_applied;
        }
        // The network heals; everyone catches up with everyone.
        proxy.set_mode(Mode::Healthy);
        for d in devices.iter().chain(devices.iter()) {
            d.engine.sync_once().await.unwrap();
        }

        // Every change was answered once: applied, or kept on the device with the reason.
        let mut applied = Vec::new();
        for (d, entries) in devices.iter().zip(&ledger) {
            let outbox: HashMap<String, _> = d
                .engine
                .store()
                .outbox()
                .unwrap()
                .into_iter()
                .map(|e| (e.id.clone(), e))
                .collect();
            assert!(
                outbox.values().all(|e| e.status != OutboxStatus::Pending),
                "{}: pending changes left after a healthy sync",
                d.name
            );
            for (id, op) in entries {
                let on_server: Option<String> = server_db
                    .query_row(
                        "SELECT status FROM applied_mutations WHERE id = ?1",
                        params![id],
                        |r| r.get(0),
                    )
                    .optional()
                    .unwrap();
                match outbox.get(id) {
                    None => {
                        assert_eq!(
                            on_server.as_deref(),
                            Some("applied"),
                            "{}: {id} {op:?}",
                            d.name
                        );
                        applied.push(op.clone());
                        *totals.entry("applied").or_default() += 1;
                    }
                    Some(e) => {
                        let held = e.error.as_ref().is_some_and(|b| b.error == "held");
                        let expected = if held { None } else { Some(e.status.as_str()) };
                        assert_eq!(on_server.as_deref(), expected, "{}: {id} {op:?}", d.name);
                        *totals
                            .entry(if held { "held" } else { e.status.as_str() })
                            .or_default() += 1;
                    }
                }
            }
        }

        // Every device holds what a fresh full sync with its credentials holds (checked every
        // tenth round and at the end: full syncs are the slow part), and shows it.
        let compare_fresh = round % 10 == 9 || round + 1 == rounds;
        for d in &devices {
            let mine = d.engine.store().server_records().unwrap();
            if compare_fresh {
                let identity = d.engine.store().identity().unwrap();
                let variant = d.engine.store().variant();
                let fresh = fresh_snapshot(dir.path(), &server.base, &identity, variant).await;
                assert_eq!(mine, fresh, "{}: cache differs from a fresh sync", d.name);
            }
            if d.name == "admin" {
                // The server shows each applied change exactly once (the admin sees it all).
                let after = effects(&mine);
                let mut timeline = before.timeline_len.clone();
                let mut versions = before.item_version.clone();
                let mut notes = before.notes.clone();
                let mut requests = before.requests.clone();
                for op in &applied {
                    match op {
                        MutationOp::SubmitRequest { request } => {
                            let id = request.id.clone().unwrap();
                            assert!(requests.insert(id.clone()), "request {id} submitted twice");
                            timeline.insert(id, 1);
                        }
                        MutationOp::Transition { request_id, .. } => {
                            *timeline.get_mut(request_id).expect("known request") += 1;
                        }
                        MutationOp::AddNote { note, .. } => {
                            assert!(notes.insert(note.id.clone().unwrap()));
                        }
                        MutationOp::CreateAgendaItem { item } => {
                            versions.insert(item.id.clone().unwrap(), 1);
                        }
                        MutationOp::UpdateAgendaItem { id, .. }
                        | MutationOp::CancelAgendaItem { id, .. } => {
                            *versions.get_mut(id).expect("known item") += 1;
                        }
                        // Not made by this test's devices.
                        MutationOp::MarkNotificationRead { .. } => {}
                    }
                }
                assert_eq!(after.requests, requests);
                assert_eq!(after.notes, notes);
                assert_eq!(after.timeline_len, timeline);
                assert_eq!(after.item_version, versions);
                before = after;
            }
            // With nothing pending, what is shown is the server's record.
            let mut shown = Vec::new();
            for kind in [
                EntityKind::AgendaItem,
                EntityKind::Leader,
                EntityKind::Note,
                EntityKind::Notification,
                EntityKind::Representative,
                EntityKind::Request,
            ] {
                let mut of_kind = d.engine.store().records_of(kind).unwrap();
                of_kind.sort_by(|a, b| a.id().cmp(b.id()));
                shown.extend(of_kind);
            }
            assert_eq!(
                shown, mine,
                "{}: shown records differ from the server's",
                d.name
            );
        }

        // The user settles conflicts and refusals: keep mine (queued again) or take the server's.
        for d in &devices {
            for e in d.engine.store().outbox().unwrap() {
                if e.status == OutboxStatus::Conflict && rng.chance(50) {
                    d.engine.store().resolve_keep_mine(&e.id).unwrap();
                } else {
                    d.engine.store().resolve_take_server(&e.id).unwrap();
                }
            }
        }
    }
    let counts = proxy.counts();
    eprintln!(
        "fault injection: seed {seed}, {rounds} rounds, {} connections, {} cut; outcomes {totals:?}",
        counts.connections, counts.faults
    );
    assert!(counts.faults > 0);
    assert!(totals.get("applied").copied().unwrap_or(0) > rounds);
}
