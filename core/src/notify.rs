//! Who is told what: the notification rules, once, for the server (which writes and delivers
//! them) and the apps (which show them).
//!
//! [`notices`] maps an [`Event`] to [`Notice`]s: a recipient, a kind code, a priority, a link and
//! the message in Bahasa Indonesia and English. The message texts live here rather than in the
//! app's `src/i18n` because the server sends them by e-mail, WhatsApp and push while the app is
//! closed: they are written once, into the outbox, and the app shows the stored text. Core still
//! keeps the kind codes, so an app may render its own text per code if it wants to.
//!
//! The rule that matters most for privacy: a notice for [`Recipient::Requester`] is built only
//! from what the requester already sees of their own request (tracking code, title, state,
//! reason, representative, times). Staff names, dispositions, internal notes and agenda items
//! never reach it (checked by the property tests below).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::model::{AgendaStatus, LeaderId, RequestState, Role, Visibility};
use crate::time;
use crate::validation::Msg;
use crate::workflow::{Action, Actor};

/// Delivery channels of a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The synced record in the app (always on).
    App,
    /// ntfy-compatible HTTP publish to the user's secret topic (staff).
    Ntfy,
    /// A WhatsApp gateway.
    Whatsapp,
    /// E-mail over SMTP.
    Email,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::App,
        Channel::Ntfy,
        Channel::Whatsapp,
        Channel::Email,
    ];
    /// The channels that go out of the server (everything but the synced record).
    pub const OUTBOUND: [Channel; 3] = [Channel::Ntfy, Channel::Whatsapp, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::App => "app",
            Channel::Ntfy => "ntfy",
            Channel::Whatsapp => "whatsapp",
            Channel::Email => "email",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Who receives a notice. The server resolves it to accounts or the requester's device.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Recipient {
    /// Every active staff account with this role.
    Role(Role),
    /// The accounts of this role that belong to this leader (ajudan, sespri, the leader).
    LeaderStaff(Role, LeaderId),
    /// One staff member, by username or display name (a disposition's `@name`, an agenda
    /// item's assigned staff).
    Staff(String),
    /// The requester of the request the event is about (their device and chosen contact).
    Requester,
}

impl Recipient {
    pub fn is_public(&self) -> bool {
        matches!(self, Recipient::Requester)
    }
}

/// How urgently a notice should reach its recipient (ntfy priority, e-mail importance).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Normal,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Normal => "normal",
            Priority::High => "high",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Priority::Normal, Priority::High]
            .into_iter()
            .find(|p| p.as_str() == s)
    }
}

/// What a notice is about (a stable code; apps may pick an icon by it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A new request arrived (staff).
    NewRequest,
    /// The requester's receipt with the tracking code.
    Receipt,
    /// A transition the requester should know of (review started, needs info, proposal,
    /// decision, cancellation by staff, done).
    RequestUpdate,
    /// The requester acted (information supplied, proposal answered, cancelled) — staff.
    RequesterActed,
    /// The request was forwarded to a leader — that leader's team.
    Forwarded,
    /// A decision was taken — protocol staff.
    Decision,
    /// An agenda item of the next 48 hours changed.
    AgendaChanged,
    /// A disposition addressed to the recipient.
    Disposition,
    /// A request waits too long (reminder or escalation).
    Reminder,
    /// Tomorrow's agenda.
    DailyDigest,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::NewRequest => "new_request",
            NoticeKind::Receipt => "receipt",
            NoticeKind::RequestUpdate => "request_update",
            NoticeKind::RequesterActed => "requester_acted",
            NoticeKind::Forwarded => "forwarded",
            NoticeKind::Decision => "decision",
            NoticeKind::AgendaChanged => "agenda_changed",
            NoticeKind::Disposition => "disposition",
            NoticeKind::Reminder => "reminder",
            NoticeKind::DailyDigest => "daily_digest",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        use NoticeKind::*;
        [
            NewRequest,
            Receipt,
            RequestUpdate,
            RequesterActed,
            Forwarded,
            Decision,
            AgendaChanged,
            Disposition,
            Reminder,
            DailyDigest,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What tapping a notice opens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum Link {
    Request(String),
    AgendaItem(String),
    /// A leader's agenda day (`YYYY-MM-DD`), for the digest.
    AgendaDay(String),
}

/// One message for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub recipient: Recipient,
    pub kind: NoticeKind,
    pub priority: Priority,
    pub title: Msg,
    pub body: Msg,
    pub link: Link,
}

/// A notification as it syncs to its recipient (a staff account or the requester's device) and
/// shows in the app's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppNotification {
    pub id: String,
    pub kind: NoticeKind,
    pub priority: Priority,
    /// What tapping it opens.
    pub link: Link,
    pub title: Msg,
    pub body: Msg,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// The facts of a request that notices use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSubject {
    pub id: String,
    pub tracking_code: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    /// The leader asked for (`None`: either).
    pub leader_id: Option<LeaderId>,
    /// The leader the request was forwarded to.
    pub assigned_leader_id: Option<LeaderId>,
    /// The reason given with the last transition.
    pub reason: Option<String>,
    pub representative: Option<String>,
    pub proposed_starts_at: Option<DateTime<Utc>>,
    pub proposed_ends_at: Option<DateTime<Utc>>,
}

impl RequestSubject {
    /// The facts of a stored request.
    pub fn of(r: &crate::model::Request) -> RequestSubject {
        RequestSubject {
            id: r.id.clone(),
            tracking_code: r.tracking_code.clone(),
            title: r.title.clone(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            location: r.location.clone(),
            leader_id: r.leader_id.clone(),
            assigned_leader_id: r.assigned_leader_id.clone(),
            reason: r.state_reason.clone(),
            representative: r.representative.clone(),
            proposed_starts_at: r.proposed_starts_at,
            proposed_ends_at: r.proposed_ends_at,
        }
    }

    /// The leader responsible once forwarded.
    fn forwarded_to(&self) -> Option<&str> {
        self.assigned_leader_id.as_deref()
    }
}

/// The facts of an agenda item that notices use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaSubject {
    pub id: String,
    pub leader_id: LeaderId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub status: AgendaStatus,
    pub visibility: Visibility,
    /// Names of the staff assigned to it.
    pub assigned_staff: Vec<String>,
}

