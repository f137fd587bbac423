//! Create or edit an agenda item: time and place, attendance and representative, visibility,
//! assigned staff. Saved locally at once (works offline); after saving the item's own screen opens,
//! with its clashes. A new item keeps one client id until it is saved, so a second tap cannot
//! make a second item.

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use dioxus::prelude::*;
use sepiion_core::api::AgendaItemInput;
use sepiion_core::model::{AgendaStatus, Attendance, StaffAssignment, Visibility};
use sepiion_core::validation::FieldErrors;

use super::current_user;
use crate::store::StoreError;
use crate::ui::components::{ErrorSummary, Field, SelectField};
use crate::ui::shell::Route;
use crate::ui::{Services, Ui};

/// The edit form as typed.
#[derive(Debug, Clone, PartialEq)]
struct Form {
    leader_id: String,
    title: String,
    date: String,
    start: String,
    end: String,
    location: String,
    category: String,
    visibility: Visibility,
    status: AgendaStatus,
    attendance: Attendance,
    representative: String,
    dress_code: String,
    staff: Vec<StaffAssignment>,
    running_order: String,
    internal_notes: String,
    base_version: Option<i64>,
}

#[component]
pub fn AgendaEdit(id: Option<String>) -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let store = services.store.clone();
    let tz = ui.tz;
    let user = current_user(&store);
    let existing = id
        .as_ref()
        .and_then(|i| store.agenda_item(i).ok().flatten())
        .map(|e| e.item);
    let default_leader = user
        .as_ref()
        .and_then(|u| u.leader_id.clone())
        .or_else(|| ui.leaders.read().first().map(|l| l.id.clone()))
        .unwrap_or_default();
    let mut form = use_signal(move || match &existing {
        Some(i) => {
            let internal = i.internal.clone().unwrap_or_default();
            Form {
                leader_id: i.leader_id.clone(),
                title: i.title.clone(),
                date: i.starts_at.with_timezone(&tz).date_naive().to_string(),
                start: i.starts_at.with_timezone(&tz).format("%H:%M").to_string(),
                end: i.ends_at.with_timezone(&tz).format("%H:%M").to_string(),
                location: i.location.clone(),
                category: i.category.clone(),
                visibility: i.visibility,
                status: i.status,
                attendance: i.attendance,
                representative: i.representative.clone().unwrap_or_default(),
                dress_code: i.dress_code.clone(),
                staff: internal.assigned_staff,
                running_order: internal.running_order,
                internal_notes: internal.internal_notes,
                base_version: Some(i.version),
            }
        }
        None => Form {
            leader_id: default_leader,
            title: String::new(),
            date: sepiion_core::time::local_date(Utc::now(), tz).to_string(),
            start: "09:00".into(),
            end: "10:00".into(),
            location: String::new(),
            category: String::new(),
            visibility: Visibility::Internal,
            status: AgendaStatus::Tentative,
            attendance: Attendance::InPerson,
            representative: String::new(),
            dress_code: String::new(),
            staff: Vec::new(),
            running_order: String::new(),
            internal_notes: String::new(),
            base_version: None,
        },
    });
    let mut errors = use_signal(FieldErrors::default);
    // Failed saves so far: keys the error summary, so each one moves focus to it again.
    let mut attempts = use_signal(|| 0u32);
    // The new item's id, chosen once: every tap on "Simpan" names the same item.
    let client_id = use_signal(|| uuid::Uuid::new_v4().to_string());
    // Set from the first tap until the store has answered; cleared only when saving failed.
    let mut saving = use_signal(|| false);
    let err = move |f: &str| errors.read().get(f).map(|m| m.get(lang).to_string());

    let save_store = store.clone();
    let edit_id = id.clone();
    let save = move |e: FormEvent| {
        e.prevent_default();
        if saving() {
            return;
        }
        let f = form();
        let at = |time: &str| {
            let d = NaiveDate::parse_from_str(&f.date, "%Y-%m-%d").ok()?;
            let t = NaiveTime::parse_from_str(time, "%H:%M").ok()?;
            tz.from_local_datetime(&d.and_time(t))
                .earliest()
                .map(|x| x.with_timezone(&Utc))
        };
        let (Some(starts_at), Some(ends_at)) = (at(&f.start), at(&f.end)) else {
            let mut e = FieldErrors::default();
            e.add(
                "starts_at",
                sepiion_core::validation::Msg::new(
                    "Isi tanggal dan jam yang benar.",
                    "Enter a valid date and time.",
                ),
            );
            errors.set(e);
            *attempts.write() += 1;
            return;
        };
        let input = AgendaItemInput {
            id: edit_id.is_none().then(|| client_id.cloned()),
            base_version: f.base_version,
            leader_id: f.leader_id.clone(),
            title: f.title.clone(),
            starts_at,
            ends_at,
            location: f.location.clone(),
            category: f.category.clone(),
            visibility: f.visibility,
            status: f.status,
            attendance: f.attendance,
            representative: (!f.representative.trim().is_empty()).then(|| f.representative.clone()),
            dress_code: f.dress_code.clone(),
            assigned_staff: f
                .staff
                .iter()
                .filter(|s| !s.name.trim().is_empty())
                .cloned()
                .collect(),
            running_order: f.running_order.clone(),
            internal_notes: f.internal_notes.clone(),
        };
        saving.set(true);
        let result = match &edit_id {
            Some(i) => save_store.update_agenda_item(i, input),
            None => save_store.create_agenda_item(input),
        };
        match result {
            Ok(item) => {
                errors.set(FieldErrors::default());
                ui.changed();
                // The saved item's screen shows it with its clashes, where the person looks.
                ui.replace(Route::AgendaItem(item.id));
            }
            Err(StoreError::Invalid(f)) => {
                saving.set(false);
                errors.set(f);
                *attempts.write() += 1;
            }
            Err(e) => {
                saving.set(false);
                let mut f = FieldErrors::default();
                f.add(
                    "title",
                    sepiion_core::validation::Msg::new(e.to_string(), e.to_string()),
                );
                errors.set(f);
                *attempts.write() += 1;
            }
        }
    };

    let f = form();
    // (error key, the element it belongs to, its label), in the order of the screen.
    let on_screen: [(&str, &str, &str); 12] = [
        ("leader_id", "leader_id", t.choose_leader),
        ("title", "item-title", t.field("title")),
        ("starts_at", "item-date", t.field("start_date")),
        ("ends_at", "item-end", t.field("end_time")),
        ("location", "item-location", t.field("location")),
        ("category", "item-category", t.category),
        ("visibility", "item-visibility", t.visibility),
        (
            "representative",
            "item-representative",
            t.choose_representative,
        ),
        ("dress_code", "item-dress", t.field("dress_code")),
        ("assigned_staff", "add-staff", t.assigned_staff),
        ("running_order", "item-running", t.running_order),
        ("internal_notes", "item-notes", t.internal_notes),
    ];
    let summary: Vec<(String, String, String)> = on_screen
        .iter()
        .filter_map(|(key, id, label)| err(key).map(|m| (id.to_string(), label.to_string(), m)))
        .collect();
    let leaders: Vec<(String, String)> = ui
        .leaders
        .read()
        .iter()
        .map(|l| (l.id.clone(), l.title.clone()))
        .collect();
    let visibilities: Vec<(String, String)> = Visibility::ALL
        .iter()
        .map(|v| (v.as_str().to_string(), t.words.visibility(*v).to_string()))
        .collect();
    let statuses: Vec<(String, String)> = AgendaStatus::ALL
        .iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                t.words.agenda_status(*s).to_string(),
            )
        })
        .collect();
    let attendances: Vec<(String, String)> = Attendance::ALL
        .iter()
        .map(|a| (a.as_str().to_string(), t.words.attendance(*a).to_string()))
        .collect();
    let mut reps: Vec<(String, String)> = vec![(String::new(), "—".into())];
    reps.extend(
        store
            .representatives()
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let label = format!("{} ({})", r.name, r.position);
                (label.clone(), label)
            }),
    );
    rsx! {
        if !summary.is_empty() {
            ErrorSummary { key: "{attempts}", title: t.form_has_errors, errors: summary }
        }
        form { onsubmit: save, novalidate: true, "aria-label": if id.is_some() { t.edit_item } else { t.new_item },
            SelectField { id: "leader_id", label: t.choose_leader, value: f.leader_id.clone(), options: leaders,
                error: err("leader_id"), onchange: move |v| form.write().leader_id = v }
            Field { id: "item-title", label: t.field("title"), value: f.title.clone(), required: true,
                error: err("title"), oninput: move |v| form.write().title = v }
            Field { id: "item-date", label: t.field("start_date"), value: f.date.clone(), kind: "date", required: true,
                error: err("starts_at"), oninput: move |v| form.write().date = v }
            div { class: "two",
                Field { id: "item-start", label: t.field("start_time"), value: f.start.clone(), kind: "time", required: true,
                    oninput: move |v| form.write().start = v }
                Field { id: "item-end", label: t.field("end_time"), value: f.end.clone(), kind: "time", required: true,
                    error: err("ends_at"), oninput: move |v| form.write().end = v }
            }
            Field { id: "item-location", label: t.field("location"), value: f.location.clone(), required: true,
                error: err("location"), oninput: move |v| form.write().location = v }
            Field { id: "item-category", label: t.category, value: f.category.clone(),
                error: err("category"), oninput: move |v| form.write().category = v }
            SelectField { id: "item-visibility", label: t.visibility, value: f.visibility.as_str().to_string(),
                options: visibilities, error: err("visibility"),
                onchange: move |v: String| if let Some(x) = Visibility::parse(&v) { form.write().visibility = x } }
            SelectField { id: "item-status", label: t.status_label, value: f.status.as_str().to_string(), options: statuses,
                onchange: move |v: String| if let Some(x) = AgendaStatus::parse(&v) { form.write().status = x } }
            SelectField { id: "item-attendance", label: t.attendance, value: f.attendance.as_str().to_string(),
                options: attendances,
                onchange: move |v: String| if let Some(x) = Attendance::parse(&v) { form.write().attendance = x } }
            if f.attendance == Attendance::Represented {
                SelectField { id: "item-representative", label: t.choose_representative, value: f.representative.clone(),
                    options: reps, error: err("representative"), onchange: move |v| form.write().representative = v }
            }
            Field { id: "item-dress", label: t.field("dress_code"), value: f.dress_code.clone(), error: err("dress_code"),
                oninput: move |v| form.write().dress_code = v }
            fieldset { class: "card",
                legend { "{t.assigned_staff}" }
                for (i, s) in f.staff.iter().enumerate() {
                    div { key: "{i}", class: "two",
                        Field { id: "staff-name-{i}", label: t.staff_name, value: s.name.clone(),
                            oninput: move |v| form.write().staff[i].name = v }
                        Field { id: "staff-duty-{i}", label: t.staff_duty, value: s.duty.clone(),
                            oninput: move |v| form.write().staff[i].duty = v }
                    }
                }
                if let Some(e) = err("assigned_staff") {
                    div { class: "error", "{e}" }
                }
                button { class: "secondary", r#type: "button", id: "add-staff",
                    onclick: move |_| form.write().staff.push(StaffAssignment { name: String::new(), duty: "Ajudan".into() }),
                    "+ {t.add_staff}" }
            }
            Field { id: "item-running", label: t.running_order, value: f.running_order.clone(), multiline: true,
                error: err("running_order"), oninput: move |v| form.write().running_order = v }
            Field { id: "item-notes", label: t.internal_notes, value: f.internal_notes.clone(), multiline: true,
                error: err("internal_notes"), oninput: move |v| form.write().internal_notes = v }
            button { class: "primary block", r#type: "submit", disabled: saving(), "{t.save}" }
        }
    }
}
