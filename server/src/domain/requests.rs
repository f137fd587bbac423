//! The request workflow on the server: submission, transitions (checked by the core state
//! machine), dispositions and attachments. REST handlers and sync pushes both call these inside
//! one transaction, so an approval and its agenda item are written together.

use axum::http::StatusCode;
use chrono::Utc;
use rusqlite::{Transaction, params};
use sepiion_core::api::{AgendaItemInput, NewRequest, NoteInput, TransitionOutcome};
use sepiion_core::conflict::Slot;
use sepiion_core::model::*;
use sepiion_core::sync::Record;
use sepiion_core::validation::{
    Lang, Msg, client_id, new_id, unknown_leader, validate_new_request, validate_note,
};
use sepiion_core::workflow::{
    Action, Actor, RequestFacts, TransitionInput, acts_on, apply_transition, check_transition,
};

use crate::domain::agenda::{self, conflicts_for};
use crate::domain::caller::{Caller, Staff};
use crate::domain::context::Ctx;
use crate::domain::visibility::{staff_sees_request, visible_record};
use crate::error::{ApiError, ApiResult};
use crate::storage::audit::audit;
use crate::storage::changes::log_change;
use crate::storage::rows::{
    load_agenda_item, load_leader, load_note, load_representative, load_request, request_owner,
};

const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A tracking code such as `K7QM-3XRD-9PTA`: 12 characters of a 32-letter alphabet (no 0/O or
/// 1/I to misread), 60 bits, too many to guess.
fn new_tracking_code() -> String {
    let bytes = crate::domain::caller::random_bytes::<12>();
    // 256 is a multiple of 32, so `% 32` keeps every letter equally likely.
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| CODE_ALPHABET[(*b as usize) % CODE_ALPHABET.len()] as char)
        .collect();
    group_code(&chars)
}

fn group_code(chars: &[char]) -> String {
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Normalises a tracking code typed by a person (lower case, spaces, missing dashes). Codes
/// of 12 characters are current; codes of 8 were given out before and keep working.
pub fn normalize_tracking_code(input: &str) -> Option<String> {
    let chars: Vec<char> = input
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    matches!(chars.len(), 8 | 12).then(|| group_code(&chars))
}

fn not_found() -> ApiError {
    ApiError::not_found("Permohonan", "Request")
}

fn id_taken() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "id_taken",
        Msg::new("Id ini sudah dipakai.", "This id is already taken."),
    )
}

/// Submits a request for `device`. Submitting an id this device already used returns the
/// existing request (`false`), so a retried submission never makes a copy.
/// Submits a request from a device; `lang` is the language the requester wrote in (the API's
/// `Accept-Language`, the portal page's, the app's), kept for every message to them.
pub fn submit(
    tx: &Transaction,
    device: &str,
    new: &NewRequest,
    lang: Lang,
) -> ApiResult<(Request, bool)> {
    submit_answerable(tx, device, new, lang, None).map(|(r, created, _)| (r, created))
}

