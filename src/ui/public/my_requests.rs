//! Permohonan Saya: the device's own requests with state and public timeline; answering a time
//! proposal, adding what was asked for, cancelling; the tracking code to copy or share.

use dioxus::prelude::*;
use sepiion_core::RequestState;
use sepiion_core::time;
use sepiion_core::workflow::{Action, Actor, TransitionInput, available_actions};

use crate::i18n::Texts;
use crate::ui::components::{ConfirmStep, PendingChip, StateChip, Timeline};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// The element id of "Batalkan permohonan", which opens its confirmation (and gets focus back from it).
pub const CANCEL_REQUEST: &str = "cancel-request";

#[component]
pub fn MyRequests() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    ui.watch_store();
    let list = services.store.own_requests().unwrap_or_default();
    rsx! {
        if list.is_empty() {
            p { class: "muted", role: "status", "{t.no_requests}" }
        }
        for entry in list {
            {
                let r = entry.request.clone();
                let id = r.id.clone();
                let when = time::when(r.starts_at, r.ends_at, ui.tz, lang);
                rsx! {
                    article { key: "{r.id}", class: "card clickable", tabindex: "0",
                        "aria-label": "{r.title}",
                        onclick: move |_| ui.go(Route::MyRequest(id.clone())),
                        onkeydown: {
                            let id = r.id.clone();
                            move |e: KeyboardEvent| if e.key() == Key::Enter { ui.go(Route::MyRequest(id.clone())) }
                        },
                        div { class: "row spread",
                            StateChip { state: r.state }
                            if entry.pending { PendingChip {} }
                        }
                        h2 { "{r.title}" }
                        div { class: "small", "{when}" }
                        if !r.tracking_code.is_empty() {
                            div { class: "small muted", "{t.words.tracking_code}: {r.tracking_code}" }
                        }
                    }
                }
            }
        }
    }
}

/// A WhatsApp link that shares the tracking code in the app's language, with the address where
/// anyone can follow the request on the web (the server's portal, `/lacak/<code>`).
pub fn whatsapp_link(t: &Texts, server: &str, code: &str, title: &str) -> String {
    let text = t
        .share_code_message
        .replace("{title}", title)
        .replace("{code}", code)
        .replace("{link}", &format!("{server}/lacak/{code}"));
    sepiion_core::phone::wa_me_share(&text)
}

/// The server address the app uses (the portal's), for links to share.
pub fn server_address() -> String {
    consume_context::<crate::ui::Services>()
        .engine
        .map(|e| e.client().base_url().to_string())
        .unwrap_or_else(|| crate::ui::DEFAULT_SERVER_URL.to_string())
}

