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
}

/// One line of the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InboxEntry {
    pub request: Request,
    /// What the caller's role may do with it now; non-empty entries come first.
    pub my_actions: Vec<Action>,
}

/// The inbox: entries (those needing the caller's action first) and counts per state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inbox {
    pub entries: Vec<InboxEntry>,
    /// Number of requests per state (ignoring the state filter).
    pub counts: BTreeMap<String, i64>,
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
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its (next) attempt.
    Pending,
    /// Accepted by the channel.
    Sent,
    /// Given up after the last attempt, or refused for good; `last_error` says why.
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Sent,
            DeliveryStatus::Failed,
        ]
        .into_iter()
        .find(|d| d.as_str() == s)
    }
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
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
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

#[cfg(test)]
mod tests {
    use super::attachment_type;

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
