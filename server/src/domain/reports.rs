//! The monthly report: computed from the agenda and the requests (with the rules of
//! `sepiion_core::report`), and written as XLSX (rust_xlsxwriter, one sheet per table) or CSV.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;
use rusqlite::{Transaction, params};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use sepiion_core::model::{AgendaStatus, Attendance, RequestKind, RequestState};
use sepiion_core::report::*;
use sepiion_core::time::day_start;

use crate::domain::caller::Staff;
use crate::domain::context::Ctx;
use crate::domain::visibility::staff_sees_item;
use crate::error::ApiResult;
use crate::storage::rows::{load_agenda_range, load_leaders};

/// The first day of the month after `first`.
fn next_month(first: NaiveDate) -> NaiveDate {
    first + Months::new(1)
}

fn month_key(first: NaiveDate) -> String {
    first.format("%Y-%m").to_string()
}

fn counts<K: Copy + Eq + std::hash::Hash>(
    keys: &[K],
    name: impl Fn(K) -> &'static str,
    values: impl Iterator<Item = K>,
) -> Vec<Count> {
    let mut by: HashMap<K, i64> = HashMap::new();
    for v in values {
        *by.entry(v).or_default() += 1;
    }
    keys.iter()
        .map(|k| Count {
            key: name(*k).to_string(),
            count: by.get(k).copied().unwrap_or(0),
        })
        .collect()
}

fn agenda_of_month(
    tx: &Transaction,
    staff: &Staff,
    tz: Tz,
    first: NaiveDate,
) -> ApiResult<Vec<LeaderAgendaReport>> {
    let (start, end) = (day_start(first, tz), day_start(next_month(first), tz));
    // Items that start in the month and that this reader may see (the agenda API's rule).
    let items: Vec<_> = load_agenda_range(tx, None, start, end)?
        .into_iter()
        .filter(|i| i.starts_at >= start && staff_sees_item(staff, i))
        .collect();
    let mut out = Vec::new();
    for leader in load_leaders(tx)? {
        let mine: Vec<_> = items.iter().filter(|i| i.leader_id == leader.id).collect();
        let held: Vec<_> = mine
            .iter()
            .filter(|i| i.status != AgendaStatus::Cancelled)
            .collect();
        let mut categories: BTreeMap<String, i64> = BTreeMap::new();
        for i in &held {
            let c = i.category.trim();
            *categories
                .entry(if c.is_empty() { "-" } else { c }.to_string())
                .or_default() += 1;
        }
        let mut by_category: Vec<Count> = categories
            .into_iter()
            .map(|(key, count)| Count { key, count })
            .collect();
        by_category.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        out.push(LeaderAgendaReport {
            leader_id: leader.id.clone(),
            leader_title: leader.title.clone(),
            items: held.len() as i64,
            cancelled: (mine.len() - held.len()) as i64,
            by_attendance: counts(
                &Attendance::ALL,
                Attendance::as_str,
                held.iter().map(|i| i.attendance),
            ),
            by_category,
        });
    }
    Ok(out)
}

/// A submitted request with the times of its first staff action and its decision.
struct Timed {
    created_at: i64,
    kind: RequestKind,
    state: RequestState,
    first_action: Option<i64>,
    decision: Option<i64>,
}

fn requests_between(tx: &Transaction, from: i64, to: i64) -> ApiResult<Vec<Timed>> {
    let mut st = tx.prepare_cached(
        "SELECT r.id, r.created_at, r.kind, r.state, e.at, e.actor, e.to_state
         FROM requests r LEFT JOIN request_events e ON e.request_id = r.id
         WHERE r.created_at >= ?1 AND r.created_at < ?2
         ORDER BY r.id, e.at, e.id",
    )?;
    let mut rows = st.query(params![from, to])?;
    let mut out: Vec<Timed> = Vec::new();
    let mut current: Option<String> = None;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if current.as_deref() != Some(id.as_str()) {
            let kind: String = r.get(2)?;
            let state: String = r.get(3)?;
            out.push(Timed {
                created_at: r.get(1)?,
                kind: RequestKind::parse(&kind).unwrap_or(RequestKind::Lainnya),
                state: RequestState::parse(&state).unwrap_or(RequestState::Submitted),
                first_action: None,
                decision: None,
            });
            current = Some(id);
        }
        let t = out.last_mut().expect("pushed above");
        let at: Option<i64> = r.get(4)?;
        let actor: Option<String> = r.get(5)?;
        let to_state: Option<String> = r.get(6)?;
        if let Some(at) = at {
            if actor.as_deref() == Some("staff") && t.first_action.is_none() {
                t.first_action = Some(at);
            }
            if to_state
                .as_deref()
                .and_then(RequestState::parse)
                .is_some_and(is_decision)
                && t.decision.is_none()
            {
                t.decision = Some(at);
            }
        }
    }
    Ok(out)
}

