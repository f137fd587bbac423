//! Ready-made answers to public reads (the public agenda, regency info, people, tracking, the
//! portal's Jadwal page). An entry holds the body as sent, its gzip form (compressed once, not
//! per request) and an ETag; it is valid only for the database generation it was made at (see
//! [`crate::storage::Db::generation`]), so any committed write retires every entry at once. Only
//! answers that anyone may receive are stored: callers put nothing here that depends on who asks.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::Extension;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// More distinct keys than this (e.g. someone walking every date range) empties the cache
/// rather than letting it grow without bound.
const MAX_ENTRIES: usize = 2048;
/// Larger bodies are not cached (the public answers are a few kilobytes).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// One cached answer.
pub struct Cached {
    generation: u64,
    etag: HeaderValue,
    cache_control: HeaderValue,
    content_type: HeaderValue,
    identity: Bytes,
    gzip: Option<Bytes>,
}

impl Cached {
    /// A fixed answer (the portal's stylesheet and script). `immutable`: its address changes
    /// with its content, so browsers may keep it for a year.
    pub fn fixed(content_type: &'static str, body: Bytes, immutable: bool) -> Cached {
        let mut c = make_entry(0, HeaderValue::from_static(content_type), body);
        if immutable {
            c.cache_control = HeaderValue::from_static("public, max-age=31536000, immutable");
        }
        c
    }

    /// The entity tag without quotes or weak marker, usable in an address.
    pub fn tag(&self) -> &str {
        let t = self.etag.to_str().unwrap_or_default();
        t.trim_start_matches("W/").trim_matches('"')
    }

    /// The answer for a request with these headers: 304 when `If-None-Match` names our tag,
    /// the gzip body when the client accepts it (and it is smaller), else the plain body.
    pub fn respond(&self, req: &HeaderMap) -> Response {
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if if_none_match(req, &self.etag) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        let body = match &self.gzip {
            Some(gz) if accepts_gzip(req) => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                gz.clone()
            }
            _ => self.identity.clone(),
        };
        (headers, Body::from(body)).into_response()
    }
}

/// The cache, shared by all requests.
pub struct PublicCache {
    generation: Arc<AtomicU64>,
    entries: RwLock<HashMap<String, Arc<Cached>>>,
    max_entries: usize,
}

impl PublicCache {
    /// A cache whose entries follow the database's write `generation`.
    pub fn new(generation: Arc<AtomicU64>) -> PublicCache {
        PublicCache::with_capacity(generation, MAX_ENTRIES)
    }

    /// A cache of at most `max_entries` answers (fewer for large bodies such as the agenda
    /// sheet's PDF and PNG).
    pub fn with_capacity(generation: Arc<AtomicU64>, max_entries: usize) -> PublicCache {
        PublicCache {
            generation,
            entries: RwLock::default(),
            max_entries: max_entries.max(1),
        }
    }

    /// The generation to make an answer at: read it BEFORE reading the database, so an answer
    /// made while a write commits is filed under the older generation and never served after.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Entries held (current or stale), for `/metrics`.
    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry for `key`, if it is still current.
    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        let current = self.generation();
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries
            .get(key)
            .filter(|e| e.generation == current)
            .cloned()
    }

    /// Stores an answer made at `generation` and returns it.
    pub fn put(
        &self,
        key: String,
        generation: u64,
        content_type: HeaderValue,
        body: Bytes,
    ) -> Arc<Cached> {
        let entry = Arc::new(make_entry(generation, content_type, body));
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        let current = self.generation();
        // Drop what went stale; empty the map when it is full of live keys.
        if entries.len() >= self.max_entries {
            entries.retain(|_, e| e.generation == current);
            if entries.len() >= self.max_entries {
                entries.clear();
            }
        }
        if generation == current {
            entries.insert(key, entry.clone());
        }
        entry
    }
}

fn make_entry(generation: u64, content_type: HeaderValue, body: Bytes) -> Cached {
    let digest = Sha256::digest(&body);
    // A weak tag: the plain and the gzip body are the same representation to If-None-Match
    // (which compares weakly anyway), and the hash keeps tags valid across restarts.
    let etag = HeaderValue::from_str(&format!("W/\"{}\"", hex::encode(&digest[..12])))
        .expect("hex is a valid header value");
    let gzip = (body.len() > 256)
        .then(|| gzip(&body))
        .filter(|gz| gz.len() < body.len());
    Cached {
        generation,
        etag,
        cache_control: HeaderValue::from_static("no-cache"),
        content_type,
        identity: body,
        gzip,
    }
}

