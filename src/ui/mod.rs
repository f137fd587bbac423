//! The screens of both apps. One codebase: [`public`] is the citizens' app, [`internal`] the
//! staff app; the binary picks one by Cargo feature. Screens read the local [`Store`] and write
//! through it, so everything works offline; the sync engine runs in the background.

pub mod attachments;
pub mod calendar;
pub mod components;
pub mod draft;
pub mod internal;
#[cfg(feature = "mobile")]
mod mobile;
pub mod notifications;
pub mod public;
pub mod shell;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use dioxus::prelude::*;
use sepiion_core::model::Leader;
use sepiion_core::validation::Lang;
use tokio::sync::Notify;

use crate::i18n::{Texts, texts};
use crate::platform::Variant;
use crate::store::Store;
use crate::sync::{SyncEngine, SyncPhase, SyncProgress};

/// The server the apps talk to unless the user sets another in Settings. Builds for a real
/// regency set `SEPIION_SERVER_URL` at compile time; development uses the local demo server.
pub const DEFAULT_SERVER_URL: &str = match option_env!("SEPIION_SERVER_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8080",
};

/// What the sync bar shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncView {
    pub online: bool,
    pub progress: SyncProgress,
    pub pending: i64,
    pub conflicts: i64,
    pub last_sync: Option<DateTime<Utc>>,
}

impl SyncView {
    pub fn syncing(&self) -> bool {
        matches!(
            self.progress.phase,
            SyncPhase::Registering | SyncPhase::Pushing | SyncPhase::Pulling
        )
    }
}

/// UI state shared by every screen (all `Copy`: signals and plain values).
#[derive(Clone, Copy)]
pub struct Ui {
    pub variant: Variant,
    pub lang: Signal<Lang>,
    pub tz: Tz,
    pub leaders: Signal<Vec<Leader>>,
    /// The store's revision, mirrored from its change feed ([`Store::changes`]) by one task:
    /// every committed write (local or from a sync) moves it. Read through
    /// [`Ui::watch_store`].
    store_rev: Signal<u64>,
    pub sync: Signal<SyncView>,
    pub nav: Signal<Vec<shell::Route>>,
}

impl Ui {
    pub fn texts(&self) -> &'static Texts {
        texts((self.lang)())
    }

    /// "Bupati Klungkung" for `bupati`, or the id when unknown.
    pub fn leader_title(&self, id: &str) -> String {
        self.leaders
            .read()
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.title.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// Subscribes the calling component to the store: it renders again after any change.
    pub fn watch_store(&self) {
        let _ = (self.store_rev)();
    }

    /// A local change was saved: sync soon. (Screens refresh through the change feed.)
    pub fn changed(&mut self) {
        if let Some(services) = try_consume_context::<Services>() {
            services.wake.notify_one();
        }
    }

    pub fn go(&mut self, route: shell::Route) {
        self.nav.write().push(route);
    }

    /// Shows `route` in place of the current screen (after a form is done, Back skips the form);
    /// when the screen below is `route` already (an edit opened from its item), goes back to it.
    pub fn replace(&mut self, route: shell::Route) {
        let mut nav = self.nav.write();
        nav.pop();
        if nav.last() != Some(&route) {
            nav.push(route);
        }
    }

    pub fn back(&mut self) {
        let mut nav = self.nav.write();
        if nav.len() > 1 {
            nav.pop();
        }
    }

    pub fn reset(&mut self, route: shell::Route) {
        *self.nav.write() = vec![route];
    }
}

/// The store and the sync engine, shared by every screen.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    /// `None` in component tests, which render screens from store data alone.
    pub engine: Option<Arc<SyncEngine>>,
    pub wake: Arc<Notify>,
}

/// How the app was launched.
#[derive(Clone)]
pub struct Launch {
    pub variant: Variant,
    pub store: Store,
    pub engine: Option<Arc<SyncEngine>>,
    pub tz: Tz,
    /// Open this screen first instead of the variant's home (tests, screenshots).
    pub initial_route: Option<shell::Route>,
}

/// The stylesheet, embedded so that every platform (desktop, Android, liveview, tests) gets it.
pub const STYLESHEET: &str = include_str!("../../assets/sepiion.css");

/// Preference keys kept in the store.
pub mod prefs {
    pub const SERVER_URL: &str = "pref_server_url";
    pub const REQUEST_DRAFT: &str = "draft_request";
    /// A folder for saved files instead of the platform's (see `platform::downloads_dir`).
    pub const DOWNLOAD_DIR: &str = "pref_download_dir";
}

