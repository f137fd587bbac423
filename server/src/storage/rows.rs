//! Rows to records: reading leaders, representatives, agenda items, requests and notes from the
//! database, full and unfiltered. What a caller may see of them is decided in
//! `domain::visibility`, never here.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use sepiion_core::model::*;
use sepiion_core::sync::{EntityKind, Record};

/// The columns [`agenda_from_row`] reads, in the order it reads them (by position: looking
/// columns up by name cost a linear search per field, ~5 % of a full sync's CPU). Every query
/// it maps selects exactly these: `concat!("SELECT ", agenda_columns!(), " FROM …")`.
macro_rules! agenda_columns {
    () => {
        "id, leader_id, title, starts_at, ends_at, location, category, visibility, status, attendance, representative, dress_code, assigned_staff, running_order, internal_notes, source_request_id, ical_sequence, updated_at, version"
    };
}

/// The columns [`request_from_row`] reads, in its order (see [`agenda_columns`]).
macro_rules! request_columns {
    () => {
        "id, tracking_code, kind, leader_id, assigned_leader_id, title, description, starts_at, ends_at, location, organizer, requester_name, requester_phone, requester_email, expected_attendees, leader_role, dress_code, letter_number, state, state_reason, representative, proposed_starts_at, proposed_ends_at, supplied_info, agenda_item_id, created_at, updated_at, version"
    };
}
pub(crate) use request_columns;

pub fn ts(secs: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default()
}

fn opt_ts(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.map(ts)
}

pub fn leader_from_row(r: &Row) -> rusqlite::Result<Leader> {
    Ok(Leader {
        id: r.get("id")?,
        title: r.get("title")?,
        name: r.get("name")?,
        sort_order: r.get("sort_order")?,
        version: r.get("version")?,
    })
}

pub fn load_leaders(tx: &Transaction) -> rusqlite::Result<Vec<Leader>> {
    let mut st = tx.prepare_cached("SELECT * FROM leaders ORDER BY sort_order, id")?;
    st.query_map([], leader_from_row)?.collect()
}

pub fn load_leader(tx: &Transaction, id: &str) -> rusqlite::Result<Option<Leader>> {
    tx.prepare_cached("SELECT * FROM leaders WHERE id = ?1")?
        .query_row(params![id], leader_from_row)
        .optional()
}

pub fn representative_from_row(r: &Row) -> rusqlite::Result<Representative> {
    Ok(Representative {
        id: r.get("id")?,
        name: r.get("name")?,
        position: r.get("position")?,
        active: r.get("active")?,
        version: r.get("version")?,
    })
}

pub fn load_representatives(tx: &Transaction) -> rusqlite::Result<Vec<Representative>> {
    let mut st = tx.prepare_cached("SELECT * FROM representatives ORDER BY name")?;
    st.query_map([], representative_from_row)?.collect()
}

pub fn load_representative(tx: &Transaction, id: &str) -> rusqlite::Result<Option<Representative>> {
    tx.prepare_cached("SELECT * FROM representatives WHERE id = ?1")?
        .query_row(params![id], representative_from_row)
        .optional()
}

fn parse_or<T>(s: String, parse: impl Fn(&str) -> Option<T>, what: &str) -> rusqlite::Result<T> {
    parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown {what} {s:?}").into(),
        )
    })
}

pub fn agenda_from_row(r: &Row) -> rusqlite::Result<AgendaItem> {
    let staff: String = r.get(12)?;
    Ok(AgendaItem {
        id: r.get(0)?,
        leader_id: r.get(1)?,
        title: r.get(2)?,
        starts_at: ts(r.get(3)?),
        ends_at: ts(r.get(4)?),
        location: r.get(5)?,
        category: r.get(6)?,
        visibility: parse_or(r.get(7)?, Visibility::parse, "visibility")?,
        status: parse_or(r.get(8)?, AgendaStatus::parse, "status")?,
        attendance: parse_or(r.get(9)?, Attendance::parse, "attendance")?,
        representative: r.get(10)?,
        dress_code: r.get(11)?,
        internal: Some(AgendaInternal {
            assigned_staff: serde_json::from_str(&staff).unwrap_or_default(),
            running_order: r.get(13)?,
            internal_notes: r.get(14)?,
            source_request_id: r.get(15)?,
        }),
        ical_sequence: r.get(16)?,
        updated_at: ts(r.get(17)?),
        version: r.get(18)?,
    })
}

