//! Kotak Masuk: requests by state with counts, filtered by leader and date; what needs this
//! role's action comes first.

use chrono::NaiveDate;
use dioxus::prelude::*;
use sepiion_core::RequestState;
use sepiion_core::time::local_date;

use super::{actions_for, current_user, needs_action};
use crate::ui::components::{Field, PendingChip, StateChip, UrgentChip};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui, fmt};

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
    ui.watch_store();
    let store = &services.store;
    let Some(user) = current_user(store) else {
        return rsx! { p { class: "muted", "{t.login_title}" } };
    };
    let counts = store.inbox_counts().unwrap_or_default();
    let total: i64 = counts.values().sum();
    let from_date = NaiveDate::parse_from_str(&from(), "%Y-%m-%d").ok();
    let to_date = NaiveDate::parse_from_str(&to(), "%Y-%m-%d").ok();
    let mut entries: Vec<_> = store
        .inbox(state(), leader().as_deref())
        .unwrap_or_default()
        .into_iter()
        .filter(|e| {
            let d = local_date(e.request.starts_at, ui.tz);
            from_date.is_none_or(|f| d >= f) && to_date.is_none_or(|t| d <= t)
        })
        .map(|e| {
            let mine = needs_action(&actions_for(&user, &e.request), &e.request);
            (e, mine)
        })
        .collect();
    entries.sort_by_key(|(_, mine)| !mine);
    let mine = entries.iter().filter(|(_, m)| *m).count();
    let leaders = ui.leaders.read().clone();
    rsx! {
        div { class: "counts", role: "group", "aria-label": "{t.all_states}",
            button { "aria-pressed": if state().is_none() { "true" } else { "false" },
                onclick: move |_| state.set(None), "{t.all_states} ({total})" }
            for s in RequestState::ALL {
                button { key: "{s.as_str()}",
                    "aria-pressed": if state() == Some(s) { "true" } else { "false" },
                    onclick: move |_| state.set(Some(s)),
                    {format!("{} ({})", t.state_label(s), counts.get(&s).copied().unwrap_or(0))}
                }
            }
        }
        div { class: "field",
            label { r#for: "inbox-leader", "{t.choose_leader}" }
            select { id: "inbox-leader",
                onchange: move |e| { let v = e.value(); leader.set((!v.is_empty()).then_some(v)); },
                option { value: "", "{t.all_leaders}" }
                for l in leaders {
                    option { key: "{l.id}", value: "{l.id}", selected: leader().as_deref() == Some(l.id.as_str()), "{l.title}" }
                }
            }
        }
        div { class: "two",
            Field { id: "inbox-from", label: t.filter_from, value: from(), kind: "date",
                oninput: move |v| from.set(v) }
            Field { id: "inbox-to", label: t.filter_to, value: to(), kind: "date",
                oninput: move |v| to.set(v) }
        }
        if mine > 0 {
            h2 { class: "day-heading", "{t.needs_my_action} ({mine})" }
        }
        if entries.is_empty() {
            p { class: "muted", role: "status", "{t.no_requests}" }
        }
        for (entry, needs_me) in entries {
            {
                let r = entry.request.clone();
                let id = r.id.clone();
                let key_id = r.id.clone();
                let when = fmt::when(r.starts_at, r.ends_at, ui.tz, lang);
                let who = r.assigned_leader_id.as_ref().or(r.leader_id.as_ref())
                    .map(|l| ui.leader_title(l)).unwrap_or_else(|| t.either_leader.to_string());
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
    }
}
