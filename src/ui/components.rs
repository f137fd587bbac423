//! Small pieces both apps share: state chips, agenda lists, timelines, labelled form fields,
//! conflict warnings.

use chrono::NaiveDate;
use dioxus::prelude::*;
use sepiion_core::conflict::Conflict;
use sepiion_core::model::{AgendaItem, RequestState, TimelineEntry, Visibility};
use sepiion_core::time;
use sepiion_core::time::local_date;
use sepiion_core::validation::Lang;

use super::Ui;

/// The request state as a coloured chip, in the user's language.
#[component]
pub fn StateChip(state: RequestState) -> Element {
    let label = use_context::<Ui>().texts().words.state(state);
    rsx! {
        span { class: "chip state-{state.as_str()}", "{label}" }
    }
}

/// "Menunggu dikirim": a local change the server has not confirmed yet.
#[component]
pub fn PendingChip() -> Element {
    let t = use_context::<Ui>().texts();
    rsx! {
        span { class: "chip pending", role: "status", "{t.waiting_to_send}" }
    }
}

/// "Mendesak": the request still awaits an answer and its event starts sooner than the
/// regency's lead time. Renders nothing otherwise.
#[component]
pub fn UrgentChip(state: RequestState, starts_at: chrono::DateTime<chrono::Utc>) -> Element {
    let t = use_context::<Ui>().texts();
    let lead = crate::ui::store()
        .lead_time()
        .unwrap_or(chrono::Duration::days(
            sepiion_core::notify::DEFAULT_LEAD_TIME_DAYS,
        ));
    if !sepiion_core::notify::flag_urgent(state, starts_at, chrono::Utc::now(), lead) {
        return rsx! {};
    }
    rsx! {
        span { class: "chip urgent", "{t.urgent}" }
    }
}

/// One agenda item as a card. `internal` shows the staff-only fields when present.
#[component]
pub fn AgendaCard(
    item: AgendaItem,
    #[props(default)] pending: bool,
    #[props(default)] conflicts: Vec<Conflict>,
    #[props(default)] onselect: Option<EventHandler<String>>,
    /// Shown alone on its screen (its title is a level-2 heading), not under a day's heading.
    #[props(default)]
    standalone: bool,
) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    // Under a day's heading the hours are enough; alone on its screen it says the date too.
    let time = if standalone {
        time::when(item.starts_at, item.ends_at, ui.tz, lang)
    } else {
        time::time_range(item.starts_at, item.ends_at, ui.tz, lang)
    };
    let status = t.words.agenda_status(item.status);
    let cancelled = item.status == sepiion_core::AgendaStatus::Cancelled;
    let leader = ui.leader_title(&item.leader_id);
    let id = item.id.clone();
    let clickable = onselect.is_some();
    let class = if conflicts.is_empty() {
        "card"
    } else {
        "card conflict"
    };
    rsx! {
        article {
            class: if clickable { "{class} clickable" } else { "{class}" },
            tabindex: if clickable { "0" } else { "-1" },
            "aria-label": "{item.title}, {time}",
            onclick: move |_| {
                if let Some(h) = onselect {
                    h.call(id.clone());
                }
            },
            onkeydown: {
                let id = item.id.clone();
                move |e: KeyboardEvent| {
                    if e.key() == Key::Enter && let Some(h) = onselect {
                        h.call(id.clone());
                    }
                }
            },
            div { class: "row spread",
                span { class: "item-time", "{time}" }
                span { class: if cancelled { "chip cancelled" } else { "chip" }, "{status}" }
            }
            if standalone {
                h2 { "{item.title}" }
            } else {
                h3 { "{item.title}" }
            }
            div { class: "muted", "{leader} · {item.location}" }
            if let Some(rep) = &item.representative {
                div { class: "small", "{t.words.represented_by}: {rep}" }
            }
            if !item.dress_code.is_empty() {
                div { class: "small", {t.field("dress_code")} ": {item.dress_code}" }
            }
            if item.internal.is_some() {
                div { class: "row small",
                    if item.visibility == Visibility::Confidential {
                        span { class: "chip confidential", "{t.words.visibility(sepiion_core::Visibility::Confidential)}" }
                    } else {
                        span { class: "chip", "{t.words.visibility(item.visibility)}" }
                    }
                    span { class: "chip", "{t.words.attendance(item.attendance)}" }
                }
            }
            if pending {
                PendingChip {}
            }
            if !conflicts.is_empty() {
                ConflictList { conflicts: conflicts.clone() }
            }
        }
    }
}

