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
use crate::store::Store;
use crate::ui::components::{ActionStatus, AgendaCard, ConfirmStep};
use crate::ui::public::schedule::{AgendaControls, Span, span_dates};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// The element id of "Batalkan agenda", which opens its confirmation (and gets focus back from it).
pub const CANCEL_ITEM: &str = "cancel-item";

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

/// Whether an item still needs its clashes pointed out: not cancelled, not done, and not on a
/// day already past (a finished item drawn as a red clash box only alarms; today's items all
/// count, so the day's plan reads the same all day).
fn still_ahead(item: &AgendaItem, tz: Tz) -> bool {
    !matches!(item.status, AgendaStatus::Cancelled | AgendaStatus::Done)
        && local_date(item.ends_at, tz) >= local_date(Utc::now(), tz)
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
    let today = local_date(Utc::now(), ui.tz);
    let items: Vec<AgendaItem> = entries.iter().map(|e| e.item.clone()).collect();
    let live: Vec<Slot> = items
        .iter()
        .filter(|i| !matches!(i.status, AgendaStatus::Cancelled | AgendaStatus::Done))
        .map(Slot::from)
        .collect();
    let buffer = services.store.travel_buffer().unwrap_or_else(|_| {
        Duration::minutes(sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES)
    });
    let mut days: Vec<(chrono::NaiveDate, Vec<_>)> = Vec::new();
    for e in entries {
        let conflicts = if still_ahead(&e.item, ui.tz) {
            find_conflicts(&Slot::from(&e.item), &live, buffer)
        } else {
            Vec::new()
        };
        let d = local_date(e.item.starts_at, ui.tz);
        match days.last_mut() {
            Some((day, list)) if *day == d => list.push((e, conflicts)),
            _ => days.push((d, vec![(e, conflicts)])),
        }
    }
    let can_edit = current_user(&services.store).is_some_and(|u| u.role.may_edit_agenda());
    // A week opens at today: the days already past are folded away (still one tap to open).
    let (past, days): (Vec<_>, Vec<_>) = days
        .into_iter()
        .partition(|(d, _)| span() == Span::Week && *d < today);
    let past_count: usize = past.iter().map(|(_, l)| l.len()).sum();
    rsx! {
        AgendaControls { span, day, leader }
        super::share::ShareAgenda { day: day(), leader: leader() }
        if can_edit {
            button { class: "primary block", onclick: move |_| ui.go(Route::AgendaEdit(None)), "+ {t.new_item}" }
        }
        if days.is_empty() && past.is_empty() {
            p { class: "muted", role: "status", "{t.no_items}" }
        }
        if past_count > 0 {
            details { class: "past-days",
                summary { {t.past_days.replace("{n}", &past_count.to_string())} }
                for (d, list) in past {
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
        for (d, list) in days {
            section { key: "{d}", class: if d == today { "today" } else { "" },
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
    // The cancel step is open (it asks once, naming what will happen).
    let mut confirming = use_signal(|| false);
    let mut cancelled = use_signal(|| false);
    ui.watch_store();
    let store = services.store.clone();
    let Some(entry) = store.agenda_item(&id).ok().flatten() else {
        return rsx! { p { class: "muted", "{t.no_items}" } };
    };
    let item = entry.item.clone();
    let conflicts = if still_ahead(&item, ui.tz) {
        local_conflicts(&store, ui.tz, &Slot::from(&item))
    } else {
        Vec::new()
    };
    let internal = item.internal.clone().unwrap_or_default();
    // The server's rule: an ajudan or sespri writes only their own leader's items, and only
    // admin and the leader's own people write confidential ones.
    let can_edit =
        current_user(&store).is_some_and(|u| sepiion_core::agenda::may_write_item(&u, &item));
    let edit_id = item.id.clone();
    let cancel_id = item.id.clone();
    let lang = (ui.lang)();
    let question = t
        .cancel_item_confirm
        .replace("{title}", &item.title)
        .replace(
            "{when}",
            &time::when(item.starts_at, item.ends_at, ui.tz, lang),
        );
    let has_details = !internal.assigned_staff.is_empty()
        || !internal.running_order.is_empty()
        || !internal.internal_notes.is_empty()
        || internal.source_request_id.is_some();
    let mut cancel = move || {
        // A second tap before the screen redrew: the first one already cancelled.
        if !confirming() {
            return;
        }
        match store.cancel_agenda_item(&cancel_id, &reason()) {
            Ok(_) => {
                message.set(None);
                reason.set(String::new());
                confirming.set(false);
                cancelled.set(true);
                ui.changed();
            }
            Err(e) => message.set(Some(e.text(lang))),
        }
    };
    rsx! {
        // The card names its clashes itself (once), and its date with its hours.
        AgendaCard { item: item.clone(), pending: entry.pending, conflicts, standalone: true }
        ActionStatus { id: "item-cancelled", message: cancelled().then(|| t.item_cancelled.to_string()) }
        if has_details {
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
        }
        }
        if can_edit && item.status != AgendaStatus::Cancelled {
            section { class: "card stack",
                button { class: "primary block", onclick: move |_| ui.go(Route::AgendaEdit(Some(edit_id.clone()))), "{t.edit_item}" }
                if confirming() {
                    ConfirmStep {
                        id: "confirm-cancel-item",
                        question,
                        confirm_label: t.confirm_cancel_item,
                        return_to: CANCEL_ITEM,
                        onconfirm: move |_| cancel(),
                        oncancel: move |_| { confirming.set(false); message.set(None); },
                        div { class: "field",
                            label { r#for: "cancel-item-reason", "{t.cancel_reason}" }
                            input { id: "cancel-item-reason", value: "{reason}", oninput: move |e| reason.set(e.value()) }
                        }
                        if let Some(m) = message() {
                            div { class: "error", role: "alert", "{m}" }
                        }
                    }
                } else {
                    button { class: "danger block", id: "{CANCEL_ITEM}",
                        onclick: move |_| confirming.set(true),
                        "{t.cancel_item}"
                    }
                }
            }
        }
    }
}
