//! What `GET /metrics` reports, in the Prometheus text format: HTTP requests by route template
//! and status with latency histograms, sync pulls and pushes with their sizes and outcomes,
//! rate-limit refusals, and (read at scrape time) database and WAL size and open sessions.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sepiion_core::sync::PushResponse;

use crate::domain::caller::Caller;
use crate::error::ApiError;
use crate::http::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route template (`/api/v1/staff/requests/{id}`), never the concrete path: one series
    /// per route, whatever ids are asked for.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The server's metrics; one per server, shared through [`AppState`].
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    rate_limited: Family<RouteLabels, Counter>,
    pulls: Counter,
    pull_changes: Histogram,
    pushes: Counter,
    push_mutations: Histogram,
    mutations: Family<OutcomeLabels, Counter>,
    db_bytes: Gauge,
    wal_bytes: Gauge,
    open_sessions: Gauge,
    active_devices: Gauge,
    sqlite_memory: Gauge,
    cached_answers: Gauge,
    throttle_keys: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms … about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sepiion");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template",
            latency.clone(),
        );
        let rate_limited = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_rate_limited",
            "Requests refused with 429 by a rate limit, by method and route template",
            rate_limited.clone(),
        );
        let pulls = Counter::default();
        registry.register("sync_pulls", "Sync pull pages served", pulls.clone());
        let pull_changes = Histogram::new(exponential_buckets(1.0, 4.0, 7));
        registry.register(
            "sync_pull_changes",
            "Changes (records and tombstones) per sync pull page",
            pull_changes.clone(),
        );
        let pushes = Counter::default();
        registry.register("sync_pushes", "Sync pushes answered", pushes.clone());
        let push_mutations = Histogram::new(exponential_buckets(1.0, 4.0, 6));
        registry.register(
            "sync_push_mutations",
            "Mutations per sync push",
            push_mutations.clone(),
        );
        let mutations = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "sync_mutations",
            "Pushed mutations by outcome: applied, already_applied, conflict, rejected",
            mutations.clone(),
        );
        let db_bytes = Gauge::default();
        registry.register(
            "database_bytes",
            "Size of the SQLite database file",
            db_bytes.clone(),
        );
        let wal_bytes = Gauge::default();
        registry.register(
            "database_wal_bytes",
            "Size of the SQLite write-ahead log (grows when checkpoints cannot keep up)",
            wal_bytes.clone(),
        );
        let open_sessions = Gauge::default();
        registry.register(
            "open_sessions",
            "Staff sessions not yet expired",
            open_sessions.clone(),
        );
        let active_devices = Gauge::default();
        registry.register(
            "active_devices",
            "Public devices seen in the last 24 hours",
            active_devices.clone(),
        );
        let sqlite_memory = Gauge::default();
        registry.register(
            "sqlite_memory_bytes",
            "Memory SQLite holds (page caches of all connections, statements, schema)",
            sqlite_memory.clone(),
        );
        let cached_answers = Gauge::default();
        registry.register(
            "cached_answers",
            "Public answers and Agenda Harian sheets held by the response caches",
            cached_answers.clone(),
        );
        let throttle_keys = Gauge::default();
        registry.register(
            "throttle_keys",
            "Client keys held by the rate limits and the sign-in guard (bounded by limits.tracked_clients)",
            throttle_keys.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            rate_limited,
            pulls,
            pull_changes,
            pushes,
            push_mutations,
            mutations,
            db_bytes,
            wal_bytes,
            open_sessions,
            active_devices,
            sqlite_memory,
            cached_answers,
            throttle_keys,
        }
    }
}

impl Metrics {
    fn observe_request(&self, method: &str, route: &str, status: StatusCode, seconds: f64) {
        let route_labels = RouteLabels {
            method: method.to_string(),
            route: route.to_string(),
        };
        self.requests
            .get_or_create(&RequestLabels {
                method: route_labels.method.clone(),
                route: route_labels.route.clone(),
                status: status.as_u16(),
            })
            .inc();
        if status == StatusCode::TOO_MANY_REQUESTS {
            self.rate_limited.get_or_create(&route_labels).inc();
        }
        self.latency.get_or_create(&route_labels).observe(seconds);
    }

    /// A pull page of `changes` was served.
    pub fn pulled(&self, changes: usize) {
        self.pulls.inc();
        self.pull_changes.observe(changes as f64);
    }