fn hours(created: i64, at: Option<i64>) -> Option<f64> {
    at.map(|a| (a - created).max(0) as f64 / 3600.0)
}

/// Rounded to 0.01 h, so that JSON, CSV and XLSX carry the same figure.
fn round2(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 100.0).round() / 100.0)
}

fn response_times(month: String, reqs: &[&Timed]) -> ResponseTimes {
    let first: Vec<f64> = reqs
        .iter()
        .filter_map(|r| hours(r.created_at, r.first_action))
        .collect();
    let decided: Vec<f64> = reqs
        .iter()
        .filter_map(|r| hours(r.created_at, r.decision))
        .collect();
    ResponseTimes {
        month,
        submitted: reqs.len() as i64,
        first_action_count: first.len() as i64,
        first_action_median_hours: round2(percentile(&first, 50.0)),
        first_action_p90_hours: round2(percentile(&first, 90.0)),
        decision_count: decided.len() as i64,
        decision_median_hours: round2(percentile(&decided, 50.0)),
        decision_p90_hours: round2(percentile(&decided, 90.0)),
    }
}

/// Parses `YYYY-MM` into the month's first day (years 2000–2100).
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(2000..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, 1)
}

/// The report of the month starting `first`, as `staff` may see it.
pub fn monthly(
    tx: &Transaction,
    ctx: &Ctx,
    staff: &Staff,
    regency: String,
    first: NaiveDate,
) -> ApiResult<MonthlyReport> {
    let tz = ctx.tz;
    let trend_start = first - Months::new(11);
    let all = requests_between(
        tx,
        day_start(trend_start, tz).timestamp(),
        day_start(next_month(first), tz).timestamp(),
    )?;
    let mut trend = Vec::new();
    let mut m = trend_start;
    while m <= first {
        let (a, b) = (
            day_start(m, tz).timestamp(),
            day_start(next_month(m), tz).timestamp(),
        );
        let of_month: Vec<&Timed> = all
            .iter()
            .filter(|r| r.created_at >= a && r.created_at < b)
            .collect();
        trend.push(response_times(month_key(m), &of_month));
        m = next_month(m);
    }
    let month_start = day_start(first, tz).timestamp();
    let this: Vec<&Timed> = all.iter().filter(|r| r.created_at >= month_start).collect();
    Ok(MonthlyReport {
        month: month_key(first),
        regency,
        time_zone: tz.name().to_string(),
        agenda: agenda_of_month(tx, staff, tz, first)?,
        requests: RequestReport {
            total: this.len() as i64,
            by_kind: counts(
                &RequestKind::ALL,
                RequestKind::as_str,
                this.iter().map(|r| r.kind),
            ),
            by_state: counts(
                &RequestState::ALL,
                RequestState::as_str,
                this.iter().map(|r| r.state),
            ),
            by_outcome: counts(
                &Outcome::ALL,
                Outcome::as_str,
                this.iter().map(|r| Outcome::of(r.state)),
            ),
        },
        response_times: trend,
    })
}

/// One row of the flat table both exports are made from.
struct Row<'a> {
    table: &'static str,
    group: &'a str,
    key: &'a str,
    value: f64,
}

fn rows(r: &MonthlyReport) -> Vec<(&'static str, Vec<Row<'_>>)> {
    let mut agenda = Vec::new();
    for l in &r.agenda {
        agenda.push(Row {
            table: "agenda",
            group: &l.leader_title,
            key: "items",
            value: l.items as f64,
        });
        agenda.push(Row {
            table: "agenda",
            group: &l.leader_title,
            key: "cancelled",
            value: l.cancelled as f64,
        });
        for c in &l.by_attendance {
            agenda.push(Row {
                table: "agenda_attendance",
                group: &l.leader_title,
                key: &c.key,
                value: c.count as f64,
            });
        }
        for c in &l.by_category {
            agenda.push(Row {
                table: "agenda_category",
                group: &l.leader_title,
                key: &c.key,
                value: c.count as f64,
            });
        }
    }
    let mut requests = Vec::new();
    for (group, list) in [
        ("kind", &r.requests.by_kind),
        ("state", &r.requests.by_state),
        ("outcome", &r.requests.by_outcome),
    ] {
        for c in list {
            requests.push(Row {
                table: "requests",
                group,
                key: &c.key,
                value: c.count as f64,
            });
        }
    }
    vec![("agenda", agenda), ("requests", requests)]
}

