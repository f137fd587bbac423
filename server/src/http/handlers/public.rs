//! Public endpoints: device registration, the device's own requests, tracking codes and the
//! public agenda.

use std::time::Duration;

use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sepiion_core::api::*;
use sepiion_core::model::{AgendaItem, AttachmentMeta, Request, Visibility};
use sepiion_core::time::local_days_range;
use sepiion_core::validation::{Lang, Msg};
use sepiion_core::workflow::{Action, TransitionInput};

use crate::domain::caller::{Caller, create_device};
use crate::domain::requests::{self, normalize_tracking_code};
use crate::error::{ApiError, ApiResult, RequestLang};
use crate::http::auth::DeviceAuth;
use crate::http::extract::{ClientKey, Json, Path, Query};
use crate::http::state::AppState;
use crate::storage::audit::audit;
use crate::storage::rows::{load_agenda_range, load_device_requests, load_request_by_code};

/// Registers an anonymous device and returns its secret token (shown once).
#[utoipa::path(post, path = "/api/v1/public/devices", tag = "public",
    responses(
        (status = 201, description = "Device registered", body = DeviceRegistration),
        (status = 429, description = "Too many registrations from this address", body = ErrorBody)))]
pub async fn register_device(
    State(state): State<AppState>,
    client: ClientKey,
) -> ApiResult<(StatusCode, axum::Json<DeviceRegistration>)> {
    state.take_registration(&client)?;
    let (device_id, token) = state
        .db
        .write(|tx| {
            let (id, token) = create_device(tx)?;
            audit(tx, "anonymous", "device.register", "device", &id, "")?;
            Ok((id, token))
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(DeviceRegistration { device_id, token }),
    ))
}

/// Submits a request from this device. Sending the same `id` again returns the first copy.
#[utoipa::path(post, path = "/api/v1/public/requests", tag = "public",
    request_body = NewRequest,
    responses(
        (status = 201, description = "Submitted", body = Request),
        (status = 200, description = "Already submitted with this id", body = Request),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody),
        (status = 429, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn submit_request(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    RequestLang(lang): RequestLang,
    Json(new): Json<NewRequest>,
) -> ApiResult<(StatusCode, axum::Json<Request>)> {
    let (r, created, _) = submit_from_device(&state, device, new, None, lang, None).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(r)))
}

/// A file sent with a submission: its name and bytes.
pub struct Letter {
    pub filename: String,
    pub data: Vec<u8>,
}

/// The one code path of every public submission, the API's `POST /api/v1/public/requests` and
/// the web portal's form alike: the device's rate limit, then the core-validated submission and
/// (from the portal's form) its letter in the same transaction, so a rejected file leaves no
/// request behind. With `answer_base` (the portal's address) the request gets a private answer
/// link, told in the receipt. Returns the request, whether it was created (`false`: a resent
/// id) and, for a new request with `answer_base`, the answer link's secret.
pub async fn submit_from_device(
    state: &AppState,
    device: String,
    new: NewRequest,
    letter: Option<Letter>,
    lang: Lang,
    answer_base: Option<String>,
) -> ApiResult<(Request, bool, Option<String>)> {
    state.take_submission(&device)?;
    let ctx = state.ctx.clone();
    state
        .db
        .write(move |tx| {
            let (r, created, secret) =
                requests::submit_answerable(tx, &device, &new, lang, answer_base.as_deref())?;
            if let (Some(letter), true) = (letter, created) {
                requests::add_attachment(
                    tx,
                    &ctx,
                    &device,
                    &r.id,
                    None,
                    &letter.filename,
                    &letter.data,
                )?;
            }
            Ok((r, created, secret))
        })
        .await
}