/// What changed about an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgendaChange {
    pub time: bool,
    pub place: bool,
    pub status: bool,
}

impl AgendaChange {
    pub fn any(self) -> bool {
        self.time || self.place || self.status
    }
}

/// One line of the daily digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub title: String,
    pub location: String,
}

/// Something that happened and may need telling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A request was submitted. `answer_link`: the private address through which the requester
    /// answers staff from any browser (portal submissions), told only to the requester.
    Submitted {
        request: RequestSubject,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answer_link: Option<String>,
    },
    /// A transition of the request state machine (`from` is the state before it).
    Transition {
        request: RequestSubject,
        action: Action,
        actor: Actor,
        /// The acting staff member's name (never shown to the requester).
        actor_name: Option<String>,
        from: RequestState,
        to: RequestState,
    },
    /// An agenda item's time, place or status changed (see [`within_notice_window`]).
    AgendaChanged {
        item: AgendaSubject,
        change: AgendaChange,
        actor_name: Option<String>,
    },
    /// A disposition or note with an instruction.
    Disposition {
        request: RequestSubject,
        author_name: String,
        instruction: String,
        text: String,
    },
    /// A request has waited in `state` longer than allowed.
    Reminder {
        request: RequestSubject,
        state: RequestState,
        /// Hours since the request last moved.
        idle_hours: i64,
        /// Past twice the limit: admin is told too.
        escalated: bool,
    },
    /// Tomorrow's agenda of one leader.
    DailyDigest {
        leader_id: LeaderId,
        leader_title: String,
        date: NaiveDate,
        lines: Vec<DigestLine>,
    },
}

/// What the rules need besides the event.
#[derive(Debug, Clone, Copy)]
pub struct NotifyContext {
    pub tz: Tz,
    pub now: DateTime<Utc>,
    /// The regency's lead time: a request for an event sooner than this is urgent.
    pub lead_time: Duration,
}

/// How far ahead an agenda change is worth telling people about.
pub const AGENDA_NOTICE_WINDOW_HOURS: i64 = 48;

/// Whether a request whose event starts at `starts_at` is urgent ("mendesak"): it starts
/// sooner than the lead time. Urgent requests are still accepted.
pub fn is_urgent(starts_at: DateTime<Utc>, now: DateTime<Utc>, lead_time: Duration) -> bool {
    starts_at - now < lead_time
}

/// The lead time when the server has not said otherwise (the server's configuration default).
pub const DEFAULT_LEAD_TIME_DAYS: i64 = 7;

/// Whether the apps flag a request "mendesak": it still awaits an answer (not decided, not
/// final) and its event starts sooner than the lead time.
pub fn flag_urgent(
    state: RequestState,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    lead_time: Duration,
) -> bool {
    !state.is_final()
        && !matches!(state, RequestState::Approved | RequestState::Represented)
        && is_urgent(starts_at, now, lead_time)
}

/// Whether an agenda change must be told: the item (before or after the change) starts within
/// the next 48 hours.
pub fn within_notice_window(
    before: DateTime<Utc>,
    after: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    let end = now + Duration::hours(AGENDA_NOTICE_WINDOW_HOURS);
    [before, after].iter().any(|t| *t >= now && *t <= end)
}

/// The people a disposition addresses: `@protokol`, `@ajudan`, `@sespri`, `@agenda`,
/// `@pimpinan`, `@admin` name roles (the leader's own ajudan, sespri and leader once the request
/// was forwarded); any other `@username` names one account.
pub fn disposition_addressees(
    request: &RequestSubject,
    instruction: &str,
    text: &str,
) -> Vec<Recipient> {
    let leader = request
        .forwarded_to()
        .or(request.leader_id.as_deref())
        .map(str::to_string);
    let mut out = Vec::new();
    for word in instruction
        .split_whitespace()
        .chain(text.split_whitespace())
    {
        let Some(name) = word.strip_prefix('@') else {
            continue;
        };
        let name: String = name
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_lowercase();
        if name.is_empty() {
            continue;
        }
        let role = match name.as_str() {
            "protokol" | "protocol" => Some(Role::Protocol),
            "ajudan" | "adc" => Some(Role::Adc),
            "sespri" => Some(Role::Sespri),
            "agenda" => Some(Role::AgendaStaff),
            "pimpinan" | "leader" => Some(Role::Leader),
            "admin" => Some(Role::Admin),
            _ => None,
        };
        let r = match (role, &leader) {
            (Some(role), Some(l)) if role.is_bound_to_leader() => {
                Recipient::LeaderStaff(role, l.clone())
            }
            (Some(role), _) => Recipient::Role(role),
            (None, _) => Recipient::Staff(name),
        };
        if !out.contains(&r) {
            out.push(r);
        }
    }
    if out.is_empty() {
        // Nobody named: the people working on the request.
        out = coordinators(request);
    }
    out
}

/// Protocol staff, and the leader's ajudan and sespri once the request was forwarded.
fn coordinators(request: &RequestSubject) -> Vec<Recipient> {
    let mut out = vec![Recipient::Role(Role::Protocol)];
    if let Some(l) = request.forwarded_to() {
        out.push(Recipient::LeaderStaff(Role::Adc, l.to_string()));
        out.push(Recipient::LeaderStaff(Role::Sespri, l.to_string()));
    }
    out
}

/// A leader's ajudan, sespri and the leader.
fn leader_team(leader: &str) -> Vec<Recipient> {
    [Role::Adc, Role::Sespri, Role::Leader]
        .into_iter()
        .map(|r| Recipient::LeaderStaff(r, leader.to_string()))
        .collect()
}

fn by(actor_name: &Option<String>) -> (String, String) {
    match actor_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(n) => (format!(" oleh {n}"), format!(" by {n}")),
        None => (String::new(), String::new()),
    }
}

