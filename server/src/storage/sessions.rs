//! Session and device rows: staff sessions and public devices, each found by the hash of its
//! token (the token itself is never stored). What a row means — expired, idle, revoked — is
//! decided in `domain::caller`.

use rusqlite::{OptionalExtension, Row, Transaction, params};

/// A staff account as the session and login queries read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// The role's code (`sepiion_core::model::Role`).
    pub role: String,
    pub leader_id: Option<String>,
}

/// Reads the account columns (`id`, `username`, `display_name`, `role`, `leader_id`) of a row of
/// `users`, by name.
pub fn account_from_row(r: &Row) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: r.get("id")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        role: r.get("role")?,
        leader_id: r.get("leader_id")?,
    })
}

/// A staff session with its account.
pub struct SessionRow {
    pub account: AccountRow,
    pub active: bool,
    pub expires_at: i64,
    pub last_used_at: i64,
}

/// The session whose token hashes to `hash`.
pub fn find_session(tx: &Transaction, hash: &str) -> rusqlite::Result<Option<SessionRow>> {
    tx.query_row(
        "SELECT u.id, u.username, u.display_name, u.role, u.leader_id, u.active,
                s.expires_at, s.last_used_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ?1",
        params![hash],
        |r| {
            Ok(SessionRow {
                account: account_from_row(r)?,
                active: r.get("active")?,
                expires_at: r.get("expires_at")?,
                last_used_at: r.get("last_used_at")?,
            })
        },
    )
    .optional()
}

pub fn insert_session(
    tx: &Transaction,
    hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_used_at)
         VALUES (?1, ?2, ?3, ?4, ?3)",
        params![hash, user_id, now, expires_at],
    )?;
    Ok(())
}

pub fn touch_session(tx: &Transaction, hash: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE sessions SET last_used_at = ?2 WHERE token_hash = ?1",
        params![hash, now],
    )?;
    Ok(())
}

pub fn delete_session(tx: &Transaction, hash: &str) -> rusqlite::Result<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", params![hash])?;
    Ok(())
}

/// Drops sessions that expired by `now` or were last used at or before `idle_since`.
pub fn purge_sessions(tx: &Transaction, now: i64, idle_since: i64) -> rusqlite::Result<usize> {
    tx.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1 OR last_used_at <= ?2",
        params![now, idle_since],
    )
}

/// A public device found by its token.
pub struct DeviceRow {
    pub id: String,
    pub last_seen: i64,
    pub revoked_at: Option<i64>,
}

pub fn find_device(tx: &Transaction, hash: &str) -> rusqlite::Result<Option<DeviceRow>> {
    tx.query_row(
        "SELECT id, last_seen, revoked_at FROM devices WHERE token_hash = ?1",
        params![hash],
        |r| {
            Ok(DeviceRow {
                id: r.get(0)?,
                last_seen: r.get(1)?,
                revoked_at: r.get(2)?,
            })
        },
    )
    .optional()
}

pub fn insert_device(tx: &Transaction, id: &str, hash: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO devices (id, token_hash, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
        params![id, hash, now],
    )?;
    Ok(())
}

pub fn touch_device(tx: &Transaction, id: &str, now: i64) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE devices SET last_seen = ?2 WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}

/// An active account by username, with its password hash (for signing in).
pub fn find_login(
    tx: &Transaction,
    username: &str,
) -> rusqlite::Result<Option<(AccountRow, String)>> {
    tx.query_row(
        "SELECT id, username, display_name, role, leader_id, password_hash
         FROM users WHERE username = ?1 AND active = 1",
        params![username],
        |r| Ok((account_from_row(r)?, r.get("password_hash")?)),
    )
    .optional()
}

/// Sessions that have not expired by `now`, and devices seen since `seen_since` (for metrics).
pub fn live_counts(tx: &Transaction, now: i64, seen_since: i64) -> rusqlite::Result<(i64, i64)> {
    let sessions = tx.query_row(
        "SELECT COUNT(*) FROM sessions WHERE expires_at > ?1",
        params![now],
        |r| r.get(0),
    )?;
    let devices = tx.query_row(
        "SELECT COUNT(*) FROM devices WHERE last_seen > ?1",
        params![seen_since],
        |r| r.get(0),
    )?;
    Ok((sessions, devices))
}
