//! Answering staff from the portal: accept or decline a proposed time, supply the information
//! asked for (with a new letter), cancel with a reason. Offered on `/lacak/{code}` to the browser
//! that submitted (its device cookie) and on `/jawab/{secret}` to whoever holds the private
//! answer link; someone who only knows the tracking code reads. Plain forms, no JavaScript; the
//! same forgery checks as Ajukan; the same workflow functions as the app's sync push
//! (`domain::requests::transition`, `add_attachment`), so the API's rules apply.

use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use sepiion_core::api::TrackedRequest;
use sepiion_core::model::{Request, RequestState};
use sepiion_core::validation::{FieldErrors, Lang};
use sepiion_core::workflow::{Action, Actor, TransitionInput, available_actions};

use super::views::{self, Nav, PageCtx};
use super::{
    DEVICE_COOKIE, FormState, PortalLang, Posted, cookies, form_state, page, read_form,
    same_origin, set_cookie, site,
};
use crate::domain::answer_links;
use crate::domain::caller::{Caller, resolve_token};
use crate::domain::requests;
use crate::error::ApiError;
use crate::http::state::AppState;
use crate::storage::rows::{load_request, load_request_by_code, request_owner};

/// The cookie that carries a new answer link from the submission to the "sent" page (the
/// secret is shown once; it never goes into an address the browser's history keeps).
pub(super) const ANSWER_COOKIE: &str = "sepiion_answer";

/// How this browser may answer: as the device that submitted, or through an answer link.
pub(super) enum Access {
    Cookie(String),
    Link(String),
}

impl Access {
    /// The page that answers for this access, and where its forms post.
    fn path(&self) -> String {
        match self {
            Access::Cookie(code) => format!("/lacak/{code}"),
            Access::Link(secret) => format!("/jawab/{secret}"),
        }
    }
}

/// What a requester may answer: the actions of the core state machine for the requester.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Answer {
    Accept,
    Decline,
    Info,
    Cancel,
}

impl Answer {
    fn parse(s: &str) -> Option<Answer> {
        match s {
            "accept" => Some(Answer::Accept),
            "decline" => Some(Answer::Decline),
            "info" => Some(Answer::Info),
            "cancel" => Some(Answer::Cancel),
            _ => None,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Answer::Accept => "accept",
            Answer::Decline => "decline",
            Answer::Info => "info",
            Answer::Cancel => "cancel",
        }
    }
    fn action(self) -> Action {
        match self {
            Answer::Accept => Action::AcceptProposal,
            Answer::Decline => Action::DeclineProposal,
            Answer::Info => Action::SupplyInfo,
            Answer::Cancel => Action::Cancel,
        }
    }
    /// Ends the request: asked once more before it happens.
    fn destructive(self) -> bool {
        matches!(self, Answer::Decline | Answer::Cancel)
    }
}

/// The texts of answering, one set per language.
struct AnswerTexts {
    heading: &'static str,
    intro_proposed: &'static str,
    intro_needs_info: &'static str,
    intro_other: &'static str,
    accept: &'static str,
    decline: &'static str,
    decline_reason: &'static str,
    info_label: &'static str,
    info_hint: &'static str,
    letter_label: &'static str,
    letter_hint: &'static str,
    letter_again: &'static str,
    send_info: &'static str,
    cancel_heading: &'static str,
    cancel_reason: &'static str,
    cancel_button: &'static str,
    confirm_cancel_title: &'static str,
    confirm_cancel_body: &'static str,
    confirm_cancel_yes: &'static str,
    confirm_decline_title: &'static str,
    confirm_decline_body: &'static str,
    confirm_decline_yes: &'static str,
    back: &'static str,
    done_accept: &'static str,
    done_decline: &'static str,
    done_info: &'static str,
    done_cancel: &'static str,
    read_only: &'static str,
    not_yours: &'static str,
    unknown_action: &'static str,
    link_unknown_title: &'static str,
    link_unknown_body: &'static str,
    link_title: &'static str,
    link_body: &'static str,
    link_whatsapp: &'static str,
    link_message: &'static str,
}

