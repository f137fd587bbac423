//! The delivery log for admin: every delivery with its status and error, and resending one.

use axum::http::StatusCode;
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::api::{DeliveryEntry, DeliveryQuery, DeliveryStatus};
use sepiion_core::notify::{Channel, NoticeKind};
use sepiion_core::validation::Msg;

use crate::domain::caller::Staff;
use crate::error::{ApiError, ApiResult};
use crate::storage::audit::audit;
use crate::storage::rows::ts;

const ENTRY_SQL: &str = "SELECT d.id, d.notification_id, n.kind, d.channel, d.address,
        COALESCE(u.username, 'pemohon'), COALESCE(d.title_ind, n.title_ind), d.status, d.attempts, d.last_error,
        d.created_at, d.sent_at, d.generation
    FROM deliveries d
    JOIN notifications n ON n.id = d.notification_id
    LEFT JOIN users u ON u.id = n.user_id";

fn entry_from_row(r: &rusqlite::Row) -> rusqlite::Result<DeliveryEntry> {
    let bad = |what: &str, v: String| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("unknown {what} {v:?}").into(),
        )
    };
    let kind: String = r.get(2)?;
    let channel: String = r.get(3)?;
    let status: String = r.get(7)?;
    Ok(DeliveryEntry {
        id: r.get(0)?,
        notification_id: r.get(1)?,
        kind: NoticeKind::parse(&kind).ok_or_else(|| bad("kind", kind.clone()))?,
        channel: Channel::parse(&channel).ok_or_else(|| bad("channel", channel.clone()))?,
        address: r.get(4)?,
        recipient: r.get(5)?,
        title: r.get(6)?,
        status: DeliveryStatus::parse(&status).ok_or_else(|| bad("status", status.clone()))?,
        attempts: r.get(8)?,
        last_error: r.get(9)?,
        created_at: ts(r.get(10)?),
        sent_at: r.get::<_, Option<i64>>(11)?.map(ts),
        resends: r.get(12)?,
    })
}

/// The delivery log, newest first, filtered by status and channel, `limit` entries before
/// `q.before`.
pub fn list(tx: &Transaction, q: &DeliveryQuery, limit: u32) -> ApiResult<Vec<DeliveryEntry>> {
    let mut st = tx.prepare_cached(&format!(
        "{ENTRY_SQL}
         WHERE (?1 IS NULL OR d.status = ?1) AND (?2 IS NULL OR d.channel = ?2)
           AND (?3 IS NULL OR d.id < ?3)
         ORDER BY d.id DESC LIMIT ?4"
    ))?;
    let rows = st
        .query_map(
            params![
                q.status.map(|s| s.as_str()),
                q.channel.map(|c| c.as_str()),
                q.before,
                limit
            ],
            entry_from_row,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Sends delivery `id` again under a new idempotency key (a failed one, or a sent one the
/// recipient lost); one still waiting is refused. The history stays: its attempts keep counting
/// and its last error stays until a newer one; the retry limit starts afresh.
pub fn resend(tx: &Transaction, admin: &Staff, id: i64) -> ApiResult<DeliveryEntry> {
    let status: Option<String> = tx
        .query_row(
            "SELECT status FROM deliveries WHERE id = ?1",
            params![id],
            |r| r.get(0),
        )
        .optional()?;
    match status.as_deref() {
        None => return Err(ApiError::not_found("Pengiriman", "Delivery")),
        Some("pending") => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "already_pending",
                Msg::new(
                    "Pengiriman ini masih menunggu dikirim.",
                    "This delivery is still waiting to be sent.",
                ),
            ));
        }
        _ => {}
    }
    tx.execute(
        "UPDATE deliveries SET status = 'pending', attempts_before_resend = attempts,
             generation = generation + 1, next_attempt_ms = ?2, sent_at = NULL,
             claimed_at_ms = NULL
         WHERE id = ?1",
        params![id, chrono::Utc::now().timestamp_millis()],
    )?;
    audit(
        tx,
        &admin.audit_name(),
        "delivery.resend",
        "delivery",
        &id.to_string(),
        "",
    )?;
    super::WAKE.notify_one();
    Ok(tx.query_row(
        &format!("{ENTRY_SQL} WHERE d.id = ?1"),
        params![id],
        entry_from_row,
    )?)
}
