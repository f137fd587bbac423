//! The staff member's notification settings: phone, e-mail and the outbound channels, and the
//! secret ntfy topic as a link to subscribe to in the ntfy app. Loaded and saved through the
//! sync engine; the last answer is kept on the device so the card shows without network.

use dioxus::prelude::*;
use sepiion_core::api::NotificationSettingsInput;
use sepiion_core::notify::Channel;

use crate::ui::components::Field;
use crate::ui::{Services, Ui, on_tokio};

#[component]
pub fn NotificationSettingsCard() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let cached = services.store.notification_settings().ok().flatten();
    let mut settings = use_signal(|| cached.clone());
    let mut phone = use_signal(|| {
        cached
            .as_ref()
            .and_then(|s| s.phone.clone())
            .unwrap_or_default()
    });
    let mut email = use_signal(|| {
        cached
            .as_ref()
            .and_then(|s| s.email.clone())
            .unwrap_or_default()
    });
    let mut channels = use_signal(|| {
        cached
            .as_ref()
            .map(|s| s.channels.clone())
            .unwrap_or_default()
    });
    let mut message = use_signal(|| None::<String>);
    let load_engine = services.engine.clone();
    let save_engine = services.engine.clone();
    let load = move |_| {
        let Some(engine) = load_engine.clone() else {
            message.set(Some(t.needs_network.to_string()));
            return;
        };
        spawn(async move {
            match on_tokio(async move { engine.notification_settings().await }).await {
                Some(Ok(s)) => {
                    phone.set(s.phone.clone().unwrap_or_default());
                    email.set(s.email.clone().unwrap_or_default());
                    channels.set(s.channels.clone());
                    settings.set(Some(s));
                    message.set(None);
                }
                _ => message.set(Some(t.needs_network.to_string())),
            }
        });
    };
    let save = move |_| {
        let Some(engine) = save_engine.clone() else {
            message.set(Some(t.needs_network.to_string()));
            return;
        };
        let input = NotificationSettingsInput {
            phone: Some(phone()).filter(|p| !p.trim().is_empty()),
            email: Some(email()).filter(|m| !m.trim().is_empty()),
            channels: channels(),
        };
        spawn(async move {
            match on_tokio(async move { engine.save_notification_settings(&input).await }).await {
                Some(Ok(s)) => {
                    settings.set(Some(s));
                    message.set(Some(t.settings_saved.to_string()));
                }
                Some(Err(e)) => message.set(Some(e.to_string())),
                None => message.set(Some(t.needs_network.to_string())),
            }
        });
    };
    let available = settings
        .read()
        .as_ref()
        .map(|s| s.available.clone())
        .unwrap_or_default();
    let ntfy_url = settings.read().as_ref().and_then(|s| s.ntfy_url.clone());
    rsx! {
        section { class: "card stack", id: "notification-settings",
            h2 { "{t.notification_settings}" }
            Field { id: "notify-phone", label: t.field_phone, value: phone(), kind: "tel",
                oninput: move |v| phone.set(v) }
            Field { id: "notify-email", label: t.field_email, value: email(), kind: "email",
                oninput: move |v| email.set(v) }
            fieldset {
                legend { "{t.notification_channels}" }
                for c in Channel::OUTBOUND.into_iter().filter(|c| available.contains(c)) {
                    label { key: "{c.as_str()}",
                        input { r#type: "checkbox", checked: channels().contains(&c),
                            onchange: move |_| {
                                let mut now = channels();
                                if now.contains(&c) { now.retain(|x| *x != c) } else { now.push(c) }
                                channels.set(now);
                            }
                        }
                        " {c.as_str()}"
                    }
                }
            }
            if let Some(url) = ntfy_url {
                p { class: "small", "{t.ntfy_subscribe_hint} "
                    a { class: "ntfy-link", href: "{url}", target: "_blank", rel: "noopener", "{url}" }
                }
            }
            if let Some(m) = message() {
                p { class: "small", role: "status", "{m}" }
            }
            div { class: "row",
                button { class: "secondary", onclick: load, "{t.load_settings}" }
                button { class: "primary", onclick: save, "{t.save}" }
            }
        }
    }
}
