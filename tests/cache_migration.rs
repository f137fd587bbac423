//! A cache made by the previous schema version opens with this build and keeps its data: server
//! records, unsent changes, the cursor and the session.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, params};
use sepiion::platform::Variant;
use sepiion::store::{Identity, OutboxStatus, Store, schema};
use sepiion_core::api::AgendaItemInput;
use sepiion_core::model::*;
use sepiion_core::sync::{Mutation, MutationOp, Record};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn item() -> AgendaItem {
    AgendaItem {
        id: "7d3c1c9e-51a8-4f57-9a57-3d1d2b0f0a01".into(),
        leader_id: "bupati".into(),
        title: "Malam pergantian tahun Saka".into(),
        // 23.00 WITA on 18 March to 01.00 WITA on 19 March.
        starts_at: utc("2026-03-18T15:00:00Z"),
        ends_at: utc("2026-03-18T17:00:00Z"),
        location: "Catus Pata Semarapura".into(),
        category: "Keagamaan".into(),
        visibility: Visibility::Public,
        status: AgendaStatus::Confirmed,
        attendance: Attendance::InPerson,
        representative: None,
        dress_code: "Pakaian adat madya".into(),
        internal: Some(AgendaInternal::default()),
        ical_sequence: 0,
        updated_at: utc("2026-03-01T00:00:00Z"),
        version: 4,
    }
}

fn leader() -> Leader {
    Leader {
        id: "bupati".into(),
        title: "Bupati Klungkung".into(),
        name: "I Made Bupati".into(),
        sort_order: 0,
        version: 1,
    }
}

#[test]
fn a_version_1_cache_opens_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let item = item();
    let record = Record::AgendaItem(Box::new(item.clone()));
    let json = serde_json::to_string(&record).unwrap();
    let mut edit = AgendaItemInput::from_item(&item);
    edit.location = "Puri Agung Klungkung".into();
    let mutation = Mutation {
        id: "0d7f5f7e-2c61-4a8e-8e0c-9f1b0c2d3e4f".into(),
        base_version: Some(4),
        op: MutationOp::UpdateAgendaItem {
            id: item.id.clone(),
            item: edit,
        },
    };
    let user = StaffUser {
        id: 3,
        username: "sespri.bupati".into(),
        display_name: "Luh Sespri Bupati".into(),
        role: Role::Sespri,
        leader_id: Some("bupati".into()),
        active: true,
    };
    {
        // What the app's version-1 build wrote.
        let mut conn = Connection::open(&path).unwrap();
        schema::migrate_to(&mut conn, 1).unwrap();
        assert_eq!(schema::version(&conn).unwrap(), 1);
        conn.execute(
            "INSERT INTO records (kind, id, server_json, server_version, json, leader_id,
                 starts_at, state, request_id, pending, conflict)
             VALUES ('agenda_item', ?1, ?2, 4, ?2, 'bupati', ?3, 'confirmed', NULL, 1, 0)",
            params![item.id, json, item.starts_at.timestamp()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO records (kind, id, server_json, server_version, json, starts_at)
             VALUES ('leader', 'bupati', ?1, 1, ?1, 0)",
            params![serde_json::to_string(&Record::Leader(leader())).unwrap()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO outbox (id, kind, record_id, op, base_version, created_at)
             VALUES (?1, 'agenda_item', ?2, ?3, 4, ?4)",
            params![
                mutation.id,
                item.id,
                serde_json::to_string(&mutation.op).unwrap(),
                Utc::now().timestamp()
            ],
        )
        .unwrap();
        for (k, v) in [
            ("cursor", "c1-2a".to_string()),
            ("session_token", "sps_abc".to_string()),
            ("session_user", serde_json::to_string(&user).unwrap()),
            (
                "session_expires_at",
                "2027-01-01T00:00:00+00:00".to_string(),
            ),
        ] {
            conn.execute(
                "INSERT INTO sync_state (key, value) VALUES (?1, ?2)",
                params![k, v],
            )
            .unwrap();
        }
    }

    let store = Store::open(&path, Variant::Internal).unwrap();
    {
        let conn = Connection::open(&path).unwrap();
        assert_eq!(schema::version(&conn).unwrap(), schema::LATEST as i64);
    }
    assert_eq!(store.cursor().unwrap().as_deref(), Some("c1-2a"));
    match store.identity().unwrap() {
        Identity::Staff { token, user: u, .. } => {
            assert_eq!(token, "sps_abc");
            assert_eq!(u, user);
        }
        other => panic!("session lost: {other:?}"),
    }
    assert_eq!(
        store.server_records().unwrap(),
        vec![record, Record::Leader(leader())]
    );
    assert_eq!(store.leaders().unwrap(), vec![leader()]);
    {
        // Version 6 stores a record's JSON once where what is shown is the server's record.
        let conn = Connection::open(&path).unwrap();
        let twice: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM records WHERE json IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(twice, 0);
    }
    let outbox = store.outbox().unwrap();
    assert_eq!(outbox.len(), 1);
    assert_eq!(outbox[0].mutation(), mutation);
    assert_eq!(outbox[0].status, OutboxStatus::Pending);
    assert_eq!(outbox[0].attempts, 0);

    // Version 2 reads the agenda by overlap, using the end time it filled in: the item that
    // began at 23.00 on 18 March is on the agenda of 19 March too.
    let tz = chrono_tz::Asia::Makassar;
    let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
    let on_19 = store.agenda(Some("bupati"), day(19), day(19), tz).unwrap();
    assert_eq!(on_19.len(), 1);
    assert_eq!(on_19[0].item.id, item.id);
    assert!(on_19[0].pending);
    assert!(store.agenda(None, day(20), day(20), tz).unwrap().is_empty());
    assert_eq!(store.agenda(None, day(18), day(18), tz).unwrap().len(), 1);
}
