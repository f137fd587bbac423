//! The public web portal: server-rendered pages under `/` for people without the app — Jadwal
//! (the leaders' public agenda), Ajukan (the request form), Lacak (tracking by code) and Tentang.
//! Works without JavaScript; `portal.js` only adds a copy button. The form goes through the same
//! submission function as the API (`handlers::public::submit_from_device`); the requester answers
//! staff on the tracking page or through a private answer link (`answer`).

mod answer;
mod confirm;
pub mod i18n;
mod views;

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use cookie::{Cookie, SameSite};
use maud::Markup;
use sepiion_core::draft::{RequestDraft, to_new_request};
use sepiion_core::model::{AgendaItem, Leader, Visibility};
use sepiion_core::sync::Record;
use sepiion_core::time::{local_date, local_days_range};
use sepiion_core::validation::{FieldErrors, Lang, is_uuid, new_id};
use serde::Deserialize;

use crate::domain::caller::{Caller, create_device, resolve_token};
use crate::domain::requests::normalize_tracking_code;
use crate::domain::visibility::visible_record;
use crate::error::ApiError;
use crate::http::cache::Cached;
use crate::http::extract::ClientKey;
use crate::http::handlers::public::{Letter, find_tracked, submit_from_device};
use crate::http::state::AppState;
use crate::storage::audit::audit;
use crate::storage::rows::{load_agenda_item, load_agenda_range, load_leaders};

use i18n::Texts;
use views::{FormView, PageCtx, ScheduleView, Span};

pub use crate::config::OfficeConfig as OfficeInfo;

