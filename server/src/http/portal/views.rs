//! The portal's HTML, written with maud (checked at compile time, escaped by default). Texts come
//! from `i18n` (the portal's own) and `t.words` (core's, shared with the apps), dates from
//! `sepiion_core::time`; no inline script or style anywhere (the CSP forbids both).

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use maud::{DOCTYPE, Markup, html};
use sepiion_core::api::TrackedRequest;
use sepiion_core::draft::RequestDraft;
use sepiion_core::draft::{FIELDS, is_required};
use sepiion_core::model::{ActorKind, AgendaItem, AgendaStatus, Leader, RequestKind, RequestState};
use sepiion_core::time::{self, local_date};
use sepiion_core::validation::{FieldErrors, Lang};

use super::i18n::Texts;
use super::{CSS_URL, JS_URL, OfficeInfo};

/// The menu entries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Schedule,
    Submit,
    Track,
    About,
    None,
}

/// What every page needs: the language, the regency's name, the current address (for the
/// language switch).
pub struct PageCtx<'a> {
    pub t: &'static Texts,
    pub regency: &'a str,
    /// Path and query of this page without `lang`, e.g. `/?view=day`.
    pub here: String,
}

impl PageCtx<'_> {
    fn switch_href(&self) -> String {
        let sep = if self.here.contains('?') { '&' } else { '?' };
        format!("{}{sep}lang={}", self.here, self.t.other_lang_code)
    }
}

pub fn layout(p: &PageCtx, title: &str, current: Nav, body: Markup) -> Markup {
    let t = p.t;
    let switch = html! {
        a.lang href=(p.switch_href()) hreflang=(t.other_lang_code) lang=(t.other_lang_code) {
            (t.other_lang_name)
        }
    };
    page_layout(p, title, current, switch, body)
}

/// The page around `body`, with `switch` (the language switch) in the header.
fn page_layout(p: &PageCtx, title: &str, current: Nav, switch: Markup, body: Markup) -> Markup {
    let t = p.t;
    let nav = [
        (Nav::Schedule, "/", t.nav_schedule),
        (Nav::Submit, "/ajukan", t.nav_submit),
        (Nav::Track, "/lacak", t.nav_track),
        (Nav::About, "/tentang", t.nav_about),
    ];
    html! {
        (DOCTYPE)
        html lang=(t.html_lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (p.regency) }
                link rel="stylesheet" href=(CSS_URL.as_str());
                script src=(JS_URL.as_str()) defer {}
            }
            body {
                a.skip href="#isi" { (t.skip_to_content) }
                header.site {
                    div.wrap.bar {
                        a.brand href="/" {
                            span.name { "Sepiion" }
                            span.regency { (p.regency) }
                        }
                        (switch)
                    }
                    nav.wrap aria-label=(t.nav_label) {
                        ul {
                            @for (which, href, label) in nav {
                                li {
                                    a href=(href) aria-current=[(which == current).then_some("page")] { (label) }
                                }
                            }
                        }
                    }
                }
                main #isi .wrap tabindex="-1" { (body) }
                footer.site { div.wrap { p { (t.footer) } } }
            }
        }
    }
}

/// Day or week.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Span {
    Day,
    Week,
}

impl Span {
    pub fn as_str(self) -> &'static str {
        match self {
            Span::Day => "day",
            Span::Week => "week",
        }
    }
    /// The local dates shown for `date`: the day, or its week from Monday to Sunday.
    pub fn range(self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        use chrono::Datelike;
        match self {
            Span::Day => (date, date),
            Span::Week => {
                let monday = date - Duration::days(date.weekday().num_days_from_monday() as i64);
                (monday, monday + Duration::days(6))
            }
        }
    }
}

/// The Jadwal page's choices.
pub struct ScheduleView<'a> {
    pub span: Span,
    pub date: NaiveDate,
    pub today: NaiveDate,
    pub leader: Option<&'a str>,
    pub leaders: &'a [Leader],
    pub items: &'a [AgendaItem],
    pub tz: Tz,
}

fn schedule_href(span: Span, date: NaiveDate, leader: Option<&str>) -> String {
    with_leader(format!("/?view={}&date={date}", span.as_str()), '&', leader)
}

/// `url` with a `leader` parameter added after `sep` (`?` or `&`), when there is one.
fn with_leader(mut url: String, sep: char, leader: Option<&str>) -> String {
    if let Some(l) = leader {
        url.push(sep);
        url.push_str("leader=");
        url.extend(form_urlencoded::byte_serialize(l.as_bytes()));
    }
    url
}