/// [`submit`], and with `answer_base` (the portal's address, e.g. `https://agenda.example.go.id`)
/// also a private answer link, told to the requester in the receipt; its secret is returned
/// (once) for a new request.
pub fn submit_answerable(
    tx: &Transaction,
    device: &str,
    new: &NewRequest,
    lang: Lang,
    answer_base: Option<&str>,
) -> ApiResult<(Request, bool, Option<String>)> {
    let id = client_id(new.id.as_deref()).map_err(ApiError::validation)?;
    if let Some(owner) = request_owner(tx, &id)? {
        return if owner.as_deref() == Some(device) {
            let r = load_request(tx, &id)?.ok_or_else(not_found)?;
            Ok((r.public_view(), false, None))
        } else {
            Err(id_taken())
        };
    }
    let now = Utc::now();
    let new = &new.normalized();
    validate_new_request(new, now).map_err(ApiError::validation)?;
    if let Some(l) = &new.leader_id
        && load_leader(tx, l)?.is_none()
    {
        return Err(ApiError::field("leader_id", unknown_leader()));
    }
    let code = loop {
        let c = new_tracking_code();
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM requests WHERE tracking_code = ?1)",
            params![c],
            |r| r.get(0),
        )?;
        if !taken {
            break c;
        }
    };
    tx.execute(
        "INSERT INTO requests (id, tracking_code, device_id, kind, leader_id, title, description,
             starts_at, ends_at, location, organizer, requester_name, requester_phone,
             requester_email, expected_attendees, leader_role, dress_code, letter_number, state,
             created_at, updated_at, language)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
                 'submitted', ?19, ?19, ?20)",
        params![
            id,
            code,
            device,
            new.kind.as_str(),
            new.leader_id,
            new.title,
            new.description,
            new.starts_at.timestamp(),
            new.ends_at.timestamp(),
            new.location,
            new.organizer,
            new.requester_name,
            new.requester_phone,
            new.requester_email,
            new.expected_attendees,
            new.leader_role,
            new.dress_code,
            new.letter_number,
            now.timestamp(),
            lang_code(lang)
        ],
    )?;
    record_event(
        tx,
        &id,
        None,
        RequestState::Submitted,
        &Caller::Device(device.into()),
        None,
    )?;
    let secret = match answer_base {
        Some(_) => Some(crate::domain::answer_links::create(tx, &id)?),
        None => None,
    };
    let answer_link = answer_base
        .zip(secret.as_deref())
        .map(|(base, secret)| format!("{}/jawab/{secret}", base.trim_end_matches('/')));
    crate::domain::notify::request_submitted(tx, &id, new.notify_channels.as_deref(), answer_link)?;
    log_change(tx, "request", &id)?;
    audit(
        tx,
        &format!("device:{device}"),
        "request.submit",
        "request",
        &id,
        &code,
    )?;
    let r = load_request(tx, &id)?.ok_or_else(not_found)?;
    Ok((r.public_view(), true, secret))
}

fn record_event(
    tx: &Transaction,
    request_id: &str,
    from: Option<RequestState>,
    to: RequestState,
    caller: &Caller,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    let (actor, role, name) = match caller {
        Caller::Staff(s) => (
            "staff",
            Some(s.role.as_str()),
            Some(s.display_name.as_str()),
        ),
        Caller::Device(_) => ("requester", None, None),
        Caller::Anonymous => ("system", None, None),
    };
    tx.execute(
        "INSERT INTO request_events (request_id, at, from_state, to_state, actor, actor_role,
             actor_name, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            request_id,
            Utc::now().timestamp(),
            from.map(|s| s.as_str()),
            to.as_str(),
            actor,
            role,
            name,
            reason.map(str::trim).filter(|r| !r.is_empty())
        ],
    )?;
    Ok(())
}

/// Loads a request the caller may act on: a device only its own; staff any they may see (not
/// one tied to an agenda item hidden from them, whose item a transition would change). REST
/// and sync push both come through here.
fn load_for_caller(tx: &Transaction, caller: &Caller, id: &str) -> ApiResult<Request> {
    let r = load_request(tx, id)?.ok_or_else(not_found)?;
    match caller {
        Caller::Staff(s) => {
            if staff_sees_request(tx, s, &r)? {
                Ok(r)
            } else {
                Err(not_found())
            }
        }
        Caller::Device(d) => {
            // Another device's request is "not found", so ids reveal nothing.
            if request_owner(tx, id)?.flatten().as_deref() == Some(d.as_str()) {
                Ok(r)
            } else {
                Err(not_found())
            }
        }
        Caller::Anonymous => Err(ApiError::unauthorized()),
    }
}

/// The request as `caller` may see it.
pub fn view(tx: &Transaction, caller: &Caller, r: Request) -> ApiResult<Request> {
    match visible_record(tx, caller, Record::Request(Box::new(r)))? {
        Some(Record::Request(r)) => Ok(*r),
        _ => Err(not_found()),
    }
}

fn resolve_representative(tx: &Transaction, given: &str) -> ApiResult<String> {
    let given = given.trim();
    Ok(match load_representative(tx, given)? {
        Some(rep) => format!("{} ({})", rep.name, rep.position),
        None => given.to_string(),
    })
}

