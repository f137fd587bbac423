//! The frame around the screens: top bar with back button, sync status, bottom tabs, and the
//! navigation stack (the Android back button pops it).

use dioxus::prelude::*;
use sepiion_core::time;

use super::{STYLESHEET, Ui, internal, notifications, public};
use crate::platform::Variant;

/// Where the user is. Tabs reset the stack; details push onto it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    // Public app
    Schedule,
    Submit,
    /// The "sent" screen after a submission (the request's id).
    Submitted(String),
    MyRequests,
    MyRequest(String),
    Track,
    Settings,
    // Internal app
    Login,
    Inbox,
    Request(String),
    Agenda,
    AgendaItem(String),
    AgendaEdit(Option<String>),
    Sync,
    Reports,
    // Both apps
    Notifications,
}

impl Route {
    /// A route from its name, e.g. `agenda` or `request:ID` (for `SEPIION_APP_ROUTE`).
    pub fn parse(s: &str) -> Option<Route> {
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n, Some(a.to_string())),
            None => (s, None),
        };
        Some(match (name, arg) {
            ("schedule", None) => Route::Schedule,
            ("submit", None) => Route::Submit,
            ("submitted", Some(id)) => Route::Submitted(id),
            ("my-requests", None) => Route::MyRequests,
            ("my-request", Some(id)) => Route::MyRequest(id),
            ("track", None) => Route::Track,
            ("settings", None) => Route::Settings,
            ("login", None) => Route::Login,
            ("inbox", None) => Route::Inbox,
            ("request", Some(id)) => Route::Request(id),
            ("agenda", None) => Route::Agenda,
            ("agenda-item", Some(id)) => Route::AgendaItem(id),
            ("agenda-new", None) => Route::AgendaEdit(None),
            ("sync", None) => Route::Sync,
            ("reports", None) => Route::Reports,
            ("notifications", None) => Route::Notifications,
            _ => return None,
        })
    }

    /// The tab a route belongs to.
    fn tab(&self) -> Route {
        match self {
            Route::MyRequest(_) => Route::MyRequests,
            Route::Submitted(_) => Route::Submit,
            Route::Request(_) => Route::Inbox,
            Route::AgendaItem(_) | Route::AgendaEdit(_) => Route::Agenda,
            r => r.clone(),
        }
    }
}

