//! The request state machine: the one place that says who may move a request from which state
//! to which, and what each move needs. The server enforces it; the apps use it to decide which
//! actions to offer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Request, RequestState, Role};
use crate::validation::{FieldErrors, Msg};

/// Who is acting on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    /// The public device (or tracking-code holder) that submitted the request.
    Requester,
    /// A staff member with a role.
    Staff(Role),
}

/// A step in a request's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(strum::IntoStaticStr, strum::EnumString, strum::VariantArray, strum::EnumCount)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// Staff take a submitted request into review.
    StartReview,
    /// Staff ask the requester to add something (needs a reason: what to add).
    RequestInfo,
    /// The requester adds what was asked for (needs `info`); the request returns to review.
    SupplyInfo,
    /// Staff forward the request to a leader (needs `leader_id` when the requester asked for
    /// either leader).
    ForwardToLeader,
    /// Staff propose another time (needs `proposed_starts_at` and `proposed_ends_at`).
    ProposeTime,
    /// The requester accepts the proposed time.
    AcceptProposal,
    /// The requester declines the proposed time; the request ends as cancelled.
    DeclineProposal,
    /// The leader attends in person; creates the agenda item.
    Approve,
    /// A named representative attends (needs `representative`); creates the agenda item.
    Represent,
    /// The request is declined (needs a reason).
    Decline,
    /// The request is withdrawn: by the requester, or by staff on their behalf (with a reason).
    Cancel,
    /// The event has taken place.
    MarkDone,
}

impl Action {
    /// The action's name in Indonesian, for the server's error messages
    /// ([`crate::i18n::Words::action`]).
    pub fn label_in_indonesian(self) -> &'static str {
        crate::i18n::ID.action(self)
    }

    /// The states this action may start from.
    pub fn from_states(self) -> &'static [RequestState] {
        use RequestState::*;
        match self {
            Action::StartReview => &[Submitted],
            Action::RequestInfo => &[Submitted, InReview],
            Action::SupplyInfo => &[NeedsInfo],
            Action::ForwardToLeader => &[InReview],
            Action::ProposeTime => &[InReview, AwaitingLeader],
            Action::AcceptProposal | Action::DeclineProposal => &[TimeProposed],
            Action::Approve | Action::Represent => &[AwaitingLeader],
            Action::Decline => &[Submitted, InReview, AwaitingLeader],
            Action::Cancel => &[
                Submitted,
                InReview,
                AwaitingLeader,
                NeedsInfo,
                TimeProposed,
                Approved,
                Represented,
            ],
            Action::MarkDone => &[Approved, Represented],
        }
    }

    /// Whether `actor` may take this action from `from`.
    pub fn permitted(self, actor: Actor, from: RequestState) -> bool {
        if !self.from_states().contains(&from) {
            return false;
        }
        use Role::*;
        match (self, actor) {
            (
                Action::SupplyInfo
                | Action::AcceptProposal
                | Action::DeclineProposal
                | Action::Cancel,
                Actor::Requester,
            ) => true,
            (_, Actor::Requester) => false,
            (
                Action::StartReview | Action::RequestInfo | Action::ForwardToLeader,
                Actor::Staff(r),
            ) => {
                matches!(r, Admin | Protocol)
            }
            (Action::ProposeTime, Actor::Staff(r)) => matches!(r, Admin | Protocol | Adc | Sespri),
            (Action::Approve | Action::Represent, Actor::Staff(r)) => {
                matches!(r, Admin | Adc | Sespri | Leader)
            }
            (Action::Decline, Actor::Staff(r)) => match from {
                RequestState::AwaitingLeader => {
                    matches!(r, Admin | Protocol | Adc | Sespri | Leader)
                }
                _ => matches!(r, Admin | Protocol),
            },
            (Action::Cancel, Actor::Staff(r)) => matches!(r, Admin | Protocol),
            (Action::MarkDone, Actor::Staff(r)) => {
                matches!(r, Admin | Protocol | Adc | Sespri | AgendaStaff)
            }
            (
                Action::SupplyInfo | Action::AcceptProposal | Action::DeclineProposal,
                Actor::Staff(_),
            ) => false,
        }
    }

    /// The state after this action. `has_assigned_leader` tells whether the request was already
    /// forwarded to a leader: an accepted time proposal then goes back to that leader.
    pub fn target(self, from: RequestState, has_assigned_leader: bool) -> RequestState {
        use RequestState::*;
        match self {
            Action::StartReview | Action::SupplyInfo => InReview,
            Action::RequestInfo => NeedsInfo,
            Action::ForwardToLeader => AwaitingLeader,
            Action::ProposeTime => TimeProposed,
            Action::AcceptProposal => {
                if has_assigned_leader {
                    AwaitingLeader
                } else {
                    InReview
                }
            }
            Action::DeclineProposal | Action::Cancel => Cancelled,
            Action::Approve => Approved,
            Action::Represent => Represented,
            Action::Decline => Declined,
            Action::MarkDone => {
                debug_assert!(matches!(from, Approved | Represented));
                Done
            }
        }
    }
}

