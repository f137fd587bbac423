//! Masuk: staff sign-in. The session is remembered on the device until sign-out.

use dioxus::prelude::*;

use crate::sync::SyncError;
use crate::ui::components::LanguageSelect;
use crate::ui::shell::Route;
use crate::ui::{Services, Ui, on_tokio};

#[component]
pub fn Login() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    // Why the previous session ended, if it did without signing out.
    let notice = services
        .store
        .pref(crate::store::SESSION_NOTICE)
        .ok()
        .flatten();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        if username().trim().is_empty() || password().is_empty() {
            error.set(Some(t.login_missing.to_string()));
            return;
        }
        let Some(engine) = services.engine.clone() else {
            error.set(Some(t.login_offline.to_string()));
            return;
        };
        busy.set(true);
        let (u, p) = (username().trim().to_string(), password());
        spawn(async move {
            let result = on_tokio(async move { engine.login(&u, &p).await }).await;
            busy.set(false);
            match result {
                Some(Ok(_)) => {
                    password.set(String::new());
                    error.set(None);
                    ui.reset(Route::Inbox);
                    ui.changed();
                }
                Some(Err(SyncError::Unauthorized)) => error.set(Some(t.login_failed.to_string())),
                Some(Err(SyncError::Server { body: Some(b), .. })) => error.set(Some(b.message)),
                _ => error.set(Some(t.login_offline.to_string())),
            }
        });
    };
    rsx! {
        if let Some(n) = notice.as_deref() {
            p { class: "notice warn", role: "status",
                if n == "deactivated" { "{t.account_deactivated_notice}" } else { "{t.session_expired_notice}" }
            }
        }
        form { class: "card stack", onsubmit: submit, "aria-label": "{t.login_title}",
            div { class: "field",
                label { r#for: "username", "{t.username}" }
                input { id: "username", autocomplete: "username", value: "{username}",
                    oninput: move |e| username.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "password", "{t.password}" }
                input { id: "password", r#type: "password", autocomplete: "current-password", value: "{password}",
                    oninput: move |e| password.set(e.value()) }
            }
            if let Some(e) = error() {
                div { class: "notice error", role: "alert", "{e}" }
            }
            button { class: "primary block", r#type: "submit", disabled: busy(), "{t.login_button}" }
        }
        section { class: "card", LanguageSelect {} }
    }
}