pub fn load_agenda_item(tx: &Transaction, id: &str) -> rusqlite::Result<Option<AgendaItem>> {
    tx.prepare_cached(concat!(
        "SELECT ",
        agenda_columns!(),
        " FROM agenda_items WHERE id = ?1"
    ))?
    .query_row(params![id], agenda_from_row)
    .optional()
}

/// Agenda items of `leader` (or all leaders) that overlap `[from, to)`.
pub fn load_agenda_range(
    tx: &Transaction,
    leader: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> rusqlite::Result<Vec<AgendaItem>> {
    // No item lasts longer than `MAX_AGENDA_DAYS`, so one that overlaps the range starts at most
    // that long before it: the start index then reads the range's items only, not all the
    // years before it (conflict checks run this on every agenda write).
    let earliest = from - chrono::Duration::days(sepiion_core::validation::MAX_AGENDA_DAYS);
    let mut st = tx.prepare_cached(concat!(
        "SELECT ",
        agenda_columns!(),
        " FROM agenda_items
         WHERE (?1 IS NULL OR leader_id = ?1) AND starts_at >= ?4 AND starts_at < ?3
           AND ends_at > ?2
         ORDER BY starts_at, id"
    ))?;
    st.query_map(
        params![
            leader,
            from.timestamp(),
            to.timestamp(),
            earliest.timestamp()
        ],
        agenda_from_row,
    )?
    .collect()
}

pub(crate) fn request_from_row(r: &Row) -> rusqlite::Result<Request> {
    Ok(Request {
        id: r.get(0)?,
        tracking_code: r.get(1)?,
        kind: parse_or(r.get(2)?, RequestKind::parse, "kind")?,
        leader_id: r.get(3)?,
        assigned_leader_id: r.get(4)?,
        title: r.get(5)?,
        description: r.get(6)?,
        starts_at: ts(r.get(7)?),
        ends_at: ts(r.get(8)?),
        location: r.get(9)?,
        organizer: r.get(10)?,
        requester_name: r.get(11)?,
        requester_phone: r.get(12)?,
        requester_email: r.get(13)?,
        expected_attendees: r.get(14)?,
        leader_role: r.get(15)?,
        dress_code: r.get(16)?,
        letter_number: r.get(17)?,
        state: parse_or(r.get(18)?, RequestState::parse, "state")?,
        state_reason: r.get(19)?,
        representative: r.get(20)?,
        proposed_starts_at: opt_ts(r.get(21)?),
        proposed_ends_at: opt_ts(r.get(22)?),
        supplied_info: r.get(23)?,
        agenda_item_id: r.get(24)?,
        attachments: Vec::new(),
        timeline: Vec::new(),
        created_at: ts(r.get(25)?),
        updated_at: ts(r.get(26)?),
        version: r.get(27)?,
    })
}

pub(crate) fn fill_request(tx: &Transaction, mut req: Request) -> rusqlite::Result<Request> {
    let mut st = tx.prepare_cached(
        "SELECT id, filename, content_type, size FROM attachments
         WHERE request_id = ?1 ORDER BY created_at, id",
    )?;
    req.attachments = st
        .query_map(params![req.id], |r| {
            Ok(AttachmentMeta {
                id: r.get(0)?,
                filename: r.get(1)?,
                content_type: r.get(2)?,
                size: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut st = tx.prepare_cached(
        "SELECT at, from_state, to_state, actor, actor_role, actor_name, reason
         FROM request_events WHERE request_id = ?1 ORDER BY id",
    )?;
    req.timeline = st
        .query_map(params![req.id], |r| {
            let from: Option<String> = r.get(1)?;
            let actor: String = r.get(3)?;
            let role: Option<String> = r.get(4)?;
            Ok(TimelineEntry {
                at: ts(r.get(0)?),
                from: from.as_deref().and_then(RequestState::parse),
                to: parse_or(r.get(2)?, RequestState::parse, "state")?,
                actor: ActorKind::parse(&actor).unwrap_or(ActorKind::System),
                actor_role: role.as_deref().and_then(Role::parse),
                actor_name: r.get(5)?,
                reason: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(req)
}

/// A request with its attachments and full timeline (staff view).
pub fn load_request(tx: &Transaction, id: &str) -> rusqlite::Result<Option<Request>> {
    let req = tx
        .prepare_cached(concat!(
            "SELECT ",
            request_columns!(),
            " FROM requests WHERE id = ?1"
        ))?
        .query_row(params![id], request_from_row)
        .optional()?;
    req.map(|r| fill_request(tx, r)).transpose()
}

pub fn load_request_by_code(tx: &Transaction, code: &str) -> rusqlite::Result<Option<Request>> {
    let req = tx
        .prepare_cached(concat!(
            "SELECT ",
            request_columns!(),
            " FROM requests WHERE tracking_code = ?1"
        ))?
        .query_row(params![code], request_from_row)
        .optional()?;
    req.map(|r| fill_request(tx, r)).transpose()
}

/// The device a request belongs to.
pub fn request_owner(tx: &Transaction, id: &str) -> rusqlite::Result<Option<Option<String>>> {
    tx.prepare_cached("SELECT device_id FROM requests WHERE id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()
}

pub fn load_device_requests(tx: &Transaction, device: &str) -> rusqlite::Result<Vec<Request>> {
    let mut st = tx.prepare_cached(concat!(
        "SELECT ",
        request_columns!(),
        " FROM requests WHERE device_id = ?1 ORDER BY created_at DESC, id"
    ))?;
    let rows: Vec<Request> = st
        .query_map(params![device], request_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|r| fill_request(tx, r).map(Request::public_view))
        .collect()
}

pub fn note_from_row(r: &Row) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get("id")?,
        request_id: r.get("request_id")?,
        author_name: r.get("author_name")?,
        author_role: parse_or(r.get("author_role")?, Role::parse, "role")?,
        instruction: r.get("instruction")?,
        text: r.get("text")?,
        created_at: ts(r.get("created_at")?),
    })
}

pub fn load_notes(tx: &Transaction, request_id: &str) -> rusqlite::Result<Vec<Note>> {
    let mut st =
        tx.prepare_cached("SELECT * FROM notes WHERE request_id = ?1 ORDER BY created_at, rowid")?;
    st.query_map(params![request_id], note_from_row)?.collect()
}

pub fn load_note(tx: &Transaction, id: &str) -> rusqlite::Result<Option<Note>> {
    tx.prepare_cached("SELECT * FROM notes WHERE id = ?1")?
        .query_row(params![id], note_from_row)
        .optional()
}

/// Loads a record by kind and id (full, unfiltered).
pub fn load_record(
    tx: &Transaction,
    kind: EntityKind,
    id: &str,
) -> rusqlite::Result<Option<Record>> {
    Ok(match kind {
        EntityKind::Leader => load_leader(tx, id)?.map(Record::Leader),
        EntityKind::Representative => load_representative(tx, id)?.map(Record::Representative),
        EntityKind::Request => load_request(tx, id)?.map(|r| Record::Request(Box::new(r))),
        EntityKind::AgendaItem => {
            load_agenda_item(tx, id)?.map(|a| Record::AgendaItem(Box::new(a)))
        }
        EntityKind::Note => load_note(tx, id)?.map(Record::Note),
        EntityKind::Notification => super::notifications::load_notification(tx, id)?
            .map(|n| Record::Notification(Box::new(n))),
    })
}

/// An attachment of request `request_id`: (file name, content type, bytes).
pub fn load_attachment(
    tx: &Transaction,
    request_id: &str,
    attachment_id: &str,
) -> rusqlite::Result<Option<(String, String, Vec<u8>)>> {
    tx.query_row(
        "SELECT filename, content_type, data FROM attachments
         WHERE id = ?1 AND request_id = ?2",
        params![attachment_id, request_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}
