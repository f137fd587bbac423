//! What the screen tests share: a local store filled as if the server had sent the records, a
//! signed-in staff member, and the app rendered on a route to HTML (server-side, no window).

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::Asia::Makassar;
use dioxus::prelude::*;
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::ui::shell::{Frame, Route};
use sepiion::ui::{self, Launch};
use sepiion_core::api::LoginResponse;
use sepiion_core::model::{Leader, Role, StaffUser};
use sepiion_core::sync::{Change, PullPage, Record};

/// Today at `hour` WITA.
pub fn today_at(hour: i64) -> DateTime<Utc> {
    let local = Utc::now().with_timezone(&Makassar).date_naive();
    Makassar
        .from_local_datetime(&local.and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
        + Duration::hours(hour)
}

pub fn leader(id: &str, title: &str, n: i64) -> Leader {
    Leader {
        id: id.into(),
        title: title.into(),
        name: String::new(),
        sort_order: n,
        version: 1,
    }
}

/// A store in a temp dir holding the two leaders and `records` as if the server had sent them.
pub fn store_with(variant: Variant, records: Vec<Record>) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("app.db"), variant).unwrap();
    let mut all = vec![
        Record::Leader(leader("bupati", "Bupati Klungkung", 0)),
        Record::Leader(leader("wakil_bupati", "Wakil Bupati Klungkung", 1)),
    ];
    all.extend(records);
    let changes = all
        .into_iter()
        .map(|r| Change {
            entity: r.kind(),
            id: r.id().to_string(),
            record: Some(r),
        })
        .collect();
    store
        .apply_pull_page(&PullPage {
            changes,
            cursor: "c1-1".into(),
            has_more: false,
            remaining: 0,
        })
        .unwrap();
    (dir, store)
}

/// Signs `username` in on `store` with `role` (bound to `leader` for an ajudan, sespri or
/// leader account).
pub fn sign_in(store: &Store, username: &str, role: Role, leader: Option<&str>) {
    store
        .set_session(&LoginResponse {
            token: "sps_test".into(),
            expires_at: Utc::now() + Duration::days(1),
            user: StaffUser {
                id: 7,
                username: username.into(),
                display_name: format!("Staf {username}"),
                role,
                leader_id: leader.map(str::to_string),
                active: true,
            },
        })
        .unwrap();
}

/// The whole app on `route` over `store` (no sync engine), not yet built: `render` builds and
/// prints it; an interaction test builds it with `rebuild_to_vec` to find its elements.
pub fn app_dom(store: &Store, variant: Variant, route: Route) -> VirtualDom {
    #[component]
    fn Root() -> Element {
        let launch = use_context::<Launch>();
        ui::use_app(launch);
        rsx! { Frame {} }
    }
    let launch = Launch {
        variant,
        store: store.clone(),
        engine: None,
        tz: Makassar,
        initial_route: Some(route),
    };
    VirtualDom::new(Root).with_root_context(launch)
}

/// Renders the app on `route` and returns the HTML.
pub fn render(store: &Store, variant: Variant, route: Route) -> String {
    let mut dom = app_dom(store, variant, route);
    dom.rebuild_in_place();
    dioxus_ssr::render(&dom)
}

/// The app on a route, built, to be driven like a person would: click, type, press Esc, then
/// read the screen. Elements are found by their `id` attribute (dynamic ids only: a literal id
/// is part of a template and never shows in the edits).
pub struct Driver {
    pub dom: VirtualDom,
    edits: Vec<dioxus_core::Mutation>,
}

impl Driver {
    pub fn new(store: &Store, variant: Variant, route: Route) -> Driver {
        dioxus_html::set_event_converter(Box::new(dioxus_html::SerializedHtmlEventConverter));
        let mut dom = app_dom(store, variant, route);
        let edits = dom.rebuild_to_vec().edits;
        Driver { dom, edits }
    }

    /// The element whose `id` attribute was last set to `html_id`, if it is on screen.
    pub fn find(&self, html_id: &str) -> Option<dioxus_core::ElementId> {
        self.edits.iter().rev().find_map(|m| match m {
            dioxus_core::Mutation::SetAttribute {
                name: "id",
                value: dioxus_core::AttributeValue::Text(v),
                id,
                ..
            } if v == html_id => Some(*id),
            _ => None,
        })
    }

    fn element(&self, html_id: &str) -> dioxus_core::ElementId {
        self.find(html_id)
            .unwrap_or_else(|| panic!("no element #{html_id} on screen:\n{}", self.html()))
    }

    fn event(data: impl std::any::Any) -> dioxus_core::Event<dyn std::any::Any> {
        let data = dioxus_html::PlatformEventData::new(Box::new(data));
        dioxus_core::Event::new(
            std::rc::Rc::new(data) as std::rc::Rc<dyn std::any::Any>,
            true,
        )
    }

    /// Lets the screen redraw, keeping the edits (new elements and their ids).
    pub fn settle(&mut self) {
        let edits = self.dom.render_immediate_to_vec().edits;
        self.edits.extend(edits);
    }

    /// Taps `html_id` `times` times before the screen redraws (a double tap is 2).
    pub fn tap(&mut self, html_id: &str, times: usize) {
        let target = self.element(html_id);
        for _ in 0..times {
            self.dom.runtime().handle_event(
                "click",
                Self::event(dioxus_html::SerializedMouseData::default()),
                target,
            );
        }
        self.settle();
    }

    /// Types `value` into `html_id` (one input event with the whole value).
    pub fn type_into(&mut self, html_id: &str, value: &str) {
        let target = self.element(html_id);
        self.type_at(target, value);
    }

    /// Types `value` into the field that appeared last (one with a literal id, which the edits
    /// do not name: e.g. the reason inside a confirmation that just opened).
    pub fn type_into_newest(&mut self, value: &str) {
        let target = self
            .edits
            .iter()
            .rev()
            .find_map(|m| match m {
                dioxus_core::Mutation::NewEventListener { name, id } if name == "input" => {
                    Some(*id)
                }
                _ => None,
            })
            .expect("a field on screen");
        self.type_at(target, value);
    }

    fn type_at(&mut self, target: dioxus_core::ElementId, value: &str) {
        self.dom.runtime().handle_event(
            "input",
            Self::event(dioxus_html::SerializedFormData::new(
                value.to_string(),
                vec![],
            )),
            target,
        );
        self.settle();
    }

    /// Presses Escape on `html_id`.
    pub fn escape(&mut self, html_id: &str) {
        use dioxus_html::input_data::keyboard_types::{Code, Key, Location, Modifiers};
        let target = self.element(html_id);
        self.dom.runtime().handle_event(
            "keydown",
            Self::event(dioxus_html::SerializedKeyboardData::new(
                Key::Escape,
                Code::Escape,
                Location::Standard,
                false,
                Modifiers::empty(),
                false,
            )),
            target,
        );
        self.settle();
    }

    pub fn html(&self) -> String {
        dioxus_ssr::render(&self.dom)
    }
}
