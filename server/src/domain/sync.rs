//! Sync: pull by opaque cursor over the change log, filtered per caller, with tombstones; push
//! of client mutations, each applied at most once.

use axum::http::StatusCode;
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::sync::*;
use sepiion_core::validation::{Lang, Msg};

use crate::domain::caller::Caller;
use crate::domain::visibility::visible_record;
use crate::error::{ApiError, ApiResult};
use crate::storage::Db;
use crate::storage::changes::current_seq;
use crate::storage::rows::{load_record, request_owner};
use crate::storage::settings::{set_setting, setting};
use std::sync::Arc;

use crate::domain::context::Ctx;
use crate::domain::{agenda, requests};

/// Default pull page size.
pub const DEFAULT_PAGE: u32 = 200;
/// Upper bound of change-log rows scanned for one page (public devices skip most rows).
const MAX_SCAN: usize = 5_000;

fn stale() -> ApiError {
    ApiError::new(
        StatusCode::GONE,
        "stale_cursor",
        Msg::new(
            "Data lokal terlalu lama untuk diperbarui sebagian; sinkronisasi ulang penuh diperlukan.",
            "The cursor is too old for an incremental sync; resync from scratch.",
        ),
    )
}

/// The lowest cursor the server still answers incrementally.
fn floor(tx: &Transaction) -> ApiResult<i64> {
    Ok(setting(tx, "sync_floor")?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

/// Whether a public device whose cursor is at `seq` holds the record: it was public then.
/// Only such a device is sent its tombstone; others never learn that the record exists.
fn public_at(tx: &Transaction, kind: EntityKind, id: &str, seq: i64) -> rusqlite::Result<bool> {
    match kind {
        EntityKind::Leader | EntityKind::Representative => Ok(true),
        EntityKind::AgendaItem => tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM public_spans
                                WHERE entity = 'agenda_item' AND entity_id = ?1
                                  AND from_seq <= ?2 AND (to_seq IS NULL OR to_seq > ?2))",
            )?
            .query_row(params![id, seq], |r| r.get(0)),
        EntityKind::Request | EntityKind::Note | EntityKind::Notification => Ok(false),
    }
}

/// The key that seals cursors, made on first use and kept in the database (so a backup's
/// cursors open on the restored server and are recognised as stale there).
fn cursor_key(tx: &Transaction) -> rusqlite::Result<Vec<u8>> {
    if let Some(k) = setting(tx, "cursor_key")?.and_then(|h| hex::decode(h).ok()) {
        return Ok(k);
    }
    let mut key = [0u8; 32];
    getrandom::getrandom(&mut key).expect("the OS random source works");
    set_setting(tx, "cursor_key", &hex::encode(key))?;
    Ok(key.to_vec())
}

