//! Calendar feeds: the `.ics` files (outside the JSON API) and the staff endpoints that make,
//! show and revoke a personal feed address.

use axum::extract::State;
use std::io::Write;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use sepiion_core::api::{CalendarFeedInfo, CalendarFeedSecret, ErrorBody};
use sepiion_core::validation::Msg;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::caller::Caller;
use crate::domain::context::Ctx;
use crate::domain::ics;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::{AdminAuth, StaffAuth};
use crate::http::cache::accepts_gzip;
use crate::http::extract::{Path, Query};
use crate::http::state::AppState;
use crate::storage::audit::audit;
use crate::storage::rows::{load_leader, ts};

/// The base of the feeds' absolute URLs: the configured public address (or the loopback address
/// a development server listens on), never the request's `Host`.
pub fn base_url(ctx: &Ctx, _headers: &HeaderMap) -> String {
    ctx.public_base().to_string()
}

/// A body with a strong ETag, answered 304 when the client already has it. A client that
/// accepts gzip gets the gzip form with a tag of its own (`"<hash>-gzip"`): a strong tag names
/// one sequence of bytes, so the plain and the gzip answer must not share it (RFC 9110 8.8.1),
/// and each answers `If-None-Match` for itself. Compressed here, not by the compression layer,
/// which would keep the plain answer's tag.
pub fn with_etag(
    headers: &HeaderMap,
    content_type: &'static str,
    cache: &'static str,
    body: Vec<u8>,
) -> Response {
    let hash = hex::encode(&Sha256::digest(&body)[..16]);
    let gzipped = accepts_gzip(headers)
        .then(|| gzip(&body))
        .filter(|gz| gz.len() < body.len());
    let etag = match gzipped {
        Some(_) => format!("\"{hash}-gzip\""),
        None => format!("\"{hash}\""),
    };
    let etag_value = HeaderValue::from_str(&etag).expect("hex is a valid header value");
    let matches = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*");
    let common = [
        (ETAG, etag_value),
        (CACHE_CONTROL, HeaderValue::from_static(cache)),
        (VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if matches {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let content_type = [(CONTENT_TYPE, HeaderValue::from_static(content_type))];
    match gzipped {
        Some(gz) => (
            common,
            content_type,
            [(CONTENT_ENCODING, HeaderValue::from_static("gzip"))],
            gz,
        )
            .into_response(),
        None => (common, content_type, body).into_response(),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("writing to memory");
    enc.finish().expect("writing to memory")
}

const CALENDAR: &str = "text/calendar; charset=utf-8";

#[derive(Debug, Deserialize)]
pub struct PublicFeedQuery {
    /// Only this leader's items.
    #[serde(default)]
    pub leader: Option<String>,
}

/// `GET /ics/public.ics`: the public agenda (public items, public fields).
pub async fn public_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PublicFeedQuery>,
) -> ApiResult<Response> {
    let ctx = state.ctx.clone();
    let base = base_url(&ctx, &headers);
    let feed = state
        .db
        .read(move |tx| {
            let regency = ctx.regency_name(tx)?;
            let name = match q.leader.as_deref() {
                Some(id) => {
                    let leader = load_leader(tx, id)?
                        .ok_or_else(|| ApiError::not_found("Pimpinan", "Leader"))?;
                    format!("Agenda {} — {regency}", leader.title)
                }
                None => format!("Agenda Pimpinan — {regency}"),
            };
            Ok(ics::load_feed(
                tx,
                &Caller::Anonymous,
                q.leader.as_deref(),
                name,
                base,
                ctx.tz,
                Utc::now(),
            )?)
        })
        .await?;
    Ok(with_etag(
        &headers,
        CALENDAR,
        "public, max-age=300",
        ics::render(&feed).into_bytes(),
    ))
}

/// `GET /ics/staff/{secret}.ics`: what that staff account may see, with internal fields.
pub async fn staff_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("Kalender", "Calendar feed");
    let secret = file.strip_suffix(".ics").ok_or_else(not_found)?.to_string();
    let ctx = state.ctx.clone();
    let base = base_url(&ctx, &headers);
    let feed = state
        .db
        .read(move |tx| {
            let staff = ics::staff_for_secret(tx, &secret)?.ok_or_else(not_found)?;
            let regency = ctx.regency_name(tx)?;
            let name = format!("Agenda {} — {regency}", staff.display_name);
            Ok(ics::load_feed(
                tx,
                &Caller::Staff(staff),
                None,
                name,
                base,
                ctx.tz,
                Utc::now(),
            )?)
        })
        .await?;
    Ok(with_etag(
        &headers,
        CALENDAR,
        // The address is a secret: shared caches must not keep it.
        "private, max-age=300",
        ics::render(&feed).into_bytes(),
    ))
}

/// Whether the caller has a personal calendar feed, and the public feed's address.
#[utoipa::path(get, path = "/api/v1/staff/calendar-feed", tag = "staff",
    responses((status = 200, body = CalendarFeedInfo), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn feed_info(
    State(state): State<AppState>,
    headers: HeaderMap,
    StaffAuth(staff): StaffAuth,
) -> ApiResult<axum::Json<CalendarFeedInfo>> {
    let created = state
        .db
        .read(move |tx| Ok(ics::secret_created(tx, staff.id)?))
        .await?;
    Ok(axum::Json(CalendarFeedInfo {
        active: created.is_some(),
        created_at: created.map(ts),
        public_url: format!("{}/ics/public.ics", base_url(&state.ctx, &headers)),
    }))
}

/// Makes a new personal feed address for the caller; the previous one stops working. The
/// address is shown only in this answer.
#[utoipa::path(post, path = "/api/v1/staff/calendar-feed", tag = "staff",
    responses((status = 201, body = CalendarFeedSecret), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn renew_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    StaffAuth(staff): StaffAuth,
) -> ApiResult<(StatusCode, axum::Json<CalendarFeedSecret>)> {
    let secret = state
        .db
        .write(move |tx| {
            let secret = ics::renew_secret(tx, staff.id)?;
            audit(
                tx,
                &staff.audit_name(),
                "calendar_feed.renew",
                "user",
                &staff.id.to_string(),
                "",
            )?;
            Ok(secret)
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CalendarFeedSecret {
            url: format!("{}/ics/staff/{secret}.ics", base_url(&state.ctx, &headers)),
            created_at: Utc::now(),
        }),
    ))
}

/// Revokes a staff account's personal calendar feed.
#[utoipa::path(delete, path = "/api/v1/admin/users/{id}/calendar-feed", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody),
              (status = 404, description = "No such user, or no feed", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| {
            if !ics::revoke(tx, id)? {
                return Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    Msg::new(
                        "Akun ini tidak memiliki kalender pribadi.",
                        "This account has no personal calendar feed.",
                    ),
                ));
            }
            audit(
                tx,
                &admin.audit_name(),
                "calendar_feed.revoke",
                "user",
                &id.to_string(),
                "",
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