/// Sets up the contexts every screen needs from a [`Launch`], and starts background sync.
pub fn use_app(launch: Launch) -> Ui {
    let store = launch.store.clone();
    let services = use_context_provider(|| Services {
        store: store.clone(),
        engine: launch.engine.clone(),
        wake: Arc::new(Notify::new()),
    });
    let lang = use_signal(|| store.language().unwrap_or(Lang::Id));
    let leaders = use_signal(|| store.leaders().unwrap_or_default());
    let first = match launch.initial_route.clone() {
        Some(route) => route,
        None => match launch.variant {
            Variant::Public => shell::Route::Schedule,
            Variant::Internal => match store.identity() {
                Ok(crate::store::Identity::Staff { .. }) => shell::Route::Inbox,
                _ => shell::Route::Login,
            },
        },
    };
    let nav = use_signal(|| vec![first]);
    let mut store_rev = use_signal(|| store.revision());
    let feed_store = store.clone();
    use_hook(move || {
        let mut feed = feed_store.changes();
        spawn(async move {
            while feed.changed().await.is_ok() {
                let r = *feed.borrow_and_update();
                store_rev.set(r);
            }
        })
    });
    let sync = use_signal(|| SyncView {
        pending: store.pending_count().unwrap_or(0),
        last_sync: store.last_sync_at().ok().flatten(),
        ..SyncView::default()
    });
    let ui = use_context_provider(|| Ui {
        variant: launch.variant,
        lang,
        tz: launch.tz,
        leaders,
        store_rev,
        sync,
        nav,
    });
    use_hook(|| std::rc::Rc::new(start_sync(ui, services.clone())));
    // Android: the back button pops `nav`, and returning to the app syncs.
    #[cfg(feature = "mobile")]
    mobile::use_mobile_lifecycle(ui, &services);
    ui
}

/// The background sync loop on tokio. It stops when the app goes away (dropped with the root
/// scope's hooks): a closed liveview session must not keep syncing.
pub struct SyncTask(tokio::task::AbortHandle);

impl Drop for SyncTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Runs the engine's loop on tokio and mirrors its progress into the sync bar.
fn start_sync(mut ui: Ui, services: Services) -> Option<SyncTask> {
    let engine = services.engine.clone()?;
    let wake = services.wake.clone();
    let loop_engine = engine.clone();
    let task = tokio::spawn(async move {
        let backoff = crate::sync::Backoff::default();
        // `run` returns only when the user must act (signed out); wait for a wake-up then.
        for _ in 0..u32::MAX {
            let _ = loop_engine
                .run(&wake, std::time::Duration::from_secs(60), backoff)
                .await;
            wake.notified().await;
        }
    });
    let mut progress = engine.progress();
    let store = services.store.clone();
    let notifier = crate::os_notify::platform_notifier();
    spawn(async move {
        while progress.changed().await.is_ok() {
            let p = progress.borrow_and_update().clone();
            let finished = matches!(p.phase, SyncPhase::Done);
            let failed = matches!(p.phase, SyncPhase::Failed);
            let online = !matches!(p.phase, SyncPhase::Waiting { .. } | SyncPhase::Failed);
            ui.sync.set(SyncView {
                online,
                pending: store.pending_count().unwrap_or(0),
                conflicts: store.conflicts().map(|c| c.len() as i64).unwrap_or(0),
                last_sync: store.last_sync_at().ok().flatten(),
                progress: p,
            });
            if finished {
                ui.leaders.set(store.leaders().unwrap_or_default());
                // New notifications from this sync: raised by the operating system, off the UI
                // thread (D-Bus or JNI calls).
                if let Some(notifier) = notifier.clone() {
                    let (store, lang) = (store.clone(), (ui.lang)());
                    tokio::task::spawn_blocking(move || {
                        crate::os_notify::announce_new_notifications(&store, lang, &*notifier)
                    });
                }
            }
            // The server ended the staff session (or the account): back to sign-in, where the
            // reason is shown. Unsent changes stay unless the account was deactivated.
            if failed
                && ui.variant == Variant::Internal
                && !matches!(store.identity(), Ok(crate::store::Identity::Staff { .. }))
            {
                ui.reset(shell::Route::Login);
            }
        }
    });
    Some(SyncTask(task.abort_handle()))
}

/// The store, from inside event handlers (closures stay `Copy` by not capturing it).
pub fn store() -> Store {
    consume_context::<Services>().store
}

/// The texts in the app's language, from inside event handlers and async blocks.
pub fn texts_now() -> &'static Texts {
    consume_context::<Ui>().texts()
}

/// Runs `work` on tokio (network calls) and hands the result back to the UI task.
pub async fn on_tokio<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Option<T> {
    tokio::spawn(work).await.ok()
}
