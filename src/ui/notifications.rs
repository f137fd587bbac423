//! Notifikasi: the notifications synced to this account or device, newest first, unread ones
//! marked; tapping one marks it read and opens its request or agenda item.

use dioxus::prelude::*;
use sepiion_core::notify::Link;
use sepiion_core::time;

use crate::platform::Variant;
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// Where a notification's link leads in this app.
pub fn route_for(variant: Variant, link: &Link) -> Route {
    match (variant, link) {
        (Variant::Public, Link::Request(id)) => Route::MyRequest(id.clone()),
        (Variant::Public, _) => Route::Schedule,
        (Variant::Internal, Link::Request(id)) => Route::Request(id.clone()),
        (Variant::Internal, Link::AgendaItem(id)) => Route::AgendaItem(id.clone()),
        (Variant::Internal, Link::AgendaDay(_)) => Route::Agenda,
    }
}

#[component]
pub fn Notifications() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    ui.watch_store();
    let list = services.store.notifications().unwrap_or_default();
    rsx! {
        if list.is_empty() {
            p { class: "muted", role: "status", "{t.no_notifications}" }
        }
        for entry in list {
            {
                let n = entry.notification.clone();
                let title = n.title.get(lang).to_string();
                let body = n.body.get(lang).to_string();
                let when = time::datetime(n.created_at, ui.tz, lang);
                let target = route_for(ui.variant, &n.link);
                let store = services.store.clone();
                let id = n.id.clone();
                let mut open = move || {
                    // The store's change feed refreshes the list and the badge; the read mark
                    // goes to the server with the next sync (woken now).
                    if store.mark_notification_read(&id).is_ok() {
                        ui.changed();
                    }
                    ui.go(target.clone());
                };
                let mut open_key = open.clone();
                rsx! {
                    article {
                        key: "{n.id}",
                        class: if entry.read { "card clickable notification" } else { "card clickable notification unread" },
                        tabindex: "0",
                        "aria-label": "{title}",
                        onclick: move |_| open(),
                        onkeydown: move |e: KeyboardEvent| if e.key() == Key::Enter { open_key() },
                        div { class: "row spread",
                            strong { "{title}" }
                            if !entry.read {
                                span { class: "badge", "{t.unread}" }
                            }
                        }
                        p { class: "small pre-line", "{body}" }
                        div { class: "small muted", "{when}" }
                    }
                }
            }
        }
    }
}
