//! Throttling kept in memory, with bounded memory whatever the number of clients: request rate
//! limits per client key ([`RateLimiter`]) and failed-login bookkeeping ([`LoginGuard`]).
//!
//! Both reset when the server restarts, which is fine for throttling. Both hold at most a
//! configured number of keys (`limits.tracked_clients`): a flood of distinct client addresses
//! cannot grow them without bound.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::ApiError;

const SHARDS: usize = 16;

/// Milliseconds since the structure was made: small, monotonic, cheap to store.
type Millis = u64;

/// A map of at most `capacity` keys, split into shards so that unrelated keys do not wait for
/// one lock. When a shard is full, entries that no longer matter (`V::expired`) are dropped
/// first; what happens when none has expired is the caller's choice (see [`Full`]).
struct BoundedMap<V> {
    shards: Vec<Mutex<Shard<V>>>,
    per_shard: usize,
    hasher: RandomState,
}

struct Shard<V> {
    map: HashMap<Box<str>, V>,
    /// When expired entries were last dropped: a full shard is swept at most once a second, so a
    /// flood of new keys costs no more than a lookup each.
    swept_at: Option<Millis>,
}

const SWEEP_EVERY: Millis = 1000;

trait Expiring {
    /// Whether the entry carries no information any more at `now` (forgetting it changes
    /// nothing).
    fn expired(&self, now: Millis) -> bool;
}

/// What to do with a new key when its shard is full of live entries.
#[derive(Clone, Copy)]
enum Full {
    /// Refuse to track it (the caller then applies a shared, stricter budget).
    Refuse,
    /// Forget some live entry to make room.
    Evict,
}

impl<V: Expiring + Default> BoundedMap<V> {
    fn new(capacity: usize) -> Self {
        BoundedMap {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        map: HashMap::new(),
                        swept_at: None,
                    })
                })
                .collect(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> &Mutex<Shard<V>> {
        &self.shards[(self.hasher.hash_one(key) as usize) % SHARDS]
    }

    /// Runs `f` on the entry of `key` (created when missing); `None` when the key cannot be
    /// tracked (`Full::Refuse` on a full shard).
    fn with<T>(
        &self,
        key: &str,
        now: Millis,
        full: Full,
        f: impl FnOnce(&mut V) -> T,
    ) -> Option<T> {
        let shard = self.shard(key);
        let mut guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        let Shard { map, swept_at } = &mut *guard;
        if !map.contains_key(key) && map.len() >= self.per_shard {
            if swept_at.is_none_or(|t| now >= t + SWEEP_EVERY) {
                map.retain(|_, v| !v.expired(now));
                *swept_at = Some(now);
            }
            if map.len() >= self.per_shard {
                match full {
                    Full::Refuse => return None,
                    Full::Evict => {
                        let victim = map.keys().next().cloned();
                        if let Some(victim) = victim {
                            map.remove(&victim);
                        }
                    }
                }
            }
        }
        Some(f(map.entry(key.into()).or_default()))
    }

    fn get<T>(&self, key: &str, f: impl FnOnce(&V) -> T) -> Option<T> {
        let shard = self.shard(key);
        let guard = shard.lock().unwrap_or_else(|p| p.into_inner());
        guard.map.get(key).map(f)
    }

    fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).map.len())
            .sum()
    }
}

/// The state of one key of a rate limit: the "theoretical arrival time" of the generic cell rate
/// algorithm. A key may spend `max` requests at once, then one more every `window / max`.
#[derive(Default)]
struct Cell {
    tat: Millis,
}

impl Expiring for Cell {
    fn expired(&self, now: Millis) -> bool {
        self.tat <= now
    }
}

impl Cell {
    /// Counts one request if the budget allows; otherwise the milliseconds to wait.
    fn take(&mut self, now: Millis, max: u32, window: Duration) -> Result<(), Millis> {
        let window = window.as_millis() as Millis;
        let interval = (window / Millis::from(max.max(1))).max(1);
        let tat = self.tat.max(now) + interval;
        if tat > now + window {
            return Err(tat - now - window);
        }
        self.tat = tat;
        Ok(())
    }
}

