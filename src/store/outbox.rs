//! The outbox: local changes in the order they were made, each a [`Mutation`] with a UUID the
//! server uses to apply it at most once.
//!
//! Pushing takes the oldest pending entries in order ([`Store::next_push_batch`]); a batch holds
//! at most one entry per record, so a change made on top of another pending change of the same
//! record is sent only after the first one's fate is known. If the first is applied, the second
//! goes next with the version the first produced; if it conflicts or is refused, the second is
//! held as a conflict too rather than being applied to a record that is not what the user saw.
//!
//! A conflict keeps the local change with the server's current record until the user decides:
//! keep mine ([`Store::resolve_keep_mine`]: the same change again, on top of the server's
//! version) or take the server's ([`Store::resolve_take_server`]: the local change is dropped).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::api::{AgendaItemInput, ErrorBody};
use sepiion_core::sync::{
    EntityKind, Mutation, MutationOp, MutationResult, MutationStatus, Record,
};

use super::cache::{put_server_record, refresh, server_record, shown_record};
use super::overlay::LocalActor;
use super::{Store, StoreError, StoreResult, get_state, local_actor, set_state};

/// The sync-state key prefix of a note's mentions that matched no account (`…{note id}`): kept
/// with the account's data, so signing out forgets them.
const UNKNOWN_MENTIONS: &str = "note_unknown_mentions:";

/// Where an outbox entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboxStatus {
    /// Not yet confirmed by the server.
    Pending,
    /// The server has a different version: kept with the server's record until the user decides.
    Conflict,
    /// The server refused it (invalid, not allowed, not found): kept with the reason.
    Rejected,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Conflict => "conflict",
            OutboxStatus::Rejected => "rejected",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "conflict" => OutboxStatus::Conflict,
            "rejected" => OutboxStatus::Rejected,
            _ => OutboxStatus::Pending,
        }
    }
}

/// One local change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The mutation id (UUID).
    pub id: String,
    pub kind: EntityKind,
    pub record_id: String,
    pub op: MutationOp,
    pub base_version: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub status: OutboxStatus,
    /// Why the server refused it, or why it is held.
    pub error: Option<ErrorBody>,
    /// For a conflict: the record as the server has it.
    pub server_record: Option<Record>,
    /// How many times it was sent without an answer coming back.
    pub attempts: i64,
}

impl OutboxEntry {
    pub fn mutation(&self) -> Mutation {
        Mutation {
            id: self.id.clone(),
            base_version: self.base_version,
            op: self.op.clone(),
        }
    }
}

/// The fate of the mutations of one push.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PushTally {
    pub applied: usize,
    /// Applied by an earlier push whose answer was lost.
    pub already_applied: usize,
    pub conflicts: usize,
    pub rejected: usize,
    /// Held because an earlier change of the same record was not applied.
    pub held: usize,
}

impl std::ops::AddAssign for PushTally {
    fn add_assign(&mut self, o: Self) {
        self.applied += o.applied;
        self.already_applied += o.already_applied;
        self.conflicts += o.conflicts;
        self.rejected += o.rejected;
        self.held += o.held;
    }
}

const ENTRY_COLUMNS: &str =
    "id, kind, record_id, op, base_version, created_at, status, error, server_record, attempts";

/// A row as stored; the JSON columns are parsed outside the row closure, where their errors can
/// be reported as such.
struct RawEntry {
    id: String,
    kind: String,
    record_id: String,
    op: String,
    base_version: Option<i64>,
    created_at: i64,
    status: String,
    error: Option<String>,
    server_record: Option<String>,
    attempts: i64,
}

fn raw_from_row(r: &rusqlite::Row) -> rusqlite::Result<RawEntry> {
    Ok(RawEntry {
        id: r.get(0)?,
        kind: r.get(1)?,
        record_id: r.get(2)?,
        op: r.get(3)?,
        base_version: r.get(4)?,
        created_at: r.get(5)?,
        status: r.get(6)?,
        error: r.get(7)?,
        server_record: r.get(8)?,
        attempts: r.get(9)?,
    })
}

impl RawEntry {
    fn parse(self) -> StoreResult<OutboxEntry> {
        Ok(OutboxEntry {
            id: self.id,
            kind: EntityKind::parse(&self.kind).unwrap_or(EntityKind::Request),
            record_id: self.record_id,
            op: serde_json::from_str(&self.op)?,
            base_version: self.base_version,
            created_at: DateTime::<Utc>::from_timestamp(self.created_at, 0).unwrap_or_default(),
            status: OutboxStatus::parse(&self.status),
            error: self.error.map(|e| serde_json::from_str(&e)).transpose()?,
            server_record: self
                .server_record
                .map(|s| serde_json::from_str(&s))
                .transpose()?,
            attempts: self.attempts,
        })
    }
}

