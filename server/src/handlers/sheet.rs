//! The daily agenda sheet (Agenda Harian) as PDF or PNG: the staff version with what that
//! account may see (assigned staff, running order, the leader's role) and the public one.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use sepiion_core::api::ErrorBody;
use sepiion_core::time::local_date;
use sepiion_core::validation::Msg;
use serde::Deserialize;

use crate::auth::{Caller, StaffAuth};
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::sheet::{SheetFormat, load_day};
use crate::state::AppState;

/// The file format of the sheet.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SheetFileFormat {
    #[default]
    Pdf,
    Png,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// The day, `YYYY-MM-DD` (default: today in the regency's zone).
    #[serde(default)]
    pub date: Option<String>,
    /// Only this leader's items.
    #[serde(default)]
    pub leader: Option<String>,
    /// `pdf` (default, A4) or `png` (1240 px wide).
    #[serde(default)]
    pub format: Option<SheetFileFormat>,
}

pub const PDF: &str = "application/pdf";
pub const PNG: &str = "image/png";

fn parse_date(q: &SheetQuery, state: &AppState) -> ApiResult<NaiveDate> {
    match q.date.as_deref() {
        None | Some("") => Ok(local_date(Utc::now(), state.ctx.tz)),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| {
                ApiError::field(
                    "date",
                    Msg::new(
                        "Tanggal harus berbentuk TTTT-BB-HH, misalnya 2026-11-30.",
                        "The date must look like YYYY-MM-DD, e.g. 2026-11-30.",
                    ),
                )
            }),
    }
}

/// Gathers the day for `caller` and typesets it off the async runtime.
async fn make(
    state: &AppState,
    caller: Caller,
    q: &SheetQuery,
) -> ApiResult<(Vec<u8>, &'static str, String)> {
    let date = parse_date(q, state)?;
    let format = match q.format.unwrap_or_default() {
        SheetFileFormat::Pdf => SheetFormat::Pdf,
        SheetFileFormat::Png => SheetFormat::Png,
    };
    let ctx = state.ctx.clone();
    let leader = q.leader.clone();
    let data = state
        .db
        .read(move |tx| {
            let has_logo = ctx.sheet.has_logo();
            load_day(
                tx,
                &ctx,
                &caller,
                leader.as_deref(),
                date,
                Utc::now(),
                has_logo,
            )
        })
        .await?;
    let ctx = state.ctx.clone();
    let body = tokio::task::spawn_blocking(move || ctx.sheet.render(&data, format))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(format!("agenda sheet template: {e}")))?;
    let (content_type, ext) = match format {
        SheetFormat::Pdf => (PDF, "pdf"),
        SheetFormat::Png => (PNG, "png"),
    };
    Ok((body, content_type, format!("agenda-harian-{date}.{ext}")))
}

fn disposition(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("inline; filename=\"{name}\"")).expect("a plain file name")
}

/// The daily agenda sheet with what this staff account may see, including assigned staff,
/// running-order notes and the leader's role from the source request.
#[utoipa::path(get, path = "/api/v1/staff/agenda/sheet", tag = "staff",
    params(SheetQuery),
    responses(
        (status = 200, description = "The sheet", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn staff_sheet(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Query(q): Query<SheetQuery>,
) -> ApiResult<Response> {
    let (body, content_type, name) = make(&state, Caller::Staff(staff), &q).await?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition(&name)),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        body,
    )
        .into_response())
}

/// The public daily agenda sheet: public items with public fields only.
#[utoipa::path(get, path = "/api/v1/public/agenda/sheet", tag = "public",
    params(SheetQuery),
    responses(
        (status = 200, description = "The sheet (cached; `ETag`)", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"))),
        (status = 304, description = "Not modified"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn public_sheet(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<SheetQuery>,
) -> ApiResult<Response> {
    let date = parse_date(&q, &state)?;
    // Typesetting costs CPU: the same day, leader and format is made once per data change.
    let key = format!(
        "sheet:{date}:{}:{:?}",
        q.leader.as_deref().unwrap_or(""),
        q.format.unwrap_or_default()
    );
    let cached = match state.cache.get(&key) {
        Some(c) => c,
        None => {
            let generation = state.cache.generation();
            let (body, content_type, _) = make(&state, Caller::Anonymous, &q).await?;
            state.cache.put(
                key,
                generation,
                HeaderValue::from_static(content_type),
                body.into(),
            )
        }
    };
    let mut response = cached.respond(&headers);
    let ext = if matches!(q.format.unwrap_or_default(), SheetFileFormat::Png) {
        "png"
    } else {
        "pdf"
    };
    response.headers_mut().insert(
        CONTENT_DISPOSITION,
        disposition(&format!("agenda-harian-{date}.{ext}")),
    );
    Ok(response)
}