#[component]
pub fn MyRequest(id: String) -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut info = use_signal(String::new);
    let mut reason = use_signal(String::new);
    let mut message = use_signal(|| None::<(bool, String)>);
    let mut copied = use_signal(|| None::<bool>);
    // "Batalkan permohonan" asks once before it cancels.
    let mut confirm_cancel = use_signal(|| false);
    ui.watch_store();
    let Some(detail) = services.store.request_detail(&id).ok().flatten() else {
        return rsx! { p { class: "muted", "{t.no_requests}" } };
    };
    let r = detail.request.request.clone();
    let actions = available_actions(Actor::Requester, r.state);
    let local_files = services
        .store
        .local_attachments(Some(&r.id))
        .unwrap_or_default();
    let rid = r.id.clone();
    let mut act = move |rid: &str, action: Action, text: Option<String>| {
        let store = crate::ui::store();
        let mut input = TransitionInput::new(action);
        match action {
            Action::SupplyInfo => input.info = text,
            _ => input.reason = text.filter(|s| !s.trim().is_empty()),
        }
        match store.transition(rid, input) {
            Ok(_) => {
                message.set(None);
                info.set(String::new());
                reason.set(String::new());
                ui.changed();
            }
            Err(e) => message.set(Some((false, e.text(lang)))),
        }
    };
    let code = r.tracking_code.clone();
    let copy_code = code.clone();
    rsx! {
        section { class: "card",
            div { class: "row spread",
                StateChip { state: r.state }
                if detail.request.pending { PendingChip {} }
            }
            h2 { "{r.title}" }
            p { class: "small", "{time::when(r.starts_at, r.ends_at, ui.tz, lang)}" }
            p { class: "small muted", "{r.location} · {r.organizer}" }
            if let Some(rep) = &r.representative {
                p { class: "small", "{t.words.represented_by}: {rep}" }
            }
            if let Some(why) = &r.state_reason {
                div { class: "notice warn", strong { "{t.staff_asked}: " } "{why}" }
            }
        }
        if !code.is_empty() {
            section { class: "card",
                div { class: "muted small", "{t.words.tracking_code}" }
                super::sent::TrackingCode { code: code.clone() }
                div { class: "row",
                    button { class: "secondary",
                        onclick: move |_| {
                            let c = copy_code.clone();
                            async move { copied.set(Some(super::sent::copy_to_clipboard(&c).await)); }
                        },
                        "{t.words.copy_code}"
                    }
                    a { class: "button", href: "{whatsapp_link(t, &server_address(), &code, &r.title)}", target: "_blank", rel: "noopener",
                        "{t.words.share_whatsapp}" }
                }
                p { class: "small", role: "status", "aria-live": "polite",
                    match copied() {
                        Some(true) => t.words.code_copied,
                        Some(false) => t.copy_failed,
                        None => "",
                    }
                }
            }
        }
        if let Some((ok, text)) = message() {
            div { class: if ok { "notice ok" } else { "notice error" }, role: "alert", "{text}" }
        }
        if r.state == RequestState::TimeProposed {
            section { class: "card",
                h2 { "{t.words.proposed_time}" }
                if let (Some(s), Some(e)) = (r.proposed_starts_at, r.proposed_ends_at) {
                    p { "{time::when(s, e, ui.tz, lang)}" }
                }
                div { class: "row",
                    button { class: "primary", onclick: { let rid = rid.clone(); move |_| act(&rid, Action::AcceptProposal, None) }, "{t.accept_proposal}" }
                    button { class: "danger", onclick: { let rid = rid.clone(); move |_| act(&rid, Action::DeclineProposal, None) }, "{t.decline_proposal}" }
                }
            }
        }
        if actions.contains(&Action::SupplyInfo) {
            section { class: "card",
                div { class: "field",
                    label { r#for: "supply-info", "{t.supply_info_label}" }
                    textarea { id: "supply-info", value: "{info}", oninput: move |e| info.set(e.value()) }
                }
                button { class: "primary", onclick: { let rid = rid.clone(); move |_| act(&rid, Action::SupplyInfo, Some(info())) }, "{t.send}" }
            }
        }
        if !r.attachments.is_empty() || !local_files.is_empty() {
            section { class: "card",
                h2 { "{t.attachments}" }
                crate::ui::attachments::AttachmentList { request_id: r.id.clone(), attachments: r.attachments.clone() }
                ul { class: "small",
                    for f in local_files {
                        li { key: "{f.id}", "{f.filename} ({crate::ui::attachments::format_size(f.size, lang)}) "
                            if let Some(e) = &f.error {
                                span { class: "chip state-declined", "{e}" }
                            } else {
                                PendingChip {}
                            }
                        }
                    }
                }
            }
        }
        section { class: "card",
            h2 { "{t.words.timeline}" }
            Timeline { entries: r.timeline.clone() }
        }
        if actions.contains(&Action::Cancel) {
            section { class: "card",
                if confirm_cancel() {
                    ConfirmStep {
                        id: "confirm-cancel-request",
                        question: t.cancel_confirm.replace("{title}", &r.title),
                        confirm_label: t.confirm_cancel_request,
                        return_to: CANCEL_REQUEST,
                        oncancel: move |_| confirm_cancel.set(false),
                        onconfirm: {
                            let rid = rid.clone();
                            move |_| {
                                // A second tap before the screen redrew: cancelled already.
                                if confirm_cancel() {
                                    confirm_cancel.set(false);
                                    act(&rid, Action::Cancel, Some(reason()));
                                }
                            }
                        },
                        div { class: "field",
                            label { r#for: "cancel-reason", "{t.reason_optional}" }
                            input { id: "cancel-reason", value: "{reason}", oninput: move |e| reason.set(e.value()) }
                        }
                    }
                } else {
                    button { class: "danger block", id: "{CANCEL_REQUEST}", onclick: move |_| confirm_cancel.set(true), "{t.cancel_request}" }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whatsapp_links_encode_the_message() {
        let l = whatsapp_link(
            crate::i18n::texts(sepiion_core::validation::Lang::Id),
            "https://sepiion.klungkungkab.go.id",
            "K7QM-3XRD",
            "Festival & Pawai",
        );
        assert!(
            l.contains("sepiion.klungkungkab.go.id%2Flacak%2FK7QM-3XRD"),
            "{l}"
        );
        assert!(l.starts_with("https://wa.me/?text="));
        assert!(l.contains("K7QM-3XRD"));
        assert!(l.contains("%26"), "{l}");
        assert!(!l.contains(' '));
    }
}
