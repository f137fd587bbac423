//! Lacak: look a request up by its tracking code (needs the network).

use dioxus::prelude::*;
use sepiion_core::api::TrackedRequest;
use sepiion_core::time;

use crate::sync::SyncError;
use crate::ui::components::{StateChip, Timeline};
use crate::ui::{Services, Ui, on_tokio};

#[derive(Debug, Clone, PartialEq)]
enum Lookup {
    Idle,
    Busy,
    Found(Box<TrackedRequest>),
    Message(String),
}

#[component]
pub fn Track() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut code = use_signal(String::new);
    let mut state = use_signal(|| Lookup::Idle);
    let lookup = move |e: FormEvent| {
        e.prevent_default();
        let Some(engine) = services.engine.clone() else {
            state.set(Lookup::Message(t.track_offline.to_string()));
            return;
        };
        let wanted = code();
        state.set(Lookup::Busy);
        spawn(async move {
            let answer = on_tokio(async move { engine.client().track(&wanted).await }).await;
            state.set(match answer {
                Some(Ok(found)) => Lookup::Found(Box::new(found)),
                Some(Err(SyncError::Server { status: 404, .. })) => {
                    Lookup::Message(t.track_not_found.to_string())
                }
                Some(Err(SyncError::Server { body: Some(b), .. })) => Lookup::Message(b.message),
                _ => Lookup::Message(t.track_offline.to_string()),
            });
        });
    };
    rsx! {
        p { class: "muted", "{t.words.track_intro}" }
        form { onsubmit: lookup, class: "stack",
            div { class: "field",
                label { r#for: "track-code", "{t.words.tracking_code}" }
                input { id: "track-code", value: "{code}", autocomplete: "off", placeholder: "K7QM-3XRD-9PTA",
                    oninput: move |e| code.set(e.value()) }
            }
            button { class: "primary block", r#type: "submit", disabled: state() == Lookup::Busy, "{t.words.track_button}" }
        }
        match state() {
            Lookup::Found(r) => rsx! {
                section { class: "card",
                    StateChip { state: r.state }
                    h2 { "{r.title}" }
                    p { class: "small", "{time::when(r.starts_at, r.ends_at, ui.tz, lang)}" }
                    p { class: "small muted", "{r.location} · {r.organizer}" }
                    if let Some(why) = &r.state_reason {
                        div { class: "notice warn", "{why}" }
                    }
                    Timeline { entries: r.timeline.clone() }
                }
            },
            Lookup::Message(m) => rsx! { div { class: "notice warn", role: "alert", "{m}" } },
            _ => rsx! {},
        }
    }
}
