//! The SQLite database: opening it (WAL, foreign keys, busy timeout, full sync), its migrations,
//! and running blocking work off the async runtime.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use rusqlite_migration::{M, Migrations};

use crate::error::{ApiError, ApiResult};

/// Migrations are only ever appended, never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0004_notifications.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Opens (creating if needed) the database at `path` and brings its schema up to date.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    let mut conn = Connection::open(path)?;
    // WAL lets readers work beside the writer; FULL makes every committed transaction survive a
    // power cut, which matters more here than write speed.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    migrations().to_latest(&mut conn)?;
    Ok(conn)
}

/// The shared connection. SQLite serialises writers anyway; one connection behind a mutex keeps
/// the server simple and is far from the bottleneck for one regency's office.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    pub path: PathBuf,
}

impl Db {
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        Ok(Db {
            conn: Arc::new(Mutex::new(open(path)?)),
            path: path.to_path_buf(),
        })
    }

    /// Runs `f` inside one transaction on a blocking thread; commits if it returns `Ok`.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            let tx = guard.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs a read on a blocking thread (inside a transaction, for a consistent snapshot).
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
    {
        // Same as write: a read-only closure simply commits nothing.
        self.write(f).await
    }
}

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
    Ok(seq)
}

/// A value of the settings table.
pub fn setting(tx: &Transaction, key: &str) -> rusqlite::Result<Option<String>> {
    tx.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn a_fresh_database_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("t.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
}