impl OfficeInfo {
    fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.address,
            &self.phone,
            &self.email,
            &self.hours,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

const LANG_COOKIE: &str = "sepiion_lang";
const DEVICE_COOKIE: &str = "sepiion_device";
const FORM_COOKIE: &str = "sepiion_form";
/// Longest text accepted in one form field; the core validation's limits are far below it.
const MAX_TEXT_FIELD: usize = 16 * 1024;

/// The one stylesheet: the regency's colours are the `:root` variables of the apps' own
/// stylesheet (`assets/sepiion.css`), taken from it at build time so they live in one place.
static STYLESHEET: LazyLock<Cached> = LazyLock::new(|| {
    let apps = include_str!("../../../../assets/sepiion.css");
    let root = apps
        .find(":root")
        .and_then(|start| {
            apps[start..]
                .find('}')
                .map(|end| &apps[start..=start + end])
        })
        .unwrap_or("");
    let css = format!("{root}\n{}", include_str!("portal.css"));
    Cached::fixed("text/css; charset=utf-8", Bytes::from(css), true)
});
static SCRIPT: LazyLock<Cached> = LazyLock::new(|| {
    Cached::fixed(
        "text/javascript; charset=utf-8",
        Bytes::from_static(include_bytes!("portal.js")),
        true,
    )
});
/// Asset addresses carry their content's tag, so browsers may keep them for a year.
pub static CSS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/portal.css?v={}", STYLESHEET.tag()));
pub static JS_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/portal.js?v={}", SCRIPT.tag()));

/// The portal's routes (mounted beside the API, outside the OpenAPI document: they are pages).
pub fn router(state: &AppState) -> Router<AppState> {
    let upload_limit = state.ctx.limits.max_attachment_bytes + 64 * 1024;
    Router::new()
        .route("/", get(schedule))
        .route(
            "/ajukan",
            get(form_page)
                .post(submit_form)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/ajukan/terkirim/{code}", get(submitted))
        .route("/lacak", get(track_form))
        .route(
            "/lacak/{code}",
            get(track_page)
                .post(answer::cookie_post)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/jawab/{secret}",
            get(answer::link_page)
                .post(answer::link_post)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/konfirmasi/{secret}",
            get(confirm::confirm_page).post(confirm::confirm_post),
        )
        .route("/tentang", get(about))
        .route("/agenda/{id}", get(agenda_item))
        .route(
            "/static/portal.css",
            get(|headers: HeaderMap| async move { STYLESHEET.respond(&headers) }),
        )
        .route(
            "/static/portal.js",
            get(|headers: HeaderMap| async move { SCRIPT.respond(&headers) }),
        )
        .layer(middleware::from_fn_with_state(state.clone(), portal_layer))
}

/// What an address nobody serves answers: a browser asking for a page (not under `/api/`) gets
/// the portal's own "not found" page, in its language and with its headers; API clients get
/// the JSON error.
pub fn fallback(state: &AppState) -> Router<AppState> {
    Router::new()
        .fallback(unknown_address)
        .layer(middleware::from_fn_with_state(state.clone(), portal_layer))
}

async fn unknown_address(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let wants_page = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if uri.path().starts_with("/api/") || !wants_page {
        return crate::http::router::not_found().await.into_response();
    }
    let (regency, _) = match site(&state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = PageCtx {
        t: Texts::get(pl.lang),
        regency: &regency,
        here: "/".into(),
    };
    page(StatusCode::NOT_FOUND, views::not_found(&p))
}

/// The language of a portal request: `?lang=` (the switch link), then the language cookie it
/// leaves, then `Accept-Language`.
#[derive(Clone, Copy)]
struct PortalLang {
    lang: Lang,
    /// Set when `?lang=` chose it: the answer stores the choice in a cookie.
    chosen: bool,
    /// The browser reached us over HTTPS (see [`is_https`]): cookies get `Secure`.
    https: bool,
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .map(|c| (c.name().to_string(), c.value().to_string()))
        .collect()
}

fn query_param(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Whether the browser reached us over HTTPS: the configured public address is `https://`, or
/// a trusted proxy (`trusted_proxies`) says so in `X-Forwarded-Proto` / `Forwarded`. From any
/// other peer those headers are ignored: a client cannot set its own cookies' `Secure` flag.
fn is_https(state: &AppState, req: &Request) -> bool {
    if state
        .ctx
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
    {
        return true;
    }
    let trusted_peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|c| {
            let ip = c.0.ip().to_canonical();
            state.ctx.trusted_proxies.iter().any(|n| n.contains(&ip))
        });
    if !trusted_peer {
        return false;
    }
    let headers = req.headers();
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get(header::FORWARDED)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"));
    forwarded_proto || forwarded
}

fn set_cookie(
    headers: &mut HeaderMap,
    name: &'static str,
    value: String,
    https: bool,
    http_only: bool,
) {
    let c = Cookie::build((name, value))
        .path("/")
        .http_only(http_only)
        .secure(https)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::days(365))
        .build();
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// Language choice and security headers for every portal answer.
async fn portal_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let chosen = query_param(req.uri().query(), "lang").and_then(|l| Lang::parse(&l));
    let lang = chosen
        .or_else(|| {
            cookies(req.headers())
                .get(LANG_COOKIE)
                .and_then(|l| Lang::parse(l))
        })
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        });
    let https = is_https(&state, &req);
    req.extensions_mut().insert(PortalLang {
        lang,
        https,
        chosen: chosen.is_some(),
    });
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Tracking codes are in page addresses: never hand them to another site. (Not `no-referrer`:
    // with it browsers send `Origin: null` on form posts, which the forgery check must refuse.)
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        h.append(
            header::VARY,
            HeaderValue::from_static("accept-language, cookie"),
        );
    }
    if let Some(l) = chosen {
        let code = if l == Lang::En { "en" } else { "id" };
        set_cookie(h, LANG_COOKIE, code.into(), https, false);
    }
    res
}

async fn site(state: &AppState) -> Result<(String, Vec<Leader>), Response> {
    let st = state.clone();
    state
        .db
        .read(move |tx| Ok((st.ctx.regency_name(tx)?, load_leaders(tx)?)))
        .await
        .map_err(|e| e.into_response())
}

