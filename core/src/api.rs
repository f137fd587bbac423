//! Wire types of the HTTP API (`/api/v1`). The server and the apps both use these, so a field
//! renamed here is renamed everywhere.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::conflict::Conflict;
use crate::model::{
    AgendaItem, AgendaStatus, Attendance, Leader, Note, Representative, Request, RequestKind,
    RequestState, Role, StaffAssignment, StaffUser, TimelineEntry, Visibility,
};
use crate::workflow::Action;

/// Largest attachment the server accepts (bytes).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// Content types accepted for attachments.
pub const ATTACHMENT_TYPES: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

/// An attachment's file name as stored: control characters and path separators removed, at
/// most 120 characters, trimmed; "lampiran" when nothing is left.
pub fn attachment_name(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !c.is_control() && !"/\\".contains(*c))
        .take(120)
        .collect();
    match clean.trim() {
        "" => "lampiran".to_string(),
        kept => kept.to_string(),
    }
}

/// The kind of an attachment from its first bytes (the declared type and name are not trusted):
/// `application/pdf`, `image/jpeg` or `image/png`, else `None`.
pub fn attachment_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// The error body of every 4xx/5xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `validation`, `not_found`, `conflict`, `stale_cursor`.
    pub error: String,
    /// Human-readable message in the caller's language (Indonesian by default).
    pub message: String,
    /// Per-field messages for invalid input.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// Regency settings the apps need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    pub regency: String,
    /// IANA time zone, e.g. `Asia/Makassar`.
    pub time_zone: String,
    /// WIB, WITA or WIT.
    pub zone_abbrev: String,
    pub travel_buffer_minutes: i64,
    /// A request for an event sooner than this many days is flagged "mendesak" (urgent).
    #[serde(default = "default_lead_time_days")]
    pub lead_time_days: i64,
    pub leaders: Vec<Leader>,
    pub server_version: String,
}

fn default_lead_time_days() -> i64 {
    crate::notify::DEFAULT_LEAD_TIME_DAYS
}

/// Answer to an anonymous device registration. The token is shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceRegistration {
    pub device_id: String,
    /// Secret bearer token for this device.
    pub token: String,
}

/// A new request from the public.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewRequest {
    /// Client-made id (UUID). Submitting the same id twice creates one request.
    #[serde(default)]
    pub id: Option<String>,
    pub kind: RequestKind,
    /// `None`: either leader.
    #[serde(default)]
    pub leader_id: Option<String>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub organizer: String,
    pub requester_name: String,
    pub requester_phone: String,
    #[serde(default)]
    pub requester_email: Option<String>,
    pub expected_attendees: i64,
    pub leader_role: String,
    #[serde(default)]
    pub dress_code: String,
    #[serde(default)]
    pub letter_number: Option<String>,
    /// How the requester wants to hear back besides the app (`email`, `whatsapp`); absent: every
    /// channel they gave an address for. Contact data, never shown to other requesters.
    #[serde(default)]
    pub notify_channels: Option<Vec<crate::notify::Channel>>,
}

impl NewRequest {
    /// The request as it is stored: text trimmed, a blank e-mail or letter number is none.
    /// The server stores this and the app's offline preview shows it.
    pub fn normalized(&self) -> NewRequest {
        let text = |s: &str| s.trim().to_string();
        let optional = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        NewRequest {
            id: self.id.clone(),
            kind: self.kind,
            leader_id: self.leader_id.clone(),
            title: text(&self.title),
            description: text(&self.description),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            location: text(&self.location),
            organizer: text(&self.organizer),
            requester_name: text(&self.requester_name),
            requester_phone: text(&self.requester_phone),
            requester_email: optional(&self.requester_email),
            expected_attendees: self.expected_attendees,
            leader_role: text(&self.leader_role),
            dress_code: text(&self.dress_code),
            letter_number: optional(&self.letter_number),
            notify_channels: self.notify_channels.clone(),
        }
    }
}

/// The requester cancels their request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CancelInput {
    #[serde(default)]
    pub reason: Option<String>,
}

/// The requester answers a time proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalAnswer {
    pub accept: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

