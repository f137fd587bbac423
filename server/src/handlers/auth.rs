//! Staff sign-in and sign-out.

use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use rusqlite::{OptionalExtension, params};
use sepiion_core::api::{ErrorBody, LoginInput, LoginResponse};
use sepiion_core::model::StaffUser;
use sepiion_core::validation::Msg;

use crate::auth::{StaffAuth, create_session, staff_from_row, token_hash, verify_password};
use crate::db::audit;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ClientIp, Json};
use crate::state::AppState;

const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Signs a staff member in. After repeated failures for one username or address, sign-in is
/// refused for a while (429).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginInput,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "Wrong username or password", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many failed attempts", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(input): Json<LoginInput>,
) -> ApiResult<axum::Json<LoginResponse>> {
    if input.username.trim().is_empty() || input.password.is_empty() {
        let mut f = sepiion_core::validation::FieldErrors::default();
        if input.username.trim().is_empty() {
            f.add("username", Msg::required());
        }
        if input.password.is_empty() {
            f.add("password", Msg::required());
        }
        return Err(ApiError::validation(f));
    }
    if input.username.len() > 100 || input.password.len() > 1024 {
        return Err(ApiError::unauthorized_login());
    }
    let max = state.ctx.limits.login_failures;
    let user_key = format!("login:user:{}", input.username.trim().to_lowercase());
    let ip_key = format!("login:ip:{ip}");
    for key in [&user_key, &ip_key] {
        // An address gets more tries than one account: an office may share one address.
        let limit = if key == &ip_key { max * 4 } else { max };
        if let Some(wait) = state.limiter.blocked(key, limit, LOGIN_WINDOW) {
            return Err(ApiError::too_many(wait));
        }
    }
    let username = input.username.trim().to_string();
    let found = state
        .db
        .read(move |tx| {
            Ok(tx
                .query_row(
                    "SELECT id, username, display_name, role, leader_id, password_hash
                     FROM users WHERE username = ?1 AND active = 1",
                    params![username],
                    |r| Ok((staff_from_row(r)?, r.get::<_, String>("password_hash")?)),
                )
                .optional()?)
        })
        .await?;
    let password = input.password.clone();
    let verified = tokio::task::spawn_blocking(move || match found {
        Some((staff, hash)) => verify_password(&password, &hash).then_some(staff),
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            let _ = verify_password(&password, crate::auth::DUMMY_HASH.as_str());
            None
        }
    })
    .await
    .map_err(ApiError::internal)?;
    let Some(staff) = verified else {
        state.limiter.hit(&user_key);
        state.limiter.hit(&ip_key);
        let name = input.username.trim().to_string();
        state
            .db
            .write(move |tx| {
                audit(
                    tx,
                    &format!("user:{name}"),
                    "auth.login_failed",
                    "user",
                    &name,
                    "",
                )?;
                Ok(())
            })
            .await?;
        return Err(ApiError::unauthorized_login());
    };
    state.limiter.clear(&user_key);
    let hours = state.ctx.limits.session_hours;
    let s = staff.clone();
    let (token, expires_at) = state
        .db
        .write(move |tx| {
            let out = create_session(tx, s.id, hours)?;
            audit(
                tx,
                &s.audit_name(),
                "auth.login",
                "user",
                &s.id.to_string(),
                "",
            )?;
            Ok(out)
        })
        .await?;
    Ok(axum::Json(LoginResponse {
        token,
        expires_at,
        user: staff.to_user(),
    }))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim()
        .to_string();
    state
        .db
        .write(move |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE token_hash = ?1",
                params![token_hash(&token)],
            )?;
            audit(
                tx,
                &staff.audit_name(),
                "auth.logout",
                "user",
                &staff.id.to_string(),
                "",
            )?;
            Ok(())
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in staff member.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses((status = 200, body = StaffUser), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(StaffAuth(staff): StaffAuth) -> axum::Json<StaffUser> {
    axum::Json(staff.to_user())
}

impl ApiError {
    fn unauthorized_login() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_login",
            Msg::new(
                "Nama pengguna atau kata sandi salah.",
                "Wrong username or password.",
            ),
        )
    }
}