/// The public Agenda Harian sheet of one day (`/api/v1/public/agenda/sheet`).
fn sheet_href(date: NaiveDate, leader: Option<&str>, format: &str) -> String {
    with_leader(
        format!("/api/v1/public/agenda/sheet?date={date}&format={format}"),
        '&',
        leader,
    )
}

/// The public calendar feed, of one leader or both.
fn feed_href(leader: Option<&str>) -> String {
    with_leader("/ics/public.ics".to_string(), '?', leader)
}

pub fn schedule(p: &PageCtx, v: &ScheduleView) -> Markup {
    let t = p.t;
    let (from, to) = v.span.range(v.date);
    let step = match v.span {
        Span::Day => Duration::days(1),
        Span::Week => Duration::days(7),
    };
    let (prev_label, next_label) = match v.span {
        Span::Day => (t.previous_day, t.next_day),
        Span::Week => (t.previous_week, t.next_week),
    };
    let heading = match v.span {
        Span::Day => time::date(from, t.lang),
        Span::Week => format!("{} – {}", time::date(from, t.lang), time::date(to, t.lang)),
    };
    let leader_title = |id: &str| {
        v.leaders
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.title.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
    let span_label = match v.span {
        Span::Day => t.words.view_day,
        Span::Week => t.words.view_week,
    };
    let chosen_leader = v
        .leader
        .map(leader_title)
        .unwrap_or_else(|| t.words.all_leaders.to_string());
    // "hari ini" only when the sheet is today's; any other day by its date in words.
    let sheet_day = if v.date == v.today {
        t.day_sheet_today.to_string()
    } else {
        format!("{}{}", t.day_sheet_on, time::date(v.date, t.lang))
    };
    let body = html! {
        h1 { (t.words.schedule_title) }
        p.muted { (t.schedule_intro) }
        // The choices fold into one line (what is shown now), so that on a phone the agenda
        // starts near the top; the day-to-day paging stays open below it.
        details.filters {
            summary { (t.filters_label) ": " (span_label) " · " (chosen_leader) }
            div.controls {
                div.group role="group" aria-label=(t.view_label) {
                    @for (span, label) in [(Span::Day, t.words.view_day), (Span::Week, t.words.view_week)] {
                        a.seg href=(schedule_href(span, v.date, v.leader))
                            aria-current=[(span == v.span).then_some("true")] { (label) }
                    }
                }
                div.group role="group" aria-label=(t.leader_label) {
                    a.seg href=(schedule_href(v.span, v.date, None))
                        aria-current=[v.leader.is_none().then_some("true")] { (t.words.all_leaders) }
                    @for l in v.leaders {
                        a.seg href=(schedule_href(v.span, v.date, Some(&l.id)))
                            aria-current=[(v.leader == Some(l.id.as_str())).then_some("true")] { (l.title) }
                    }
                }
                form.jump method="get" action="/" {
                    input type="hidden" name="view" value=(v.span.as_str());
                    @if let Some(l) = v.leader { input type="hidden" name="leader" value=(l); }
                    label for="date" { (t.go_to_date) }
                    input #date type="date" name="date" value=(v.date.to_string());
                    button.secondary type="submit" { (t.show) }
                }
            }
        }
        // One row on a phone: the steps shrink to their arrows there (named in full for screen
        // readers), with their words from a tablet's width up.
        div.pager {
            a.button.secondary href=(schedule_href(v.span, v.date - step, v.leader)) rel="prev" aria-label=(prev_label) {
                span aria-hidden="true" { "‹" } span.long aria-hidden="true" { " " (prev_label) }
            }
            a.button.secondary href=(schedule_href(v.span, v.today, v.leader)) { (t.words.today) }
            a.button.secondary href=(schedule_href(v.span, v.date + step, v.leader)) rel="next" aria-label=(next_label) {
                span.long aria-hidden="true" { (next_label) " " } span aria-hidden="true" { "›" }
            }
        }
        h2.range {
            (heading)
            @if v.span == Span::Day && v.date == v.today { " " span.chip.today { (t.words.today) } }
        }
        @if v.items.is_empty() {
            p.muted role="status" { (t.no_items) }
        } @else {
            @for day in &days {
                @let list: Vec<&AgendaItem> = v.items.iter().filter(|i| local_date(i.starts_at, v.tz) == *day).collect();
                @if v.span == Span::Week || !list.is_empty() {
                    section.day.today[*day == v.today] aria-labelledby=(format!("d{day}")) {
                        h3 #(format!("d{day}")) aria-current=[(*day == v.today).then_some("date")] {
                            (time::date(*day, t.lang))
                            @if *day == v.today { " " span.chip.today { (t.words.today) } }
                        }
                        @if list.is_empty() {
                            p.muted.small { (t.no_items_day) }
                        }
                        @for item in list {
                            article.card {
                                div.row {
                                    span.time { (time::time_range(item.starts_at, item.ends_at, v.tz, t.lang)) }
                                    span.chip.cancelled[item.status == AgendaStatus::Cancelled] { (t.words.agenda_status(item.status)) }
                                }
                                h4 { (item.title) }
                                p.muted { (leader_title(&item.leader_id)) " · " (item.location) }
                                @if let Some(rep) = &item.representative {
                                    p.small { (t.words.represented_by) ": " (rep) }
                                }
                                @if !item.dress_code.is_empty() {
                                    p.small { (t.words.field("dress_code").unwrap_or_default()) ": " (item.dress_code) }
                                }
                            }
                        }
                    }
                }
            }
        }
        nav.take-away aria-label=(t.take_away_label) {
            ul {
                @if v.span == Span::Day {
                    li { a href=(sheet_href(v.date, v.leader, "pdf")) { (t.day_sheet) " " (sheet_day) " " (t.day_sheet_pdf) } }
                    li { a href=(sheet_href(v.date, v.leader, "png")) { (t.day_sheet) " " (sheet_day) " " (t.day_sheet_png) } }
                }
                li { a href=(feed_href(v.leader)) { (t.calendar_feed) } }
            }
        }
    };
    layout(p, t.words.schedule_title, Nav::Schedule, body)
}