static ID: AnswerTexts = AnswerTexts {
    heading: "Jawab petugas",
    intro_proposed: "Petugas mengusulkan waktu lain untuk kegiatan ini. Terima usulan agar permohonan diproses lebih lanjut, atau tolak bila waktu itu tidak cocok.",
    intro_needs_info: "Petugas meminta Anda melengkapi permohonan ini. Tuliskan keterangan yang diminta dan lampirkan surat baru bila perlu.",
    intro_other: "Permohonan ini sedang diproses. Anda masih dapat membatalkannya.",
    accept: "Terima usulan waktu",
    decline: "Tolak usulan waktu…",
    decline_reason: "Alasan menolak (tidak wajib)",
    info_label: "Keterangan yang diminta",
    info_hint: "Misalnya nomor surat, susunan acara, atau jumlah peserta yang benar.",
    letter_label: "Surat baru (tidak wajib)",
    letter_hint: "PDF, JPEG atau PNG.",
    letter_again: "Berkas yang dipilih belum terkirim. Pilih berkasnya lagi.",
    send_info: "Kirim kelengkapan",
    cancel_heading: "Batalkan permohonan",
    cancel_reason: "Alasan pembatalan (tidak wajib)",
    cancel_button: "Batalkan permohonan…",
    confirm_cancel_title: "Batalkan permohonan ini?",
    confirm_cancel_body: "Permohonan ini akan dibatalkan dan tidak diproses lagi. Pembatalan tidak dapat diurungkan.",
    confirm_cancel_yes: "Ya, batalkan permohonan",
    confirm_decline_title: "Tolak usulan waktu?",
    confirm_decline_body: "Dengan menolak usulan waktu, permohonan ini berakhir (dibatalkan) dan tidak diproses lagi. Penolakan tidak dapat diurungkan.",
    confirm_decline_yes: "Ya, tolak usulan dan akhiri permohonan",
    back: "Kembali tanpa mengubah apa pun",
    done_accept: "Usulan waktu diterima. Permohonan diproses lebih lanjut oleh petugas.",
    done_decline: "Usulan waktu ditolak. Permohonan ini dibatalkan.",
    done_info: "Kelengkapan terkirim. Permohonan kembali ditinjau petugas.",
    done_cancel: "Permohonan dibatalkan.",
    read_only: "Untuk menjawab, buka tautan jawaban pribadi dari tanda terima (e-mail atau WhatsApp), atau buka halaman ini di peramban yang dipakai untuk mengirim permohonan. Kode pelacakan saja hanya untuk melihat status.",
    not_yours: "Hanya peramban yang mengirim permohonan ini atau pemegang tautan jawaban pribadinya yang dapat menjawab.",
    unknown_action: "Pilih salah satu jawaban.",
    link_unknown_title: "Tautan jawaban tidak dikenal",
    link_unknown_body: "Tautan ini tidak berlaku. Periksa apakah tautan tersalin utuh, atau lacak permohonan dengan kodenya.",
    link_title: "Tautan jawaban pribadi",
    link_body: "Dengan tautan ini Anda dapat menjawab petugas (menerima usulan waktu, melengkapi, membatalkan) dari perangkat mana pun. Simpan untuk diri sendiri dan jangan bagikan.",
    link_whatsapp: "Kirim tautan jawaban ke WhatsApp saya",
    link_message: "Tautan jawaban pribadi untuk permohonan",
};