/// This device's requests, newest first, with their public timelines.
#[utoipa::path(get, path = "/api/v1/public/requests", tag = "public",
    responses((status = 200, body = Vec<Request>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_own_requests(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
) -> ApiResult<axum::Json<Vec<Request>>> {
    let list = state
        .db
        .read(move |tx| Ok(load_device_requests(tx, &device)?))
        .await?;
    Ok(axum::Json(list))
}

async fn own_request(state: &AppState, device: String, id: String) -> ApiResult<Request> {
    state
        .db
        .read(move |tx| {
            let caller = Caller::Device(device);
            let r = crate::storage::rows::load_request(tx, &id)?
                .ok_or_else(|| ApiError::not_found("Permohonan", "Request"))?;
            requests::view(tx, &caller, r)
        })
        .await
}

/// One of this device's requests.
#[utoipa::path(get, path = "/api/v1/public/requests/{id}", tag = "public",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = Request), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_own_request(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<Request>> {
    Ok(axum::Json(own_request(&state, device, id).await?))
}

async fn requester_transition(
    state: AppState,
    device: String,
    id: String,
    input: TransitionInput,
) -> ApiResult<axum::Json<Request>> {
    let ctx = state.ctx.clone();
    let out = state
        .db
        .write(move |tx| requests::transition(tx, &ctx, &Caller::Device(device), &id, &input, None))
        .await?;
    Ok(axum::Json(out.request))
}

/// Cancels this device's request.
#[utoipa::path(post, path = "/api/v1/public/requests/{id}/cancel", tag = "public",
    params(("id" = String, Path, description = "Request id")),
    request_body = CancelInput,
    responses((status = 200, body = Request), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Not possible in this state", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel_own_request(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    Json(body): Json<CancelInput>,
) -> ApiResult<axum::Json<Request>> {
    let mut input = TransitionInput::new(Action::Cancel);
    input.reason = body.reason;
    requester_transition(state, device, id, input).await
}

/// Accepts or declines the time staff proposed.
#[utoipa::path(post, path = "/api/v1/public/requests/{id}/proposal", tag = "public",
    params(("id" = String, Path, description = "Request id")),
    request_body = ProposalAnswer,
    responses((status = 200, body = Request), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answer_proposal(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    Json(body): Json<ProposalAnswer>,
) -> ApiResult<axum::Json<Request>> {
    let action = if body.accept {
        Action::AcceptProposal
    } else {
        Action::DeclineProposal
    };
    let mut input = TransitionInput::new(action);
    input.reason = body.reason;
    requester_transition(state, device, id, input).await
}

/// Adds what staff asked for; the request returns to review.
#[utoipa::path(post, path = "/api/v1/public/requests/{id}/info", tag = "public",
    params(("id" = String, Path, description = "Request id")),
    request_body = SupplyInfoInput,
    responses((status = 200, body = Request), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn supply_info(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    Json(body): Json<SupplyInfoInput>,
) -> ApiResult<axum::Json<Request>> {
    let mut input = TransitionInput::new(Action::SupplyInfo);
    input.info = Some(body.info);
    requester_transition(state, device, id, input).await
}

/// The multipart form of an attachment upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file: PDF, JPEG or PNG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Optional client-made UUID: uploading the same id again returns the stored file.
    id: Option<String>,
}

/// Attaches a file (the invitation letter) to this device's request.
#[utoipa::path(post, path = "/api/v1/public/requests/{id}/attachments", tag = "public",
    params(("id" = String, Path, description = "Request id")),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentMeta), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 413, body = ErrorBody),
              (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, axum::Json<AttachmentMeta>)> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::bad_request(Msg::new(
            format!(
                "Unggahan harus berupa multipart/form-data: {}",
                e.body_text()
            ),
            format!("Uploads must be multipart/form-data: {}", e.body_text()),
        ))
    })?;
    let max = state.ctx.limits.max_attachment_bytes;
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            Msg::new(
                format!("Lampiran paling besar {} MB.", max / (1024 * 1024)),
                format!("Attachments are at most {} MB.", max / (1024 * 1024)),
            ),
        )
    };
    let bad_form = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ApiError::bad_request(Msg::new(
                format!("Unggahan tidak dapat dibaca: {}", e.body_text()),
                format!("The upload could not be read: {}", e.body_text()),
            ))
        }
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut client_id: Option<String> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_form)? {
        if field.name() == Some("id") {
            let text = field.text().await.map_err(bad_form)?;
            client_id = Some(text.trim().chars().take(64).collect());
            continue;
        }
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("lampiran").to_string();
        let mut data = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_form)? {
            if data.len() + chunk.len() > max {
                return Err(too_large());
            }
            data.extend_from_slice(&chunk);
        }
        file = Some((name, data));
    }
    let (name, data) = file.ok_or_else(|| {
        ApiError::field(
            "file",
            Msg::new(
                "Pilih berkas untuk dilampirkan.",
                "Choose a file to attach.",
            ),
        )
    })?;
    if data.is_empty() {
        return Err(ApiError::field(
            "file",
            Msg::new("Berkas kosong.", "The file is empty."),
        ));
    }
    let ctx = state.ctx.clone();
    let meta = state
        .db
        .write(move |tx| {
            requests::add_attachment(tx, &ctx, &device, &id, client_id.as_deref(), &name, &data)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(meta)))
}

/// Streams an attachment's bytes to a caller allowed to see its request.
pub async fn attachment_response(
    state: &AppState,
    caller: Caller,
    request_id: String,
    attachment_id: String,
) -> ApiResult<Response> {
    let found = state
        .db
        .read(move |tx| {
            let r = crate::storage::rows::load_request(tx, &request_id)?
                .ok_or_else(|| ApiError::not_found("Permohonan", "Request"))?;
            requests::view(tx, &caller, r)?;
            let row = crate::storage::rows::load_attachment(tx, &request_id, &attachment_id)?;
            row.ok_or_else(|| ApiError::not_found("Lampiran", "Attachment"))
        })
        .await?;
    let (filename, content_type, data) = found;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    // An uploaded file is never run as a page of this origin: no type sniffing, and a sandbox
    // with nothing allowed should a browser render it anyway.
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
        ],
        data,
    )
        .into_response())
}

