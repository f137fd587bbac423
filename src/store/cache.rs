//! Server records in the cache, and the record screens see.
//!
//! Each row keeps the record as the server last sent it (`server_json`) apart from what is shown
//! (`json`; NULL when that is the server's record itself, as it is unless a local change is
//! pending, so that a record's JSON is not stored twice). A pull only ever replaces the server part and then recomputes the shown part by
//! re-applying this device's pending outbox entries on top ([`refresh`]). So a pull never loses a
//! local change, even when it brings a newer server state of the same record; and once the
//! server confirms the change, the outbox entry goes and the server record alone remains.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::sync::{EntityKind, MutationOp, PullPage, Record};

use super::overlay::{LocalActor, apply_locally};
use super::{StoreResult, set_state};

/// The columns screens filter and sort on, taken from a record.
struct Columns {
    leader_id: Option<String>,
    starts_at: Option<i64>,
    ends_at: Option<i64>,
    state: Option<String>,
    request_id: Option<String>,
}

fn columns(rec: &Record) -> Columns {
    let none = Columns {
        leader_id: None,
        starts_at: None,
        ends_at: None,
        state: None,
        request_id: None,
    };
    match rec {
        Record::AgendaItem(a) => Columns {
            leader_id: Some(a.leader_id.clone()),
            starts_at: Some(a.starts_at.timestamp()),
            ends_at: Some(a.ends_at.timestamp()),
            state: Some(a.status.as_str().to_string()),
            request_id: a
                .internal
                .as_ref()
                .and_then(|i| i.source_request_id.clone()),
        },
        Record::Request(r) => Columns {
            // The leader it is for: the one it was forwarded to, else the one asked for
            // (NULL: either leader).
            leader_id: r.assigned_leader_id.clone().or(r.leader_id.clone()),
            starts_at: Some(r.starts_at.timestamp()),
            ends_at: Some(r.ends_at.timestamp()),
            state: Some(r.state.as_str().to_string()),
            request_id: Some(r.id.clone()),
        },
        Record::Note(n) => Columns {
            starts_at: Some(n.created_at.timestamp()),
            request_id: Some(n.request_id.clone()),
            ..none
        },
        Record::Leader(l) => Columns {
            starts_at: Some(l.sort_order),
            ..none
        },
        Record::Representative(_) => none,
        // Newest first by creation time; `state` tells read from unread.
        Record::Notification(n) => Columns {
            starts_at: Some(n.created_at.timestamp()),
            state: Some(
                if n.read_at.is_some() {
                    "read"
                } else {
                    "unread"
                }
                .to_string(),
            ),
            request_id: match &n.link {
                sepiion_core::notify::Link::Request(id) => Some(id.clone()),
                _ => None,
            },
            ..none
        },
    }
}

/// The server's record, as last received.
pub(crate) fn server_record(
    tx: &Transaction,
    kind: EntityKind,
    id: &str,
) -> StoreResult<Option<Record>> {
    let json: Option<Option<String>> = tx
        .prepare_cached("SELECT server_json FROM records WHERE kind = ?1 AND id = ?2")?
        .query_row(params![kind.as_str(), id], |r| r.get(0))
        .optional()?;
    Ok(match json.flatten() {
        Some(j) => Some(serde_json::from_str(&j)?),
        None => None,
    })
}

/// The record as screens see it.
pub(crate) fn shown_record(
    tx: &Transaction,
    kind: EntityKind,
    id: &str,
) -> StoreResult<Option<Record>> {
    let json: Option<String> = tx
        .prepare_cached(
            "SELECT coalesce(json, server_json) FROM records WHERE kind = ?1 AND id = ?2",
        )?
        .query_row(params![kind.as_str(), id], |r| r.get(0))
        .optional()?;
    Ok(match json {
        Some(j) => Some(serde_json::from_str(&j)?),
        None => None,
    })
}

/// Stores a record the server sent. A record older than the one already cached is ignored, so
/// answers arriving out of order cannot move the cache backwards. Returns whether it was stored.
pub(crate) fn put_server_record(tx: &Transaction, rec: &Record) -> StoreResult<bool> {
    let json = serde_json::to_string(rec)?;
    let changed = tx
        .prepare_cached(
            "INSERT INTO records (kind, id, server_json, server_version)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (kind, id) DO UPDATE
                SET server_json = excluded.server_json, server_version = excluded.server_version
              WHERE records.server_version IS NULL
                 OR records.server_version <= excluded.server_version",
        )?
        .execute(params![rec.kind().as_str(), rec.id(), json, rec.version()])?;
    Ok(changed > 0)
}