/// The actions `actor` may take on a request in state `state`, in a stable order.
pub fn available_actions(actor: Actor, state: RequestState) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| a.permitted(actor, state))
        .collect()
}

/// Whether a staff member with `role` (belonging to `own_leader`, for an ajudan, sespri or
/// leader) may act on `r` at all: those bound to a leader act only for their own leader's
/// requests (the one it was forwarded to, else the one asked for).
pub fn acts_on(role: Role, own_leader: Option<&str>, r: &Request) -> bool {
    if !role.is_bound_to_leader() {
        return true;
    }
    match r.assigned_leader_id.as_deref().or(r.leader_id.as_deref()) {
        Some(target) => own_leader == Some(target),
        None => true,
    }
}

/// The actions a staff member may take on `r`: the state machine, narrowed by [`acts_on`].
/// The server answers with these and the staff app shows them as buttons.
pub fn actions_for(role: Role, own_leader: Option<&str>, r: &Request) -> Vec<Action> {
    if !acts_on(role, own_leader, r) {
        return Vec::new();
    }
    available_actions(Actor::Staff(role), r.state)
}

/// Whether `r` waits on a staff member of `role` (bound to `own_leader`) at `now`: an action
/// other than cancelling is open to them, and marking done counts only once the event is over.
/// The staff app's inbox puts these first ("Perlu tindakan saya").
pub fn waits_on(role: Role, own_leader: Option<&str>, r: &Request, now: DateTime<Utc>) -> bool {
    actions_for(role, own_leader, r).iter().any(|a| match a {
        Action::Cancel => false,
        Action::MarkDone => r.ends_at < now,
        _ => true,
    })
}

/// [`waits_on`] in the shape a query needs: with [`acts_on`], a request waits on `role` when its
/// state is in `always`, or in `once_over` and the event has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingStates {
    pub always: Vec<RequestState>,
    pub once_over: Vec<RequestState>,
}

/// The states in which requests wait on `role` ([`waits_on`]).
pub fn waiting_states(role: Role) -> WaitingStates {
    let mut w = WaitingStates {
        always: Vec::new(),
        once_over: Vec::new(),
    };
    for state in RequestState::ALL {
        let actions = available_actions(Actor::Staff(role), state);
        if actions
            .iter()
            .any(|a| !matches!(a, Action::Cancel | Action::MarkDone))
        {
            w.always.push(state);
        } else if actions.contains(&Action::MarkDone) {
            w.once_over.push(state);
        }
    }
    w
}

/// A transition as asked for by a client, with the data some actions need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionInput {
    pub action: Action,
    /// Reason or message for the requester. Required for `decline`, `request_info` and a
    /// staff `cancel`.
    #[serde(default)]
    pub reason: Option<String>,
    /// What the requester adds (`supply_info`).
    #[serde(default)]
    pub info: Option<String>,
    /// The leader to forward to (`forward_to_leader` when the request names either leader).
    #[serde(default)]
    pub leader_id: Option<String>,
    /// Representative's id or name (`represent`).
    #[serde(default)]
    pub representative: Option<String>,
    #[serde(default)]
    pub proposed_starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub proposed_ends_at: Option<DateTime<Utc>>,
}

