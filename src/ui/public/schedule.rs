//! Jadwal Pimpinan: the public agenda by day or week, per leader, from the local cache.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dioxus::prelude::*;
use sepiion_core::time;
use sepiion_core::time::local_date;

use crate::ui::components::AgendaDays;
use crate::ui::{Services, Ui};

/// Day or week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Day,
    Week,
}

/// The local dates a view covers: the day, or Monday to Sunday of its week.
pub fn span_dates(span: Span, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    match span {
        Span::Day => (day, day),
        Span::Week => {
            let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
            (monday, monday + Duration::days(6))
        }
    }
}

/// Element ids of the controls (for tests that tap them).
pub const VIEW_WEEK: &str = "view-week";
pub const PREVIOUS: &str = "view-previous";

/// The day/week switch, the leader filter and the date stepper, shared with the staff agenda.
#[component]
pub fn AgendaControls(
    span: Signal<Span>,
    day: Signal<NaiveDate>,
    leader: Signal<Option<String>>,
) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let (from, to) = span_dates(span(), day());
    let label = if from == to {
        time::date(from, lang)
    } else {
        format!("{} – {}", time::date(from, lang), time::date(to, lang))
    };
    let step = if span() == Span::Day { 1 } else { 7 };
    let leaders = ui.leaders.read().clone();
    let today = local_date(Utc::now(), ui.tz);
    rsx! {
        div { class: "stack",
            div { class: "segmented", role: "group", "aria-label": "{t.words.view_day} / {t.words.view_week}",
                button { "aria-pressed": if span() == Span::Day { "true" } else { "false" },
                    onclick: move |_| span.set(Span::Day), "{t.words.view_day}" }
                button { id: "{VIEW_WEEK}", "aria-pressed": if span() == Span::Week { "true" } else { "false" },
                    onclick: move |_| span.set(Span::Week), "{t.words.view_week}" }
            }
            div { class: "field",
                label { r#for: "leader-filter", class: "sr-only", {t.field("leader_id")} }
                select { id: "leader-filter",
                    onchange: move |e| {
                        let v = e.value();
                        leader.set(if v.is_empty() { None } else { Some(v) });
                    },
                    option { value: "", selected: leader().is_none(), "{t.words.all_leaders}" }
                    for l in leaders {
                        option { key: "{l.id}", value: "{l.id}", selected: leader().as_deref() == Some(l.id.as_str()), "{l.title}" }
                    }
                }
            }
            div { class: "row spread",
                button { class: "secondary", id: "{PREVIOUS}", "aria-label": "{t.previous}",
                    onclick: move |_| day.set(day() - Duration::days(step)), "‹" }
                strong { class: "small", style: "flex:1;text-align:center", "{label}" }
                button { class: "secondary", "aria-label": "{t.next}",
                    onclick: move |_| day.set(day() + Duration::days(step)), "›" }
            }
            if day() != today {
                button { class: "secondary block", onclick: move |_| day.set(today), "{t.words.today}" }
            }
        }
    }
}

#[component]
pub fn Schedule() -> Element {
    let mut ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let span = use_signal(|| Span::Day);
    let day = use_signal(|| local_date(Utc::now(), ui.tz));
    let leader = use_signal(|| None::<String>);
    ui.watch_store();
    let (from, to) = span_dates(span(), day());
    let items: Vec<_> = services
        .store
        .agenda(leader().as_deref(), from, to, ui.tz)
        .unwrap_or_default()
        .into_iter()
        .map(|e| (e.item, e.pending))
        .collect();
    rsx! {
        AgendaControls { span, day, leader }
        AgendaDays { items, empty: t.no_public_items.to_string() }
        button { class: "secondary block", onclick: move |_| ui.changed(), "{t.refresh}" }
        crate::ui::calendar::PublicFeedLink {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_week_runs_monday_to_sunday() {
        let wed = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let (m, s) = span_dates(Span::Week, wed);
        assert_eq!(m, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
        assert_eq!(s, NaiveDate::from_ymd_opt(2026, 12, 6).unwrap());
        assert_eq!(span_dates(Span::Day, wed), (wed, wed));
    }
}