/// The requester adds what was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplyInfoInput {
    pub info: String,
}

/// What anyone holding a tracking code may see: no contact data, no internal fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackedRequest {
    pub tracking_code: String,
    pub kind: RequestKind,
    pub title: String,
    pub organizer: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub state: RequestState,
    pub state_label: String,
    pub state_reason: Option<String>,
    pub representative: Option<String>,
    pub proposed_starts_at: Option<DateTime<Utc>>,
    pub proposed_ends_at: Option<DateTime<Utc>>,
    pub timeline: Vec<TimelineEntry>,
}

impl TrackedRequest {
    /// The tracking view of a request, with timeline actor names removed.
    pub fn from_request(r: &Request) -> Self {
        TrackedRequest {
            tracking_code: r.tracking_code.clone(),
            kind: r.kind,
            title: r.title.clone(),
            organizer: r.organizer.clone(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            location: r.location.clone(),
            state: r.state,
            state_label: r.state.label_in_indonesian().to_string(),
            state_reason: r.state_reason.clone(),
            representative: r.representative.clone(),
            proposed_starts_at: r.proposed_starts_at,
            proposed_ends_at: r.proposed_ends_at,
            timeline: r
                .timeline
                .iter()
                .cloned()
                .map(|mut t| {
                    t.actor_name = None;
                    t
                })
                .collect(),
        }
    }
}

/// Query of the public agenda and the staff agenda: local dates in the regency's time zone,
/// both inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AgendaQuery {
    /// First local date (YYYY-MM-DD).
    pub from: NaiveDate,
    /// Last local date (YYYY-MM-DD), at most 92 days after `from`.
    pub to: NaiveDate,
    /// Only this leader's items.
    #[serde(default)]
    pub leader: Option<String>,
}

/// Staff login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginInput {
    pub username: String,
    pub password: String,
}

/// A staff session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: StaffUser,
}

/// Inbox filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct InboxQuery {
    #[serde(default)]
    pub state: Option<RequestState>,
    /// Requests asking for, or forwarded to, this leader.
    #[serde(default)]
    pub leader: Option<String>,
    /// Events starting on or after this local date.
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Events starting on or before this local date.
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Continue after this point: the `next_cursor` of the previous page. Opaque.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Entries per page: 1 to [`MAX_INBOX_PAGE`], default [`INBOX_PAGE`].
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
}

/// Inbox entries per page unless asked otherwise.
pub const INBOX_PAGE: u32 = 100;
/// Most inbox entries in one page.
pub const MAX_INBOX_PAGE: u32 = 500;

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxEntry {
    pub request: Request,
    /// What the caller's role may do with it now.
    pub my_actions: Vec<Action>,
    /// It waits on the caller (`workflow::waits_on`: an action other than cancelling is open to
    /// them, marking done only once the event is over). These entries come first.
    #[serde(default)]
    pub waits_on_caller: bool,
}

/// The inbox: entries (those needing the caller's action first, then by start time), one page
/// at a time, and counts per state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub entries: Vec<InboxEntry>,
    /// Number of requests per state (ignoring the state filter and the paging).
    pub counts: BTreeMap<String, i64>,
    /// More entries follow: pass this as `cursor` for the next page. Absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Everything staff see of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestDetail {
    pub request: Request,
    pub notes: Vec<Note>,
    pub available_actions: Vec<Action>,
    /// Clashes of the requested time with the agenda of the asked or assigned leader.
    pub conflicts: Vec<Conflict>,
}

/// The result of a transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionOutcome {
    pub request: Request,
    /// The agenda item created or updated by an approval.
    pub agenda_item: Option<AgendaItem>,
    /// Clashes found when the agenda item was written (warnings, not blocks).
    pub conflicts: Vec<Conflict>,
}

/// The answer to adding a note: the note (its fields at the top level, as before) and the
/// `@names` in it that matched no account, which nobody was told of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteWrite {
    #[serde(flatten)]
    pub note: crate::model::Note,
    #[serde(default)]
    pub unknown_mentions: Vec<String>,
}

