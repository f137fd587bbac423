//! Admin endpoints: user administration, representatives, the audit log, sync history.

use axum::extract::State;
use axum::http::StatusCode;
use sepiion_core::api::*;
use sepiion_core::model::{Representative, StaffUser};
use sepiion_core::validation::Msg;

use crate::domain::caller::check_password;
use crate::domain::{admin, users};
use crate::error::{ApiError, ApiResult};
use crate::http::auth::AdminAuth;
use crate::http::extract::{Json, Path, Query};
use crate::http::state::AppState;
use crate::storage::audit::{audit, audit_page};

/// All staff accounts.
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin",
    responses((status = 200, body = Vec<StaffUser>), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<AppState>,
    AdminAuth(_admin): AdminAuth,
) -> ApiResult<axum::Json<Vec<StaffUser>>> {
    Ok(axum::Json(state.db.read(|tx| Ok(users::list(tx)?)).await?))
}

/// Creates a staff account.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin",
    request_body = NewUser,
    responses((status = 201, body = StaffUser), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Json(input): Json<NewUser>,
) -> ApiResult<(StatusCode, axum::Json<StaffUser>)> {
    let hash = hash_if_acceptable(&state, Some(&input.password)).await?;
    let user = state
        .db
        .write(move |tx| {
            let u = users::create(tx, &input, hash.as_deref().unwrap_or(""))?;
            audit(
                tx,
                &admin.audit_name(),
                "user.create",
                "user",
                &u.id.to_string(),
                u.role.as_str(),
            )?;
            Ok(u)
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Changes a staff account (role, leader, name, active, password).
#[utoipa::path(put, path = "/api/v1/admin/users/{id}", tag = "admin",
    params(("id" = i64, Path, description = "User id")),
    request_body = UserUpdate,
    responses((status = 200, body = StaffUser), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_user(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
    Path(id): Path<i64>,
    Json(input): Json<UserUpdate>,
) -> ApiResult<axum::Json<StaffUser>> {
    if id == admin.id
        && (input.active == Some(false) || input.role.is_some_and(|r| r != admin.role))
    {
        return Err(ApiError::field(
            "active",
            Msg::new(
                "Anda tidak dapat menonaktifkan atau menurunkan peran akun Anda sendiri.",
                "You cannot deactivate or demote your own account.",
            ),
        ));
    }
    let hash = hash_if_acceptable(&state, input.password.as_deref()).await?;
    let user = state
        .db
        .write(move |tx| {
            let (u, changes) = users::update(tx, id, &input, hash.as_deref())?;
            audit(
                tx,
                &admin.audit_name(),
                "user.update",
                "user",
                &id.to_string(),
                &changes,
            )?;
            Ok(u)
        })
        .await?;
    Ok(axum::Json(user))
}

/// Hashes a new password before the database transaction (never inside it); a password that
/// breaks the rules is not hashed — the transaction reports it with the other field errors.
async fn hash_if_acceptable(state: &AppState, password: Option<&str>) -> ApiResult<Option<String>> {
    match password {
        Some(p) if check_password(p).is_ok() => {
            Ok(Some(state.passwords.hash(p.to_string()).await?))
        }
        _ => Ok(None),
    }
}

/// Revokes a public device: its token stops working at once (e.g. a device that sends abuse).
#[utoipa::path(post, path = "/api/v1/admin/devices/{id}/revoke", tag = "admin",
    params(("id" = String, Path, description = "Device id")),
    responses((status = 204, description = "Revoked"), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke_device(
    State(state): State<AppState>,
    AdminAuth(admin_staff): AdminAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| admin::revoke_device(tx, &admin_staff, &id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a representative (someone who may attend on a leader's behalf).
#[utoipa::path(post, path = "/api/v1/admin/representatives", tag = "admin",
    request_body = RepresentativeInput,
    responses((status = 201, body = Representative), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_representative(
    State(state): State<AppState>,
    AdminAuth(admin_staff): AdminAuth,
    Json(input): Json<RepresentativeInput>,
) -> ApiResult<(StatusCode, axum::Json<Representative>)> {
    admin::check_representative(&input)?;
    let rep = state
        .db
        .write(move |tx| admin::create_representative(tx, &admin_staff, &input))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(rep)))
}

/// Changes a representative.
#[utoipa::path(put, path = "/api/v1/admin/representatives/{id}", tag = "admin",
    params(("id" = String, Path, description = "Representative id")),
    request_body = RepresentativeInput,
    responses((status = 200, body = Representative), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update_representative(
    State(state): State<AppState>,
    AdminAuth(admin_staff): AdminAuth,
    Path(id): Path<String>,
    Json(input): Json<RepresentativeInput>,
) -> ApiResult<axum::Json<Representative>> {
    admin::check_representative(&input)?;
    let rep = state
        .db
        .write(move |tx| admin::update_representative(tx, &admin_staff, &id, &input))
        .await?;
    Ok(axum::Json(rep))
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin",
    params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), (status = 400, body = ErrorBody),
              (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn audit_log(
    State(state): State<AppState>,
    AdminAuth(_admin): AdminAuth,
    Query(q): Query<AuditQuery>,
) -> ApiResult<axum::Json<Vec<AuditEntry>>> {
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let entries = state
        .db
        .read(move |tx| Ok(audit_page(tx, q.before, limit)?))
        .await?;
    Ok(axum::Json(entries))
}

/// Makes every sync cursor handed out so far stale (after restoring a backup or purging
/// history): devices resync from scratch, keeping their unsent changes.
#[utoipa::path(post, path = "/api/v1/admin/sync/reset", tag = "admin",
    responses((status = 204, description = "History reset"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reset_sync_history(
    State(state): State<AppState>,
    AdminAuth(admin): AdminAuth,
) -> ApiResult<StatusCode> {
    state
        .db
        .write(move |tx| {
            let seq = crate::storage::changes::reset_history(tx)?;
            audit(
                tx,
                &admin.audit_name(),
                "sync.reset",
                "sync",
                &seq.to_string(),
                "",
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