static EN: AnswerTexts = AnswerTexts {
    heading: "Answer the office",
    intro_proposed: "The office proposes another time for this event. Accept it so the request goes ahead, or decline if that time does not suit you.",
    intro_needs_info: "The office asks you to complete this request. Write the information asked for and attach a new letter if needed.",
    intro_other: "This request is being processed. You can still cancel it.",
    accept: "Accept the proposed time",
    decline: "Decline the proposed time…",
    decline_reason: "Reason for declining (optional)",
    info_label: "The information asked for",
    info_hint: "For example the letter number, the programme or the right number of guests.",
    letter_label: "New letter (optional)",
    letter_hint: "PDF, JPEG or PNG.",
    letter_again: "The chosen file was not sent. Choose it again.",
    send_info: "Send the information",
    cancel_heading: "Cancel the request",
    cancel_reason: "Reason for cancelling (optional)",
    cancel_button: "Cancel the request…",
    confirm_cancel_title: "Cancel this request?",
    confirm_cancel_body: "This request will be cancelled and not processed any further. Cancelling cannot be undone.",
    confirm_cancel_yes: "Yes, cancel the request",
    confirm_decline_title: "Decline the proposed time?",
    confirm_decline_body: "Declining the proposed time ends this request (it is cancelled) and it is not processed any further. This cannot be undone.",
    confirm_decline_yes: "Yes, decline and end the request",
    back: "Go back without changing anything",
    done_accept: "Proposed time accepted. The office processes the request further.",
    done_decline: "Proposed time declined. This request is cancelled.",
    done_info: "Information sent. The office reviews the request again.",
    done_cancel: "The request is cancelled.",
    read_only: "To answer, open the private answer link from your receipt (e-mail or WhatsApp), or open this page in the browser the request was sent from. The tracking code alone only shows the state.",
    not_yours: "Only the browser that sent this request or the holder of its private answer link can answer.",
    unknown_action: "Choose one of the answers.",
    link_unknown_title: "Unknown answer link",
    link_unknown_body: "This link is not valid. Check that it was copied whole, or track the request by its code.",
    link_title: "Private answer link",
    link_body: "With this link you can answer the office (accept a proposed time, complete, cancel) from any device. Keep it to yourself and do not share it.",
    link_whatsapp: "Send the answer link to my WhatsApp",
    link_message: "Private answer link for request",
};

fn texts(lang: Lang) -> &'static AnswerTexts {
    match lang {
        Lang::En => &EN,
        _ => &ID,
    }
}

/// What was typed, kept when a form comes back with an error.
#[derive(Default)]
struct Typed {
    info: String,
    reason: String,
    file_lost: bool,
}

