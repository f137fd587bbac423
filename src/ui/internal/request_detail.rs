//! Rincian Permohonan: all fields, attachments, timeline, the dispositions thread, and the
//! actions this role may take with the input each needs. Before approving, clashes with the
//! leader's agenda are named.

use chrono::Utc;
use dioxus::prelude::*;
use sepiion_core::api::NoteInput;
use sepiion_core::model::Request;
use sepiion_core::time;
use sepiion_core::workflow::{Action, TransitionInput};

use super::agenda::local_conflicts;
use super::told::{action_done, told_of};
use super::{actions_for, current_user};
use crate::ui::components::{
    ActionStatus, ConfirmStep, ConflictList, PendingChip, StateChip, Timeline, UrgentChip,
};
use crate::ui::components::{focus_when_settled, settled};
use crate::ui::{Services, Ui};
use sepiion_core::conflict::Slot;

/// Inputs of the action form.
#[derive(Debug, Clone, PartialEq, Default)]
struct ActionInput {
    reason: String,
    leader_id: String,
    representative: String,
    start_date: String,
    start_time: String,
    end_time: String,
}

/// What the last action did: the action, the request as it then stood, who core's rule tells.
#[derive(Debug, Clone, PartialEq)]
struct Done {
    action: Action,
    after: Request,
    told: Vec<sepiion_core::notify::Recipient>,
}

/// Actions that end a request against the requester's wish: they ask once, naming what will
/// happen.
fn destructive(action: Action) -> bool {
    matches!(action, Action::Decline | Action::Cancel)
}

/// "@komang dan @ajudan.bupatii".
fn mention_list(names: &[String], t: &crate::i18n::Texts) -> String {
    let at: Vec<String> = names.iter().map(|n| format!("@{n}")).collect();
    match at.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), t.and),
    }
}

/// The question a destructive action asks, naming the request.
fn confirm_question(t: &crate::i18n::Texts, action: Action, title: &str) -> String {
    let template = if action == Action::Decline {
        t.decline_confirm
    } else {
        t.staff_cancel_confirm
    };
    template.replace("{title}", title)
}

fn needs(action: Action) -> (&'static [&'static str], bool) {
    // (inputs shown, whether the reason is required)
    match action {
        Action::Decline | Action::RequestInfo => (&["reason"], true),
        Action::Cancel => (&["reason"], true),
        Action::ForwardToLeader => (&["leader_id"], false),
        Action::Represent => (&["representative"], false),
        Action::ProposeTime => (&["when", "reason"], false),
        _ => (&[], false),
    }
}

