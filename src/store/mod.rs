//! The device's own SQLite database: a cache of what the server sent, plus an outbox of local
//! changes not yet confirmed. Screens read it (so they work offline and start instantly) and
//! write to it (the change shows at once, marked as not yet sent); the sync engine
//! ([`crate::sync`]) moves changes between it and the server.
//!
//! - [`schema`]: tables and migrations.
//! - [`cache`]: server records in, the shown record recomputed (server record + pending changes).
//! - [`outbox`]: queued changes, push batches and answers, conflicts and their resolution.
//! - [`writes`]: local changes made by screens.
//! - [`reads`]: what screens read.

pub mod attachments;
pub mod cache;
pub mod notifications;
pub mod outbox;
pub mod overlay;
pub mod prefs;
pub mod reads;
pub mod schema;
pub mod writes;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use sepiion_core::api::{DeviceRegistration, LoginResponse};
use sepiion_core::model::StaffUser;
use sepiion_core::validation::{FieldErrors, Lang};
use sepiion_core::workflow::{Actor, TransitionError};

use crate::platform::{PlatformError, Variant};
pub use notifications::NotificationEntry;
pub use outbox::{OutboxEntry, OutboxStatus, PushTally};
pub use overlay::LocalActor;
pub use reads::{AgendaEntry, InboxFilter, InboxPage, NoteEntry, RequestDetail, RequestEntry};

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("cannot migrate the database: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("invalid stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Platform(#[from] PlatformError),
    /// Bad input: per-field messages, nothing was written.
    #[error("invalid input: {0:?}")]
    Invalid(FieldErrors),
    /// The action is not possible for this request now (or not for this user).
    #[error("not possible now: {0:?}")]
    Transition(TransitionError),
    /// This account's role may not make this change.
    #[error("this account may not do that")]
    NotAllowed,
    #[error("no such record on this device")]
    NotFound,
    /// Local changes need a signed-in staff member (internal app).
    #[error("not signed in")]
    NotSignedIn,
    #[error("the outbox has no entry {0} in that state")]
    UnknownMutation(String),
}

impl StoreError {
    /// What to tell the person, in their language: the per-field messages of refused input
    /// (one after another), why a workflow step is not possible now, else the error itself.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            StoreError::Invalid(fields) => fields
                .0
                .values()
                .map(|m| m.get(lang).to_string())
                .collect::<Vec<_>>()
                .join(" "),
            StoreError::Transition(e) => e.message().get(lang).to_string(),
            other => other.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Who this device is to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A public device not registered yet (or an internal app not signed in).
    None,
    /// A registered public device.
    Device { device_id: String, token: String },
    /// A signed-in staff member.
    Staff {
        token: String,
        user: StaffUser,
        expires_at: DateTime<Utc>,
    },
}

impl Identity {
    pub fn token(&self) -> Option<&str> {
        match self {
            Identity::None => None,
            Identity::Device { token, .. } | Identity::Staff { token, .. } => Some(token),
        }
    }
}

/// The local database. Cheap to clone; all clones share its connections.
///
/// Writes go through one writer connection, reads through their own connection: in WAL mode a
/// read sees the last committed state and never waits for a write in progress (a sync applying
/// pages), so screens stay responsive. Every committed write bumps the store's revision, the one
/// change feed screens subscribe to ([`Store::changes`]).
#[derive(Clone)]
pub struct Store {
    writer: Arc<Mutex<Connection>>,
    reader: Arc<Mutex<Connection>>,
    revision: Arc<tokio::sync::watch::Sender<u64>>,
    variant: Variant,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("variant", &self.variant)
            .finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path, variant: Variant) -> StoreResult<Store> {
        let mut conn = Connection::open(path)?;
        // WAL: screens read while sync writes. FULL: a change the user saved survives a power
        // cut, which matters more than write speed on a phone.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&mut conn)?;
        // More prepared statements kept than rusqlite's 16: a sync and the screens use more.
        conn.set_prepared_statement_cache_capacity(64);
        let reader = Connection::open(path)?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        reader.set_prepared_statement_cache_capacity(64);
        Ok(Store {
            writer: Arc::new(Mutex::new(conn)),
            reader: Arc::new(Mutex::new(reader)),
            revision: Arc::new(tokio::sync::watch::Sender::new(0)),
            variant,
        })
    }

    /// Opens the database in the platform's place for this app variant.
    pub fn open_default(variant: Variant) -> StoreResult<Store> {
        Self::open(&crate::platform::database_path(variant)?, variant)
    }

    pub fn variant(&self) -> Variant {
        self.variant
    }

    fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves no half-written transaction behind (it rolls
        // back on drop), so the connection is still good.
        conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one transaction on the writer; commits if it returns `Ok`, then tells
    /// subscribers that the store changed.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let out = {
            let mut conn = Self::lock(&self.writer);
            let tx = conn.transaction()?;
            let out = f(&tx)?;
            tx.commit()?;
            out
        };
        self.revision.send_modify(|r| *r += 1);
        Ok(out)
    }

    /// [`Store::write`] for records pulled from the server: committed without waiting for the
    /// disk (`synchronous = NORMAL` for this transaction only). In WAL mode such a commit is
    /// still atomic and in order; a power cut may undo it, and with it the cursor saved in it,
    /// so the next sync pulls those records again. The user's own writes keep `FULL`, whose
    /// sync of the log also makes every earlier commit durable.
    pub(crate) fn write_pulled<T>(
        &self,
        f: impl FnOnce(&Transaction) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let out = {
            let mut conn = Self::lock(&self.writer);
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            let out = (|| -> StoreResult<T> {
                let tx = conn.transaction()?;
                let out = f(&tx)?;
                tx.commit()?;
                Ok(out)
            })();
            conn.pragma_update(None, "synchronous", "FULL")?;
            out?
        };
        self.revision.send_modify(|r| *r += 1);
        Ok(out)
    }

    /// Runs `f` in a read transaction (one consistent snapshot) on the read connection.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Transaction) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = Self::lock(&self.reader);
        let tx = conn.transaction()?;
        f(&tx)
    }

    /// The change feed: its value (the store's revision) moves after every committed write,
    /// local or from a sync. Screens re-read when it moves.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revision.subscribe()
    }

    /// The store's revision now.
    pub fn revision(&self) -> u64 {
        *self.revision.borrow()
    }

    /// Who this device is to the server.
    pub fn identity(&self) -> StoreResult<Identity> {
        self.read(identity)
    }

    /// Keeps the token of a newly registered public device.
    pub fn set_device(&self, reg: &DeviceRegistration) -> StoreResult<()> {
        self.write(|tx| {
            set_state(tx, "device_id", &reg.device_id)?;
            set_state(tx, "device_token", &reg.token)
        })
    }

    /// Keeps a staff session. Pending changes stay: they are sent with the new session.
    pub fn set_session(&self, login: &LoginResponse) -> StoreResult<()> {
        self.write(|tx| {
            delete_state(tx, SESSION_NOTICE)?;
            set_state(tx, "session_token", &login.token)?;
            set_state(tx, "session_user", &serde_json::to_string(&login.user)?)?;
            set_state(tx, "session_expires_at", &login.expires_at.to_rfc3339())
        })
    }

    /// The server no longer accepts the session (expired, idle, revoked): the token goes, but the
    /// account's cached data and unsent changes stay, to be sent after the same person signs
    /// in again. `notice` is shown on the sign-in screen.
    pub fn end_session(&self, notice: &str) -> StoreResult<()> {
        self.write(|tx| {
            delete_state(tx, "session_token")?;
            delete_state(tx, "session_expires_at")?;
            set_state(tx, SESSION_NOTICE, notice)
        })
    }

    /// The account whose session ended without signing out (its data is still here).
    pub fn previous_account(&self) -> StoreResult<Option<sepiion_core::model::StaffUser>> {
        self.read(|tx| {
            Ok(match get_state(tx, "session_user")? {
                Some(u) if get_state(tx, "session_token")?.is_none() => {
                    Some(serde_json::from_str(&u)?)
                }
                _ => None,
            })
        })
    }

    /// Forgets the staff session (logout, or the server no longer accepts it).
    pub fn clear_session(&self) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute(
                "DELETE FROM sync_state WHERE key LIKE 'session\\_%' ESCAPE '\\'",
                [],
            )?;
            Ok(())
        })
    }

    /// The opaque pull cursor; `None` before the first complete page.
    pub fn cursor(&self) -> StoreResult<Option<String>> {
        self.read(|tx| get_state(tx, "cursor"))
    }

    /// When the last sync finished (pull caught up).
    pub fn last_sync_at(&self) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(self
            .read(|tx| get_state(tx, "last_sync_at"))?
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc)))
    }
}