/// The answer forms for `r` (nothing when the requester has nothing to do in its state).
#[allow(clippy::too_many_arguments)]
fn forms(
    lang: Lang,
    r: &Request,
    post_to: &str,
    csrf: &str,
    done: Option<Answer>,
    errors: &FieldErrors,
    general: Option<&str>,
    typed: &Typed,
) -> Markup {
    let a = texts(lang);
    let actions = available_actions(Actor::Requester, r.state);
    let done_text = done.map(|d| match d {
        Answer::Accept => a.done_accept,
        Answer::Decline => a.done_decline,
        Answer::Info => a.done_info,
        Answer::Cancel => a.done_cancel,
    });
    let err = |f: &str| errors.0.get(f).map(|m| m.get(lang).to_string());
    let info_err = err("info");
    let file_err = err("attachment");
    let attachment_id = uuid::Uuid::new_v4().to_string();
    html! {
        section.answer #jawaban tabindex="-1" aria-labelledby="jawaban-title" {
            @if let Some(text) = done_text {
                div.notice.ok role="status" { p { strong { (text) } } }
            }
            @if let Some(g) = general {
                div.notice.error role="alert" { p { (g) } }
            }
            @if !actions.is_empty() {
                h3 #jawaban-title { (a.heading) }
                p {
                    @match r.state {
                        RequestState::TimeProposed => (a.intro_proposed),
                        RequestState::NeedsInfo => (a.intro_needs_info),
                        _ => (a.intro_other),
                    }
                }
                @if actions.contains(&Action::AcceptProposal) {
                    form method="post" action=(post_to) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="from" value=(r.state.as_str());
                        input type="hidden" name="action" value="accept";
                        button.primary type="submit" { (a.accept) }
                    }
                }
                @if actions.contains(&Action::DeclineProposal) {
                    form method="post" action=(post_to) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="from" value=(r.state.as_str());
                        input type="hidden" name="action" value="decline";
                        div.field {
                            label for="decline-reason" { (a.decline_reason) }
                            input #decline-reason type="text" name="reason" maxlength="1000";
                        }
                        button.secondary type="submit" { (a.decline) }
                    }
                }
                @if actions.contains(&Action::SupplyInfo) {
                    form method="post" action=(post_to) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="from" value=(r.state.as_str());
                        input type="hidden" name="action" value="info";
                        input type="hidden" name="attachment_id" value=(attachment_id);
                        div.field.invalid[info_err.is_some()] {
                            label for="info" { (a.info_label) }
                            @if let Some(e) = &info_err { p.error #info-error { (e) } }
                            textarea #info name="info" rows="4" required
                                aria-invalid=[info_err.is_some().then_some("true")]
                                aria-describedby=(if info_err.is_some() { "info-error info-hint" } else { "info-hint" }) { (typed.info) }
                            p.hint #info-hint { (a.info_hint) }
                        }
                        div.field.invalid[file_err.is_some() || typed.file_lost] {
                            label for="attachment" { (a.letter_label) }
                            @if let Some(e) = &file_err { p.error #attachment-error { (e) } }
                            @else if typed.file_lost { p.error #attachment-error { (a.letter_again) } }
                            input #attachment type="file" name="attachment"
                                accept="application/pdf,image/jpeg,image/png"
                                aria-describedby="attachment-hint";
                            p.hint #attachment-hint { (a.letter_hint) }
                        }
                        button.primary type="submit" { (a.send_info) }
                    }
                }
                @if actions.contains(&Action::Cancel) {
                    h3 { (a.cancel_heading) }
                    form method="post" action=(post_to) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="from" value=(r.state.as_str());
                        input type="hidden" name="action" value="cancel";
                        div.field {
                            label for="cancel-reason" { (a.cancel_reason) }
                            input #cancel-reason type="text" name="reason" maxlength="1000" value=(typed.reason);
                        }
                        button.secondary type="submit" { (a.cancel_button) }
                    }
                }
            }
        }
    }
}

/// The note under a request whose requester is asked something, for a reader who cannot answer.
pub(super) fn read_only_note(lang: Lang, state: RequestState) -> Option<Markup> {
    matches!(state, RequestState::TimeProposed | RequestState::NeedsInfo).then(|| {
        html! { p.notice.warn #jawaban { (texts(lang).read_only) } }
    })
}

/// The request behind `access` and the caller answering it, when this browser may answer.
async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    access: &Access,
) -> Option<(Request, Caller)> {
    match access {
        Access::Cookie(code) => {
            let token = cookies(headers).get(DEVICE_COOKIE).cloned()?;
            let idle = state.ctx.limits.session_idle_hours;
            let found = state
                .db
                .write(move |tx| Ok(resolve_token(tx, &token, idle)?))
                .await
                .ok()?;
            let Ok(Caller::Device(device)) = found else {
                return None;
            };
            let code = code.clone();
            state
                .db
                .read(move |tx| {
                    let Some(r) = load_request_by_code(tx, &code)? else {
                        return Ok(None);
                    };
                    let owner = request_owner(tx, &r.id)?.flatten();
                    Ok((owner.as_deref() == Some(device.as_str()))
                        .then_some((r, Caller::Device(device))))
                })
                .await
                .ok()?
        }
        Access::Link(secret) => {
            let secret = secret.clone();
            state
                .db
                .read(move |tx| {
                    let Some((id, caller)) = answer_links::resolve(tx, &secret)? else {
                        return Ok(None);
                    };
                    Ok(load_request(tx, &id)?.map(|r| (r, caller)))
                })
                .await
                .ok()?
        }
    }
}

