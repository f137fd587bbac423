//! The staff app: sign-in, inbox, request detail with workflow actions and dispositions, the
//! agenda with conflicts, and the sync status with conflict resolution.

pub mod agenda;
pub mod agenda_edit;
pub mod inbox;
pub mod login;
pub mod notify_settings;
pub mod reports;
pub mod request_detail;
pub mod share;
pub mod sync_status;

use sepiion_core::model::{Request, StaffUser};
use sepiion_core::workflow::{Action, Actor, available_actions};

use crate::store::{Identity, Store};

/// The signed-in staff member, if any.
pub fn current_user(store: &Store) -> Option<StaffUser> {
    match store.identity().ok()? {
        Identity::Staff { user, .. } => Some(user),
        _ => None,
    }
}

/// The actions `user` may take on `r`: the core state machine, narrowed for an ajudan, sespri or
/// leader to their own leader's requests (as the server enforces).
pub fn actions_for(user: &StaffUser, r: &Request) -> Vec<Action> {
    if user.role.is_bound_to_leader()
        && let Some(target) = r.assigned_leader_id.as_ref().or(r.leader_id.as_ref())
        && user.leader_id.as_ref() != Some(target)
    {
        return Vec::new();
    }
    available_actions(Actor::Staff(user.role), r.state)
}

/// Whether `r` waits on this user: an action other than cancelling is open to them (marking done
/// counts only once the event is over).
pub fn needs_action(actions: &[Action], r: &Request) -> bool {
    actions.iter().any(|a| match a {
        Action::Cancel => false,
        Action::MarkDone => r.ends_at < chrono::Utc::now(),
        _ => true,
    })
}
