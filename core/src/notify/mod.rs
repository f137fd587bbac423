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
//!
//! Who is told lives in [`recipients`], what they are told in [`messages`] (both languages side
//! by side, one fan-out for every event).

mod messages;
pub mod recipients;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::model::{AgendaStatus, LeaderId, RequestState, Role, Visibility};
use crate::validation::Msg;
use crate::workflow::{Action, Actor};

pub use messages::{digest_clashes, unconfirmed_contact_message};
pub use recipients::{disposition_addressees, mentions, person_mentions};

/// Delivery channels of a notification.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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

// `as_str`, `parse` and `ALL` like every coded enum of core (see `crate::codes`).
codes!(Channel, Priority, NoticeKind);

impl Channel {
    /// The channels that go out of the server (everything but the synced record).
    pub const OUTBOUND: [Channel; 3] = [Channel::Ntfy, Channel::Whatsapp, Channel::Email];
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
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Priority {
    Normal,
    High,
}

/// What a notice is about (a stable code; apps may pick an icon by it).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// The organiser (organisation or OPD); empty in events written before it was kept.
    #[serde(default)]
    pub organizer: String,
    /// The responsible leader's title ("Bupati Klungkung"), filled by the server when it
    /// expands the event (leaders come from its data).
    #[serde(default)]
    pub leader_name: Option<String>,
    /// The public tracking page of this request, filled by the server when its public address
    /// is configured.
    #[serde(default)]
    pub tracking_url: Option<String>,
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
            organizer: r.organizer.clone(),
            leader_name: None,
            tracking_url: None,
        }
    }

    /// The leader responsible once forwarded.
    fn forwarded_to(&self) -> Option<&str> {
        self.assigned_leader_id.as_deref()
    }

    /// The leader forwarded to, else the one asked for.
    pub fn responsible_leader(&self) -> Option<&str> {
        self.forwarded_to().or(self.leader_id.as_deref())
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

/// An agenda item's time, place and status before a change ("09.00 → 10.00").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaBefore {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub status: AgendaStatus,
}

/// One line of the daily digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestLine {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub title: String,
    pub location: String,
    /// Not yet confirmed (marked in the digest).
    #[serde(default)]
    pub tentative: bool,
}

/// Something that happened and may need telling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A request was submitted.
    /// `answer_link`: the private address through which the requester answers staff from any
    /// browser (portal submissions), told only to the requester.
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
        /// How the item was (absent in events written before it was kept).
        #[serde(default)]
        before: Option<AgendaBefore>,
        /// The reason given (a cancellation's).
        #[serde(default)]
        reason: Option<String>,
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

/// The notices an event causes. Every event yields at least one.
pub fn notices(event: &Event, cx: &NotifyContext) -> Vec<Notice> {
    match event {
        Event::Submitted {
            request,
            answer_link,
        } => messages::submitted(request, answer_link.as_deref(), cx),
        Event::Transition {
            request,
            action,
            actor,
            actor_name,
            from,
            to,
        } => messages::transition(request, *action, *actor, actor_name, *from, *to, cx),
        Event::AgendaChanged {
            item,
            change,
            actor_name,
            before,
            reason,
        } => messages::agenda_changed(item, *change, before, actor_name, reason, cx),
        Event::Disposition {
            request,
            author_name,
            instruction,
            text,
        } => messages::disposition(request, author_name, instruction, text, cx),
        Event::Reminder {
            request,
            state,
            idle_hours,
            escalated,
        } => messages::reminder(request, *state, *idle_hours, *escalated, cx),
        Event::DailyDigest {
            leader_id,
            leader_title,
            date,
            lines,
        } => messages::daily_digest(leader_id, leader_title, *date, lines, cx),
    }
}

impl Event {
    /// The request the event is about, for the server to fill in what only it knows
    /// ([`RequestSubject::leader_name`], [`RequestSubject::tracking_url`]).
    pub fn request_mut(&mut self) -> Option<&mut RequestSubject> {
        match self {
            Event::Submitted { request, .. }
            | Event::Transition { request, .. }
            | Event::Disposition { request, .. }
            | Event::Reminder { request, .. } => Some(request),
            Event::AgendaChanged { .. } | Event::DailyDigest { .. } => None,
        }
    }
}