/// The request form as shown: what was typed, and the errors after a failed submit.
pub struct FormView<'a> {
    pub draft: &'a RequestDraft,
    pub errors: &'a FieldErrors,
    /// A message for the top of the form that belongs to no field.
    pub general: Option<&'a str>,
    pub leaders: &'a [Leader],
    pub csrf: &'a str,
    /// The submission's id, kept across attempts so a resent form never makes a second request.
    pub submission_id: &'a str,
    /// A file was chosen but not kept (the form had errors).
    pub file_dropped: bool,
    pub lang: Lang,
    /// The regency's zone, named in the time fields' labels.
    pub tz: Tz,
}

/// How one field is entered; its label and whether it is required come from core.
struct Input<'a> {
    name: &'a str,
    kind: &'a str,
    hint: Option<&'a str>,
    autocomplete: Option<&'a str>,
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if error {
        ids.push(format!("{name}-error"));
    }
    if hint {
        ids.push(format!("{name}-hint"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

fn label(t: &Texts, text: &str, required: bool) -> Markup {
    html! {
        (text)
        @if required { " " abbr.req title=(t.words.required) { "*" } } @else { " " span.muted { (t.words.optional) } }
    }
}

fn field(t: &Texts, f: &FormView, i: Input, control: Option<Markup>) -> Markup {
    let error = f.errors.get(i.name).map(|m| m.get(f.lang).to_string());
    let value = f.draft.get(i.name);
    let required = is_required(i.name);
    html! {
        div.field.invalid[error.is_some()] {
            label for=(i.name) { (label(t, &t.words.field_in_zone(i.name, f.tz), required)) }
            @if let Some(e) = &error {
                p.error id=(format!("{}-error", i.name)) { (e) }
            }
            @match control {
                Some(c) => (c),
                None => @if i.kind == "textarea" {
                    textarea #(i.name) name=(i.name) rows="5" required[required]
                        aria-invalid=[error.is_some().then_some("true")]
                        aria-describedby=[described_by(i.name, i.hint.is_some(), error.is_some())] { (value) }
                } @else {
                    input #(i.name) type=(i.kind) name=(i.name) value=(value) required[required]
                        autocomplete=[i.autocomplete]
                        inputmode=[(i.kind == "number").then_some("numeric")]
                        min=[(i.kind == "number").then_some("1")]
                        aria-invalid=[error.is_some().then_some("true")]
                        aria-describedby=[described_by(i.name, i.hint.is_some(), error.is_some())];
                },
            }
            @if let Some(h) = i.hint {
                p.hint id=(format!("{}-hint", i.name)) { (h) }
            }
        }
    }
}

fn select(f: &FormView, name: &str, options: &[(String, String)], required: bool) -> Markup {
    let error = f.errors.get(name).is_some();
    let value = f.draft.get(name);
    html! {
        select #(name) name=(name) required[required]
            aria-invalid=[error.then_some("true")]
            aria-describedby=[described_by(name, false, error)] {
            @for (v, label) in options {
                option value=(v) selected[v == value] { (label) }
            }
        }
    }
}

pub fn request_form(p: &PageCtx, f: &FormView) -> Markup {
    let t = p.t;
    let kinds: Vec<(String, String)> = RequestKind::ALL
        .iter()
        .map(|k| (k.as_str().to_string(), t.words.kind(*k).to_string()))
        .collect();
    let mut leaders = vec![(String::new(), t.words.either_leader.to_string())];
    leaders.extend(f.leaders.iter().map(|l| (l.id.clone(), l.title.clone())));
    let has_errors = !f.errors.is_empty() || f.general.is_some();
    let field_label = |name: &str| t.words.field_in_zone(name, f.tz);
    let attachment_error = f
        .errors
        .get("attachment")
        .map(|m| m.get(f.lang).to_string());
    let body = html! {
        h1 { (t.words.form_title) }
        @if has_errors {
            div.notice.error #errors role="alert" tabindex="-1" autofocus {
                h2 { (t.errors_title) }
                @if let Some(g) = f.general { p { (g) } }
                ul {
                    @for name in FIELDS.iter().copied().chain(["attachment"]) {
                        @if let Some(m) = f.errors.get(name) {
                            li { a href=(format!("#{name}")) { (field_label(name)) ": " (m.get(f.lang)) } }
                        }
                    }
                }
            }
        }
        p.muted { (t.words.form_intro) }
        form #ajukan-form method="post" action="/ajukan" enctype="multipart/form-data" novalidate {
            input type="hidden" name="csrf" value=(f.csrf);
            input type="hidden" name="id" value=(f.submission_id);
            // The errors are shown: a language switch shows them again, in the other language.
            @if !f.errors.is_empty() { input type="hidden" name="checked" value="1"; }
            fieldset {
                legend { (t.section_event) }
                (field(t, f, Input { name: "kind", kind: "select", hint: None, autocomplete: None },
                    Some(select(f, "kind", &kinds, true))))
                (field(t, f, Input { name: "leader_id", kind: "select", hint: None, autocomplete: None },
                    Some(select(f, "leader_id", &leaders, false))))
                (field(t, f, Input { name: "title", kind: "text", hint: None, autocomplete: None }, None))
                (field(t, f, Input { name: "description", kind: "textarea", hint: None, autocomplete: None }, None))
                (field(t, f, Input { name: "location", kind: "text", hint: None, autocomplete: None }, None))
                (field(t, f, Input { name: "organizer", kind: "text", hint: None, autocomplete: Some("organization") }, None))
                (field(t, f, Input { name: "leader_role", kind: "text", hint: Some(t.words.field_leader_role_hint), autocomplete: None }, None))
                (field(t, f, Input { name: "expected_attendees", kind: "number", hint: None, autocomplete: None }, None))
                (field(t, f, Input { name: "dress_code", kind: "text", hint: None, autocomplete: None }, None))
                (field(t, f, Input { name: "letter_number", kind: "text", hint: None, autocomplete: None }, None))
            }
            fieldset {
                legend { (t.section_when) }
                div.two {
                    (field(t, f, Input { name: "start_date", kind: "date", hint: None, autocomplete: None }, None))
                    (field(t, f, Input { name: "start_time", kind: "time", hint: None, autocomplete: None }, None))
                }
                div.two {
                    (field(t, f, Input { name: "end_date", kind: "date", hint: Some(t.field_end_date_hint), autocomplete: None }, None))
                    (field(t, f, Input { name: "end_time", kind: "time", hint: None, autocomplete: None }, None))
                }
            }
            fieldset {
                legend { (t.section_requester) }
                (field(t, f, Input { name: "requester_name", kind: "text", hint: None, autocomplete: Some("name") }, None))
                (field(t, f, Input { name: "requester_phone", kind: "tel", hint: Some(t.words.field_phone_hint), autocomplete: Some("tel") }, None))
                (field(t, f, Input { name: "requester_email", kind: "email", hint: None, autocomplete: Some("email") }, None))
                div.field.invalid[attachment_error.is_some()] {
                    label for="attachment" { (label(t, &t.words.field_in_zone("attachment", f.tz), false)) }
                    @if let Some(e) = &attachment_error {
                        p.error #attachment-error { (e) }
                    }
                    @if f.file_dropped {
                        p.notice.warn #attachment-again { (t.attachment_again) }
                    }
                    input #attachment type="file" name="attachment" accept="application/pdf,image/jpeg,image/png"
                        aria-invalid=[attachment_error.is_some().then_some("true")]
                        aria-describedby=(described_by("attachment", true, attachment_error.is_some()).unwrap_or_default());
                    p.hint #attachment-hint { (t.words.attachment_hint) }
                }
            }
            // A field people never see or reach; bots that fill every input give themselves away.
            div.hp aria-hidden="true" {
                label for="website" { (t.honeypot_label) }
                input #website type="text" name="website" tabindex="-1" autocomplete="off" value="";
            }
            p.small.muted { (t.privacy_short) }
            button.primary type="submit" { (t.words.submit_request) }
        }
    };
    // The language switch sends the form (without submitting the request), so the page comes
    // back in the other language with everything typed; it works without JavaScript.
    let switch = html! {
        button.lang type="submit" form="ajukan-form" name="switch_lang" value="1"
            formaction=(format!("/ajukan?lang={}", t.other_lang_code)) formnovalidate
            lang=(t.other_lang_code) { (t.other_lang_name) }
    };
    page_layout(p, t.words.form_title, Nav::Submit, switch, body)
}

/// A tracking code that line-breaks only after its dashes ("LC9R-" / "THWT-" / "FJ6S", never
/// inside a group): each group with its dash is one unbreakable span, a `<wbr>` after it. The
/// text stays the code itself (copying or reading it aloud gives "LC9R-THWT-FJ6S").
pub fn tracking_code(code: &str) -> Markup {
    let groups: Vec<&str> = code.split('-').collect();
    let last = groups.len().saturating_sub(1);
    html! {
        @for (i, g) in groups.iter().enumerate() {
            @if i < last { span.code-group { (g) "-" } wbr; } @else { span.code-group { (g) } }
        }
    }
}

pub fn submitted(p: &PageCtx, code: &str, share_text: &str, answer_link: Option<Markup>) -> Markup {
    let t = p.t;
    let body = html! {
        div.notice.ok role="status" {
            h1 { (t.words.request_sent) }
            p { (t.sent_body) }
        }
        p #code-label { (t.your_code) }
        p.code #code { (tracking_code(code)) }
        div.actions {
            button.secondary type="button" hidden data-copy=(code) data-done=(t.words.code_copied) { (t.words.copy_code) }
            a.button.secondary href=(sepiion_core::phone::wa_me_share(share_text)) rel="noopener noreferrer" { (t.words.share_whatsapp) }
            a.button.primary href=(format!("/lacak/{code}")) { (t.track_now) }
        }
        p.small.muted #copy-status role="status" aria-live="polite" {}
        @if let Some(link) = answer_link { (link) }
    };
    layout(p, t.words.request_sent, Nav::Submit, body)
}

pub fn track(
    p: &PageCtx,
    typed: &str,
    error: Option<&str>,
    found: Option<(&TrackedRequest, Tz)>,
    answer: Option<Markup>,
) -> Markup {
    let t = p.t;
    let body = html! {
        h1 { (t.words.track_title) }
        p.muted { (t.words.track_intro) }
        form.track method="get" action="/lacak" {
            div.field.invalid[error.is_some()] {
                label for="code" { (t.words.tracking_code) }
                @if let Some(e) = error { p.error #code-error role="alert" { (e) } }
                input #code type="text" name="code" value=(typed) required autocomplete="off"
                    autocapitalize="characters" spellcheck="false"
                    aria-invalid=[error.is_some().then_some("true")]
                    aria-describedby=(described_by("code", true, error.is_some()).unwrap_or_default());
                p.hint #code-hint { (t.field_code_hint) }
            }
            button.primary type="submit" { (t.words.track_button) }
        }
        @if let Some((r, tz)) = found {
            section.card.tracked aria-labelledby="tracked-title" {
                p.small.muted { (t.words.kind(r.kind)) " · " (tracking_code(&r.tracking_code)) }
                h2 #tracked-title { (r.title) }
                dl {
                    dt { (t.state_label) }
                    dd { span class=(format!("state s-{}", r.state.as_str())) { (t.words.state(r.state)) } }
                    @if let Some(reason) = &r.state_reason {
                        dt { (t.reason_label) } dd { (reason) }
                    }
                    @if let Some(rep) = &r.representative {
                        dt { (t.words.represented_by) } dd { (rep) }
                    }
                    @if r.state == RequestState::TimeProposed {
                        @if let (Some(s), Some(e)) = (r.proposed_starts_at, r.proposed_ends_at) {
                            dt { (t.words.proposed_time) } dd { (time::when(s, e, tz, t.lang)) }
                        }
                    }
                    dt { (t.activity) } dd { (time::when(r.starts_at, r.ends_at, tz, t.lang)) br; (r.location) br; (r.organizer) }
                }
                @if let Some(a) = &answer { (a) }
                h3 { (t.words.timeline) }
                ol.timeline {
                    @for e in &r.timeline {
                        li {
                            strong { (t.words.state(e.to)) }
                            " — " (time::datetime(e.at, tz, t.lang))
                            br;
                            span.small.muted {
                                @match (e.actor, e.actor_role) {
                                    (_, Some(role)) => (t.words.role(role)),
                                    (ActorKind::Requester, None) => (t.by_requester),
                                    _ => (t.by_system),
                                }
                            }
                            @if let Some(reason) = &e.reason { p.small { (reason) } }
                        }
                    }
                }
            }
        }
    };
    layout(p, t.words.track_title, Nav::Track, body)
}

pub fn about(p: &PageCtx, office: &OfficeInfo) -> Markup {
    let t = p.t;
    let body = html! {
        h1 { (t.about_title) }
        p { (t.about_intro) }
        h2 { (t.about_steps_title) }
        ol { @for s in t.about_steps { li { (s) } } }
        h2 #kontak { (t.contact_title) }
        @if office.is_empty() {
            p.muted { (t.contact_none) }
        } @else {
            div.card {
                @if !office.name.is_empty() { p { strong { (office.name) } } }
                dl {
                    @if !office.address.is_empty() { dt { (t.address) } dd { (office.address) } }
                    @if !office.phone.is_empty() {
                        dt { (t.phone) }
                        dd { a href=(format!("tel:{}", office.phone.replace(' ', ""))) { (office.phone) } }
                    }
                    @if !office.email.is_empty() {
                        dt { (t.email) } dd { a href=(format!("mailto:{}", office.email)) { (office.email) } }
                    }
                    @if !office.hours.is_empty() { dt { (t.hours) } dd { (office.hours) } }
                }
            }
        }
        h2 #privasi { (t.privacy_title) }
        ul { @for s in t.privacy { li { (s) } } }
    };
    layout(p, t.about_title, Nav::About, body)
}

/// One public agenda item (the address the calendar feeds give as an event's URL).
pub fn agenda_item(p: &PageCtx, item: &AgendaItem, leader: &str, tz: Tz) -> Markup {
    let t = p.t;
    let day = local_date(item.starts_at, tz);
    let body = html! {
        article.card.item aria-labelledby="item-title" {
            p.small.muted { (leader) }
            h1 #item-title { (item.title) }
            dl {
                dt { (t.item_time) } dd { (time::when(item.starts_at, item.ends_at, tz, t.lang)) }
                dt { (t.item_place) } dd { (item.location) }
                dt { (t.leader_label) } dd { (leader) }
                dt { (t.item_status) }
                dd { span.chip.cancelled[item.status == AgendaStatus::Cancelled] { (t.words.agenda_status(item.status)) } }
                @if let Some(rep) = &item.representative {
                    dt { (t.words.represented_by) } dd { (rep) }
                }
                @if !item.dress_code.is_empty() {
                    dt { (t.words.field("dress_code").unwrap_or_default()) } dd { (item.dress_code) }
                }
            }
        }
        p { a.button.secondary href=(schedule_href(Span::Day, day, None)) { (t.day_schedule) } }
    };
    layout(p, &item.title, Nav::Schedule, body)
}

pub fn not_found(p: &PageCtx) -> Markup {
    let t = p.t;
    layout(
        p,
        t.not_found_title,
        Nav::None,
        html! {
            h1 { (t.not_found_title) }
            p { a href="/" { (t.nav_schedule) } }
        },
    )
}
