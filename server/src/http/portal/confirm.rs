//! `/konfirmasi/{secret}`: the holder of a requester's WhatsApp number or e-mail address confirms
//! it with the link sent to that address alone (see `domain::notify::contacts`); from then on
//! messages to it carry the request's details. Opening the link only asks (link previews and
//! mail scanners open links too); the button posts the confirmation.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use sepiion_core::notify::Channel;
use sepiion_core::validation::Lang;

use super::views::{self, Nav, PageCtx};
use super::{PortalLang, page, same_origin, site};
use crate::domain::notify::contacts;
use crate::http::state::AppState;

/// The texts of the confirmation page, one set per language.
struct ConfirmTexts {
    title: &'static str,
    ask_phone: &'static str,
    ask_email: &'static str,
    not_you: &'static str,
    button: &'static str,
    done: &'static str,
    forged: &'static str,
}

const ID: ConfirmTexts = ConfirmTexts {
    title: "Konfirmasi kontak",
    ask_phone: "Nomor WhatsApp ini dicantumkan pada permohonan kepada kantor protokol. Jika Anda \
                yang mengajukannya, konfirmasi nomor ini: pesan berikutnya akan memuat rincian \
                permohonan Anda.",
    ask_email: "Alamat e-mail ini dicantumkan pada permohonan kepada kantor protokol. Jika Anda \
                yang mengajukannya, konfirmasi alamat ini: pesan berikutnya akan memuat rincian \
                permohonan Anda.",
    not_you: "Jika bukan Anda, tutup halaman ini; pesan berikutnya hanya memuat kode pelacakan.",
    button: "Ya, ini kontak saya",
    done: "Terima kasih. Kontak ini sudah dikonfirmasi; pesan berikutnya memuat rincian \
           permohonan.",
    forged: "Konfirmasi hanya dapat dikirim dari halaman ini.",
};

const EN: ConfirmTexts = ConfirmTexts {
    title: "Confirm contact",
    ask_phone: "This WhatsApp number was given in a request to the protocol office. If you made \
                it, confirm this number: the next messages will carry your request's details.",
    ask_email: "This e-mail address was given in a request to the protocol office. If you made \
                it, confirm this address: the next messages will carry your request's details.",
    not_you: "If it was not you, close this page; the next messages carry only the tracking code.",
    button: "Yes, this is my contact",
    done: "Thank you. This contact is confirmed; the next messages carry the request's details.",
    forged: "A confirmation can only be sent from this page.",
};

fn texts(lang: Lang) -> &'static ConfirmTexts {
    if lang == Lang::En { &EN } else { &ID }
}

enum Step {
    Ask(Channel),
    Done,
    Forged,
}

async fn render(state: &AppState, lang: Lang, secret: &str, step: Option<Step>) -> Response {
    let (regency, _) = match site(state).await {
        Ok(x) => x,
        Err(res) => return res,
    };
    let p = PageCtx {
        t: super::i18n::Texts::get(lang),
        regency: &regency,
        here: format!("/konfirmasi/{secret}"),
    };
    let Some(step) = step else {
        return page(StatusCode::NOT_FOUND, views::not_found(&p));
    };
    let c = texts(lang);
    let (status, body) = match step {
        Step::Ask(channel) => (
            StatusCode::OK,
            html! {
                h1 { (c.title) }
                p { (if channel == Channel::Email { c.ask_email } else { c.ask_phone }) }
                p.muted { (c.not_you) }
                form method="post" action=(format!("/konfirmasi/{secret}")) {
                    button.primary type="submit" { (c.button) }
                }
            },
        ),
        Step::Done => (
            StatusCode::OK,
            html! {
                h1 { (c.title) }
                div.notice.ok role="status" { p { (c.done) } }
            },
        ),
        Step::Forged => (
            StatusCode::FORBIDDEN,
            html! {
                h1 { (c.title) }
                div.notice.error role="alert" { p { (c.forged) } }
            },
        ),
    };
    page(status, views::layout(&p, c.title, Nav::None, body))
}

/// Asks the holder of the address to confirm it.
pub(super) async fn confirm_page(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    Path(secret): Path<String>,
) -> Response {
    let s = secret.clone();
    let found = state
        .db
        .read(move |tx| Ok(contacts::confirmation_channel(tx, &s)?))
        .await
        .ok()
        .flatten();
    render(&state, pl.lang, &secret, found.map(Step::Ask)).await
}

/// Confirms the address (a post from the page itself).
pub(super) async fn confirm_post(
    State(state): State<AppState>,
    axum::Extension(pl): axum::Extension<PortalLang>,
    headers: HeaderMap,
    Path(secret): Path<String>,
) -> Response {
    if !same_origin(&headers) {
        return render(&state, pl.lang, &secret, Some(Step::Forged)).await;
    }
    let s = secret.clone();
    let done = state
        .db
        .write(move |tx| Ok(contacts::confirm(tx, &s)?))
        .await
        .ok()
        .flatten();
    render(&state, pl.lang, &secret, done.map(|_| Step::Done)).await
}
