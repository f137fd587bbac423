//! The sync protocol's wire types.
//!
//! Pull: the client sends an opaque cursor and receives the changes since, in pages, filtered by
//! what it may see; a record it may no longer see arrives as a tombstone. A cursor older than the
//! server keeps history for is answered `410 stale_cursor`, and the client resyncs from scratch.
//!
//! Push: the client sends outbox mutations, each with a client-made unique id and the version it
//! was based on. The server applies each at most once; a replay is answered `already_applied`, a
//! mutation based on an old version `conflict` with the server's current record.

use serde::{Deserialize, Serialize};

use crate::api::{AgendaItemInput, ErrorBody, NewRequest, NoteInput};
use crate::conflict::Conflict;
use crate::model::{AgendaItem, Leader, Note, Representative, Request};
use crate::notify::AppNotification;
use crate::workflow::TransitionInput;

/// Most changes in one pull page. Large pages mean fewer round trips, and compress better (a
/// record's field names and repeated values cost little after the first of its kind in a page).
pub const MAX_PAGE: u32 = 2000;
/// Most mutations in one push.
pub const MAX_PUSH: usize = 100;

/// The kinds of record that sync carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum EntityKind {
    Leader,
    Representative,
    Request,
    AgendaItem,
    Note,
    /// A notification; each caller receives only their own.
    Notification,
}

/// A record as sync carries it, tagged with its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum Record {
    Leader(Leader),
    Representative(Representative),
    Request(Box<Request>),
    AgendaItem(Box<AgendaItem>),
    Note(Note),
    Notification(Box<AppNotification>),
}

impl Record {
    pub fn kind(&self) -> EntityKind {
        match self {
            Record::Leader(_) => EntityKind::Leader,
            Record::Representative(_) => EntityKind::Representative,
            Record::Request(_) => EntityKind::Request,
            Record::AgendaItem(_) => EntityKind::AgendaItem,
            Record::Note(_) => EntityKind::Note,
            Record::Notification(_) => EntityKind::Notification,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Record::Leader(r) => &r.id,
            Record::Representative(r) => &r.id,
            Record::Request(r) => &r.id,
            Record::AgendaItem(r) => &r.id,
            Record::Note(r) => &r.id,
            Record::Notification(r) => &r.id,
        }
    }
    /// The record's version (notes never change: always 1).
    pub fn version(&self) -> i64 {
        match self {
            Record::Leader(r) => r.version,
            Record::Representative(r) => r.version,
            Record::Request(r) => r.version,
            Record::AgendaItem(r) => r.version,
            Record::Note(_) => 1,
            Record::Notification(r) => r.version,
        }
    }
}

/// One change in a pull page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub entity: EntityKind,
    pub id: String,
    /// The record, or `None` for a tombstone: delete it locally.
    pub record: Option<Record>,
}

/// Pull query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PullQuery {
    /// The cursor of the previous page; absent for a first (full) sync.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Page size (default 200, at most 2000).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullPage {
    pub changes: Vec<Change>,
    /// Pass this as `cursor` next time. Opaque.
    pub cursor: String,
    /// More changes wait: pull again now.
    pub has_more: bool,
    /// Changes still waiting after this page (an upper bound; for progress display).
    pub remaining: i64,
}

/// What a mutation does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MutationOp {
    /// Public: submit a request (its `id` is required).
    SubmitRequest { request: NewRequest },
    /// A transition of a request (public: cancel, supply_info, accept/decline_proposal).
    Transition {
        request_id: String,
        input: TransitionInput,
    },
    /// Staff: add a disposition or note (its `id` is required).
    AddNote { request_id: String, note: NoteInput },
    /// Staff: create an agenda item (its `id` is required).
    CreateAgendaItem { item: AgendaItemInput },
    /// Staff: replace an agenda item's fields.
    UpdateAgendaItem { id: String, item: AgendaItemInput },
    /// Staff: cancel an agenda item.
    CancelAgendaItem { id: String, reason: String },
    /// The caller's own notification was read (opened) on one of their devices: the server
    /// keeps the first `read_at`, so it syncs to the caller's other devices and survives a
    /// reinstall. Idempotent; someone else's notification is refused as not found.
    MarkNotificationRead { id: String },
}

impl MutationOp {
    /// The record this mutation changes: its kind and id (absent when a create carries none,
    /// which the server rejects).
    pub fn target(&self) -> (EntityKind, Option<&str>) {
        match self {
            MutationOp::SubmitRequest { request } => (EntityKind::Request, request.id.as_deref()),
            MutationOp::Transition { request_id, .. } => (EntityKind::Request, Some(request_id)),
            MutationOp::AddNote { note, .. } => (EntityKind::Note, note.id.as_deref()),
            MutationOp::CreateAgendaItem { item } => (EntityKind::AgendaItem, item.id.as_deref()),
            MutationOp::UpdateAgendaItem { id, .. } | MutationOp::CancelAgendaItem { id, .. } => {
                (EntityKind::AgendaItem, Some(id))
            }
            MutationOp::MarkNotificationRead { id } => (EntityKind::Notification, Some(id)),
        }
    }
}

