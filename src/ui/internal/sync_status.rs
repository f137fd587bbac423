//! Sinkronisasi: online state, unsent changes, last sync, progress; conflicts to resolve (keep
//! mine as a new change on top of the server's, or take the server's) and refused changes;
//! sign-out.

use chrono::{DateTime, Utc};
use dioxus::prelude::*;
use sepiion_core::sync::{MutationOp, Record};
use sepiion_core::time;

use super::current_user;
use crate::i18n::Texts;
use crate::store::OutboxEntry;
use crate::sync::SyncPhase;
use crate::ui::components::{ActionStatus, ConfirmStep, LanguageSelect};
use crate::ui::shell::Route;
use crate::ui::{Services, SyncView, Ui, on_tokio};

/// The element id of "Sinkronkan sekarang".
pub const SYNC_NOW: &str = "sync-now";

/// The element id of "Keluar", which opens its confirmation (and gets focus back from it).
pub const LOGOUT: &str = "logout";

/// When "Sinkronkan sekarang" pressed at `pressed` has been answered: the sync after it
/// finished, nothing waits to be sent, and the device is as new as the server — the time of
/// that sync ("Sudah terbaru, 10.42"). `None` while it runs or when it failed.
pub fn up_to_date_since(pressed: Option<DateTime<Utc>>, view: &SyncView) -> Option<DateTime<Utc>> {
    let pressed = pressed?;
    let last = view.last_sync?;
    (view.progress.phase == SyncPhase::Done
        && view.progress.last_error.is_none()
        && view.pending == 0
        && last >= pressed)
        .then_some(last)
}

/// A short description of a queued change.
fn describe(e: &OutboxEntry, t: &Texts) -> String {
    match &e.op {
        MutationOp::SubmitRequest { request } => request.title.clone(),
        MutationOp::Transition { input, .. } => t.words.action(input.action).to_string(),
        MutationOp::AddNote { note, .. } => format!("{}: {}", t.note_prefix, note.text),
        MutationOp::CreateAgendaItem { item } | MutationOp::UpdateAgendaItem { item, .. } => {
            item.title.clone()
        }
        MutationOp::CancelAgendaItem { reason, .. } => format!("{}: {reason}", t.cancelled_prefix),
        MutationOp::MarkNotificationRead { .. } => t.notification_read_change.to_string(),
    }
}

fn server_title(r: &Option<Record>, t: &Texts) -> Option<String> {
    match r {
        Some(Record::AgendaItem(i)) => {
            Some(format!("{} — {} (v{})", i.title, i.location, i.version))
        }
        Some(Record::Request(r)) => Some(format!(
            "{} — {} (v{})",
            r.title,
            t.words.state(r.state),
            r.version
        )),
        _ => None,
    }
}