impl TransitionInput {
    pub fn new(action: Action) -> Self {
        TransitionInput {
            action,
            reason: None,
            info: None,
            leader_id: None,
            representative: None,
            proposed_starts_at: None,
            proposed_ends_at: None,
        }
    }
    pub fn with_reason(mut self, reason: &str) -> Self {
        self.reason = Some(reason.to_string());
        self
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// The action does not start from the request's current state.
    WrongState { action: Action, state: RequestState },
    /// The actor's role may not take this action.
    NotPermitted { action: Action },
    /// Required data is missing or invalid.
    Invalid(FieldErrors),
}

impl TransitionError {
    pub fn message(&self) -> Msg {
        match self {
            TransitionError::WrongState { action, state } => Msg::new(
                format!(
                    "Tindakan \"{}\" tidak dapat dilakukan pada permohonan berstatus \"{}\".",
                    action.label_in_indonesian(),
                    state.label_in_indonesian()
                ),
                format!(
                    "Action '{}' is not possible for a request in state '{}'.",
                    action.as_str(),
                    state.as_str()
                ),
            ),
            TransitionError::NotPermitted { action } => Msg::new(
                format!(
                    "Peran Anda tidak berwenang melakukan \"{}\".",
                    action.label_in_indonesian()
                ),
                format!("Your role may not perform '{}'.", action.as_str()),
            ),
            TransitionError::Invalid(_) => Msg::new(
                "Data tindakan belum lengkap atau tidak valid.",
                "The action's data is incomplete or invalid.",
            ),
        }
    }
}

/// Facts about the request that a transition check needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFacts {
    pub state: RequestState,
    /// The requester asked for a specific leader.
    pub has_requested_leader: bool,
    /// The request was already forwarded to a leader.
    pub has_assigned_leader: bool,
}

impl RequestFacts {
    /// The facts of a stored request.
    pub fn of(r: &Request) -> Self {
        RequestFacts {
            state: r.state,
            has_requested_leader: r.leader_id.is_some(),
            has_assigned_leader: r.assigned_leader_id.is_some(),
        }
    }
}

/// Checks a transition and returns the resulting state. Data requirements are checked after
/// permission, so a caller who may not act learns nothing about the data.
pub fn check_transition(
    actor: Actor,
    facts: RequestFacts,
    input: &TransitionInput,
) -> Result<RequestState, TransitionError> {
    let action = input.action;
    if !action.from_states().contains(&facts.state) {
        return Err(TransitionError::WrongState {
            action,
            state: facts.state,
        });
    }
    if !action.permitted(actor, facts.state) {
        return Err(TransitionError::NotPermitted { action });
    }
    let mut errors = FieldErrors::default();
    let filled = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    match action {
        Action::Decline | Action::RequestInfo if !filled(&input.reason) => {
            errors.add(
                "reason",
                Msg::new("Alasan wajib diisi.", "A reason is required."),
            );
        }
        Action::Cancel if matches!(actor, Actor::Staff(_)) && !filled(&input.reason) => {
            errors.add(
                "reason",
                Msg::new(
                    "Alasan pembatalan wajib diisi.",
                    "A reason for cancelling is required.",
                ),
            );
        }
        Action::SupplyInfo if !filled(&input.info) => {
            errors.add(
                "info",
                Msg::new(
                    "Tuliskan keterangan yang diminta.",
                    "Write the information that was asked for.",
                ),
            );
        }
        Action::Represent if !filled(&input.representative) => {
            errors.add(
                "representative",
                Msg::new(
                    "Pilih siapa yang mewakili pimpinan.",
                    "Choose who represents the leader.",
                ),
            );
        }
        Action::ForwardToLeader if !facts.has_requested_leader && !filled(&input.leader_id) => {
            errors.add(
                "leader_id",
                Msg::new(
                    "Pilih pimpinan yang dituju.",
                    "Choose the leader to forward to.",
                ),
            );
        }
        Action::ProposeTime => match (input.proposed_starts_at, input.proposed_ends_at) {
            (Some(s), Some(e)) if e <= s => errors.add(
                "proposed_ends_at",
                Msg::new(
                    "Waktu selesai harus setelah waktu mulai.",
                    "The end must be after the start.",
                ),
            ),
            (Some(_), Some(_)) => {}
            (s, e) => {
                if s.is_none() {
                    errors.add(
                        "proposed_starts_at",
                        Msg::new(
                            "Usulan waktu mulai wajib diisi.",
                            "A proposed start is required.",
                        ),
                    );
                }
                if e.is_none() {
                    errors.add(
                        "proposed_ends_at",
                        Msg::new(
                            "Usulan waktu selesai wajib diisi.",
                            "A proposed end is required.",
                        ),
                    );
                }
            }
        },
        _ => {}
    }
    for (field, value, max, lines) in [
        ("reason", &input.reason, 2000, true),
        ("info", &input.info, 5000, true),
        ("representative", &input.representative, 200, false),
    ] {
        if value
            .as_deref()
            .is_some_and(|v| crate::validation::has_forbidden_control(v, lines))
        {
            errors.add(field, crate::validation::control_character());
        } else if value.as_deref().is_some_and(|v| v.chars().count() > max) {
            errors.add(field, Msg::too_long(max));
        }
    }
    if !errors.is_empty() {
        return Err(TransitionError::Invalid(errors));
    }
    Ok(action.target(facts.state, facts.has_assigned_leader))
}