fn load_entries(
    tx: &Transaction,
    filter: &str,
    args: impl rusqlite::Params,
) -> StoreResult<Vec<OutboxEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE {filter} ORDER BY seq");
    let rows: Vec<RawEntry> = tx
        .prepare_cached(&sql)?
        .query_map(args, raw_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    rows.into_iter().map(RawEntry::parse).collect()
}

/// Appends a change to the outbox and refreshes the record it changes, in the caller's
/// transaction. Returns the mutation id.
pub(crate) fn enqueue(
    tx: &Transaction,
    actor: &LocalActor,
    op: MutationOp,
    base_version: Option<i64>,
) -> StoreResult<String> {
    let (kind, record_id) = op.target();
    let record_id = record_id
        .ok_or_else(|| StoreError::Invalid(Default::default()))?
        .to_string();
    let id = uuid::Uuid::new_v4().to_string();
    tx.prepare_cached(
        "INSERT INTO outbox (id, kind, record_id, op, base_version, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        id,
        kind.as_str(),
        record_id,
        serde_json::to_string(&op)?,
        base_version,
        Utc::now().timestamp()
    ])?;
    refresh(tx, actor, kind, &record_id)?;
    Ok(id)
}

fn held_error() -> ErrorBody {
    ErrorBody {
        error: "held".into(),
        message: "Perubahan sebelumnya pada data ini tidak diterapkan server; periksa dulu \
                  sebelum mengirim yang ini."
            .into(),
        fields: Default::default(),
    }
}

impl Store {
    /// The oldest pending changes, in order, at most `max`, at most one per record; each is
    /// counted as attempted.
    pub fn next_push_batch(&self, max: usize) -> StoreResult<Vec<Mutation>> {
        self.write(|tx| {
            let pending = load_entries(tx, "status = 'pending'", [])?;
            let mut seen = HashSet::new();
            let mut batch = Vec::new();
            for e in pending {
                if batch.len() >= max || !seen.insert((e.kind, e.record_id.clone())) {
                    break;
                }
                batch.push(e.mutation());
            }
            for m in &batch {
                tx.prepare_cached("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?1")?
                    .execute(params![m.id])?;
            }
            Ok(batch)
        })
    }

    /// The `@names` of note `note_id` that the server found no account for (empty when all
    /// matched, or before the note was sent).
    pub fn unknown_mentions(&self, note_id: &str) -> StoreResult<Vec<String>> {
        let key = format!("{UNKNOWN_MENTIONS}{note_id}");
        let names = self.read(|tx| get_state(tx, &key))?;
        Ok(names
            .map(|n| n.split(' ').map(str::to_string).collect())
            .unwrap_or_default())
    }

