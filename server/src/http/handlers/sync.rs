//! Sync endpoints for public devices and staff alike.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;
use sepiion_core::api::ErrorBody;
use sepiion_core::sync::{PullPage, PullQuery, PushRequest, PushResponse};

use crate::error::{ApiResult, RequestLang};
use crate::http::auth::KnownCaller;
use crate::http::cache::accepts_encoding;
use crate::http::extract::{Json, Query};
use crate::http::state::AppState;

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
    headers: HeaderMap,
) -> ApiResult<Response> {
    let limit = q.limit.unwrap_or(crate::domain::sync::DEFAULT_PAGE);
    let zstd = accepts_encoding(&headers, "zstd", false);
    // The page is serialised (and compressed) on the blocking thread that read it, not on the
    // async runtime: a full page is several hundred kilobytes of JSON.
    let (count, body) = state
        .db
        .read(move |tx| {
            let page = crate::domain::sync::pull(tx, &caller, q.cursor.as_deref(), limit)?;
            Ok((
                page.changes.len(),
                crate::domain::sync::encode_page(&page, zstd)?,
            ))
        })
        .await?;
    state.metrics.pulled(count);
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if zstd {
        // Older apps ask for gzip only: the compression layer serves them as before.
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("zstd"));
    }
    Ok(res)
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
    let take = |device: &str| state.take_submission(device);
    let answer =
        crate::domain::sync::push(&state.db, &state.ctx, &take, &caller, body.mutations, lang)
            .await?;
    state.metrics.pushed(&answer);
    Ok(axum::Json(answer))
}
