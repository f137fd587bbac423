//! Laporan: the monthly report for admin and protocol staff, with bar charts drawn as SVG in
//! the app (no chart service). The report is fetched through the sync engine (it needs the
//! network); [`ReportView`] draws a report it is given.

use chrono::Utc;
use dioxus::prelude::*;
use sepiion_core::report::MonthlyReport;
use sepiion_core::time::local_date;

use crate::sync::SyncError;
use crate::ui::{Services, Ui, on_tokio};

/// Horizontal bars: one row per `(label, value)`, scaled to the largest value.
#[component]
pub fn BarChart(title: String, bars: Vec<(String, f64)>, unit: String) -> Element {
    const ROW: f64 = 28.0;
    const LABEL: f64 = 130.0;
    const WIDTH: f64 = 340.0;
    let max = bars.iter().map(|b| b.1).fold(0.0_f64, f64::max);
    let height = (bars.len() as f64 * ROW).max(ROW);
    let scale = if max > 0.0 {
        (WIDTH - LABEL - 50.0) / max
    } else {
        0.0
    };
    rsx! {
        figure { class: "chart",
            figcaption { "{title}" }
            svg { view_box: "0 0 {WIDTH} {height}", width: "100%", role: "img", "aria-label": "{title}",
                for (i, (label, value)) in bars.iter().enumerate() {
                    g { key: "{label}",
                        text { x: "0", y: "{i as f64 * ROW + 18.0}", font_size: "12", fill: "currentColor", "{label}" }
                        rect { class: "bar", x: "{LABEL}", y: "{i as f64 * ROW + 6.0}",
                            width: "{(value * scale).max(0.0)}", height: "{ROW - 10.0}", fill: "#1f6f8b" }
                        text { x: "{LABEL + value * scale + 6.0}", y: "{i as f64 * ROW + 18.0}", font_size: "12",
                            fill: "currentColor", "{fmt_value(*value)}{unit}" }
                    }
                }
            }
        }
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}").replace('.', ",")
    }
}

/// The figures of a report, as charts.
#[component]
pub fn ReportView(report: MonthlyReport) -> Element {
    let ui = use_context::<Ui>();
    let t = ui.texts();
    let r = &report;
    let outcomes: Vec<(String, f64)> = r
        .requests
        .by_outcome
        .iter()
        .map(|c| (t.outcome_label(&c.key), c.count as f64))
        .collect();
    let kinds: Vec<(String, f64)> = r
        .requests
        .by_kind
        .iter()
        .map(|c| {
            let label = sepiion_core::model::RequestKind::parse(&c.key)
                .map(|k| t.words.kind(k).to_string())
                .unwrap_or_else(|| c.key.clone());
            (label, c.count as f64)
        })
        .collect();
    let month_label = |m: &str| m.get(2..).unwrap_or(m).to_string();
    let first: Vec<(String, f64)> = r
        .response_times
        .iter()
        .map(|m| {
            (
                month_label(&m.month),
                m.first_action_median_hours.unwrap_or(0.0),
            )
        })
        .collect();
    let decision: Vec<(String, f64)> = r
        .response_times
        .iter()
        .map(|m| {
            (
                month_label(&m.month),
                m.decision_median_hours.unwrap_or(0.0),
            )
        })
        .collect();
    rsx! {
        section { class: "card stack", id: "report",
            h2 { "{r.regency} · {r.month}" }
            for l in r.agenda.iter() {
                BarChart { key: "{l.leader_id}", title: format!("{} — {}", t.report_agenda, l.leader_title),
                    unit: String::new(),
                    bars: l.by_attendance.iter().map(|c| {
                        let label = sepiion_core::model::Attendance::parse(&c.key)
                            .map(|a| t.words.attendance(a).to_string())
                            .unwrap_or_else(|| c.key.clone());
                        (label, c.count as f64)
                    }).collect::<Vec<_>>() }
                if !l.by_category.is_empty() {
                    BarChart { title: format!("{} — {}", t.report_categories, l.leader_title), unit: String::new(),
                        bars: l.by_category.iter().map(|c| (c.key.clone(), c.count as f64)).collect::<Vec<_>>() }
                }
            }
            BarChart { title: t.report_requests.to_string(), bars: outcomes, unit: String::new() }
            BarChart { title: t.report_kinds.to_string(), bars: kinds, unit: String::new() }
            BarChart { title: format!("{} — {}", t.report_response, t.report_first_action), bars: first, unit: " j".to_string() }
            BarChart { title: format!("{} — {}", t.report_response, t.report_decision), bars: decision, unit: " j".to_string() }
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
