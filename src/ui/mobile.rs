//! Android behaviour of the app window (the `mobile` feature): the system back button pops the
//! app's own navigation stack, and coming back to the foreground syncs.
//!
//! **Back button.** Dioxus 0.7 mobile has no back-button hook. Its activity (wry's `WryActivity`)
//! answers the back key with `WebView.goBack()` while the web view has history, and lets Android
//! close the app otherwise. So the app mirrors its stack into the web view's history: while the
//! stack is deeper than one screen there is exactly one extra history entry (a "trap"); the back
//! key pops it, the `popstate` event reaches Rust, the stack pops, and the trap is set again if
//! the stack is still deep. On the first screen there is no trap, so back leaves the app as users
//! expect. When the in-app back arrow or a tab empties the stack, the trap is removed quietly.
//!
//! **Pause/resume.** tao sends `Event::Resumed` when the activity comes back to the foreground
//! (and once at start); the sync engine is woken then, so staff who return to the app from the
//! field see fresh data and their queued changes go out. Nothing needs doing on pause: the store
//! is written on every change and the engine simply sleeps while the process is frozen.

use std::cell::Cell;
use std::rc::Rc;

use dioxus::mobile::tao::event::Event;
use dioxus::prelude::*;

use super::{Services, Ui};

/// Listens for `popstate` and reports each one to Rust. The promise never settles, which keeps the
/// channel of this evaluation open for the life of the page.
const POPSTATE_LISTENER: &str = r#"
    window.addEventListener("popstate", () => dioxus.send(true));
    await new Promise(() => {});
"#;

/// Sets up back-button and resume handling; called once from [`super::use_app`].
pub(crate) fn use_mobile_lifecycle(mut ui: Ui, services: &Services) {
    // Resume → sync now.
    let wake = services.wake.clone();
    dioxus::mobile::use_wry_event_handler(move |event, _| {
        if let Event::Resumed = event {
            wake.notify_one();
        }
    });

    // Whether the trap entry is in the web view's history, and how many `popstate` events are
    // our own `history.back()` calls (to be ignored).
    let trap = use_hook(|| Rc::new(Cell::new(false)));
    let ignore = use_hook(|| Rc::new(Cell::new(0u32)));

    {
        let (trap, ignore) = (trap.clone(), ignore.clone());
        use_effect(move || {
            let deep = ui.nav.read().len() > 1;
            if deep && !trap.get() {
                trap.set(true);
                document::eval("history.pushState({ sepiion: true }, '');");
            } else if !deep && trap.get() {
                trap.set(false);
                ignore.set(ignore.get() + 1);
                document::eval("history.back();");
            }
        });
    }

    use_future(move || {
        let (trap, ignore) = (trap.clone(), ignore.clone());
        async move {
            let mut popstate = document::eval(POPSTATE_LISTENER);
            while popstate.recv::<bool>().await.is_ok() {
                if ignore.get() > 0 {
                    ignore.set(ignore.get() - 1);
                    continue;
                }
                // The back key took the trap away; popping the stack re-runs the effect above,
                // which sets a new trap if there is still somewhere to go back to.
                trap.set(false);
                ui.back();
            }
        }
    });
}
