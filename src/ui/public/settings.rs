//! Pengaturan: language, the server address (with the configured default), about.

use crate::ui::components::LanguageSelect;
use crate::ui::{DEFAULT_SERVER_URL, Services, Ui, prefs};
use dioxus::prelude::*;

#[component]
pub fn Settings() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let store = services.store.clone();
    let mut server = use_signal(|| {
        store
            .pref(prefs::SERVER_URL)
            .ok()
            .flatten()
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_string())
    });
    let mut saved = use_signal(|| false);
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
                    oninput: move |e| { server.set(e.value()); saved.set(false); } }
                div { class: "hint", id: "server-hint", "{t.server_default}: {DEFAULT_SERVER_URL}" }
            }
            div { class: "row",
                button { class: "primary", disabled: !valid,
                    onclick: move |_| {
                        let value = server();
                        let stored = (value != DEFAULT_SERVER_URL).then_some(value.as_str());
                        if store.set_pref(prefs::SERVER_URL, stored).is_ok() {
                            saved.set(true);
                        }
                    },
                    "{t.save}"
                }
                button { class: "secondary", onclick: move |_| server.set(DEFAULT_SERVER_URL.to_string()), "{t.server_default}" }
            }
            if saved() {
                p { class: "small", role: "status", "{t.server_saved}" }
            }
        }
        section { class: "card",
            h2 { "{t.about}" }
            p { class: "small", "{t.about_body}" }
            p { class: "small muted", "v{env!(\"CARGO_PKG_VERSION\")}" }
        }
    }
}