/// The server no longer has the record, or this device may no longer see it.
pub(crate) fn drop_server_record(tx: &Transaction, kind: EntityKind, id: &str) -> StoreResult<()> {
    tx.prepare_cached(
        "UPDATE records SET json = coalesce(json, server_json), server_json = NULL,
             server_version = NULL
         WHERE kind = ?1 AND id = ?2",
    )?
    .execute(params![kind.as_str(), id])?;
    Ok(())
}

/// Recomputes what screens see of one record: the server record with this device's pending
/// changes re-applied in order. A record with neither is removed.
pub(crate) fn refresh(
    tx: &Transaction,
    actor: &LocalActor,
    kind: EntityKind,
    id: &str,
) -> StoreResult<()> {
    let server = server_record(tx, kind, id)?;
    let pending: Vec<(String, i64)> = tx
        .prepare_cached(
            "SELECT op, created_at FROM outbox
             WHERE kind = ?1 AND record_id = ?2 AND status = 'pending' ORDER BY seq",
        )?
        .query_map(params![kind.as_str(), id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let conflict: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM outbox
             WHERE kind = ?1 AND record_id = ?2 AND status = 'conflict')",
        )?
        .query_row(params![kind.as_str(), id], |r| r.get(0))?;
    let mut shown = server;
    for (op, created_at) in &pending {
        let op: MutationOp = serde_json::from_str(op)?;
        let at = DateTime::<Utc>::from_timestamp(*created_at, 0).unwrap_or_default();
        shown = apply_locally(shown, &op, actor, at);
    }
    match shown {
        None => {
            tx.prepare_cached("DELETE FROM records WHERE kind = ?1 AND id = ?2")?
                .execute(params![kind.as_str(), id])?;
        }
        Some(rec) => {
            let c = columns(&rec);
            // With nothing pending, what is shown is the server's record, which the row holds
            // already (`server_json`): not stored a second time. (An upsert cannot do that: the
            // row it would insert fails the table's check before the conflict is seen.)
            let sql = if pending.is_empty() {
                "UPDATE records SET json = NULL, leader_id = ?4, starts_at = ?5, ends_at = ?6,
                     state = ?7, request_id = ?8, pending = 0, conflict = ?9
                 WHERE kind = ?1 AND id = ?2 AND ?3 IS NULL"
            } else {
                "INSERT INTO records (kind, id, json, leader_id, starts_at, ends_at, state,
                     request_id, pending, conflict)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9)
                 ON CONFLICT (kind, id) DO UPDATE SET json = excluded.json,
                     leader_id = excluded.leader_id, starts_at = excluded.starts_at,
                     ends_at = excluded.ends_at, state = excluded.state,
                     request_id = excluded.request_id, pending = 1,
                     conflict = excluded.conflict"
            };
            let json = if pending.is_empty() {
                None
            } else {
                Some(serde_json::to_string(&rec)?)
            };
            tx.prepare_cached(sql)?.execute(params![
                kind.as_str(),
                id,
                json,
                c.leader_id,
                c.starts_at,
                c.ends_at,
                c.state,
                c.request_id,
                conflict
            ])?;
        }
    }
    Ok(())
}

/// Most pulled changes applied in one transaction. A local write waits for at most one such
/// chunk (a few milliseconds); each commit writes the WAL and now and then checkpoints it, which
/// at 100 per transaction took a sixth of a full sync's CPU time (`bench/sync`).
pub const APPLY_CHUNK: usize = 500;

/// Whether this device has an outbox entry (pending, or waiting for the user) for the record.
fn has_local_changes(tx: &Transaction, kind: EntityKind, id: &str) -> StoreResult<bool> {
    Ok(tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE kind = ?1 AND record_id = ?2)")?
        .query_row(params![kind.as_str(), id], |r| r.get(0))?)
}

