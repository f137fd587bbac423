//! Agenda writes (create, edit, cancel) and conflict checks against a leader's agenda. REST
//! handlers and sync pushes both call these, inside the caller's transaction.

use chrono::{Duration, Utc};
use rusqlite::{Transaction, params};
use sepiion_core::agenda as rules;
use sepiion_core::api::{AgendaItemInput, AgendaWrite};
use sepiion_core::conflict::{Conflict, Slot, find_conflicts};
use sepiion_core::model::{AgendaItem, AgendaStatus, Visibility};
use sepiion_core::sync::Record;
use sepiion_core::validation::{Msg, client_id, new_id, unknown_leader, validate_agenda_item};

use crate::domain::caller::Staff;
use crate::domain::context::Ctx;
use crate::domain::visibility::staff_sees_item;
use crate::error::{ApiError, ApiResult};
use crate::storage::audit::audit;
use crate::storage::changes::log_change;
use crate::storage::rows::{load_agenda_item, load_agenda_range, load_leader, ts};

/// Conflicts of a slot with the leader's agenda and with requests holding a slot (in review or
/// awaiting the leader). Items the viewer may not see are named only as "confidential".
pub fn conflicts_for(
    tx: &Transaction,
    ctx: &Ctx,
    viewer: Option<&Staff>,
    candidate: &Slot,
    skip_request: Option<&str>,
) -> ApiResult<Vec<Conflict>> {
    let margin = Duration::days(1);
    let items = load_agenda_range(
        tx,
        Some(&candidate.leader_id),
        candidate.starts_at - margin,
        candidate.ends_at + margin,
    )?;
    let mut hidden = Vec::new();
    let mut others: Vec<Slot> = items
        .iter()
        .filter(|i| i.status != AgendaStatus::Cancelled)
        .map(|i| {
            if viewer.is_some_and(|v| !staff_sees_item(v, i)) {
                hidden.push(i.id.clone());
            }
            Slot::from(i)
        })
        .collect();
    let mut st = tx.prepare_cached(
        "SELECT id, title, starts_at, ends_at, location FROM requests
         WHERE state IN ('in_review', 'awaiting_leader') AND agenda_item_id IS NULL
           AND COALESCE(assigned_leader_id, leader_id) = ?1
           AND starts_at < ?3 AND ends_at > ?2 AND id IS NOT ?4",
    )?;
    let held = st.query_map(
        params![
            candidate.leader_id,
            (candidate.starts_at - margin).timestamp(),
            (candidate.ends_at + margin).timestamp(),
            skip_request
        ],
        |r| {
            Ok(Slot {
                id: format!("request:{}", r.get::<_, String>(0)?),
                leader_id: candidate.leader_id.clone(),
                title: format!("Permohonan: {}", r.get::<_, String>(1)?),
                starts_at: ts(r.get(2)?),
                ends_at: ts(r.get(3)?),
                location: r.get(4)?,
            })
        },
    )?;
    for slot in held {
        others.push(slot?);
    }
    let mut found = find_conflicts(candidate, &others, ctx.travel_buffer);
    // A clash with an item the viewer may not see names neither its title, place nor id.
    for (n, c) in found.iter_mut().enumerate() {
        if hidden.contains(&c.other_id) {
            c.other_id = format!("confidential-{n}");
            c.other_title = "Kegiatan lain (rahasia)".into();
            c.other_location = "-".into();
        }
    }
    Ok(found)
}

/// Checks that `staff` may write an item for `leader_id` with `visibility` (the rule in core,
/// which the staff app applies too).
fn check_may_write(staff: &Staff, leader_id: &str, visibility: Visibility) -> ApiResult<()> {
    rules::may_write(
        staff.role,
        staff.leader_id.as_deref(),
        leader_id,
        visibility,
    )
    .map_err(|refused| match refused.field_errors() {
        Some(fields) => ApiError::validation(fields),
        None => ApiError::forbidden(),
    })
}

fn check_input(tx: &Transaction, input: &AgendaItemInput) -> ApiResult<()> {
    validate_agenda_item(input).map_err(ApiError::validation)?;
    if load_leader(tx, &input.leader_id)?.is_none() {
        return Err(ApiError::field("leader_id", unknown_leader()));
    }
    Ok(())
}

