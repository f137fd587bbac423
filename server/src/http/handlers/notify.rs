//! Notification endpoints: a staff member's own channel settings, and for admin the delivery log
//! with filters and resend.

use axum::extract::State;
use sepiion_core::api::{
    DeliveryEntry, DeliveryQuery, ErrorBody, NotificationSettings, NotificationSettingsInput,
};
use sepiion_core::validation::validate_notification_settings;

use crate::domain::notify::deliveries as log;
use crate::domain::notify::settings;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::{AdminAuth, StaffAuth};
use crate::http::extract::{Json, Path, Query};
use crate::http::state::AppState;

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
            .write(move |tx| settings::settings_of(tx, &ctx, &staff))
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
        .write(move |tx| settings::save_settings(tx, &ctx, &staff, &input))
        .await?;
    Ok(axum::Json(out))
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
    let rows = state.db.read(move |tx| log::list(tx, &q, limit)).await?;
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
        .write(move |tx| log::resend(tx, &admin, id))
        .await?;
    Ok(axum::Json(entry))
}