    /// A push was answered.
    pub fn pushed(&self, response: &PushResponse) {
        self.pushes.inc();
        self.push_mutations.observe(response.results.len() as f64);
        for r in &response.results {
            let outcome = r.status.as_str();
            self.mutations
                .get_or_create(&OutcomeLabels { outcome })
                .inc();
        }
    }

    fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Middleware: counts and times every request by its route template. Paths that match no route
/// are counted as `unmatched`, so scanners cannot create series.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(req.method()).to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(req).await;
    state.metrics.observe_request(
        &method,
        &route,
        response.status(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// The `method` label: one of the methods HTTP defines, else `other`, so a client inventing
/// methods cannot create series.
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ]
    .into_iter()
    .find(|m| m == method)
    .map_or("other", |m| match m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        _ => "TRACE",
    })
}

/// Whether `ip` lies in one of the configured networks.
fn allowed(ip: IpAddr, nets: &[ipnet::IpNet]) -> bool {
    let ip = match ip {
        // An IPv4 client on an IPv6 socket.
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    nets.iter().any(|n| n.contains(&ip))
}

/// Headers a reverse proxy adds: a request carrying one came through the proxy, so the TCP peer
/// is the proxy, not the client.
fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h))
}

/// `GET /metrics`: for admin tokens, and without a token for direct connections (not through
/// the reverse proxy) from the addresses in `metrics_allow`.
pub async fn metrics(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
    match caller {
        Caller::Staff(s) if s.role == sepiion_core::model::Role::Admin => {}
        Caller::Staff(_) | Caller::Device(_) => return Err(ApiError::forbidden()),
        Caller::Anonymous => {
            if forwarded(&headers) || !allowed(peer.ip(), &state.ctx.metrics_allow) {
                return Err(ApiError::unauthorized());
            }
        }
    }
    let m = state.metrics.clone();
    let file_size = |p: std::path::PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    m.db_bytes
        .set(i64::try_from(file_size(state.db.path.clone())).unwrap_or(i64::MAX));
    m.wal_bytes.set(
        i64::try_from(file_size(crate::storage::wal_path(&state.db.path))).unwrap_or(i64::MAX),
    );
    let (sessions, devices) = state
        .db
        .read(|tx| {
            let now = chrono::Utc::now().timestamp();
            Ok(crate::storage::sessions::live_counts(
                tx,
                now,
                now - 24 * 3600,
            )?)
        })
        .await?;
    m.open_sessions.set(sessions);
    m.active_devices.set(devices);
    m.sqlite_memory.set(crate::storage::sqlite_memory_used());
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    m.cached_answers
        .set(count(state.cache.len() + state.sheet_cache.len()));
    m.throttle_keys
        .set(count(state.limiter.tracked() + state.logins.tracked()));
    Ok((
        [(
            header::CONTENT_TYPE,
            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
        )],
        m.encode(),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_match_networks_including_mapped_ipv4() {
        let nets: Vec<ipnet::IpNet> =
            vec!["127.0.0.1/32".parse().unwrap(), "::1/128".parse().unwrap()];
        assert!(allowed("127.0.0.1".parse().unwrap(), &nets));
        assert!(allowed("::1".parse().unwrap(), &nets));
        assert!(allowed("::ffff:127.0.0.1".parse().unwrap(), &nets));
        assert!(!allowed("127.0.0.2".parse().unwrap(), &nets));
        assert!(!allowed("10.0.0.1".parse().unwrap(), &[]));
    }

    #[test]
    fn requests_are_counted_by_route_template_and_429s_apart() {
        let m = Metrics::default();
        m.observe_request("GET", "/api/v1/x/{id}", StatusCode::OK, 0.002);
        m.observe_request("POST", "/api/v1/y", StatusCode::TOO_MANY_REQUESTS, 0.001);
        let text = m.encode();
        assert!(
            text.contains(
                r#"sepiion_http_requests_total{method="GET",route="/api/v1/x/{id}",status="200"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"sepiion_http_rate_limited_total{method="POST",route="/api/v1/y"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"sepiion_http_request_duration_seconds_bucket{le="0.002",method="GET",route="/api/v1/x/{id}"} 1"#)
                || text.contains(r#"sepiion_http_request_duration_seconds_bucket{method="GET",route="/api/v1/x/{id}",le="0.002"} 1"#),
            "{text}"
        );
    }
}
