//! "Bagikan agenda": the day's agenda as a text for WhatsApp groups (a `wa.me` link), built
//! from the local store so it works offline (confidential items and internal fields are never
//! put in a text that leaves the office); and the server's Agenda Harian sheet as PDF or PNG,
//! typeset with what this account may see and saved as a file to print or send.

use sepiion_core::time;
use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use dioxus::prelude::*;
use sepiion_core::api::SheetFormat;
use sepiion_core::model::{AgendaItem, AgendaStatus, Attendance, Leader, Visibility};
use sepiion_core::validation::Lang;

use crate::i18n::Texts;
use crate::sync::SyncError;
use crate::ui::{Services, Ui, on_tokio, prefs};

/// The text of one day's agenda, grouped by leader in their order.
pub fn agenda_text(
    t: &Texts,
    lang: Lang,
    tz: Tz,
    day: NaiveDate,
    leaders: &[Leader],
    items: &[AgendaItem],
) -> String {
    let mut out = format!("*{}*\n{}\n", t.agenda_sheet_heading, time::date(day, lang));
    for leader in leaders {
        let mine: Vec<&AgendaItem> = items
            .iter()
            .filter(|i| {
                i.leader_id == leader.id
                    && i.status != AgendaStatus::Cancelled
                    && i.visibility != Visibility::Confidential
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        out.push_str(&format!("\n*{}*\n", leader.title));
        for i in mine {
            out.push_str(&format!(
                "• {} — {}\n  {}\n",
                time::time_range(i.starts_at, i.ends_at, tz, lang),
                i.title,
                i.location
            ));
            if i.attendance == Attendance::Represented
                && let Some(r) = &i.representative
            {
                out.push_str(&format!("  {}: {r}\n", t.words.represented_by));
            }
        }
    }
    if !out.contains('•') {
        out.push_str(&format!("\n{}\n", t.no_items));
    }
    out
}

/// What became of the last sheet asked for.
#[derive(Debug, Clone, PartialEq)]
enum SheetState {
    Idle,
    Busy,
    Saved(PathBuf),
    Failed(String),
}

/// Where saved files go: the folder set in the preferences, else the platform's.
fn download_dir(services: &Services) -> Result<PathBuf, String> {
    match services.store.pref(prefs::DOWNLOAD_DIR) {
        Ok(Some(dir)) if !dir.trim().is_empty() => Ok(PathBuf::from(dir)),
        _ => crate::platform::downloads_dir(services.store.variant()).map_err(|e| e.to_string()),
    }
}

/// The share panel of the agenda screen for `day` (and `leader`, or all).
#[component]
pub fn ShareAgenda(day: NaiveDate, leader: Option<String>) -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let lang = (ui.lang)();
    ui.watch_store();
    let items: Vec<AgendaItem> = services
        .store
        .agenda(leader.as_deref(), day, day, ui.tz)
        .unwrap_or_default()
        .into_iter()
        .map(|e| e.item)
        .collect();
    let leaders = ui.leaders.read().clone();
    let text = agenda_text(t, lang, ui.tz, day, &leaders, &items);
    let link = sepiion_core::phone::wa_me_share(&text);
    let mut sheet = use_signal(|| SheetState::Idle);
    // The sheet needs the server (it is typeset there); the file lands in the downloads folder
    // of the machine running the app.
    let save = move |format: SheetFormat| {
        let Some(engine) = services.engine.clone() else {
            sheet.set(SheetState::Failed(t.needs_network.to_string()));
            return;
        };
        let dir = download_dir(&services);
        let leader = leader.clone();
        sheet.set(SheetState::Busy);
        spawn(async move {
            let answer = on_tokio(async move {
                let body = engine
                    .agenda_sheet(day, leader.as_deref(), format)
                    .await
                    .map_err(|e| match e {
                        SyncError::Server { body: Some(b), .. } => b.message,
                        _ => t.needs_network.to_string(),
                    })?;
                let path = dir?.join(format.file_name(day));
                let written = path.clone();
                tokio::task::spawn_blocking(move || std::fs::write(&written, body))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| format!("{}: {e}", t.sheet_not_saved))?;
                Ok::<_, String>(path)
            })
            .await;
            sheet.set(match answer {
                Some(Ok(path)) => SheetState::Saved(path),
                Some(Err(message)) => SheetState::Failed(message),
                None => SheetState::Failed(t.sheet_not_saved.to_string()),
            });
        });
    };
    let (mut save_pdf, mut save_png) = (save.clone(), save);
    let busy = sheet() == SheetState::Busy;
    rsx! {
        details { class: "card", id: "share-agenda",
            summary { "{t.share_agenda}" }
            textarea { readonly: true, rows: "8", "aria-label": "{t.share_agenda}", "{text}" }
            a { class: "primary block", href: "{link}", target: "_blank", rel: "noopener", "{t.words.share_whatsapp}" }
            button { class: "secondary block", id: "sheet-pdf", r#type: "button", disabled: busy,
                onclick: move |_| save_pdf(SheetFormat::Pdf), "{t.sheet_pdf}" }
            button { class: "secondary block", id: "sheet-png", r#type: "button", disabled: busy,
                onclick: move |_| save_png(SheetFormat::Png), "{t.sheet_png}" }
            match sheet() {
                SheetState::Busy => rsx! { p { class: "notice", role: "status", "{t.sheet_busy}" } },
                SheetState::Saved(path) => rsx! {
                    p { class: "notice ok", role: "status", id: "sheet-saved", "{t.sheet_saved} {path.display()}" }
                },
                SheetState::Failed(m) => rsx! { p { class: "notice warn", role: "alert", "{m}" } },
                SheetState::Idle => rsx! {},
            }
        }
    }
}