/// A cell's text as a spreadsheet may safely open it (OWASP, CSV injection): text a spreadsheet
/// would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) gets a
/// leading `'`, so it is shown as text and never evaluated. Category names and leader titles are
/// typed by staff; nothing here is meant to be a formula.
pub fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The report as CSV: one flat table `table,group,key,value` for counts, then the response
/// times with one row per month. Headers are codes (English), as in the JSON.
pub fn to_csv(r: &MonthlyReport) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["table", "group", "key", "value"])?;
    for (_, list) in rows(r) {
        for row in list {
            w.write_record([
                row.table,
                &neutralise(row.group),
                &neutralise(row.key),
                &row.value.to_string(),
            ])?;
        }
    }
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for t in &r.response_times {
        for (key, value) in [
            ("submitted", Some(t.submitted as f64)),
            ("first_action_count", Some(t.first_action_count as f64)),
            ("first_action_median_hours", t.first_action_median_hours),
            ("first_action_p90_hours", t.first_action_p90_hours),
            ("decision_count", Some(t.decision_count as f64)),
            ("decision_median_hours", t.decision_median_hours),
            ("decision_p90_hours", t.decision_p90_hours),
        ] {
            w.write_record(["response_times", &t.month, key, &opt(value)])?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

fn header(ws: &mut Worksheet, bold: &Format, titles: &[&str]) -> Result<(), XlsxError> {
    for (c, t) in titles.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *t, bold)?;
        ws.set_column_width(c as u16, if c == 0 { 28 } else { 18 })?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// The report as an XLSX workbook: sheets "Agenda", "Permohonan" and "Waktu respons", with
/// numbers as numbers, months as dates, hours with two decimals.
pub fn to_xlsx(r: &MonthlyReport) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("0");
    let hours = Format::new().set_num_format("0.00");
    let month = Format::new().set_num_format("mmm yyyy");

    let ws = wb.add_worksheet();
    ws.set_name("Agenda")?;
    header(ws, &bold, &["Pimpinan", "Tabel", "Kunci", "Jumlah"])?;
    let tables = rows(r);
    for (i, row) in tables[0].1.iter().enumerate() {
        let n = i as u32 + 1;
        ws.write_string(n, 0, neutralise(row.group))?;
        ws.write_string(n, 1, row.table)?;
        ws.write_string(n, 2, neutralise(row.key))?;
        ws.write_number_with_format(n, 3, row.value, &count)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("Permohonan")?;
    header(ws, &bold, &["Kelompok", "Kunci", "Jumlah"])?;
    for (i, row) in tables[1].1.iter().enumerate() {
        let n = i as u32 + 1;
        ws.write_string(n, 0, neutralise(row.group))?;
        ws.write_string(n, 1, neutralise(row.key))?;
        ws.write_number_with_format(n, 2, row.value, &count)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name("Waktu respons")?;
    header(
        ws,
        &bold,
        &[
            "Bulan",
            "Diajukan",
            "Ditanggapi",
            "Median tanggapan (jam)",
            "P90 tanggapan (jam)",
            "Diputuskan",
            "Median keputusan (jam)",
            "P90 keputusan (jam)",
        ],
    )?;
    for (i, t) in r.response_times.iter().enumerate() {
        let n = i as u32 + 1;
        let first = parse_month(&t.month).expect("months are written by us");
        let date = ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, 1)?;
        ws.write_date_with_format(n, 0, &date, &month)?;
        ws.write_number_with_format(n, 1, t.submitted as f64, &count)?;
        ws.write_number_with_format(n, 2, t.first_action_count as f64, &count)?;
        for (col, v) in [
            (3, t.first_action_median_hours),
            (4, t.first_action_p90_hours),
            (6, t.decision_median_hours),
            (7, t.decision_p90_hours),
        ] {
            // No figure for a month without requests: an empty cell, not a zero.
            if let Some(v) = v {
                ws.write_number_with_format(n, col, v, &hours)?;
            }
        }
        ws.write_number_with_format(n, 5, t.decision_count as f64, &count)?;
    }
    wb.save_to_buffer()
}
