//! The monthly report: what it holds, who may read it, and the rules behind its figures
//! (a request's outcome, what counts as a decision, percentiles). The server computes it; the
//! staff app shows it.

use serde::{Deserialize, Serialize};

use crate::model::{RequestState, Role};

/// Whether `role` may read reports: admin and protocol staff.
pub fn may_read_reports(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Protocol)
}

/// Where a request ended up (or that it has not yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    /// The leader attends (approved, or done after approval).
    Attended,
    /// A representative attends.
    Represented,
    Declined,
    /// Withdrawn by the requester or on their behalf.
    Cancelled,
    /// No decision yet.
    Open,
}

impl Outcome {
    /// The outcome of a request in `state`. A done request counts as attended: represented
    /// requests stay `represented` (see the workflow).
    pub fn of(state: RequestState) -> Outcome {
        match state {
            RequestState::Approved | RequestState::Done => Outcome::Attended,
            RequestState::Represented => Outcome::Represented,
            RequestState::Declined => Outcome::Declined,
            RequestState::Cancelled => Outcome::Cancelled,
            RequestState::Submitted
            | RequestState::InReview
            | RequestState::AwaitingLeader
            | RequestState::NeedsInfo
            | RequestState::TimeProposed => Outcome::Open,
        }
    }
}

/// Whether entering `state` is the decision on a request (the figure "time to decision" ends
/// there).
pub fn is_decision(state: RequestState) -> bool {
    matches!(
        state,
        RequestState::Approved | RequestState::Represented | RequestState::Declined
    )
}

/// The `p`-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method: the smallest
/// value with at least p % of the values at or below it. `None` for no values.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

/// A count under a key (a code such as `in_person`, `undangan`, or a category as entered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub count: i64,
}

/// One leader's agenda items of the month (by start, in the regency's time zone). Cancelled
/// items are counted apart and not by attendance or category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderAgendaReport {
    pub leader_id: String,
    pub leader_title: String,
    pub items: i64,
    pub cancelled: i64,
    /// Every attendance code, zeros included.
    pub by_attendance: Vec<Count>,
    /// Categories that occur, most frequent first.
    pub by_category: Vec<Count>,
}

/// Requests submitted in the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestReport {
    pub total: i64,
    pub by_kind: Vec<Count>,
    /// By current state.
    pub by_state: Vec<Count>,
    pub by_outcome: Vec<Count>,
}

/// Response times of the requests submitted in one month, in hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResponseTimes {
    /// `YYYY-MM`.
    pub month: String,
    pub submitted: i64,
    /// Requests that had a first staff action; median and 90th percentile of the time from
    /// submission to it.
    pub first_action_count: i64,
    pub first_action_median_hours: Option<f64>,
    pub first_action_p90_hours: Option<f64>,
    /// Requests decided (approved, represented or declined); time from submission.
    pub decision_count: i64,
    pub decision_median_hours: Option<f64>,
    pub decision_p90_hours: Option<f64>,
}

/// `GET /api/v1/staff/reports/monthly`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub month: String,
    pub regency: String,
    pub time_zone: String,
    pub agenda: Vec<LeaderAgendaReport>,
    pub requests: RequestReport,
    /// The twelve months ending with `month`, oldest first.
    pub response_times: Vec<ResponseTimes>,
    /// Agenda items of the month left out because this reader may not see them (confidential
    /// items of another leader's team): the figures above are without them. A count, never
    /// which ones.
    #[serde(default)]
    pub left_out: i64,
}

codes!(Outcome);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(percentile(&v, 50.0), Some(3.0));
        assert_eq!(percentile(&v, 90.0), Some(10.0));
        assert_eq!(percentile(&v, 20.0), Some(1.0));
        assert_eq!(percentile(&[7.5], 90.0), Some(7.5));
        assert_eq!(percentile(&[], 50.0), None);
        let four = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&four, 50.0), Some(2.0));
    }

    #[test]
    fn every_state_has_one_outcome_and_decisions_are_final_answers() {
        for s in RequestState::ALL {
            let o = Outcome::of(s);
            if is_decision(s) {
                assert_ne!(o, Outcome::Open, "{s:?}");
            }
        }
        assert!(may_read_reports(Role::Protocol));
        assert!(!may_read_reports(Role::Adc));
    }
}