/// Downloads an attachment of this device's request.
#[utoipa::path(get, path = "/api/v1/public/requests/{id}/attachments/{attachment_id}", tag = "public",
    params(("id" = String, Path, description = "Request id"),
           ("attachment_id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn download_own_attachment(
    State(state): State<AppState>,
    DeviceAuth(device): DeviceAuth,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    attachment_response(&state, Caller::Device(device), id, attachment_id).await
}

/// Looks a request up by its tracking code: state and timeline, no contact data.
#[utoipa::path(get, path = "/api/v1/public/track/{code}", tag = "public",
    params(("code" = String, Path, description = "Tracking code, e.g. K7QM-3XRD-9PTA")),
    responses((status = 200, description = "OK (cached; `ETag`)", body = TrackedRequest),
              (status = 304, description = "Not modified (`If-None-Match`)"), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many look-ups", body = ErrorBody)))]
pub async fn track(
    State(state): State<AppState>,
    axum::Extension(cache): axum::Extension<std::sync::Arc<crate::http::cache::PublicCache>>,
    client: ClientKey,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    // Counted before the cache is asked: a cached answer is a look-up too.
    take_track_lookup(&state, &client)?;
    let key = uri.path().to_string();
    Ok(
        crate::http::cache::serve_cached(&cache, &headers, key, async move {
            match lookup_tracked(&state, &code).await {
                Ok(t) => axum::Json(t).into_response(),
                Err(e) => e.into_response(),
            }
        })
        .await,
    )
}

/// Counts a tracking-code look-up of `client`: guessing codes is slowed per client and for
/// everybody together (a botnet). Runs before any cached answer (see `cache`).
pub fn take_track_lookup(state: &AppState, client: &ClientKey) -> ApiResult<()> {
    let limits = &state.ctx.limits;
    state.limiter.take(
        "track",
        &client.0,
        limits.track_lookups_per_client,
        Duration::from_secs(600),
    )?;
    state.limiter.take(
        "track-all",
        "",
        limits.track_lookups_global,
        Duration::from_secs(60),
    )
}

/// What anyone may see of a request by its tracking code, as typed by a person (the API's
/// `track` and the portal's Lacak page share it): 429 past the look-up limits, 422 for a
/// malformed code, 404 for an unknown.
pub async fn find_tracked(
    state: &AppState,
    client: &ClientKey,
    code: &str,
) -> ApiResult<TrackedRequest> {
    take_track_lookup(state, client)?;
    lookup_tracked(state, code).await
}

/// [`find_tracked`] without counting the look-up.
async fn lookup_tracked(state: &AppState, code: &str) -> ApiResult<TrackedRequest> {
    let code = normalize_tracking_code(code).ok_or_else(|| {
        ApiError::field(
            "code",
            Msg::new(
                "Kode pelacakan terdiri dari 12 huruf/angka, misalnya K7QM-3XRD-9PTA.",
                "A tracking code has 12 letters or digits, e.g. K7QM-3XRD-9PTA.",
            ),
        )
    })?;
    let r = state
        .db
        .read(move |tx| Ok(load_request_by_code(tx, &code)?))
        .await?
        .ok_or_else(|| ApiError::not_found("Kode pelacakan", "Tracking code"))?;
    Ok(TrackedRequest::from_request(&r))
}

/// The leaders' public agenda for a range of local dates (public items, public fields only).
#[utoipa::path(get, path = "/api/v1/public/agenda", tag = "public",
    params(AgendaQuery),
    responses((status = 200, description = "OK (cached; `ETag`)", body = Vec<AgendaItem>),
              (status = 304, description = "Not modified (`If-None-Match`)"), (status = 400, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn public_agenda(
    State(state): State<AppState>,
    Query(q): Query<AgendaQuery>,
) -> ApiResult<axum::Json<Vec<AgendaItem>>> {
    super::check_range(q.from, q.to)?;
    let (from, to) = local_days_range(q.from, q.to, state.ctx.tz);
    let items = state
        .db
        .read(move |tx| Ok(load_agenda_range(tx, q.leader.as_deref(), from, to)?))
        .await?;
    Ok(axum::Json(
        items
            .into_iter()
            .filter(|i| i.visibility == Visibility::Public)
            .map(AgendaItem::public_view)
            .collect(),
    ))
}
