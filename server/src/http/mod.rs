//! HTTP: the axum router and its shared state, the extractors (who is asking, malformed input),
//! rate limits, the public response cache, metrics, one handler file per resource, and the
//! server-rendered public portal. Handlers read the request, call the domain, and write the
//! answer.

pub mod auth;
pub mod cache;
pub mod extract;
pub mod handlers;
pub mod metrics;
pub mod portal;
pub mod router;
pub mod state;
pub mod throttle;