/// The tracking page of `r` with the answer forms.
#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    fs: &FormState,
    status: StatusCode,
    access: &Access,
    r: &Request,
    done: Option<Answer>,
    errors: &FieldErrors,
    general: Option<&str>,
    typed: &Typed,
) -> Response {
    let (regency, _) = match site(state).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let t = super::i18n::Texts::get(fs.lang);
    let path = access.path();
    let p = PageCtx {
        t,
        regency: &regency,
        here: path.clone(),
    };
    let tracked = TrackedRequest::from_request(r);
    let answer = forms(fs.lang, r, &path, &fs.csrf, done, errors, general, typed);
    let mut res = page(
        status,
        views::track(
            &p,
            &r.tracking_code,
            None,
            Some((&tracked, state.ctx.tz)),
            Some(answer),
        ),
    );
    if fs.new_csrf {
        set_cookie(
            res.headers_mut(),
            super::FORM_COOKIE,
            fs.csrf.clone(),
            fs.https,
            true,
        );
    }
    res
}

/// The page for `access` when this browser may answer, else `None` (the caller shows the
/// read-only page).
pub(super) async fn answer_page(
    state: &AppState,
    pl: PortalLang,
    headers: &HeaderMap,
    access: &Access,
    query: Option<&str>,
) -> Option<Response> {
    let (r, _) = resolve(state, headers, access).await?;
    let fs = form_state(headers, pl);
    let done = super::query_param(query, "selesai").and_then(|d| Answer::parse(&d));
    Some(
        render(
            state,
            &fs,
            StatusCode::OK,
            access,
            &r,
            done,
            &FieldErrors::default(),
            None,
            &Typed::default(),
        )
        .await,
    )
}

/// `GET /jawab/{secret}`: the request and its answer forms, or a 404 page.
pub(super) async fn link_page(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    uri: axum::http::Uri,
) -> Response {
    let access = Access::Link(secret);
    match answer_page(&state, pl, &headers, &access, uri.query()).await {
        Some(res) => res,
        None => unknown_link(&state, pl.lang).await,
    }
}

async fn unknown_link(state: &AppState, lang: Lang) -> Response {
    let (regency, _) = match site(state).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let a = texts(lang);
    let p = PageCtx {
        t: super::i18n::Texts::get(lang),
        regency: &regency,
        here: "/lacak".into(),
    };
    let body = html! {
        div.notice.error role="alert" {
            h1 { (a.link_unknown_title) }
            p { (a.link_unknown_body) }
        }
        p { a.button.primary href="/lacak" { (p.t.words.track_title) } }
    };
    page(
        StatusCode::NOT_FOUND,
        views::layout(&p, a.link_unknown_title, Nav::Track, body),
    )
}

/// `POST /jawab/{secret}`.
pub(super) async fn link_post(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(secret): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    post(state, pl, headers, Access::Link(secret), multipart).await
}

/// `POST /lacak/{code}`: answering as the browser that submitted.
pub(super) async fn cookie_post(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(code): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let Some(code) = requests::normalize_tracking_code(&code) else {
        return unknown_link(&state, pl.lang).await;
    };
    post(state, pl, headers, Access::Cookie(code), multipart).await
}

