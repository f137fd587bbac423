//! The audit log: who did what to which record, for admin to read.

use rusqlite::{Transaction, params};
use sepiion_core::api::AuditEntry;

use super::rows::ts;

/// Appends to the audit log.
pub fn audit(
    tx: &Transaction,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            chrono::Utc::now().timestamp(),
            actor,
            action,
            entity,
            entity_id,
            detail
        ],
    )?;
    Ok(())
}

/// The audit log, newest first: `limit` entries before entry `before` (or the newest).
pub fn audit_page(
    tx: &Transaction,
    before: Option<i64>,
    limit: u32,
) -> rusqlite::Result<Vec<AuditEntry>> {
    let mut st = tx.prepare_cached(
        "SELECT id, at, actor, action, entity, entity_id, detail, mutation_id
         FROM audit_log
         WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2",
    )?;
    st.query_map(params![before, limit], |r| {
        Ok(AuditEntry {
            id: r.get(0)?,
            at: ts(r.get(1)?),
            actor: r.get(2)?,
            action: r.get(3)?,
            entity: r.get(4)?,
            entity_id: r.get(5)?,
            detail: r.get(6)?,
            mutation_id: r.get(7)?,
        })
    })?
    .collect()
}
