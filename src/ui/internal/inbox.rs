//! Kotak Masuk: requests by state with counts, filtered by leader and date; what needs this
//! role's action comes first. Shown a page at a time ([`PAGE`] more per "Tampilkan lebih
//! banyak"): a device may hold thousands of requests, and only the shown ones are read.

use chrono::NaiveDate;
use dioxus::prelude::*;
use sepiion_core::RequestState;
use sepiion_core::time;

use super::current_user;
use crate::store::InboxFilter;
use crate::ui::components::{Field, PendingChip, StateChip, UrgentChip};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// Requests shown at first, and added by each "Tampilkan lebih banyak".
pub const PAGE: usize = 50;

#[component]
pub fn Inbox() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut state = use_signal(|| None::<RequestState>);
    let mut leader = use_signal(|| None::<String>);
    let mut from = use_signal(String::new);
    let mut to = use_signal(String::new);
    let mut shown = use_signal(|| PAGE);
    ui.watch_store();
    let store = &services.store;
    if current_user(store).is_none() {
        return rsx! { p { class: "muted", "{t.login_title}" } };
    }
    let counts = store.inbox_counts().unwrap_or_default();
    let total: i64 = counts.values().sum();
    let filter = InboxFilter {
        state: state(),
        leader: leader(),
        from: NaiveDate::parse_from_str(&from(), "%Y-%m-%d").ok(),
        to: NaiveDate::parse_from_str(&to(), "%Y-%m-%d").ok(),
        tz: ui.tz,
    };
    let page = store.inbox_page(&filter, shown()).ok();
    let (entries, more, matching, mine) = match page {
        Some(p) => (p.entries, p.more, p.total, p.waiting),
        None => (Vec::new(), false, 0, 0),
    };
    let shown_now = entries.len();
    let leaders = ui.leaders.read().clone();
    rsx! {
        div { class: "counts", role: "group", "aria-label": "{t.all_states}",
            button { "aria-pressed": if state().is_none() { "true" } else { "false" },
                onclick: move |_| { state.set(None); shown.set(PAGE); }, "{t.all_states} ({total})" }
            for s in RequestState::ALL {
                button { key: "{s.as_str()}",
                    "aria-pressed": if state() == Some(s) { "true" } else { "false" },
                    onclick: move |_| { state.set(Some(s)); shown.set(PAGE); },
                    {format!("{} ({})", t.words.state(s), counts.get(&s).copied().unwrap_or(0))}
                }
            }
        }
        div { class: "field",
            label { r#for: "inbox-leader", "{t.choose_leader}" }
            select { id: "inbox-leader",
                onchange: move |e| { let v = e.value(); leader.set((!v.is_empty()).then_some(v)); shown.set(PAGE); },
                option { value: "", "{t.words.all_leaders}" }
                for l in leaders {
                    option { key: "{l.id}", value: "{l.id}", selected: leader().as_deref() == Some(l.id.as_str()), "{l.title}" }
                }
            }
        }
        div { class: "two",
            Field { id: "inbox-from", label: t.filter_from, value: from(), kind: "date",
                oninput: move |v| { from.set(v); shown.set(PAGE); } }
            Field { id: "inbox-to", label: t.filter_to, value: to(), kind: "date",
                oninput: move |v| { to.set(v); shown.set(PAGE); } }
        }
        if mine > 0 {
            h2 { class: "day-heading", "{t.needs_my_action} ({mine})" }
        }
        if entries.is_empty() {
            p { class: "muted", role: "status", "{t.inbox_empty}" }
        }
        for (entry, needs_me) in entries {
            {
                let r = entry.request.clone();
                let id = r.id.clone();
                let key_id = r.id.clone();
                let when = time::when(r.starts_at, r.ends_at, ui.tz, lang);
                let who = r.assigned_leader_id.as_ref().or(r.leader_id.as_ref())
                    .map(|l| ui.leader_title(l)).unwrap_or_else(|| t.words.either_leader.to_string());
                rsx! {
                    article { key: "{r.id}", class: "card clickable", tabindex: "0", "aria-label": "{r.title}",
                        onclick: move |_| ui.go(Route::Request(id.clone())),
                        onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { ui.go(Route::Request(key_id.clone())) },
                        div { class: "row spread",
                            StateChip { state: r.state }
                            UrgentChip { state: r.state, starts_at: r.starts_at }
                            if entry.pending { PendingChip {} }
                            if needs_me {
                                span { class: "chip", "{t.needs_my_action}" }
                            }
                        }
                        h2 { "{r.title}" }
                        div { class: "small", "{when}" }
                        div { class: "small muted", "{who} · {r.organizer}" }
                    }
                }
            }
        }
        if more {
            div { class: "row spread",
                p { class: "small muted", role: "status", {t.inbox_shown_of(shown_now, matching)} }
                button { class: "secondary", onclick: move |_| shown.set(shown() + PAGE), "{t.show_more}" }
            }
        }
    }
}
