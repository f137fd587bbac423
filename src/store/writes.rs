//! Local changes made by screens. Each goes into the cache and the outbox in one transaction, so
//! the screen shows it at once (marked as not yet sent) and the sync engine sends it later.
//! Input is checked with the same rules the server applies, so a mistake is reported while the
//! user is still on the form; nothing is written then.

use chrono::Utc;
use rusqlite::Transaction;
use sepiion_core::agenda;
use sepiion_core::api::{AgendaItemInput, NewRequest, NoteInput};
use sepiion_core::model::{AgendaItem, AgendaStatus, Note, Request, Role, Visibility};
use sepiion_core::sync::{EntityKind, MutationOp, Record};
use sepiion_core::validation::{
    FieldErrors, client_id, validate_agenda_item, validate_new_request, validate_note,
};
use sepiion_core::workflow::{Actor, RequestFacts, TransitionInput, check_transition};

use super::attachments::attach_draft_to;
use super::cache::shown_record;
use super::outbox::enqueue;
use super::overlay::LocalActor;
use super::{Identity, Store, StoreError, StoreResult, identity, local_actor};

/// The id a form gave (blank is none) or a new one; a given id that is not a UUID is refused, as
/// the server would.
fn new_id(id: &Option<String>) -> StoreResult<String> {
    client_id(id.as_deref().filter(|s| !s.trim().is_empty())).map_err(StoreError::Invalid)
}

/// The record a create with this client id already made on this device, if any: a second tap
/// (or a retry) with the same id answers with it instead of queueing a second create, so every
/// create is applied at most once.
fn already_created(tx: &Transaction, kind: EntityKind, id: &str) -> StoreResult<Option<Record>> {
    // Queued and not yet answered, or already in the cache from the server: shown either way.
    shown_record(tx, kind, id)
}

fn staff_actor(tx: &Transaction) -> StoreResult<(LocalActor, Role)> {
    let actor = local_actor(tx)?;
    match actor.actor {
        Actor::Staff(role) => Ok((actor, role)),
        Actor::Requester => Err(StoreError::NotSignedIn),
    }
}

/// The signed-in staff member, when they may write an item on `leader_id`'s agenda with
/// `visibility` (the rule the server enforces, from core).
fn agenda_editor(
    tx: &Transaction,
    leader_id: &str,
    visibility: Visibility,
) -> StoreResult<LocalActor> {
    let actor = local_actor(tx)?;
    let Identity::Staff { user, .. } = identity(tx)? else {
        return Err(StoreError::NotSignedIn);
    };
    agenda::may_write(user.role, user.leader_id.as_deref(), leader_id, visibility).map_err(
        |refused| match refused.field_errors() {
            Some(fields) => StoreError::Invalid(fields),
            None => StoreError::NotAllowed,
        },
    )?;
    Ok(actor)
}

fn shown_request(tx: &Transaction, id: &str) -> StoreResult<Request> {
    match shown_record(tx, EntityKind::Request, id)? {
        Some(Record::Request(r)) => Ok(*r),
        _ => Err(StoreError::NotFound),
    }
}

fn shown_agenda_item(tx: &Transaction, id: &str) -> StoreResult<AgendaItem> {
    match shown_record(tx, EntityKind::AgendaItem, id)? {
        Some(Record::AgendaItem(a)) => Ok(*a),
        _ => Err(StoreError::NotFound),
    }
}

impl Store {
    /// Public app: submits a request (offline too), with the files attached to the form's draft,
    /// in one transaction. Returns it as shown until the server answers.
    pub fn submit_request(&self, mut new: NewRequest) -> StoreResult<Request> {
        validate_new_request(&new, Utc::now()).map_err(StoreError::Invalid)?;
        let id = new_id(&new.id)?;
        new.id = Some(id.clone());
        self.write(|tx| {
            if let Some(Record::Request(r)) = already_created(tx, EntityKind::Request, &id)? {
                return Ok(*r);
            }
            let actor = local_actor(tx)?;
            enqueue(tx, &actor, MutationOp::SubmitRequest { request: new }, None)?;
            attach_draft_to(tx, &id)?;
            shown_request(tx, &id)
        })
    }

