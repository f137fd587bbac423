//! Who is asking: staff members and anonymous public devices, their secret tokens (stored only
//! hashed) and sessions, and staff passwords (Argon2id, hashed on threads of their own). The
//! HTTP extractors that read a request's token are in `http::auth`; the rows in
//! `storage::sessions`.

use std::sync::Arc;

use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rusqlite::Transaction;
use sepiion_core::model::{Role, StaffUser};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::storage::sessions::{self, AccountRow};

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
    /// The member of staff calling, if it is one.
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Caller::Staff(s) => Some(s),
            _ => None,
        }
    }
    pub fn audit_name(&self) -> String {
        match self {
            Caller::Anonymous => "anonymous".into(),
            Caller::Device(id) => format!("device:{id}"),
            Caller::Staff(s) => s.audit_name(),
        }
    }
}

/// `N` random bytes from the operating system: every secret the server makes (tokens, salts,
/// tracking codes, ntfy topics, the cursor key, form tokens) starts here.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).expect("the OS random source works");
    bytes
}

/// 32 random bytes from the operating system, hex-encoded, with a prefix telling what it is.
pub fn new_token(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random_bytes::<32>()))
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id with the crate's default (OWASP-recommended) parameters, in memory of its own.
pub fn hash_password(password: &str) -> String {
    hash_password_in(&mut Vec::new(), password)
}

/// Checks `password` against a PHC hash string, in memory of its own.
pub fn verify_password(password: &str, hash: &str) -> bool {
    verify_password_in(&mut Vec::new(), password, hash)
}

/// The most Argon2 memory a stored hash may ask for (64 MiB): ours use 19 MiB; a hash asking for
/// more did not come from this server and is refused rather than allowed to take the machine.
const MAX_ARGON2_BLOCKS: u32 = 64 * 1024;

/// Hashes into `memory`, the caller's reusable Argon2 work area (grown to 19 MiB on first use).
/// The PHC string is the one `Argon2::default().hash_password` makes.
fn hash_password_in(memory: &mut Vec<Block>, password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a valid salt");
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    let mut raw_salt = [0u8; Salt::MAX_LENGTH];
    let raw_salt = salt
        .as_salt()
        .decode_b64(&mut raw_salt)
        .expect("a salt we encoded decodes");
    let blocks = work_area(memory, params.block_count());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, blocks)
        .expect("argon2 hashing with default parameters cannot fail");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).expect("default parameters encode"),
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).expect("32 bytes are a valid output")),
    }
    .to_string()
}

/// Verifies with the algorithm, version, parameters and salt written in `hash`, computing into
/// `memory`. False for a malformed hash or one asking for more than [`MAX_ARGON2_BLOCKS`].
fn verify_password_in(memory: &mut Vec<Block>, password: &str, hash: &str) -> bool {
    let mut check = || -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        if params.m_cost() > MAX_ARGON2_BLOCKS {
            return None;
        }
        let expected = parsed.hash?;
        let mut raw_salt = [0u8; Salt::MAX_LENGTH];
        let raw_salt = parsed.salt?.decode_b64(&mut raw_salt).ok()?;
        let mut out = vec![0u8; expected.len()];
        let blocks = work_area(memory, params.block_count());
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(password.as_bytes(), raw_salt, &mut out, blocks)
            .ok()?;
        // `Output`'s equality is constant-time.
        Some(Output::new(&out).ok()? == expected)
    };
    let verified = check().unwrap_or(false);
    // A hash with larger parameters than ours grew the area: give that back.
    if memory.len() > Params::DEFAULT_M_COST as usize {
        memory.truncate(Params::DEFAULT_M_COST as usize);
        memory.shrink_to_fit();
    }
    verified
}

/// The first `count` blocks of `memory`, growing it if needed. Argon2 overwrites every block it
/// uses before reading it, so what an earlier run left there does not matter.
fn work_area(memory: &mut Vec<Block>, count: usize) -> &mut [Block] {
    if memory.len() < count {
        memory.resize(count, Block::default());
    }
    &mut memory[..count]
}

/// Password hashing off the async runtime, on a few threads of its own (one per core), each
/// with one Argon2 work area (19 MiB) allocated once and reused for every run. Not
/// `spawn_blocking`: tokio's blocking pool grows under load and every thread that once hashed
/// kept its 19 MiB in its own malloc arena (200 parallel sign-ins reached 3 GiB); and not a
/// fresh allocation per run: freed 19 MiB blocks fragment glibc's arenas until each holds
/// ~58 MiB (250 MiB at 200 sign-ins; `bench/security`). Never called inside a database
/// transaction.
#[derive(Clone)]
pub struct PasswordWork {
    jobs: std::sync::mpsc::Sender<Job>,
}

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

