//! Who is asking: staff sessions (Argon2id passwords, expiring tokens stored hashed), anonymous
//! public devices (secret tokens stored hashed), and the rate limits that guard them.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::model::{Role, StaffUser};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub leader_id: Option<String>,
}

impl Staff {
    pub fn audit_name(&self) -> String {
        format!("user:{}", self.username)
    }
    pub fn to_user(&self) -> StaffUser {
        StaffUser {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            leader_id: self.leader_id.clone(),
            active: true,
        }
    }
}

/// The caller of an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Anonymous,
    Device(String),
    Staff(Staff),
}

impl Caller {
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::Device(id) => format!("device:{id}"),
            Caller::Staff(s) => s.audit_name(),
        }
    }
}

/// 32 random bytes from the operating system, hex-encoded, with a prefix telling what it is.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id with the crate's default (OWASP-recommended) parameters.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt).expect("the OS random source works");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A real hash to verify against when the username is unknown, so that answering takes as
/// long as for a known user.
pub static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("sepiion-timing-equaliser"));

/// Minimum password rules for staff accounts.
pub fn check_password(password: &str) -> Result<(), sepiion_core::validation::Msg> {
    if password.chars().count() < 10 {
        return Err(sepiion_core::validation::Msg::new(
            "Kata sandi paling sedikit 10 karakter.",
            "A password needs at least 10 characters.",
        ));
    }
    if password.len() > 1024 {
        return Err(sepiion_core::validation::Msg::too_long(1024));
    }
    Ok(())
}

const STAFF_PREFIX: &str = "sps_";
const DEVICE_PREFIX: &str = "spd_";

/// Starts a staff session and returns its token.
pub fn create_session(
    tx: &Transaction,
    user_id: i64,
    hours: i64,
) -> rusqlite::Result<(String, chrono::DateTime<chrono::Utc>)> {
    let token = new_token(STAFF_PREFIX);
    let now = chrono::Utc::now();
    let expires = now + chrono::Duration::hours(hours);
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash(&token), user_id, now.timestamp(), expires.timestamp()],
    )?;
    Ok((token, expires))
}

/// Registers an anonymous device and returns (id, token).
pub fn create_device(tx: &Transaction) -> rusqlite::Result<(String, String)> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = new_token(DEVICE_PREFIX);
    let now = chrono::Utc::now().timestamp();
    tx.execute(
        "INSERT INTO devices (id, token_hash, created_at, last_seen) VALUES (?1, ?2, ?3, ?3)",
        params![id, token_hash(&token), now],
    )?;
    Ok((id, token))
}

pub fn staff_from_row(r: &rusqlite::Row) -> rusqlite::Result<Staff> {
    let role: String = r.get("role")?;
    Ok(Staff {
        id: r.get("id")?,
        username: r.get("username")?,
        display_name: r.get("display_name")?,
        role: Role::parse(&role).unwrap_or(Role::AgendaStaff),
        leader_id: r.get("leader_id")?,
    })
}

/// A device's `last_seen` is written at most this often: a write with its fsync on every
/// request would put each request behind the writer.
pub const LAST_SEEN_EVERY_SECS: i64 = 300;

