//! Staff sign-in and sign-out.

use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use sepiion_core::api::{ErrorBody, LoginInput, LoginResponse};
use sepiion_core::model::StaffUser;
use sepiion_core::validation::Msg;

use crate::domain::caller::create_session;
use crate::error::{ApiError, ApiResult};
use crate::http::auth::{StaffAuth, bearer};
use crate::http::extract::{ClientKey, Json};
use crate::http::state::AppState;
use crate::http::throttle::LoginGate;
use crate::storage::audit::audit;

const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Signs a staff member in. Repeated failures for one account from one client lock that pair
/// for a growing time (429); failures from anywhere slow the account down without locking it
/// (see `throttle::LoginGuard`).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginInput,
    responses((status = 200, body = LoginResponse),
              (status = 401, description = "Wrong username or password", body = ErrorBody),
              (status = 422, body = ErrorBody),
              (status = 429, description = "Too many failed attempts", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientKey,
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
    let account = input.username.trim().to_lowercase();
    // All accounts from one client: a generous budget (an office may share one address), only
    // to stop a client from cycling through usernames.
    state
        .limiter
        .take("login-client", &client.0, max * 4, LOGIN_WINDOW)?;
    // Counted before the password is checked, so parallel guesses stop at the limit.
    match state.logins.begin(&account, &client.0, max) {
        LoginGate::Refuse(wait) => return Err(ApiError::too_many(wait)),
        LoginGate::Proceed(pause) if !pause.is_zero() => tokio::time::sleep(pause).await,
        LoginGate::Proceed(_) => {}
    }
    let username = input.username.trim().to_string();
    let idle = state.ctx.limits.session_idle_hours;
    let found = state
        .db
        .write(move |tx| {
            crate::domain::caller::purge_sessions(tx, idle)?;
            Ok(crate::domain::caller::find_login(tx, &username)?)
        })
        .await?;
    let password = input.password.clone();
    let verified = match found {
        Some((staff, hash)) => state
            .passwords
            .verify(password, hash)
            .await?
            .then_some(staff),
        None => {
            // Spend the same time as a real check, so timing does not reveal usernames.
            state.passwords.verify_dummy(password).await?;
            None
        }
    };
    let Some(staff) = verified else {
        state.logins.failed(&account);
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
    state.logins.succeeded(&account, &client.0);
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
    // The same parsing as authentication: whatever authenticated this request is what ends.
    let token = bearer(&headers)?.ok_or_else(ApiError::unauthorized)?;
    state
        .db
        .write(move |tx| {
            crate::domain::caller::end_session(tx, &token)?;
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