#[component]
pub fn SyncStatus() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    ui.watch_store();
    let store = services.store.clone();
    let conflicts = store.conflicts().unwrap_or_default();
    let rejected = store.rejected().unwrap_or_default();
    let user = current_user(&store);
    let mut confirm_logout = use_signal(|| false);
    let mut pressed = use_signal(|| None::<DateTime<Utc>>);
    let wake = services.wake.clone();
    let up_to_date = up_to_date_since(pressed(), &ui.sync.read())
        .map(|at| t.up_to_date.replace("{time}", &time::time(at, ui.tz, lang)));
    let unsent = store.pending_count().unwrap_or(0);
    let logout_question = format!(
        "{} {}",
        t.logout_confirm,
        if unsent > 0 {
            t.logout_unsent.replace("{n}", &unsent.to_string())
        } else {
            t.logout_all_sent.to_string()
        }
    );
    let keep_store = store.clone();
    let take_store = store.clone();
    let out_store = store.clone();
    let out_engine = services.engine.clone();
    rsx! {
        section { class: "card stack",
            if let Some(u) = &user {
                p { class: "small", "{t.signed_in_as}: " strong { "{u.display_name}" } " ({t.words.role(u.role)})" }
            }
            button { class: "primary block", id: "{SYNC_NOW}",
                onclick: move |_| {
                    pressed.set(Some(Utc::now()));
                    wake.notify_one();
                },
                "{t.sync_now}"
            }
            // Gone while the sync runs, so each answer appears (and takes focus) anew.
            ActionStatus { id: "sync-result", message: up_to_date }
            if let Some(err) = &ui.sync.read().progress.last_error {
                p { class: "notice warn small", "{t.sync_failed}" }
                p { class: "small muted", lang: "en", "{err}" }
            }
        }
        crate::ui::calendar::PersonalFeed {}
        super::notify_settings::NotificationSettingsCard {}
        section { class: "card",
            h2 { "{t.conflicts_title}" }
            if conflicts.is_empty() {
                p { class: "muted small", "{t.no_conflicts}" }
            }
            for c in conflicts {
                {
                    let (keep_id, take_id) = (c.id.clone(), c.id.clone());
                    let (ks, ts) = (keep_store.clone(), take_store.clone());
                    rsx! {
                        div { key: "{c.id}", class: "card conflict",
                            p { class: "small", "{t.conflict_explain}" }
                            p { strong { "{describe(&c, t)}" } }
                            if let Some(s) = server_title(&c.server_record, t) {
                                p { class: "small muted", "{t.server_version}: {s}" }
                            }
                            p { class: "small muted", "{time::datetime(c.created_at, ui.tz, lang)}" }
                            div { class: "row",
                                button { class: "primary", onclick: move |_| { let _ = ks.resolve_keep_mine(&keep_id); ui.changed(); }, "{t.keep_mine}" }
                                button { class: "secondary", onclick: move |_| { let _ = ts.resolve_take_server(&take_id); ui.changed(); }, "{t.take_server}" }
                            }
                        }
                    }
                }
            }
        }
        if !rejected.is_empty() {
            section { class: "card",
                h2 { "{t.rejected_title}" }
                for r in rejected {
                    {
                        let id = r.id.clone();
                        let s = take_store.clone();
                        rsx! {
                            div { key: "{r.id}", class: "card",
                                p { strong { "{describe(&r, t)}" } }
                                if let Some(e) = &r.error { p { class: "small", "{e.message}" } }
                                button { class: "secondary", onclick: move |_| { let _ = s.resolve_take_server(&id); ui.changed(); }, "{t.discard}" }
                            }
                        }
                    }
                }
            }
        }
        section { class: "card",
            LanguageSelect {}
        }
        section { class: "card stack",
            if confirm_logout() {
                ConfirmStep {
                    id: "confirm-logout",
                    question: logout_question,
                    confirm_label: t.confirm_logout,
                    return_to: LOGOUT,
                    oncancel: move |_| confirm_logout.set(false),
                    onconfirm: move |_| {
                        let engine = out_engine.clone();
                        let store = out_store.clone();
                        spawn(async move {
                            // The server ends the session first; without an engine (no server
                            // configured) the device's copy still goes.
                            match engine {
                                Some(engine) => {
                                    let _ = on_tokio(async move { engine.sign_out().await }).await;
                                }
                                None => {
                                    let _ = store.sign_out();
                                }
                            }
                            confirm_logout.set(false);
                            ui.reset(Route::Login);
                            ui.changed();
                        });
                    },
                }
            } else {
                button { class: "danger block", id: "{LOGOUT}", onclick: move |_| confirm_logout.set(true), "{t.logout}" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::SyncProgress;
    use chrono::Duration;

    fn view(phase: SyncPhase, pending: i64, last: Option<DateTime<Utc>>) -> SyncView {
        SyncView {
            online: true,
            progress: SyncProgress {
                phase,
                ..SyncProgress::default()
            },
            pending,
            conflicts: 0,
            last_sync: last,
        }
    }

    #[test]
    fn up_to_date_only_after_the_sync_the_press_asked_for() {
        let pressed = Utc::now();
        let after = pressed + Duration::seconds(1);
        let before = pressed - Duration::minutes(5);
        // Not pressed: nothing to say.
        assert_eq!(
            up_to_date_since(None, &view(SyncPhase::Done, 0, Some(after))),
            None
        );
        // The last sync is older than the press: still waiting for this one.
        assert_eq!(
            up_to_date_since(Some(pressed), &view(SyncPhase::Done, 0, Some(before))),
            None
        );
        // Running, or something still unsent.
        assert_eq!(
            up_to_date_since(Some(pressed), &view(SyncPhase::Pulling, 0, Some(after))),
            None
        );
        assert_eq!(
            up_to_date_since(Some(pressed), &view(SyncPhase::Done, 2, Some(after))),
            None
        );
        // Done after the press with nothing waiting: up to date as of that sync.
        assert_eq!(
            up_to_date_since(Some(pressed), &view(SyncPhase::Done, 0, Some(after))),
            Some(after)
        );
    }
}