/// The whole app: frame plus the current screen.
#[component]
pub fn Frame() -> Element {
    let mut ui = use_context::<Ui>();
    let t = ui.texts();
    let route = ui.nav.read().last().cloned().unwrap_or(Route::Schedule);
    let depth = ui.nav.read().len();
    let title = match &route {
        Route::Schedule => t.words.schedule_title,
        Route::Submit => t.words.form_title,
        Route::Submitted(_) => t.words.form_title,
        Route::MyRequests => t.my_requests_title,
        Route::MyRequest(_) => t.my_requests_title,
        Route::Track => t.words.track_title,
        Route::Settings => t.settings_title,
        Route::Login => t.login_title,
        Route::Inbox => t.inbox_title,
        Route::Request(_) => t.detail_title,
        Route::Agenda | Route::AgendaItem(_) => t.agenda_title,
        Route::AgendaEdit(None) => t.new_item,
        Route::AgendaEdit(Some(_)) => t.edit_item,
        Route::Sync => t.sync_title,
        Route::Reports => t.reports_title,
        Route::Notifications => t.notifications_title,
    };
    let app_name = match ui.variant {
        Variant::Public => t.app_public,
        Variant::Internal => t.app_internal,
    };
    let tabs: Vec<(Route, &str)> = match ui.variant {
        Variant::Public => vec![
            (Route::Schedule, t.tab_schedule),
            (Route::Submit, t.tab_request),
            (Route::MyRequests, t.tab_my_requests),
            (Route::Track, t.tab_track),
            (Route::Notifications, t.tab_notifications),
            (Route::Settings, t.tab_settings),
        ],
        Variant::Internal if route == Route::Login => vec![],
        Variant::Internal => {
            let mut tabs = vec![
                (Route::Inbox, t.tab_inbox),
                (Route::Agenda, t.tab_agenda),
                (Route::Notifications, t.tab_notifications),
            ];
            // Reports only for the roles that may read them (the server checks the same rule).
            let store = consume_context::<super::Services>().store;
            if internal::current_user(&store)
                .is_some_and(|u| sepiion_core::report::may_read_reports(u.role))
            {
                tabs.push((Route::Reports, t.tab_reports));
            }
            tabs.push((Route::Sync, t.tab_sync));
            tabs
        }
    };
    let current_tab = route.tab();
    // The page's own `lang` follows the app's: screen readers pick their voice from it, and the
    // web views format date inputs by it where they can.
    let lang_code = (ui.lang)().as_str();
    use_effect(use_reactive!(|lang_code| {
        document::eval(&format!("document.documentElement.lang = {lang_code:?};"));
    }));
    let conflicts = ui.sync.read().conflicts;
    ui.watch_store();
    let unread = use_context::<crate::ui::Services>()
        .store
        .unread_notifications()
        .unwrap_or(0);
    rsx! {
        style { {STYLESHEET} }
        div { class: "app", lang: lang_code,
            header { class: "topbar",
                if depth > 1 {
                    button { class: "back", "aria-label": "{t.back}", onclick: move |_| ui.back(), "←" }
                }
                h1 { "{title}" }
                span { class: "small", "aria-hidden": "true", "{app_name}" }
            }
            if route != Route::Login {
                SyncBar {}
            }
            main { class: "content", id: "content",
                {screen(&route)}
            }
            if !tabs.is_empty() {
                nav { class: "tabs", "aria-label": "{app_name}",
                    div { class: "tabs-inner",
                        for (tab, label) in tabs {
                            button {
                                key: "{label}",
                                "aria-current": if tab == current_tab { "page" } else { "false" },
                                onclick: move |_| ui.reset(tab.clone()),
                                "{label}"
                                if tab == Route::Sync && conflicts > 0 {
                                    span { class: "badge", "{conflicts}" }
                                }
                                if tab == Route::Notifications && unread > 0 {
                                    span { class: "badge", "aria-label": "{unread} {t.unread}", "{unread}" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn screen(route: &Route) -> Element {
    match route.clone() {
        Route::Schedule => rsx! { public::schedule::Schedule {} },
        Route::Submit => rsx! { public::request_form::RequestForm {} },
        Route::Submitted(id) => rsx! { public::sent::Sent { id } },
        Route::MyRequests => rsx! { public::my_requests::MyRequests {} },
        Route::MyRequest(id) => rsx! { public::my_requests::MyRequest { id } },
        Route::Track => rsx! { public::track::Track {} },
        Route::Settings => rsx! { public::settings::Settings {} },
        Route::Login => rsx! { internal::login::Login {} },
        Route::Inbox => rsx! { internal::inbox::Inbox {} },
        Route::Request(id) => rsx! { internal::request_detail::RequestDetail { id } },
        Route::Agenda => rsx! { internal::agenda::Agenda {} },
        Route::AgendaItem(id) => rsx! { internal::agenda::AgendaItemView { id } },
        Route::AgendaEdit(id) => rsx! { internal::agenda_edit::AgendaEdit { id } },
        Route::Sync => rsx! { internal::sync_status::SyncStatus {} },
        Route::Reports => rsx! { internal::reports::Reports {} },
        Route::Notifications => rsx! { notifications::Notifications {} },
    }
}

/// Online/offline, unsent changes, last sync and progress — on every screen.
#[component]
pub fn SyncBar() -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let s = ui.sync.read().clone();
    let last = match s.last_sync {
        Some(at) => format!("{}: {}", t.last_sync, time::datetime(at, ui.tz, lang)),
        None => t.never_synced.to_string(),
    };
    let (done, total) = (
        s.progress.pushed + s.progress.pulled,
        s.progress.to_push + s.progress.pull_total.unwrap_or(0),
    );
    rsx! {
        div { class: if s.online { "syncbar" } else { "syncbar offline" }, role: "status", "aria-live": "polite",
            span { span { class: "dot" } if s.online { "{t.online}" } else { "{t.offline}" } }
            if s.pending > 0 {
                span { "{t.pending(s.pending)}" }
            }
            if s.syncing() {
                span { "{t.syncing} " }
                if total > 0 {
                    progress { max: "{total}", value: "{done}", "aria-label": "{t.syncing}" }
                    span { " {done}/{total}" }
                }
            } else {
                span { class: "muted", "{last}" }
            }
        }
    }
}