/// Stores a server record that no local change touches: what screens see is then the server's
/// record itself, written in the same statement (the general path, [`put_server_record`] then
/// [`refresh`], reads it back and applies the outbox; this is what it comes to, once). The
/// version rule is the same: an older record than the one stored changes nothing.
fn put_plain_server_record(tx: &Transaction, rec: &Record) -> StoreResult<()> {
    let json = serde_json::to_string(rec)?;
    let c = columns(rec);
    tx.prepare_cached(
        "INSERT INTO records (kind, id, server_json, server_version, json, leader_id, starts_at,
             ends_at, state, request_id, pending, conflict)
         VALUES (?1, ?2, ?3, ?4, NULL, ?5, ?6, ?7, ?8, ?9, 0, 0)
         ON CONFLICT (kind, id) DO UPDATE
            SET server_json = excluded.server_json, server_version = excluded.server_version,
                json = NULL, leader_id = excluded.leader_id,
                starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                state = excluded.state, request_id = excluded.request_id,
                pending = 0, conflict = 0
          WHERE records.server_version IS NULL
             OR records.server_version <= excluded.server_version",
    )?
    .execute(params![
        rec.kind().as_str(),
        rec.id(),
        json,
        rec.version(),
        c.leader_id,
        c.starts_at,
        c.ends_at,
        c.state,
        c.request_id
    ])?;
    Ok(())
}

fn apply_changes(
    tx: &Transaction,
    actor: &LocalActor,
    changes: &[sepiion_core::sync::Change],
) -> StoreResult<()> {
    // Checked once per transaction: nothing else writes the outbox while it is open.
    let outbox_empty: bool = tx
        .prepare_cached("SELECT NOT EXISTS (SELECT 1 FROM outbox)")?
        .query_row([], |r| r.get(0))?;
    for change in changes {
        match &change.record {
            Some(rec) if outbox_empty || !has_local_changes(tx, rec.kind(), rec.id())? => {
                put_plain_server_record(tx, rec)?;
                continue;
            }
            Some(rec) => {
                put_server_record(tx, rec)?;
            }
            None => drop_server_record(tx, change.entity, &change.id)?,
        }
        refresh(tx, actor, change.entity, &change.id)?;
    }
    Ok(())
}

/// Applies one pull page and saves its cursor, in the caller's transaction: a page is either
/// wholly in the cache with its cursor, or not at all.
pub(crate) fn apply_pull_page(
    tx: &Transaction,
    actor: &LocalActor,
    page: &PullPage,
) -> StoreResult<()> {
    apply_changes(tx, actor, &page.changes)?;
    finish_page(tx, page)
}

/// Stores a page's cursor (and, when caught up, the time of the sync).
fn finish_page(tx: &Transaction, page: &PullPage) -> StoreResult<()> {
    set_state(tx, "cursor", &page.cursor)?;
    if !page.has_more {
        set_state(tx, "last_sync_at", &Utc::now().to_rfc3339())?;
    }
    Ok(())
}

/// Forgets every server record and the cursor (the server said the cursor is stale: a clean full
/// resync follows). Records with unsent local changes stay visible as local records.
pub(crate) fn drop_all_server_records(tx: &Transaction, actor: &LocalActor) -> StoreResult<()> {
    let pending: Vec<(String, String)> = tx
        .prepare("SELECT DISTINCT kind, record_id FROM outbox")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute("DELETE FROM records", [])?;
    for (kind, id) in pending {
        if let Some(kind) = EntityKind::parse(&kind) {
            refresh(tx, actor, kind, &id)?;
        }
    }
    tx.execute("DELETE FROM sync_state WHERE key = 'cursor'", [])?;
    Ok(())
}

impl super::Store {
    /// Applies a pull page in transactions of at most [`APPLY_CHUNK`] changes, so that no
    /// write holds the database for long; the cursor is stored with the last one. Stopping in
    /// between is harmless: the page is pulled again from the old cursor, and storing a server
    /// record twice is the same as once.
    pub fn apply_pull_page(&self, page: &PullPage) -> StoreResult<()> {
        let mut chunks = page.changes.chunks(APPLY_CHUNK).peekable();
        if chunks.peek().is_none() {
            // An empty page still moves the cursor.
            return self.write_pulled(|tx| apply_pull_page(tx, &super::local_actor(tx)?, page));
        }
        while let Some(chunk) = chunks.next() {
            let last = chunks.peek().is_none();
            self.write_pulled(|tx| {
                apply_changes(tx, &super::local_actor(tx)?, chunk)?;
                if last {
                    finish_page(tx, page)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Prepares a clean full resync: forgets every server record and the cursor, keeps the
    /// outbox (and shows the records it changes as local records until the server's arrive).
    pub fn reset_for_full_resync(&self) -> StoreResult<()> {
        self.write(|tx| drop_all_server_records(tx, &super::local_actor(tx)?))
    }
}
