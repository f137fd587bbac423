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
pub mod told;

use sepiion_core::model::{Request, StaffUser};
use sepiion_core::workflow::{self, Action};

use crate::store::{Identity, Store};

/// The signed-in staff member, if any.
pub fn current_user(store: &Store) -> Option<StaffUser> {
    match store.identity().ok()? {
        Identity::Staff { user, .. } => Some(user),
        _ => None,
    }
}

/// The actions `user` may take on `r` (the core rule the server enforces).
pub fn actions_for(user: &StaffUser, r: &Request) -> Vec<Action> {
    workflow::actions_for(user.role, user.leader_id.as_deref(), r)
}

/// Whether `r` waits on this user (the core rule, [`workflow::waits_on`]).
pub fn needs_action(user: &StaffUser, r: &Request) -> bool {
    workflow::waits_on(user.role, user.leader_id.as_deref(), r, chrono::Utc::now())
}