#[component]
pub fn RequestDetail(id: String) -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let mut chosen = use_signal(|| None::<Action>);
    let mut input = use_signal(ActionInput::default);
    let mut message = use_signal(|| None::<String>);
    let mut done = use_signal(|| None::<Done>);
    // Just acted: the action buttons wait a moment (a double tap's second tap lands on them).
    let mut settling = use_signal(|| false);
    let mut note_done = use_signal(|| 0u32);
    let mut note_instruction = use_signal(String::new);
    let mut note_text = use_signal(String::new);
    // The note's id, kept until it is saved: a second tap names the same note.
    let mut note_id = use_signal(|| uuid::Uuid::new_v4().to_string());
    ui.watch_store();
    let store = services.store.clone();
    let Some(detail) = store.request_detail(&id).ok().flatten() else {
        return rsx! { p { class: "muted", "{t.no_requests}" } };
    };
    let Some(user) = current_user(&store) else {
        return rsx! {};
    };
    let r: Request = detail.request.request.clone();
    let actions = actions_for(&user, &r);
    let leader_for = r.assigned_leader_id.clone().or(r.leader_id.clone());
    let conflicts = match &leader_for {
        Some(l) if !r.state.is_final() && r.agenda_item_id.is_none() => {
            local_conflicts(&store, ui.tz, &Slot::of_request(&r, l))
        }
        _ => Vec::new(),
    };
    let representatives = store.representatives().unwrap_or_default();

    let lead_time = services.store.lead_time().unwrap_or(chrono::Duration::days(
        sepiion_core::notify::DEFAULT_LEAD_TIME_DAYS,
    ));
    let cx = sepiion_core::notify::NotifyContext {
        tz: ui.tz,
        now: chrono::Utc::now(),
        lead_time,
    };
    let act_store = store.clone();
    let rid = r.id.clone();
    let before = r.clone();
    let actor = user.clone();
    let mut run = move |action: Action| {
        // A second tap before the screen redrew: the first one already acted.
        if chosen() != Some(action) {
            return;
        }
        let i = input();
        let mut ti = TransitionInput::new(action);
        let text = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        ti.reason = text(&i.reason);
        ti.leader_id = text(&i.leader_id);
        ti.representative = text(&i.representative);
        if action == Action::ProposeTime
            && let Some((s, e)) = parse_times(&i.start_date, &i.start_time, &i.end_time, ui.tz)
        {
            ti.proposed_starts_at = Some(s);
            ti.proposed_ends_at = Some(e);
        }
        match act_store.transition(&rid, ti) {
            Ok(after) => {
                chosen.set(None);
                input.set(ActionInput::default());
                message.set(None);
                let told = told_of(&actor, &before, &after, action, &cx);
                done.set(Some(Done {
                    action,
                    after,
                    told,
                }));
                settling.set(true);
                focus_when_settled("action-done");
                spawn(async move {
                    settled().await;
                    settling.set(false);
                });
                ui.changed();
            }
            Err(e) => message.set(Some(e.text(lang))),
        }
    };
    let note_store = store.clone();
    let note_rid = r.id.clone();
    let add_note = move |e: FormEvent| {
        e.prevent_default();
        let note = NoteInput {
            id: Some(note_id()),
            instruction: note_instruction(),
            text: note_text(),
        };
        match note_store.add_note(&note_rid, note) {
            Ok(_) => {
                note_id.set(uuid::Uuid::new_v4().to_string());
                note_instruction.set(String::new());
                note_text.set(String::new());
                message.set(None);
                *note_done.write() += 1;
                focus_when_settled("note-added");
                ui.changed();
            }
            Err(e) => message.set(Some(e.text(lang))),
        }
    };
    let leaders = ui.leaders.read().clone();
    // The requester's current status message, for sending by hand when no gateway is set up.
    let reps = representatives.clone();
    let done_text = done().map(|d| {
        // Told already once the change has reached the server; until then, once it does.
        let sent = !detail.request.pending;
        action_done(
            t,
            d.action,
            &d.after,
            &d.told,
            sent,
            &|l| ui.leader_title(l),
            &|id| {
                reps.iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
                    .unwrap_or_else(|| id.to_string())
            },
        )
    });
    let wa_link = sepiion_core::phone::wa_me_link(
        &r.requester_phone,
        sepiion_core::notify::requester_message(&r, &cx).get(lang),
    );
    let unmatched = services
        .store
        .unmatched_mentions(&note_instruction.read(), &note_text.read());
    rsx! {
        section { class: "card",
            div { class: "row spread",
                StateChip { state: r.state }
                UrgentChip { state: r.state, starts_at: r.starts_at }
                if detail.request.pending { PendingChip {} }
            }
            h2 { "{r.title}" }
            p { class: "small", "{time::when(r.starts_at, r.ends_at, ui.tz, lang)}" }
            dl { class: "small",
                dt { class: "muted", {t.field("kind")} } dd { "{t.words.kind(r.kind)}" }
                dt { class: "muted", {t.field("leader_id")} }
                dd { {leader_for.as_ref().map(|l| ui.leader_title(l)).unwrap_or_else(|| t.words.either_leader.to_string())} }
                dt { class: "muted", {t.field("location")} } dd { "{r.location}" }
                dt { class: "muted", {t.field("organizer")} } dd { "{r.organizer}" }
                dt { class: "muted", "{t.requester}" } dd { "{r.requester_name}" }
                dt { class: "muted", "{t.contact}" }
                dd {
                    if let Some(tel) = sepiion_core::phone::tel_link(&r.requester_phone) {
                        a { href: "{tel}", "{r.requester_phone}" }
                    } else {
                        "{r.requester_phone}"
                    }
                    if let Some(m) = &r.requester_email { " · {m}" }
                    if let Some(link) = &wa_link {
                        " · "
                        a { class: "wa-link", href: "{link}", target: "_blank", rel: "noopener", "{t.send_by_whatsapp}" }
                    }
                }
                dt { class: "muted", "{t.attendees}" } dd { "{r.expected_attendees}" }
                dt { class: "muted", {t.field("leader_role")} } dd { "{r.leader_role}" }
                if !r.dress_code.is_empty() {
                    dt { class: "muted", {t.field("dress_code")} } dd { "{r.dress_code}" }
                }
                if let Some(n) = &r.letter_number {
                    dt { class: "muted", "{t.letter}" } dd { "{n}" }
                }
                if let Some(rep) = &r.representative {
                    dt { class: "muted", "{t.words.represented_by}" } dd { "{rep}" }
                }
            }
            p { "{r.description}" }
            if let Some(info) = &r.supplied_info {
                div { class: "notice ok", strong { "{t.supplied_info}: " } "{info}" }
            }
            if !r.attachments.is_empty() {
                h3 { "{t.attachments}" }
                crate::ui::attachments::AttachmentList { request_id: r.id.clone(), attachments: r.attachments.clone() }
            }
        }
        // The clashes once: here, or (while approving) inside the step that approves.
        if !conflicts.is_empty() && !chosen().is_some_and(|a| matches!(a, Action::Approve | Action::Represent)) {
            section { class: "card conflict",
                ConflictList { conflicts: conflicts.clone() }
            }
        }
        section { class: "card",
            h2 { "{t.actions_title}" }
            ActionStatus { id: "action-done", message: done_text }
            if actions.is_empty() {
                p { class: "muted small", "{t.no_actions}" }
            }
            div { class: "row",
                for a in actions.clone() {
                    button { key: "{a.as_str()}",
                        id: "action-{a.as_str()}",
                        class: if destructive(a) { "danger" } else if chosen() == Some(a) { "primary" } else { "secondary" },
                        "aria-pressed": if chosen() == Some(a) { "true" } else { "false" },
                        disabled: settling(),
                        onclick: move |_| { chosen.set(Some(a)); message.set(None); },
                        "{t.words.action(a)}"
                    }
                }
            }
            if let Some(a) = chosen().filter(|a| destructive(*a)) {
                ConfirmStep {
                    key: "{a.as_str()}",
                    id: "confirm-action",
                    question: confirm_question(t, a, &r.title),
                    confirm_label: format!("{}: {}", t.confirm_action, t.words.action(a)),
                    return_to: format!("action-{}", a.as_str()),
                    onconfirm: {
                        let mut run = run.clone();
                        move |_| run(a)
                    },
                    oncancel: move |_| { chosen.set(None); message.set(None); },
                    div { class: "field",
                        label { r#for: "act-reason", "{t.reason_required}" }
                        textarea { id: "act-reason", value: "{input().reason}",
                            oninput: move |e| input.write().reason = e.value() }
                    }
                }
            }
            if let Some(a) = chosen().filter(|a| !destructive(*a)) {
                div { class: "stack",
                    if matches!(a, Action::Approve | Action::Represent) && !conflicts.is_empty() {
                        div { class: "notice error", role: "alert",
                            ConflictList { conflicts: conflicts.clone(), heading: t.conflicts_before_approve.to_string() }
                        }
                    }
                    if needs(a).0.contains(&"leader_id") {
                        div { class: "field",
                            label { r#for: "act-leader", "{t.choose_leader}" }
                            select { id: "act-leader", onchange: move |e| input.write().leader_id = e.value(),
                                option { value: "", "{t.words.either_leader}" }
                                for l in leaders.clone() {
                                    option { key: "{l.id}", value: "{l.id}",
                                        selected: input().leader_id == l.id || (input().leader_id.is_empty() && r.leader_id.as_deref() == Some(l.id.as_str())),
                                        "{l.title}" }
                                }
                            }
                        }
                    }
                    if needs(a).0.contains(&"representative") {
                        div { class: "field",
                            label { r#for: "act-rep", "{t.choose_representative}" }
                            select { id: "act-rep", onchange: move |e| input.write().representative = e.value(),
                                option { value: "", "—" }
                                for rep in representatives.clone() {
                                    option { key: "{rep.id}", value: "{rep.id}", "{rep.name} ({rep.position})" }
                                }
                            }
                        }
                    }
                    if needs(a).0.contains(&"when") {
                        div { class: "two",
                            div { class: "field",
                                label { r#for: "act-date", {t.field("start_date")} }
                                input { id: "act-date", r#type: "date", value: "{input().start_date}",
                                    oninput: move |e| input.write().start_date = e.value() }
                            }
                            div {}
                            div { class: "field",
                                label { r#for: "act-start", "{t.proposed_start}" }
                                input { id: "act-start", r#type: "time", value: "{input().start_time}",
                                    oninput: move |e| input.write().start_time = e.value() }
                            }
                            div { class: "field",
                                label { r#for: "act-end", "{t.proposed_end}" }
                                input { id: "act-end", r#type: "time", value: "{input().end_time}",
                                    oninput: move |e| input.write().end_time = e.value() }
                            }
                        }
                    }
                    if needs(a).0.contains(&"reason") {
                        div { class: "field",
                            label { r#for: "act-reason", if needs(a).1 { "{t.reason_required}" } else { "{t.reason_optional}" } }
                            textarea { id: "act-reason", value: "{input().reason}",
                                oninput: move |e| input.write().reason = e.value() }
                        }
                    }
                    button { class: "primary block", id: "act-{a.as_str()}", onclick: move |_| run(a), "{t.confirm_action}: {t.words.action(a)}" }
                }
            }
            if let Some(m) = message() {
                div { class: "notice error", role: "alert", "{m}" }
            }
        }
        section { class: "card",
            h2 { "{t.notes_title}" }
            if detail.notes.is_empty() {
                p { class: "muted small", "{t.no_notes}" }
            }
            for n in detail.notes.iter() {
                div { key: "{n.note.id}", class: "card",
                    div { class: "row spread small",
                        strong { "{n.note.author_name} · {t.words.role(n.note.author_role)}" }
                        span { class: "muted", "{time::datetime(n.note.created_at, ui.tz, lang)}" }
                    }
                    if !n.note.instruction.is_empty() {
                        div { class: "chip", "{n.note.instruction}" }
                    }
                    p { class: "small", "{n.note.text}" }
                    if n.pending { PendingChip {} }
                    {
                        // The server's answer: mentions that matched no account told nobody.
                        let unknown = store.unknown_mentions(&n.note.id).unwrap_or_default();
                        rsx! {
                            if !unknown.is_empty() {
                                p { class: "notice warn small",
                                    {t.mentions_unknown_server.replace("{names}", &mention_list(&unknown, t))}
                                }
                            }
                        }
                    }
                }
            }
            ActionStatus { id: "note-added",
                message: (note_done() > 0).then(|| t.note_added.to_string()) }
            form { onsubmit: add_note, class: "stack",
                div { class: "field",
                    label { r#for: "note-instruction", "{t.note_instruction}" }
                    input { id: "note-instruction", value: "{note_instruction}", oninput: move |e| note_instruction.set(e.value()) }
                }
                div { class: "field",
                    label { r#for: "note-text", "{t.note_text}" }
                    textarea { id: "note-text", value: "{note_text}",
                        "aria-describedby": if unmatched.is_empty() { "" } else { "note-mentions" },
                        oninput: move |e| note_text.set(e.value()) }
                }
                // Before sending: `@names` that match no staff account (the list the server
                // gave at the last sync), as the person types.
                if !unmatched.is_empty() {
                    p { id: "note-mentions", class: "notice warn small", role: "status",
                        {t.mentions_unknown.replace("{names}", &mention_list(&unmatched, t))}
                    }
                }
                button { class: "secondary block", r#type: "submit", "{t.add_note}" }
            }
        }
        section { class: "card",
            h2 { "{t.words.timeline}" }
            Timeline { entries: r.timeline.clone() }
        }
    }
}

/// The proposed start and end from a local date and two local times.
fn parse_times(
    date: &str,
    start: &str,
    end: &str,
    tz: chrono_tz::Tz,
) -> Option<(chrono::DateTime<Utc>, chrono::DateTime<Utc>)> {
    use chrono::{NaiveDate, NaiveTime, TimeZone};
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let at = |time: &str| {
        let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
        tz.from_local_datetime(&date.and_time(t))
            .earliest()
            .map(|x| x.with_timezone(&Utc))
    };
    Some((at(start)?, at(end)?))
}