fn gzip(data: &[u8]) -> Bytes {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("writing to memory");
    Bytes::from(enc.finish().expect("writing to memory"))
}

/// Whether `If-None-Match` lists `etag` (weak comparison) or is `*`.
fn if_none_match(req: &HeaderMap, etag: &HeaderValue) -> bool {
    let Some(value) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = opaque(etag.to_str().unwrap_or_default());
    value
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || opaque(t) == ours)
}

fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Whether `Accept-Encoding` allows gzip (listed, or `*`, without `q=0`).
pub fn accepts_gzip(req: &HeaderMap) -> bool {
    accepts_encoding(req, "gzip", true)
}

/// Whether `Accept-Encoding` names `coding` (or `*`, when `star` counts) without `q=0`. A newer
/// coding such as zstd is sent only to clients that name it: `*` may come from one that
/// predates it.
pub fn accepts_encoding(req: &HeaderMap, coding_wanted: &str, star: bool) -> bool {
    req.get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            (coding.eq_ignore_ascii_case(coding_wanted) || (star && coding == "*")) && !refused
        })
}

/// Middleware for routes whose successful GET answers are the same for every caller: serves
/// them from the cache, fills it on a miss. Errors and other methods pass through untouched.
pub async fn cache_public_reads(
    Extension(cache): Extension<Arc<PublicCache>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let key = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let headers = req.headers().clone();
    serve_cached(&cache, &headers, key, next.run(req)).await
}

/// The cached answer for `key`, else `make`'s answer (stored when it is a 200 without cookies).
/// For handlers that must do something on every request, cached or not (count a look-up),
/// before asking the cache.
pub async fn serve_cached(
    cache: &PublicCache,
    headers: &HeaderMap,
    key: String,
    make: impl std::future::Future<Output = Response>,
) -> Response {
    if let Some(hit) = cache.get(&key) {
        return hit.respond(headers);
    }
    let generation = cache.generation();
    let response = make.await;
    if response.status() != StatusCode::OK || response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "response too large to buffer",
        )
            .into_response();
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    cache
        .put(key, generation, content_type, bytes)
        .respond(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        assert!(accepts_gzip(&headers(&[(
            header::ACCEPT_ENCODING,
            "gzip, deflate, br"
        )])));
        assert!(accepts_gzip(&headers(&[(
            header::ACCEPT_ENCODING,
            "br;q=1, *;q=0.5"
        )])));
        assert!(!accepts_gzip(&headers(&[(
            header::ACCEPT_ENCODING,
            "gzip;q=0"
        )])));
        assert!(!accepts_gzip(&headers(&[(
            header::ACCEPT_ENCODING,
            "identity"
        )])));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_write_retires_every_entry() {
        let generation = Arc::new(AtomicU64::new(0));
        let cache = PublicCache::new(generation.clone());
        let json = HeaderValue::from_static("application/json");
        cache.put("/a".into(), 0, json.clone(), Bytes::from_static(b"[1]"));
        assert!(cache.get("/a").is_some());
        generation.fetch_add(1, Ordering::Release);
        assert!(cache.get("/a").is_none());
        // An answer made before the write is not filed under the new generation.
        cache.put("/a".into(), 0, json, Bytes::from_static(b"[1]"));
        assert!(cache.get("/a").is_none());
    }

    #[test]
    fn matching_tags_answer_304_and_bodies_are_compressed_once() {
        let body = Bytes::from("x".repeat(5000));
        let e = make_entry(0, HeaderValue::from_static("text/plain"), body.clone());
        let tag = e.etag.to_str().unwrap().to_string();
        let r = e.respond(&headers(&[(header::IF_NONE_MATCH, &tag)]));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let strong = tag.trim_start_matches("W/").to_string();
        let r = e.respond(&headers(&[(
            header::IF_NONE_MATCH,
            &format!("\"x\", {strong}"),
        )]));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let r = e.respond(&headers(&[(header::ACCEPT_ENCODING, "gzip")]));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        assert!(e.gzip.as_ref().unwrap().len() < 200);
        let r = e.respond(&HeaderMap::new());
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
    }
}
