//! The monthly report: computed from the agenda and the requests (with the rules of
//! `sepiion_core::report`), and written as XLSX (rust_xlsxwriter, one sheet per table) or CSV.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::{Transaction, params};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use sepiion_core::i18n::Lang;
use sepiion_core::model::{AgendaStatus, Attendance, RequestKind, RequestState};
use sepiion_core::report::*;
use sepiion_core::time::{self, day_start};

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

/// Each leader's agenda of the month as `staff` may see it, and how many items were left out
/// because `staff` may not see them.
fn agenda_of_month(
    tx: &Transaction,
    staff: &Staff,
    tz: Tz,
    first: NaiveDate,
) -> ApiResult<(Vec<LeaderAgendaReport>, i64)> {
    let (start, end) = (day_start(first, tz), day_start(next_month(first), tz));
    // Items that start in the month and that this reader may see (the agenda API's rule).
    let (items, hidden): (Vec<_>, Vec<_>) = load_agenda_range(tx, None, start, end)?
        .into_iter()
        .filter(|i| i.starts_at >= start)
        .partition(|i| staff_sees_item(staff, i));
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
    Ok((out, hidden.len() as i64))
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
    let (agenda, left_out) = agenda_of_month(tx, staff, tz, first)?;
    Ok(MonthlyReport {
        month: month_key(first),
        regency,
        time_zone: tz.name().to_string(),
        agenda,
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
        left_out,
    })
}

/// What a report file says about itself: whose it is, which month, who made it and when, in the
/// reader's language. Both exports start with it.
pub struct Heading<'a> {
    pub lang: Lang,
    pub tz: Tz,
    pub made_by: &'a Staff,
    pub made_at: DateTime<Utc>,
}

/// The words of the report files (this screen's catalogue; the names of states, kinds,
/// outcomes, attendance and roles come from the core's).
struct Texts {
    title: &'static str,
    month: &'static str,
    made_by: &'static str,
    /// `{n}` agenda items the reader may not see.
    left_out: &'static str,
    items_group: &'static str,
    items_held: &'static str,
    items_cancelled: &'static str,
    attendance: &'static str,
    category: &'static str,
    kind: &'static str,
    state: &'static str,
    outcome: &'static str,
    agenda_sheet: &'static str,
    requests_sheet: &'static str,
    times_sheet: &'static str,
    agenda_columns: [&'static str; 4],
    requests_columns: [&'static str; 3],
    /// The month, then the seven figures of [`ResponseTimes`] in their order.
    times_columns: [&'static str; 8],
}

static ID_TEXTS: Texts = Texts {
    title: "Laporan Bulanan Kegiatan Pimpinan",
    month: "Bulan",
    made_by: "Dibuat oleh",
    left_out: "{n} agenda rahasia tidak termasuk dalam laporan ini (di luar wewenang Anda); angka-angka di bawah tanpa agenda tersebut.",
    items_group: "Kegiatan",
    items_held: "Tidak dibatalkan",
    items_cancelled: "Dibatalkan",
    attendance: "Kehadiran",
    category: "Kategori",
    kind: "Jenis",
    state: "Status",
    outcome: "Hasil",
    agenda_sheet: "Agenda",
    requests_sheet: "Permohonan",
    times_sheet: "Waktu respons",
    agenda_columns: ["Pimpinan", "Kelompok", "Rincian", "Jumlah"],
    requests_columns: ["Kelompok", "Rincian", "Jumlah"],
    times_columns: [
        "Bulan",
        "Diajukan",
        "Ditanggapi",
        "Median tanggapan (jam)",
        "P90 tanggapan (jam)",
        "Diputuskan",
        "Median keputusan (jam)",
        "P90 keputusan (jam)",
    ],
};

static EN_TEXTS: Texts = Texts {
    title: "Monthly report of the leaders' activities",
    month: "Month",
    made_by: "Made by",
    left_out: "Confidential agenda items left out of this report (outside your access): {n}. The figures below are without them.",
    items_group: "Items",
    items_held: "Not cancelled",
    items_cancelled: "Cancelled",
    attendance: "Attendance",
    category: "Category",
    kind: "Kind",
    state: "State",
    outcome: "Outcome",
    agenda_sheet: "Agenda",
    requests_sheet: "Requests",
    times_sheet: "Response times",
    agenda_columns: ["Leader", "Group", "Item", "Count"],
    requests_columns: ["Group", "Item", "Count"],
    times_columns: [
        "Month",
        "Submitted",
        "First action",
        "Median to first action (hours)",
        "P90 to first action (hours)",
        "Decided",
        "Median to decision (hours)",
        "P90 to decision (hours)",
    ],
};

fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Id => &ID_TEXTS,
        Lang::En => &EN_TEXTS,
    }
}

/// The title block: the report and the regency, the month in words, who made it (name and
/// role) and when, and, when the reader's report leaves agenda items out, how many.
fn title_lines(r: &MonthlyReport, h: &Heading) -> Vec<String> {
    let t = texts(h.lang);
    let first = parse_month(&r.month).expect("months are written by us");
    let mut lines = vec![
        format!("{} – {}", t.title, r.regency),
        format!("{}: {}", t.month, time::month(first, h.lang)),
        format!(
            "{}: {} ({}), {}",
            t.made_by,
            h.made_by.display_name,
            h.lang.words().role(h.made_by.role),
            time::datetime(h.made_at, h.tz, h.lang)
        ),
    ];
    if r.left_out > 0 {
        lines.push(t.left_out.replace("{n}", &r.left_out.to_string()));
    }
    lines
}

/// One row of the flat table both exports are made from: codes for machines (`table`, `group`,
/// `key`) and the words a person reads (`group_label`, `label`).
struct Row<'a> {
    table: &'static str,
    group: &'a str,
    group_label: &'a str,
    key: &'a str,
    label: &'a str,
    value: f64,
}

