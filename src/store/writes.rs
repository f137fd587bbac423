//! Local changes made by screens. Each goes into the cache and the outbox in one transaction, so
//! the screen shows it at once (marked as not yet sent) and the sync engine sends it later.
//! Input is checked with the same rules the server applies, so a mistake is reported while the
//! user is still on the form; nothing is written then.

use chrono::Utc;
use rusqlite::Transaction;
use sepiion_core::api::{AgendaItemInput, NewRequest, NoteInput};
use sepiion_core::model::{AgendaItem, Note, Request, Role};
use sepiion_core::sync::{EntityKind, MutationOp, Record};
use sepiion_core::validation::{validate_agenda_item, validate_new_request, validate_note};
use sepiion_core::workflow::{Actor, RequestFacts, TransitionInput, check_transition};

use super::attachments::attach_draft_to;
use super::cache::shown_record;
use super::outbox::enqueue;
use super::overlay::LocalActor;
use super::{Store, StoreError, StoreResult, local_actor};

fn new_id(id: &Option<String>) -> String {
    id.clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
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

fn agenda_editor(tx: &Transaction) -> StoreResult<LocalActor> {
    let (actor, role) = staff_actor(tx)?;
    if !role.may_edit_agenda() {
        return Err(StoreError::NotAllowed);
    }
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
        let id = new_id(&new.id);
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
        let id = new_id(&note.id);
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
    pub fn create_agenda_item(&self, mut item: AgendaItemInput) -> StoreResult<AgendaItem> {
        validate_agenda_item(&item).map_err(StoreError::Invalid)?;
        let id = new_id(&item.id);
        item.id = Some(id.clone());
        item.base_version = None;
        self.write(|tx| {
            let actor = agenda_editor(tx)?;
            if let Some(Record::AgendaItem(a)) = already_created(tx, EntityKind::AgendaItem, &id)? {
                return Ok(*a);
            }
            enqueue(tx, &actor, MutationOp::CreateAgendaItem { item }, None)?;
            shown_agenda_item(tx, &id)
        })
    }

    /// Staff: replaces an agenda item's fields. The edit is based on the item as shown now; if the
    /// server's item has changed meanwhile, the push comes back as a conflict.
    pub fn update_agenda_item(
        &self,
        id: &str,
        mut item: AgendaItemInput,
    ) -> StoreResult<AgendaItem> {
        validate_agenda_item(&item).map_err(StoreError::Invalid)?;
        self.write(|tx| {
            let actor = agenda_editor(tx)?;
            let current = shown_agenda_item(tx, id)?;
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
        if reason.trim().is_empty() {
            let mut e = sepiion_core::validation::FieldErrors::default();
            e.add(
                "reason",
                sepiion_core::validation::Msg::new(
                    "Alasan pembatalan wajib diisi.",
                    "A reason for cancelling is required.",
                ),
            );
            return Err(StoreError::Invalid(e));
        }
        self.write(|tx| {
            let actor = agenda_editor(tx)?;
            let current = shown_agenda_item(tx, id)?;
            if current.status == sepiion_core::model::AgendaStatus::Cancelled {
                let mut e = sepiion_core::validation::FieldErrors::default();
                e.add(
                    "reason",
                    sepiion_core::validation::Msg::new(
                        "Agenda ini sudah dibatalkan.",
                        "This item is already cancelled.",
                    ),
                );
                return Err(StoreError::Invalid(e));
            }
            let op = MutationOp::CancelAgendaItem {
                id: id.to_string(),
                reason: reason.trim().to_string(),
            };
            enqueue(tx, &actor, op, Some(current.version))?;
            shown_agenda_item(tx, id)
        })
    }
}