/// A disposition or note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteInput {
    /// Client-made id (UUID); adding the same id twice adds one note.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub instruction: String,
    #[serde(default)]
    pub text: String,
}

/// An agenda item as entered by staff (create or full update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItemInput {
    /// Client-made id (UUID) for a new item.
    #[serde(default)]
    pub id: Option<String>,
    /// For an update: the version the edit was based on. A different current version is a
    /// conflict.
    #[serde(default)]
    pub base_version: Option<i64>,
    pub leader_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    #[serde(default)]
    pub category: String,
    pub visibility: Visibility,
    pub status: AgendaStatus,
    pub attendance: Attendance,
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub dress_code: String,
    #[serde(default)]
    pub assigned_staff: Vec<StaffAssignment>,
    #[serde(default)]
    pub running_order: String,
    #[serde(default)]
    pub internal_notes: String,
}

impl AgendaItemInput {
    /// A field-level merge for "keep mine" after a conflict: the fields this edit changed
    /// (compared with `base`, the item as the editor saw it) re-applied onto `theirs`, the
    /// version that now stands. Fields the editor did not touch keep `theirs`' values, so
    /// another device's changes to them survive. The result is based on `theirs`' version.
    pub fn rebase(&self, base: &AgendaItemInput, theirs: &AgendaItemInput) -> AgendaItemInput {
        macro_rules! pick {
            ($($f:ident),*) => {
                AgendaItemInput {
                    id: theirs.id.clone(),
                    base_version: theirs.base_version,
                    $($f: if self.$f != base.$f { self.$f.clone() } else { theirs.$f.clone() },)*
                }
            };
        }
        pick!(
            leader_id,
            title,
            starts_at,
            ends_at,
            location,
            category,
            visibility,
            status,
            attendance,
            representative,
            dress_code,
            assigned_staff,
            running_order,
            internal_notes
        )
    }

    /// Whether this edit of `current` moves it for calendars: a change of when, where or
    /// whether it happens. Subscribed calendars only take an update with a higher iCalendar
    /// SEQUENCE, so a move bumps it; a typo fix in the notes does not.
    pub fn moves(&self, current: &AgendaItem) -> bool {
        current.starts_at != self.starts_at
            || current.ends_at != self.ends_at
            || current.location.trim() != self.location.trim()
            || current.status != self.status
    }

    /// The item as it is stored: text trimmed, a blank representative is none. The server
    /// stores this and the staff app queues it (and shows it offline).
    pub fn normalized(&self) -> AgendaItemInput {
        let text = |s: &str| s.trim().to_string();
        AgendaItemInput {
            leader_id: text(&self.leader_id),
            title: text(&self.title),
            location: text(&self.location),
            category: text(&self.category),
            representative: self
                .representative
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            dress_code: text(&self.dress_code),
            ..self.clone()
        }
    }

    /// The input that reproduces `item` (for editing).
    pub fn from_item(item: &AgendaItem) -> Self {
        let internal = item.internal.clone().unwrap_or_default();
        AgendaItemInput {
            id: Some(item.id.clone()),
            base_version: Some(item.version),
            leader_id: item.leader_id.clone(),
            title: item.title.clone(),
            starts_at: item.starts_at,
            ends_at: item.ends_at,
            location: item.location.clone(),
            category: item.category.clone(),
            visibility: item.visibility,
            status: item.status,
            attendance: item.attendance,
            representative: item.representative.clone(),
            dress_code: item.dress_code.clone(),
            assigned_staff: internal.assigned_staff,
            running_order: internal.running_order,
            internal_notes: internal.internal_notes,
        }
    }
}

/// Cancelling an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaCancelInput {
    pub reason: String,
    #[serde(default)]
    pub base_version: Option<i64>,
}

/// An agenda write: the item as stored and the clashes it has (warnings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaWrite {
    pub item: AgendaItem,
    pub conflicts: Vec<Conflict>,
}

/// A new staff account (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub leader_id: Option<String>,
    pub password: String,
}

/// Changes to a staff account (admin); absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserUpdate {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub leader_id: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    /// A new password; ends the user's sessions.
    #[serde(default)]
    pub password: Option<String>,
}