fn rows(r: &MonthlyReport, lang: Lang) -> (Vec<Row<'_>>, Vec<Row<'_>>) {
    let (t, w) = (texts(lang), lang.words());
    let mut agenda = Vec::new();
    for l in &r.agenda {
        let leader = l.leader_title.as_str();
        for (key, label, value) in [
            ("items", t.items_held, l.items),
            ("cancelled", t.items_cancelled, l.cancelled),
        ] {
            agenda.push(Row {
                table: "agenda",
                group: leader,
                group_label: t.items_group,
                key,
                label,
                value: value as f64,
            });
        }
        for c in &l.by_attendance {
            agenda.push(Row {
                table: "agenda_attendance",
                group: leader,
                group_label: t.attendance,
                key: &c.key,
                label: Attendance::parse(&c.key).map_or(c.key.as_str(), |a| w.attendance(a)),
                value: c.count as f64,
            });
        }
        for c in &l.by_category {
            agenda.push(Row {
                table: "agenda_category",
                group: leader,
                group_label: t.category,
                key: &c.key,
                label: &c.key,
                value: c.count as f64,
            });
        }
    }
    let mut requests = Vec::new();
    let label = |group: &str, key: &str| -> Option<&'static str> {
        match group {
            "kind" => RequestKind::parse(key).map(|k| w.kind(k)),
            "state" => RequestState::parse(key).map(|s| w.state(s)),
            _ => Outcome::parse(key).map(|o| w.outcome(o)),
        }
    };
    for (group, group_label, list) in [
        ("kind", t.kind, &r.requests.by_kind),
        ("state", t.state, &r.requests.by_state),
        ("outcome", t.outcome, &r.requests.by_outcome),
    ] {
        for c in list {
            requests.push(Row {
                table: "requests",
                group,
                group_label,
                key: &c.key,
                label: label(group, &c.key).unwrap_or(c.key.as_str()),
                value: c.count as f64,
            });
        }
    }
    (agenda, requests)
}

/// The codes of the response-time figures, in the order of [`Texts::times_columns`] after the
/// month.
const TIME_KEYS: [&str; 7] = [
    "submitted",
    "first_action_count",
    "first_action_median_hours",
    "first_action_p90_hours",
    "decision_count",
    "decision_median_hours",
    "decision_p90_hours",
];