/// Why the last session ended ("expired" or "deactivated"), for the sign-in screen. A `pref_`
/// key, so that it outlives the wipe of a deactivated account.
pub const SESSION_NOTICE: &str = "pref_session_notice";

pub(crate) fn get_state(tx: &Transaction, key: &str) -> StoreResult<Option<String>> {
    Ok(tx
        .query_row(
            "SELECT value FROM sync_state WHERE key = ?1",
            params![key],
            |r| r.get(0),
        )
        .optional()?)
}

pub(crate) fn set_state(tx: &Transaction, key: &str, value: &str) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO sync_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

pub(crate) fn delete_state(tx: &Transaction, key: &str) -> StoreResult<()> {
    tx.execute("DELETE FROM sync_state WHERE key = ?1", params![key])?;
    Ok(())
}

pub(crate) fn identity(tx: &Transaction) -> StoreResult<Identity> {
    if let (Some(token), Some(user)) = (
        get_state(tx, "session_token")?,
        get_state(tx, "session_user")?,
    ) {
        let expires_at = get_state(tx, "session_expires_at")?
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default();
        return Ok(Identity::Staff {
            token,
            user: serde_json::from_str(&user)?,
            expires_at,
        });
    }
    if let (Some(device_id), Some(token)) =
        (get_state(tx, "device_id")?, get_state(tx, "device_token")?)
    {
        return Ok(Identity::Device { device_id, token });
    }
    Ok(Identity::None)
}

/// Who makes local changes: the signed-in staff member, else the requester.
pub(crate) fn local_actor(tx: &Transaction) -> StoreResult<LocalActor> {
    Ok(match identity(tx)? {
        Identity::Staff { user, .. } => LocalActor {
            actor: Actor::Staff(user.role),
            name: user.display_name,
        },
        _ => LocalActor::requester(),
    })
}

#[cfg(test)]
mod tests;