/// A representative (create or update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepresentativeInput {
    pub name: String,
    pub position: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// The full lists of leaders and representatives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct People {
    pub leaders: Vec<Leader>,
    pub representatives: Vec<Representative>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `user:<username>`, `device:<id>` or `system`.
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: String,
    /// The sync mutation the entry came from, when it came through `sync/push`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutation_id: Option<String>,
}

/// Audit log query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Entries with an id below this (paging backwards).
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many (default 100, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A staff account's personal calendar feed. Its secret address is shown only when made
/// ([`CalendarFeedSecret`]); afterwards only whether it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedInfo {
    /// Whether the account has a personal feed.
    pub active: bool,
    /// When its current secret address was made.
    pub created_at: Option<DateTime<Utc>>,
    /// The public agenda feed (no secret).
    pub public_url: String,
}

/// A newly made personal feed address (the old one stops working).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarFeedSecret {
    /// The `https://…/ics/staff/<secret>.ics` address to subscribe to.
    pub url: String,
    pub created_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the channel.
    Sent,
    /// Given up after the last attempt, or refused for good; `last_error` says why.
    Failed,
    /// Not sent on purpose (e.g. the destination's daily cap was reached); `last_error` says
    /// why.
    Skipped,
}

/// One row of the notification delivery log (admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryEntry {
    pub id: i64,
    pub notification_id: String,
    pub kind: crate::notify::NoticeKind,
    pub channel: crate::notify::Channel,
    /// Phone number, e-mail address or ntfy topic.
    pub address: String,
    /// The staff account's username, or `pemohon` for the requester.
    pub recipient: String,
    pub title: String,
    pub status: DeliveryStatus,
    /// Every attempt since the delivery was made, resends included.
    pub attempts: i64,
    /// The latest error, kept when a later attempt succeeds.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    /// How often an admin sent it again.
    #[serde(default)]
    pub resends: i64,
}

/// Delivery log filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DeliveryQuery {
    #[serde(default)]
    pub status: Option<DeliveryStatus>,
    #[serde(default)]
    pub channel: Option<crate::notify::Channel>,
    /// Entries with an id below this (paging backwards).
    #[serde(default)]
    pub before: Option<i64>,
    /// At most this many (default 100, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The names an `@mention` may match (usernames and display names of active staff accounts, in
/// lower case): the staff app checks a note against them before it is sent, also offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MentionNames {
    pub names: Vec<String>,
}

/// A staff member's notification settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettings {
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Outbound channels wanted (`ntfy`, `whatsapp`, `email`); the app always shows them.
    pub channels: Vec<crate::notify::Channel>,
    /// The secret ntfy topic's address to subscribe to in the ntfy app (when ntfy is set up).
    pub ntfy_url: Option<String>,
    /// Which channels this server has set up.
    pub available: Vec<crate::notify::Channel>,
}

/// Changes to one's notification settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationSettingsInput {
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub channels: Vec<crate::notify::Channel>,
}

codes!(DeliveryStatus, SheetFormat);

#[cfg(test)]
mod tests {
    use super::{AgendaItemInput, attachment_type};
    use crate::conflict::Slot;
    use crate::model::*;
    use chrono::{DateTime, Duration, Utc};

    fn item() -> AgendaItem {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        AgendaItem {
            id: "a1".into(),
            leader_id: "bupati".into(),
            title: "Rapat".into(),
            starts_at: t,
            ends_at: t + Duration::hours(1),
            location: "Pendopo".into(),
            category: String::new(),
            visibility: Visibility::Public,
            status: AgendaStatus::Confirmed,
            attendance: Attendance::InPerson,
            representative: None,
            dress_code: String::new(),
            internal: Some(AgendaInternal {
                internal_notes: "rahasia".into(),
                ..AgendaInternal::default()
            }),
            ical_sequence: 2,
            updated_at: t,
            version: 4,
        }
    }

