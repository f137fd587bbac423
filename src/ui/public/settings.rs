//! Pengaturan: language, the server address (the one the sync engine uses now, and the
//! configured default), about.

use crate::ui::components::LanguageSelect;
use crate::ui::{DEFAULT_SERVER_URL, Services, Ui, prefs};
use dioxus::prelude::*;

#[component]
pub fn Settings() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let store = services.store.clone();
    // The address the sync engine talks to now: the one to show, whatever set it (the saved
    // preference, the `SEPIION_SERVER_URL` variable at start, the liveview's `--server-url`).
    let in_use = services
        .engine
        .as_ref()
        .map(|e| e.client().base_url().to_string());
    let shown_in_use = in_use.clone();
    let mut server = use_signal(|| {
        shown_in_use
            .or_else(|| store.pref(prefs::SERVER_URL).ok().flatten())
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_string())
    });
    // After "Simpan": whether the saved address is the one in use (else it applies at the next
    // start, when the sync engine is made).
    let mut saved = use_signal(|| None::<bool>);
    // The same check the HTTP client makes (host parsed, no credentials, no cleartext to
    // another machine in release builds).
    let valid = crate::platform::server_url(&server()).is_ok();
    rsx! {
        section { class: "card",
            LanguageSelect {}
        }
        section { class: "card",
            div { class: if valid { "field" } else { "field invalid" },
                label { r#for: "server-url", "{t.server_address}" }
                input { id: "server-url", r#type: "url", value: "{server}",
                    "aria-describedby": "server-hint",
                    oninput: move |e| { server.set(e.value()); saved.set(None); } }
                div { class: "hint", id: "server-hint",
                    if let Some(url) = &in_use {
                        div { id: "server-in-use", "{t.server_in_use}: {url}" }
                    }
                    div { "{t.server_default}: {DEFAULT_SERVER_URL}" }
                }
            }
            div { class: "row",
                button { class: "primary", disabled: !valid,
                    onclick: move |_| {
                        let value = crate::platform::server_url(&server()).unwrap_or_else(|_| server());
                        let stored = (value != DEFAULT_SERVER_URL).then_some(value.as_str());
                        if store.set_pref(prefs::SERVER_URL, stored).is_ok() {
                            saved.set(Some(in_use.as_deref().is_none_or(|u| u == value)));
                        }
                    },
                    "{t.save}"
                }
                button { class: "secondary", onclick: move |_| server.set(DEFAULT_SERVER_URL.to_string()), "{t.server_default}" }
            }
            match saved() {
                Some(true) => rsx! { p { class: "small", role: "status", "{t.server_saved}" } },
                Some(false) => rsx! { p { class: "small", role: "status", "{t.server_after_restart}" } },
                None => rsx! {},
            }
        }
        section { class: "card",
            h2 { "{t.about}" }
            p { class: "small", "{t.about_body}" }
            p { class: "small muted", "v{env!(\"CARGO_PKG_VERSION\")}" }
        }
    }
}