fn cursor_round(key: &[u8], round: u8, half: u32) -> u32 {
    use sha2::{Digest, Sha256};
    let d = Sha256::new()
        .chain_update(key)
        .chain_update([round])
        .chain_update(half.to_be_bytes())
        .finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn cursor_tag(key: &[u8], sealed: u64) -> u32 {
    cursor_round(key, 0xff, (sealed >> 32) as u32 ^ sealed as u32)
        ^ cursor_round(key, 0xfe, sealed as u32)
}

/// A cursor is the change sequence number, which would tell a device how many changes happened
/// in between (most of which it may not see): it is sent encrypted (a four-round Feistel
/// permutation keyed by `cursor_key`) with a check value, so it says nothing and cannot be
/// forged.
pub fn seal_cursor(tx: &Transaction, seq: i64) -> rusqlite::Result<String> {
    let key = cursor_key(tx)?;
    let (mut l, mut r) = ((seq as u64 >> 32) as u32, seq as u32);
    for round in 0..4 {
        (l, r) = (r, l ^ cursor_round(&key, round, r));
    }
    let sealed = (u64::from(l) << 32) | u64::from(r);
    Ok(format!("c2-{sealed:016x}{:08x}", cursor_tag(&key, sealed)))
}

/// The sequence number of a cursor made by [`seal_cursor`] (or an older plain `c1-` cursor);
/// `None` when it is neither.
pub fn open_cursor(tx: &Transaction, cursor: &str) -> rusqlite::Result<Option<i64>> {
    let Some(hex) = cursor.strip_prefix("c2-") else {
        return Ok(decode_cursor(cursor));
    };
    if hex.len() != 24 || !hex.is_ascii() {
        return Ok(None);
    }
    let (Ok(sealed), Ok(tag)) = (
        u64::from_str_radix(&hex[..16], 16),
        u32::from_str_radix(&hex[16..], 16),
    ) else {
        return Ok(None);
    };
    let key = cursor_key(tx)?;
    if cursor_tag(&key, sealed) != tag {
        return Ok(None);
    }
    let (mut l, mut r) = ((sealed >> 32) as u32, sealed as u32);
    for round in (0..4).rev() {
        (l, r) = (r ^ cursor_round(&key, round, l), l);
    }
    let seq = ((u64::from(l) << 32) | u64::from(r)) as i64;
    Ok((seq >= 0).then_some(seq))
}

/// One page of changes after `cursor` that `caller` may see.
pub fn pull(
    tx: &Transaction,
    caller: &Caller,
    cursor: Option<&str>,
    limit: u32,
) -> ApiResult<PullPage> {
    let limit = limit.clamp(1, MAX_PAGE) as usize;
    let start = match cursor.filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => open_cursor(tx, c)?.ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_cursor",
                Msg::new("Kursor sinkronisasi tidak dikenal.", "Unknown sync cursor."),
            )
        })?,
    };
    // A cursor from before the kept history, or from ahead of this database (a server restored
    // from an older backup), cannot be continued.
    if (start > 0 && start < floor(tx)?) || start > current_seq(tx)? {
        return Err(stale());
    }
    let mut changes = Vec::new();
    let mut last = start;
    let mut scanned = 0usize;
    let mut st = tx.prepare_cached(
        "SELECT entity, entity_id, seq FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    'scan: while changes.len() < limit && scanned < MAX_SCAN {
        let rows: Vec<(String, String, i64)> = st
            .query_map(params![last, limit as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        if rows.is_empty() {
            break;
        }
        for (entity, id, seq) in rows {
            scanned += 1;
            last = seq;
            let Some(kind) = EntityKind::parse(&entity) else {
                continue;
            };
            // Someone else's notifications are skipped outright, never sent as tombstones.
            if kind == EntityKind::Notification
                && !crate::domain::visibility::notification_is_for(tx, caller, &id)?
            {
                continue;
            }
            // Public devices never see others' requests or any notes; those ids are skipped
            // outright rather than sent as tombstones.
            if let Caller::Device(d) = caller {
                match kind {
                    EntityKind::Note => continue,
                    EntityKind::Request
                        if request_owner(tx, &id)?.flatten().as_deref() != Some(d.as_str()) =>
                    {
                        continue;
                    }
                    _ => {}
                }
            }
            let record = match load_record(tx, kind, &id)? {
                Some(r) => visible_record(tx, caller, r)?,
                None => None,
            };
            if record.is_none()
                && matches!(caller, Caller::Device(_))
                && !public_at(tx, kind, &id, start)?
            {
                continue;
            }
            changes.push(Change {
                entity: kind,
                id,
                record,
            });
            if changes.len() >= limit {
                break 'scan;
            }
        }
    }
    let remaining: i64 = tx.query_row(
        "SELECT COUNT(*) FROM change_log WHERE seq > ?1",
        params![last],
        |r| r.get(0),
    )?;
    Ok(PullPage {
        changes,
        cursor: seal_cursor(tx, last)?,
        has_more: remaining > 0,
        // How much staff have yet to receive; a public device is told no count of changes,
        // most of which it may not see.
        remaining: if matches!(caller, Caller::Device(_)) {
            0
        } else {
            remaining
        },
    })
}

/// zstd level of pull pages. At zstd's default (3) a page of varied records came out about 4 %
/// larger than gzip; at 6 it is about 12 % smaller than gzip, still in less time than gzip
/// takes, and levels above 6 saved nothing more on such pages.
const PAGE_ZSTD_LEVEL: i32 = 6;

/// A pull page as sent: JSON, compressed with zstd when the client asked for it.
pub fn encode_page(page: &PullPage, zstd: bool) -> ApiResult<Vec<u8>> {
    let json = serde_json::to_vec(page)?;
    if !zstd {
        return Ok(json);
    }
    zstd::bulk::compress(&json, PAGE_ZSTD_LEVEL).map_err(ApiError::internal)
}

/// The record a mutation is about, for answers.
fn rejected(id: &str, err: &ApiError, lang: Lang) -> MutationResult {
    MutationResult {
        id: id.to_string(),
        status: MutationStatus::Rejected,
        record: None,
        error: Some(err.body(lang)),
        conflicts: Vec::new(),
    }
}

fn require_id(id: Option<&str>) -> ApiResult<()> {
    if id.is_some_and(agenda::valid_client_id) {
        Ok(())
    } else {
        Err(ApiError::field(
            "id",
            Msg::new(
                "Perubahan luring memerlukan id UUID buatan perangkat.",
                "Offline changes need a client-made UUID id.",
            ),
        ))
    }
}

/// Applies one mutation (inside the caller's transaction).
fn apply(
    tx: &Transaction,
    ctx: &Ctx,
    caller: &Caller,
    m: &Mutation,
    lang: Lang,
) -> ApiResult<(Record, Vec<sepiion_core::conflict::Conflict>)> {
    match (&m.op, caller) {
        (MutationOp::SubmitRequest { request }, Caller::Device(d)) => {
            require_id(request.id.as_deref())?;
            let (r, _) = requests::submit(tx, d, request, lang)?;
            Ok((Record::Request(Box::new(r)), Vec::new()))
        }
        (MutationOp::Transition { request_id, input }, Caller::Device(_) | Caller::Staff(_)) => {
            let out = requests::transition(tx, ctx, caller, request_id, input, m.base_version)?;
            Ok((Record::Request(Box::new(out.request)), out.conflicts))
        }
        (MutationOp::AddNote { request_id, note }, Caller::Staff(s)) => {
            require_id(note.id.as_deref())?;
            let n = requests::add_note(tx, s, request_id, note)?;
            Ok((Record::Note(n), Vec::new()))
        }
        (MutationOp::CreateAgendaItem { item }, Caller::Staff(s)) => {
            require_id(item.id.as_deref())?;
            let w = agenda::create(tx, ctx, s, item)?;
            Ok((Record::AgendaItem(Box::new(w.item)), w.conflicts))
        }
        (MutationOp::UpdateAgendaItem { id, item }, Caller::Staff(s)) => {
            let w = agenda::update(tx, ctx, s, id, item, m.base_version)?;
            Ok((Record::AgendaItem(Box::new(w.item)), w.conflicts))
        }
        (MutationOp::CancelAgendaItem { id, reason }, Caller::Staff(s)) => {
            let w = agenda::cancel(tx, ctx, s, id, reason, m.base_version)?;
            Ok((Record::AgendaItem(Box::new(w.item)), w.conflicts))
        }
        (MutationOp::MarkNotificationRead { id }, Caller::Device(_) | Caller::Staff(_)) => {
            let n = crate::domain::notify::mark_read(tx, caller, id)?;
            Ok((Record::Notification(Box::new(n)), Vec::new()))
        }
        _ => Err(ApiError::forbidden()),
    }
}

/// Counts a request submission of a device against its limit (the HTTP layer's rate limiter):
/// the same budget for the REST endpoint and for sync push.
pub type TakeSubmission<'a> = &'a (dyn Fn(&str) -> ApiResult<()> + Sync);

/// What a mutation is allowed to cost: submissions count against the device's hourly limit.
fn check_rate(take_submission: TakeSubmission, caller: &Caller, m: &Mutation) -> ApiResult<()> {
    if let (MutationOp::SubmitRequest { .. }, Caller::Device(d)) = (&m.op, caller) {
        take_submission(d)?;
    }
    Ok(())
}

fn already_answered(
    lang: Lang,
    tx: &Transaction,
    m: &Mutation,
    caller: &Caller,
) -> ApiResult<Option<MutationResult>> {
    let caller_name = caller.audit_name();
    let stored: Option<(String, String)> = tx
        .query_row(
            "SELECT caller, result FROM applied_mutations WHERE id = ?1",
            params![m.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((who, result)) = stored else {
        return Ok(None);
    };
    if who != caller_name {
        let e = ApiError::new(
            StatusCode::CONFLICT,
            "id_taken",
            Msg::new("Id perubahan sudah dipakai.", "This mutation id is taken."),
        );
        return Ok(Some(rejected(&m.id, &e, lang)));
    }
    let mut answer: MutationResult = serde_json::from_str(&result)?;
    if answer.status == MutationStatus::Applied {
        answer.status = MutationStatus::AlreadyApplied;
        // The record as it stands now, which may have moved on since.
        if let (kind, Some(id)) = m.op.target()
            && let Some(rec) = load_record(tx, kind, id)?
        {
            answer.record = visible_record(tx, caller, rec)?;
        }
    }
    Ok(Some(answer))
}

/// Applies a batch of mutations in order, each in its own transaction together with the record
/// of its answer, so that a replay (after a lost response) is answered without applying twice.
/// Rejections are written in `lang`, the caller's language.
pub async fn push(
    db: &Db,
    ctx: &Arc<Ctx>,
    take_submission: TakeSubmission<'_>,
    caller: &Caller,
    mutations: Vec<Mutation>,
    lang: Lang,
) -> ApiResult<PushResponse> {
    if mutations.len() > MAX_PUSH {
        return Err(ApiError::field(
            "mutations",
            Msg::new(
                format!("Paling banyak {MAX_PUSH} perubahan per kiriman."),
                format!("At most {MAX_PUSH} mutations per push."),
            ),
        ));
    }
    let mut results = Vec::with_capacity(mutations.len());
    for m in mutations {
        let result = push_one(db, ctx, take_submission, caller, m, lang).await?;
        results.push(result);
    }
    Ok(PushResponse { results })
}

async fn push_one(
    db: &Db,
    ctx: &Arc<Ctx>,
    take_submission: TakeSubmission<'_>,
    caller: &Caller,
    m: Mutation,
    lang: Lang,
) -> ApiResult<MutationResult> {
    let caller_name = caller.audit_name();
    if m.id.trim().is_empty() || m.id.len() > 64 {
        let e = ApiError::field(
            "id",
            Msg::new("Id perubahan tidak valid.", "Invalid mutation id."),
        );
        return Ok(rejected(&m.id, &e, lang));
    }
    // Replays are answered before any rate limit, so a retry after a lost answer always works.
    let seen = {
        let m = m.clone();
        let caller = caller.clone();
        db.read(move |tx| already_answered(lang, tx, &m, &caller))
            .await?
    };
    if let Some(answer) = seen {
        return Ok(answer);
    }
    check_rate(take_submission, caller, &m)?;
    let ctx = ctx.clone();
    let caller = caller.clone();
    db.write(move |tx| {
        // Checked again inside the write transaction: another push of the same id may have
        // landed in between.
        if let Some(answer) = already_answered(lang, tx, &m, &caller)? {
            return Ok(answer);
        }
        tx.execute_batch("SAVEPOINT mutation")?;
        let audit_before: i64 =
            tx.query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })?;
        let outcome = apply(tx, &ctx, &caller, &m, lang);
        // Every audit entry this mutation wrote names it, so an entry can be traced to the
        // device's change.
        if outcome.is_ok() {
            tx.execute(
                "UPDATE audit_log SET mutation_id = ?1 WHERE id > ?2",
                params![m.id, audit_before],
            )?;
        }
        let result = match outcome {
            Ok((record, conflicts)) => {
                tx.execute_batch("RELEASE mutation")?;
                MutationResult {
                    id: m.id.clone(),
                    status: MutationStatus::Applied,
                    record: Some(record),
                    error: None,
                    conflicts,
                }
            }
            Err(e) => {
                tx.execute_batch("ROLLBACK TO mutation; RELEASE mutation")?;
                if e.status.is_server_error() || e.status == StatusCode::TOO_MANY_REQUESTS {
                    // Not the mutation's fault: nothing is recorded, the client retries it.
                    return Err(e);
                }
                let mut r = rejected(&m.id, &e, lang);
                if let Some(current) = e.current {
                    r.status = MutationStatus::Conflict;
                    r.record = Some(*current);
                }
                r
            }
        };
        tx.execute(
            "INSERT INTO applied_mutations (id, caller, status, result, applied_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                m.id,
                caller_name,
                serde_json::to_value(result.status)?.as_str().unwrap_or(""),
                serde_json::to_string(&result)?,
                chrono::Utc::now().timestamp()
            ],
        )?;
        Ok(result)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_cursors_open_to_their_number_and_reveal_no_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::storage::open(&dir.path().join("c.db")).unwrap();
        let tx = conn.transaction().unwrap();
        let mut sealed = Vec::new();
        for seq in (1000..1100).chain([0, 1 << 40]) {
            let c = seal_cursor(&tx, seq).unwrap();
            assert_eq!(open_cursor(&tx, &c).unwrap(), Some(seq));
            sealed.push(c);
        }
        // A hundred consecutive numbers: their cursors are not in order (a chance of 1 in 100!
        // for a random permutation), so differences of cursors count nothing.
        assert!(sealed[..100].windows(2).any(|w| w[0] > w[1]));
        assert!(sealed[..100].windows(2).any(|w| w[0] < w[1]));
        // A changed digit breaks the check value; old plain cursors still open.
        let c = seal_cursor(&tx, 42).unwrap();
        let mut forged = c.clone().into_bytes();
        forged[5] = if forged[5] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            open_cursor(&tx, std::str::from_utf8(&forged).unwrap()).unwrap(),
            None
        );
        assert_eq!(open_cursor(&tx, "c1-2a").unwrap(), Some(42));
        assert_eq!(open_cursor(&tx, "c2-zz").unwrap(), None);
    }
}