/// The message telling the requester where their request stands (the same words the channels
/// send), for staff to send by hand through a `wa.me` link. Public facts only.
pub fn requester_message(r: &crate::model::Request, cx: &NotifyContext) -> Msg {
    let n = messages::requester_notice(&RequestSubject::of(r), r.state, cx);
    Msg::new(
        format!("{}\n{}", n.title.ind, n.body.ind),
        format!("{}\n{}", n.title.en, n.body.en),
    )
}

#[cfg(test)]
mod tests {
    use super::recipients::{coordinators, leader_team};
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
            organizer: "Dinas Pariwisata".into(),
            leader_name: Some("Bupati Klungkung".into()),
            tracking_url: Some("https://agenda.test/lacak/K7QM-3XRD".into()),
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
        assert!(receipt.body.ind.contains("K7QM-3XRD") && receipt.body.en.contains("K7QM-3XRD"));
        assert_eq!(n[0].priority, Priority::Normal);
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
        assert!(n[0].title.ind.starts_with("[MENDESAK]"));
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
                req[0].title.ind.contains(word_id),
                "{action:?}: {}",
                req[0].title.ind
            );
            assert!(!req[0].body.ind.contains(STAFF_NAME));
        }
        let rep = staff_transition(Action::Represent, RequestState::AwaitingLeader, true);
        assert!(rep[0].body.ind.contains("Sekda"));
        let dec = staff_transition(Action::Decline, RequestState::InReview, false);
        assert!(dec[0].body.ind.contains("Mohon lampirkan surat"));
        assert!(dec[0].body.en.contains("Reason: Mohon lampirkan surat"));
    }

    #[test]
    fn forwarding_tells_the_leaders_team_only() {
        let n = staff_transition(Action::ForwardToLeader, RequestState::InReview, true);
        let who: Vec<_> = n.iter().map(|n| n.recipient.clone()).collect();
        assert_eq!(who, leader_team("bupati"));
        assert!(
            n[0].body.ind.contains(STAFF_NAME),
            "staff see who forwarded"
        );
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
                before: None,
                reason: None,
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
        assert!(n[2].title.ind.contains(SECRET_TITLE));
        assert!(n[0].title.ind.contains("waktu"));
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
                before: None,
                reason: None,
            },
            &cx(),
        );
        assert!(n[0].title.ind.contains(SECRET_TITLE));
        assert!(!n[2].title.ind.contains(SECRET_TITLE) && !n[2].body.en.contains(SECRET_TITLE));
        assert!(!n[2].body.ind.contains("Pendopo"));
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
        assert!(n[0].body.ind.contains("50 jam"));
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
                    tentative: false,
                }],
            },
            &cx(),
        );
        assert_eq!(n.len(), 3);
        assert!(n[0].title.ind.contains("Sabtu, 21 November 2026"));
        assert!(n[0].body.ind.contains("09.00–10.00 Rapat — Kantor"));
        assert!(n[0].body.en.contains("09:00–10:00 Rapat"));
        assert_eq!(n[0].link, Link::AgendaDay("2026-11-21".into()));
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
        assert!(n.iter().any(|x| x.recipient == Recipient::Requester));
        for notice in &n {
            let has = notice.body.ind.contains(link) && notice.body.en.contains(link);
            assert_eq!(has, notice.recipient == Recipient::Requester, "{notice:?}");
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
                    before: Some(AgendaBefore {
                        starts_at: cx().now + Duration::hours(18),
                        ends_at: cx().now + Duration::hours(19),
                        location: "Balai".into(),
                        status: AgendaStatus::Tentative,
                    }),
                    reason: Some("hujan".into()),
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
                        tentative: i % 2 == 1,
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
                prop_assert!(!notice.title.ind.trim().is_empty() && !notice.title.en.trim().is_empty());
                prop_assert!(!notice.body.ind.trim().is_empty() && !notice.body.en.trim().is_empty());
            }
        }

        #[test]
        fn the_public_never_receives_internal_content(ev in any_event()) {
            for notice in notices(&ev, &cx()) {
                if notice.recipient.is_public() {
                    for text in [&notice.title.ind, &notice.title.en, &notice.body.ind, &notice.body.en] {
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

    fn decided(action: Action, days: i64, from: RequestState) -> Vec<Notice> {
        let mut r = subject(days, true);
        if action == Action::Decline {
            r.reason = Some("Jadwal penuh".into());
        }
        notices(
            &Event::Transition {
                to: action.target(from, true),
                request: r,
                action,
                actor: Actor::Staff(Role::Adc),
                actor_name: Some("Komang Ajudan".into()),
                from,
            },
            &cx(),
        )
    }

    #[test]
    fn the_outcome_reaches_protocol_sespri_and_leader_naming_representative_and_decider() {
        let n = decided(Action::Represent, 30, RequestState::AwaitingLeader);
        let staff: Vec<_> = n.iter().filter(|n| !n.recipient.is_public()).collect();
        let who: Vec<_> = staff.iter().map(|n| n.recipient.clone()).collect();
        let mut want = vec![Recipient::Role(Role::Protocol)];
        want.extend(leader_team("bupati"));
        assert_eq!(who, want);
        let body = &staff[0].body;
        assert!(
            body.ind.contains("Diwakilkan — diwakili oleh Sekda."),
            "{}",
            body.ind
        );
        assert!(
            body.en.contains("Represented — represented by Sekda."),
            "{}",
            body.en
        );
        assert!(
            body.ind.contains("Diputuskan oleh Komang Ajudan."),
            "{}",
            body.ind
        );
        assert!(!body.ind.contains("oleh Komang Ajudan Bupati"));
        let declined = decided(Action::Decline, 30, RequestState::AwaitingLeader);
        assert!(declined[1].body.ind.contains("Alasan: Jadwal penuh"));
        assert!(declined[1].body.en.contains("Reason: Jadwal penuh"));
    }

    #[test]
    fn urgency_travels_to_everyone_on_staff_the_request_reaches() {
        for (action, from) in [
            (Action::ForwardToLeader, RequestState::InReview),
            (Action::Approve, RequestState::AwaitingLeader),
        ] {
            for n in decided(action, 3, from) {
                if n.recipient.is_public() {
                    continue;
                }
                assert_eq!(n.priority, Priority::High, "{action:?} {:?}", n.recipient);
                assert!(n.title.ind.starts_with("[MENDESAK] "), "{}", n.title.ind);
                assert!(n.title.en.starts_with("[URGENT] "), "{}", n.title.en);
            }
            for n in decided(action, 30, from) {
                assert!(!n.title.ind.contains("MENDESAK"));
            }
        }
        let disp = notices(
            &Event::Disposition {
                request: subject(3, true),
                author_name: "Made".into(),
                instruction: "@ajudan".into(),
                text: "segera".into(),
            },
            &cx(),
        );
        assert_eq!(disp[0].priority, Priority::High);
    }

    #[test]
    fn protocol_cancelling_an_approved_request_far_ahead_tells_the_leaders_team() {
        let cancel = |days| {
            notices(
                &Event::Transition {
                    request: subject(days, true),
                    action: Action::Cancel,
                    actor: Actor::Staff(Role::Protocol),
                    actor_name: Some("Made Protokol".into()),
                    from: RequestState::Approved,
                    to: RequestState::Cancelled,
                },
                &cx(),
            )
        };
        let far = cancel(10);
        let team: Vec<_> = far
            .iter()
            .filter(|n| matches!(n.recipient, Recipient::LeaderStaff(..)))
            .collect();
        assert_eq!(team.len(), 3, "ajudan, sespri and the leader");
        assert!(team[0].body.ind.contains("Dibatalkan oleh Made Protokol."));
        assert!(team[0].body.ind.contains("Alasan: Mohon lampirkan surat"));
        // Within 48 hours the agenda change notice tells them instead (no double notice).
        assert!(
            cancel(1)
                .iter()
                .all(|n| !matches!(n.recipient, Recipient::LeaderStaff(..)))
        );
    }

    #[test]
    fn agenda_changes_show_old_and_new_values_reason_and_who() {
        let item = AgendaSubject {
            status: AgendaStatus::Cancelled,
            ..agenda(Visibility::Internal)
        };
        let before = AgendaBefore {
            starts_at: item.starts_at - Duration::hours(1),
            ends_at: item.ends_at - Duration::hours(1),
            location: "Balai Desa".into(),
            status: AgendaStatus::Confirmed,
        };
        let n = notices(
            &Event::AgendaChanged {
                item,
                change: AgendaChange {
                    time: true,
                    place: true,
                    status: true,
                },
                actor_name: Some("Komang Ajudan".into()),
                before: Some(before),
                reason: Some("Bupati sakit".into()),
            },
            &cx(),
        );
        let (id, en) = (&n[0].body.ind, &n[0].body.en);
        // 20 h after 00.00 UTC = 20.00 UTC = 04.00 WITA the next day; before it was 03.00.
        assert!(id.contains("03.00–05.00 WITA → "), "{id}");
        assert!(
            id.contains("→ Sabtu, 21 November 2026, 04.00–06.00 WITA"),
            "{id}"
        );
        assert!(en.contains("03:00–05:00 WITA → "), "{en}");
        assert!(id.contains("Tempat: Balai Desa → Pendopo"), "{id}");
        assert!(id.contains("Status: Pasti → Batal"), "{id}");
        assert!(en.contains("Status: Confirmed → Cancelled"), "{en}");
        assert!(!en.contains("confirmed"), "no raw codes: {en}");
        assert!(id.contains("Alasan: Bupati sakit") && en.contains("Reason: Bupati sakit"));
        assert!(
            id.contains("Diubah oleh Komang Ajudan.") && en.contains("Changed by Komang Ajudan.")
        );
        assert!(n[0].title.ind.starts_with("Agenda dibatalkan: "));
    }

    #[test]
    fn the_new_request_names_leader_and_organiser_and_the_requester_gets_the_tracking_link() {
        let n = notices(
            &Event::Submitted {
                request: subject(30, false),
                answer_link: None,
            },
            &cx(),
        );
        assert!(
            n[0].body.ind.contains("Pimpinan: Bupati Klungkung"),
            "{}",
            n[0].body.ind
        );
        assert!(n[0].body.ind.contains("Penyelenggara: Dinas Pariwisata"));
        assert!(n[0].body.en.contains("Organiser: Dinas Pariwisata"));
        assert!(
            n[2].body
                .ind
                .contains("Lacak: https://agenda.test/lacak/K7QM-3XRD")
        );
        assert!(
            n[2].body
                .en
                .contains("Track it: https://agenda.test/lacak/K7QM-3XRD")
        );
        let approved = decided(Action::Approve, 30, RequestState::AwaitingLeader);
        assert!(
            approved[0].body.ind.contains("pimpinan akan hadir pada"),
            "{}",
            approved[0].body.ind
        );
        assert!(approved[0].body.en.contains("the leader will attend on"));
        assert!(
            approved[0]
                .body
                .ind
                .contains("Lacak: https://agenda.test/lacak/")
        );
    }

    #[test]
    fn one_hour_is_singular_in_english() {
        let n = notices(
            &Event::Reminder {
                request: subject(30, false),
                state: RequestState::Submitted,
                idle_hours: 1,
                escalated: false,
            },
            &cx(),
        );
        assert!(
            n[0].title.en.starts_with("Waiting 1 hour: "),
            "{}",
            n[0].title.en
        );
        assert!(n[0].body.en.contains("for 1 hour."), "{}", n[0].body.en);
        assert!(n[0].title.ind.starts_with("Menunggu 1 jam: "));
    }

    #[test]
    fn the_digest_marks_tentative_items_and_flags_clashes() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0).unwrap();
        let line = |s, e, title: &str, location: &str, tentative| DigestLine {
            starts_at: s,
            ends_at: e,
            title: title.into(),
            location: location.into(),
            tentative,
        };
        // 08.30–10.30 and 10.00–11.00 WITA at different places; 13.00 tentative.
        let lines = vec![
            line(at(0, 30), at(2, 30), "Rapat Paripurna", "DPRD", false),
            line(at(2, 0), at(3, 0), "Pembukaan Pasar", "Semarapura", false),
            line(at(5, 0), at(6, 0), "Audiensi", "Kantor", true),
        ];
        assert_eq!(digest_clashes(&lines), vec![(0, 1)]);
        let n = notices(
            &Event::DailyDigest {
                leader_id: "bupati".into(),
                leader_title: "Bupati Klungkung".into(),
                date,
                lines,
            },
            &cx(),
        );
        let (id, en) = (&n[0].body.ind, &n[0].body.en);
        assert!(id.contains("⚠ 08.30–10.30 Rapat Paripurna — DPRD"), "{id}");
        assert!(id.contains("⚠ 10.00–11.00 Pembukaan Pasar"), "{id}");
        assert!(
            id.contains("13.00–14.00 Audiensi — Kantor (SEMENTARA, belum pasti)"),
            "{id}"
        );
        assert!(!id.contains("⚠ 13.00"), "{id}");
        assert!(
            id.contains("BENTROK: \"Rapat Paripurna\" dan \"Pembukaan Pasar\""),
            "{id}"
        );
        assert!(
            en.contains("(TENTATIVE, not confirmed)") && en.contains("CLASH"),
            "{en}"
        );
        assert_eq!(n[0].priority, Priority::High);
    }

    #[test]
    fn mentions_start_a_word_and_email_addresses_are_not_mentions() {
        assert_eq!(
            mentions("kirim ke panitia@contoh.id, cc (@Komang) dan @ajudan.bupatii."),
            vec!["komang".to_string(), "ajudan.bupatii".to_string()]
        );
        assert_eq!(
            person_mentions("@ajudan @made", "tolong @made dan @protokol"),
            vec!["made".to_string()]
        );
        let r = subject(30, true);
        assert_eq!(
            disposition_addressees(&r, "", "undangan dari panitia@contoh.id"),
            coordinators(&r),
            "an e-mail address names nobody"
        );
    }

    #[test]
    fn codes_are_the_serde_names_and_round_trip() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        for c in Channel::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
        for p in Priority::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        // The stored codes stay what the database and the apps already hold.
        assert_eq!(NoticeKind::NewRequest.as_str(), "new_request");
        assert_eq!(NoticeKind::DailyDigest.as_str(), "daily_digest");
        assert_eq!(NoticeKind::RequesterActed.as_str(), "requester_acted");
        assert_eq!(Channel::Whatsapp.as_str(), "whatsapp");
        assert_eq!(Priority::High.as_str(), "high");
        assert_eq!(NoticeKind::parse("bogus"), None);
    }

    proptest! {
        /// Staff learn who acted on every path that has an actor (the requester never does).
        #[test]
        fn every_staff_notice_names_the_actor(ev in any_event()) {
            let has_actor = matches!(
                &ev,
                Event::Transition { actor: Actor::Staff(_), .. } | Event::AgendaChanged { .. }
            );
            for n in notices(&ev, &cx()) {
                if n.recipient.is_public() || !has_actor {
                    continue;
                }
                // A confidential item's redacted notice to outside staff names nobody.
                if n.title.en == "A confidential agenda item changed" {
                    continue;
                }
                prop_assert!(n.body.ind.contains(STAFF_NAME), "{}", n.body.ind);
                prop_assert!(n.body.en.contains(STAFF_NAME), "{}", n.body.en);
            }
        }
    }

    #[test]
    fn an_unconfirmed_address_hears_the_code_and_the_private_links_only() {
        let (title, body) = unconfirmed_contact_message(
            "LC9R-THWT-FJ6S",
            Some("https://agenda.example/lacak/LC9R-THWT-FJ6S"),
            Some("https://agenda.example/konfirmasi/abc"),
            Some("https://agenda.example/jawab/def"),
        );
        for text in [&title.ind, &title.en, &body.ind, &body.en] {
            assert!(text.contains("LC9R-THWT-FJ6S"), "{text}");
        }
        for text in [&body.ind, &body.en] {
            assert!(text.contains("/konfirmasi/abc"), "{text}");
            assert!(text.contains("/jawab/def"), "{text}");
        }
        assert!(
            body.ind.contains("tautan pribadi ini dan jangan bagikan"),
            "{}",
            body.ind
        );
        // Without an answer link (API and app submissions) no answer line is written.
        let (_, plain) = unconfirmed_contact_message("LC9R-THWT-FJ6S", None, None, None);
        assert!(!plain.ind.contains("tautan pribadi"), "{}", plain.ind);
    }
}