fn agenda_input_for(r: &Request, leader_id: &str, attendance: Attendance) -> AgendaItemInput {
    AgendaItemInput {
        id: None,
        base_version: None,
        leader_id: leader_id.to_string(),
        title: r.title.clone(),
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        location: r.location.clone(),
        category: match r.kind {
            RequestKind::Undangan => "Undangan",
            RequestKind::Audiensi => "Audiensi",
            RequestKind::Seremonial => "Seremonial",
            RequestKind::Lainnya => "Lainnya",
        }
        .to_string(),
        // Audiences are usually not announced; invitations and ceremonies are public events.
        visibility: if r.kind == RequestKind::Audiensi {
            Visibility::Internal
        } else {
            Visibility::Public
        },
        status: AgendaStatus::Confirmed,
        attendance,
        representative: r.representative.clone(),
        dress_code: r.dress_code.clone(),
        assigned_staff: Vec::new(),
        running_order: String::new(),
        internal_notes: format!(
            "Dari permohonan {} — {} ({}, {}). Peran pimpinan: {}.",
            r.tracking_code, r.organizer, r.requester_name, r.requester_phone, r.leader_role
        ),
    }
}

/// Applies a transition for `caller`, with its side effects on the agenda, in one transaction.
pub fn transition(
    tx: &Transaction,
    ctx: &Ctx,
    caller: &Caller,
    request_id: &str,
    input: &TransitionInput,
    base_version: Option<i64>,
) -> ApiResult<TransitionOutcome> {
    let mut r = load_for_caller(tx, caller, request_id)?;
    if base_version.is_some_and(|v| v != r.version) {
        let current = view(tx, caller, r)?;
        return Err(ApiError::version_conflict(Record::Request(Box::new(
            current,
        ))));
    }
    let actor = match caller {
        Caller::Staff(s) => Actor::Staff(s.role),
        _ => Actor::Requester,
    };
    let next = check_transition(actor, RequestFacts::of(&r), input)?;
    // An ajudan, sespri or leader acts only for their own leader.
    if let Caller::Staff(s) = caller
        && !acts_on(s.role, s.leader_id.as_deref(), &r)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Msg::new(
                "Permohonan ini ditujukan kepada pimpinan lain.",
                "This request is for another leader.",
            ),
        ));
    }
    let from = r.state;
    // What only the server can check: the leader exists, the proposed time is ahead.
    match input.action {
        Action::ForwardToLeader => {
            let leader = input
                .leader_id
                .clone()
                .filter(|l| !l.trim().is_empty())
                .or(r.leader_id.clone())
                .unwrap_or_default();
            if load_leader(tx, leader.trim())?.is_none() {
                return Err(ApiError::field("leader_id", unknown_leader()));
            }
        }
        Action::ProposeTime if input.proposed_starts_at.is_some_and(|s| s <= Utc::now()) => {
            return Err(ApiError::field(
                "proposed_starts_at",
                Msg::new(
                    "Usulan waktu harus di masa mendatang.",
                    "The proposed time must be in the future.",
                ),
            ));
        }
        _ => {}
    }
    let mut input = input.clone();
    if input.action == Action::Represent {
        // A representative's id becomes "Name (Position)".
        let given = input.representative.as_deref().unwrap_or("");
        input.representative = Some(resolve_representative(tx, given)?);
    }
    let event_reason = apply_transition(&mut r, &input);
    let agenda_change = match input.action {
        Action::Approve => Some(Attendance::InPerson),
        Action::Represent => Some(Attendance::Represented),
        _ => None,
    };

    let mut agenda_item = None;
    let mut conflicts = Vec::new();
    if let Some(attendance) = agenda_change {
        let leader = r
            .assigned_leader_id
            .clone()
            .or(r.leader_id.clone())
            .ok_or_else(|| {
                ApiError::field(
                    "leader_id",
                    Msg::new(
                        "Permohonan belum diteruskan ke pimpinan.",
                        "No leader assigned.",
                    ),
                )
            })?;
        let item_input = agenda_input_for(&r, &leader, attendance);
        let agenda_action = if r.agenda_item_id.is_some() {
            "agenda.update"
        } else {
            "agenda.create"
        };
        let id = agenda::upsert_for_request(tx, r.agenda_item_id.as_deref(), &r.id, &item_input)?;
        // The agenda changed too: the audit log says so under the item, not only the request.
        audit(
            tx,
            &caller.audit_name(),
            agenda_action,
            "agenda_item",
            &id,
            &format!("by request {}", r.id),
        )?;
        r.agenda_item_id = Some(id.clone());
        let item = load_agenda_item(tx, &id)?.ok_or_else(|| ApiError::internal("agenda lost"))?;
        // Re-checked here, inside the write transaction, against the agenda as it now is.
        let viewer = match caller {
            Caller::Staff(s) => Some(s),
            _ => None,
        };
        conflicts = conflicts_for(tx, ctx, viewer, &Slot::from(&item), Some(&r.id))?;
        agenda_item = Some(item);
    } else if let Some(item_id) = r.agenda_item_id.clone()
        && let Some(item) = load_agenda_item(tx, &item_id)?
    {
        let new_status = match next {
            RequestState::Cancelled | RequestState::Declined => {
                let why = r
                    .state_reason
                    .clone()
                    .unwrap_or_else(|| next.label_in_indonesian().to_string());
                agenda::set_status(
                    tx,
                    caller.staff(),
                    &item,
                    AgendaStatus::Cancelled,
                    Some(&why),
                )?;
                Some(AgendaStatus::Cancelled)
            }
            RequestState::Done => {
                agenda::set_status(tx, caller.staff(), &item, AgendaStatus::Done, None)?;
                Some(AgendaStatus::Done)
            }
            _ => None,
        };
        if let Some(status) = new_status.filter(|s| *s != item.status) {
            audit(
                tx,
                &caller.audit_name(),
                "agenda.status",
                "agenda_item",
                &item_id,
                &format!(
                    "{} -> {} by request {}",
                    item.status.as_str(),
                    status.as_str(),
                    r.id
                ),
            )?;
        }
        agenda_item = load_agenda_item(tx, &item_id)?;
    }

    let now = Utc::now().timestamp();
    tx.execute(
        "UPDATE requests SET state = ?2, state_reason = ?3, assigned_leader_id = ?4,
             representative = ?5, proposed_starts_at = ?6, proposed_ends_at = ?7,
             supplied_info = ?8, agenda_item_id = ?9, starts_at = ?10, ends_at = ?11,
             updated_at = ?12, version = version + 1
         WHERE id = ?1",
        params![
            r.id,
            r.state.as_str(),
            r.state_reason,
            r.assigned_leader_id,
            r.representative,
            r.proposed_starts_at.map(|t| t.timestamp()),
            r.proposed_ends_at.map(|t| t.timestamp()),
            r.supplied_info,
            r.agenda_item_id,
            r.starts_at.timestamp(),
            r.ends_at.timestamp(),
            now
        ],
    )?;
    record_event(tx, &r.id, Some(from), next, caller, event_reason.as_deref())?;
    crate::domain::notify::request_transition(tx, caller, &r.id, input.action, from, next)?;
    log_change(tx, "request", &r.id)?;
    audit(
        tx,
        &caller.audit_name(),
        &format!("request.{}", input.action.as_str()),
        "request",
        &r.id,
        &format!("{} -> {}", from.as_str(), next.as_str()),
    )?;
    let request = view(tx, caller, load_request(tx, &r.id)?.ok_or_else(not_found)?)?;
    let agenda_item = match agenda_item {
        Some(item) => match visible_record(tx, caller, Record::AgendaItem(Box::new(item)))? {
            Some(Record::AgendaItem(i)) => Some(*i),
            _ => None,
        },
        None => None,
    };
    if !matches!(caller, Caller::Staff(_)) {
        conflicts.clear();
    }
    Ok(TransitionOutcome {
        request,
        agenda_item,
        conflicts,
    })
}

