//! Extractors that turn every malformed input into our JSON error (4xx), never axum's plain-text
//! rejections.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use sepiion_core::validation::Msg;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

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
            .map_err(|e: QueryRejection| rejection(e.status(), "invalid_query", e.body_text()))
    }
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

/// The client's IP address (for rate limits); "unknown" when the server was not started with
/// connection info.
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}
