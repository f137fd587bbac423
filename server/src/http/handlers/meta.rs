//! Health and regency information.

use axum::extract::State;
use axum::http::StatusCode;
use sepiion_core::api::{ErrorBody, People, ServerInfo};
use sepiion_core::time::zone_abbrev;
use sepiion_core::validation::Msg;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::http::state::AppState;
use crate::storage::Unhealthy;
use crate::storage::rows::{load_leaders, load_representatives};

/// The answer of `/healthz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// `ok`: the database answered a read.
    pub database: &'static str,
}

/// Whether the server and its database answer (for load balancers and monitoring).
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "Healthy", body = Health),
              (status = 503, description = "The database does not answer \
                (`database_unavailable`) or its disk is full (`storage_full`)", body = ErrorBody)))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<axum::Json<Health>> {
    match state.db.health().await {
        Ok(()) => Ok(axum::Json(Health {
            status: "ok",
            database: "ok",
        })),
        Err(Unhealthy::DiskFull(why)) => {
            tracing::error!(reason = %why, "health check: the database's disk is full");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                crate::error::STORAGE_FULL,
                Msg::new(
                    format!("Penyimpanan basis data penuh: {why}"),
                    format!("The database's storage is full: {why}"),
                ),
            ))
        }
        Err(why) => {
            tracing::error!(reason = %why, "health check: the database does not answer");
            Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "database_unavailable",
                Msg::new(
                    "Basis data tidak menjawab.",
                    "The database does not answer.",
                ),
            ))
        }
    }
}

/// The regency, its time zone and its leaders.
#[utoipa::path(get, path = "/api/v1/public/info", tag = "public",
    responses((status = 200, description = "OK (cached; `ETag`)", body = ServerInfo),
              (status = 304, description = "Not modified (`If-None-Match`)")))]
pub async fn info(State(state): State<AppState>) -> ApiResult<axum::Json<ServerInfo>> {
    let ctx = state.ctx.clone();
    let info = state
        .db
        .read(move |tx| {
            let regency = ctx.regency_name(tx)?;
            Ok(ServerInfo {
                regency,
                time_zone: ctx.tz.name().to_string(),
                zone_abbrev: zone_abbrev(ctx.tz),
                travel_buffer_minutes: ctx.travel_buffer.num_minutes(),
                lead_time_days: ctx.notify.lead_time_days,
                leaders: load_leaders(tx)?,
                server_version: env!("CARGO_PKG_VERSION").to_string(),
            })
        })
        .await?;
    Ok(axum::Json(info))
}

/// Leaders and the representatives who may attend on their behalf (names and positions only).
#[utoipa::path(get, path = "/api/v1/public/people", tag = "public",
    responses((status = 200, description = "OK (cached; `ETag`)", body = People),
              (status = 304, description = "Not modified (`If-None-Match`)")))]
pub async fn public_people(State(state): State<AppState>) -> ApiResult<axum::Json<People>> {
    let p = state
        .db
        .read(|tx| {
            Ok(People {
                leaders: load_leaders(tx)?,
                representatives: load_representatives(tx)?
                    .into_iter()
                    .filter(|r| r.active)
                    .collect(),
            })
        })
        .await?;
    Ok(axum::Json(p))
}

/// The privacy policy of both apps (Play asks for it at a stable URL); the same file is the
/// policy of the store listings.
pub const PRIVACY_POLICY: &str = include_str!("../../../../docs/privasi.txt");

/// `GET /privasi`: the privacy policy as plain text, for anyone.
pub async fn privacy_policy() -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; charset=utf-8",
        )],
        PRIVACY_POLICY,
    )
}
