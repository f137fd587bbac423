//! Ajukan Permohonan: the request form. Everything typed is kept as a draft on the device (it
//! survives errors and the app being closed); fields are checked as the user types and on
//! submit with the same rules as the server; a request submitted offline waits in the outbox.

use chrono::Utc;
use dioxus::prelude::*;
use sepiion_core::RequestKind;
use sepiion_core::validation::FieldErrors;

use crate::ui::components::{ErrorSummary, Field, SelectField};
use crate::ui::draft::{RequestDraft, live_errors, to_new_request};
use crate::ui::{Services, Ui, prefs};
use sepiion_core::draft::{FIELDS, is_required};

/// What the user sees after a submit that did not lead to the "sent" screen.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    Failed(String),
}

#[component]
pub fn RequestForm() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let store = services.store.clone();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut draft = use_signal(|| {
        store
            .pref(prefs::REQUEST_DRAFT)
            .ok()
            .flatten()
            .and_then(|s| serde_json::from_str::<RequestDraft>(&s).ok())
            .unwrap_or_default()
    });
    let mut touched = use_signal(Vec::<String>::new);
    let mut submitted_errors = use_signal(|| None::<FieldErrors>);
    let mut outcome = use_signal(|| Outcome::None);
    // Failed submits so far: keys the error summary, so each one moves focus to it again.
    let mut attempts = use_signal(|| 0u32);

    let errors = match submitted_errors() {
        Some(e) => {
            // After a failed submit, keep showing every error, updated as the user fixes them.
            let all: Vec<String> = e.0.keys().cloned().chain(touched()).collect();
            live_errors(&draft.read(), &all, ui.tz, Utc::now())
        }
        None => live_errors(&draft.read(), &touched(), ui.tz, Utc::now()),
    };
    let err = |f: &str| errors.get(f).map(|m| m.get(lang).to_string());
    // Sooner than the lead time: warn before sending; the request is still accepted.
    let lead = store.lead_time().unwrap_or(chrono::Duration::days(
        sepiion_core::notify::DEFAULT_LEAD_TIME_DAYS,
    ));
    let urgent = draft
        .read()
        .starts_at(ui.tz)
        .is_some_and(|s| sepiion_core::notify::is_urgent(s, Utc::now(), lead));

    let mut set = move |field: &'static str, value: String| {
        draft.write().set(field, value);
        if let Ok(json) = serde_json::to_string(&*draft.read()) {
            let _ = crate::ui::store().set_pref(prefs::REQUEST_DRAFT, Some(&json));
        }
    };
    let mut touch = move |field: &'static str| {
        if !touched.read().iter().any(|f| f == field) {
            touched.write().push(field.to_string());
        }
    };

    // The request's id, kept for this form: a second tap names the same request (the store
    // answers it with the one already saved), and a fresh form (back from the "sent" screen)
    // makes a new one.
    let client_id = use_signal(|| uuid::Uuid::new_v4().to_string());
    // Set once the request is saved: a second tap of "Kirim" that arrives before the "sent"
    // screen replaces the form does nothing.
    let mut sent = use_signal(|| false);
    let submit = move |e: FormEvent| {
        e.prevent_default();
        if sent() {
            return;
        }
        let submit_store = crate::ui::store();
        let id = client_id();
        let typed = draft.read().clone();
        match to_new_request(&typed, Some(id), ui.tz, Utc::now()) {
            Err(errs) => {
                submitted_errors.set(Some(errs));
                *attempts.write() += 1;
                outcome.set(Outcome::None);
            }
            Ok(new) => match submit_store.submit_request(new) {
                Ok(r) => {
                    sent.set(true);
                    let _ = submit_store.set_pref(prefs::REQUEST_DRAFT, None);
                    draft.set(RequestDraft::default());
                    touched.set(Vec::new());
                    submitted_errors.set(None);
                    outcome.set(Outcome::None);
                    ui.changed();
                    // The "sent" screen on top of the form: Back leads to a fresh, empty form.
                    ui.go(crate::ui::shell::Route::Submitted(r.id));
                }
                Err(e) => outcome.set(Outcome::Failed(e.to_string())),
            },
        }
    };

    let mut attach_error = use_signal(|| None::<String>);
    // Re-read whenever the store changes: adding or removing a file is a store write.
    ui.watch_store();
    let draft_files = store.local_attachments(None).unwrap_or_default();
    let mut attach_note = use_signal(|| None::<String>);
    let pick = move |e: FormEvent| async move {
        // The input names a file (its value) even when its bytes did not reach the app: that is
        // said on screen, never dropped silently.
        let named = !e.value().trim().is_empty();
        let files = crate::ui::attachments::chosen_files(&e).await;
        let t = crate::ui::texts_now();
        if files.is_empty() {
            attach_note.set(None);
            attach_error.set(named.then(|| t.attachment_unreadable.to_string()));
            return;
        }
        let mut errors = Vec::new();
        let mut added = Vec::new();
        for (name, bytes) in files {
            let result = match bytes {
                Ok(bytes) => crate::ui::store()
                    .add_draft_attachment(&name, &bytes)
                    .map(|f| f.filename)
                    .map_err(|e| e.text(lang)),
                Err(_) => Err(t.attachment_unreadable.to_string()),
            };
            match result {
                Ok(n) => added.push(n),
                Err(e) => errors.push(format!("{name}: {e}")),
            }
        }
        attach_note.set(
            (!added.is_empty()).then(|| format!("{}: {}", t.attachment_added, added.join(", "))),
        );
        attach_error.set((!errors.is_empty()).then(|| errors.join(" ")));
    };
    let d = draft.read().clone();
    let kinds: Vec<(String, String)> = RequestKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), t.words.kind(*k).to_string()))
        .collect();
    let mut leaders: Vec<(String, String)> =
        vec![(String::new(), t.words.either_leader.to_string())];
    leaders.extend(
        ui.leaders
            .read()
            .iter()
            .map(|l| (l.id.clone(), l.title.clone())),
    );
    let has_errors = submitted_errors().is_some() && !errors.is_empty();
    // Labels and required marks are core's, the same as the web portal's; the fields stand in
    // core's order (`FIELDS`), and so does the error summary.
    let tz = ui.tz;
    let label = move |name: &'static str| {
        let l = t.words.field_in_zone(name, tz);
        if is_required(name) {
            l
        } else {
            format!("{l} {}", t.words.optional)
        }
    };
    let summary: Vec<(String, String, String)> = FIELDS
        .iter()
        .filter_map(|id| {
            errors.get(id).map(|m| {
                (
                    id.to_string(),
                    t.words.field_in_zone(id, tz),
                    m.get(lang).to_string(),
                )
            })
        })
        .collect();
    rsx! {
        if let Outcome::Failed(msg) = outcome() {
            div { class: "notice error", role: "alert", "{msg}" }
        }
        p { class: "muted small", "{t.words.form_intro}" }
        if has_errors {
            ErrorSummary { key: "{attempts}", title: t.form_has_errors, errors: summary }
        }
        form { novalidate: true, onsubmit: submit, "aria-label": "{t.words.form_title}",
            SelectField { id: "kind", label: label("kind"), value: d.kind.clone(), options: kinds,
                required: is_required("kind"), error: err("kind"), onchange: move |v| set("kind", v) }
            SelectField { id: "leader_id", label: label("leader_id"), value: d.leader_id.clone(), options: leaders,
                required: is_required("leader_id"), error: err("leader_id"), onchange: move |v| set("leader_id", v) }
            Field { id: "title", label: label("title"), value: d.title.clone(), required: is_required("title"), error: err("title"),
                oninput: move |v| set("title", v), onblur: move |_| touch("title") }
            Field { id: "description", label: label("description"), value: d.description.clone(), required: is_required("description"),
                multiline: true, error: err("description"),
                oninput: move |v| set("description", v), onblur: move |_| touch("description") }
            Field { id: "location", label: label("location"), value: d.location.clone(), required: is_required("location"),
                error: err("location"), oninput: move |v| set("location", v), onblur: move |_| touch("location") }
            Field { id: "organizer", label: label("organizer"), value: d.organizer.clone(), required: is_required("organizer"),
                error: err("organizer"), oninput: move |v| set("organizer", v), onblur: move |_| touch("organizer") }
            Field { id: "leader_role", label: label("leader_role"), value: d.leader_role.clone(), required: is_required("leader_role"),
                hint: t.words.field_leader_role_hint.to_string(), error: err("leader_role"),
                oninput: move |v| set("leader_role", v), onblur: move |_| touch("leader_role") }
            Field { id: "expected_attendees", label: label("expected_attendees"), value: d.expected_attendees.clone(),
                kind: "number", required: is_required("expected_attendees"), error: err("expected_attendees"),
                oninput: move |v| set("expected_attendees", v), onblur: move |_| touch("expected_attendees") }
            Field { id: "dress_code", label: label("dress_code"), value: d.dress_code.clone(), required: is_required("dress_code"),
                error: err("dress_code"), oninput: move |v| set("dress_code", v), onblur: move |_| touch("dress_code") }
            Field { id: "letter_number", label: label("letter_number"), required: is_required("letter_number"),
                value: d.letter_number.clone(), error: err("letter_number"),
                oninput: move |v| set("letter_number", v), onblur: move |_| touch("letter_number") }
            div { class: "two",
                Field { id: "start_date", label: label("start_date"), value: d.start_date.clone(), kind: "date",
                    required: is_required("start_date"), error: err("start_date"),
                    oninput: move |v| { set("start_date", v); touch("start_date") } }
                Field { id: "start_time", label: label("start_time"), value: d.start_time.clone(), kind: "time",
                    required: is_required("start_time"), error: err("start_time"),
                    oninput: move |v| set("start_time", v), onblur: move |_| { touch("start_date"); touch("start_time") } }
            }
            div { class: "two",
                Field { id: "end_date", label: label("end_date"), value: d.end_date.clone(),
                    kind: "date", required: is_required("end_date"), error: err("end_date"),
                    oninput: move |v| { set("end_date", v); touch("end_date"); touch("end_time") } }
                Field { id: "end_time", label: label("end_time"), value: d.end_time.clone(), kind: "time",
                    required: is_required("end_time"), error: err("end_time"),
                    oninput: move |v| { set("end_time", v); touch("end_time") } }
            }
            Field { id: "requester_name", label: label("requester_name"), value: d.requester_name.clone(), required: is_required("requester_name"),
                error: err("requester_name"), oninput: move |v| set("requester_name", v),
                onblur: move |_| touch("requester_name") }
            Field { id: "requester_phone", label: label("requester_phone"), value: d.requester_phone.clone(), kind: "tel",
                required: is_required("requester_phone"), hint: t.words.field_phone_hint.to_string(), error: err("requester_phone"),
                oninput: move |v| set("requester_phone", v), onblur: move |_| touch("requester_phone") }
            Field { id: "requester_email", label: label("requester_email"), required: is_required("requester_email"),
                value: d.requester_email.clone(), kind: "email", error: err("requester_email"),
                oninput: move |v| set("requester_email", v), onblur: move |_| touch("requester_email") }
            div { class: if attach_error().is_some() { "field invalid" } else { "field" },
                label { r#for: "attachment", {label("attachment")} }
                input { id: "attachment", name: "attachment", r#type: "file", accept: "application/pdf,image/jpeg,image/png",
                    "aria-describedby": "attachment-hint", onchange: pick }
                div { class: "hint", id: "attachment-hint", "{t.words.attachment_hint}" }
                if let Some(e) = attach_error() {
                    div { class: "error", role: "alert", "{e}" }
                }
                if let Some(n) = attach_note() {
                    div { class: "small", role: "status", "{n}" }
                }
                ul { class: "small",
                    for f in draft_files {
                        li { key: "{f.id}",
                            "{f.filename} ({crate::ui::attachments::format_size(f.size, lang)}) "
                            button { class: "secondary", r#type: "button", "aria-label": "{t.remove} {f.filename}",
                                onclick: {
                                    let id = f.id.clone();
                                    move |_| { let _ = crate::ui::store().remove_draft_attachment(&id); }
                                },
                                "{t.remove}"
                            }
                        }
                    }
                }
            }
            p { class: "small muted", role: "note", "{t.draft_saved}" }
            if urgent {
                div { class: "notice warn urgent-warning", role: "status", "{t.urgent_warning_for(lead.num_days())}" }
            }
            button { class: "primary block", r#type: "submit", "{t.words.submit_request}" }
        }
    }
}