/// Looks a bearer token up (reads only); `None` when it matches nothing valid. The flag says
/// that the caller is a device whose `last_seen` is due to be written ([`touch_device`]).
pub fn lookup_token(tx: &Transaction, token: &str) -> rusqlite::Result<Option<(Caller, bool)>> {
    let hash = token_hash(token);
    let now = chrono::Utc::now().timestamp();
    if token.starts_with(STAFF_PREFIX) {
        return tx
            .query_row(
                "SELECT u.id, u.username, u.display_name, u.role, u.leader_id
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
                params![hash, now],
                staff_from_row,
            )
            .optional()
            .map(|s| s.map(|s| (Caller::Staff(s), false)));
    }
    if token.starts_with(DEVICE_PREFIX) {
        let device: Option<(String, i64)> = tx
            .query_row(
                "SELECT id, last_seen FROM devices WHERE token_hash = ?1",
                params![hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        return Ok(
            device.map(|(id, seen)| (Caller::Device(id), now - seen >= LAST_SEEN_EVERY_SECS))
        );
    }
    Ok(None)
}

/// Records that a device was seen now.
pub fn touch_device(tx: &Transaction, device_id: &str) -> rusqlite::Result<()> {
    tx.execute(
        "UPDATE devices SET last_seen = ?2 WHERE id = ?1",
        params![device_id, chrono::Utc::now().timestamp()],
    )?;
    Ok(())
}

fn bearer(parts: &Parts) -> Result<Option<String>, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::unauthorized())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(ApiError::unauthorized)?
        .trim();
    if token.is_empty() || token.len() > 200 {
        return Err(ApiError::unauthorized());
    }
    Ok(Some(token.to_string()))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let caller = match bearer(parts)? {
            None => Caller::Anonymous,
            // A token that matches nothing is refused rather than treated as anonymous, so a
            // client learns at once that its session ended.
            Some(token) => {
                let (caller, seen_due) = state
                    .db
                    .read(move |tx| Ok(lookup_token(tx, &token)?))
                    .await?
                    .ok_or_else(ApiError::unauthorized)?;
                if let (Caller::Device(id), true) = (&caller, seen_due) {
                    let id = id.clone();
                    state.db.write(move |tx| Ok(touch_device(tx, &id)?)).await?;
                }
                caller
            }
        };
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// Extractor: a signed-in staff member (401 without a session, 403 for a public device).
pub struct StaffAuth(pub Staff);

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Staff(s) => Ok(StaffAuth(s)),
            Caller::Device(_) => Err(ApiError::forbidden()),
            Caller::Anonymous => Err(ApiError::unauthorized()),
        }
    }
}

/// Extractor: an admin.
pub struct AdminAuth(pub Staff);

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let StaffAuth(s) = StaffAuth::from_request_parts(parts, state).await?;
        if s.role == Role::Admin {
            Ok(AdminAuth(s))
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// Extractor: a registered public device (401 without a token, 403 for staff).
pub struct DeviceAuth(pub String);

impl FromRequestParts<AppState> for DeviceAuth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Device(d) => Ok(DeviceAuth(d)),
            Caller::Staff(_) => Err(ApiError::forbidden()),
            Caller::Anonymous => Err(ApiError::unauthorized()),
        }
    }
}

/// Extractor: a device or a staff member (sync).
pub struct KnownCaller(pub Caller);

impl FromRequestParts<AppState> for KnownCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Anonymous => Err(ApiError::unauthorized()),
            c => Ok(KnownCaller(c)),
        }
    }
}

/// Sliding-window counters kept in memory (they reset when the server restarts, which is fine
/// for throttling).
#[derive(Default)]
pub struct RateLimiter {
    hits: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Whether `key` is already at `max` hits within `window`; if so, the seconds to wait.
    pub fn blocked(&self, key: &str, max: u32, window: Duration) -> Option<u64> {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        let q = hits.entry(key.to_string()).or_default();
        let now = Instant::now();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= max as usize {
            let oldest = *q.front().expect("non-empty when at max");
            let wait = window.saturating_sub(now.duration_since(oldest));
            return Some(wait.as_secs().max(1));
        }
        None
    }

    /// Counts a hit for `key`.
    pub fn hit(&self, key: &str) {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        hits.entry(key.to_string())
            .or_default()
            .push_back(Instant::now());
        // Keep memory bounded if someone sprays keys.
        if hits.len() > 100_000 {
            hits.retain(|_, q| q.len() > 1);
        }
    }

    /// Checks and counts in one step.
    pub fn take(&self, key: &str, max: u32, window: Duration) -> Result<(), ApiError> {
        if let Some(wait) = self.blocked(key, max, window) {
            return Err(ApiError::too_many(wait));
        }
        self.hit(key);
        Ok(())
    }

    pub fn clear(&self, key: &str) {
        self.hits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("rahasia-sekali");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-sekali", &h));
        assert!(!verify_password("rahasia-salah", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_unique_and_hash_stably() {
        let a = new_token("x_");
        let b = new_token("x_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn limiter_blocks_after_max_within_the_window() {
        let l = RateLimiter::default();
        let w = Duration::from_secs(3600);
        for _ in 0..3 {
            assert!(l.take("k", 3, w).is_ok());
        }
        assert!(l.take("k", 3, w).is_err());
        assert!(l.take("other", 3, w).is_ok());
        l.clear("k");
        assert!(l.take("k", 3, w).is_ok());
    }
}
