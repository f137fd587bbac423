//! The rules of agenda writes: who may create, edit or cancel which item, and what a cancel
//! needs. The server enforces them; the staff app calls the same functions to show its buttons
//! and to refuse a write offline, so both say the same thing in the same words.

use crate::model::{AgendaItem, Role, StaffUser, Visibility};
use crate::validation::{FieldErrors, Msg};

/// The longest reason for cancelling an item, in characters.
pub const MAX_CANCEL_REASON: usize = 2000;

/// Why a write of an agenda item is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRefused {
    /// The role never writes agenda items (the leader's own account reads only).
    Role,
    /// Refused for what one field says: `leader_id` (another leader's agenda) or `visibility`
    /// (a confidential item, which only admin and the leader's own people write).
    Field(&'static str, Msg),
}

impl WriteRefused {
    /// The refusal as field errors (`None` for [`WriteRefused::Role`], which names no field).
    pub fn field_errors(&self) -> Option<FieldErrors> {
        match self {
            WriteRefused::Role => None,
            WriteRefused::Field(field, msg) => {
                let mut e = FieldErrors::default();
                e.add(field, msg.clone());
                Some(e)
            }
        }
    }
}

/// Whether `role` — belonging to `own_leader` when it is an ajudan, sespri or leader account —
/// may create, edit or cancel an item on `leader_id`'s agenda with `visibility`. An edit must
/// pass for the item as it stands and for the item as it will be.
pub fn may_write(
    role: Role,
    own_leader: Option<&str>,
    leader_id: &str,
    visibility: Visibility,
) -> Result<(), WriteRefused> {
    if !role.may_edit_agenda() {
        return Err(WriteRefused::Role);
    }
    if role.is_bound_to_leader() && own_leader != Some(leader_id) {
        return Err(WriteRefused::Field(
            "leader_id",
            Msg::new(
                "Anda hanya dapat mengisi agenda pimpinan Anda sendiri.",
                "You can only edit your own leader's agenda.",
            ),
        ));
    }
    if visibility == Visibility::Confidential && !(role == Role::Admin || role.is_bound_to_leader())
    {
        return Err(WriteRefused::Field(
            "visibility",
            Msg::new(
                "Hanya admin, ajudan dan sespri yang dapat membuat agenda rahasia.",
                "Only admin, ajudan and sespri may make an item confidential.",
            ),
        ));
    }
    Ok(())
}

/// Whether `user` may edit or cancel `item` as it stands (the app's edit and cancel buttons).
pub fn may_write_item(user: &StaffUser, item: &AgendaItem) -> bool {
    may_write(
        user.role,
        user.leader_id.as_deref(),
        &item.leader_id,
        item.visibility,
    )
    .is_ok()
}

/// The reason for cancelling an item, trimmed: required, at most [`MAX_CANCEL_REASON`]
/// characters. Errors name the field `reason`.
pub fn cancel_reason(reason: &str) -> Result<&str, FieldErrors> {
    let reason = reason.trim();
    let mut e = FieldErrors::default();
    if reason.is_empty() {
        e.add(
            "reason",
            Msg::new(
                "Alasan pembatalan wajib diisi.",
                "A reason for cancelling is required.",
            ),
        );
    } else if reason.chars().count() > MAX_CANCEL_REASON {
        e.add("reason", Msg::too_long(MAX_CANCEL_REASON));
    }
    e.into_result().map(|()| reason)
}

/// Why an item that is already cancelled cannot be cancelled again.
pub fn already_cancelled() -> Msg {
    Msg::new(
        "Agenda ini sudah dibatalkan.",
        "This item is already cancelled.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_leaders_and_confidential_items() {
        use Visibility::*;
        assert_eq!(
            may_write(Role::Leader, Some("bupati"), "bupati", Public),
            Err(WriteRefused::Role)
        );
        for role in [Role::Admin, Role::Protocol, Role::AgendaStaff] {
            assert!(may_write(role, None, "bupati", Internal).is_ok());
        }
        for role in [Role::Adc, Role::Sespri] {
            assert!(may_write(role, Some("bupati"), "bupati", Confidential).is_ok());
            let other = may_write(role, Some("wakil"), "bupati", Public).unwrap_err();
            assert!(matches!(other, WriteRefused::Field("leader_id", _)));
            let none = may_write(role, None, "bupati", Public).unwrap_err();
            assert!(matches!(none, WriteRefused::Field("leader_id", _)));
        }
        assert!(may_write(Role::Admin, None, "bupati", Confidential).is_ok());
        for role in [Role::Protocol, Role::AgendaStaff] {
            let e = may_write(role, None, "bupati", Confidential).unwrap_err();
            assert!(e.field_errors().unwrap().get("visibility").is_some());
        }
        assert_eq!(WriteRefused::Role.field_errors(), None);
    }

    #[test]
    fn a_cancel_needs_a_reason_of_bounded_length() {
        assert_eq!(cancel_reason("  Hujan  "), Ok("Hujan"));
        let blank = cancel_reason(" \n ").unwrap_err();
        assert_eq!(
            blank.get("reason").unwrap().en,
            "A reason for cancelling is required."
        );
        let long = "x".repeat(MAX_CANCEL_REASON + 1);
        assert_eq!(
            cancel_reason(&long).unwrap_err().get("reason"),
            Some(&Msg::too_long(MAX_CANCEL_REASON))
        );
        assert!(cancel_reason(&"é".repeat(MAX_CANCEL_REASON)).is_ok());
    }
}
