//! Staff accounts: creation (also from the command line) and changes by an admin.

use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::api::{NewUser, UserUpdate};
use sepiion_core::model::{Role, StaffUser};
use sepiion_core::validation::{FieldErrors, Msg, control_character, has_forbidden_control};

use crate::domain::caller::check_password;
use crate::error::{ApiError, ApiResult};
use crate::storage::rows::load_leader;

fn user_from_row(r: &rusqlite::Row) -> rusqlite::Result<StaffUser> {
    let role: String = r.get("role")?;
    Ok(StaffUser {
        id: r.get("id")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        role: Role::parse(&role).unwrap_or(Role::AgendaStaff),
        leader_id: r.get("leader_id")?,
        active: r.get("active")?,
    })
}

pub fn list(tx: &Transaction) -> rusqlite::Result<Vec<StaffUser>> {
    let mut st = tx.prepare_cached("SELECT * FROM users ORDER BY username")?;
    st.query_map([], user_from_row)?.collect()
}

pub fn get(tx: &Transaction, id: i64) -> rusqlite::Result<Option<StaffUser>> {
    tx.query_row(
        "SELECT * FROM users WHERE id = ?1",
        params![id],
        user_from_row,
    )
    .optional()
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Checks that a leader-bound role names an existing leader, and others name none.
fn check_leader(
    tx: &Transaction,
    role: Role,
    leader_id: Option<&str>,
    errors: &mut FieldErrors,
) -> ApiResult<()> {
    match (role.is_bound_to_leader(), leader_id) {
        (true, None) => errors.add(
            "leader_id",
            Msg::new(
                "Ajudan, sespri dan pimpinan harus terhubung ke seorang pimpinan.",
                "Ajudan, sespri and leader accounts need a leader.",
            ),
        ),
        (true, Some(l)) if load_leader(tx, l)?.is_none() => {
            errors.add("leader_id", sepiion_core::validation::unknown_leader())
        }
        (false, Some(_)) => errors.add(
            "leader_id",
            Msg::new(
                "Peran ini tidak terhubung ke pimpinan tertentu.",
                "This role is not tied to a leader.",
            ),
        ),
        _ => {}
    }
    Ok(())
}

/// Creates a staff account. `password_hash` is `u.password` hashed by the caller *before* the
/// transaction (hashing takes tens of milliseconds and must not hold the database).
/// A display name: required, at most 120 characters, one line without control characters (it
/// reaches notifications, the sheet, calendar feeds and reports).
fn check_display_name(name: &str, e: &mut FieldErrors) {
    if name.trim().is_empty() {
        e.add("display_name", Msg::required());
    } else if name.chars().count() > 120 {
        e.add("display_name", Msg::too_long(120));
    } else if has_forbidden_control(name, false) {
        e.add("display_name", control_character());
    }
}

pub fn create(tx: &Transaction, u: &NewUser, password_hash: &str) -> ApiResult<StaffUser> {
    let mut e = FieldErrors::default();
    let username = u.username.trim().to_lowercase();
    if !valid_username(&username) {
        e.add(
            "username",
            Msg::new(
                "Nama pengguna 3–40 karakter: huruf kecil, angka, titik, garis bawah atau strip.",
                "Usernames have 3–40 characters: lower-case letters, digits, '.', '_' or '-'.",
            ),
        );
    }
    check_display_name(&u.display_name, &mut e);
    check_leader(tx, u.role, u.leader_id.as_deref(), &mut e)?;
    if let Err(m) = check_password(&u.password) {
        e.add("password", m);
    }
    if !e.is_empty() {
        return Err(ApiError::validation(e));
    }
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)",
        params![username],
        |r| r.get(0),
    )?;
    if taken {
        return Err(ApiError::field(
            "username",
            Msg::new("Nama pengguna sudah dipakai.", "This username is taken."),
        ));
    }
    tx.execute(
        "INSERT INTO users (username, display_name, role, leader_id, password_hash, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            username,
            u.display_name.trim(),
            u.role.as_str(),
            u.leader_id,
            password_hash,
            chrono::Utc::now().timestamp()
        ],
    )?;
    let id = tx.last_insert_rowid();
    get(tx, id)?.ok_or_else(|| ApiError::internal("user vanished"))
}

/// Applies an admin's changes to an account and says what changed (for the audit log), without
/// the password itself. `password_hash` is `u.password` hashed by the caller before the
/// transaction. Changing the password or the role ends the account's sessions; deactivating it
/// keeps them so that its devices are told "deactivated" (and wipe its data) rather than
/// "signed out".
pub fn update(
    tx: &Transaction,
    id: i64,
    u: &UserUpdate,
    password_hash: Option<&str>,
) -> ApiResult<(StaffUser, String)> {
    let current = get(tx, id)?.ok_or_else(|| ApiError::not_found("Pengguna", "User"))?;
    let role = u.role.unwrap_or(current.role);
    let leader_id = if u.role.is_some() || u.leader_id.is_some() {
        u.leader_id.clone().filter(|l| !l.is_empty())
    } else {
        current.leader_id.clone()
    };
    let mut e = FieldErrors::default();
    check_leader(tx, role, leader_id.as_deref(), &mut e)?;
    if let Some(d) = &u.display_name {
        check_display_name(d, &mut e);
    }
    if let Some(p) = &u.password
        && let Err(m) = check_password(p)
    {
        e.add("password", m);
    }
    if !e.is_empty() {
        return Err(ApiError::validation(e));
    }
    let display = u
        .display_name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&current.display_name);
    let active = u.active.unwrap_or(current.active);
    tx.execute(
        "UPDATE users SET display_name = ?2, role = ?3, leader_id = ?4, active = ?5 WHERE id = ?1",
        params![id, display, role.as_str(), leader_id, active],
    )?;
    if u.password.is_some() {
        let hash = password_hash.ok_or_else(|| ApiError::internal("password not hashed"))?;
        tx.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id, hash],
        )?;
    }
    if u.password.is_some() || role != current.role {
        tx.execute("DELETE FROM sessions WHERE user_id = ?1", params![id])?;
    }
    let mut changes = Vec::new();
    if display != current.display_name {
        changes.push(format!(
            "display_name: {:?} -> {display:?}",
            current.display_name
        ));
    }
    if role != current.role {
        changes.push(format!(
            "role: {} -> {}",
            current.role.as_str(),
            role.as_str()
        ));
    }
    if leader_id != current.leader_id {
        changes.push(format!(
            "leader_id: {} -> {}",
            current.leader_id.as_deref().unwrap_or("-"),
            leader_id.as_deref().unwrap_or("-")
        ));
    }
    if active != current.active {
        changes.push(format!("active: {} -> {active}", current.active));
    }
    if u.password.is_some() {
        changes.push("password changed".into());
    }
    let user = get(tx, id)?.ok_or_else(|| ApiError::internal("user vanished"))?;
    Ok((user, changes.join("; ")))
}