/// One queued local change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    /// Client-made unique id (UUID): the server applies it at most once.
    pub id: String,
    /// The version of the record this change was based on (updates and transitions).
    #[serde(default)]
    pub base_version: Option<i64>,
    pub op: MutationOp,
}

/// A push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

/// The fate of one mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MutationStatus {
    /// Applied now.
    Applied,
    /// Applied before (a replay); nothing was done again.
    AlreadyApplied,
    /// Based on an old version: not applied; `record` holds the server's current version.
    Conflict,
    /// Refused (invalid, forbidden, not found): not applied; `error` says why.
    Rejected,
}

/// The answer for one mutation, in push order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MutationResult {
    pub id: String,
    pub status: MutationStatus,
    /// The record as it now stands on the server (after applying, or the current one on
    /// conflict).
    pub record: Option<Record>,
    pub error: Option<ErrorBody>,
    /// Agenda clashes found while applying (warnings).
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
    /// The `@names` of an added note that match no account: nobody was told of them, so the
    /// author is (issue 24: a mistyped mention is never dropped silently).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unknown_mentions: Vec<String>,
}

/// The answer to a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<MutationResult>,
}

/// Encodes a server sequence number as an opaque cursor.
pub fn encode_cursor(seq: i64) -> String {
    format!("c1-{seq:x}")
}

/// Decodes a cursor made by [`encode_cursor`]; `None` if it is not one.
pub fn decode_cursor(cursor: &str) -> Option<i64> {
    let hex = cursor.strip_prefix("c1-")?;
    // Exactly the digits `encode_cursor` writes: lower-case hex, no sign, no leading zero.
    let canonical = hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && (hex == "0" || !hex.starts_with('0'));
    if hex.is_empty() || hex.len() > 16 || !canonical {
        return None;
    }
    i64::from_str_radix(hex, 16).ok().filter(|s| *s >= 0)
}

codes!(EntityKind, MutationStatus);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn cursors_round_trip(seq in 0i64..i64::MAX / 2) {
            prop_assert_eq!(decode_cursor(&encode_cursor(seq)), Some(seq));
        }

        /// Anything, and above all strings that look like cursors ("c1-" and hex-ish text):
        /// only what `encode_cursor` makes decodes, so a decoded value always re-encodes to the
        /// same text.
        #[test]
        fn only_cursors_the_server_made_decode(
            s in prop_oneof![".*", "c1-.{0,20}", "c1-[0-9a-fA-F+-]{0,20}", "[cC][0-9]-[0-9a-f]{1,4}"]) {
            if let Some(seq) = decode_cursor(&s) {
                prop_assert_eq!(encode_cursor(seq), s);
            }
        }
    }

    #[test]
    fn near_miss_cursors_are_refused() {
        for bad in [
            "",
            "c1-",
            "c1-+1",
            "c1--1",
            "c1-A",
            "c1-01",
            "c1- 1",
            "c1-1 ",
            "c1-8000000000000000",
            "c1-00000000000000001",
            "c2-1",
            "C1-1",
            "c1-g",
        ] {
            assert_eq!(decode_cursor(bad), None, "{bad:?}");
        }
        assert_eq!(decode_cursor("c1-0"), Some(0));
        assert_eq!(decode_cursor("c1-ff"), Some(255));
    }

    #[test]
    fn a_mutation_names_the_record_it_changes() {
        let t = |json: serde_json::Value| {
            let op: MutationOp = serde_json::from_value(json).unwrap();
            let (kind, id) = op.target();
            (kind, id.map(str::to_string))
        };
        assert_eq!(
            t(serde_json::json!({"type": "cancel_agenda_item", "id": "a1", "reason": "hujan"})),
            (EntityKind::AgendaItem, Some("a1".into()))
        );
        assert_eq!(
            t(serde_json::json!({"type": "transition", "request_id": "r1",
                                 "input": {"action": "cancel"}})),
            (EntityKind::Request, Some("r1".into()))
        );
        assert_eq!(
            t(serde_json::json!({"type": "add_note", "request_id": "r1",
                                 "note": {"id": "n1", "text": "x"}})),
            (EntityKind::Note, Some("n1".into()))
        );
    }

    #[test]
    fn mutation_json_is_tagged_by_type() {
        let m = Mutation {
            id: "m1".into(),
            base_version: Some(3),
            op: MutationOp::CancelAgendaItem {
                id: "a1".into(),
                reason: "hujan".into(),
            },
        };
        let v = serde_json::to_value(&m).unwrap();
        assert_eq!(v["op"]["type"], "cancel_agenda_item");
        let back: Mutation = serde_json::from_value(v).unwrap();
        assert_eq!(back, m);
    }
}
