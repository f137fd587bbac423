//! The one error type of the HTTP layer. Every failure becomes JSON
//! `{ "error": code, "message": text, "fields": {...} }` in the caller's language; internal errors
//! are logged and never described to the client.
//!
//! Messages keep both languages until the response is written: an error response carries its
//! [`Msg`]s in an extension, and [`render_language`] (a middleware) writes the body in the
//! language of the request's `Accept-Language`. Nothing depends on task-locals, so work done on
//! other threads (`spawn_blocking`) answers in the right language too.

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sepiion_core::api::ErrorBody;
use sepiion_core::sync::Record;
use sepiion_core::validation::{FieldErrors, Lang, Msg};
use sepiion_core::workflow::TransitionError;

/// The language a request asks for in `Accept-Language` (Indonesian unless English is
/// preferred).
pub fn request_lang(headers: &HeaderMap) -> Lang {
    Lang::from_accept_language(headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The caller's language, for handlers that write messages into a body themselves (the
/// answers of a sync push).
#[derive(Debug, Clone, Copy)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLang(request_lang(&parts.headers)))
    }
}

/// An error's texts in both languages, carried on its response until the body is written.
#[derive(Debug, Clone)]
struct Untranslated {
    code: &'static str,
    message: Msg,
    fields: FieldErrors,
}

impl Untranslated {
    fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: self.code.to_string(),
            message: self.message.get(lang).to_string(),
            fields: self.fields.in_lang(lang),
        }
    }
}

/// Writes an error response's body in the request's language.
pub async fn render_language(req: Request, next: Next) -> Response {
    let lang = request_lang(req.headers());
    let mut res = next.run(req).await;
    if let Some(texts) = res.extensions_mut().remove::<Untranslated>()
        && lang != Lang::default()
        && let Ok(json) = serde_json::to_vec(&texts.body(lang))
    {
        *res.body_mut() = Body::from(json);
    }
    res
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Msg,
    pub fields: FieldErrors,
    /// For a version conflict: the record as it stands on the server.
    pub current: Option<Box<Record>>,
    /// Seconds to wait, for 429.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: Msg) -> Self {
        ApiError {
            status,
            code,
            message,
            fields: FieldErrors::default(),
            current: None,
            retry_after: None,
        }
    }

    pub fn bad_request(message: Msg) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn validation(fields: FieldErrors) -> Self {
        ApiError {
            fields,
            ..Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                Msg::new(
                    "Data belum lengkap atau tidak valid. Periksa isian yang ditandai.",
                    "Some fields are missing or invalid. Check the marked fields.",
                ),
            )
        }
    }

    pub fn field(field: &str, msg: Msg) -> Self {
        let mut f = FieldErrors::default();
        f.add(field, msg);
        Self::validation(f)
    }

    /// A query parameter that cannot be used (400, with the field named).
    pub fn bad_query(field: &str, msg: Msg) -> Self {
        let mut f = FieldErrors::default();
        f.add(field, msg.clone());
        ApiError {
            fields: f,
            ..Self::new(StatusCode::BAD_REQUEST, "invalid_query", msg)
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Msg::new(
                "Anda perlu masuk terlebih dahulu, atau sesi Anda telah berakhir.",
                "You need to sign in, or your session has expired.",
            ),
        )
    }

    /// The session ended (expired, idle too long, signed out): sign in again; nothing on the
    /// device needs to go.
    pub fn session_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "session_expired",
            Msg::new(
                "Sesi Anda telah berakhir. Silakan masuk kembali.",
                "Your session has ended. Please sign in again.",
            ),
        )
    }

    /// The account was deactivated by an admin: the app removes that account's data.
    pub fn account_deactivated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "account_deactivated",
            Msg::new(
                "Akun Anda telah dinonaktifkan oleh admin.",
                "Your account has been deactivated by an administrator.",
            ),
        )
    }

    /// An admin revoked this device's token.
    pub fn device_revoked() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "device_revoked",
            Msg::new(
                "Perangkat ini telah dicabut aksesnya. Daftarkan ulang aplikasi.",
                "This device's access was revoked. Register the app again.",
            ),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Msg::new(
                "Anda tidak berwenang melakukan ini.",
                "You are not allowed to do this.",
            ),
        )
    }

    pub fn not_found(what_id: &str, what_en: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Msg::new(
                format!("{what_id} tidak ditemukan."),
                format!("{what_en} not found."),
            ),
        )
    }

    pub fn version_conflict(current: Record) -> Self {
        ApiError {
            current: Some(Box::new(current)),
            ..Self::new(
                StatusCode::CONFLICT,
                "version_conflict",
                Msg::new(
                    "Data ini telah diubah oleh orang lain. Muat ulang lalu ulangi perubahan Anda.",
                    "Someone else changed this meanwhile. Reload and make your change again.",
                ),
            )
        }
    }

    pub fn too_many(retry_after: u64) -> Self {
        ApiError {
            retry_after: Some(retry_after),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                Msg::new(
                    format!(
                        "Terlalu banyak percobaan. Coba lagi dalam {} menit.",
                        retry_after.div_ceil(60)
                    ),
                    format!(
                        "Too many attempts. Try again in {} minutes.",
                        retry_after.div_ceil(60)
                    ),
                ),
            )
        }
    }

    /// An unexpected failure: logged in full, answered without detail.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Msg::new(
                "Terjadi kesalahan pada server. Silakan coba lagi.",
                "The server ran into a problem. Please try again.",
            ),
        )
    }

    /// The JSON body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        self.texts().body(lang)
    }

    fn texts(&self) -> Untranslated {
        Untranslated {
            code: self.code,
            message: self.message.clone(),
            fields: self.fields.clone(),
        }
    }
}

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        let msg = e.message();
        match e {
            TransitionError::WrongState { .. } => {
                ApiError::new(StatusCode::CONFLICT, "invalid_transition", msg)
            }
            TransitionError::NotPermitted { .. } => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", msg)
            }
            TransitionError::Invalid(fields) => ApiError {
                fields,
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", msg)
            },
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            )
        {
            tracing::warn!(error = %e, "database busy");
            return ApiError {
                retry_after: Some(1),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    Msg::new(
                        "Server sedang sibuk. Coba lagi sebentar lagi.",
                        "The server is busy. Try again shortly.",
                    ),
                )
            };
        }
        if let rusqlite::Error::SqliteFailure(f, _) = &e
            && f.code == rusqlite::ErrorCode::DiskFull
        {
            return ApiError::storage_full(&e);
        }
        ApiError::internal(e)
    }
}

/// The code of the answer to a write refused because the database's disk is full.
pub const STORAGE_FULL: &str = "storage_full";

impl ApiError {
    /// A write refused for lack of disk space (SQLite's `SQLITE_FULL`): nothing of it was saved,
    /// reads go on, and the same write succeeds once space is freed.
    pub fn storage_full(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "write refused: the database's disk is full");
        ApiError {
            retry_after: Some(60),
            ..ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                STORAGE_FULL,
                Msg::new(
                    "Penyimpanan server penuh: data belum disimpan. Coba lagi nanti; \
                     hubungi kantor protokol bila berlanjut.",
                    "The server's storage is full: nothing was saved. Try again later; \
                     contact the protocol office if it persists.",
                ),
            )
        }
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Written in Indonesian (the default) here; `render_language` rewrites it for a caller
        // who asked for English.
        let texts = self.texts();
        let mut res = (self.status, axum::Json(texts.body(Lang::default()))).into_response();
        res.extensions_mut().insert(texts);
        if let Some(s) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }
}
