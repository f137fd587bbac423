//! Permohonan terkirim: the screen after the request form is sent, like the portal's
//! `/ajukan/terkirim` page. The tracking code stands big at the top (it comes from the server
//! with the next sync; offline the screen says the request waits), with "Salin kode", WhatsApp
//! share and "Lihat status". Back from here goes to a fresh, empty form.

use dioxus::prelude::*;

use super::my_requests::{server_address, whatsapp_link};
use crate::ui::components::PendingChip;
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// What "Salin kode" did.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Copy {
    NotYet,
    Copied,
    Failed,
}

#[component]
pub fn Sent(id: String) -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let mut copied = use_signal(|| Copy::NotYet);
    // The code arrives with a sync: read the request again whenever the store changes.
    ui.watch_store();
    let request = services
        .store
        .request_detail(&id)
        .ok()
        .flatten()
        .map(|d| d.request.request);
    let title = request
        .as_ref()
        .map(|r| r.title.clone())
        .unwrap_or_default();
    let code = request.map(|r| r.tracking_code).filter(|c| !c.is_empty());
    let heading = if code.is_some() {
        t.words.request_sent
    } else {
        t.words.request_saved_offline
    };
    let status_id = id.clone();
    rsx! {
        section { class: "card sent",
            h2 {
                id: "sent-heading",
                tabindex: "-1",
                // Focus starts here: the screen replaced the form the user was at the bottom of.
                onmounted: move |e: MountedEvent| async move {
                    let _ = e.set_focus(true).await;
                },
                "{heading}"
            }
            match code.clone() {
                Some(c) => rsx! {
                    p { class: "muted small", id: "code-label", "{t.your_code}" }
                    TrackingCode { code: c.clone() }
                    div { class: "row",
                        button { class: "secondary", r#type: "button",
                            onclick: move |_| {
                                let c = c.clone();
                                async move {
                                    copied.set(if copy_to_clipboard(&c).await { Copy::Copied } else { Copy::Failed });
                                }
                            },
                            "{t.words.copy_code}"
                        }
                        a { class: "button secondary", href: "{whatsapp_link(t, &server_address(), code.as_deref().unwrap_or_default(), &title)}",
                            target: "_blank", rel: "noopener noreferrer",
                            "{t.words.share_whatsapp}" }
                    }
                    p { class: "small", role: "status", "aria-live": "polite",
                        match copied() {
                            Copy::Copied => t.words.code_copied,
                            Copy::Failed => t.copy_failed,
                            Copy::NotYet => "",
                        }
                    }
                    p { class: "small", "{t.submitted_body}" }
                },
                None => rsx! {
                    p { PendingChip {} }
                    p { class: "small", "{t.sent_waiting_body}" }
                },
            }
            div { class: "row",
                button { class: "primary", r#type: "button",
                    onclick: move |_| {
                        ui.reset(Route::MyRequests);
                        ui.go(Route::MyRequest(status_id.clone()));
                    },
                    "{t.see_status}"
                }
                button { class: "secondary", r#type: "button", onclick: move |_| ui.back(), "{t.new_request}" }
            }
        }
    }
}

/// The code in its groups, each kept whole: a line breaks only after a dash ("K7QM-" /
/// "3XRD-9PTA"), never inside a group.
#[component]
pub fn TrackingCode(code: String) -> Element {
    let groups: Vec<String> = code.split('-').map(str::to_string).collect();
    let last = groups.len().saturating_sub(1);
    rsx! {
        p { class: "code tracking-code", id: "tracking-code",
            for (i, g) in groups.into_iter().enumerate() {
                span { key: "{i}", style: "white-space: nowrap",
                    "{g}"
                    if i < last { "-" }
                }
                if i < last { wbr {} }
            }
        }
    }
}

/// Writes `text` to the clipboard through the web view; false when it refused (no clipboard
/// API, no permission, or an insecure page).
pub async fn copy_to_clipboard(text: &str) -> bool {
    let js = format!(
        "try {{ await navigator.clipboard.writeText({text:?}); return true; }} catch (e) {{ return false; }}"
    );
    matches!(document::eval(&js).await, Ok(serde_json::Value::Bool(true)))
}
