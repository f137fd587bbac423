//! Staff endpoints: inbox, request detail and transitions, dispositions, the agenda, leaders and
//! representatives.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sepiion_core::api::*;
use sepiion_core::conflict::{Conflict, Slot};
use sepiion_core::model::{AgendaItem, Request};
use sepiion_core::time::local_days_range;
use sepiion_core::validation::Msg;
use sepiion_core::workflow::{self, Action, TransitionInput};

use crate::domain::agenda::{self, conflicts_for};
use crate::domain::caller::{Caller, Staff};
use crate::domain::context::Ctx;
use crate::domain::inbox::{self, InboxCursor, InboxFilter};
use crate::domain::requests;
use crate::domain::visibility::{staff_sees_item, staff_sees_request};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::StaffAuth;
use crate::http::extract::{Json, Path, Query};
use crate::http::state::AppState;
use crate::storage::rows::{
    load_agenda_item, load_agenda_range, load_leaders, load_notes, load_request,
};

/// The actions `staff` may take on `r` (the core rule).
pub fn actions_for(staff: &Staff, r: &Request) -> Vec<Action> {
    workflow::actions_for(staff.role, staff.leader_id.as_deref(), r)
}

/// The inbox, a page at a time: requests matching the filters, those needing the caller's
/// action first, and counts per state.
#[utoipa::path(get, path = "/api/v1/staff/requests", tag = "staff",
    params(InboxQuery),
    responses((status = 200, body = Inbox),
              (status = 400, description = "Unknown cursor, or a limit out of range", body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn inbox(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Query(q): Query<InboxQuery>,
) -> ApiResult<axum::Json<Inbox>> {
    let limit = q.limit.unwrap_or(INBOX_PAGE);
    if !(1..=MAX_INBOX_PAGE).contains(&limit) {
        return Err(ApiError::bad_query(
            "limit",
            Msg::new(
                format!("limit harus antara 1 dan {MAX_INBOX_PAGE}."),
                format!("limit must be between 1 and {MAX_INBOX_PAGE}."),
            ),
        ));
    }
    let cursor = q.cursor.as_deref().map(InboxCursor::parse).transpose()?;
    let tz = state.ctx.tz;
    let from = q.from.map(|d| local_days_range(d, d, tz).0);
    let to = q.to.map(|d| local_days_range(d, d, tz).1);
    let viewer = staff.clone();
    let now = chrono::Utc::now();
    let (requests, next, counts) = state
        .db
        .read(move |tx| {
            let filter = InboxFilter {
                state: q.state,
                leader: q.leader.as_deref(),
                from,
                to,
                now,
            };
            let (requests, next) = inbox::page(tx, &viewer, &filter, cursor, limit as usize)?;
            Ok((requests, next, inbox::counts(tx, &viewer, &filter)?))
        })
        .await?;
    let entries = requests
        .into_iter()
        .map(|r| InboxEntry {
            my_actions: actions_for(&staff, &r),
            waits_on_caller: workflow::waits_on(staff.role, staff.leader_id.as_deref(), &r, now),
            request: r,
        })
        .collect();
    Ok(axum::Json(Inbox {
        entries,
        counts,
        next_cursor: next.map(|c| c.encode()),
    }))
}

fn request_conflicts(
    tx: &rusqlite::Transaction,
    ctx: &Ctx,
    staff: &Staff,
    r: &Request,
) -> ApiResult<Vec<Conflict>> {
    if r.state.is_final() || r.agenda_item_id.is_some() {
        return Ok(Vec::new());
    }
    let leaders: Vec<String> = match r.assigned_leader_id.as_ref().or(r.leader_id.as_ref()) {
        Some(l) => vec![l.clone()],
        None => load_leaders(tx)?.into_iter().map(|l| l.id).collect(),
    };
    let mut out = Vec::new();
    for leader in leaders {
        let slot = Slot::of_request(r, &leader);
        out.extend(conflicts_for(tx, ctx, Some(staff), &slot, Some(&r.id))?);
    }
    Ok(out)
}

/// A request with its notes, the caller's actions and the clashes of its time.
#[utoipa::path(get, path = "/api/v1/staff/requests/{id}", tag = "staff",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 200, body = RequestDetail), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn request_detail(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<RequestDetail>> {
    let ctx = state.ctx.clone();
    let detail = state
        .db
        .read(move |tx| {
            let request = load_request(tx, &id)?
                .filter(|r| staff_sees_request(tx, &staff, r).unwrap_or(false))
                .ok_or_else(|| ApiError::not_found("Permohonan", "Request"))?;
            let notes = load_notes(tx, &id)?;
            let conflicts = request_conflicts(tx, &ctx, &staff, &request)?;
            Ok(RequestDetail {
                available_actions: actions_for(&staff, &request),
                request,
                notes,
                conflicts,
            })
        })
        .await?;
    Ok(axum::Json(detail))
}

/// A transition: body with the action and the data it needs, and optionally `base_version`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct StaffTransition {
    #[serde(flatten)]
    pub input: TransitionInput,
    /// The request version the decision was based on; a different current version is a 409.
    #[serde(default)]
    pub base_version: Option<i64>,
}

