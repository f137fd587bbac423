//! The daily agenda sheet (Agenda Harian) as PDF or PNG: the staff version with what that
//! account may see (assigned staff, running order, the leader's role) and the public one.

use std::time::Duration;

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use sepiion_core::api::{ErrorBody, SheetFormat};
use sepiion_core::time::local_date;
use sepiion_core::validation::Msg;
use serde::Deserialize;

use crate::domain::caller::Caller;
use crate::domain::sheet::{SheetData, SheetLane, load_day};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::StaffAuth;
use crate::http::extract::{ClientKey, Query};
use crate::http::state::AppState;

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
    #[param(inline)]
    pub format: Option<SheetFormat>,
    /// `false`: leave confidential items out (a staff sheet to share in a group). Default:
    /// everything the caller may see, confidential rows marked RAHASIA.
    #[serde(default)]
    pub confidential: Option<bool>,
}

fn parse_date(q: &SheetQuery, state: &AppState) -> ApiResult<NaiveDate> {
    match q.date.as_deref() {
        None | Some("") => Ok(local_date(Utc::now(), state.ctx.tz)),
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| {
                ApiError::bad_query(
                    "date",
                    Msg::new(
                        "Tanggal harus berbentuk TTTT-BB-HH, misalnya 2026-11-30.",
                        "The date must look like YYYY-MM-DD, e.g. 2026-11-30.",
                    ),
                )
            }),
    }
}

/// The checked query: a day, an optional leader id, a format.
struct Wanted {
    date: NaiveDate,
    leader: Option<String>,
    format: SheetFormat,
    with_confidential: bool,
}

impl Wanted {
    fn of(q: &SheetQuery, state: &AppState) -> ApiResult<Wanted> {
        Ok(Wanted {
            date: parse_date(q, state)?,
            leader: q.leader.clone().filter(|l| !l.trim().is_empty()),
            format: q.format.unwrap_or_default(),
            with_confidential: q.confidential.unwrap_or(true),
        })
    }

    fn file_name(&self) -> String {
        self.format.file_name(self.date)
    }
}

/// Gathers the day for `caller` (the same visibility rule as the agenda API); an unknown leader
/// is refused here, before anything is typeset.
async fn load(state: &AppState, caller: Caller, w: &Wanted) -> ApiResult<SheetData> {
    let ctx = state.ctx.clone();
    let (leader, date, with_confidential) = (w.leader.clone(), w.date, w.with_confidential);
    state
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
                with_confidential,
            )
        })
        .await
}

fn disposition(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("inline; filename=\"{name}\"")).expect("a plain file name")
}

/// The daily agenda sheet with what this staff account may see, including assigned staff,
/// running-order notes and the leader's role from the source request. Staff sheets have their
/// own queue and go before public ones: anonymous load cannot make them fail. A PNG holds at
/// most 3 pages (then a strip says the rest is in the PDF).
#[utoipa::path(get, path = "/api/v1/staff/agenda/sheet", tag = "staff",
    params(SheetQuery),
    responses(
        (status = 200, description = "The sheet", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"))),
        (status = 400, description = "Bad date, leader or format", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 429, description = "Too many sheets being made", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn staff_sheet(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Query(q): Query<SheetQuery>,
) -> ApiResult<Response> {
    let wanted = Wanted::of(&q, &state)?;
    let data = load(&state, Caller::Staff(staff), &wanted).await?;
    let body = state
        .ctx
        .sheet
        .render_bounded(data, wanted.format, SheetLane::Staff)
        .await?;
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static(wanted.format.content_type()),
            ),
            (CONTENT_DISPOSITION, disposition(&wanted.file_name())),
            (CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        body,
    )
        .into_response())
}

/// The public daily agenda sheet: public items with public fields only. A PNG holds at most 3
/// pages (then a strip says the rest is in the PDF).
#[utoipa::path(get, path = "/api/v1/public/agenda/sheet", tag = "public",
    params(SheetQuery),
    responses(
        (status = 200, description = "The sheet (cached; `ETag`)", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "image/png"))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad date, leader or format", body = ErrorBody),
        (status = 429, description = "Too many new sheets from this client, or being made",
            body = ErrorBody)))]
pub async fn public_sheet(
    State(state): State<AppState>,
    client: ClientKey,
    headers: HeaderMap,
    Query(q): Query<SheetQuery>,
) -> ApiResult<Response> {
    let wanted = Wanted::of(&q, &state)?;
    // Typesetting costs CPU: the same day, leader and format is made once per data change,
    // and a client may cause only so many new ones.
    let key = format!(
        "{}|{}|{}",
        wanted.date,
        wanted.leader.as_deref().unwrap_or(""),
        wanted.format.content_type()
    );
    let cached = match state.sheet_cache.get(&key) {
        Some(c) => c,
        None => {
            let generation = state.sheet_cache.generation();
            // Only a request that names a real day and leader spends the client's budget.
            let data = load(&state, Caller::Anonymous, &wanted).await?;
            state.limiter.take(
                "sheet",
                &client.0,
                state.ctx.limits.sheets_per_client,
                Duration::from_secs(600),
            )?;
            let body = state
                .ctx
                .sheet
                .render_bounded(data, wanted.format, SheetLane::Public)
                .await?;
            state.sheet_cache.put(
                key,
                generation,
                HeaderValue::from_static(wanted.format.content_type()),
                body.into(),
            )
        }
    };
    let mut response = cached.respond(&headers);
    response
        .headers_mut()
        .insert(CONTENT_DISPOSITION, disposition(&wanted.file_name()));
    Ok(response)
}