fn reason_line(reason: &Option<String>, id: &str, en: &str) -> (String, String) {
    match reason.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => (format!("\n{id}: {r}"), format!("\n{en}: {r}")),
        None => (String::new(), String::new()),
    }
}

/// The notices an event causes. Every event yields at least one.
pub fn notices(event: &Event, cx: &NotifyContext) -> Vec<Notice> {
    match event {
        Event::Submitted {
            request,
            answer_link,
        } => submitted(request, answer_link.as_deref(), cx),
        Event::Transition {
            request,
            action,
            actor,
            actor_name,
            from,
            to,
        } => transition(request, *action, *actor, actor_name, *from, *to, cx),
        Event::AgendaChanged {
            item,
            change,
            actor_name,
        } => agenda_changed(item, *change, actor_name, cx),
        Event::Disposition {
            request,
            author_name,
            instruction,
            text,
        } => {
            let (title, body) = (
                Msg::new(
                    format!("Disposisi: {}", request.title),
                    format!("Disposition: {}", request.title),
                ),
                {
                    let instr = instruction.trim();
                    let head_id = if instr.is_empty() {
                        format!("Catatan dari {author_name}")
                    } else {
                        format!("{instr} — dari {author_name}")
                    };
                    let head_en = if instr.is_empty() {
                        format!("Note from {author_name}")
                    } else {
                        format!("{instr} — from {author_name}")
                    };
                    Msg::new(
                        format!("{head_id}\n{}\n({})", text.trim(), request.tracking_code),
                        format!("{head_en}\n{}\n({})", text.trim(), request.tracking_code),
                    )
                },
            );
            disposition_addressees(request, instruction, text)
                .into_iter()
                .map(|recipient| Notice {
                    recipient,
                    kind: NoticeKind::Disposition,
                    priority: Priority::Normal,
                    title: title.clone(),
                    body: body.clone(),
                    link: Link::Request(request.id.clone()),
                })
                .collect()
        }
        Event::Reminder {
            request,
            state,
            idle_hours,
            escalated,
        } => {
            let mut to = match state {
                RequestState::AwaitingLeader => match request.forwarded_to() {
                    Some(l) => vec![
                        Recipient::LeaderStaff(Role::Adc, l.to_string()),
                        Recipient::LeaderStaff(Role::Sespri, l.to_string()),
                    ],
                    None => vec![Recipient::Role(Role::Protocol)],
                },
                _ => vec![Recipient::Role(Role::Protocol)],
            };
            if *escalated {
                to.push(Recipient::Role(Role::Admin));
            }
            let hours = *idle_hours;
            let title = Msg::new(
                format!("Menunggu {} jam: {}", hours, request.title),
                format!("Waiting {} hours: {}", hours, request.title),
            );
            let body = Msg::new(
                format!(
                    "Permohonan {} berstatus \"{}\" dan belum ditindaklanjuti selama {} jam.{}",
                    request.tracking_code,
                    state.label_in_indonesian(),
                    hours,
                    if *escalated { " (eskalasi)" } else { "" }
                ),
                format!(
                    "Request {} has been \"{}\" with no action for {} hours.{}",
                    request.tracking_code,
                    state.label_in_english(),
                    hours,
                    if *escalated { " (escalated)" } else { "" }
                ),
            );
            to.into_iter()
                .map(|recipient| Notice {
                    recipient,
                    kind: NoticeKind::Reminder,
                    priority: if *escalated {
                        Priority::High
                    } else {
                        Priority::Normal
                    },
                    title: title.clone(),
                    body: body.clone(),
                    link: Link::Request(request.id.clone()),
                })
                .collect()
        }
        Event::DailyDigest {
            leader_id,
            leader_title,
            date,
            lines,
        } => {
            let date_id = time::date(*date, Lang::Id);
            let date_en = time::date(*date, Lang::En);
            let (mut body_id, mut body_en) = (String::new(), String::new());
            if lines.is_empty() {
                body_id.push_str("Tidak ada agenda.");
                body_en.push_str("No agenda items.");
            }
            for l in lines {
                let (s, e) = (l.starts_at, l.ends_at);
                body_id.push_str(&format!(
                    "{}–{} {} — {}\n",
                    time::time(s, cx.tz, Lang::Id),
                    time::time(e, cx.tz, Lang::Id),
                    l.title,
                    l.location
                ));
                body_en.push_str(&format!(
                    "{}–{} {} — {}\n",
                    time::time(s, cx.tz, Lang::En),
                    time::time(e, cx.tz, Lang::En),
                    l.title,
                    l.location
                ));
            }
            let title = Msg::new(
                format!("Agenda {leader_title} besok, {date_id}"),
                format!("Tomorrow's agenda of the {leader_title}, {date_en}"),
            );
            let body = Msg::new(body_id.trim_end(), body_en.trim_end());
            leader_team(leader_id)
                .into_iter()
                .map(|recipient| Notice {
                    recipient,
                    kind: NoticeKind::DailyDigest,
                    priority: Priority::Normal,
                    title: title.clone(),
                    body: body.clone(),
                    link: Link::AgendaDay(date.format("%Y-%m-%d").to_string()),
                })
                .collect()
        }
    }
}