/// Request rate limits per client key ("registrations from this address", "look-ups of tracking
/// codes"), with bounded memory: once `capacity` keys are live, new keys share one budget per
/// kind of limit — stricter for everybody during a flood, never unlimited.
pub struct RateLimiter {
    keys: BoundedMap<Cell>,
    overflow: Mutex<HashMap<&'static str, Cell>>,
    start: Instant,
}

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter::new(100_000)
    }
}

impl RateLimiter {
    pub fn new(capacity: usize) -> Self {
        RateLimiter {
            keys: BoundedMap::new(capacity),
            overflow: Mutex::new(HashMap::new()),
            start: Instant::now(),
        }
    }

    fn now(&self) -> Millis {
        self.start.elapsed().as_millis() as Millis
    }

    /// Counts a request of `kind` from `key`, or refuses it (429 with the seconds to wait) when
    /// more than `max` came within `window`.
    pub fn take(
        &self,
        kind: &'static str,
        key: &str,
        max: u32,
        window: Duration,
    ) -> Result<(), ApiError> {
        self.take_at(self.now(), kind, key, max, window)
            .map_err(|wait_ms| ApiError::too_many(wait_ms.div_ceil(1000).max(1)))
    }

    fn take_at(
        &self,
        now: Millis,
        kind: &'static str,
        key: &str,
        max: u32,
        window: Duration,
    ) -> Result<(), Millis> {
        let full_key = format!("{kind}\u{0}{key}");
        match self
            .keys
            .with(&full_key, now, Full::Refuse, |c| c.take(now, max, window))
        {
            Some(r) => r,
            None => {
                let mut o = self.overflow.lock().unwrap_or_else(|p| p.into_inner());
                o.entry(kind).or_default().take(now, max, window)
            }
        }
    }

    /// Keys currently tracked.
    pub fn tracked(&self) -> usize {
        self.keys.len()
    }
}

/// Failed sign-ins of one account from one client.
#[derive(Default)]
struct PairState {
    /// Attempts counted in the current window (counted before the password is checked).
    attempts: u32,
    window_start: Millis,
    locked_until: Millis,
    /// Lock-outs so far; each one lasts twice as long as the one before.
    lockouts: u32,
    last_lockout: Millis,
}

const LOCKOUT_MEMORY: Millis = 24 * 3600 * 1000;

impl Expiring for PairState {
    fn expired(&self, now: Millis) -> bool {
        self.locked_until <= now
            && now.saturating_sub(self.window_start) >= LOGIN_WINDOW_MS
            && now.saturating_sub(self.last_lockout) >= LOCKOUT_MEMORY
    }
}

/// Failed sign-ins of one account from anywhere.
#[derive(Default)]
struct AccountState {
    failures: u32,
    window_start: Millis,
}

impl Expiring for AccountState {
    fn expired(&self, now: Millis) -> bool {
        now.saturating_sub(self.window_start) >= LOGIN_WINDOW_MS
    }
}

/// Clients that signed in to an account successfully: they skip the account's slow-down.
#[derive(Default)]
struct KnownClient {
    at: Millis,
}

const KNOWN_CLIENT_MEMORY: Millis = 30 * 24 * 3600 * 1000;

impl Expiring for KnownClient {
    fn expired(&self, now: Millis) -> bool {
        now.saturating_sub(self.at) >= KNOWN_CLIENT_MEMORY
    }
}

const LOGIN_WINDOW_MS: Millis = 15 * 60 * 1000;
/// The first lock-out of an (account, client) pair; each next one doubles, up to the cap.
const FIRST_LOCKOUT_MS: Millis = 60 * 1000;
const MAX_LOCKOUT_MS: Millis = 3600 * 1000;
/// Longest pause added to one attempt on an account under attack.
const MAX_ACCOUNT_DELAY_MS: Millis = 5_000;

