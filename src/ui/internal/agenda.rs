//! Agenda: day and week views per leader from the local cache, conflicts highlighted; one
//! item's details with edit and cancel.

use chrono::{Duration, Utc};
use chrono_tz::Tz;
use dioxus::prelude::*;
use sepiion_core::conflict::{Conflict, Slot, find_conflicts};
use sepiion_core::model::{AgendaItem, AgendaStatus};
use sepiion_core::time;
use sepiion_core::time::local_date;

use super::current_user;
use crate::store::{Store, StoreError};
use crate::ui::components::{AgendaCard, ConflictList, PendingChip};
use crate::ui::public::schedule::{AgendaControls, Span, span_dates};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// Clashes of `candidate` with its leader's cached agenda (the day before to the day after),
/// with the server's travel buffer as last synced. The server checks again when the change is
/// synced.
pub fn local_conflicts(store: &Store, tz: Tz, candidate: &Slot) -> Vec<Conflict> {
    let from = local_date(candidate.starts_at, tz) - Duration::days(1);
    let to = local_date(candidate.ends_at, tz) + Duration::days(1);
    let others: Vec<Slot> = store
        .agenda(Some(&candidate.leader_id), from, to, tz)
        .unwrap_or_default()
        .iter()
        .filter(|e| e.item.status != AgendaStatus::Cancelled)
        .map(|e| Slot::from(&e.item))
        .collect();
    let buffer = store.travel_buffer().unwrap_or_else(|_| {
        Duration::minutes(sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES)
    });
    find_conflicts(candidate, &others, buffer)
}

#[component]
pub fn Agenda() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let span = use_signal(|| Span::Day);
    let day = use_signal(|| local_date(Utc::now(), ui.tz));
    let leader = use_signal(|| None::<String>);
    ui.watch_store();
    let (from, to) = span_dates(span(), day());
    let entries = services
        .store
        .agenda(leader().as_deref(), from, to, ui.tz)
        .unwrap_or_default();
    let items: Vec<AgendaItem> = entries.iter().map(|e| e.item.clone()).collect();
    let live: Vec<Slot> = items
        .iter()
        .filter(|i| i.status != AgendaStatus::Cancelled)
        .map(Slot::from)
        .collect();
    let buffer = services.store.travel_buffer().unwrap_or_else(|_| {
        Duration::minutes(sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES)
    });
    let mut days: Vec<(chrono::NaiveDate, Vec<_>)> = Vec::new();
    for e in entries {
        let conflicts = if e.item.status == AgendaStatus::Cancelled {
            Vec::new()
        } else {
            find_conflicts(&Slot::from(&e.item), &live, buffer)
        };
        let d = local_date(e.item.starts_at, ui.tz);
        match days.last_mut() {
            Some((day, list)) if *day == d => list.push((e, conflicts)),
            _ => days.push((d, vec![(e, conflicts)])),
        }
    }
    let can_edit = current_user(&services.store).is_some_and(|u| u.role.may_edit_agenda());
    rsx! {
        AgendaControls { span, day, leader }
        super::share::ShareAgenda { day: day(), leader: leader() }
        if can_edit {
            button { class: "primary block", onclick: move |_| ui.go(Route::AgendaEdit(None)), "+ {t.new_item}" }
        }
        if days.is_empty() {
            p { class: "muted", role: "status", "{t.no_items}" }
        }
        for (d, list) in days {
            section { key: "{d}",
                h2 { class: "day-heading", "{time::date(d, lang)}" }
                for (e, conflicts) in list {
                    AgendaCard { key: "{e.item.id}", item: e.item.clone(), pending: e.pending, conflicts,
                        onselect: move |id| ui.go(Route::AgendaItem(id)) }
                }
            }
        }
    }
}

#[component]
pub fn AgendaItemView(id: String) -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let mut reason = use_signal(String::new);
    let mut message = use_signal(|| None::<String>);
    ui.watch_store();
    let store = services.store.clone();
    let Some(entry) = store.agenda_item(&id).ok().flatten() else {
        return rsx! { p { class: "muted", "{t.no_items}" } };
    };
    let item = entry.item.clone();
    let conflicts = if item.status == AgendaStatus::Cancelled {
        Vec::new()
    } else {
        local_conflicts(&store, ui.tz, &Slot::from(&item))
    };
    let internal = item.internal.clone().unwrap_or_default();
    // The server's rule: an ajudan or sespri writes only their own leader's items, and only
    // admin and the leader's own people write confidential ones.
    let can_edit =
        current_user(&store).is_some_and(|u| sepiion_core::agenda::may_write_item(&u, &item));
    let edit_id = item.id.clone();
    let cancel_id = item.id.clone();
    rsx! {
        AgendaCard { item: item.clone(), pending: entry.pending, conflicts: conflicts.clone(), standalone: true }
        section { class: "card small",
            if !internal.assigned_staff.is_empty() {
                h2 { "{t.assigned_staff}" }
                ul {
                    for s in internal.assigned_staff.iter() {
                        li { "{s.name} — {s.duty}" }
                    }
                }
            }
            if !internal.running_order.is_empty() {
                h2 { "{t.running_order}" }
                pre { style: "white-space: pre-wrap; font-family: inherit", "{internal.running_order}" }
            }
            if !internal.internal_notes.is_empty() {
                h2 { "{t.internal_notes}" }
                pre { style: "white-space: pre-wrap; font-family: inherit", "{internal.internal_notes}" }
            }
            if let Some(req) = &internal.source_request_id {
                button { class: "secondary", onclick: {
                    let req = req.clone();
                    move |_| ui.go(Route::Request(req.clone()))
                }, "{t.detail_title}" }
            }
            if entry.pending { PendingChip {} }
        }
        if can_edit && item.status != AgendaStatus::Cancelled {
            section { class: "card stack",
                button { class: "primary block", onclick: move |_| ui.go(Route::AgendaEdit(Some(edit_id.clone()))), "{t.edit_item}" }
                div { class: "field",
                    label { r#for: "cancel-item-reason", "{t.cancel_reason}" }
                    input { id: "cancel-item-reason", value: "{reason}", oninput: move |e| reason.set(e.value()) }
                }
                button { class: "danger block",
                    onclick: move |_| match store.cancel_agenda_item(&cancel_id, &reason()) {
                        Ok(_) => { message.set(None); reason.set(String::new()); ui.changed(); }
                        Err(StoreError::Invalid(f)) => message.set(Some(
                            f.0.values().map(|m| m.get((ui.lang)()).to_string()).collect::<Vec<_>>().join(" "))),
                        Err(e) => message.set(Some(e.to_string())),
                    },
                    "{t.cancel_item}"
                }
                if let Some(m) = message() {
                    div { class: "notice error", role: "alert", "{m}" }
                }
            }
        }
        if !conflicts.is_empty() {
            section { class: "card conflict", ConflictList { conflicts } }
        }
    }
}
