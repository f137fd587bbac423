//! What a local change does to a record, as far as the device can tell before the server
//! answers. Screens show the server record with the pending changes re-applied on top
//! ([`apply_locally`] folded over the outbox), so an unsent change is visible at once and a newer
//! server record pulled in the meantime does not hide it.
//!
//! The prediction is only a preview: the server's answer replaces it. Each predicted change
//! bumps the version by one, as the server does, so a later change made on top of a pending one
//! carries the version the server will have after the first.

use chrono::{DateTime, Utc};
use sepiion_core::api::AgendaItemInput;
use sepiion_core::model::*;
use sepiion_core::sync::{MutationOp, Record};
use sepiion_core::workflow::Actor;

/// Who makes local changes on this device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalActor {
    pub actor: Actor,
    /// The staff member's name (notes, timeline); empty for a public device.
    pub name: String,
}

impl LocalActor {
    pub fn requester() -> Self {
        LocalActor {
            actor: Actor::Requester,
            name: String::new(),
        }
    }
}

/// The record after `op`, given the record before it (`None`: not known on this device).
pub fn apply_locally(
    before: Option<Record>,
    op: &MutationOp,
    actor: &LocalActor,
    at: DateTime<Utc>,
) -> Option<Record> {
    match (op, before) {
        // Creations: the server's copy, once there is one, is the truth.
        (
            MutationOp::SubmitRequest { .. }
            | MutationOp::AddNote { .. }
            | MutationOp::CreateAgendaItem { .. },
            Some(existing),
        ) => Some(existing),
        (MutationOp::SubmitRequest { request }, None) => {
            // Stored as the server will store it.
            let request = request.normalized();
            let r = Request {
                id: request.id.clone()?,
                tracking_code: String::new(),
                kind: request.kind,
                leader_id: request.leader_id.clone(),
                assigned_leader_id: None,
                title: request.title,
                description: request.description,
                starts_at: request.starts_at,
                ends_at: request.ends_at,
                location: request.location,
                organizer: request.organizer,
                requester_name: request.requester_name,
                requester_phone: request.requester_phone,
                requester_email: request.requester_email,
                expected_attendees: request.expected_attendees,
                leader_role: request.leader_role,
                dress_code: request.dress_code,
                letter_number: request.letter_number,
                state: RequestState::Submitted,
                state_reason: None,
                representative: None,
                proposed_starts_at: None,
                proposed_ends_at: None,
                supplied_info: None,
                agenda_item_id: None,
                attachments: Vec::new(),
                timeline: vec![TimelineEntry {
                    at,
                    from: None,
                    to: RequestState::Submitted,
                    actor: ActorKind::Requester,
                    actor_role: None,
                    actor_name: None,
                    reason: None,
                }],
                created_at: at,
                updated_at: at,
                version: 1,
            };
            Some(Record::Request(Box::new(r)))
        }
        (MutationOp::AddNote { request_id, note }, None) => {
            let role = match actor.actor {
                Actor::Staff(role) => role,
                Actor::Requester => return None,
            };
            Some(Record::Note(Note {
                id: note.id.clone()?,
                request_id: request_id.clone(),
                author_name: actor.name.clone(),
                author_role: role,
                instruction: note.instruction.trim().to_string(),
                text: note.text.trim().to_string(),
                created_at: at,
            }))
        }
        (MutationOp::CreateAgendaItem { item }, None) => {
            let mut a = agenda_from_input(item.id.clone()?, item, at);
            a.version = 1;
            Some(Record::AgendaItem(Box::new(a)))
        }
        (MutationOp::UpdateAgendaItem { item, .. }, Some(Record::AgendaItem(before))) => {
            let mut a = agenda_from_input(before.id.clone(), item, at);
            let moved = item.moves(&before);
            if let (Some(new), Some(old)) = (a.internal.as_mut(), before.internal.as_ref()) {
                new.source_request_id = old.source_request_id.clone();
            }
            a.ical_sequence = before.ical_sequence + i64::from(moved);
            a.version = before.version + 1;
            Some(Record::AgendaItem(Box::new(a)))
        }
        (MutationOp::CancelAgendaItem { .. }, Some(Record::AgendaItem(mut a))) => {
            if a.status != AgendaStatus::Cancelled {
                a.status = AgendaStatus::Cancelled;
                a.ical_sequence += 1;
            }
            a.version += 1;
            a.updated_at = at;
            Some(Record::AgendaItem(a))
        }
        (MutationOp::Transition { input, .. }, Some(Record::Request(mut r))) => {
            let action = input.action;
            // A change the server will refuse anyway (the request moved on) is not previewed.
            if !action.permitted(actor.actor, r.state) {
                return Some(Record::Request(r));
            }
            let from = r.state;
            // The same field changes the server makes (the server may still name the
            // representative more fully: its answer replaces this preview).
            let reason = sepiion_core::workflow::apply_transition(&mut r, input);
            let (actor_kind, role) = match actor.actor {
                Actor::Staff(role) => (ActorKind::Staff, Some(role)),
                Actor::Requester => (ActorKind::Requester, None),
            };
            r.timeline.push(TimelineEntry {
                at,
                from: Some(from),
                to: r.state,
                actor: actor_kind,
                actor_role: role,
                actor_name: (!actor.name.is_empty()).then(|| actor.name.clone()),
                reason,
            });
            r.updated_at = at;
            r.version += 1;
            // A requester's device shows what the server will send it: the public view.
            if actor.actor == Actor::Requester {
                r = Box::new(r.public_view());
            }
            Some(Record::Request(r))
        }
        // Read here: shown read at once; the server keeps the first time it was read anywhere.
        (MutationOp::MarkNotificationRead { .. }, Some(Record::Notification(mut n))) => {
            if n.read_at.is_none() {
                n.read_at = Some(at);
                n.version += 1;
            }
            Some(Record::Notification(n))
        }
        // An edit of a record this device does not have (or of the wrong kind) previews
        // nothing; the server will answer it.
        (_, before) => before,
    }
}

/// The item as the server will store it (the input [normalized](AgendaItemInput::normalized)).
fn agenda_from_input(id: String, item: &AgendaItemInput, at: DateTime<Utc>) -> AgendaItem {
    let item = item.normalized();
    AgendaItem {
        id,
        leader_id: item.leader_id,
        title: item.title,
        starts_at: item.starts_at,
        ends_at: item.ends_at,
        location: item.location,
        category: item.category,
        visibility: item.visibility,
        status: item.status,
        attendance: item.attendance,
        representative: item.representative,
        dress_code: item.dress_code,
        internal: Some(AgendaInternal {
            assigned_staff: item.assigned_staff,
            running_order: item.running_order,
            internal_notes: item.internal_notes,
            source_request_id: None,
        }),
        ical_sequence: 0,
        updated_at: at,
        version: 0,
    }
}