/// What a sign-in attempt must do before its password is checked.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginGate {
    /// Check the password after waiting this long (zero: at once).
    Proceed(Duration),
    /// Refuse with 429; the client may retry after this many seconds.
    Refuse(u64),
}

/// Throttles password guessing without letting anyone lock an account out:
/// - every attempt is counted per (account, client) *before* the password is checked, so
///   parallel guesses stop at the limit; past it that pair is locked for a time that doubles
///   with each lock-out;
/// - failures on an account from anywhere slow each further attempt on it (a pause that grows
///   with the failures, capped at a few seconds), which never becomes a lock-out; clients that
///   signed in to the account before skip the pause, so the owner gets in at once.
pub struct LoginGuard {
    pairs: BoundedMap<PairState>,
    accounts: BoundedMap<AccountState>,
    known: BoundedMap<KnownClient>,
    start: Instant,
}

impl LoginGuard {
    pub fn new(capacity: usize) -> Self {
        LoginGuard {
            pairs: BoundedMap::new(capacity),
            accounts: BoundedMap::new(capacity),
            known: BoundedMap::new(capacity),
            start: Instant::now(),
        }
    }

    fn now(&self) -> Millis {
        self.start.elapsed().as_millis() as Millis
    }

    fn pair_key(account: &str, client: &str) -> String {
        format!("{account}\u{0}{client}")
    }

    /// Counts an attempt on `account` from `client` and says whether (and when) its password may
    /// be checked. `max` is the configured number of failures per window.
    pub fn begin(&self, account: &str, client: &str, max: u32) -> LoginGate {
        self.begin_at(self.now(), account, client, max)
    }

    fn begin_at(&self, now: Millis, account: &str, client: &str, max: u32) -> LoginGate {
        let pair = Self::pair_key(account, client);
        // A full table forgets some other pair rather than refusing this one: a flood must not
        // stop people signing in.
        let gate = self
            .pairs
            .with(&pair, now, Full::Evict, |p| {
                if p.locked_until > now {
                    return Err(p.locked_until - now);
                }
                if now.saturating_sub(p.window_start) >= LOGIN_WINDOW_MS {
                    p.window_start = now;
                    p.attempts = 0;
                }
                if now.saturating_sub(p.last_lockout) >= LOCKOUT_MEMORY {
                    p.lockouts = 0;
                }
                if p.attempts >= max {
                    let lock = (FIRST_LOCKOUT_MS << p.lockouts.min(16)).min(MAX_LOCKOUT_MS);
                    p.lockouts += 1;
                    p.last_lockout = now;
                    p.locked_until = now + lock;
                    p.attempts = 0;
                    p.window_start = now;
                    return Err(lock);
                }
                p.attempts += 1;
                Ok(())
            })
            .unwrap_or(Ok(()));
        if let Err(wait) = gate {
            return LoginGate::Refuse(wait.div_ceil(1000).max(1));
        }
        let known = self.known.get(&pair, |k| !k.expired(now)).unwrap_or(false);
        if known {
            return LoginGate::Proceed(Duration::ZERO);
        }
        let pause = self
            .accounts
            .get(account, |a| {
                if now.saturating_sub(a.window_start) >= LOGIN_WINDOW_MS || a.failures < max {
                    0
                } else {
                    // One more second for every `max` failures, capped: slow, never locked.
                    (Millis::from(a.failures / max.max(1)) * 1000).min(MAX_ACCOUNT_DELAY_MS)
                }
            })
            .unwrap_or(0);
        LoginGate::Proceed(Duration::from_millis(pause))
    }

    /// The password was right: the pair starts afresh and the client becomes known.
    pub fn succeeded(&self, account: &str, client: &str) {
        let now = self.now();
        let pair = Self::pair_key(account, client);
        self.pairs.with(&pair, now, Full::Evict, |p| {
            p.attempts = 0;
        });
        self.known.with(&pair, now, Full::Evict, |k| k.at = now);
    }

