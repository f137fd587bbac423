//! Domain types shared by the server and the apps.
//!
//! Every instant is a UTC [`DateTime`]; the regency's time zone is applied only for display and
//! for day boundaries (see [`crate::time`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Identifier of a leader, e.g. `"bupati"`. Leaders come from server configuration or data.
pub type LeaderId = String;

/// What the requester asks the leader to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RequestKind {
    /// Attend an event (undangan).
    Undangan,
    /// Grant an audience (audiensi).
    Audiensi,
    /// Open or lead a ceremony (seremonial).
    Seremonial,
    /// Anything else (lainnya).
    Lainnya,
}

/// The state of a request. Stored in English snake_case; its name in each language is in
/// [`crate::i18n`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum RequestState {
    Submitted,
    InReview,
    AwaitingLeader,
    Approved,
    Represented,
    Declined,
    NeedsInfo,
    TimeProposed,
    Cancelled,
    Done,
}

impl RequestState {
    /// The state's name in Indonesian ([`crate::i18n::Words::state`]).
    pub fn label_in_indonesian(self) -> &'static str {
        crate::i18n::ID.state(self)
    }

    /// The state's name in English ([`crate::i18n::Words::state`]).
    pub fn label_in_english(self) -> &'static str {
        crate::i18n::EN.state(self)
    }

    /// No transition leaves a final state.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Declined | RequestState::Cancelled | RequestState::Done
        )
    }
}

/// A staff role in the internal app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    /// Administrator: everything, including user administration and the audit log.
    Admin,
    /// Protocol staff (staf protokol): review, coordinate, answer, keep the agenda.
    Protocol,
    /// Adjutant / aide-de-camp (ajudan, ADC) of one leader.
    Adc,
    /// Personal secretary (sespri) of one leader.
    Sespri,
    /// Agenda staff (staf agenda): enter and correct agenda items.
    AgendaStaff,
    /// The leader (pimpinan) themself.
    Leader,
}

impl Role {
    /// Roles that belong to one leader (their account names the leader).
    pub fn is_bound_to_leader(self) -> bool {
        matches!(self, Role::Adc | Role::Sespri | Role::Leader)
    }

    /// Whether this role may create, edit and cancel agenda items.
    pub fn may_edit_agenda(self) -> bool {
        !matches!(self, Role::Leader)
    }
}

/// A leader whose agenda Sepiion keeps (Bupati, Wakil Bupati).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Leader {
    pub id: LeaderId,
    /// Office, e.g. "Bupati Klungkung".
    pub title: String,
    /// The person holding the office.
    pub name: String,
    pub sort_order: i64,
    pub version: i64,
}

/// Someone who may attend on a leader's behalf (Sekda, an Asisten, a Kepala OPD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Representative {
    pub id: String,
    pub name: String,
    /// Position, e.g. "Sekretaris Daerah".
    pub position: String,
    pub active: bool,
    pub version: i64,
}

/// Metadata of a file attached to a request (the invitation letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentMeta {
    pub id: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// Who took a step in a request's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ActorKind {
    Requester,
    Staff,
    System,
}

/// One recorded transition of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    /// `None` for the submission itself.
    pub from: Option<RequestState>,
    pub to: RequestState,
    pub actor: ActorKind,
    /// Staff role that acted; shown to the requester as a role, never as a person.
    pub actor_role: Option<Role>,
    /// The acting staff member's name: internal, absent in public views.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// Reason or message for the requester (decline reason, what to add, …).
    pub reason: Option<String>,
}

