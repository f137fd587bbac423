//! Laporan: the monthly report for admin and protocol staff, as tables whose rows carry bars
//! drawn as SVG in the app (no chart service). The report is fetched through the sync engine (it needs the
//! network); [`ReportView`] draws a report it is given.

use chrono::Utc;
use dioxus::prelude::*;
use sepiion_core::report::{Count, MonthlyReport};
use sepiion_core::time;
use sepiion_core::time::local_date;
use sepiion_core::validation::Lang;

use crate::i18n::Texts;
use crate::sync::SyncError;
use crate::ui::{Services, Ui, on_tokio};

/// One column of figures: its heading and one value per row (`None`: no data that month).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub heading: String,
    pub values: Vec<Option<f64>>,
}

/// Figures as a table that is its own bar chart: a caption, a header row, one row per label
/// (`th scope="row"`), each value written out (with `unit`, or "Tidak ada data") beside a bar
/// scaled to its column's largest value. The bars are drawing only (SVG, `aria-hidden`); the
/// numbers are the table's text, so screen readers read the figures and nothing is written
/// inside the drawing (no label cut behind a bar, no text shrunk with it on a phone).
#[component]
pub fn BarTable(
    caption: String,
    /// The heading of the label column.
    label_heading: String,
    labels: Vec<String>,
    columns: Vec<Column>,
    /// The unit after each number ("jam"/"h"), empty for counts.
    #[props(default)]
    unit: String,
) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let maxima: Vec<f64> = columns
        .iter()
        .map(|c| c.values.iter().flatten().copied().fold(0.0_f64, f64::max))
        .collect();
    rsx! {
        table { class: "report-table",
            caption { "{caption}" }
            thead {
                tr {
                    th { scope: "col", "{label_heading}" }
                    for c in columns.iter() {
                        th { scope: "col", "{c.heading}" }
                    }
                }
            }
            tbody {
                for (i, label) in labels.iter().enumerate() {
                    tr { key: "{i}",
                        th { scope: "row", "{label}" }
                        for (j, c) in columns.iter().enumerate() {
                            td { key: "{j}",
                                match c.values.get(i).copied().flatten() {
                                    Some(v) => rsx! {
                                        svg { class: "bar", "aria-hidden": "true", "focusable": "false",
                                            view_box: "0 0 100 10", preserve_aspect_ratio: "none",
                                            rect { x: "0", y: "0", height: "10",
                                                width: "{bar_width(v, maxima[j])}" }
                                        }
                                        span { class: "figure", {with_unit(&fmt_value(v, lang), &unit)} }
                                    },
                                    None => rsx! {
                                        span { class: "figure muted", "{t.report_no_data}" }
                                    },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A bar's length in a 100-wide box: at least a sliver for any value above zero.
fn bar_width(v: f64, max: f64) -> f64 {
    if max <= 0.0 || v <= 0.0 {
        0.0
    } else {
        (v / max * 100.0).max(1.5)
    }
}

fn with_unit(value: &str, unit: &str) -> String {
    if unit.is_empty() {
        value.to_string()
    } else {
        format!("{value} {unit}")
    }
}

/// "12,5" in Bahasa Indonesia, "12.5" in English; whole numbers without decimals.
pub fn fmt_value(v: f64, lang: Lang) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.1}");
        match lang {
            Lang::Id => s.replace('.', ","),
            Lang::En => s,
        }
    }
}

/// Counts as one column ("Jumlah"), labelled by `label`.
fn counts(
    t: &Texts,
    counts: &[Count],
    label: impl Fn(&str) -> String,
) -> (Vec<String>, Vec<Column>) {
    (
        counts.iter().map(|c| label(&c.key)).collect(),
        vec![Column {
            heading: t.report_count.to_string(),
            values: counts.iter().map(|c| Some(c.count as f64)).collect(),
        }],
    )
}

/// The figures of a report, as tables with bars.
#[component]
pub fn ReportView(report: MonthlyReport) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let lang = (ui.lang)();
    let r = &report;
    let attendance = |key: &str| {
        sepiion_core::model::Attendance::parse(key)
            .map(|a| t.words.attendance(a).to_string())
            .unwrap_or_else(|| key.to_string())
    };
    let kind = |key: &str| {
        sepiion_core::model::RequestKind::parse(key)
            .map(|k| t.words.kind(k).to_string())
            .unwrap_or_else(|| key.to_string())
    };
    let (outcome_labels, outcome_cols) = counts(t, &r.requests.by_outcome, |k| t.outcome_label(k));
    let (kind_labels, kind_cols) = counts(t, &r.requests.by_kind, kind);
    let months: Vec<String> = r
        .response_times
        .iter()
        .map(|m| time::month_short(&m.month, lang))
        .collect();
    let response = vec![
        Column {
            heading: t.report_first_action.to_string(),
            values: r
                .response_times
                .iter()
                .map(|m| m.first_action_median_hours)
                .collect(),
        },
        Column {
            heading: t.report_decision.to_string(),
            values: r
                .response_times
                .iter()
                .map(|m| m.decision_median_hours)
                .collect(),
        },
    ];
    rsx! {
        section { class: "card stack", id: "report",
            h2 { "{r.regency} · {time::month_of(&r.month, lang)}" }
            for l in r.agenda.iter() {
                {
                    let (labels, columns) = counts(t, &l.by_attendance, attendance);
                    rsx! {
                        BarTable { key: "{l.leader_id}-attendance",
                            caption: format!("{} — {}", t.report_agenda, l.leader_title),
                            label_heading: t.attendance.to_string(), labels, columns }
                    }
                }
                if !l.by_category.is_empty() {
                    {
                        let (labels, columns) = counts(t, &l.by_category, |k| k.to_string());
                        rsx! {
                            BarTable { key: "{l.leader_id}-categories",
                                caption: format!("{} — {}", t.report_categories, l.leader_title),
                                label_heading: t.category.to_string(), labels, columns }
                        }
                    }
                }
            }
            BarTable { caption: t.report_requests.to_string(), label_heading: t.report_item.to_string(),
                labels: outcome_labels, columns: outcome_cols }
            BarTable { caption: t.report_kinds.to_string(), label_heading: t.field("kind").to_string(),
                labels: kind_labels, columns: kind_cols }
            BarTable { caption: t.report_response.to_string(), label_heading: t.report_month.to_string(),
                labels: months, columns: response, unit: t.hours_unit.to_string() }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Loaded {
    Idle,
    Busy,
    Report(Box<MonthlyReport>),
    Message(String),
}

/// The Laporan screen: pick a month, fetch, show.
#[component]
pub fn Reports() -> Element {
    let ui = use_context::<Ui>();
    let services = use_context::<Services>();
    let t = ui.texts();
    let mut month = use_signal(|| local_date(Utc::now(), ui.tz).format("%Y-%m").to_string());
    let mut state = use_signal(|| Loaded::Idle);
    let load = move |e: FormEvent| {
        e.prevent_default();
        let Some(engine) = services.engine.clone() else {
            state.set(Loaded::Message(t.needs_network.to_string()));
            return;
        };
        let wanted = month();
        state.set(Loaded::Busy);
        spawn(async move {
            let answer = on_tokio(async move { engine.monthly_report(&wanted).await }).await;
            state.set(match answer {
                Some(Ok(r)) => Loaded::Report(Box::new(r)),
                Some(Err(SyncError::Server { body: Some(b), .. })) => Loaded::Message(b.message),
                _ => Loaded::Message(t.needs_network.to_string()),
            });
        });
    };
    rsx! {
        form { onsubmit: load, class: "stack",
            div { class: "field",
                label { r#for: "report-month", "{t.report_month}" }
                input { id: "report-month", r#type: "month", value: "{month}", oninput: move |e| month.set(e.value()) }
            }
            button { class: "primary block", r#type: "submit", disabled: state() == Loaded::Busy, "{t.show_report}" }
        }
        match state() {
            Loaded::Report(r) => rsx! { ReportView { report: *r } },
            Loaded::Message(m) => rsx! { div { class: "notice warn", role: "alert", "{m}" } },
            _ => rsx! {},
        }
    }
}