/// Adds a disposition or note. Adding an id again returns the existing note.
pub fn add_note(
    tx: &Transaction,
    staff: &Staff,
    request_id: &str,
    input: &NoteInput,
) -> ApiResult<Note> {
    load_for_caller(tx, &Caller::Staff(staff.clone()), request_id)?;
    let id = client_id(input.id.as_deref()).map_err(ApiError::validation)?;
    if let Some(existing) = load_note(tx, &id)? {
        return if existing.request_id == request_id {
            Ok(existing)
        } else {
            Err(id_taken())
        };
    }
    validate_note(input).map_err(ApiError::validation)?;
    tx.execute(
        "INSERT INTO notes (id, request_id, author_id, author_name, author_role, instruction,
             text, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            id,
            request_id,
            staff.id,
            staff.display_name,
            staff.role.as_str(),
            input.instruction.trim(),
            input.text.trim(),
            Utc::now().timestamp()
        ],
    )?;
    log_change(tx, "note", &id)?;
    audit(
        tx,
        &staff.audit_name(),
        "note.add",
        "request",
        request_id,
        &id,
    )?;
    let note = load_note(tx, &id)?.ok_or_else(|| ApiError::internal("note lost"))?;
    crate::domain::notify::note_added(tx, staff, &note)?;
    Ok(note)
}

