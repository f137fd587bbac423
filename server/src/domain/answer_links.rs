//! Private answer links: how a requester who submitted on the web portal answers staff from any
//! browser (the link arrives in the receipt by e-mail or WhatsApp and on the page after sending).
//! The link's secret is shown once and kept only as its SHA-256; whoever holds it acts as the
//! device that submitted, through the same workflow functions as the app's sync push. The
//! tracking code alone never allows acting: it only reads.

use chrono::Utc;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::domain::caller::{Caller, new_token, token_hash};
use crate::storage::rows::request_owner;

/// Makes a new answer link for `request_id` and returns its secret (shown once).
pub fn create(tx: &Transaction, request_id: &str) -> rusqlite::Result<String> {
    let secret = new_token("");
    tx.execute(
        "INSERT INTO answer_links (secret_hash, request_id, created_at) VALUES (?1, ?2, ?3)",
        params![token_hash(&secret), request_id, Utc::now().timestamp()],
    )?;
    Ok(secret)
}

/// Whether `secret` looks like one [`create`] makes (64 hex digits), before any database work.
pub fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The request an answer link opens and the caller it acts as (the submitting device), or
/// `None` for an unknown secret or a request without a device.
pub fn resolve(tx: &Transaction, secret: &str) -> rusqlite::Result<Option<(String, Caller)>> {
    if !well_formed(secret) {
        return Ok(None);
    }
    let request_id: Option<String> = tx
        .prepare_cached("SELECT request_id FROM answer_links WHERE secret_hash = ?1")?
        .query_row(params![token_hash(&secret.to_ascii_lowercase())], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(request_id) = request_id else {
        return Ok(None);
    };
    Ok(request_owner(tx, &request_id)?
        .flatten()
        .map(|device| (request_id, Caller::Device(device))))
}
