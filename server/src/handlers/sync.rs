//! Sync endpoints for public devices and staff alike.

use axum::extract::State;
use sepiion_core::api::ErrorBody;
use sepiion_core::sync::{PullPage, PullQuery, PushRequest, PushResponse};

use crate::auth::KnownCaller;
use crate::error::{ApiResult, RequestLang};
use crate::extract::{Json, Query};
use crate::state::AppState;

/// Changes since `cursor` that the caller may see, one page at a time.
#[utoipa::path(get, path = "/api/v1/sync/pull", tag = "sync",
    params(PullQuery),
    responses((status = 200, body = PullPage),
              (status = 400, description = "Unknown cursor", body = ErrorBody),
              (status = 401, body = ErrorBody),
              (status = 410, description = "Stale cursor: resync from scratch", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pull(
    State(state): State<AppState>,
    KnownCaller(caller): KnownCaller,
    Query(q): Query<PullQuery>,
) -> ApiResult<axum::Json<PullPage>> {
    let limit = q.limit.unwrap_or(crate::sync::DEFAULT_PAGE);
    let page = state
        .db
        .read(move |tx| crate::sync::pull(tx, &caller, q.cursor.as_deref(), limit))
        .await?;
    state.metrics.pulled(page.changes.len());
    Ok(axum::Json(page))
}

/// Applies queued client mutations, each at most once.
#[utoipa::path(post, path = "/api/v1/sync/push", tag = "sync",
    request_body = PushRequest,
    responses((status = 200, body = PushResponse), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn push(
    State(state): State<AppState>,
    KnownCaller(caller): KnownCaller,
    RequestLang(lang): RequestLang,
    Json(body): Json<PushRequest>,
) -> ApiResult<axum::Json<PushResponse>> {
    let answer = crate::sync::push(&state, &caller, body.mutations, lang).await?;
    state.metrics.pushed(&answer);
    Ok(axum::Json(answer))
}