/// Stores an attachment of a device's own request.
pub fn add_attachment(
    tx: &Transaction,
    ctx: &Ctx,
    device: &str,
    request_id: &str,
    client_id: Option<&str>,
    filename: &str,
    data: &[u8],
) -> ApiResult<AttachmentMeta> {
    let caller = Caller::Device(device.to_string());
    let r = load_for_caller(tx, &caller, request_id)?;
    // A retried upload (its answer was lost) returns the stored file instead of a second copy.
    if let Some(id) = client_id {
        sepiion_core::validation::client_id(Some(id)).map_err(ApiError::validation)?;
        if let Some(existing) = r.attachments.iter().find(|a| a.id == id) {
            return Ok(existing.clone());
        }
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM attachments WHERE id = ?1)",
            params![id],
            |row| row.get(0),
        )?;
        if taken {
            return Err(id_taken());
        }
    }
    if r.state.is_final() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "invalid_transition",
            Msg::new(
                "Permohonan ini sudah selesai diproses; lampiran tidak dapat ditambahkan.",
                "This request is closed; attachments cannot be added.",
            ),
        ));
    }
    if r.attachments.len() as u32 >= ctx.limits.max_attachments_per_request {
        return Err(ApiError::field(
            "file",
            Msg::new(
                format!(
                    "Paling banyak {} lampiran per permohonan.",
                    ctx.limits.max_attachments_per_request
                ),
                format!(
                    "At most {} attachments per request.",
                    ctx.limits.max_attachments_per_request
                ),
            ),
        ));
    }
    let content_type = sepiion_core::api::attachment_type(data).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            Msg::new(
                "Lampiran harus berupa PDF, JPEG atau PNG.",
                "Attachments must be PDF, JPEG or PNG.",
            ),
        )
    })?;
    let filename = sepiion_core::api::attachment_name(filename);
    let id = client_id.map_or_else(new_id, str::to_string);
    tx.execute(
        "INSERT INTO attachments (id, request_id, filename, content_type, size, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            id,
            request_id,
            filename,
            content_type,
            data.len() as i64,
            data,
            Utc::now().timestamp()
        ],
    )?;
    tx.execute(
        "UPDATE requests SET version = version + 1, updated_at = ?2 WHERE id = ?1",
        params![request_id, Utc::now().timestamp()],
    )?;
    log_change(tx, "request", request_id)?;
    audit(
        tx,
        &caller.audit_name(),
        "request.attach",
        "request",
        request_id,
        &filename,
    )?;
    Ok(AttachmentMeta {
        id,
        filename,
        content_type: content_type.to_string(),
        size: data.len() as i64,
    })
}

/// The stored code of a requester's language.
pub fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Id => "id",
        Lang::En => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_readable_and_normalise() {
        let c = new_tracking_code();
        assert_eq!(c.len(), 14, "{c}");
        assert_eq!(c.matches('-').count(), 2, "{c}");
        assert!(!c.contains('0') && !c.contains('O') && !c.contains('I') && !c.contains('1'));
        assert_ne!(new_tracking_code(), c);
        assert_eq!(
            normalize_tracking_code(" k7qm 3xrd 9pta"),
            Some("K7QM-3XRD-9PTA".into())
        );
        // Codes handed out before (8 characters) keep working.
        assert_eq!(
            normalize_tracking_code(" k7qm 3xrd "),
            Some("K7QM-3XRD".into())
        );
        assert_eq!(normalize_tracking_code("K7QM-3XR"), None);
        assert_eq!(normalize_tracking_code("K7QM-3XRD-9PT"), None);
    }
}