    #[test]
    fn an_edit_moves_an_item_only_when_time_place_or_status_change() {
        let current = item();
        let mut edit = AgendaItemInput::from_item(&current);
        edit.internal_notes = "salah ketik diperbaiki".into();
        edit.title = "Rapat koordinasi".into();
        edit.location = " Pendopo ".into();
        assert!(
            !edit.moves(&current),
            "notes, title and spacing do not move it"
        );
        for change in [
            |e: &mut AgendaItemInput| e.starts_at -= Duration::minutes(30),
            |e: &mut AgendaItemInput| e.ends_at += Duration::minutes(30),
            |e: &mut AgendaItemInput| e.location = "Balai Banjar".into(),
            |e: &mut AgendaItemInput| e.status = AgendaStatus::Cancelled,
        ] {
            let mut moved = AgendaItemInput::from_item(&current);
            change(&mut moved);
            assert!(moved.moves(&current));
        }
    }

    #[test]
    fn attachment_names_lose_paths_and_control_characters() {
        assert_eq!(
            super::attachment_name("../..\\undangan\n.pdf"),
            "....undangan.pdf"
        );
        assert_eq!(super::attachment_name(" / "), "lampiran");
    }

    #[test]
    fn keep_mine_reapplies_only_the_fields_this_edit_changed() {
        let base = AgendaItemInput::from_item(&item());
        let mut mine = base.clone();
        mine.title = "Rapat koordinasi OPD".into();
        let mut theirs = base.clone();
        theirs.location = "Balai Banjar".into();
        theirs.base_version = Some(5);
        let merged = mine.rebase(&base, &theirs);
        assert_eq!(merged.title, "Rapat koordinasi OPD", "my change");
        assert_eq!(merged.location, "Balai Banjar", "their change survives");
        assert_eq!(merged.base_version, Some(5), "based on their version");
        // Both changed one field: mine wins there (that is what "keep mine" means).
        theirs.title = "Rapat lain".into();
        assert_eq!(mine.rebase(&base, &theirs).title, "Rapat koordinasi OPD");
    }

    #[test]
    fn an_agenda_item_becomes_its_slot_and_its_public_view_has_no_internals() {
        let i = item();
        let s = Slot::from(&i);
        assert_eq!(
            (s.id.as_str(), s.leader_id.as_str(), s.location.as_str()),
            ("a1", "bupati", "Pendopo")
        );
        assert_eq!((s.starts_at, s.ends_at), (i.starts_at, i.ends_at));
        let public = i.clone().public_view();
        assert!(public.internal.is_none());
        assert_eq!(public.title, i.title);
    }

    #[test]
    fn a_new_request_is_normalized_blank_optionals_become_none() {
        let mut r = crate::validation::tests::good_request();
        r.title = "  Pembukaan Festival  ".into();
        r.requester_email = Some("   ".into());
        r.letter_number = Some("".into());
        let n = r.normalized();
        assert_eq!(n.title, "Pembukaan Festival");
        assert_eq!((n.requester_email, n.letter_number), (None, None));
        r.requester_email = Some(" sari@example.id ".into());
        r.letter_number = Some(" 005/1 ".into());
        let n = r.normalized();
        assert_eq!(n.requester_email.as_deref(), Some("sari@example.id"));
        assert_eq!(n.letter_number.as_deref(), Some("005/1"));
    }

    #[test]
    fn attachments_are_recognised_by_content_not_name() {
        assert_eq!(attachment_type(b"%PDF-1.7 ..."), Some("application/pdf"));
        assert_eq!(
            attachment_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(attachment_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(attachment_type(b"MZ\x90\x00"), None);
    }
}

/// The file format of the Agenda Harian sheet (`GET …/agenda/sheet?format=`); its name is also
/// the file name's extension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum SheetFormat {
    /// A4, for printing.
    #[default]
    Pdf,
    /// An image that reads well in a WhatsApp chat.
    Png,
}

impl SheetFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Pdf => "application/pdf",
            SheetFormat::Png => "image/png",
        }
    }

    /// The file name for `date`'s sheet, e.g. `agenda-harian-2026-11-30.pdf`.
    pub fn file_name(self, date: NaiveDate) -> String {
        format!("agenda-harian-{date}.{}", self.as_str())
    }
}
