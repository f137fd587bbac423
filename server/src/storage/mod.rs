//! Storage: the SQLite database and everything that is only about its rows. Opening it (WAL,
//! foreign keys, busy timeout, full sync), its migrations and running blocking work off the async
//! runtime live here; the change log ([`changes`]), settings, the audit log, row mapping
//! ([`rows`]), sessions and devices ([`sessions`]), notification rows ([`notifications`]) and
//! backups ([`backup`]) in the files beside it.
//!
//! This layer knows SQL and nothing of the rules: it imports only `sepiion_core`, `config` and
//! `error` (a test in `lib.rs` fails otherwise). Who may see what is `domain::visibility`.

pub mod audit;
pub mod backup;
pub mod changes;
pub mod notifications;
pub mod rows;
pub mod sessions;
pub mod settings;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, Transaction};
use rusqlite_migration::{M, Migrations};

use crate::error::{ApiError, ApiResult};

/// Migrations are only ever appended, never edited.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_security.sql"),
    include_str!("../../migrations/0003_notifications.sql"),
    include_str!("../../migrations/0004_ics_feeds.sql"),
    include_str!("../../migrations/0005_inbox_paging.sql"),
    include_str!("../../migrations/0006_request_counts.sql"),
    include_str!("../../migrations/0007_answer_links.sql"),
    include_str!("../../migrations/0008_messages.sql"),
    include_str!("../../migrations/0009_requester_contacts.sql"),
    include_str!("../../migrations/0010_delivery_history.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// Prepared statements each connection keeps (rusqlite's default is 16, fewer than the
/// statements one sync pull or inbox read runs, so they would be parsed again and again).
const STATEMENT_CACHE: usize = 128;

/// Opens (creating if needed) the database at `path` and brings its schema up to date, logging
/// the schema either way ("schema 6, up to date" / "migrated 5 → 6"; the number is the newest
/// migration file's, `migrations/0006_…`). Errors name the file.
pub fn open(path: &Path) -> anyhow::Result<Connection> {
    open_logged(path, true)
}

fn open_logged(path: &Path, log: bool) -> anyhow::Result<Connection> {
    use anyhow::Context;
    let shown = path.display();
    let mut conn =
        Connection::open(path).with_context(|| format!("cannot open the database {shown}"))?;
    // WAL lets readers work beside the writer; FULL makes every committed transaction survive a
    // power cut, which matters more here than write speed.
    (|| {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
    })()
    .with_context(|| format!("cannot set up the database {shown}"))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let before = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .with_context(|| format!("cannot read the schema version of {shown}"))?
        .max(0) as usize;
    migrations().to_latest(&mut conn).with_context(|| {
        format!("cannot migrate the database {shown} from schema {before} to {SCHEMA_VERSION}")
    })?;
    if !log {
        tracing::debug!(db = %shown, from = before, schema = SCHEMA_VERSION, "schema");
    } else if before == SCHEMA_VERSION {
        tracing::info!(db = %shown, schema = SCHEMA_VERSION, "schema {SCHEMA_VERSION}, up to date");
    } else {
        tracing::info!(
            db = %shown,
            from = before,
            schema = SCHEMA_VERSION,
            "migrated {before} → {SCHEMA_VERSION}"
        );
    }
    Ok(conn)
}

/// The schema version a database has after [`open`]: the number of migrations (rusqlite_migration
/// keeps it in `PRAGMA user_version`).
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Bytes SQLite holds in memory right now, over all connections (page caches, prepared
/// statements, schema): `/metrics` reports it, so a page cache that keeps growing shows.
pub fn sqlite_memory_used() -> i64 {
    // SAFETY: sqlite3_memory_used only reads SQLite's own counter; it takes no arguments and
    // may be called from any thread at any time.
    unsafe { rusqlite::ffi::sqlite3_memory_used() }
}

/// Read connections kept beside the writer. In WAL mode each reads the last committed snapshot
/// and never waits for the writer; a handful is plenty for one regency's office.
const READERS: usize = 4;

/// A connection for reads only (`query_only`: a write by mistake fails instead of racing the
/// writer). The schema is the writer's business.
fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "query_only", true)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// The database as the server uses it: one writer behind a mutex (SQLite serialises writers
/// anyway) and a small set of read connections. A pool crate (r2d2_sqlite) would pin the
/// rusqlite version for what is a vector and a semaphore here.
#[derive(Clone)]
pub struct Db {
    writer: Arc<Mutex<Connection>>,
    idle_readers: Arc<Mutex<Vec<Connection>>>,
    reader_permits: Arc<tokio::sync::Semaphore>,
    pub path: PathBuf,
    /// Bumped after every committed transaction that changed a row: the HTTP layer's public
    /// response cache keys its entries by it, so no answer outlives the data it was made from.
    pub generation: Arc<AtomicU64>,
    /// Set when a write was refused for lack of disk space, cleared by the next write that
    /// commits (or by the health check once space is back): `/healthz` says why it fails.
    disk_full: Arc<AtomicBool>,
    /// Which file the server opened, to notice when the path no longer leads to it.
    file_id: Option<FileId>,
    /// Held while the server uses the database, so that `restore` refuses to replace it.
    _lock: Arc<ServeLock>,
}

/// Device and inode of a file (unix); elsewhere nothing is compared.
type FileId = (u64, u64);

fn file_id(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// The write-ahead log next to a database file.
pub fn wal_path(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    PathBuf::from(p)
}

impl Db {
    /// Opens the database for serving: takes the serve lock first (waiting while a restore
    /// replaces the file), then brings the schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        let lock = ServeLock::shared(path)?;
        Self::open_locked(path, lock)
    }

    /// Opens the database under a serve lock already taken.
    pub fn open_locked(path: &Path, lock: ServeLock) -> anyhow::Result<Db> {
        // The server's start (`prepare`) has opened it once already and logged the schema.
        let writer = open_logged(path, false)?;
        Ok(Db {
            file_id: file_id(path),
            writer: Arc::new(Mutex::new(writer)),
            idle_readers: Arc::default(),
            reader_permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
            path: path.to_path_buf(),
            generation: Arc::default(),
            disk_full: Arc::default(),
            _lock: Arc::new(lock),
        })
    }

    /// Runs `f` inside one transaction on a blocking thread; commits if it returns `Ok`.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
    {
        let conn = self.writer.clone();
        let generation = self.generation.clone();
        let disk_full = self.disk_full.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            let result = (|| -> ApiResult<(T, bool)> {
                let tx = guard.transaction()?;
                let before = tx.total_changes();
                let out = f(&tx)?;
                let changed = tx.total_changes() != before;
                tx.commit()?;
                Ok((out, changed))
            })();
            match result {
                Ok((out, changed)) => {
                    // After the commit, so a reader that sees the new generation also sees the
                    // new data.
                    if changed {
                        generation.fetch_add(1, Ordering::Release);
                    }
                    // A small write can still fit on a full disk (pages SQLite freed); the
                    // disk counts as full until there is room again, as /healthz says.
                    if disk_full.load(Ordering::Acquire)
                        && free_bytes(&path).is_none_or(|free| free >= SPACE_TO_WRITE)
                        && disk_full.swap(false, Ordering::AcqRel)
                    {
                        tracing::info!("writes succeed again: disk space is back");
                    }
                    Ok(out)
                }
                Err(e) => {
                    if e.code == crate::error::STORAGE_FULL {
                        disk_full.store(true, Ordering::Release);
                    }
                    Err(e)
                }
            }
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs a read on a blocking thread, on a read connection, inside a transaction (one
    /// consistent snapshot). It does not wait for the writer.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction) -> ApiResult<T> + Send + 'static,
    {
        let permit = self
            .reader_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(ApiError::internal)?;
        let idle = self.idle_readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let taken = idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let mut conn = match taken {
                Some(c) => c,
                None => open_reader(&path)?,
            };
            let out = (|| -> ApiResult<T> {
                let tx = conn.transaction()?;
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            })();
            idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            out
        })
        .await
        .map_err(ApiError::internal)?
    }
}

impl Db {
    /// Whether the database answers: the path still leads to the file the server opened (not
    /// deleted or replaced under it) and a read of the change sequence succeeds in time.
    pub async fn health(&self) -> Result<(), Unhealthy> {
        if self.file_id.is_some() && file_id(&self.path) != self.file_id {
            return Err(Unhealthy::Unavailable(format!(
                "{} was removed or replaced while the server runs",
                self.path.display()
            )));
        }
        if self.disk_full.load(Ordering::Acquire) {
            match free_bytes(&self.path) {
                // Space is back (someone freed some): the next write will tell for sure.
                Some(free) if free >= SPACE_TO_WRITE => {
                    self.disk_full.store(false, Ordering::Release);
                }
                free => {
                    let free = free.map(|b| format!("{b} bytes free")).unwrap_or_default();
                    return Err(Unhealthy::DiskFull(format!(
                        "the disk holding {} is full ({free}): writes are refused until space \
                         is freed, reads go on",
                        self.path.display()
                    )));
                }
            }
        }
        let read = self.read(|tx| Ok(changes::current_seq(tx)?));
        match tokio::time::timeout(std::time::Duration::from_secs(3), read).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(Unhealthy::Unavailable(
                "the database read failed (see the log)".into(),
            )),
            Err(_) => Err(Unhealthy::Unavailable("no answer within 3 s".into())),
        }
    }
}