/// Agenda items grouped under their local date.
#[component]
pub fn AgendaDays(
    items: Vec<(AgendaItem, bool)>,
    empty: String,
    #[props(default)] onselect: Option<EventHandler<String>>,
) -> Element {
    let ui = use_context::<Ui>();
    let lang = (ui.lang)();
    let mut days: Vec<(NaiveDate, Vec<(AgendaItem, bool)>)> = Vec::new();
    for (item, pending) in items {
        let d = local_date(item.starts_at, ui.tz);
        match days.last_mut() {
            Some((day, list)) if *day == d => list.push((item, pending)),
            _ => days.push((d, vec![(item, pending)])),
        }
    }
    rsx! {
        if days.is_empty() {
            p { class: "muted", role: "status", "{empty}" }
        }
        for (day, list) in days {
            section { key: "{day}",
                h2 { class: "day-heading", "{time::date(day, lang)}" }
                for (item, pending) in list {
                    AgendaCard { key: "{item.id}", item: item.clone(), pending, onselect }
                }
            }
        }
    }
}

/// Clashes named one per line, each clash once. `announce` makes it an alert: only where the
/// user's own action (a save) produced it, not on every card of a list, which would read out
/// each one at once. `heading` replaces "Bentrok jadwal" (a warning that says more).
#[component]
pub fn ConflictList(
    conflicts: Vec<Conflict>,
    #[props(default)] announce: bool,
    #[props(default)] heading: Option<String>,
) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let mut conflicts = conflicts;
    let mut seen = std::collections::HashSet::new();
    conflicts.retain(|c| seen.insert(c.other_id.clone()));
    let heading = heading.unwrap_or_else(|| t.conflict_heading.to_string());
    rsx! {
        div { role: announce.then_some("alert"),
            strong { "{heading}" }
            ul { class: "conflict-list",
                for c in conflicts {
                    li { key: "{c.other_id}", "{t.conflict(&c, ui.tz, (ui.lang)())}" }
                }
            }
        }
    }
}

/// A request's public timeline.
#[component]
pub fn Timeline(entries: Vec<TimelineEntry>) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    rsx! {
        ol { class: "timeline",
            for (i, e) in entries.into_iter().enumerate() {
                li { key: "{i}",
                    StateChip { state: e.to }
                    div { class: "small muted", "{time::datetime(e.at, ui.tz, lang)}" }
                    if let Some(role) = e.actor_role {
                        div { class: "small", "{t.words.role(role)}" }
                    }
                    if let Some(name) = &e.actor_name {
                        div { class: "small muted", "{name}" }
                    }
                    if let Some(reason) = &e.reason {
                        div { class: "small", "“{reason}”" }
                    }
                }
            }
        }
    }
}