/// The trimmed reason of an input, if any.
fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Applies a checked transition (see [`check_transition`]) to the request's own fields: state,
/// reason, forwarded leader, proposed and accepted times, supplied information, representative.
/// The server and the device both use it, so a change shown offline is the change the server
/// makes. Returns the reason as the timeline records it.
pub fn apply_transition(r: &mut crate::model::Request, input: &TransitionInput) -> Option<String> {
    let from = r.state;
    let reason = trimmed(&input.reason);
    match input.action {
        Action::ForwardToLeader => {
            r.assigned_leader_id = trimmed(&input.leader_id).or(r.leader_id.clone());
        }
        Action::ProposeTime => {
            r.proposed_starts_at = input.proposed_starts_at;
            r.proposed_ends_at = input.proposed_ends_at;
        }
        Action::AcceptProposal => {
            if let (Some(s), Some(e)) = (r.proposed_starts_at, r.proposed_ends_at) {
                r.starts_at = s;
                r.ends_at = e;
            }
            r.proposed_starts_at = None;
            r.proposed_ends_at = None;
        }
        Action::DeclineProposal => {
            r.proposed_starts_at = None;
            r.proposed_ends_at = None;
        }
        Action::SupplyInfo => {
            let info = input.info.as_deref().unwrap_or("").trim().to_string();
            r.supplied_info = Some(match r.supplied_info.take() {
                Some(prev) => format!("{prev}\n\n{info}"),
                None => info,
            });
        }
        Action::Approve => r.representative = None,
        Action::Represent => r.representative = trimmed(&input.representative),
        _ => {}
    }
    r.state = input.action.target(from, r.assigned_leader_id.is_some());
    r.state_reason = match input.action {
        Action::SupplyInfo | Action::AcceptProposal | Action::StartReview => None,
        _ => reason.clone(),
    };
    match input.action {
        Action::SupplyInfo => trimmed(&input.info),
        Action::Represent => r.representative.clone(),
        _ => reason,
    }
}

