//! The Sepiion app binary: the public app or the internal staff app, chosen by Cargo feature.

#[cfg(all(feature = "public", feature = "internal"))]
compile_error!(
    "Choose exactly one app variant: build with `--features public` or `--features internal`, not both."
);
#[cfg(not(any(feature = "public", feature = "internal")))]
compile_error!("Choose an app variant: build with `--features public` or `--features internal`.");
#[cfg(not(any(feature = "desktop", feature = "mobile")))]
compile_error!("Choose a platform: build with `--features desktop` or `--features mobile`.");

use std::sync::Arc;

use dioxus::prelude::*;
use sepiion::platform::Variant;
use sepiion::store::Store;
use sepiion::sync::{ServerClient, SyncEngine};
use sepiion::ui::{self, DEFAULT_SERVER_URL, Launch, prefs};

#[cfg(feature = "public")]
const VARIANT: Variant = Variant::Public;
#[cfg(feature = "internal")]
const VARIANT: Variant = Variant::Internal;

fn main() {
    let store = match std::env::var_os("SEPIION_APP_DB") {
        // Development and screenshots: a database file of one's choosing.
        Some(path) => Store::open(std::path::Path::new(&path), VARIANT),
        None => Store::open_default(VARIANT),
    }
    .expect("the app's database opens");
    let server = std::env::var("SEPIION_SERVER_URL")
        .ok()
        .or_else(|| store.pref(prefs::SERVER_URL).ok().flatten())
        .unwrap_or_else(|| DEFAULT_SERVER_URL.to_string());
    let engine = ServerClient::new(&server)
        .ok()
        .map(|client| Arc::new(SyncEngine::new(store.clone(), client)));
    let launch = Launch {
        variant: VARIANT,
        store,
        engine,
        tz: chrono_tz::Asia::Makassar,
        initial_route: std::env::var("SEPIION_APP_ROUTE")
            .ok()
            .and_then(|r| ui::shell::Route::parse(&r)),
    };
    let builder = LaunchBuilder::new().with_context(launch);
    #[cfg(feature = "desktop")]
    let builder = builder.with_cfg(
        dioxus::desktop::Config::new().with_menu(None).with_window(
            dioxus::desktop::WindowBuilder::new()
                .with_title(match VARIANT {
                    Variant::Public => "Sepiion",
                    Variant::Internal => "Sepiion Staf",
                })
                .with_inner_size(dioxus::desktop::LogicalSize::new(400.0, 820.0)),
        ),
    );
    builder.launch(App);
}

#[component]
fn App() -> Element {
    let launch = use_context::<Launch>();
    ui::use_app(launch);
    rsx! { ui::shell::Frame {} }
}
