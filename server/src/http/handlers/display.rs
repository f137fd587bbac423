//! The lobby display: `GET /display` (optionally `?leader=`), a full-screen page for a TV with
//! today's public agenda of the leaders, the current item highlighted and a clock in the
//! regency's zone. No login and no internal fields: items pass through `visible_record` as
//! for an anonymous caller. The page polls `/display/today.json` every minute; its script and
//! style are separate files so that the Content-Security-Policy forbids inline code.

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use rusqlite::Transaction;
use sepiion_core::i18n::Lang;
use sepiion_core::model::{AgendaStatus, Attendance};
use sepiion_core::sync::Record;
use sepiion_core::time::{self, local_date, local_days_range, zone_abbrev};
use serde::{Deserialize, Serialize};

use crate::domain::caller::Caller;
use crate::domain::context::Ctx;
use crate::domain::visibility::visible_record;
use crate::error::{ApiError, ApiResult};
use crate::http::extract::Query;
use crate::http::state::AppState;
use crate::storage::rows::{load_agenda_range, load_leader, load_leaders, load_representative};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// One item on the display.
#[derive(Debug, Serialize)]
pub struct DisplayItem {
    pub title: String,
    pub location: String,
    /// "09.00".
    pub start: String,
    pub end: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Who attends when not the leader, e.g. "Diwakili Sekretaris Daerah".
    pub note: Option<String>,
    /// Not yet confirmed: shown with [`DisplayDay::tentative_label`].
    pub tentative: bool,
}

/// One leader's column.
#[derive(Debug, Serialize)]
pub struct DisplayLeader {
    pub id: String,
    pub title: String,
    pub name: String,
    pub items: Vec<DisplayItem>,
}

/// What the display shows; also its JSON.
#[derive(Debug, Serialize)]
pub struct DisplayDay {
    pub regency: String,
    /// "Senin, 30 November 2026".
    pub date: String,
    pub time_zone: String,
    pub zone: String,
    pub now: DateTime<Utc>,
    pub leaders: Vec<DisplayLeader>,
    /// `id` or `en`: the display's language (`?lang=en`).
    pub lang: String,
    pub tentative_label: String,
    pub empty_label: String,
}

#[derive(Debug, Deserialize)]
pub struct DisplayQuery {
    #[serde(default)]
    pub leader: Option<String>,
    /// `en` for English (visitors' lobbies); Indonesian otherwise.
    #[serde(default)]
    pub lang: Option<String>,
}

impl DisplayQuery {
    fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Id,
        }
    }
}

/// The display's words in both languages.
struct Words {
    kicker: &'static str,
    empty: &'static str,
    tentative: &'static str,
    footer: &'static str,
    /// After the footer while the agenda cannot be refreshed.
    stale: &'static str,
    lang: Lang,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Id => Words {
            kicker: "Agenda Pimpinan",
            empty: "Tidak ada agenda publik hari ini.",
            tentative: "Sementara",
            footer: "Waktu dalam {zone} · diperbarui otomatis",
            stale: " · koneksi terputus, menampilkan data terakhir",
            lang,
        },
        Lang::En => Words {
            kicker: "Leaders' agenda",
            empty: "No public agenda today.",
            tentative: "Tentative",
            footer: "Times in {zone} · updated automatically",
            stale: " · connection lost, showing the last data received",
            lang,
        },
    }
}

fn note(
    tx: &Transaction,
    w: &Words,
    attendance: Attendance,
    representative: Option<&str>,
) -> rusqlite::Result<Option<String>> {
    if attendance == Attendance::InPerson {
        return Ok(None);
    }
    // A representative entered by its id (`sekda`) is shown by name and position.
    let named = match representative.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(match load_representative(tx, r)? {
            Some(rep) => format!("{} ({})", rep.name, rep.position),
            None => r.to_string(),
        }),
        None => None,
    };
    Ok(Some(
        w.lang.words().attendance_with(attendance, named.as_deref()),
    ))
}

/// Which items a lobby shows: from the last one already over (when nothing is running) or the
/// running one, onwards. Earlier items are hidden so that what runs now and what comes next are
/// always on screen, however busy the day.
fn first_shown(items: &[DisplayItem], now: DateTime<Utc>) -> usize {
    let over = items.iter().take_while(|i| i.ends_at <= now).count();
    let running = items.iter().any(|i| i.starts_at <= now && now < i.ends_at);
    if running || over == 0 { over } else { over - 1 }
}

