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
