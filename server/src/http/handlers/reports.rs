//! Reports for the office (admin and protocol staff).

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sepiion_core::api::ErrorBody;
use sepiion_core::i18n::Lang;
use sepiion_core::report::{MonthlyReport, may_read_reports};
use sepiion_core::validation::Msg;
use serde::Deserialize;

use crate::domain::reports;
use crate::error::{ApiError, ApiResult, RequestLang};
use crate::http::auth::StaffAuth;
use crate::http::extract::Query;
use crate::http::state::AppState;

/// The file format of a report.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportFormat {
    #[default]
    Json,
    Xlsx,
    Csv,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthlyQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// `json` (default), `xlsx` or `csv`.
    #[serde(default)]
    #[param(inline)]
    pub format: Option<ReportFormat>,
    /// The language of the file's words; without it, the `Accept-Language` header's
    /// (Indonesian unless English is preferred).
    #[serde(default)]
    #[param(inline)]
    pub lang: Option<ReportLang>,
}

/// The language of a report file.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportLang {
    Id,
    En,
}

impl From<ReportLang> for Lang {
    fn from(l: ReportLang) -> Lang {
        match l {
            ReportLang::Id => Lang::Id,
            ReportLang::En => Lang::En,
        }
    }
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The monthly report: agenda per leader by attendance and category, requests by kind, state and
/// outcome, and response times (submission to first staff action and to decision: median and
/// 90th percentile) for the twelve months ending with `month`.
#[utoipa::path(get, path = "/api/v1/staff/reports/monthly", tag = "staff",
    params(MonthlyQuery),
    responses(
        (status = 200, description = "The report", content(
            (MonthlyReport = "application/json"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn monthly(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    RequestLang(header_lang): RequestLang,
    Query(q): Query<MonthlyQuery>,
) -> ApiResult<Response> {
    if !may_read_reports(staff.role) {
        return Err(ApiError::forbidden());
    }
    let first = reports::parse_month(&q.month).ok_or_else(|| {
        ApiError::field(
            "month",
            Msg::new(
                "Bulan harus berbentuk TTTT-BB, misalnya 2026-11.",
                "The month must look like YYYY-MM, e.g. 2026-11.",
            ),
        )
    })?;
    let ctx = state.ctx.clone();
    let reader = staff.clone();
    let report = state
        .db
        .read(move |tx| {
            let regency = ctx.regency_name(tx)?;
            reports::monthly(tx, &ctx, &reader, regency, first)
        })
        .await?;
    let heading = reports::Heading {
        lang: q.lang.map_or(header_lang, Lang::from),
        tz: state.ctx.tz,
        made_by: &staff,
        made_at: chrono::Utc::now(),
    };
    let file = |ext: &str| {
        HeaderValue::from_str(&format!(
            "attachment; filename=\"laporan-{}.{ext}\"",
            report.month
        ))
        .expect("a plain file name")
    };
    Ok(match q.format.unwrap_or_default() {
        ReportFormat::Json => axum::Json(report).into_response(),
        ReportFormat::Xlsx => {
            let body = reports::to_xlsx(&report, &heading).map_err(ApiError::internal)?;
            (
                [
                    (CONTENT_TYPE, HeaderValue::from_static(XLSX)),
                    (CONTENT_DISPOSITION, file("xlsx")),
                ],
                body,
            )
                .into_response()
        }
        ReportFormat::Csv => {
            let body = reports::to_csv(&report, &heading).map_err(ApiError::internal)?;
            (
                [
                    (
                        CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (CONTENT_DISPOSITION, file("csv")),
                ],
                body,
            )
                .into_response()
        }
    })
}
