//! The `settings` table: small values the server keeps (regency name, sync floor, keys).

use rusqlite::{OptionalExtension, Transaction, params};

/// A value of the settings table.
pub fn setting(tx: &Transaction, key: &str) -> rusqlite::Result<Option<String>> {
    tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row(params![key], |r| r.get(0))
        .optional()
}

pub fn set_setting(tx: &Transaction, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}
