//! Notification endpoints: a staff member's own channel settings, and for admin the delivery log
//! with filters and resend.

use axum::extract::State;
use axum::http::StatusCode;
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::api::{
    DeliveryEntry, DeliveryQuery, DeliveryStatus, ErrorBody, NotificationSettings,
    NotificationSettingsInput,
};
use sepiion_core::notify::{Channel, NoticeKind};
use sepiion_core::validation::{Msg, validate_notification_settings};

use crate::auth::{AdminAuth, Staff, StaffAuth};
use crate::db::audit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::records::ts;
use crate::state::{AppState, Ctx};

fn available(ctx: &Ctx) -> Vec<Channel> {
    let n = &ctx.notify;
    let mut out = Vec::new();
    if n.ntfy.is_some() {
        out.push(Channel::Ntfy);
    }
    if n.whatsapp.is_some() {
        out.push(Channel::Whatsapp);
    }
    if n.smtp.is_some() {
        out.push(Channel::Email);
    }
    out
}

fn settings_of(tx: &Transaction, ctx: &Ctx, staff: &Staff) -> ApiResult<NotificationSettings> {
    let (phone, email, channels): (Option<String>, Option<String>, String) = tx.query_row(
        "SELECT phone, email, notify_channels FROM users WHERE id = ?1",
        params![staff.id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let ntfy_url = match &ctx.notify.ntfy {
        Some(n) => Some(format!(
            "{}/{}",
            n.base_url.trim_end_matches('/'),
            crate::notify::ntfy_topic(tx, staff.id)?
        )),
        None => None,
    };
    Ok(NotificationSettings {
        phone,
        email,
        channels: channels
            .split(',')
            .filter_map(|c| Channel::parse(c.trim()))
            .collect(),
        ntfy_url,
        available: available(ctx),
    })
}

/// One's own notification settings, with the ntfy topic to subscribe to.
#[utoipa::path(get, path = "/api/v1/staff/notification-settings", tag = "staff",
    responses((status = 200, body = NotificationSettings), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_settings(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
) -> ApiResult<axum::Json<NotificationSettings>> {
    let ctx = state.ctx.clone();
    Ok(axum::Json(
        state
            .db
            .write(move |tx| settings_of(tx, &ctx, &staff))
            .await?,
    ))
}

/// Changes one's phone, e-mail and channels.
#[utoipa::path(put, path = "/api/v1/staff/notification-settings", tag = "staff",
    request_body = NotificationSettingsInput,
    responses((status = 200, body = NotificationSettings), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put_settings(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Json(input): Json<NotificationSettingsInput>,
) -> ApiResult<axum::Json<NotificationSettings>> {
    validate_notification_settings(&input).map_err(ApiError::validation)?;
    let ctx = state.ctx.clone();
    let out = state
        .db
        .write(move |tx| {
            let clean = |s: &Option<String>| {
                s.as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let mut channels: Vec<&str> = input.channels.iter().map(|c| c.as_str()).collect();
            channels.sort();
            channels.dedup();
            tx.execute(
                "UPDATE users SET phone = ?2, email = ?3, notify_channels = ?4 WHERE id = ?1",
                params![
                    staff.id,
                    clean(&input.phone),
                    clean(&input.email),
                    channels.join(",")
                ],
            )?;
            audit(
                tx,
                &staff.audit_name(),
                "user.notification_settings",
                "user",
                &staff.id.to_string(),
                &channels.join(","),
            )?;
            settings_of(tx, &ctx, &staff)
        })
        .await?;
    Ok(axum::Json(out))
}

const ENTRY_SQL: &str = "SELECT d.id, d.notification_id, n.kind, d.channel, d.address,
        COALESCE(u.username, 'pemohon'), n.title_id, d.status, d.attempts, d.last_error,
        d.created_at, d.sent_at
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
    })
}

/// The delivery log, newest first, by status and channel: failed deliveries show their error.
#[utoipa::path(get, path = "/api/v1/admin/deliveries", tag = "admin",
    params(DeliveryQuery),
    responses((status = 200, body = Vec<DeliveryEntry>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    AdminAuth(_admin): AdminAuth,
    Query(q): Query<DeliveryQuery>,
) -> ApiResult<axum::Json<Vec<DeliveryEntry>>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let rows = state
        .db
        .read(move |tx| {
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
        })
        .await?;
    Ok(axum::Json(rows))
}

/// Sends a delivery again (a failed one, or a sent one the recipient lost), under a new
/// idempotency key so that a receiver that saw the old one does not drop it.
#[utoipa::path(post, path = "/api/v1/admin/deliveries/{id}/resend", tag = "admin",
    params(("id" = i64, Path, description = "Delivery id")),
    responses((status = 200, body = DeliveryEntry), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn resend(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Path(id): Path<i64>,
) -> ApiResult<axum::Json<DeliveryEntry>> {
    let entry = state
        .db
        .write(move |tx| {
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
                "UPDATE deliveries SET status = 'pending', attempts = 0, generation = generation + 1,
                     next_attempt_ms = ?2, sent_at = NULL
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
            crate::notify::WAKE.notify_one();
            Ok(tx.query_row(
                &format!("{ENTRY_SQL} WHERE d.id = ?1"),
                params![id],
                entry_from_row,
            )?)
        })
        .await?;
    Ok(axum::Json(entry))
}