/// A request as stored and sent over the wire.
///
/// The requester's own view and the staff view are the same type; what a caller may not see is
/// left out by the server (timeline actor names for the public, contact data on tracking-code
/// look-ups).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    pub id: String,
    pub tracking_code: String,
    pub kind: RequestKind,
    /// The leader asked for; `None` means either leader.
    pub leader_id: Option<LeaderId>,
    /// The leader the request was forwarded to.
    pub assigned_leader_id: Option<LeaderId>,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub organizer: String,
    pub requester_name: String,
    pub requester_phone: String,
    pub requester_email: Option<String>,
    pub expected_attendees: i64,
    /// The leader's part, e.g. "memberi sambutan".
    pub leader_role: String,
    /// Dress code (pakaian).
    pub dress_code: String,
    pub letter_number: Option<String>,
    pub state: RequestState,
    /// The reason given with the last transition (why declined, what to add, …).
    pub state_reason: Option<String>,
    /// Name of who attends on the leader's behalf when `represented`.
    pub representative: Option<String>,
    pub proposed_starts_at: Option<DateTime<Utc>>,
    pub proposed_ends_at: Option<DateTime<Utc>>,
    /// Information the requester added after `needs_info`.
    pub supplied_info: Option<String>,
    pub agenda_item_id: Option<String>,
    pub attachments: Vec<AttachmentMeta>,
    pub timeline: Vec<TimelineEntry>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Request {
    /// The requester's (public) view: the names of the staff who moved it are removed from the
    /// timeline; their role stays.
    pub fn public_view(mut self) -> Request {
        for t in &mut self.timeline {
            t.actor_name = None;
        }
        self
    }
}

/// Who may see an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Visibility {
    /// Everyone, including the public schedule (public fields only).
    Public,
    /// All staff.
    Internal,
    /// The leader's ajudan, sespri, the leader and admin only.
    Confidential,
}

/// The status of an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum AgendaStatus {
    Tentative,
    Confirmed,
    Cancelled,
    Done,
}

impl AgendaStatus {
    /// The status's name in Indonesian ([`crate::i18n::Words::agenda_status`]).
    pub fn label_in_indonesian(self) -> &'static str {
        crate::i18n::ID.agenda_status(self)
    }
    /// The status's name in English, for messages the server sends (notifications).
    pub fn label_in_english(self) -> &'static str {
        match self {
            AgendaStatus::Tentative => "Tentative",
            AgendaStatus::Confirmed => "Confirmed",
            AgendaStatus::Cancelled => "Cancelled",
            AgendaStatus::Done => "Done",
        }
    }
}

/// Whether and how the leader attended (or will attend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Attendance {
    /// Hadir sendiri.
    InPerson,
    /// Diwakilkan, by [`AgendaItem::representative`].
    Represented,
    /// Tidak hadir.
    Absent,
}

/// A staff member assigned to an agenda item (ajudan on duty, protocol officer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffAssignment {
    pub name: String,
    /// What they do there, e.g. "Ajudan", "Protokol".
    pub duty: String,
}

/// The parts of an agenda item that only staff see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaInternal {
    pub assigned_staff: Vec<StaffAssignment>,
    /// Running order (susunan acara) notes.
    pub running_order: String,
    pub internal_notes: String,
    /// The request this item came from, if any.
    pub source_request_id: Option<String>,
}

/// An item of a leader's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub id: String,
    pub leader_id: LeaderId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
    pub category: String,
    pub visibility: Visibility,
    pub status: AgendaStatus,
    pub attendance: Attendance,
    /// Who attends on the leader's behalf when represented.
    pub representative: Option<String>,
    pub dress_code: String,
    /// Staff-only fields; absent in everything the public receives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<AgendaInternal>,
    /// iCalendar SEQUENCE: bumped whenever time, place or status changes.
    pub ical_sequence: i64,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl AgendaItem {
    /// The public's view: staff assignments, running order and internal notes removed. The one
    /// rule of which agenda fields are public: the API, the portal, the Agenda Harian sheet and
    /// the iCalendar feeds show the public every field this leaves (the dress code among them).
    pub fn public_view(mut self) -> AgendaItem {
        self.internal = None;
        self
    }
}

/// A disposition or note on a request (internal only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: String,
    pub request_id: String,
    pub author_name: String,
    pub author_role: Role,
    /// Instruction (disposisi), e.g. "Hadiri & koordinasikan"; may be empty for a plain note.
    pub instruction: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A staff account as shown to staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The leader an ajudan, sespri or leader account belongs to.
    pub leader_id: Option<LeaderId>,
    pub active: bool,
}

codes!(
    RequestKind,
    RequestState,
    Role,
    ActorKind,
    Visibility,
    AgendaStatus,
    Attendance
);
