//! "Bagikan agenda": the day's agenda as a text for WhatsApp groups (a `wa.me` link). Built
//! from the local store, so it works offline; confidential items and internal fields are never
//! put in a text that leaves the office.

use chrono::NaiveDate;
use chrono_tz::Tz;
use dioxus::prelude::*;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use sepiion_core::model::{AgendaItem, AgendaStatus, Attendance, Leader, Visibility};
use sepiion_core::validation::Lang;

use crate::i18n::Texts;
use crate::ui::{Services, Ui, fmt};

/// The text of one day's agenda, grouped by leader in their order.
pub fn agenda_text(
    t: &Texts,
    lang: Lang,
    tz: Tz,
    day: NaiveDate,
    leaders: &[Leader],
    items: &[AgendaItem],
) -> String {
    let mut out = format!("*{}*\n{}\n", t.agenda_sheet_heading, fmt::date(day, lang));
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
                fmt::time_range(i.starts_at, i.ends_at, tz, lang),
                i.title,
                i.location
            ));
            if i.attendance == Attendance::Represented
                && let Some(r) = &i.representative
            {
                out.push_str(&format!("  {}: {r}\n", t.represented_by));
            }
        }
    }
    if !out.contains('•') {
        out.push_str(&format!("\n{}\n", t.no_items));
    }
    out
}

/// A `wa.me` link that opens WhatsApp with `text` ready to send.
pub fn whatsapp_link(text: &str) -> String {
    format!(
        "https://wa.me/?text={}",
        utf8_percent_encode(text, NON_ALPHANUMERIC)
    )
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
    let link = whatsapp_link(&text);
    rsx! {
        details { class: "card", id: "share-agenda",
            summary { "{t.share_agenda}" }
            textarea { readonly: true, rows: "8", "aria-label": "{t.share_agenda}", "{text}" }
            a { class: "primary block", href: "{link}", target: "_blank", rel: "noopener", "{t.share_whatsapp}" }
        }
    }
}