/// Writes all columns of an agenda item; `input` is [normalized](AgendaItemInput::normalized).
#[allow(clippy::too_many_arguments)]
fn store_item(
    tx: &Transaction,
    id: &str,
    input: &AgendaItemInput,
    source_request_id: Option<&str>,
    ical_sequence: i64,
    version: i64,
    created_at: i64,
    now: i64,
) -> ApiResult<()> {
    tx.execute(
        "INSERT INTO agenda_items (id, leader_id, title, starts_at, ends_at, location, category,
             visibility, status, attendance, representative, dress_code, assigned_staff,
             running_order, internal_notes, source_request_id, ical_sequence, created_at,
             updated_at, version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                 ?18, ?19, ?20)
         ON CONFLICT (id) DO UPDATE SET leader_id = excluded.leader_id, title = excluded.title,
             starts_at = excluded.starts_at, ends_at = excluded.ends_at,
             location = excluded.location, category = excluded.category,
             visibility = excluded.visibility, status = excluded.status,
             attendance = excluded.attendance, representative = excluded.representative,
             dress_code = excluded.dress_code, assigned_staff = excluded.assigned_staff,
             running_order = excluded.running_order, internal_notes = excluded.internal_notes,
             ical_sequence = excluded.ical_sequence, updated_at = excluded.updated_at,
             version = excluded.version",
        params![
            id,
            input.leader_id,
            input.title,
            input.starts_at.timestamp(),
            input.ends_at.timestamp(),
            input.location,
            input.category,
            input.visibility.as_str(),
            input.status.as_str(),
            input.attendance.as_str(),
            input.representative,
            input.dress_code,
            serde_json::to_string(&input.assigned_staff)?,
            input.running_order,
            input.internal_notes,
            source_request_id,
            ical_sequence,
            created_at,
            now,
            version
        ],
    )?;
    log_change(tx, "agenda_item", id)?;
    Ok(())
}

fn written(tx: &Transaction, ctx: &Ctx, staff: &Staff, id: &str) -> ApiResult<AgendaWrite> {
    let item = load_agenda_item(tx, id)?.ok_or_else(|| ApiError::internal("item vanished"))?;
    let conflicts = if item.status == AgendaStatus::Cancelled {
        Vec::new()
    } else {
        let skip = item
            .internal
            .as_ref()
            .and_then(|i| i.source_request_id.clone());
        conflicts_for(tx, ctx, Some(staff), &Slot::from(&item), skip.as_deref())?
    };
    Ok(AgendaWrite { item, conflicts })
}

/// Creates an agenda item entered by staff.
pub fn create(
    tx: &Transaction,
    ctx: &Ctx,
    staff: &Staff,
    input: &AgendaItemInput,
) -> ApiResult<AgendaWrite> {
    let input = &input.normalized();
    check_may_write(staff, &input.leader_id, input.visibility)?;
    check_input(tx, input)?;
    let id = client_id(input.id.as_deref()).map_err(ApiError::validation)?;
    if load_agenda_item(tx, &id)?.is_some() {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "id_taken",
            Msg::new("Id agenda sudah dipakai.", "This agenda id is taken."),
        ));
    }
    let now = Utc::now().timestamp();
    store_item(tx, &id, input, None, 0, 1, now, now)?;
    audit(
        tx,
        &staff.audit_name(),
        "agenda.create",
        "agenda_item",
        &id,
        &input.title,
    )?;
    written(tx, ctx, staff, &id)
}

/// Loads an item for a write by `staff`: 404 if missing or invisible to them, conflict if
/// `base_version` is stale.
fn load_for_write(
    tx: &Transaction,
    staff: &Staff,
    id: &str,
    base_version: Option<i64>,
) -> ApiResult<AgendaItem> {
    let item = load_agenda_item(tx, id)?
        .filter(|i| staff_sees_item(staff, i))
        .ok_or_else(|| ApiError::not_found("Agenda", "Agenda item"))?;
    check_may_write(staff, &item.leader_id, item.visibility)?;
    if base_version.is_some_and(|v| v != item.version) {
        return Err(ApiError::version_conflict(Record::AgendaItem(Box::new(
            item,
        ))));
    }
    Ok(item)
}