fn submitted(r: &RequestSubject, answer_link: Option<&str>, cx: &NotifyContext) -> Vec<Notice> {
    let urgent = is_urgent(r.starts_at, cx.now, cx.lead_time);
    let priority = if urgent {
        Priority::High
    } else {
        Priority::Normal
    };
    let (tag_id, tag_en) = if urgent {
        ("[MENDESAK] ", "[URGENT] ")
    } else {
        ("", "")
    };
    let staff = Notice {
        recipient: Recipient::Role(Role::Protocol),
        kind: NoticeKind::NewRequest,
        priority,
        title: Msg::new(
            format!("{tag_id}Permohonan baru: {}", r.title),
            format!("{tag_en}New request: {}", r.title),
        ),
        body: Msg::new(
            format!(
                "{}\n{}\nKode {}",
                time::when(r.starts_at, r.ends_at, cx.tz, Lang::Id),
                r.location,
                r.tracking_code
            ),
            format!(
                "{}\n{}\nCode {}",
                time::when(r.starts_at, r.ends_at, cx.tz, Lang::En),
                r.location,
                r.tracking_code
            ),
        ),
        link: Link::Request(r.id.clone()),
    };
    let admin = Notice {
        recipient: Recipient::Role(Role::Admin),
        ..staff.clone()
    };
    // The answer link goes to the requester alone (the staff notices above never carry it).
    let (answer_id, answer_en) = match answer_link {
        Some(link) => (
            format!(
                "\nUntuk menjawab petugas (menerima usulan waktu, melengkapi, membatalkan), buka tautan pribadi ini dan jangan bagikan: {link}"
            ),
            format!(
                "\nTo answer the office (accept a proposed time, complete, cancel), open this private link and do not share it: {link}"
            ),
        ),
        None => (String::new(), String::new()),
    };
    let receipt = Notice {
        recipient: Recipient::Requester,
        kind: NoticeKind::Receipt,
        priority: Priority::Normal,
        title: Msg::new(
            format!("Permohonan diterima: {}", r.tracking_code),
            format!("Request received: {}", r.tracking_code),
        ),
        body: Msg::new(
            format!(
                "Permohonan \"{}\" telah kami terima. Kode pelacakan Anda: {}. Simpan kode ini untuk melihat perkembangannya.{answer_id}",
                r.title, r.tracking_code
            ),
            format!(
                "We have received your request \"{}\". Your tracking code: {}. Keep it to follow its progress.{answer_en}",
                r.title, r.tracking_code
            ),
        ),
        link: Link::Request(r.id.clone()),
    };
    vec![staff, admin, receipt]
}

/// The message telling the requester where their request stands (the same words the channels
/// send), for staff to send by hand through a `wa.me` link. Public facts only.
pub fn requester_message(r: &crate::model::Request, cx: &NotifyContext) -> Msg {
    let subject = RequestSubject::of(r);
    let notice = match r.state {
        RequestState::Submitted => submitted(&subject, None, cx).pop(),
        to => Some(requester_update(&subject, to, cx)),
    };
    match notice {
        Some(n) if n.recipient.is_public() => Msg::new(
            format!("{}\n{}", n.title.id, n.body.id),
            format!("{}\n{}", n.title.en, n.body.en),
        ),
        _ => Msg::new(String::new(), String::new()),
    }
}

/// The requester's message for a staff transition, built from public facts only.
fn requester_update(r: &RequestSubject, to: RequestState, cx: &NotifyContext) -> Notice {
    let head_id = format!(
        "Permohonan {} — {}",
        r.tracking_code,
        to.label_in_indonesian()
    );
    let head_en = format!("Request {} — {}", r.tracking_code, to.label_in_english());
    let (extra_id, extra_en) = match to {
        RequestState::InReview => (
            "Permohonan Anda sedang ditinjau oleh staf protokol.".to_string(),
            "Your request is being reviewed by the protocol office.".to_string(),
        ),
        RequestState::NeedsInfo => {
            let (i, e) = reason_line(&r.reason, "Yang perlu dilengkapi", "Please add");
            (
                format!("Permohonan Anda perlu dilengkapi.{i}"),
                format!("Your request needs more information.{e}"),
            )
        }
        RequestState::TimeProposed => {
            let (ps, pe) = (r.proposed_starts_at, r.proposed_ends_at);
            let (wi, we) = match (ps, pe) {
                (Some(s), Some(e)) => (
                    time::when(s, e, cx.tz, Lang::Id),
                    time::when(s, e, cx.tz, Lang::En),
                ),
                _ => (String::new(), String::new()),
            };
            let (i, e) = reason_line(&r.reason, "Keterangan", "Note");
            (
                format!(
                    "Kami mengusulkan waktu lain: {wi}. Mohon terima atau tolak usulan ini di aplikasi.{i}"
                ),
                format!(
                    "We propose another time: {we}. Please accept or decline it in the app.{e}"
                ),
            )
        }
        RequestState::Approved => (
            format!(
                "Permohonan \"{}\" disetujui; pimpinan hadir pada {}.",
                r.title,
                time::datetime(r.starts_at, cx.tz, Lang::Id)
            ),
            format!(
                "Your request \"{}\" is approved; the leader attends on {}.",
                r.title,
                time::datetime(r.starts_at, cx.tz, Lang::En)
            ),
        ),
        RequestState::Represented => {
            let rep = r.representative.clone().unwrap_or_default();
            (
                format!(
                    "Permohonan \"{}\" disetujui dan pimpinan diwakili oleh {rep}.",
                    r.title
                ),
                format!(
                    "Your request \"{}\" is approved; the leader is represented by {rep}.",
                    r.title
                ),
            )
        }
        RequestState::Declined => {
            let (i, e) = reason_line(&r.reason, "Alasan", "Reason");
            (
                format!("Mohon maaf, permohonan \"{}\" ditolak.{i}", r.title),
                format!(
                    "We are sorry, your request \"{}\" was declined.{e}",
                    r.title
                ),
            )
        }
        RequestState::Cancelled => {
            let (i, e) = reason_line(&r.reason, "Alasan", "Reason");
            (
                format!("Permohonan \"{}\" dibatalkan.{i}", r.title),
                format!("Your request \"{}\" was cancelled.{e}", r.title),
            )
        }
        RequestState::Done => (
            format!("Kegiatan \"{}\" telah selesai. Terima kasih.", r.title),
            format!("The event \"{}\" has taken place. Thank you.", r.title),
        ),
        RequestState::Submitted | RequestState::AwaitingLeader => (
            format!(
                "Status permohonan \"{}\": {}.",
                r.title,
                to.label_in_indonesian()
            ),
            format!(
                "Status of your request \"{}\": {}.",
                r.title,
                to.label_in_english()
            ),
        ),
    };
    Notice {
        recipient: Recipient::Requester,
        kind: NoticeKind::RequestUpdate,
        priority: if matches!(to, RequestState::NeedsInfo | RequestState::TimeProposed) {
            Priority::High
        } else {
            Priority::Normal
        },
        title: Msg::new(head_id, head_en),
        body: Msg::new(extra_id, extra_en),
        link: Link::Request(r.id.clone()),
    }
}

