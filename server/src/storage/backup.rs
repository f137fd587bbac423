//! Backing up and restoring the database (the `backup` and `restore` commands).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rusqlite::{Connection, OptionalExtension};

use super::{SCHEMA_VERSION, ServeLock};

/// Copies the database with SQLite's online backup (safe while a server writes to it) and checks
/// the copy's integrity.
pub fn backup(db_path: &Path, to: &Path) -> anyhow::Result<()> {
    if !db_path.exists() {
        bail!("{} does not exist", db_path.display());
    }
    let conn = super::open(db_path)?;
    let mut dest = Connection::open(to).with_context(|| format!("creating {}", to.display()))?;
    let backup = rusqlite::backup::Backup::new(&conn, &mut dest)?;
    backup.run_to_completion(256, std::time::Duration::from_millis(10), None)?;
    drop(backup);
    integrity(&dest).with_context(|| format!("checking the copy {}", to.display()))?;
    Ok(())
}

fn integrity(conn: &Connection) -> anyhow::Result<()> {
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        bail!("integrity check failed: {check}");
    }
    Ok(())
}

/// The change sequence of a database file, `None` when it has none yet.
fn current_seq(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    super::changes::current_seq(conn).optional()
}

/// What [`restore`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// Where the database that was replaced now lies (`None` when there was none).
    pub replaced: Option<PathBuf>,
    /// The schema version of the backup (the server migrates older ones at start).
    pub schema_version: usize,
    /// The sync floor set in the restored database: every cursor handed out before is stale.
    pub sync_floor: i64,
    /// Older `<db>.replaced-<time>` files deleted: only the newest [`KEEP_REPLACED`] are kept.
    pub pruned: Vec<PathBuf>,
}

/// How many databases replaced by a restore are kept beside the database (the newest ones).
pub const KEEP_REPLACED: usize = 3;

/// Why a restore was refused before anything changed.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("a running server holds {0} (lock {1}); stop it first (e.g. `systemctl stop sepiion`)")]
    InUse(PathBuf, PathBuf),
    #[error("{0} is not a Sepiion backup: {1}")]
    NotABackup(PathBuf, String),
    #[error(
        "{0} has schema version {1}, newer than this server's {2}: restore it with a newer sepiion-server"
    )]
    TooNew(PathBuf, usize, usize),
}

/// Replaces the database at `db_path` with the backup `from`.
///
/// The backup is copied next to the database first and checked there (integrity, that it is a
/// Sepiion database, a schema this server knows); only then, under the serve lock (refused while
/// a server runs), the current file is renamed to `<db>.replaced-<time>` (its WAL with it) and
/// the checked copy takes its place. The copy's change sequence is moved past anything the
/// replaced database handed out and its sync floor set there, so every device's cursor is stale:
/// devices drop their copy of server records, keep their unsent changes and resync from scratch.
pub fn restore(from: &Path, db_path: &Path) -> anyhow::Result<Restored> {
    if !from.is_file() {
        bail!("{} does not exist", from.display());
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let staging = sibling(db_path, &format!(".restoring-{stamp}"));
    remove_with_wal(&staging)?;
    let staged = check_backup(from, &staging).and_then(|version| {
        let Some(lock) = ServeLock::exclusive(db_path)? else {
            return Err(
                RestoreError::InUse(db_path.to_path_buf(), ServeLock::path(db_path)).into(),
            );
        };
        Ok((version, prepare_copy(from, db_path, &staging)?, lock))
    });
    let (schema_version, sync_floor, _lock) = match staged {
        Ok(v) => v,
        Err(e) => {
            let _ = remove_with_wal(&staging);
            return Err(e);
        }
    };
    let replaced = if db_path.exists() {
        let aside = sibling(db_path, &format!(".replaced-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = sibling(db_path, suffix);
            if from.exists() {
                std::fs::rename(&from, sibling(&aside, suffix))
                    .with_context(|| format!("moving {} aside", from.display()))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staging, db_path)
        .with_context(|| format!("moving the restored copy to {}", db_path.display()))?;
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The renames survive a power cut only once the directory is on disk.
        std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
    }
    let pruned = prune_replaced(db_path, KEEP_REPLACED)?;
    Ok(Restored {
        replaced,
        schema_version,
        sync_floor,
        pruned,
    })
}

/// Deletes all but the newest `keep` `<db>.replaced-<time>` databases (with their WAL and
/// shared-memory files); the names sort by time. Returns the databases deleted.
fn prune_replaced(db_path: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let Some(name) = db_path.file_name().and_then(|n| n.to_str()) else {
        return Ok(Vec::new());
    };
    let dir = match db_path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!("{name}.replaced-");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("listing {}", dir.display()))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| {
            n.strip_prefix(&prefix)
                .is_some_and(|stamp| !stamp.contains('-'))
        })
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    let mut pruned = Vec::new();
    for old in found.into_iter().skip(keep) {
        let path = dir.join(old);
        remove_with_wal(&path)?;
        pruned.push(path);
    }
    Ok(pruned)
}

/// Copies the backup to `staging` and checks it there; returns its schema version.
fn check_backup(from: &Path, staging: &Path) -> anyhow::Result<usize> {
    std::fs::copy(from, staging)
        .with_context(|| format!("copying {} to {}", from.display(), staging.display()))?;
    let not_backup = |why: String| RestoreError::NotABackup(from.to_path_buf(), why);
    let conn = Connection::open(staging)?;
    integrity(&conn).map_err(|e| not_backup(e.to_string()))?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| not_backup(e.to_string()))?;
    let version = usize::try_from(version).unwrap_or(0);
    if version == 0 {
        return Err(not_backup("no Sepiion schema in it".into()).into());
    }
    if version > SCHEMA_VERSION {
        return Err(RestoreError::TooNew(from.to_path_buf(), version, SCHEMA_VERSION).into());
    }
    current_seq(&conn)
        .map_err(|e| not_backup(e.to_string()))?
        .ok_or_else(|| not_backup("no change sequence".into()))?;
    Ok(version)
}

/// Under the serve lock: brings the checked copy's schema up to date and moves its change
/// sequence past what the replaced database handed out; returns the sync floor set.
fn prepare_copy(from: &Path, db_path: &Path, staging: &Path) -> anyhow::Result<i64> {
    // What the database being replaced handed out (it may be damaged: that is why one restores).
    let replaced_seq = if db_path.exists() {
        Connection::open(db_path)
            .and_then(|c| current_seq(&c))
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the replaced database cannot be read; cursors from \
                    after the backup become stale once the server passes them");
                None
            })
            .unwrap_or(0)
    } else {
        0
    };
    // Brings an older schema up to date, like the server would at start.
    let mut conn = super::open(staging)?;
    let tx = conn.transaction()?;
    let seq: i64 = current_seq(&tx)?.unwrap_or(0);
    // Every cursor handed out so far (by the backup's database or the replaced one) lies below
    // the floor; the change log is moved above it, so that a full sync's page cursors after the
    // restore lie above it. Moving every row by more than the largest seq never collides.
    let floor = seq.max(replaced_seq) + 1;
    crate::storage::changes::move_history_above(&tx, floor)?;
    super::audit::audit(
        &tx,
        "system",
        "database.restore",
        "database",
        "",
        &from.display().to_string(),
    )?;
    tx.commit()?;
    // One self-contained file: the WAL folded in before it is renamed into place.
    conn.pragma_update(None, "journal_mode", "DELETE")?;
    drop(conn);
    Ok(floor)
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

fn remove_with_wal(path: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = sibling(path, suffix);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
        }
    }
    Ok(())
}