/// Why [`Db::health`] fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unhealthy {
    /// The database does not answer (gone, replaced, or too slow).
    Unavailable(String),
    /// A write was refused for lack of disk space and there is still too little.
    DiskFull(String),
}

impl std::fmt::Display for Unhealthy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unhealthy::Unavailable(why) | Unhealthy::DiskFull(why) => f.write_str(why),
        }
    }
}

/// Free space, below which a refused write is not taken as over: a few WAL frames of a
/// sync push.
const SPACE_TO_WRITE: u64 = 1 << 20;

/// Bytes an unprivileged process may still write on the filesystem holding `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let st = rustix::fs::statvfs(dir).ok()?;
        Some(st.f_bavail.saturating_mul(st.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A lock next to the database (`<db>.lock`): every server holds it shared while it serves,
/// `restore` takes it exclusively, so a database in use is never replaced under a server. An
/// OS file lock (flock), released by the kernel when the process ends, however it ends.
pub struct ServeLock {
    _file: std::fs::File,
}

impl ServeLock {
    pub fn path(db: &Path) -> PathBuf {
        let mut p = db.as_os_str().to_owned();
        p.push(".lock");
        PathBuf::from(p)
    }

    fn file(db: &Path) -> anyhow::Result<std::fs::File> {
        let path = Self::path(db);
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| anyhow::anyhow!("cannot open the lock file {}: {e}", path.display()))
    }

    /// For serving: shared with other servers, waits while a restore holds it.
    pub fn shared(db: &Path) -> anyhow::Result<ServeLock> {
        let file = Self::file(db)?;
        file.lock_shared()?;
        Ok(ServeLock { _file: file })
    }

    /// For replacing the database: `None` while a server holds it.
    pub fn exclusive(db: &Path) -> anyhow::Result<Option<ServeLock>> {
        let file = Self::file(db)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(ServeLock { _file: file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_do_not_wait_for_a_writer_and_see_the_last_commit() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("t.db")).unwrap();
        // A write that holds the writer until a read has finished beside it.
        let (read_done, wait_for_read) = std::sync::mpsc::channel::<i64>();
        let writing = tokio::spawn({
            let db = db.clone();
            async move {
                db.write(move |tx| {
                    tx.execute("UPDATE counters SET value = 41 WHERE name = 'seq'", [])?;
                    let seen = wait_for_read
                        .recv_timeout(std::time::Duration::from_secs(20))
                        .expect("the read finished while the write was open");
                    Ok(seen)
                })
                .await
            }
        });
        let seq = |tx: &Transaction| -> ApiResult<i64> {
            Ok(
                tx.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| {
                    r.get(0)
                })?,
            )
        };
        let during = db.read(seq).await.unwrap();
        read_done.send(during).unwrap();
        assert_eq!(
            writing.await.unwrap().unwrap(),
            0,
            "the uncommitted write is not seen"
        );
        assert_eq!(db.read(seq).await.unwrap(), 41, "the committed write is");
        // Reads cannot write by mistake.
        assert!(
            db.read(|tx| Ok(tx.execute("DELETE FROM counters", [])?))
                .await
                .is_err()
        );
    }

    /// Inserts a request with only the columns the schema requires, in `state`.
    fn insert_request(conn: &Connection, id: &str, state: &str) {
        conn.execute(
            "INSERT INTO requests (id, tracking_code, kind, title, description, starts_at, ends_at,
                 location, organizer, requester_name, requester_phone, expected_attendees,
                 leader_role, dress_code, state, created_at, updated_at)
             VALUES (?1, ?1, 'undangan', 't', 'd', 0, 3600, 'l', 'o', 'n', '0812', 1, 'r', '',
                     ?2, 0, 0)",
            rusqlite::params![id, state],
        )
        .unwrap();
    }

    /// Requests per state.
    type Counts = Vec<(String, i64)>;

    /// The kept counts (zeros left out) and the counts of the rows themselves.
    fn counts(conn: &Connection) -> (Counts, Counts) {
        let rows = |sql: &str| -> Counts {
            conn.prepare(sql)
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        (
            rows("SELECT state, n FROM request_counts WHERE n != 0 ORDER BY state"),
            rows("SELECT state, COUNT(*) FROM requests GROUP BY state ORDER BY state"),
        )
    }

    #[test]
    fn the_kept_request_counts_follow_every_write_and_start_from_the_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        {
            // A database from before the counts, with requests in it.
            let mut conn = Connection::open(&path).unwrap();
            Migrations::new(MIGRATIONS[..5].iter().map(|sql| M::up(sql)).collect())
                .to_latest(&mut conn)
                .unwrap();
            for (i, state) in ["submitted", "submitted", "in_review"].iter().enumerate() {
                insert_request(&conn, &format!("old{i}"), state);
            }
        }
        let conn = open(&path).unwrap();
        let (kept, actual) = counts(&conn);
        assert_eq!(kept, actual);
        assert_eq!(kept.len(), 2);

        insert_request(&conn, "a", "submitted");
        insert_request(&conn, "b", "approved");
        conn.execute("UPDATE requests SET state = 'in_review' WHERE id = 'a'", [])
            .unwrap();
        // Other columns change: the counts do not.
        conn.execute("UPDATE requests SET title = 'u' WHERE id = 'b'", [])
            .unwrap();
        conn.execute(
            "UPDATE requests SET state = 'declined' WHERE id = 'old0'",
            [],
        )
        .unwrap();
        conn.execute("DELETE FROM requests WHERE id = 'old1'", [])
            .unwrap();
        let (kept, actual) = counts(&conn);
        assert_eq!(kept, actual);
        assert_eq!(
            actual,
            vec![
                ("approved".to_string(), 1),
                ("declined".to_string(), 1),
                ("in_review".to_string(), 2)
            ]
        );
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