impl Default for PasswordWork {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordWork {
    /// As many threads as the machine has cores.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..cores {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sepiion-argon2-{i}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        // The lock is held only to take the next job, never while hashing.
                        let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(&mut memory),
                            // Every sender is gone: the server state was dropped.
                            Err(_) => return,
                        }
                    }
                })
                .expect("a password thread starts");
        }
        PasswordWork { jobs }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |memory: &mut Vec<Block>| {
                let _ = tx.send(f(memory));
            }))
            .map_err(ApiError::internal)?;
        rx.await.map_err(ApiError::internal)
    }

    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |memory| hash_password_in(memory, &password))
            .await
    }

    pub async fn verify(&self, password: String, hash: String) -> Result<bool, ApiError> {
        self.run(move |memory| verify_password_in(memory, &password, &hash))
            .await
    }

    /// Spends the time of a real check against a hash made once (on these threads), so that
    /// answering for an unknown username takes as long as for a known one.
    pub async fn verify_dummy(&self, password: String) -> Result<(), ApiError> {
        self.run(move |memory| {
            let dummy =
                DUMMY_HASH.get_or_init(|| hash_password_in(memory, "sepiion-timing-equaliser"));
            verify_password_in(memory, &password, dummy);
        })
        .await
    }
}

/// The hash [`PasswordWork::verify_dummy`] checks against, made on first use.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

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
    sessions::insert_session(
        tx,
        &token_hash(&token),
        user_id,
        now.timestamp(),
        expires.timestamp(),
    )?;
    Ok((token, expires))
}

/// Registers an anonymous device and returns (id, token).
pub fn create_device(tx: &Transaction) -> rusqlite::Result<(String, String)> {
    let id = uuid::Uuid::new_v4().to_string();
    let token = new_token(DEVICE_PREFIX);
    sessions::insert_device(tx, &id, &token_hash(&token), chrono::Utc::now().timestamp())?;
    Ok((id, token))
}

impl From<AccountRow> for Staff {
    fn from(a: AccountRow) -> Staff {
        Staff {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            role: Role::parse(&a.role).unwrap_or(Role::AgendaStaff),
            leader_id: a.leader_id,
        }
    }
}

/// Reads a staff member from a row of `users` (see [`sessions::account_from_row`]).
pub fn staff_from_row(r: &rusqlite::Row) -> rusqlite::Result<Staff> {
    sessions::account_from_row(r).map(Staff::from)
}

/// Staff sessions' `last_used_at` and devices' `last_seen` are written at most this often: a
/// write with its fsync on every request would put each request behind the writer.
pub const TOUCH_EVERY_SECS: i64 = 5 * 60;

/// What authenticating a request leaves to write (usually nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenWrite {
    None,
    /// The session's `last_used_at` is due.
    TouchSession(String),
    /// The device's `last_seen` is due.
    TouchDevice(String),
    /// The session ended: remove it.
    DropSession(String),
}

/// Looks a bearer token up (reads only). A token that matches nothing valid is an error: an
/// expired or idle session (`session_expired`), a deactivated account (`account_deactivated`,
/// which tells the app to wipe that account's data), a revoked device (`device_revoked`). The
/// second part says what is due to be written ([`write_token_use`]).
pub fn lookup_token(
    tx: &Transaction,
    token: &str,
    idle_hours: i64,
) -> rusqlite::Result<(Result<Caller, ApiError>, TokenWrite)> {
    let hash = token_hash(token);
    let now = chrono::Utc::now().timestamp();
    if token.starts_with(STAFF_PREFIX) {
        let Some(session) = sessions::find_session(tx, &hash)? else {
            return Ok((Err(ApiError::session_expired()), TokenWrite::None));
        };
        if !session.active {
            return Ok((Err(ApiError::account_deactivated()), TokenWrite::None));
        }
        let last_used = session.last_used_at;
        if session.expires_at <= now || last_used + idle_hours * 3600 <= now {
            return Ok((
                Err(ApiError::session_expired()),
                TokenWrite::DropSession(hash),
            ));
        }
        let write = if now - last_used >= TOUCH_EVERY_SECS {
            TokenWrite::TouchSession(hash)
        } else {
            TokenWrite::None
        };
        return Ok((Ok(Caller::Staff(session.account.into())), write));
    }
    if token.starts_with(DEVICE_PREFIX) {
        return Ok(match sessions::find_device(tx, &hash)? {
            Some(d) if d.revoked_at.is_none() => {
                let write = if now - d.last_seen >= TOUCH_EVERY_SECS {
                    TokenWrite::TouchDevice(d.id.clone())
                } else {
                    TokenWrite::None
                };
                (Ok(Caller::Device(d.id)), write)
            }
            Some(_) => (Err(ApiError::device_revoked()), TokenWrite::None),
            None => (Err(ApiError::unauthorized()), TokenWrite::None),
        });
    }
    Ok((Err(ApiError::unauthorized()), TokenWrite::None))
}

