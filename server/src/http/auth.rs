//! The extractors that say who is asking: the bearer token of a request looked up once per
//! request ([`Caller`]), and the narrower [`StaffAuth`], [`AdminAuth`], [`DeviceAuth`] and
//! [`KnownCaller`] that refuse everyone else.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sepiion_core::model::Role;

use crate::domain::caller::{Caller, Staff, TokenWrite, lookup_token, write_token_use};
use crate::error::ApiError;
use crate::http::state::AppState;

/// The token of an `Authorization: Bearer …` header value. The scheme is case-insensitive
/// (RFC 9110); anything else is refused rather than read as anonymous.
fn parse_bearer(value: &str) -> Result<Option<String>, ApiError> {
    let value = value.trim();
    let (scheme, rest) = value.split_once(' ').ok_or_else(ApiError::unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized());
    }
    let token = rest.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::unauthorized());
    }
    Ok(Some(token.to_string()))
}

/// The bearer token of a request, if it carries one. Authentication and logout both read the
/// token through this one function.
pub fn bearer(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    parse_bearer(value.to_str().map_err(|_| ApiError::unauthorized())?)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let caller = match bearer(&parts.headers)? {
            None => Caller::Anonymous,
            // A token that matches nothing is refused rather than treated as anonymous, so a
            // client learns at once that its session ended.
            Some(token) => {
                // A read; the rare due write (last use, an ended session) afterwards.
                let idle = state.ctx.limits.session_idle_hours;
                let (caller, write) = state
                    .db
                    .read(move |tx| Ok(lookup_token(tx, &token, idle)?))
                    .await?;
                if write != TokenWrite::None {
                    state
                        .db
                        .write(move |tx| Ok(write_token_use(tx, &write)?))
                        .await?;
                }
                caller?
            }
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// Extractor: a signed-in staff member (401 without a session, 403 for a public device).
pub struct StaffAuth(pub Staff);

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Staff(s) => Ok(StaffAuth(s)),
            Caller::Device(_) => Err(ApiError::forbidden()),
            Caller::Anonymous => Err(ApiError::unauthorized()),
        }
    }
}

/// Extractor: an admin.
pub struct AdminAuth(pub Staff);

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let StaffAuth(s) = StaffAuth::from_request_parts(parts, state).await?;
        if s.role == Role::Admin {
            Ok(AdminAuth(s))
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// Extractor: a registered public device (401 without a token, 403 for staff).
pub struct DeviceAuth(pub String);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Device(d) => Ok(DeviceAuth(d)),
            Caller::Staff(_) => Err(ApiError::forbidden()),
            Caller::Anonymous => Err(ApiError::unauthorized()),
        }
    }
}

/// Extractor: a device or a staff member (sync).
pub struct KnownCaller(pub Caller);

impl FromRequestParts<AppState> for KnownCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Anonymous => Err(ApiError::unauthorized()),
            c => Ok(KnownCaller(c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        for (header, want) in [
            ("Bearer sps_abc", Ok(Some("sps_abc"))),
            ("bearer sps_abc", Ok(Some("sps_abc"))),
            ("BEARER   sps_abc  ", Ok(Some("sps_abc"))),
            ("Basic xyz", Err(())),
            ("Bearer ", Err(())),
            ("Bearersps_abc", Err(())),
        ] {
            let got = parse_bearer(header).map_err(|_| ());
            assert_eq!(got, want.map(|t| t.map(String::from)), "{header:?}");
        }
    }
}