fn transition(
    r: &RequestSubject,
    action: Action,
    actor: Actor,
    actor_name: &Option<String>,
    from: RequestState,
    to: RequestState,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let link = Link::Request(r.id.clone());
    let staff_notice = |recipients: Vec<Recipient>, kind: NoticeKind, title: Msg, body: Msg| {
        recipients
            .into_iter()
            .map(|recipient| Notice {
                recipient,
                kind,
                priority: Priority::Normal,
                title: title.clone(),
                body: body.clone(),
                link: link.clone(),
            })
            .collect::<Vec<_>>()
    };
    let (by_id, by_en) = by(actor_name);
    match (actor, action) {
        (Actor::Requester, _) => {
            let (what_id, what_en) = match action {
                Action::SupplyInfo => (
                    "Pemohon telah melengkapi permohonan".to_string(),
                    "The requester supplied the information".to_string(),
                ),
                Action::AcceptProposal => (
                    "Pemohon menerima usulan waktu".to_string(),
                    "The requester accepted the proposed time".to_string(),
                ),
                Action::DeclineProposal => (
                    "Pemohon menolak usulan waktu".to_string(),
                    "The requester declined the proposed time".to_string(),
                ),
                Action::Cancel => (
                    "Pemohon membatalkan permohonan".to_string(),
                    "The requester cancelled the request".to_string(),
                ),
                other => (
                    format!("Pemohon: {}", other.label_in_indonesian()),
                    format!("Requester: {}", other.as_str()),
                ),
            };
            staff_notice(
                coordinators(r),
                NoticeKind::RequesterActed,
                Msg::new(
                    format!("{what_id}: {}", r.title),
                    format!("{what_en}: {}", r.title),
                ),
                Msg::new(
                    format!(
                        "Kode {} — status kini \"{}\" (sebelumnya \"{}\").",
                        r.tracking_code,
                        to.label_in_indonesian(),
                        from.label_in_indonesian()
                    ),
                    format!(
                        "Code {} — now \"{}\" (was \"{}\").",
                        r.tracking_code,
                        to.label_in_english(),
                        from.label_in_english()
                    ),
                ),
            )
        }
        (Actor::Staff(_), Action::ForwardToLeader) => {
            let leader = r
                .forwarded_to()
                .or(r.leader_id.as_deref())
                .unwrap_or_default();
            staff_notice(
                leader_team(leader),
                NoticeKind::Forwarded,
                Msg::new(
                    format!("Menunggu keputusan pimpinan: {}", r.title),
                    format!("Awaiting the leader's decision: {}", r.title),
                ),
                Msg::new(
                    format!(
                        "{}\n{}\nDiteruskan{by_id}. Kode {}.",
                        time::when(r.starts_at, r.ends_at, cx.tz, Lang::Id),
                        r.location,
                        r.tracking_code
                    ),
                    format!(
                        "{}\n{}\nForwarded{by_en}. Code {}.",
                        time::when(r.starts_at, r.ends_at, cx.tz, Lang::En),
                        r.location,
                        r.tracking_code
                    ),
                ),
            )
        }
        (Actor::Staff(_), action) => {
            let mut out = vec![requester_update(r, to, cx)];
            // Decisions taken on the leader's side are reported back to protocol staff, who
            // answer the requester and keep the agenda.
            if matches!(
                action,
                Action::Approve | Action::Represent | Action::Decline | Action::ProposeTime
            ) && from == RequestState::AwaitingLeader
            {
                out.extend(staff_notice(
                    vec![Recipient::Role(Role::Protocol)],
                    NoticeKind::Decision,
                    Msg::new(
                        format!("{}: {}", to.label_in_indonesian(), r.title),
                        format!("{}: {}", to.label_in_english(), r.title),
                    ),
                    Msg::new(
                        format!(
                            "Kode {} — {}{by_id}.",
                            r.tracking_code,
                            to.label_in_indonesian()
                        ),
                        format!(
                            "Code {} — {}{by_en}.",
                            r.tracking_code,
                            to.label_in_english()
                        ),
                    ),
                ));
            }
            out
        }
    }
}

