//! Sync: pull by opaque cursor over the change log, filtered per caller, with tombstones; push
//! of client mutations, each applied at most once.

use axum::http::StatusCode;
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::sync::*;
use sepiion_core::validation::{Lang, Msg, is_uuid};

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
    let key = crate::domain::caller::random_bytes::<32>();
    set_setting(tx, "cursor_key", &hex::encode(key))?;
    Ok(key.to_vec())
}

/// What a cursor a client sent stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenedCursor {
    /// A cursor this server sealed: the change sequence number after which to continue.
    At(i64),
    /// A cursor in an older format (`c1-` plain, `c2-` from the earlier sealing) or sealed with
    /// another key: it is not read, the client syncs again from scratch.
    Stale,
    /// Not a cursor at all.
    Invalid,
}

/// The prefix of cursors sealed by [`seal_cursor`].
const CURSOR_PREFIX: &str = "c3-";

fn cursor_cipher(key: &[u8]) -> chacha20poly1305::XChaCha20Poly1305 {
    use chacha20poly1305::KeyInit;
    chacha20poly1305::XChaCha20Poly1305::new_from_slice(key)
        .expect("the cursor key is 32 bytes (made by cursor_key)")
}

/// A cursor is the change sequence number, which would tell a device how many changes happened
/// in between (most of which it may not see): it is sent sealed with XChaCha20-Poly1305 (an AEAD
/// from RustCrypto's `chacha20poly1305`; a random 192-bit nonce per cursor, keyed by
/// `cursor_key`), so it says nothing and cannot be forged.
pub fn seal_cursor(tx: &Transaction, seq: i64) -> rusqlite::Result<String> {
    use chacha20poly1305::aead::{Aead, AeadCore, OsRng};
    let cipher = cursor_cipher(&cursor_key(tx)?);
    let nonce = chacha20poly1305::XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let sealed = cipher
        .encrypt(&nonce, seq.to_be_bytes().as_slice())
        .expect("encrypting eight bytes cannot fail");
    Ok(format!(
        "{CURSOR_PREFIX}{}{}",
        hex::encode(nonce),
        hex::encode(sealed)
    ))
}

/// What a cursor made by [`seal_cursor`] stands for; older formats are [`OpenedCursor::Stale`].
pub fn open_cursor(tx: &Transaction, cursor: &str) -> rusqlite::Result<OpenedCursor> {
    use chacha20poly1305::aead::Aead;
    let Some(hex_text) = cursor.strip_prefix(CURSOR_PREFIX) else {
        let older = decode_cursor(cursor).is_some()
            || cursor
                .strip_prefix("c2-")
                .is_some_and(|h| h.len() == 24 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        return Ok(if older {
            OpenedCursor::Stale
        } else {
            OpenedCursor::Invalid
        });
    };
    // 24 bytes of nonce, 8 of sequence number, 16 of tag.
    let Some(bytes) = hex::decode(hex_text).ok().filter(|b| b.len() == 48) else {
        return Ok(OpenedCursor::Invalid);
    };
    let cipher = cursor_cipher(&cursor_key(tx)?);
    let nonce = chacha20poly1305::XNonce::from_slice(&bytes[..24]);
    Ok(match cipher.decrypt(nonce, &bytes[24..]) {
        Ok(plain) => {
            let seq = i64::from_be_bytes(plain.try_into().expect("eight bytes were sealed"));
            if seq >= 0 {
                OpenedCursor::At(seq)
            } else {
                OpenedCursor::Invalid
            }
        }
        // Well-formed but not ours: sealed before a key change (a restored backup keeps the
        // key, so this is rare) or forged. Either way nothing is read from it.
        Err(_) => OpenedCursor::Stale,
    })
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
        Some(c) => match open_cursor(tx, c)? {
            OpenedCursor::At(seq) => seq,
            OpenedCursor::Stale => return Err(stale()),
            OpenedCursor::Invalid => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_cursor",
                    Msg::new("Kursor sinkronisasi tidak dikenal.", "Unknown sync cursor."),
                ));
            }
        },
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
        unknown_mentions: Vec::new(),
    }
}

fn require_id(id: Option<&str>) -> ApiResult<()> {
    if id.is_some_and(is_uuid) {
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
                // A note's mentions that match nobody: told to its author, as the API's answer
                // to adding a note does.
                let unknown_mentions = match &record {
                    Record::Note(n) => {
                        crate::domain::notify::unknown_mentions(tx, &n.instruction, &n.text)?
                    }
                    _ => Vec::new(),
                };
                MutationResult {
                    id: m.id.clone(),
                    status: MutationStatus::Applied,
                    record: Some(record),
                    error: None,
                    conflicts,
                    unknown_mentions,
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
    fn sealed_cursors_open_to_their_number_reveal_nothing_and_older_ones_are_stale() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::storage::open(&dir.path().join("c.db")).unwrap();
        let tx = conn.transaction().unwrap();
        let mut sealed = Vec::new();
        for seq in (1000..1100).chain([0, 1 << 40]) {
            let c = seal_cursor(&tx, seq).unwrap();
            assert_eq!(open_cursor(&tx, &c).unwrap(), OpenedCursor::At(seq));
            sealed.push(c);
        }
        // A hundred consecutive numbers: their cursors are not in order, and one number sealed
        // twice gives two different cursors (a fresh nonce each time).
        assert!(sealed[..100].windows(2).any(|w| w[0] > w[1]));
        assert!(sealed[..100].windows(2).any(|w| w[0] < w[1]));
        assert_ne!(seal_cursor(&tx, 42).unwrap(), seal_cursor(&tx, 42).unwrap());
        // Any changed digit (nonce, sealed number or tag) fails the AEAD's check.
        let c = seal_cursor(&tx, 42).unwrap();
        for at in [3, 50, 3 + 48 * 2 - 1] {
            let mut forged = c.clone().into_bytes();
            forged[at] = if forged[at] == b'0' { b'1' } else { b'0' };
            assert_eq!(
                open_cursor(&tx, std::str::from_utf8(&forged).unwrap()).unwrap(),
                OpenedCursor::Stale,
                "digit {at}"
            );
        }
        // Older formats are stale (answered 410, never read); anything else is invalid.
        assert_eq!(open_cursor(&tx, "c1-2a").unwrap(), OpenedCursor::Stale);
        assert_eq!(
            open_cursor(&tx, "c2-0123456789abcdef01234567").unwrap(),
            OpenedCursor::Stale
        );
        assert_eq!(open_cursor(&tx, "c2-zz").unwrap(), OpenedCursor::Invalid);
        assert_eq!(open_cursor(&tx, "c3-00").unwrap(), OpenedCursor::Invalid);
        assert_eq!(open_cursor(&tx, "hello").unwrap(), OpenedCursor::Invalid);
    }
}