    /// The password was wrong: the account's failures grow (the pair's attempt was counted in
    /// [`LoginGuard::begin`]).
    pub fn failed(&self, account: &str) {
        let now = self.now();
        self.accounts.with(account, now, Full::Evict, |a| {
            if now.saturating_sub(a.window_start) >= LOGIN_WINDOW_MS {
                a.window_start = now;
                a.failures = 0;
            }
            a.failures += 1;
        });
    }

    /// Entries currently held (all tables).
    pub fn tracked(&self) -> usize {
        self.pairs.len() + self.accounts.len() + self.known.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn a_key_gets_max_requests_then_waits_for_the_budget_to_refill() {
        let l = RateLimiter::new(1000);
        for _ in 0..3 {
            assert!(l.take_at(0, "k", "a", 3, HOUR).is_ok());
        }
        let wait = l.take_at(0, "k", "a", 3, HOUR).unwrap_err();
        assert_eq!(wait, 20 * 60 * 1000, "one request back after window / max");
        assert!(
            l.take_at(0, "k", "b", 3, HOUR).is_ok(),
            "other keys unaffected"
        );
        assert!(
            l.take_at(0, "other", "a", 3, HOUR).is_ok(),
            "other kinds unaffected"
        );
        assert!(l.take_at(20 * 60 * 1000, "k", "a", 3, HOUR).is_ok());
        assert!(l.take_at(20 * 60 * 1000, "k", "a", 3, HOUR).is_err());
    }

    #[test]
    fn a_million_distinct_keys_stay_within_capacity_and_share_a_strict_budget() {
        let l = RateLimiter::new(10_000);
        let mut refused = 0;
        for i in 0..1_000_000u32 {
            if l.take_at(0, "k", &format!("client-{i}"), 5, HOUR).is_err() {
                refused += 1;
            }
        }
        assert!(l.tracked() <= 10_000 + SHARDS, "{}", l.tracked());
        // Keys beyond the table share one budget of 5: nearly all of them are refused.
        assert!(refused > 900_000, "{refused}");
        // Once entries have recovered they are dropped to make room for new keys.
        assert!(l.take_at(2 * 3_600_000, "k", "late", 5, HOUR).is_ok());
    }

    #[test]
    fn parallel_guesses_from_one_client_stop_at_the_limit_and_lockouts_grow() {
        let g = LoginGuard::new(1000);
        let proceed = (0..40)
            .filter(|_| matches!(g.begin_at(0, "admin", "a", 5), LoginGate::Proceed(_)))
            .count();
        assert_eq!(proceed, 5);
        let LoginGate::Refuse(first) = g.begin_at(0, "admin", "a", 5) else {
            panic!("locked")
        };
        assert!(first <= 60, "{first}");
        // After the first lock, five more tries, then a lock twice as long.
        let t = 61_000;
        for _ in 0..5 {
            assert!(matches!(
                g.begin_at(t, "admin", "a", 5),
                LoginGate::Proceed(_)
            ));
        }
        assert_eq!(g.begin_at(t, "admin", "a", 5), LoginGate::Refuse(120));
    }

    #[test]
    fn another_client_is_not_locked_out_and_a_known_client_skips_the_slowdown() {
        let g = LoginGuard::new(1000);
        g.succeeded("admin", "owner");
        // An attacker from many addresses fails 50 times.
        for i in 0..50 {
            let _ = g.begin_at(0, "admin", &format!("bot-{i}"), 5);
            g.failed("admin");
        }
        // The owner's address: no lock, no wait.
        assert_eq!(
            g.begin_at(0, "admin", "owner", 5),
            LoginGate::Proceed(Duration::ZERO)
        );
        // A new address is slowed but not locked out.
        match g.begin_at(0, "admin", "new", 5) {
            LoginGate::Proceed(d) => assert!(d > Duration::ZERO && d <= Duration::from_secs(5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn login_tables_stay_bounded() {
        let g = LoginGuard::new(1_000);
        for i in 0..100_000 {
            let _ = g.begin_at(0, &format!("user{i}"), &format!("c{i}"), 5);
            g.failed(&format!("user{i}"));
        }
        assert!(g.tracked() <= 3 * (1_000 + SHARDS), "{}", g.tracked());
    }
}