/// Replaces an item's fields.
pub fn update(
    tx: &Transaction,
    ctx: &Ctx,
    staff: &Staff,
    id: &str,
    input: &AgendaItemInput,
    base_version: Option<i64>,
) -> ApiResult<AgendaWrite> {
    let input = &input.normalized();
    let current = load_for_write(tx, staff, id, base_version.or(input.base_version))?;
    check_may_write(staff, &input.leader_id, input.visibility)?;
    check_input(tx, input)?;
    let moved = input.moves(&current);
    let internal = current.internal.clone().unwrap_or_default();
    let now = Utc::now().timestamp();
    store_item(
        tx,
        id,
        input,
        internal.source_request_id.as_deref(),
        current.ical_sequence + i64::from(moved),
        current.version + 1,
        0,
        now,
    )?;
    crate::domain::notify::agenda_item_written(tx, Some(staff), &current, None)?;
    audit(
        tx,
        &staff.audit_name(),
        "agenda.update",
        "agenda_item",
        id,
        &input.title,
    )?;
    written(tx, ctx, staff, id)
}

/// Cancels an item, keeping the reason in its internal notes.
pub fn cancel(
    tx: &Transaction,
    ctx: &Ctx,
    staff: &Staff,
    id: &str,
    reason: &str,
    base_version: Option<i64>,
) -> ApiResult<AgendaWrite> {
    let reason = rules::cancel_reason(reason).map_err(ApiError::validation)?;
    let current = load_for_write(tx, staff, id, base_version)?;
    // Cancelling twice would be a change that changes nothing: refused, so that every applied
    // change moves the item's version.
    if current.status == AgendaStatus::Cancelled {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "already_cancelled",
            rules::already_cancelled(),
        ));
    }
    set_status(
        tx,
        Some(staff),
        &current,
        AgendaStatus::Cancelled,
        Some(reason),
    )?;
    audit(
        tx,
        &staff.audit_name(),
        "agenda.cancel",
        "agenda_item",
        id,
        reason,
    )?;
    written(tx, ctx, staff, id)
}

/// Sets an item's status (and appends a note), bumping version and iCalendar sequence. `staff`
/// is who did it (named in the notice, and not told of their own action); `note` is the reason.
pub fn set_status(
    tx: &Transaction,
    staff: Option<&Staff>,
    item: &AgendaItem,
    status: AgendaStatus,
    note: Option<&str>,
) -> ApiResult<()> {
    if item.status == status {
        return Ok(());
    }
    let stamp = match (status, note) {
        (AgendaStatus::Cancelled, Some(n)) => format!("[Dibatalkan] {}", n.trim()),
        _ => String::new(),
    };
    tx.execute(
        "UPDATE agenda_items SET status = ?2, version = version + 1,
             ical_sequence = ical_sequence + 1, updated_at = ?3,
             internal_notes = CASE WHEN ?4 = '' THEN internal_notes
                                   WHEN internal_notes = '' THEN ?4
                                   ELSE internal_notes || char(10) || ?4 END
         WHERE id = ?1",
        params![item.id, status.as_str(), Utc::now().timestamp(), stamp],
    )?;
    crate::domain::notify::agenda_item_written(tx, staff, item, note)?;
    log_change(tx, "agenda_item", &item.id)?;
    Ok(())
}

/// Creates or updates the agenda item of an approved request.
pub fn upsert_for_request(
    tx: &Transaction,
    existing: Option<&str>,
    request_id: &str,
    input: &AgendaItemInput,
) -> ApiResult<String> {
    let input = &input.normalized();
    let now = Utc::now().timestamp();
    match existing
        .map(|id| load_agenda_item(tx, id))
        .transpose()?
        .flatten()
    {
        Some(current) => {
            store_item(
                tx,
                &current.id,
                input,
                Some(request_id),
                current.ical_sequence + 1,
                current.version + 1,
                0,
                now,
            )?;
            Ok(current.id)
        }
        None => {
            let id = new_id();
            store_item(tx, &id, input, Some(request_id), 0, 1, now, now)?;
            Ok(id)
        }
    }
}
