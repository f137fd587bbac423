//! Admin work that is not about accounts (those are in [`super::users`]): representatives and
//! revoking public devices.

use rusqlite::{Transaction, params};
use sepiion_core::api::RepresentativeInput;
use sepiion_core::model::Representative;
use sepiion_core::validation::{FieldErrors, Msg, control_character, has_forbidden_control};

use crate::domain::caller::Staff;
use crate::error::{ApiError, ApiResult};
use crate::storage::audit::audit;
use crate::storage::changes::log_change;
use crate::storage::rows::load_representative;

/// Revokes public device `id`: its token stops working at once.
pub fn revoke_device(tx: &Transaction, admin: &Staff, id: &str) -> ApiResult<()> {
    let changed = tx.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![id, chrono::Utc::now().timestamp()],
    )?;
    if changed == 0 {
        return Err(ApiError::not_found("Perangkat", "Device"));
    }
    audit(tx, &admin.audit_name(), "device.revoke", "device", id, "")?;
    Ok(())
}

/// A representative's name and position: required, at most 200 characters, one line without
/// control characters (both reach the sheet, feeds and messages).
pub fn check_representative(r: &RepresentativeInput) -> ApiResult<()> {
    let mut e = FieldErrors::default();
    for (field, v) in [("name", &r.name), ("position", &r.position)] {
        if v.trim().is_empty() {
            e.add(field, Msg::required());
        } else if v.chars().count() > 200 {
            e.add(field, Msg::too_long(200));
        } else if has_forbidden_control(v, false) {
            e.add(field, control_character());
        }
    }
    e.into_result().map_err(ApiError::validation)
}

/// Adds a representative (checked with [`check_representative`]).
pub fn create_representative(
    tx: &Transaction,
    admin: &Staff,
    input: &RepresentativeInput,
) -> ApiResult<Representative> {
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO representatives (id, name, position, active) VALUES (?1, ?2, ?3, ?4)",
        params![id, input.name.trim(), input.position.trim(), input.active],
    )?;
    log_change(tx, "representative", &id)?;
    audit(
        tx,
        &admin.audit_name(),
        "representative.create",
        "representative",
        &id,
        &input.name,
    )?;
    load_representative(tx, &id)?.ok_or_else(|| ApiError::internal("lost"))
}

/// Changes representative `id` (checked with [`check_representative`]).
pub fn update_representative(
    tx: &Transaction,
    admin: &Staff,
    id: &str,
    input: &RepresentativeInput,
) -> ApiResult<Representative> {
    let n = tx.execute(
        "UPDATE representatives SET name = ?2, position = ?3, active = ?4,
             version = version + 1 WHERE id = ?1",
        params![id, input.name.trim(), input.position.trim(), input.active],
    )?;
    if n == 0 {
        return Err(ApiError::not_found("Wakil", "Representative"));
    }
    log_change(tx, "representative", id)?;
    audit(
        tx,
        &admin.audit_name(),
        "representative.update",
        "representative",
        id,
        &input.name,
    )?;
    load_representative(tx, id)?.ok_or_else(|| ApiError::internal("lost"))
}
