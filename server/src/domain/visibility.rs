//! Who sees what: the one place that decides it. Every endpoint, sync pull, feed, sheet, report
//! and notification asks here ([`visible_record`], [`staff_sees_item`], [`staff_sees_request`]).

use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::model::*;
use sepiion_core::sync::Record;

use crate::domain::caller::{Caller, Staff};
use crate::storage::notifications::notification_owner;
use crate::storage::rows::{load_agenda_item, request_owner};

/// Whether a staff member may see an agenda item: confidential items only for admin and for the
/// leader's own ajudan, sespri and the leader.
pub fn staff_sees_item(staff: &Staff, item: &AgendaItem) -> bool {
    match item.visibility {
        Visibility::Public | Visibility::Internal => true,
        Visibility::Confidential => {
            staff.role == Role::Admin
                || (staff.role.is_bound_to_leader()
                    && staff.leader_id.as_deref() == Some(item.leader_id.as_str()))
        }
    }
}

/// Whether a staff member may see a request: not when it is tied to an agenda item they may not
/// see (the request behind a confidential item is as confidential as the item).
pub fn staff_sees_request(tx: &Transaction, staff: &Staff, r: &Request) -> rusqlite::Result<bool> {
    staff_sees_request_id(tx, staff, r.agenda_item_id.as_deref())
}

fn staff_sees_request_id(
    tx: &Transaction,
    staff: &Staff,
    agenda_item_id: Option<&str>,
) -> rusqlite::Result<bool> {
    let Some(item_id) = agenda_item_id else {
        return Ok(true);
    };
    Ok(load_agenda_item(tx, item_id)?.is_none_or(|item| staff_sees_item(staff, &item)))
}

/// What `caller` may see of `record`: the record as filtered for them, or `None`.
pub fn visible_record(
    tx: &Transaction,
    caller: &Caller,
    record: Record,
) -> rusqlite::Result<Option<Record>> {
    Ok(match (caller, record) {
        // Each caller sees only their own notifications.
        (_, Record::Notification(n)) => {
            notification_is_for(tx, caller, &n.id)?.then_some(Record::Notification(n))
        }
        (Caller::Staff(s), Record::AgendaItem(item)) => {
            staff_sees_item(s, &item).then_some(Record::AgendaItem(item))
        }
        (Caller::Staff(s), Record::Request(r)) => {
            staff_sees_request(tx, s, &r)?.then_some(Record::Request(r))
        }
        (Caller::Staff(s), Record::Note(n)) => {
            let item: Option<Option<String>> = tx
                .prepare_cached("SELECT agenda_item_id FROM requests WHERE id = ?1")?
                .query_row(params![n.request_id], |r| r.get(0))
                .optional()?;
            staff_sees_request_id(tx, s, item.flatten().as_deref())?.then_some(Record::Note(n))
        }
        (Caller::Staff(_), r) => Some(r),
        (_, r @ (Record::Leader(_) | Record::Representative(_))) => Some(r),
        (_, Record::AgendaItem(item)) => (item.visibility == Visibility::Public)
            .then(|| Record::AgendaItem(Box::new(item.public_view()))),
        (Caller::Device(d), Record::Request(r)) => {
            let owner = request_owner(tx, &r.id)?.flatten();
            (owner.as_deref() == Some(d.as_str()))
                .then(|| Record::Request(Box::new(r.public_view())))
        }
        (_, Record::Request(_) | Record::Note(_)) => None,
    })
}

/// Whether notification `id` is addressed to `caller` (each caller sees only their own).
pub fn notification_is_for(tx: &Transaction, caller: &Caller, id: &str) -> rusqlite::Result<bool> {
    Ok(match (caller, notification_owner(tx, id)?) {
        (Caller::Staff(s), Some((Some(u), _))) => u == s.id,
        (Caller::Device(d), Some((_, Some(dev)))) => &dev == d,
        _ => false,
    })
}