/// The app's language (Bahasa Indonesia / English), kept in the device's preferences. Each
/// language is named in itself, marked with its `lang` for screen readers.
#[component]
pub fn LanguageSelect() -> Element {
    let mut ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    rsx! {
        div { class: "field",
            label { r#for: "language", "{t.language}" }
            select { id: "language",
                onchange: move |e| {
                    let chosen = if e.value() == "en" { Lang::En } else { Lang::Id };
                    let _ = super::store().set_language(chosen);
                    ui.lang.set(chosen);
                },
                option { value: "id", lang: "id", selected: lang == Lang::Id, "Bahasa Indonesia" }
                option { value: "en", lang: "en", selected: lang == Lang::En, "English" }
            }
        }
    }
}

/// What to fix after a failed submit, at the top of the form: one line per field, each a link
/// that moves focus to its field. It takes focus when it appears, and is the form's only alert,
/// so a screen reader hears one announcement; the fields' own messages are tied to them by
/// `aria-describedby`. Give it a `key` that changes with every failed submit, so that each one
/// moves focus here again.
#[component]
pub fn ErrorSummary(
    title: String,
    /// (the field's element id, its label, the message)
    errors: Vec<(String, String, String)>,
) -> Element {
    rsx! {
        div {
            class: "notice error error-summary",
            id: "error-summary",
            role: "alert",
            tabindex: "-1",
            onmounted: move |e: MountedEvent| async move {
                let _ = e.set_focus(true).await;
            },
            h2 { "{title}" }
            ul {
                for (id, label, message) in errors {
                    li { key: "{id}",
                        a {
                            href: "#{id}",
                            onclick: {
                                let id = id.clone();
                                move |_| {
                                    // The link's own jump scrolls; focus goes into the field too.
                                    document::eval(&format!("document.getElementById({id:?})?.focus()"));
                                }
                            },
                            "{label}: {message}"
                        }
                    }
                }
            }
        }
    }
}

/// A labelled input with its hint and error, wired for screen readers. A date field also shows
/// the chosen date spelled out in the app's language ("Senin, 30 November 2026"): the browser's
/// own date input follows the device's locale, which may not be the app's.
#[component]
pub fn Field(
    id: String,
    label: String,
    value: String,
    #[props(default)] kind: Option<String>,
    #[props(default)] hint: Option<String>,
    #[props(default)] error: Option<String>,
    #[props(default)] required: bool,
    #[props(default)] multiline: bool,
    oninput: EventHandler<String>,
    #[props(default)] onblur: Option<EventHandler<()>>,
) -> Element {
    let input_type = kind.unwrap_or_else(|| "text".into());
    let spelled = match (input_type.as_str(), try_use_context::<Ui>()) {
        ("date", Some(ui)) => chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d")
            .ok()
            .map(|d| time::date(d, (ui.lang)())),
        _ => None,
    };
    let described = [
        hint.as_ref().map(|_| format!("{id}-hint")),
        spelled.as_ref().map(|_| format!("{id}-date")),
        error.as_ref().map(|_| format!("{id}-error")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let invalid = if error.is_some() { "true" } else { "false" };
    rsx! {
        div { class: if error.is_some() { "field invalid" } else { "field" },
            label { r#for: "{id}",
                "{label}"
                if required {
                    span { class: "required", "aria-hidden": "true", " *" }
                }
            }
            if multiline {
                textarea {
                    id: "{id}",
                    name: "{id}",
                    value: "{value}",
                    required,
                    "aria-invalid": invalid,
                    "aria-describedby": "{described}",
                    oninput: move |e| oninput.call(e.value()),
                    onblur: move |_| {
                        if let Some(h) = onblur {
                            h.call(());
                        }
                    },
                }
            } else {
                input {
                    id: "{id}",
                    name: "{id}",
                    r#type: "{input_type}",
                    value: "{value}",
                    required,
                    "aria-invalid": invalid,
                    "aria-describedby": "{described}",
                    oninput: move |e| oninput.call(e.value()),
                    onblur: move |_| {
                        if let Some(h) = onblur {
                            h.call(());
                        }
                    },
                }
            }
            if let Some(h) = &hint {
                div { class: "hint", id: "{id}-hint", "{h}" }
            }
            if let Some(d) = &spelled {
                div { class: "hint", id: "{id}-date", "{d}" }
            }
            if let Some(err) = &error {
                div { class: "error", id: "{id}-error", "{err}" }
            }
        }
    }
}

/// A labelled select.
#[component]
pub fn SelectField(
    id: String,
    label: String,
    value: String,
    options: Vec<(String, String)>,
    #[props(default)] error: Option<String>,
    #[props(default)] required: bool,
    onchange: EventHandler<String>,
) -> Element {
    rsx! {
        div { class: if error.is_some() { "field invalid" } else { "field" },
            label { r#for: "{id}",
                "{label}"
                if required {
                    span { class: "required", "aria-hidden": "true", " *" }
                }
            }
            select {
                id: "{id}",
                name: "{id}",
                "aria-invalid": if error.is_some() { "true" } else { "false" },
                "aria-describedby": if error.is_some() { "{id}-error" } else { "" },
                // Browsers fire `input` and then `change` for a choice; both are heard (the
                // same value twice changes nothing), so a choice is never lost when one of the
                // two does not reach the app (seen now and then in the liveview build).
                oninput: move |e| onchange.call(e.value()),
                onchange: move |e| onchange.call(e.value()),
                for (v, text) in options {
                    option { key: "{v}", value: "{v}", selected: v == value, "{text}" }
                }
            }
            if let Some(err) = &error {
                div { class: "error", id: "{id}-error", "{err}" }
            }
        }
    }
}

/// Moves focus to element `id` once the screen has settled ([`SETTLE`]), scrolling it into
/// view. By id, not by a mounted handle: a message already on screen is updated in place (it
/// mounts only once), so each action asks for focus again through this.
pub fn focus_when_settled(id: &str) {
    let js = format!(
        "const m = document.getElementById({id:?}); \
         if (m) {{ m.scrollIntoView({{ block: 'nearest' }}); m.focus(); }}"
    );
    spawn(async move {
        settled().await;
        document::eval(&js);
    });
}

/// Waits [`SETTLE`] on tokio; at once where no tokio runtime runs the screen (component tests
/// render without one).
pub async fn settled() {
    if let Ok(tokio) = tokio::runtime::Handle::try_current() {
        let _ = tokio.spawn(tokio::time::sleep(SETTLE)).await;
    }
}

/// How long after an action the screen is left to settle: the buttons that replaced the tapped
/// one stay disabled, and the message takes focus only then, so that a double tap acts once and
/// its second tap neither acts again nor takes focus away.
pub const SETTLE: std::time::Duration = std::time::Duration::from_millis(600);

/// A destructive action's one question, inline where its button was: what will happen, said in
/// full (`question`), any input it needs (`children`), then the action and "Kembali". It is an
/// `alertdialog` that takes focus when it appears, so a screen reader reads the question; Esc or
/// "Kembali" closes it (`oncancel`) and focus goes back to `return_to` (the button that opened
/// it). `busy` disables the action while it runs, so a double tap acts once.
#[component]
pub fn ConfirmStep(
    /// The element id of the dialog; the question is `{id}-question`, the buttons
    /// `{id}-yes` and `{id}-no`.
    id: String,
    question: String,
    confirm_label: String,
    onconfirm: EventHandler<()>,
    oncancel: EventHandler<()>,
    /// The id of the element that gets focus back when the step is closed without acting.
    #[props(default)]
    return_to: Option<String>,
    #[props(default)] busy: bool,
    #[props(default)] children: Element,
) -> Element {
    let t = use_context::<Ui>().texts();
    let back = move || {
        oncancel.call(());
        if let Some(target) = &return_to {
            document::eval(&format!(
                "setTimeout(() => document.getElementById({target:?})?.focus(), 0)"
            ));
        }
    };
    let back_key = back.clone();
    let back_click = back;
    rsx! {
        div {
            class: "confirm-step notice warn stack",
            id: "{id}",
            role: "alertdialog",
            "aria-labelledby": "{id}-question",
            tabindex: "-1",
            onmounted: move |e: MountedEvent| async move {
                let _ = e.set_focus(true).await;
            },
            onkeydown: move |e: KeyboardEvent| {
                if e.key() == Key::Escape {
                    back_key();
                }
            },
            p { id: "{id}-question", strong { "{question}" } }
            {children}
            div { class: "row",
                button {
                    class: "danger",
                    id: "{id}-yes",
                    r#type: "button",
                    disabled: busy,
                    onclick: move |_| onconfirm.call(()),
                    "{confirm_label}"
                }
                button {
                    class: "secondary",
                    id: "{id}-no",
                    r#type: "button",
                    onclick: move |_| back_click(),
                    "{t.back}"
                }
            }
        }
    }
}

/// What the person's last action did, said where they are looking and to screen readers: a
/// polite live region that is always on the screen (so it is announced when its text changes),
/// whose message takes focus when it first appears; after a later action, call
/// [`focus_when_settled`] with the same `id`. Focus moves a moment later (after [`SETTLE`]):
/// the second tap of a double tap would otherwise land on whatever the screen now shows there
/// and take focus away again.
#[component]
pub fn ActionStatus(id: String, message: Option<String>) -> Element {
    rsx! {
        div { class: "action-status", role: "status", "aria-live": "polite",
            if let Some(m) = message {
                p {
                    class: "notice ok",
                    id: "{id}",
                    tabindex: "-1",
                    onmounted: {
                        let id = id.clone();
                        move |_: MountedEvent| focus_when_settled(&id)
                    },
                    "{m}"
                }
            }
        }
    }
}