codes!(Action);

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState::*;
    use proptest::prelude::*;

    fn facts(state: RequestState) -> RequestFacts {
        RequestFacts {
            state,
            has_requested_leader: true,
            has_assigned_leader: false,
        }
    }

    #[test]
    fn protocol_staff_walk_a_request_to_the_leader() {
        let staff = Actor::Staff(Role::Protocol);
        let s = check_transition(
            staff,
            facts(Submitted),
            &TransitionInput::new(Action::StartReview),
        );
        assert_eq!(s, Ok(InReview));
        let s = check_transition(
            staff,
            facts(InReview),
            &TransitionInput::new(Action::ForwardToLeader),
        );
        assert_eq!(s, Ok(AwaitingLeader));
    }

    #[test]
    fn protocol_staff_cannot_approve_for_the_leader() {
        let r = check_transition(
            Actor::Staff(Role::Protocol),
            facts(AwaitingLeader),
            &TransitionInput::new(Action::Approve),
        );
        assert_eq!(
            r,
            Err(TransitionError::NotPermitted {
                action: Action::Approve
            })
        );
    }

    #[test]
    fn represent_needs_a_representative() {
        let r = check_transition(
            Actor::Staff(Role::Adc),
            facts(AwaitingLeader),
            &TransitionInput::new(Action::Represent),
        );
        match r {
            Err(TransitionError::Invalid(e)) => assert!(e.get("representative").is_some()),
            other => panic!("expected invalid, got {other:?}"),
        }
        let mut input = TransitionInput::new(Action::Represent);
        input.representative = Some("Sekda".into());
        assert_eq!(
            check_transition(Actor::Staff(Role::Adc), facts(AwaitingLeader), &input),
            Ok(Represented)
        );
    }

    #[test]
    fn decline_needs_a_reason_and_blank_is_not_one() {
        let input = TransitionInput::new(Action::Decline).with_reason("   ");
        assert!(matches!(
            check_transition(Actor::Staff(Role::Protocol), facts(InReview), &input),
            Err(TransitionError::Invalid(_))
        ));
    }

    #[test]
    fn propose_time_needs_an_ordered_interval() {
        let mut input = TransitionInput::new(Action::ProposeTime);
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        input.proposed_starts_at = Some(t);
        input.proposed_ends_at = Some(t);
        let r = check_transition(Actor::Staff(Role::Protocol), facts(InReview), &input);
        assert!(
            matches!(r, Err(TransitionError::Invalid(e)) if e.get("proposed_ends_at").is_some())
        );
        input.proposed_ends_at = Some(t + chrono::Duration::hours(1));
        assert_eq!(
            check_transition(Actor::Staff(Role::Protocol), facts(InReview), &input),
            Ok(TimeProposed)
        );
    }

    #[test]
    fn accepted_proposal_returns_to_the_assigned_leader() {
        let f = RequestFacts {
            state: TimeProposed,
            has_requested_leader: false,
            has_assigned_leader: true,
        };
        assert_eq!(
            check_transition(
                Actor::Requester,
                f,
                &TransitionInput::new(Action::AcceptProposal)
            ),
            Ok(AwaitingLeader)
        );
        let f = RequestFacts {
            has_assigned_leader: false,
            ..f
        };
        assert_eq!(
            check_transition(
                Actor::Requester,
                f,
                &TransitionInput::new(Action::AcceptProposal)
            ),
            Ok(InReview)
        );
    }

    #[test]
    fn forwarding_an_either_leader_request_needs_a_leader() {
        let f = RequestFacts {
            state: InReview,
            has_requested_leader: false,
            has_assigned_leader: false,
        };
        let r = check_transition(
            Actor::Staff(Role::Protocol),
            f,
            &TransitionInput::new(Action::ForwardToLeader),
        );
        assert!(matches!(r, Err(TransitionError::Invalid(e)) if e.get("leader_id").is_some()));
    }

    #[test]
    fn requester_may_cancel_without_reason_but_staff_need_one() {
        let c = TransitionInput::new(Action::Cancel);
        assert_eq!(
            check_transition(Actor::Requester, facts(Approved), &c),
            Ok(Cancelled)
        );
        assert!(matches!(
            check_transition(Actor::Staff(Role::Protocol), facts(Approved), &c),
            Err(TransitionError::Invalid(_))
        ));
    }

    /// The offer in states that matter, written out from the brief (DESIGN.md), not computed.
    #[test]
    fn the_actions_offered_match_the_written_rules() {
        use Action::*;
        let cases: [(Actor, RequestState, &[Action]); 9] = [
            (Actor::Requester, Submitted, &[Cancel]),
            (Actor::Requester, NeedsInfo, &[SupplyInfo, Cancel]),
            (
                Actor::Requester,
                TimeProposed,
                &[AcceptProposal, DeclineProposal, Cancel],
            ),
            (Actor::Requester, Declined, &[]),
            (
                Actor::Staff(Role::Protocol),
                Submitted,
                &[StartReview, RequestInfo, Decline, Cancel],
            ),
            (
                Actor::Staff(Role::Protocol),
                InReview,
                &[RequestInfo, ForwardToLeader, ProposeTime, Decline, Cancel],
            ),
            (
                Actor::Staff(Role::Sespri),
                AwaitingLeader,
                &[ProposeTime, Approve, Represent, Decline],
            ),
            (Actor::Staff(Role::AgendaStaff), Approved, &[MarkDone]),
            (Actor::Staff(Role::Leader), Done, &[]),
        ];
        for (actor, state, expected) in cases {
            assert_eq!(
                available_actions(actor, state),
                expected,
                "{actor:?} in {state:?}"
            );
        }
    }

    #[test]
    fn leader_sees_only_decisions_while_awaiting() {
        assert_eq!(
            available_actions(Actor::Staff(Role::Leader), AwaitingLeader),
            vec![Action::Approve, Action::Represent, Action::Decline]
        );
        assert!(available_actions(Actor::Staff(Role::Leader), Submitted).is_empty());
        assert!(available_actions(Actor::Staff(Role::AgendaStaff), Submitted).is_empty());
    }

    fn request(state: RequestState) -> crate::model::Request {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        crate::model::Request {
            id: "r".into(),
            tracking_code: "K7QM-3XRD".into(),
            kind: crate::model::RequestKind::Undangan,
            leader_id: None,
            assigned_leader_id: None,
            title: "t".into(),
            description: "d".into(),
            starts_at: t,
            ends_at: t + chrono::Duration::hours(1),
            location: "l".into(),
            organizer: "o".into(),
            requester_name: "n".into(),
            requester_phone: "0812".into(),
            requester_email: None,
            expected_attendees: 1,
            leader_role: "r".into(),
            dress_code: String::new(),
            letter_number: None,
            state,
            state_reason: None,
            representative: None,
            proposed_starts_at: None,
            proposed_ends_at: None,
            supplied_info: None,
            agenda_item_id: None,
            attachments: vec![],
            timeline: vec![],
            created_at: t,
            updated_at: t,
            version: 1,
        }
    }

    #[test]
    fn facts_of_a_request_say_which_leaders_it_names() {
        let mut r = request(InReview);
        assert_eq!(
            RequestFacts::of(&r),
            RequestFacts {
                state: InReview,
                has_requested_leader: false,
                has_assigned_leader: false
            }
        );
        r.leader_id = Some("bupati".into());
        r.assigned_leader_id = Some("wakil_bupati".into());
        r.state = AwaitingLeader;
        assert_eq!(
            RequestFacts::of(&r),
            RequestFacts {
                state: AwaitingLeader,
                has_requested_leader: true,
                has_assigned_leader: true
            }
        );
    }

    #[test]
    fn staff_bound_to_a_leader_act_only_on_that_leaders_requests() {
        let mut r = request(AwaitingLeader);
        r.leader_id = Some("bupati".into());
        let decisions = vec![Action::Approve, Action::Represent, Action::Decline];
        assert_eq!(
            actions_for(Role::Adc, Some("bupati"), &r),
            [vec![Action::ProposeTime], decisions.clone()].concat()
        );
        assert!(actions_for(Role::Adc, Some("wakil_bupati"), &r).is_empty());
        // The leader it was forwarded to counts, not the one first asked for.
        r.assigned_leader_id = Some("wakil_bupati".into());
        assert!(actions_for(Role::Leader, Some("bupati"), &r).is_empty());
        assert_eq!(
            actions_for(Role::Leader, Some("wakil_bupati"), &r),
            decisions
        );
        // Roles not bound to a leader act on every request; "either leader" is anyone's.
        assert!(acts_on(Role::Protocol, None, &r));
        r.leader_id = None;
        r.assigned_leader_id = None;
        assert!(acts_on(Role::Sespri, Some("bupati"), &r));
    }

    #[test]
    fn applying_moves_fields_and_state_together() {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mut r = request(InReview);
        let mut fwd = TransitionInput::new(Action::ForwardToLeader);
        fwd.leader_id = Some(" wakil_bupati ".into());
        apply_transition(&mut r, &fwd);
        assert_eq!(
            (r.state, r.assigned_leader_id.as_deref()),
            (AwaitingLeader, Some("wakil_bupati"))
        );
        let mut p = TransitionInput::new(Action::ProposeTime).with_reason("Pagi penuh");
        p.proposed_starts_at = Some(t + chrono::Duration::days(1));
        p.proposed_ends_at = Some(t + chrono::Duration::days(1) + chrono::Duration::hours(2));
        assert_eq!(apply_transition(&mut r, &p).as_deref(), Some("Pagi penuh"));
        assert_eq!(r.state_reason.as_deref(), Some("Pagi penuh"));
        apply_transition(&mut r, &TransitionInput::new(Action::AcceptProposal));
        assert_eq!(r.state, AwaitingLeader, "back to the assigned leader");
        assert_eq!(r.starts_at, t + chrono::Duration::days(1));
        assert!(r.proposed_starts_at.is_none() && r.state_reason.is_none());
        let mut rep = TransitionInput::new(Action::Represent);
        rep.representative = Some("Sekda".into());
        assert_eq!(apply_transition(&mut r, &rep).as_deref(), Some("Sekda"));
        assert_eq!(
            (r.state, r.representative.as_deref()),
            (Represented, Some("Sekda"))
        );
    }

    fn any_state() -> impl Strategy<Value = RequestState> {
        prop::sample::select(RequestState::ALL.to_vec())
    }
    fn any_action() -> impl Strategy<Value = Action> {
        prop::sample::select(Action::ALL.to_vec())
    }
    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![
            Just(Actor::Requester),
            prop::sample::select(Role::ALL.to_vec()).prop_map(Actor::Staff)
        ]
    }
    fn complete_input(action: Action) -> TransitionInput {
        let t = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        TransitionInput {
            action,
            reason: Some("alasan".into()),
            info: Some("keterangan".into()),
            leader_id: Some("bupati".into()),
            representative: Some("Sekda".into()),
            proposed_starts_at: Some(t),
            proposed_ends_at: Some(t + chrono::Duration::hours(2)),
        }
    }

    proptest! {
        #[test]
        fn the_waiting_states_are_the_shape_of_waits_on(
            role in prop::sample::select(Role::ALL.to_vec()), state in any_state(),
            own in prop::option::of(prop::sample::select(vec!["bupati", "wakil_bupati"])),
            target in prop::option::of(prop::sample::select(vec!["bupati", "wakil_bupati"])),
            assigned in any::<bool>(), ended in any::<bool>()) {
            let mut r = request(state);
            if assigned { r.assigned_leader_id = target.map(String::from) } else { r.leader_id = target.map(String::from) }
            let now = if ended { r.ends_at + chrono::Duration::minutes(1) } else { r.ends_at - chrono::Duration::minutes(1) };
            let w = waiting_states(role);
            let shape = acts_on(role, own, &r)
                && (w.always.contains(&state) || (w.once_over.contains(&state) && ended));
            prop_assert_eq!(waits_on(role, own, &r, now), shape);
        }

        #[test]
        fn final_states_have_no_way_out(actor in any_actor(), action in any_action(),
                                        state in any_state(), assigned in any::<bool>()) {
            let f = RequestFacts { state, has_requested_leader: true, has_assigned_leader: assigned };
            let r = check_transition(actor, f, &complete_input(action));
            if state.is_final() {
                prop_assert!(r.is_err());
            }
        }

        #[test]
        fn a_complete_permitted_transition_always_succeeds_and_changes_state(
            actor in any_actor(), action in any_action(), state in any_state(), assigned in any::<bool>()) {
            let f = RequestFacts { state, has_requested_leader: false, has_assigned_leader: assigned };
            let r = check_transition(actor, f, &complete_input(action));
            if action.permitted(actor, state) {
                let next = r.expect("permitted with complete data");
                prop_assert_ne!(next, state);
            } else {
                prop_assert!(r.is_err());
            }
        }

        #[test]
        fn an_offered_action_is_one_the_server_accepts_and_no_other_is(
            actor in any_actor(), state in any_state(), assigned in any::<bool>()) {
            // Checked through the path the server takes (`check_transition` with complete
            // data), not through the rule that builds the list.
            let offered = available_actions(actor, state);
            let f = RequestFacts { state, has_requested_leader: true, has_assigned_leader: assigned };
            for action in Action::ALL {
                let accepted = check_transition(actor, f, &complete_input(action)).is_ok();
                prop_assert_eq!(offered.contains(&action), accepted, "{:?}", action);
            }
        }

        #[test]
        fn only_leader_side_roles_decide(role in prop::sample::select(Role::ALL.to_vec())) {
            let approve = Action::Approve.permitted(Actor::Staff(role), AwaitingLeader);
            prop_assert_eq!(approve, matches!(role, Role::Admin | Role::Adc | Role::Sespri | Role::Leader));
        }

        #[test]
        fn every_state_is_reachable_from_submitted(target in any_state()) {
            // Breadth-first over all actors with complete inputs.
            let mut seen = vec![RequestState::Submitted];
            let mut frontier = vec![RequestState::Submitted];
            while let Some(s) = frontier.pop() {
                for action in Action::ALL {
                    for actor in [Actor::Requester, Actor::Staff(Role::Admin)] {
                        for assigned in [false, true] {
                            let f = RequestFacts { state: s, has_requested_leader: true, has_assigned_leader: assigned };
                            if let Ok(n) = check_transition(actor, f, &complete_input(action))
                                && !seen.contains(&n) {
                                seen.push(n);
                                frontier.push(n);
                            }
                        }
                    }
                }
            }
            prop_assert!(seen.contains(&target));
        }
    }
}