fn time_figures(t: &ResponseTimes) -> [Option<f64>; 7] {
    [
        Some(t.submitted as f64),
        Some(t.first_action_count as f64),
        t.first_action_median_hours,
        t.first_action_p90_hours,
        Some(t.decision_count as f64),
        t.decision_median_hours,
        t.decision_p90_hours,
    ]
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

/// The report as CSV, for machines first: the title block as leading comment lines starting
/// with `#` (most CSV readers skip them when told: `comment='#'` in pandas, `comment(Some(b'#'))`
/// in Rust's csv), then one flat table `table,group,key,label,value` — codes in `table`, `group`
/// and `key` (the JSON's, the same in every language), the words a person reads in `label`
/// (the reader's language). Counts come first, then the response times with one row per month
/// and figure.
pub fn to_csv(r: &MonthlyReport, h: &Heading) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    for line in title_lines(r, h) {
        // One line each: a name typed with a line break must not end the comment.
        out.extend_from_slice(format!("# {}\n", line.replace(['\r', '\n'], " ")).as_bytes());
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["table", "group", "key", "label", "value"])?;
    let (agenda, requests) = rows(r, h.lang);
    for row in agenda.iter().chain(&requests) {
        w.write_record([
            row.table,
            &neutralise(row.group),
            &neutralise(row.key),
            &neutralise(row.label),
            &row.value.to_string(),
        ])?;
    }
    let opt = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    let labels = &texts(h.lang).times_columns[1..];
    for t in &r.response_times {
        for ((key, label), value) in TIME_KEYS.iter().zip(labels).zip(time_figures(t)) {
            w.write_record(["response_times", &t.month, key, label, &opt(value)])?;
        }
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The row of each sheet's column headers: below the title block (rows 0–3) and an empty row.
const HEADER_ROW: u32 = 5;

/// A sheet's title block and column headers; the headers stay in view when scrolling.
fn heading(
    ws: &mut Worksheet,
    lines: &[String],
    bold: &Format,
    titles: &[&str],
) -> Result<(), XlsxError> {
    for (n, line) in lines.iter().enumerate() {
        let format = if n == 0 { bold } else { &Format::new() };
        ws.write_string_with_format(n as u32, 0, neutralise(line), format)?;
    }
    for (c, t) in titles.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *t, bold)?;
        ws.set_column_width(c as u16, if c == 0 { 28 } else { 18 })?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    Ok(())
}

/// The report as an XLSX workbook for people: sheets "Agenda", "Permohonan" and
/// "Waktu respons" (in English "Agenda", "Requests", "Response times"), each starting with the
/// title block, then labels in the reader's language, numbers as numbers, months as dates,
/// hours with two decimals.
pub fn to_xlsx(r: &MonthlyReport, h: &Heading) -> Result<Vec<u8>, XlsxError> {
    let t = texts(h.lang);
    let lines = title_lines(r, h);
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let count = Format::new().set_num_format("0");
    let hours = Format::new().set_num_format("0.00");
    let month = Format::new().set_num_format("mmm yyyy");
    let (agenda, requests) = rows(r, h.lang);

    let ws = wb.add_worksheet();
    ws.set_name(t.agenda_sheet)?;
    heading(ws, &lines, &bold, &t.agenda_columns)?;
    for (i, row) in agenda.iter().enumerate() {
        let n = HEADER_ROW + 1 + i as u32;
        ws.write_string(n, 0, neutralise(row.group))?;
        ws.write_string(n, 1, row.group_label)?;
        ws.write_string(n, 2, neutralise(row.label))?;
        ws.write_number_with_format(n, 3, row.value, &count)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(t.requests_sheet)?;
    heading(ws, &lines, &bold, &t.requests_columns)?;
    for (i, row) in requests.iter().enumerate() {
        let n = HEADER_ROW + 1 + i as u32;
        ws.write_string(n, 0, row.group_label)?;
        ws.write_string(n, 1, neutralise(row.label))?;
        ws.write_number_with_format(n, 2, row.value, &count)?;
    }

    let ws = wb.add_worksheet();
    ws.set_name(t.times_sheet)?;
    heading(ws, &lines, &bold, &t.times_columns)?;
    for (i, rt) in r.response_times.iter().enumerate() {
        let n = HEADER_ROW + 1 + i as u32;
        let first = parse_month(&rt.month).expect("months are written by us");
        let date = ExcelDateTime::from_ymd(first.year() as u16, first.month() as u8, 1)?;
        ws.write_date_with_format(n, 0, &date, &month)?;
        for (col, (key, v)) in TIME_KEYS.iter().zip(time_figures(rt)).enumerate() {
            let format = if key.ends_with("_hours") {
                &hours
            } else {
                &count
            };
            // No figure for a month without requests: an empty cell, not a zero.
            if let Some(v) = v {
                ws.write_number_with_format(n, col as u16 + 1, v, format)?;
            }
        }
    }
    wb.save_to_buffer()
}
