//! The change log: every change visible to sync gets a sequence number, and the stretches of
//! that sequence during which an agenda item was public (`public_spans`) are kept beside it, in
//! the same write, so a pull can tell which public devices hold a record. Moving the history up
//! (after a restore or a purge) makes every cursor handed out before stale.

use rusqlite::{OptionalExtension, Transaction, params};

use super::settings::set_setting;

/// The next change sequence number; every change visible to sync gets one.
pub fn next_seq(tx: &Transaction) -> rusqlite::Result<i64> {
    tx.query_row(
        "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value",
        [],
        |r| r.get(0),
    )
}

/// Records that `entity`/`id` changed (or was deleted): sync pulls read this log.
pub fn log_change(tx: &Transaction, entity: &str, id: &str) -> rusqlite::Result<i64> {
    let seq = next_seq(tx)?;
    tx.execute(
        "INSERT INTO change_log (entity, entity_id, seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (entity, entity_id) DO UPDATE SET seq = excluded.seq",
        params![entity, id, seq],
    )?;
    track_public_span(tx, entity, id, seq)?;
    Ok(seq)
}

/// The newest change sequence number handed out.
pub fn current_seq(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
        r.get(0)
    })
}

/// Makes every cursor handed out so far stale (after a restore or a purge of history): clients
/// resync from scratch on their next pull. Returns the new floor.
pub fn reset_history(tx: &Transaction) -> rusqlite::Result<i64> {
    let floor = current_seq(tx)? + 1;
    move_history_above(tx, floor)
}

/// Moves the whole change history (and the public spans measured in it) up by `floor` and makes
/// `floor` the lowest cursor still answered: every cursor handed out before lies below it, while
/// the page cursors of a full resync afterwards lie above it (a full resync of many pages would
/// otherwise be told "stale" again at its second page). Moving every number by more than the
/// largest one never collides.
pub fn move_history_above(tx: &Transaction, floor: i64) -> rusqlite::Result<i64> {
    tx.execute("UPDATE change_log SET seq = seq + ?1", params![floor])?;
    tx.execute(
        "UPDATE public_spans SET from_seq = from_seq + ?1, to_seq = to_seq + ?1",
        params![floor],
    )?;
    tx.execute(
        "UPDATE counters SET value = value + ?1 WHERE name = 'seq'",
        params![floor],
    )?;
    set_setting(tx, "sync_floor", &floor.to_string())?;
    Ok(floor)
}

/// Keeps `public_spans` up to date for a changed record: the stretches of change sequence
/// numbers during which the public could see it. Only agenda items change public visibility
/// (leaders and representatives are always public, requests only ever their owner's).
pub fn track_public_span(
    tx: &Transaction,
    entity: &str,
    id: &str,
    seq: i64,
) -> rusqlite::Result<()> {
    if entity != "agenda_item" {
        return Ok(());
    }
    let public: bool = tx
        .query_row(
            "SELECT visibility = 'public' FROM agenda_items WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(false);
    let open: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM public_spans
                        WHERE entity = ?1 AND entity_id = ?2 AND to_seq IS NULL)",
        params![entity, id],
        |r| r.get(0),
    )?;
    if public && !open {
        tx.execute(
            "INSERT INTO public_spans (entity, entity_id, from_seq) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
            params![entity, id, seq],
        )?;
    } else if !public && open {
        tx.execute(
            "UPDATE public_spans SET to_seq = ?3
             WHERE entity = ?1 AND entity_id = ?2 AND to_seq IS NULL",
            params![entity, id, seq],
        )?;
    }
    Ok(())
}
