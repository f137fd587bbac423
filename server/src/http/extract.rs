//! Extractors that turn every malformed input into our JSON error (4xx), never axum's plain-text
//! rejections.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use std::net::IpAddr;

use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::{IpNet, Ipv6Net};
use sepiion_core::validation::Msg;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::http::state::AppState;

fn rejection(status: StatusCode, code: &'static str, detail: String) -> ApiError {
    let (id, en) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "Data yang dikirim terlalu besar.".to_string(),
            "The request body is too large.".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "Format data harus JSON (Content-Type: application/json).".to_string(),
            "The body must be JSON (Content-Type: application/json).".to_string(),
        ),
        _ => (
            format!("Data tidak dapat dibaca: {detail}"),
            format!("The input could not be read: {detail}"),
        ),
    };
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::BAD_REQUEST
    };
    ApiError::new(status, code, Msg::new(id, en))
}

/// JSON body.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => {
                let code = match &e {
                    JsonRejection::JsonDataError(_) => "invalid_field",
                    JsonRejection::JsonSyntaxError(_) => "malformed_json",
                    JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
                    _ => "bad_body",
                };
                Err(rejection(e.status(), code, e.body_text()))
            }
        }
    }
}

/// Query string.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Query(q.0))
            .map_err(|e: QueryRejection| query_error::<T>(parts.uri.query().unwrap_or(""), e))
    }
}

/// A query string that does not fit `T`: 400 naming the parameter, in one language (serde's own
/// text is English and would end up inside the Indonesian message).
fn query_error<T: DeserializeOwned>(query: &str, e: QueryRejection) -> ApiError {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    let Err(err) = serde_path_to_error::deserialize::<_, T>(de) else {
        return rejection(e.status(), "invalid_query", e.body_text());
    };
    let inner = err.inner().to_string();
    // A missing field is reported at the top level; serde names it in backticks.
    let missing = inner
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let (field, msg) = match missing {
        Some(name) => (
            name.to_string(),
            Msg::new(
                format!("Parameter {name} wajib diisi."),
                format!("The parameter {name} is required."),
            ),
        ),
        None => {
            let name = err.path().to_string();
            let name = if name == "." {
                "query".to_string()
            } else {
                name
            };
            let msg = Msg::new(
                format!("Nilai parameter {name} tidak dapat dibaca."),
                format!("The value of the parameter {name} cannot be read."),
            );
            (name, msg)
        }
    };
    ApiError::bad_query(&field, msg)
}

/// Path parameters.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| Path(p.0))
            .map_err(|e: PathRejection| rejection(e.status(), "invalid_path", e.body_text()))
    }
}

/// Who the client is, for rate limits: its address, or for IPv6 its /64 network (one home or
/// phone gets a whole /64). Behind a trusted reverse proxy (`trusted_proxies`), the address is
/// the right-most untrusted one of `X-Forwarded-For` (or RFC 7239 `Forwarded`); from any other
/// peer those headers are ignored, so nobody can pick their own key by sending them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKey(pub String);

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientKey(match peer {
            Some(peer) => key_of(client_ip(peer, &parts.headers, &state.ctx.trusted_proxies)),
            None => "unknown".into(),
        }))
    }
}

/// The limiter key of an address: IPv4 as it is, IPv6 by its /64.
pub fn key_of(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let net = Ipv6Net::new(v6, 64).expect("64 is a valid prefix").trunc();
            net.to_string()
        }
    }
}

/// The client's address: the peer, unless the peer is a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(&ip.to_canonical()));
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let mut hops: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| parse_hop(h.trim()))
        .collect();
    if hops.is_empty() {
        hops = headers
            .get_all("forwarded")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|element| {
                element.split(';').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.trim()
                        .eq_ignore_ascii_case("for")
                        .then(|| parse_hop(v.trim()))
                })
            })
            .collect();
    }
    // From the right: every hop up to the first untrusted one was added by our own proxies.
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => client = ip,
            Some(ip) => return ip,
            // Garbage (or "unknown") cannot be attributed: stop at the last hop we trust.
            None => return client,
        }
    }
    client
}

/// One address of a forwarding header: `192.0.2.1`, `2001:db8::1`, `"[2001:db8::1]:4711"`,
/// `192.0.2.1:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = hop.parse::<std::net::SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let forged = headers(&[("x-forwarded-for", "203.0.113.9")]);
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_ip(stranger, &forged, &trusted), stranger);
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        // nginx appends the real client to whatever the client sent.
        let chain = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        assert_eq!(client_ip(proxy, &chain, &trusted), stranger);
        // Two proxies of ours in a row.
        let two = headers(&[("x-forwarded-for", "198.51.100.7, 10.1.2.3")]);
        assert_eq!(client_ip(proxy, &two, &trusted), stranger);
        let garbage = headers(&[("x-forwarded-for", "198.51.100.7, nonsense")]);
        assert_eq!(client_ip(proxy, &garbage, &trusted), proxy);
        let fwd = headers(&[("forwarded", "for=\"[2001:db8:cafe::17]:4711\";proto=https")]);
        assert_eq!(
            client_ip(proxy, &fwd, &trusted),
            "2001:db8:cafe::17".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(
            client_ip(proxy, &chain, &[]),
            proxy,
            "no trusted proxies configured"
        );
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(key_of(a), "2001:db8:1:2::/64");
        assert_eq!(key_of(a), key_of(b));
        assert_ne!(key_of(a), key_of(c));
        assert_eq!(key_of("::ffff:192.0.2.1".parse().unwrap()), "192.0.2.1");
    }
}