/// Moves a request to its next state (checked against the caller's role).
#[utoipa::path(post, path = "/api/v1/staff/requests/{id}/transitions", tag = "staff",
    params(("id" = String, Path, description = "Request id")),
    request_body = StaffTransition,
    responses((status = 200, body = TransitionOutcome), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody),
              (status = 409, description = "Not possible in this state, or changed meanwhile", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn transition(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    Json(body): Json<StaffTransition>,
) -> ApiResult<axum::Json<TransitionOutcome>> {
    let ctx = state.ctx.clone();
    let out = state
        .db
        .write(move |tx| {
            requests::transition(
                tx,
                &ctx,
                &Caller::Staff(staff),
                &id,
                &body.input,
                body.base_version,
            )
        })
        .await?;
    Ok(axum::Json(out))
}

/// The names an `@mention` may match, for the staff app to check a note before sending.
#[utoipa::path(get, path = "/api/v1/staff/mention-names", tag = "staff",
    responses((status = 200, body = MentionNames), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mention_names(
    State(state): State<AppState>,
    StaffAuth(_staff): StaffAuth,
) -> ApiResult<axum::Json<MentionNames>> {
    let names = state
        .db
        .read(|tx| Ok(crate::domain::notify::mention_names(tx)?))
        .await?;
    Ok(axum::Json(MentionNames { names }))
}

/// Adds a disposition or note to a request (internal).
#[utoipa::path(post, path = "/api/v1/staff/requests/{id}/notes", tag = "staff",
    params(("id" = String, Path, description = "Request id")),
    request_body = NoteInput,
    responses((status = 201, body = NoteWrite), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_note(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    Json(input): Json<NoteInput>,
) -> ApiResult<(StatusCode, axum::Json<NoteWrite>)> {
    let out = state
        .db
        .write(move |tx| {
            let note = requests::add_note(tx, &staff, &id, &input)?;
            let unknown_mentions =
                crate::domain::notify::unknown_mentions(tx, &note.instruction, &note.text)?;
            Ok(NoteWrite {
                note,
                unknown_mentions,
            })
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(out)))
}

/// Confirms the requester's WhatsApp number and e-mail address of a request (admin and protocol
/// staff, after checking them with the requester): messages to them then carry the request's
/// details, not only its tracking code.
#[utoipa::path(post, path = "/api/v1/staff/requests/{id}/contact-confirmation", tag = "staff",
    params(("id" = String, Path, description = "Request id")),
    responses((status = 204, description = "Confirmed"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn confirm_contact(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| crate::domain::notify::contacts::confirm_by_staff(tx, &staff, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Downloads a request's attachment.
#[utoipa::path(get, path = "/api/v1/staff/requests/{id}/attachments/{attachment_id}", tag = "staff",
    params(("id" = String, Path, description = "Request id"),
           ("attachment_id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn download_attachment(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((id, attachment_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    super::public::attachment_response(&state, Caller::Staff(staff), id, attachment_id).await
}

/// The agenda for a range of local dates, as the caller may see it.
#[utoipa::path(get, path = "/api/v1/staff/agenda", tag = "staff",
    params(AgendaQuery),
    responses((status = 200, body = Vec<AgendaItem>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn agenda_list(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
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
            .filter(|i| staff_sees_item(&staff, i))
            .collect(),
    ))
}

/// Creates an agenda item; clashes come back as warnings.
#[utoipa::path(post, path = "/api/v1/staff/agenda", tag = "staff",
    request_body = AgendaItemInput,
    responses((status = 201, body = AgendaWrite), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn agenda_create(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Json(input): Json<AgendaItemInput>,
) -> ApiResult<(StatusCode, axum::Json<AgendaWrite>)> {
    let ctx = state.ctx.clone();
    let w = state
        .db
        .write(move |tx| agenda::create(tx, &ctx, &staff, &input))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(w)))
}

/// One agenda item.
#[utoipa::path(get, path = "/api/v1/staff/agenda/{id}", tag = "staff",
    params(("id" = String, Path, description = "Agenda item id")),
    responses((status = 200, body = AgendaItem), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn agenda_get(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
) -> ApiResult<axum::Json<AgendaItem>> {
    let item = state
        .db
        .read(move |tx| Ok(load_agenda_item(tx, &id)?))
        .await?
        .filter(|i| staff_sees_item(&staff, i))
        .ok_or_else(|| ApiError::not_found("Agenda", "Agenda item"))?;
    Ok(axum::Json(item))
}

/// Replaces an agenda item's fields. A stale `base_version` is answered 409.
#[utoipa::path(put, path = "/api/v1/staff/agenda/{id}", tag = "staff",
    params(("id" = String, Path, description = "Agenda item id")),
    request_body = AgendaItemInput,
    responses((status = 200, body = AgendaWrite), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn agenda_update(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    Json(input): Json<AgendaItemInput>,
) -> ApiResult<axum::Json<AgendaWrite>> {
    let ctx = state.ctx.clone();
    let w = state
        .db
        .write(move |tx| agenda::update(tx, &ctx, &staff, &id, &input, None))
        .await?;
    Ok(axum::Json(w))
}

/// Cancels an agenda item.
#[utoipa::path(post, path = "/api/v1/staff/agenda/{id}/cancel", tag = "staff",
    params(("id" = String, Path, description = "Agenda item id")),
    request_body = AgendaCancelInput,
    responses((status = 200, body = AgendaWrite), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn agenda_cancel(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    Json(input): Json<AgendaCancelInput>,
) -> ApiResult<axum::Json<AgendaWrite>> {
    let ctx = state.ctx.clone();
    let w = state
        .db
        .write(move |tx| agenda::cancel(tx, &ctx, &staff, &id, &input.reason, input.base_version))
        .await?;
    Ok(axum::Json(w))
}