    /// A step in a request's workflow, checked against the state machine for this user and the
    /// request as this device sees it.
    pub fn transition(&self, request_id: &str, input: TransitionInput) -> StoreResult<Request> {
        self.write(|tx| {
            let actor = local_actor(tx)?;
            let r = shown_request(tx, request_id)?;
            check_transition(actor.actor, RequestFacts::of(&r), &input)
                .map_err(StoreError::Transition)?;
            let op = MutationOp::Transition {
                request_id: request_id.to_string(),
                input,
            };
            enqueue(tx, &actor, op, Some(r.version))?;
            shown_request(tx, request_id)
        })
    }

    /// Staff: adds a disposition or note to a request.
    pub fn add_note(&self, request_id: &str, mut note: NoteInput) -> StoreResult<Note> {
        validate_note(&note).map_err(StoreError::Invalid)?;
        let id = new_id(&note.id)?;
        note.id = Some(id.clone());
        self.write(|tx| {
            let (actor, _) = staff_actor(tx)?;
            shown_request(tx, request_id)?;
            if let Some(Record::Note(n)) = already_created(tx, EntityKind::Note, &id)? {
                return Ok(n);
            }
            let op = MutationOp::AddNote {
                request_id: request_id.to_string(),
                note,
            };
            enqueue(tx, &actor, op, None)?;
            match shown_record(tx, EntityKind::Note, &id)? {
                Some(Record::Note(n)) => Ok(n),
                _ => Err(StoreError::NotFound),
            }
        })
    }

    /// Staff: enters a new agenda item.
    pub fn create_agenda_item(&self, item: AgendaItemInput) -> StoreResult<AgendaItem> {
        let mut item = item.normalized();
        validate_agenda_item(&item).map_err(StoreError::Invalid)?;
        let id = new_id(&item.id)?;
        item.id = Some(id.clone());
        item.base_version = None;
        self.write(|tx| {
            let actor = agenda_editor(tx, &item.leader_id, item.visibility)?;
            if let Some(Record::AgendaItem(a)) = already_created(tx, EntityKind::AgendaItem, &id)? {
                return Ok(*a);
            }
            enqueue(tx, &actor, MutationOp::CreateAgendaItem { item }, None)?;
            shown_agenda_item(tx, &id)
        })
    }

    /// Staff: replaces an agenda item's fields. The edit is based on the item as shown now; if the
    /// server's item has changed meanwhile, the push comes back as a conflict.
    pub fn update_agenda_item(&self, id: &str, item: AgendaItemInput) -> StoreResult<AgendaItem> {
        let mut item = item.normalized();
        validate_agenda_item(&item).map_err(StoreError::Invalid)?;
        self.write(|tx| {
            let current = shown_agenda_item(tx, id)?;
            // Both the item as it stands and as it will be must be this editor's to write.
            agenda_editor(tx, &current.leader_id, current.visibility)?;
            let actor = agenda_editor(tx, &item.leader_id, item.visibility)?;
            item.id = Some(id.to_string());
            item.base_version = Some(current.version);
            let op = MutationOp::UpdateAgendaItem {
                id: id.to_string(),
                item,
            };
            let mutation = enqueue(tx, &actor, op, Some(current.version))?;
            // What this edit changed is known against what the editor saw.
            tx.execute(
                "UPDATE outbox SET base_item = ?1 WHERE id = ?2",
                rusqlite::params![
                    serde_json::to_string(&AgendaItemInput::from_item(&current))?,
                    mutation
                ],
            )?;
            shown_agenda_item(tx, id)
        })
    }

    /// Staff: cancels an agenda item.
    pub fn cancel_agenda_item(&self, id: &str, reason: &str) -> StoreResult<AgendaItem> {
        let reason = agenda::cancel_reason(reason).map_err(StoreError::Invalid)?;
        self.write(|tx| {
            let current = shown_agenda_item(tx, id)?;
            let actor = agenda_editor(tx, &current.leader_id, current.visibility)?;
            if current.status == AgendaStatus::Cancelled {
                let mut e = FieldErrors::default();
                e.add("reason", agenda::already_cancelled());
                return Err(StoreError::Invalid(e));
            }
            let op = MutationOp::CancelAgendaItem {
                id: id.to_string(),
                reason: reason.to_string(),
            };
            enqueue(tx, &actor, op, Some(current.version))?;
            shown_agenda_item(tx, id)
        })
    }
}
