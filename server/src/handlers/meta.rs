//! Health and regency information.

use axum::extract::State;
use sepiion_core::api::{People, ServerInfo};
use sepiion_core::time::zone_abbrev;

use crate::db::setting;
use crate::error::ApiResult;
use crate::records::{load_leaders, load_representatives};
use crate::state::AppState;

/// Liveness and database check.
#[utoipa::path(get, path = "/healthz", tag = "meta",
    responses((status = 200, description = "Healthy", body = String),
              (status = 503, description = "Database unavailable")))]
pub async fn healthz(State(state): State<AppState>) -> ApiResult<&'static str> {
    state
        .db
        .read(|tx| Ok(tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
        .await?;
    Ok("ok")
}

/// The regency's name: configured, else stored in the database.
pub fn regency_name(
    tx: &rusqlite::Transaction,
    ctx: &crate::state::Ctx,
) -> rusqlite::Result<String> {
    Ok(match &ctx.regency {
        Some(r) => r.clone(),
        None => setting(tx, "regency")?.unwrap_or_else(|| "Pemerintah Daerah".into()),
    })
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
            let regency = regency_name(tx, &ctx)?;
            Ok(ServerInfo {
                regency,
                time_zone: ctx.tz.name().to_string(),
                zone_abbrev: zone_abbrev(ctx.tz),
                travel_buffer_minutes: ctx.travel_buffer.num_minutes(),
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