async fn post(
    state: AppState,
    pl: PortalLang,
    headers: HeaderMap,
    access: Access,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = pl.lang;
    let a = texts(lang);
    let t = super::i18n::Texts::get(lang);
    let Some((r, caller)) = resolve(&state, &headers, &access).await else {
        return match access {
            Access::Link(_) => unknown_link(&state, lang).await,
            Access::Cookie(_) => (StatusCode::FORBIDDEN, a.not_yours).into_response(),
        };
    };
    let mut fs = form_state(&headers, pl);
    let posted = match multipart {
        Ok(m) => read_form(m, state.ctx.limits.max_attachment_bytes).await,
        Err(_) => Posted {
            too_large: true,
            ..Posted::default()
        },
    };
    let field = |name: &str| posted.fields.get(name).cloned().unwrap_or_default();
    let mut typed = Typed {
        info: field("info"),
        reason: field("reason"),
        file_lost: false,
    };
    let none = FieldErrors::default();
    let token_ok = !fs.new_csrf && posted.fields.get("csrf") == Some(&fs.csrf);
    if !same_origin(&headers) || !token_ok {
        fs.csrf = super::new_token();
        fs.new_csrf = true;
        typed.file_lost = posted.file_chosen;
        let status = StatusCode::FORBIDDEN;
        return render(
            &state,
            &fs,
            status,
            &access,
            &r,
            None,
            &none,
            Some(t.form_expired),
            &typed,
        )
        .await;
    }
    if posted.too_large {
        typed.file_lost = posted.file_chosen;
        let status = StatusCode::PAYLOAD_TOO_LARGE;
        return render(
            &state,
            &fs,
            status,
            &access,
            &r,
            None,
            &none,
            Some(t.form_too_large),
            &typed,
        )
        .await;
    }
    let Some(answer) = Answer::parse(&field("action")) else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return render(
            &state,
            &fs,
            status,
            &access,
            &r,
            None,
            &none,
            Some(a.unknown_action),
            &typed,
        )
        .await;
    };
    if answer.destructive() && field("confirm") != "yes" {
        return confirm(&state, lang, &fs, &access, &r, answer, &typed.reason).await;
    }
    let mut input = TransitionInput::new(answer.action());
    match answer {
        Answer::Info => input.info = Some(typed.info.clone()),
        Answer::Decline | Answer::Cancel => {
            input.reason = Some(typed.reason.clone()).filter(|s| !s.trim().is_empty())
        }
        Answer::Accept => {}
    }
    let letter = if answer == Answer::Info {
        posted.file
    } else {
        None
    };
    let had_letter = letter.is_some();
    let attachment_id = posted
        .fields
        .get("attachment_id")
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .cloned();
    let ctx = state.ctx.clone();
    let id = r.id.clone();
    let result = state
        .db
        .write(move |tx| {
            // The letter and the transition in one transaction: a refused answer keeps no file.
            if let (Some(letter), Caller::Device(device)) = (letter, &caller) {
                requests::add_attachment(
                    tx,
                    &ctx,
                    device,
                    &id,
                    attachment_id.as_deref(),
                    &letter.filename,
                    &letter.data,
                )?;
            }
            requests::transition(tx, &ctx, &caller, &id, &input, None)
        })
        .await;
    let done = || {
        let to = format!("{}?selesai={}#jawaban", access.path(), answer.as_str());
        (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
    };
    match result {
        Ok(_) => done(),
        // A second tap (or the back button) sends the same answer again: the request already
        // stands where this answer took it, so the person sees the same confirmation.
        Err(e)
            if e.status == StatusCode::CONFLICT
                && already_answered(&state, &r.id, answer, &field("from")).await =>
        {
            done()
        }
        Err(e) => refused(&state, &fs, &access, e, had_letter, typed).await,
    }
}

/// Whether the request moved from `from` (the state the form was shown for) to where `answer`
/// takes it.
async fn already_answered(state: &AppState, id: &str, answer: Answer, from: &str) -> bool {
    let Some(from) = RequestState::parse(from) else {
        return false;
    };
    let id = id.to_string();
    let now = state
        .db
        .read(move |tx| Ok(load_request(tx, &id)?.map(|r| r.state)))
        .await
        .ok()
        .flatten();
    let action = answer.action();
    action.from_states().contains(&from)
        && now.is_some_and(|s| {
            s != from && (s == action.target(from, true) || s == action.target(from, false))
        })
}

/// The page again after the workflow refused the answer, with the refusal next to its field.
async fn refused(
    state: &AppState,
    fs: &FormState,
    access: &Access,
    e: ApiError,
    had_letter: bool,
    mut typed: Typed,
) -> Response {
    if e.status.is_server_error() {
        tracing::error!(code = e.code, "portal answer failed");
    }
    let t = super::i18n::Texts::get(fs.lang);
    let mut errors = FieldErrors::default();
    for (wire, msg) in &e.fields.0 {
        errors.add(super::form_field(wire), msg.clone());
    }
    if matches!(
        e.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::PAYLOAD_TOO_LARGE
    ) {
        errors.add("attachment", e.message.clone());
    }
    typed.file_lost = had_letter && !errors.0.contains_key("attachment");
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
    // The request as it is now (another tab may have answered already).
    let Some((r, _)) = resolve(state, &HeaderMap::new(), access)
        .await
        .or(match access {
            Access::Cookie(code) => {
                let code = code.clone();
                state
                    .db
                    .read(move |tx| Ok(load_request_by_code(tx, &code)?))
                    .await
                    .ok()
                    .flatten()
                    .map(|r| (r, Caller::Anonymous))
            }
            Access::Link(_) => None,
        })
    else {
        return (status, general.unwrap_or_default()).into_response();
    };
    render(
        state,
        fs,
        status,
        access,
        &r,
        None,
        &errors,
        general.as_deref(),
        &typed,
    )
    .await
}

