//! Calendar subscriptions: the public feed's address (public app, Jadwal) and the staff
//! member's personal feed, shown once when made and renewable (staff app). Network calls go
//! through the sync engine.

use dioxus::prelude::*;
use sepiion_core::api::CalendarFeedInfo;
use sepiion_core::time;

use crate::ui::{DEFAULT_SERVER_URL, Services, Ui, on_tokio, prefs};

/// The server the app talks to: the engine's, else the configured one.
pub fn server_base(services: &Services) -> String {
    match &services.engine {
        Some(e) => e.client().base_url().to_string(),
        None => services
            .store
            .pref(prefs::SERVER_URL)
            .ok()
            .flatten()
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_string())
            .trim_end_matches('/')
            .to_string(),
    }
}

/// The public feed's address, to copy into a calendar app.
#[component]
pub fn PublicFeedLink() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let url = format!("{}/ics/public.ics", server_base(&services));
    // webcal:// opens the phone's calendar app directly where one is registered.
    let webcal = url
        .replacen("https://", "webcal://", 1)
        .replacen("http://", "webcal://", 1);
    rsx! {
        section { class: "card stack", id: "calendar-subscribe",
            h2 { "{t.subscribe_calendar}" }
            p { class: "small muted", "{t.subscribe_hint}" }
            a { class: "secondary block", href: "{webcal}", "{t.subscribe_calendar}" }
            div { class: "field",
                input { readonly: true, value: "{url}", "aria-label": "{t.subscribe_calendar}" }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum FeedState {
    Unknown,
    Busy,
    Known(CalendarFeedInfo),
    /// A new address, shown once.
    Made(String),
    Offline,
}

/// The staff member's personal feed: whether it exists, and a button that makes a new address.
#[component]
pub fn PersonalFeed() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut state = use_signal(|| FeedState::Unknown);
    let engine = services.engine.clone();
    let check_engine = engine.clone();
    let check = move |_| {
        let Some(engine) = check_engine.clone() else {
            state.set(FeedState::Offline);
            return;
        };
        state.set(FeedState::Busy);
        spawn(async move {
            let answer = on_tokio(async move { engine.calendar_feed().await }).await;
            state.set(match answer {
                Some(Ok(info)) => FeedState::Known(info),
                _ => FeedState::Offline,
            });
        });
    };
    let renew = move |_| {
        let Some(engine) = engine.clone() else {
            state.set(FeedState::Offline);
            return;
        };
        state.set(FeedState::Busy);
        spawn(async move {
            let answer = on_tokio(async move { engine.renew_calendar_feed().await }).await;
            state.set(match answer {
                Some(Ok(made)) => FeedState::Made(made.url),
                _ => FeedState::Offline,
            });
        });
    };
    rsx! {
        section { class: "card stack", id: "personal-calendar",
            h2 { "{t.my_calendar}" }
            p { class: "small muted", "{t.my_calendar_hint}" }
            match state() {
                FeedState::Known(info) => match info.created_at {
                    Some(at) => rsx! { p { class: "small", "{t.calendar_active} {time::datetime(at, ui.tz, lang)}" } },
                    None => rsx! { p { class: "small", "{t.calendar_none}" } },
                },
                FeedState::Made(url) => rsx! {
                    div { class: "notice", role: "status", "{t.calendar_shown_once}" }
                    div { class: "field",
                        input { readonly: true, value: "{url}", "aria-label": "{t.my_calendar}" }
                    }
                },
                FeedState::Offline => rsx! { div { class: "notice warn", role: "alert", "{t.needs_network}" } },
                _ => rsx! {},
            }
            div { class: "row",
                button { class: "secondary", disabled: state() == FeedState::Busy, onclick: check, "{t.check_calendar}" }
                button { class: "primary", disabled: state() == FeedState::Busy, onclick: renew, "{t.renew_calendar}" }
            }
        }
    }
}