/// Writes what [`lookup_token`] found due.
pub fn write_token_use(tx: &Transaction, write: &TokenWrite) -> rusqlite::Result<()> {
    let now = chrono::Utc::now().timestamp();
    match write {
        TokenWrite::None => Ok(()),
        TokenWrite::TouchSession(hash) => sessions::touch_session(tx, hash, now),
        TokenWrite::TouchDevice(id) => sessions::touch_device(tx, id, now),
        TokenWrite::DropSession(hash) => sessions::delete_session(tx, hash),
    }
}

/// Resolves a token in one transaction (lookup and its due write), for callers that already
/// write (the portal's browser device).
pub fn resolve_token(
    tx: &Transaction,
    token: &str,
    idle_hours: i64,
) -> rusqlite::Result<Result<Caller, ApiError>> {
    let (caller, write) = lookup_token(tx, token, idle_hours)?;
    write_token_use(tx, &write)?;
    Ok(caller)
}

/// The active account `username` and its password hash, for signing in.
pub fn find_login(tx: &Transaction, username: &str) -> rusqlite::Result<Option<(Staff, String)>> {
    Ok(sessions::find_login(tx, username)?.map(|(a, hash)| (a.into(), hash)))
}

/// Ends the session of `token` (signing out).
pub fn end_session(tx: &Transaction, token: &str) -> rusqlite::Result<()> {
    sessions::delete_session(tx, &token_hash(token))
}

/// Drops sessions that can no longer be used (expired or idle too long).
pub fn purge_sessions(tx: &Transaction, idle_hours: i64) -> rusqlite::Result<usize> {
    let now = chrono::Utc::now().timestamp();
    sessions::purge_sessions(tx, now, now - idle_hours * 3600)
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
    fn hashes_agree_with_the_argon2_crates_own_hasher_and_verifier() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        // Ours, checked by the crate: same PHC string shape and parameters as before.
        let ours = hash_password("kata-sandi-panjang");
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"kata-sandi-panjang", &parsed)
                .is_ok()
        );
        // Byte for byte what the crate makes with the same salt.
        let theirs = Argon2::default()
            .hash_password(b"kata-sandi-panjang", parsed.salt.unwrap())
            .unwrap()
            .to_string();
        assert_eq!(ours, theirs);
        // The crate's, checked by ours, also with other algorithms and parameters (hashes made
        // by older versions or other tools keep working).
        let salt = SaltString::encode_b64(b"garam-enam-belas").unwrap();
        let other = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x10,
            Params::new(4096, 3, 1, Some(24)).unwrap(),
        );
        for hasher in [Argon2::default(), other] {
            let hash = hasher
                .hash_password(b"kata-sandi-panjang", &salt)
                .unwrap()
                .to_string();
            let mut memory = Vec::new();
            assert!(verify_password_in(&mut memory, "kata-sandi-panjang", &hash));
            assert!(!verify_password_in(
                &mut memory,
                "kata-sandi-panjanG",
                &hash
            ));
        }
    }

    #[test]
    fn one_work_area_serves_every_run_and_oversized_hashes_are_refused() {
        let mut memory = Vec::new();
        let hash = hash_password_in(&mut memory, "rahasia-sekali");
        assert_eq!(memory.len(), Params::DEFAULT_M_COST as usize);
        let area = memory.as_ptr();
        for _ in 0..3 {
            assert!(verify_password_in(&mut memory, "rahasia-sekali", &hash));
        }
        assert_eq!(
            memory.as_ptr(),
            area,
            "the same memory is reused, never reallocated"
        );
        // 1 GiB of memory asked for by a planted hash: refused without allocating it.
        let planted = hash.replace("m=19456", "m=1048576");
        assert!(!verify_password_in(&mut memory, "rahasia-sekali", &planted));
        assert_eq!(memory.len(), Params::DEFAULT_M_COST as usize);
    }

    #[test]
    fn tokens_are_unique_and_their_hash_is_sha256() {
        let a = new_token("x_");
        let b = new_token("x_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 2 + 64);
        assert_ne!(token_hash(&a), token_hash(&b));
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[tokio::test]
    async fn password_work_hashes_and_verifies_on_its_own_threads() {
        let work = PasswordWork::new();
        let hash = work.hash("rahasia-sekali".into()).await.unwrap();
        assert!(
            work.verify("rahasia-sekali".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(!work.verify("salah".into(), hash).await.unwrap());
        let name = work
            .run(|_| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("sepiion-argon2-"));
    }
}
