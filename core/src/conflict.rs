//! Conflict detection on one leader's agenda: overlapping items, and items at different places
//! closer together than the travel buffer. A conflict is a warning naming the other item, never a
//! silent block.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{AgendaItem, Request};

/// Minutes needed between items at different places when the server's configuration says
/// nothing (the server sends its value in `ServerInfo.travel_buffer_minutes`).
pub const DEFAULT_TRAVEL_BUFFER_MINUTES: i64 = 30;

/// The part of an agenda item (or of a request holding a slot) that conflict detection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub id: String,
    pub leader_id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: String,
}

impl From<&AgendaItem> for Slot {
    fn from(item: &AgendaItem) -> Slot {
        Slot {
            id: item.id.clone(),
            leader_id: item.leader_id.clone(),
            title: item.title.clone(),
            starts_at: item.starts_at,
            ends_at: item.ends_at,
            location: item.location.clone(),
        }
    }
}

impl Slot {
    /// The time a pending request would hold on `leader_id`'s agenda. Its id, `request:<id>`,
    /// never matches an agenda item's, and the request's own item is skipped by that id.
    pub fn of_request(r: &Request, leader_id: &str) -> Slot {
        Slot {
            id: format!("request:{}", r.id),
            leader_id: leader_id.to_string(),
            title: r.title.clone(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            location: r.location.clone(),
        }
    }
}

/// How two slots clash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// The two slots overlap in time.
    Overlap,
    /// They do not overlap, but there is less than the travel buffer between them and they are at
    /// different locations.
    TravelBuffer,
}

/// A clash between a candidate slot and an existing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    pub kind: ConflictKind,
    pub other_id: String,
    pub other_title: String,
    pub other_starts_at: DateTime<Utc>,
    pub other_ends_at: DateTime<Utc>,
    pub other_location: String,
    /// Minutes between the two slots (0 when they overlap).
    pub gap_minutes: i64,
}

/// Locations compare case- and whitespace-insensitively.
fn same_location(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// The conflicts of `candidate` with `others` (same leader only; the candidate itself, matched by
/// id, is skipped). Sorted by the other slot's start.
pub fn find_conflicts(candidate: &Slot, others: &[Slot], travel_buffer: Duration) -> Vec<Conflict> {
    let mut out: Vec<Conflict> = others
        .iter()
        .filter(|o| o.id != candidate.id && o.leader_id == candidate.leader_id)
        .filter_map(|o| {
            let overlap = candidate.starts_at < o.ends_at && o.starts_at < candidate.ends_at;
            if overlap {
                return Some(((ConflictKind::Overlap, 0), o));
            }
            let gap = if o.ends_at <= candidate.starts_at {
                candidate.starts_at - o.ends_at
            } else {
                o.starts_at - candidate.ends_at
            };
            (gap < travel_buffer && !same_location(&o.location, &candidate.location))
                .then_some(((ConflictKind::TravelBuffer, gap.num_minutes()), o))
        })
        .map(|((kind, gap_minutes), o)| Conflict {
            kind,
            other_id: o.id.clone(),
            other_title: o.title.clone(),
            other_starts_at: o.starts_at,
            other_ends_at: o.ends_at,
            other_location: o.location.clone(),
            gap_minutes,
        })
        .collect();
    out.sort_by(|a, b| {
        a.other_starts_at
            .cmp(&b.other_starts_at)
            .then(a.other_id.cmp(&b.other_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + min * 60, 0).unwrap()
    }
    fn slot(id: &str, leader: &str, start: i64, end: i64, loc: &str) -> Slot {
        Slot {
            id: id.into(),
            leader_id: leader.into(),
            title: format!("Acara {id}"),
            starts_at: t(start),
            ends_at: t(end),
            location: loc.into(),
        }
    }
    const BUF: i64 = 30;

    #[test]
    fn overlapping_items_of_one_leader_clash() {
        let c = find_conflicts(
            &slot("a", "bupati", 0, 60, "Pendopo"),
            &[slot("b", "bupati", 30, 90, "Pendopo")],
            Duration::minutes(BUF),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].kind, ConflictKind::Overlap);
        assert_eq!(c[0].other_id, "b");
    }

    #[test]
    fn back_to_back_at_the_same_place_is_fine_but_not_across_town() {
        let a = slot("a", "bupati", 0, 60, "Pendopo  Agung");
        let same = slot("b", "bupati", 60, 90, "pendopo agung");
        assert!(find_conflicts(&a, &[same], Duration::minutes(BUF)).is_empty());
        let far = slot("c", "bupati", 75, 90, "Pura Goa Lawah");
        let c = find_conflicts(&a, &[far], Duration::minutes(BUF));
        assert_eq!(c[0].kind, ConflictKind::TravelBuffer);
        assert_eq!(c[0].gap_minutes, 15);
    }

    #[test]
    fn other_leaders_and_itself_are_ignored() {
        let a = slot("a", "bupati", 0, 60, "X");
        let c = find_conflicts(
            &a,
            &[a.clone(), slot("b", "wabup", 0, 60, "X")],
            Duration::minutes(BUF),
        );
        assert!(c.is_empty());
    }

    fn arb_slot(id: &'static str) -> impl Strategy<Value = Slot> {
        (
            prop::sample::select(vec!["bupati", "wabup"]),
            0i64..2000,
            1i64..300,
            prop::sample::select(vec!["A", "B"]),
        )
            .prop_map(move |(l, s, d, loc)| slot(id, l, s, s + d, loc))
    }

    proptest! {
        #[test]
        fn detection_is_symmetric(a in arb_slot("a"), b in arb_slot("b"), buf in 0i64..120) {
            let ab = find_conflicts(&a, std::slice::from_ref(&b), Duration::minutes(buf));
            let ba = find_conflicts(&b, std::slice::from_ref(&a), Duration::minutes(buf));
            prop_assert_eq!(ab.len(), ba.len());
            if let (Some(x), Some(y)) = (ab.first(), ba.first()) {
                prop_assert_eq!(x.kind, y.kind);
                prop_assert_eq!(x.gap_minutes, y.gap_minutes);
            }
        }

        #[test]
        fn overlap_matches_interval_intersection(a in arb_slot("a"), b in arb_slot("b")) {
            let c = find_conflicts(&a, std::slice::from_ref(&b), Duration::zero());
            let intersects = a.leader_id == b.leader_id
                && a.starts_at < b.ends_at && b.starts_at < a.ends_at;
            prop_assert_eq!(c.iter().any(|c| c.kind == ConflictKind::Overlap), intersects);
            // With no buffer there is never a travel conflict.
            prop_assert!(c.iter().all(|c| c.kind == ConflictKind::Overlap));
        }

        #[test]
        fn a_larger_buffer_never_removes_a_conflict(a in arb_slot("a"), b in arb_slot("b"),
                                                    small in 0i64..60, extra in 0i64..60) {
            let few = find_conflicts(&a, std::slice::from_ref(&b), Duration::minutes(small));
            let more = find_conflicts(&a, std::slice::from_ref(&b), Duration::minutes(small + extra));
            prop_assert!(more.len() >= few.len());
        }

        #[test]
        fn travel_conflicts_are_within_the_buffer(a in arb_slot("a"), b in arb_slot("b"), buf in 1i64..120) {
            for c in find_conflicts(&a, std::slice::from_ref(&b), Duration::minutes(buf)) {
                if c.kind == ConflictKind::TravelBuffer {
                    prop_assert!(c.gap_minutes < buf && c.gap_minutes >= 0);
                    prop_assert_ne!(&a.location, &b.location);
                }
            }
        }
    }
}