fn agenda_changed(
    item: &AgendaSubject,
    change: AgendaChange,
    actor_name: &Option<String>,
    cx: &NotifyContext,
) -> Vec<Notice> {
    let mut what_id = Vec::new();
    let mut what_en = Vec::new();
    if change.time {
        what_id.push("waktu");
        what_en.push("time");
    }
    if change.place {
        what_id.push("tempat");
        what_en.push("place");
    }
    if change.status {
        what_id.push("status");
        what_en.push("status");
    }
    let (by_id, by_en) = by(actor_name);
    let status_id = item.status.label_in_indonesian();
    let title = Msg::new(
        format!("Agenda berubah ({}): {}", what_id.join(", "), item.title),
        format!("Agenda changed ({}): {}", what_en.join(", "), item.title),
    );
    let body = Msg::new(
        format!(
            "{}\n{}\nStatus: {status_id}. Diubah{by_id}.",
            time::when(item.starts_at, item.ends_at, cx.tz, Lang::Id),
            item.location
        ),
        format!(
            "{}\n{}\nStatus: {}. Changed{by_en}.",
            time::when(item.starts_at, item.ends_at, cx.tz, Lang::En),
            item.location,
            item.status.as_str()
        ),
    );
    // Assigned staff outside the leader's team may not see a confidential item's details.
    let redacted = (
        Msg::new(
            "Agenda rahasia pimpinan berubah",
            "A confidential agenda item changed",
        ),
        Msg::new(
            format!(
                "Jadwal tugas Anda berubah: {}. Tanyakan rinciannya kepada ajudan.",
                time::when(item.starts_at, item.ends_at, cx.tz, Lang::Id)
            ),
            format!(
                "Your duty changed: {}. Ask the ajudan for details.",
                time::when(item.starts_at, item.ends_at, cx.tz, Lang::En)
            ),
        ),
    );
    let mut recipients = vec![
        Recipient::LeaderStaff(Role::Adc, item.leader_id.clone()),
        Recipient::LeaderStaff(Role::Sespri, item.leader_id.clone()),
    ];
    let team_len = recipients.len();
    for s in &item.assigned_staff {
        let r = Recipient::Staff(s.trim().to_string());
        if !s.trim().is_empty() && !recipients.contains(&r) {
            recipients.push(r);
        }
    }
    recipients
        .into_iter()
        .enumerate()
        .map(|(i, recipient)| {
            let (t, b) = if i >= team_len && item.visibility == Visibility::Confidential {
                redacted.clone()
            } else {
                (title.clone(), body.clone())
            };
            Notice {
                recipient,
                kind: NoticeKind::AgendaChanged,
                priority: Priority::High,
                title: t,
                body: b,
                link: Link::AgendaItem(item.id.clone()),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{RequestFacts, TransitionInput, check_transition};
    use chrono::TimeZone;
    use chrono_tz::Asia::Makassar;
    use proptest::prelude::*;

    const STAFF_NAME: &str = "Ni Luh Rahasia";
    const SECRET_TEXT: &str = "catatan-internal-xyz";
    const SECRET_TITLE: &str = "Pertemuan tertutup QQQ";

    fn cx() -> NotifyContext {
        NotifyContext {
            tz: Makassar,
            now: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
            lead_time: Duration::days(7),
        }
    }

    fn subject(days_ahead: i64, assigned: bool) -> RequestSubject {
        let start = cx().now + Duration::days(days_ahead);
        RequestSubject {
            id: "r1".into(),
            tracking_code: "K7QM-3XRD".into(),
            title: "Pembukaan Pasar Seni".into(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
            location: "Semarapura".into(),
            leader_id: Some("bupati".into()),
            assigned_leader_id: assigned.then(|| "bupati".to_string()),
            reason: Some("Mohon lampirkan surat".into()),
            representative: Some("Sekda".into()),
            proposed_starts_at: Some(start + Duration::days(1)),
            proposed_ends_at: Some(start + Duration::days(1) + Duration::hours(1)),
        }
    }

    #[test]
    fn new_request_tells_protocol_admin_and_gives_the_requester_a_receipt() {
        let n = notices(
            &Event::Submitted {
                request: subject(30, false),
                answer_link: None,
            },
            &cx(),
        );
        let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
        assert_eq!(
            who,
            vec![
                Recipient::Role(Role::Protocol),
                Recipient::Role(Role::Admin),
                Recipient::Requester
            ]
        );
        let receipt = &n[2];
        assert_eq!(receipt.kind, NoticeKind::Receipt);
        assert!(receipt.body.id.contains("K7QM-3XRD") && receipt.body.en.contains("K7QM-3XRD"));
        assert_eq!(n[0].priority, Priority::Normal);
    }

    #[test]
    fn the_answer_link_is_in_the_requesters_receipt_only() {
        let link = "https://agenda.example.go.id/jawab/abc123";
        let n = notices(
            &Event::Submitted {
                request: subject(30, false),
                answer_link: Some(link.into()),
            },
            &cx(),
        );
        for notice in &n {
            let has = notice.body.id.contains(link) && notice.body.en.contains(link);
            assert_eq!(has, notice.recipient == Recipient::Requester, "{notice:?}");
        }
    }

    #[test]
    fn a_request_sooner_than_the_lead_time_is_urgent_and_high_priority() {
        let n = notices(
            &Event::Submitted {
                request: subject(3, false),
                answer_link: None,
            },
            &cx(),
        );
        assert_eq!(n[0].priority, Priority::High);
        assert!(n[0].title.id.starts_with("[MENDESAK]"));
        assert!(n[0].title.en.starts_with("[URGENT]"));
        let soon = Utc::now() + Duration::days(2);
        assert!(flag_urgent(
            RequestState::InReview,
            soon,
            Utc::now(),
            Duration::days(7)
        ));
        assert!(!flag_urgent(
            RequestState::Approved,
            soon,
            Utc::now(),
            Duration::days(7)
        ));
        assert!(!flag_urgent(
            RequestState::Cancelled,
            soon,
            Utc::now(),
            Duration::days(7)
        ));
        assert!(is_urgent(
            cx().now + Duration::days(6),
            cx().now,
            Duration::days(7)
        ));
        assert!(!is_urgent(
            cx().now + Duration::days(8),
            cx().now,
            Duration::days(7)
        ));
    }

    fn staff_transition(action: Action, from: RequestState, assigned: bool) -> Vec<Notice> {
        let r = subject(30, assigned);
        let to = action.target(from, assigned);
        notices(
            &Event::Transition {
                request: r,
                action,
                actor: Actor::Staff(Role::Admin),
                actor_name: Some(STAFF_NAME.into()),
                from,
                to,
            },
            &cx(),
        )
    }

    #[test]
    fn staff_decisions_reach_the_requester_with_reason_or_representative() {
        use RequestState::*;
        for (action, from, word_id) in [
            (Action::RequestInfo, InReview, "Perlu dilengkapi"),
            (Action::ProposeTime, InReview, "Usul waktu lain"),
            (Action::Approve, AwaitingLeader, "Disetujui"),
            (Action::Represent, AwaitingLeader, "Diwakilkan"),
            (Action::Decline, AwaitingLeader, "Ditolak"),
            (Action::Cancel, Approved, "Dibatalkan"),
        ] {
            let n = staff_transition(action, from, true);
            let req: Vec<_> = n.iter().filter(|n| n.recipient.is_public()).collect();
            assert_eq!(req.len(), 1, "{action:?}");
            assert!(
                req[0].title.id.contains(word_id),
                "{action:?}: {}",
                req[0].title.id
            );
            assert!(!req[0].body.id.contains(STAFF_NAME));
        }
        let rep = staff_transition(Action::Represent, RequestState::AwaitingLeader, true);
        assert!(rep[0].body.id.contains("Sekda"));
        let dec = staff_transition(Action::Decline, RequestState::InReview, false);
        assert!(dec[0].body.id.contains("Mohon lampirkan surat"));
        assert!(dec[0].body.en.contains("Reason: Mohon lampirkan surat"));
    }

    #[test]
    fn forwarding_tells_the_leaders_team_only() {
        let n = staff_transition(Action::ForwardToLeader, RequestState::InReview, true);
        let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
        assert_eq!(who, leader_team("bupati"));
        assert!(n[0].body.id.contains(STAFF_NAME), "staff see who forwarded");
    }

    #[test]
    fn requester_actions_reach_protocol_and_once_forwarded_the_leaders_staff() {
        for action in [
            Action::SupplyInfo,
            Action::AcceptProposal,
            Action::DeclineProposal,
            Action::Cancel,
        ] {
            let from = action.from_states()[0];
            for assigned in [false, true] {
                let n = notices(
                    &Event::Transition {
                        request: subject(30, assigned),
                        action,
                        actor: Actor::Requester,
                        actor_name: None,
                        from,
                        to: action.target(from, assigned),
                    },
                    &cx(),
                );
                let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
                let mut want = vec![Recipient::Role(Role::Protocol)];
                if assigned {
                    want.push(Recipient::LeaderStaff(Role::Adc, "bupati".into()));
                    want.push(Recipient::LeaderStaff(Role::Sespri, "bupati".into()));
                }
                assert_eq!(who, want, "{action:?} assigned={assigned}");
            }
        }
    }

    fn agenda(visibility: Visibility) -> AgendaSubject {
        AgendaSubject {
            id: "a1".into(),
            leader_id: "bupati".into(),
            title: SECRET_TITLE.into(),
            starts_at: cx().now + Duration::hours(20),
            ends_at: cx().now + Duration::hours(22),
            location: "Pendopo".into(),
            status: AgendaStatus::Confirmed,
            visibility,
            assigned_staff: vec!["Made Protokol".into()],
        }
    }

    #[test]
    fn agenda_change_tells_ajudan_sespri_and_assigned_staff() {
        let n = notices(
            &Event::AgendaChanged {
                item: agenda(Visibility::Internal),
                change: AgendaChange {
                    time: true,
                    ..Default::default()
                },
                actor_name: None,
            },
            &cx(),
        );
        let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
        assert_eq!(
            who,
            vec![
                Recipient::LeaderStaff(Role::Adc, "bupati".into()),
                Recipient::LeaderStaff(Role::Sespri, "bupati".into()),
                Recipient::Staff("Made Protokol".into())
            ]
        );
        assert!(n[2].title.id.contains(SECRET_TITLE));
        assert!(n[0].title.id.contains("waktu"));
    }

    #[test]
    fn confidential_titles_stay_with_the_leaders_team() {
        let n = notices(
            &Event::AgendaChanged {
                item: agenda(Visibility::Confidential),
                change: AgendaChange {
                    place: true,
                    ..Default::default()
                },
                actor_name: None,
            },
            &cx(),
        );
        assert!(n[0].title.id.contains(SECRET_TITLE));
        assert!(!n[2].title.id.contains(SECRET_TITLE) && !n[2].body.en.contains(SECRET_TITLE));
        assert!(!n[2].body.id.contains("Pendopo"));
    }

    #[test]
    fn the_notice_window_is_48_hours_ahead() {
        let now = cx().now;
        assert!(within_notice_window(
            now + Duration::hours(47),
            now + Duration::days(9),
            now
        ));
        assert!(within_notice_window(
            now + Duration::days(9),
            now + Duration::hours(2),
            now
        ));
        assert!(!within_notice_window(
            now + Duration::hours(49),
            now + Duration::days(3),
            now
        ));
        assert!(!within_notice_window(
            now - Duration::hours(1),
            now - Duration::hours(2),
            now
        ));
    }

    #[test]
    fn dispositions_reach_the_named_people_or_the_coordinators() {
        let r = subject(30, true);
        assert_eq!(
            disposition_addressees(
                &r,
                "Hadiri & koordinasikan @ajudan",
                "cc @protokol, @budi.s."
            ),
            vec![
                Recipient::LeaderStaff(Role::Adc, "bupati".into()),
                Recipient::Role(Role::Protocol),
                Recipient::Staff("budi.s".into())
            ]
        );
        assert_eq!(
            disposition_addressees(&r, "Hadiri", "tanpa nama"),
            coordinators(&r)
        );
        let unassigned = RequestSubject {
            leader_id: None,
            ..subject(30, false)
        };
        assert_eq!(
            disposition_addressees(&unassigned, "@sespri", ""),
            vec![Recipient::Role(Role::Sespri)]
        );
    }

    #[test]
    fn reminders_go_to_the_responsible_role_and_escalate_to_admin() {
        let ev = |state, escalated| Event::Reminder {
            request: subject(30, true),
            state,
            idle_hours: 50,
            escalated,
        };
        let n = notices(&ev(RequestState::Submitted, false), &cx());
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].recipient, Recipient::Role(Role::Protocol));
        assert!(n[0].body.id.contains("50 jam"));
        let n = notices(&ev(RequestState::AwaitingLeader, true), &cx());
        let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
        assert_eq!(
            who,
            vec![
                Recipient::LeaderStaff(Role::Adc, "bupati".into()),
                Recipient::LeaderStaff(Role::Sespri, "bupati".into()),
                Recipient::Role(Role::Admin)
            ]
        );
        assert_eq!(n[0].priority, Priority::High);
    }

    #[test]
    fn the_digest_lists_tomorrows_items_in_local_time_for_the_team() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 11, 21, 1, 0, 0).unwrap(); // 09.00 WITA
        let n = notices(
            &Event::DailyDigest {
                leader_id: "bupati".into(),
                leader_title: "Bupati Klungkung".into(),
                date,
                lines: vec![DigestLine {
                    starts_at: start,
                    ends_at: start + Duration::hours(1),
                    title: "Rapat".into(),
                    location: "Kantor".into(),
                }],
            },
            &cx(),
        );
        assert_eq!(n.len(), 3);
        assert!(n[0].title.id.contains("Sabtu, 21 November 2026"));
        assert!(n[0].body.id.contains("09.00–10.00 Rapat — Kantor"));
        assert!(n[0].body.en.contains("09:00–10:00 Rapat"));
        assert_eq!(n[0].link, Link::AgendaDay("2026-11-21".into()));
    }

    #[test]
    fn codes_round_trip() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        for p in [Priority::Normal, Priority::High] {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
    }

    fn any_event() -> impl Strategy<Value = Event> {
        let actor = prop_oneof![
            Just(Actor::Requester),
            prop::sample::select(Role::ALL.to_vec()).prop_map(Actor::Staff)
        ];
        let transition = (
            prop::sample::select(Action::ALL.to_vec()),
            prop::sample::select(RequestState::ALL.to_vec()),
            actor,
            any::<bool>(),
            -2i64..60,
        )
            .prop_filter_map(
                "only permitted transitions",
                |(action, from, actor, assigned, days)| {
                    let input = TransitionInput {
                        action,
                        reason: Some("alasan".into()),
                        info: Some("info".into()),
                        leader_id: Some("bupati".into()),
                        representative: Some("Sekda".into()),
                        proposed_starts_at: Some(cx().now + Duration::days(3)),
                        proposed_ends_at: Some(cx().now + Duration::days(3) + Duration::hours(1)),
                    };
                    let facts = RequestFacts {
                        state: from,
                        has_requested_leader: true,
                        has_assigned_leader: assigned,
                    };
                    let to = check_transition(actor, facts, &input).ok()?;
                    Some(Event::Transition {
                        request: subject(days, assigned || action == Action::ForwardToLeader),
                        action,
                        actor,
                        actor_name: Some(STAFF_NAME.into()),
                        from,
                        to,
                    })
                },
            );
        let visibility = prop::sample::select(Visibility::ALL.to_vec());
        prop_oneof![
            (-2i64..60, any::<bool>()).prop_map(|(d, a)| Event::Submitted {
                request: subject(d, a),
                answer_link: None,
            }),
            transition,
            (visibility, any::<(bool, bool, bool)>()).prop_map(|(v, (time, place, status))| {
                Event::AgendaChanged {
                    item: agenda(v),
                    change: AgendaChange {
                        time,
                        place,
                        status,
                    },
                    actor_name: Some(STAFF_NAME.into()),
                }
            }),
            (any::<bool>(), "[a-z@ ]{0,20}").prop_map(|(a, words)| Event::Disposition {
                request: subject(10, a),
                author_name: STAFF_NAME.into(),
                instruction: words,
                text: SECRET_TEXT.into(),
            }),
            (
                prop::sample::select(vec![
                    RequestState::Submitted,
                    RequestState::InReview,
                    RequestState::AwaitingLeader
                ]),
                any::<bool>(),
                any::<bool>()
            )
                .prop_map(|(state, a, escalated)| Event::Reminder {
                    request: subject(10, a),
                    state,
                    idle_hours: 30,
                    escalated,
                }),
            (0usize..4).prop_map(|k| Event::DailyDigest {
                leader_id: "bupati".into(),
                leader_title: "Bupati".into(),
                date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
                lines: (0..k)
                    .map(|i| DigestLine {
                        starts_at: cx().now + Duration::hours(i as i64),
                        ends_at: cx().now + Duration::hours(i as i64 + 1),
                        title: SECRET_TITLE.into(),
                        location: "x".into(),
                    })
                    .collect(),
            }),
        ]
    }

    proptest! {
        #[test]
        fn every_event_has_a_recipient_and_texts_in_both_languages(ev in any_event()) {
            let n = notices(&ev, &cx());
            prop_assert!(!n.is_empty());
            for notice in &n {
                prop_assert!(!notice.title.id.trim().is_empty() && !notice.title.en.trim().is_empty());
                prop_assert!(!notice.body.id.trim().is_empty() && !notice.body.en.trim().is_empty());
            }
        }

        #[test]
        fn the_public_never_receives_internal_content(ev in any_event()) {
            for notice in notices(&ev, &cx()) {
                if notice.recipient.is_public() {
                    for text in [&notice.title.id, &notice.title.en, &notice.body.id, &notice.body.en] {
                        prop_assert!(!text.contains(STAFF_NAME), "staff name in {text}");
                        prop_assert!(!text.contains(SECRET_TEXT), "internal note in {text}");
                        prop_assert!(!text.contains(SECRET_TITLE), "agenda title in {text}");
                    }
                    prop_assert!(matches!(notice.link, Link::Request(_)));
                    prop_assert!(matches!(notice.kind, NoticeKind::Receipt | NoticeKind::RequestUpdate));
                }
            }
        }

        #[test]
        fn only_request_events_reach_the_requester(ev in any_event()) {
            let public = notices(&ev, &cx()).iter().any(|n| n.recipient.is_public());
            let may = match &ev {
                Event::Submitted { .. } => true,
                Event::Transition { actor, action, .. } =>
                    matches!(actor, Actor::Staff(_)) && *action != Action::ForwardToLeader,
                _ => false,
            };
            prop_assert_eq!(public, may);
        }
    }

    #[test]
    fn every_staff_transition_but_forwarding_reaches_the_requester_and_requester_moves_reach_staff()
    {
        for action in Action::ALL {
            for from in action.from_states() {
                for actor in [Actor::Requester, Actor::Staff(Role::Admin)] {
                    if !action.permitted(actor, *from) {
                        continue;
                    }
                    let n = notices(
                        &Event::Transition {
                            request: subject(20, true),
                            action,
                            actor,
                            actor_name: None,
                            from: *from,
                            to: action.target(*from, true),
                        },
                        &cx(),
                    );
                    assert!(!n.is_empty(), "{action:?} from {from:?} by {actor:?}");
                }
            }
        }
    }
}