/// Today's public agenda (in the regency's zone), cancelled items left out.
pub fn today(
    tx: &Transaction,
    ctx: &Ctx,
    leader: Option<&str>,
    now: DateTime<Utc>,
    lang: Lang,
) -> ApiResult<DisplayDay> {
    let w = words(lang);
    let leaders = match leader {
        Some(id) => {
            vec![load_leader(tx, id)?.ok_or_else(|| ApiError::not_found("Pimpinan", "Leader"))?]
        }
        None => load_leaders(tx)?,
    };
    let date = local_date(now, ctx.tz);
    let (from, to) = local_days_range(date, date, ctx.tz);
    let mut columns = Vec::new();
    for l in leaders {
        let mut items = Vec::new();
        for item in load_agenda_range(tx, Some(&l.id), from, to)? {
            let Some(Record::AgendaItem(item)) =
                visible_record(tx, &Caller::Anonymous, Record::AgendaItem(Box::new(item)))?
            else {
                continue;
            };
            if item.status == AgendaStatus::Cancelled {
                continue;
            }
            items.push(DisplayItem {
                start: time::time(item.starts_at, ctx.tz, lang),
                end: time::time(item.ends_at, ctx.tz, lang),
                note: note(tx, &w, item.attendance, item.representative.as_deref())?,
                tentative: item.status == AgendaStatus::Tentative,
                title: item.title,
                location: item.location,
                starts_at: item.starts_at,
                ends_at: item.ends_at,
            });
        }
        columns.push(DisplayLeader {
            id: l.id,
            title: l.title,
            name: l.name,
            items,
        });
    }
    Ok(DisplayDay {
        regency: ctx.regency_name(tx)?,
        date: time::date(date, lang),
        time_zone: ctx.tz.name().to_string(),
        zone: zone_abbrev(ctx.tz),
        now,
        leaders: columns,
        lang: match lang {
            Lang::Id => "id".into(),
            Lang::En => "en".into(),
        },
        tentative_label: w.tentative.into(),
        empty_label: w.empty.into(),
    })
}

fn page(day: &DisplayDay, leader: Option<&str>, lang: Lang) -> Markup {
    let mut query = Vec::new();
    if let Some(l) = leader {
        query.push(format!("leader={}", urlencode(l)));
    }
    if lang == Lang::En {
        query.push("lang=en".to_string());
    }
    let json = if query.is_empty() {
        "/display/today.json".to_string()
    } else {
        format!("/display/today.json?{}", query.join("&"))
    };
    let w = words(lang);
    html! {
        (DOCTYPE)
        html lang=(day.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Agenda Pimpinan — " (day.regency) }
                link rel="stylesheet" href="/display/display.css";
                script src="/display/display.js" defer {}
            }
            body data-source=(json) data-time-zone=(day.time_zone) data-zone=(day.zone) {
                header {
                    div.regency {
                        div.kicker { (w.kicker) }
                        h1 { (day.regency) }
                    }
                    div.when {
                        div #clock.clock { (time::time(day.now, parse_tz(&day.time_zone), lang)) " " (day.zone) }
                        div #date.date { (day.date) }
                    }
                }
                main #columns.columns data-count=(day.leaders.len()) {
                    @for l in &day.leaders {
                        section.leader {
                            h2 { (l.title) @if !l.name.is_empty() { span.name { (l.name) } } }
                            @if l.items.is_empty() {
                                p.empty { (day.empty_label) }
                            } @else {
                                @let first = first_shown(&l.items, day.now);
                                ol.items {
                                    @for (n, i) in l.items.iter().enumerate() {
                                        @let current = i.starts_at <= day.now && day.now < i.ends_at;
                                        @let past = i.ends_at <= day.now;
                                        li.item.current[current].past[past].gone[n < first].tentative[i.tentative]
                                            data-starts=(i.starts_at.timestamp())
                                            data-ends=(i.ends_at.timestamp()) {
                                            div.time { (i.start) "–" (i.end) }
                                            div.what {
                                                div.title {
                                                    (i.title)
                                                    @if i.tentative { " " span.tag { (day.tentative_label) } }
                                                }
                                                div.place { (i.location) }
                                                @if let Some(n) = &i.note { div.note { (n) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                footer {
                    (w.footer.replace("{zone}", &day.zone))
                    span.stale role="status" { (w.stale) }
                }
            }
        }
    }
}

fn parse_tz(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// Leader ids are plain codes; anything else is percent-encoded for the page's data URL.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `GET /display`.
pub async fn display_page(
    State(state): State<AppState>,
    Query(q): Query<DisplayQuery>,
) -> ApiResult<Response> {
    let ctx = state.ctx.clone();
    let leader = q.leader.clone();
    let lang = q.lang();
    let day = state
        .db
        .read(move |tx| today(tx, &ctx, leader.as_deref(), Utc::now(), lang))
        .await?;
    let body = page(&day, q.leader.as_deref(), lang).into_string();
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response())
}

/// `GET /display/today.json`: what the page polls.
pub async fn display_json(
    State(state): State<AppState>,
    Query(q): Query<DisplayQuery>,
) -> ApiResult<Response> {
    let ctx = state.ctx.clone();
    let lang = q.lang();
    let day = state
        .db
        .read(move |tx| today(tx, &ctx, q.leader.as_deref(), Utc::now(), lang))
        .await?;
    Ok((
        [(CACHE_CONTROL, HeaderValue::from_static("no-cache"))],
        axum::Json(day),
    )
        .into_response())
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /display/display.js`.
pub async fn display_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../../assets/display/display.js"),
    )
}

/// `GET /display/display.css`.
pub async fn display_css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_str!("../../../assets/display/display.css"),
    )
}