/// This page's path and query without `lang` (for the language switch link).
fn here(path: &str, query: Option<&str>) -> String {
    let rest: Vec<(String, String)> = query
        .map(|q| {
            form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k != "lang")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if rest.is_empty() {
        path.to_string()
    } else {
        let q = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(rest)
            .finish();
        format!("{path}?{q}")
    }
}

fn page(status: StatusCode, markup: Markup) -> Response {
    (status, Html(markup.into_string())).into_response()
}

#[derive(Deserialize)]
struct ScheduleQuery {
    date: Option<String>,
    view: Option<String>,
    leader: Option<String>,
}

/// Jadwal: the public agenda for a day or a week, all leaders or one. Answers come from the
/// public response cache; the key holds everything the page depends on (language, today's date
/// for the "today" link, and the page's own address).
async fn schedule(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Query(q): Query<ScheduleQuery>,
    req_headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let tz = state.ctx.tz;
    let today = local_date(Utc::now(), tz);
    let date = q
        .date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        // Far-off dates are refused by the agenda's range rules anyway; show today instead.
        .filter(|d| (*d - today).num_days().abs() <= 3660)
        .unwrap_or(today);
    let span = if q.view.as_deref() == Some("day") {
        Span::Day
    } else {
        Span::Week
    };
    let here = here(uri.path(), uri.query());
    let key = format!("portal|{:?}|{today}|{here}", pl.lang);
    let mut response = match state.cache.get(&key) {
        Some(hit) => hit.respond(&req_headers),
        None => {
            let generation = state.cache.generation();
            let st = state.clone();
            let wanted = q.leader.clone().filter(|l| !l.is_empty());
            let (from, to) = span.range(date);
            let (start, end) = local_days_range(from, to, tz);
            let loaded = state
                .db
                .read(move |tx| {
                    let leaders = load_leaders(tx)?;
                    let leader = wanted.filter(|w| leaders.iter().any(|l| &l.id == w));
                    let items: Vec<_> = load_agenda_range(tx, leader.as_deref(), start, end)?
                        .into_iter()
                        .filter(|i| i.visibility == Visibility::Public)
                        .map(AgendaItem::public_view)
                        .collect();
                    Ok((st.ctx.regency_name(tx)?, leaders, leader, items))
                })
                .await;
            let (regency, leaders, leader, items) = match loaded {
                Ok(x) => x,
                Err(e) => return e.into_response(),
            };
            let p = PageCtx {
                t: Texts::get(pl.lang),
                regency: &regency,
                here,
            };
            let view = ScheduleView {
                span,
                date,
                today,
                leader: leader.as_deref(),
                leaders: &leaders,
                items: &items,
                tz,
            };
            let html = views::schedule(&p, &view).into_string();
            state
                .cache
                .put(
                    key,
                    generation,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                    Bytes::from(html),
                )
                .respond(&req_headers)
        }
    };
    if pl.chosen {
        // The language cookie is set on top; the shared entry itself has none.
        response.headers_mut().remove(header::ETAG);
    }
    response
}

fn new_token() -> String {
    hex::encode(crate::domain::caller::random_bytes::<24>())
}

/// Everything the form page needs besides what was typed.
struct FormState {
    lang: Lang,
    csrf: String,
    new_csrf: bool,
    https: bool,
}

fn form_state(headers: &HeaderMap, pl: PortalLang) -> FormState {
    let existing = cookies(headers)
        .get(FORM_COOKIE)
        .filter(|v| v.len() == 48 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .cloned();
    FormState {
        lang: pl.lang,
        new_csrf: existing.is_none(),
        csrf: existing.unwrap_or_else(new_token),
        https: pl.https,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render_form(
    state: &AppState,
    fs: &FormState,
    status: StatusCode,
    here_path: &str,
    draft: &RequestDraft,
    errors: &FieldErrors,
    general: Option<&str>,
    submission_id: &str,
    file_dropped: bool,
) -> Response {
    let (regency, leaders) = match site(state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = PageCtx {
        t: Texts::get(fs.lang),
        regency: &regency,
        here: here_path.to_string(),
    };
    let view = FormView {
        draft,
        errors,
        general,
        leaders: &leaders,
        csrf: &fs.csrf,
        submission_id,
        file_dropped,
        lang: fs.lang,
        tz: state.ctx.tz,
    };
    let mut res = page(status, views::request_form(&p, &view));
    if fs.new_csrf {
        set_cookie(
            res.headers_mut(),
            FORM_COOKIE,
            fs.csrf.clone(),
            fs.https,
            true,
        );
    }
    res
}

/// Ajukan: the empty form.
async fn form_page(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    headers: HeaderMap,
) -> Response {
    let fs = form_state(&headers, pl);
    let id = new_id();
    render_form(
        &state,
        &fs,
        StatusCode::OK,
        "/ajukan",
        &RequestDraft::default(),
        &FieldErrors::default(),
        None,
        &id,
        false,
    )
    .await
}

/// Whether a form post comes from one of our own pages: the browser's `Sec-Fetch-Site` and
/// `Origin` must not name another site (the SameSite cookies and the form token do the rest).
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    headers.get_all(header::ORIGIN).iter().all(|origin| {
        let origin = origin.to_str().unwrap_or("");
        let origin_host = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"));
        !host.is_empty() && origin_host == Some(host)
    })
}

/// What the multipart form held.
#[derive(Default)]
struct Posted {
    fields: HashMap<String, String>,
    file: Option<Letter>,
    /// A file was chosen (even one too large to keep).
    file_chosen: bool,
    too_large: bool,
}

async fn read_capped(field: &mut Field<'_>, max: usize) -> Result<Option<Vec<u8>>, MultipartError> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await? {
        if data.len() + chunk.len() > max {
            return Ok(None);
        }
        data.extend_from_slice(&chunk);
    }
    Ok(Some(data))
}

async fn read_form(mut multipart: Multipart, max_file: usize) -> Posted {
    let mut posted = Posted::default();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                // Cut off by the body limit (or malformed): keep what was read so far.
                posted.too_large = true;
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attachment" {
            let filename = field.file_name().unwrap_or("").to_string();
            match read_capped(&mut field, max_file).await {
                Ok(Some(data)) if !data.is_empty() => {
                    posted.file_chosen = true;
                    posted.file = Some(Letter {
                        filename: if filename.is_empty() {
                            "lampiran".into()
                        } else {
                            filename
                        },
                        data,
                    });
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => {
                    posted.file_chosen = true;
                    posted.too_large = true;
                    break;
                }
            }
            continue;
        }
        match read_capped(&mut field, MAX_TEXT_FIELD).await {
            Ok(Some(data)) => {
                posted
                    .fields
                    .insert(name, String::from_utf8_lossy(&data).into_owned());
            }
            Ok(None) | Err(_) => {
                posted.too_large = true;
                break;
            }
        }
    }
    posted
}

/// The form's name for an error the submission reported by wire name.
fn form_field(wire: &str) -> &str {
    match wire {
        "starts_at" => "start_date",
        "ends_at" => "end_time",
        "file" => "attachment",
        other => other,
    }
}

/// Ajukan: a submitted form. Checked for forgery and the honeypot, turned into a request by the
/// core conversion, then sent through the API's own submission function.
async fn submit_form(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    client: ClientKey,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let t = Texts::get(pl.lang);
    let mut fs = form_state(&headers, pl);
    let posted = match multipart {
        Ok(m) => read_form(m, state.ctx.limits.max_attachment_bytes).await,
        Err(_) => Posted {
            too_large: true,
            ..Posted::default()
        },
    };
    let mut draft = RequestDraft::default();
    for (k, v) in &posted.fields {
        draft.set(k, v.clone());
    }
    let submission_id = posted
        .fields
        .get("id")
        .filter(|id| is_uuid(id))
        .cloned()
        .unwrap_or_else(new_id);
    let none = FieldErrors::default();
    // The language switch: the same form again in the chosen language (`?lang=` on the post),
    // everything typed kept, nothing submitted; errors already shown are shown again.
    if posted.fields.contains_key("switch_lang") && same_origin(&headers) {
        let errors = if posted.fields.get("checked").is_some_and(|v| v == "1") {
            to_new_request(&draft, None, state.ctx.tz, Utc::now())
                .err()
                .unwrap_or_default()
        } else {
            FieldErrors::default()
        };
        return render_form(
            &state,
            &fs,
            StatusCode::OK,
            "/ajukan",
            &draft,
            &errors,
            None,
            &submission_id,
            posted.file_chosen,
        )
        .await;
    }
    let token_ok = !fs.new_csrf && posted.fields.get("csrf") == Some(&fs.csrf);
    if !same_origin(&headers) || !token_ok {
        // A fresh token for the next attempt; the values stay in the form.
        fs.csrf = new_token();
        fs.new_csrf = true;
        return render_form(
            &state,
            &fs,
            StatusCode::FORBIDDEN,
            "/ajukan",
            &draft,
            &none,
            Some(t.form_expired),
            &submission_id,
            posted.file_chosen,
        )
        .await;
    }
    if posted.too_large {
        return render_form(
            &state,
            &fs,
            StatusCode::PAYLOAD_TOO_LARGE,
            "/ajukan",
            &draft,
            &none,
            Some(t.form_too_large),
            &submission_id,
            posted.file_chosen,
        )
        .await;
    }
    if posted.fields.get("website").is_some_and(|v| !v.is_empty()) {
        return render_form(
            &state,
            &fs,
            StatusCode::UNPROCESSABLE_ENTITY,
            "/ajukan",
            &draft,
            &none,
            Some(t.form_rejected),
            &submission_id,
            posted.file_chosen,
        )
        .await;
    }
    let new = match to_new_request(
        &draft,
        Some(submission_id.clone()),
        state.ctx.tz,
        Utc::now(),
    ) {
        Ok(new) => new,
        Err(errors) => {
            return render_form(
                &state,
                &fs,
                StatusCode::UNPROCESSABLE_ENTITY,
                "/ajukan",
                &draft,
                &errors,
                None,
                &submission_id,
                posted.file_chosen,
            )
            .await;
        }
    };
    let mut cookies_out = HeaderMap::new();
    let device = match portal_device(&state, &headers, &client, fs.https, &mut cookies_out).await {
        Ok(d) => d,
        Err(e) => {
            return form_error(&state, &fs, e, &draft, &submission_id, posted.file_chosen).await;
        }
    };
    let file_chosen = posted.file_chosen;
    let base = state.ctx.public_base().to_string();
    match submit_from_device(&state, device, new, posted.file, pl.lang, Some(base)).await {
        Ok((r, _, secret)) => {
            if let Some(secret) = secret {
                answer::remember_link(secret, fs.https, &mut cookies_out);
            }
            let mut res =
                Redirect::to(&format!("/ajukan/terkirim/{}", r.tracking_code)).into_response();
            res.headers_mut().extend(cookies_out);
            res
        }
        Err(e) => {
            let mut res = form_error(&state, &fs, e, &draft, &submission_id, file_chosen).await;
            res.headers_mut().extend(cookies_out);
            res
        }
    }
}

/// The form again, with what the submission refused.
async fn form_error(
    state: &AppState,
    fs: &FormState,
    e: ApiError,
    draft: &RequestDraft,
    submission_id: &str,
    file_chosen: bool,
) -> Response {
    if e.status.is_server_error() {
        tracing::error!(code = e.code, "portal submission failed");
    }
    let t = Texts::get(fs.lang);
    let mut errors = FieldErrors::default();
    for (wire, msg) in &e.fields.0 {
        errors.add(form_field(wire), msg.clone());
    }
    if matches!(
        e.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE
    ) {
        errors.add("attachment", e.message.clone());
    }
    let general = match e.status {
        StatusCode::TOO_MANY_REQUESTS => Some(t.too_many.to_string()),
        s if s.is_server_error() => Some(t.server_error.to_string()),
        _ if errors.is_empty() => Some(e.message.get(fs.lang).to_string()),
        _ => None,
    };
    let status = if e.status.is_server_error() {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        e.status
    };
    // A request that exists under this id belongs to someone else: the next try gets a new id.
    let id = if e.code == "id_taken" {
        new_id()
    } else {
        submission_id.to_string()
    };
    render_form(
        state,
        fs,
        status,
        "/ajukan",
        draft,
        &errors,
        general.as_deref(),
        &id,
        file_chosen,
    )
    .await
}

/// The browser's anonymous device: the one its cookie names, else a new one (under the same
/// per-address registration limit as the API's `POST /public/devices`), remembered in an
/// HttpOnly cookie so the per-device submission limit applies to the browser.
async fn portal_device(
    state: &AppState,
    headers: &HeaderMap,
    client: &ClientKey,
    https: bool,
    out: &mut HeaderMap,
) -> Result<String, ApiError> {
    if let Some(token) = cookies(headers).get(DEVICE_COOKIE).cloned() {
        let idle = state.ctx.limits.session_idle_hours;
        let found = state
            .db
            .write(move |tx| Ok(resolve_token(tx, &token, idle)?))
            .await?;
        if let Ok(Caller::Device(id)) = found {
            return Ok(id);
        }
    }
    state.take_registration(client)?;
    let (id, token) = state
        .db
        .write(|tx| {
            let (id, token) = create_device(tx)?;
            audit(tx, "anonymous", "device.register", "device", &id, "portal")?;
            Ok((id, token))
        })
        .await?;
    set_cookie(out, DEVICE_COOKIE, token, https, true);
    Ok(id)
}

/// The page after a successful submission: the tracking code, big.
async fn submitted(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let (regency, _) = match site(&state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = Texts::get(pl.lang);
    let Some(code) = normalize_tracking_code(&code) else {
        let p = PageCtx {
            t,
            regency: &regency,
            here: "/ajukan".into(),
        };
        return page(StatusCode::NOT_FOUND, views::not_found(&p));
    };
    let p = PageCtx {
        t,
        regency: &regency,
        here: format!("/ajukan/terkirim/{code}"),
    };
    let share = format!(
        "{} {code} — {}/lacak/{code}",
        t.whatsapp_message,
        state.ctx.public_base()
    );
    let link = answer::sent_link(&state, pl.lang, &headers, &code, state.ctx.public_base()).await;
    page(StatusCode::OK, views::submitted(&p, &code, &share, link))
}

#[derive(Deserialize)]
struct TrackQuery {
    code: Option<String>,
}

/// Lacak: the form; a typed code goes to its own address.
async fn track_form(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Query(q): Query<TrackQuery>,
) -> Response {
    let typed = q.code.unwrap_or_default();
    if !typed.trim().is_empty()
        && let Some(code) = normalize_tracking_code(&typed)
    {
        return Redirect::to(&format!("/lacak/{code}")).into_response();
    }
    let (regency, _) = match site(&state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = Texts::get(pl.lang);
    let p = PageCtx {
        t,
        regency: &regency,
        here: "/lacak".into(),
    };
    if typed.trim().is_empty() {
        page(StatusCode::OK, views::track(&p, "", None, None, None))
    } else {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::track(&p, &typed, Some(t.code_invalid), None, None),
        )
    }
}

/// Lacak: one request's state and public timeline.
async fn track_page(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    client: ClientKey,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    // The browser that submitted answers here; everybody else reads.
    if let Some(code) = normalize_tracking_code(&code)
        && let Some(res) = answer::answer_page(
            &state,
            pl,
            &headers,
            &answer::Access::Cookie(code),
            uri.query(),
        )
        .await
    {
        return res;
    }
    let (regency, _) = match site(&state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = Texts::get(pl.lang);
    let shown = normalize_tracking_code(&code).unwrap_or_else(|| code.clone());
    let p = PageCtx {
        t,
        regency: &regency,
        here: format!("/lacak/{}", shown),
    };
    match find_tracked(&state, &client, &code).await {
        Ok(r) => page(
            StatusCode::OK,
            views::track(
                &p,
                &shown,
                None,
                Some((&r, state.ctx.tz)),
                answer::read_only_note(pl.lang, r.state),
            ),
        ),
        Err(e) if e.status == StatusCode::NOT_FOUND => page(
            StatusCode::NOT_FOUND,
            views::track(&p, &shown, Some(t.code_unknown), None, None),
        ),
        Err(e) if e.status.is_client_error() => page(
            StatusCode::NOT_FOUND,
            views::track(&p, &shown, Some(t.code_invalid), None, None),
        ),
        Err(e) => e.into_response(),
    }
}

/// Tentang: the service, how a request is handled, the office's contact, privacy.
async fn about(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
) -> Response {
    let (regency, _) = match site(&state).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let p = PageCtx {
        t: Texts::get(pl.lang),
        regency: &regency,
        here: "/tentang".into(),
    };
    page(StatusCode::OK, views::about(&p, &state.ctx.office))
}

/// One public agenda item, the page the calendar feeds link to. Anything but a public item
/// (internal, confidential, unknown) is the same 404 page: the page never tells that an item
/// exists.
async fn agenda_item(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(id): Path<String>,
) -> Response {
    let st = state.clone();
    let wanted = id.clone();
    let loaded = state
        .db
        .read(move |tx| {
            let item = match load_agenda_item(tx, &wanted)? {
                Some(item) => {
                    visible_record(tx, &Caller::Anonymous, Record::AgendaItem(Box::new(item)))?
                }
                None => None,
            };
            let leaders = load_leaders(tx)?;
            Ok((st.ctx.regency_name(tx)?, leaders, item))
        })
        .await;
    let (regency, leaders, item) = match loaded {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let mut p = PageCtx {
        t: Texts::get(pl.lang),
        regency: &regency,
        here: format!(
            "/agenda/{}",
            form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        ),
    };
    match item {
        Some(Record::AgendaItem(item)) => {
            let leader = leaders
                .iter()
                .find(|l| l.id == item.leader_id)
                .map(|l| l.title.clone())
                .unwrap_or_else(|| item.leader_id.clone());
            page(
                StatusCode::OK,
                views::agenda_item(&p, &item, &leader, state.ctx.tz),
            )
        }
        _ => {
            p.here = "/".into();
            page(StatusCode::NOT_FOUND, views::not_found(&p))
        }
    }
}