/// Asks once before an answer that ends the request, naming what will happen.
async fn confirm(
    state: &AppState,
    lang: Lang,
    fs: &FormState,
    access: &Access,
    r: &Request,
    answer: Answer,
    reason: &str,
) -> Response {
    let (regency, _) = match site(state).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let a = texts(lang);
    let path = access.path();
    let p = PageCtx {
        t: super::i18n::Texts::get(lang),
        regency: &regency,
        here: path.clone(),
    };
    let (title, body, yes) = match answer {
        Answer::Decline => (
            a.confirm_decline_title,
            a.confirm_decline_body,
            a.confirm_decline_yes,
        ),
        _ => (
            a.confirm_cancel_title,
            a.confirm_cancel_body,
            a.confirm_cancel_yes,
        ),
    };
    let markup = html! {
        div.notice.warn role="alert" {
            h1 { (title) }
            p { strong { (r.title) } " · " (r.tracking_code) }
            p { (body) }
        }
        form method="post" action=(path) enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(fs.csrf);
            input type="hidden" name="from" value=(r.state.as_str());
            input type="hidden" name="action" value=(answer.as_str());
            input type="hidden" name="reason" value=(reason);
            input type="hidden" name="confirm" value="yes";
            div.actions {
                button.primary.danger type="submit" { (yes) }
                a.button.secondary href=(format!("{path}#jawaban")) { (a.back) }
            }
        }
    };
    page(StatusCode::OK, views::layout(&p, title, Nav::Track, markup))
}

/// The answer link on the "sent" page: the secret the submission left in [`ANSWER_COOKIE`],
/// when it opens the request with this code.
pub(super) async fn sent_link(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    code: &str,
    origin: &str,
) -> Option<Markup> {
    let secret = cookies(headers).get(ANSWER_COOKIE).cloned()?;
    let s = secret.clone();
    let found = state
        .db
        .read(move |tx| {
            Ok(match answer_links::resolve(tx, &s)? {
                Some((id, _)) => load_request(tx, &id)?.map(|r| r.tracking_code),
                None => None,
            })
        })
        .await
        .ok()??;
    if found != code {
        return None;
    }
    let a = texts(lang);
    let link = format!("{origin}/jawab/{secret}");
    let wa: String =
        form_urlencoded::byte_serialize(format!("{} {code}: {link}", a.link_message).as_bytes())
            .collect();
    Some(html! {
        section.card #tautan-jawaban aria-labelledby="answer-link-title" {
            h2 #answer-link-title { (a.link_title) }
            p { (a.link_body) }
            p.link { a #answer-link href=(link) { (link) } }
            div.actions {
                a.button.secondary href=(format!("https://wa.me/?text={wa}")) rel="noopener noreferrer" { (a.link_whatsapp) }
            }
        }
    })
}

/// Leaves the secret of a new portal submission's answer link in a short-lived cookie for the
/// "sent" page.
pub(super) fn remember_link(secret: String, https: bool, out: &mut HeaderMap) {
    let c = cookie::Cookie::build((ANSWER_COOKIE, secret))
        .path("/ajukan/terkirim")
        .http_only(true)
        .secure(https)
        .same_site(cookie::SameSite::Strict)
        .max_age(cookie::time::Duration::minutes(30))
        .build();
    if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
        out.append(header::SET_COOKIE, v);
    }
}