    /// Records the server's answers to a push, in one transaction.
    pub fn apply_push_results(&self, results: &[MutationResult]) -> StoreResult<PushTally> {
        self.write(|tx| {
            let actor = local_actor(tx)?;
            let mut tally = PushTally::default();
            for res in results {
                let target: Option<(String, String)> = tx
                    .prepare_cached(
                        "SELECT kind, record_id FROM outbox WHERE id = ?1 AND status = 'pending'",
                    )?
                    .query_row(params![res.id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                // An answer for an entry no longer pending (resolved meanwhile) changes nothing.
                let Some((kind, record_id)) = target else {
                    continue;
                };
                let kind = EntityKind::parse(&kind).unwrap_or(EntityKind::Request);
                if let Some(rec) = &res.record {
                    put_server_record(tx, rec)?;
                }
                match res.status {
                    MutationStatus::Applied | MutationStatus::AlreadyApplied => {
                        tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?
                            .execute(params![res.id])?;
                        // A note's mentions that matched nobody, kept to show under the note.
                        if let (Some(Record::Note(n)), false) =
                            (&res.record, res.unknown_mentions.is_empty())
                        {
                            set_state(
                                tx,
                                &format!("{UNKNOWN_MENTIONS}{}", n.id),
                                &res.unknown_mentions.join(" "),
                            )?;
                        }
                        if res.status == MutationStatus::Applied {
                            tally.applied += 1;
                        } else {
                            tally.already_applied += 1;
                        }
                    }
                    MutationStatus::Conflict | MutationStatus::Rejected => {
                        let (status, count) = if res.status == MutationStatus::Conflict {
                            (OutboxStatus::Conflict, &mut tally.conflicts)
                        } else {
                            (OutboxStatus::Rejected, &mut tally.rejected)
                        };
                        *count += 1;
                        let server = server_record(tx, kind, &record_id)?;
                        let server_json = server.as_ref().map(serde_json::to_string).transpose()?;
                        tx.prepare_cached(
                            "UPDATE outbox SET status = ?2, error = ?3, server_record = ?4
                             WHERE id = ?1",
                        )?
                        .execute(params![
                            res.id,
                            status.as_str(),
                            res.error.as_ref().map(serde_json::to_string).transpose()?,
                            server_json
                        ])?;
                        // Later changes of the same record were made on top of this one.
                        tally.held += tx
                            .prepare_cached(
                                "UPDATE outbox SET status = 'conflict', error = ?3,
                                     server_record = ?4
                                 WHERE kind = ?1 AND record_id = ?2 AND status = 'pending'",
                            )?
                            .execute(params![
                                kind.as_str(),
                                record_id,
                                serde_json::to_string(&held_error())?,
                                server_json
                            ])?;
                    }
                }
                refresh(tx, &actor, kind, &record_id)?;
            }
            Ok(tally)
        })
    }

    /// Changes not yet confirmed by the server.
    pub fn pending_count(&self) -> StoreResult<i64> {
        self.read(|tx| {
            Ok(tx.query_row(
                "SELECT COUNT(*) FROM outbox WHERE status = 'pending'",
                [],
                |r| r.get(0),
            )?)
        })
    }

    /// Every outbox entry, oldest first.
    pub fn outbox(&self) -> StoreResult<Vec<OutboxEntry>> {
        self.read(|tx| load_entries(tx, "1", []))
    }

    /// Changes the server answered with a conflict (or held behind one), with the server's
    /// record: the user decides what to keep.
    pub fn conflicts(&self) -> StoreResult<Vec<OutboxEntry>> {
        self.read(|tx| load_entries(tx, "status = 'conflict'", []))
    }

    /// Changes the server refused, with its reason.
    pub fn rejected(&self) -> StoreResult<Vec<OutboxEntry>> {
        self.read(|tx| load_entries(tx, "status = 'rejected'", []))
    }

    /// Keeps my change: queues it again as a new mutation based on the record as it now stands
    /// (the server's version plus my other pending changes). For an agenda edit only the fields
    /// I changed are re-applied onto that version, so another device's changes to other fields
    /// survive. Returns the new mutation id.
    pub fn resolve_keep_mine(&self, mutation_id: &str) -> StoreResult<String> {
        self.write(|tx| {
            let entry = load_entries(tx, "id = ?1 AND status = 'conflict'", params![mutation_id])?
                .pop()
                .ok_or_else(|| StoreError::UnknownMutation(mutation_id.to_string()))?;
            let edited_from: Option<String> = tx.query_row(
                "SELECT base_item FROM outbox WHERE id = ?1",
                params![mutation_id],
                |r| r.get(0),
            )?;
            tx.execute("DELETE FROM outbox WHERE id = ?1", params![mutation_id])?;
            let actor = local_actor(tx)?;
            refresh(tx, &actor, entry.kind, &entry.record_id)?;
            let now = shown_record(tx, entry.kind, &entry.record_id)?;
            let base = now.as_ref().map(|r| r.version());
            let mut op = entry.op;
            if let MutationOp::UpdateAgendaItem { item, .. } = &mut op {
                match (edited_from, &now) {
                    (Some(from), Some(Record::AgendaItem(theirs))) => {
                        let from: AgendaItemInput = serde_json::from_str(&from)?;
                        *item = item.rebase(&from, &AgendaItemInput::from_item(theirs));
                    }
                    // Queued before the base was kept: the whole edit, as before.
                    _ => item.base_version = base,
                }
            }
            enqueue(tx, &actor, op, base)
        })
    }

    /// Takes the server's version: drops my conflicting (or refused) change.
    pub fn resolve_take_server(&self, mutation_id: &str) -> StoreResult<()> {
        self.write(|tx| {
            let entry = load_entries(
                tx,
                "id = ?1 AND status IN ('conflict', 'rejected')",
                params![mutation_id],
            )?
            .pop()
            .ok_or_else(|| StoreError::UnknownMutation(mutation_id.to_string()))?;
            tx.execute("DELETE FROM outbox WHERE id = ?1", params![mutation_id])?;
            refresh(tx, &local_actor(tx)?, entry.kind, &entry.record_id)
        })
    }
}
