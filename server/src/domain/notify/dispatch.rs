//! The dispatcher: a tokio task that expands the outbox and delivers due deliveries, each on its
//! own (one bad address never holds up another), paced per channel, retried with exponential
//! backoff up to a maximum of attempts, then marked failed with the error for admin to see.
//! Everything it needs is in the database, so a restart resumes where it stopped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lettre::{AsyncSmtpTransport, Tokio1Executor};
use rusqlite::{Transaction, params};
use sepiion_core::notify::Channel;
use sepiion_core::validation::{Lang, Msg};
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::channels::{self, Outgoing, SendError};
use crate::config::NotifyConfig;
use crate::domain::context::Ctx;
use crate::error::ApiResult;
use crate::storage::Db;

/// Deliveries of one channel in flight at once.
const PER_CHANNEL_CONCURRENCY: usize = 8;

/// The key a delivery is sent under: stable across retries and restarts; a resend by admin
/// (a new generation) gets a new one.
pub fn idempotency_key(notification_id: &str, channel: &str, generation: i64) -> String {
    if generation == 0 {
        format!("sepiion-{notification_id}-{channel}")
    } else {
        format!("sepiion-{notification_id}-{channel}-r{generation}")
    }
}

/// The wait before retry number `attempts` (1 = after the first failure).
pub fn backoff_ms(cfg: &NotifyConfig, attempts: u32) -> u64 {
    let factor = 1u64 << attempts.saturating_sub(1).min(30);
    cfg.backoff_base_ms
        .saturating_mul(factor)
        .min(cfg.backoff_max_ms)
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A delivery that is due.
#[derive(Debug, Clone)]
struct Due {
    id: i64,
    channel: Channel,
    /// Every attempt so far (the delivery log's count).
    attempts: u32,
    /// The attempts since the latest resend: the retry limit and backoff count these.
    round_attempts: u32,
    out: Outgoing,
}

/// Finds the due deliveries and claims them in the same transaction: a claimed delivery is not
/// due again until its outcome is recorded (which frees it), so no two rounds send it.
fn claim_due(tx: &Transaction, limit: i64) -> rusqlite::Result<Vec<Due>> {
    let now = now_ms();
    // A requester's notification goes out in the language they wrote in; staff read Indonesian.
    // A delivery's own text (to an unconfirmed address) replaces its notification's.
    let mut st = tx.prepare_cached(
        "SELECT d.id, d.channel, d.address, d.attempts, d.generation, n.id, n.priority,
                COALESCE(d.title_ind, n.title_ind), COALESCE(d.body_ind, n.body_ind),
                COALESCE(d.title_en, n.title_en), COALESCE(d.body_en, n.body_en),
                CASE WHEN n.user_id IS NULL THEN COALESCE(r.language, 'id') ELSE 'id' END,
                d.attempts - d.attempts_before_resend
         FROM deliveries d JOIN notifications n ON n.id = d.notification_id
              LEFT JOIN requests r ON r.id = n.request_id
         WHERE d.status = 'pending' AND d.next_attempt_ms <= ?1 AND d.claimed_at_ms IS NULL
         ORDER BY d.next_attempt_ms, d.id LIMIT ?2",
    )?;
    let rows = st.query_map(params![now, limit], |r| {
        let channel: String = r.get(1)?;
        let nid: String = r.get(5)?;
        let generation: i64 = r.get(4)?;
        let priority: String = r.get(6)?;
        Ok((
            channel.clone(),
            Due {
                id: r.get(0)?,
                channel: Channel::parse(&channel).unwrap_or(Channel::App),
                attempts: r.get::<_, i64>(3)?.max(0) as u32,
                round_attempts: r.get::<_, i64>(12)?.max(0) as u32,
                out: Outgoing {
                    key: idempotency_key(&nid, &channel, generation),
                    high_priority: priority == "high",
                    title: Msg::new(r.get::<_, String>(7)?, r.get::<_, String>(9)?),
                    body: Msg::new(r.get::<_, String>(8)?, r.get::<_, String>(10)?),
                    lang: if r.get::<_, String>(11)? == "en" {
                        Lang::En
                    } else {
                        Lang::Id
                    },
                    address: r.get(2)?,
                },
            },
        ))
    })?;
    let list: Vec<Due> = rows
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    let mut claim = tx.prepare_cached(
        "UPDATE deliveries SET claimed_at_ms = ?2 WHERE id = ?1 AND claimed_at_ms IS NULL",
    )?;
    for d in &list {
        claim.execute(params![d.id, now])?;
    }
    Ok(list)
}

/// Frees every claim: called when the dispatcher starts, since no send is in flight then (a
/// delivery claimed by a process that crashed is sent again, under the same key).
fn free_claims(tx: &Transaction) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE deliveries SET claimed_at_ms = NULL WHERE claimed_at_ms IS NOT NULL",
        [],
    )
}

/// Records the outcome of one attempt.
fn record(
    tx: &Transaction,
    cfg: &NotifyConfig,
    d: &Due,
    result: &Result<(), SendError>,
) -> rusqlite::Result<()> {
    let attempts = d.attempts + 1;
    let round_attempts = d.round_attempts + 1;
    match result {
        // `last_error` stays: the log shows the error a delivery got over before it went out.
        Ok(()) => {
            tx.execute(
                "UPDATE deliveries SET status = 'sent', attempts = ?2, sent_at = ?3,
                     claimed_at_ms = NULL
                 WHERE id = ?1 AND status = 'pending'",
                params![d.id, attempts, now_ms() / 1000],
            )?;
        }
        Err(e) if e.permanent || round_attempts >= cfg.max_attempts => {
            tracing::warn!(delivery = d.id, channel = d.channel.as_str(), error = %e.message,
                "delivery failed for good");
            tx.execute(
                "UPDATE deliveries SET status = 'failed', attempts = ?2, last_error = ?3,
                     claimed_at_ms = NULL
                 WHERE id = ?1 AND status = 'pending'",
                params![d.id, attempts, e.message],
            )?;
        }
        Err(e) => {
            let wait_ms = backoff_ms(cfg, round_attempts);
            tracing::info!(delivery = d.id, channel = d.channel.as_str(), attempts,
                retry_in_s = wait_ms / 1000, error = %e.message, "delivery failed, will retry");
            tx.execute(
                "UPDATE deliveries SET attempts = ?2, last_error = ?3, next_attempt_ms = ?4,
                     claimed_at_ms = NULL
                 WHERE id = ?1 AND status = 'pending'",
                params![d.id, attempts, e.message, now_ms() + wait_ms as i64],
            )?;
        }
    }
    Ok(())
}

/// Spaces the sends of one channel to its rate.
struct Pace {
    step: Duration,
    next: tokio::sync::Mutex<Instant>,
}

impl Pace {
    fn new(per_second: u32) -> Pace {
        Pace {
            step: Duration::from_secs(1) / per_second.max(1),
            next: tokio::sync::Mutex::new(Instant::now()),
        }
    }
    async fn wait(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(Instant::now());
            *next = at + self.step;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

struct Lane {
    pace: Pace,
    slots: Semaphore,
}

/// What the dispatcher shares with its delivery tasks.
struct Shared {
    db: Db,
    cfg: NotifyConfig,
    http: reqwest::Client,
    mailer: Option<AsyncSmtpTransport<Tokio1Executor>>,
    lanes: HashMap<Channel, Lane>,
}

async fn send(s: &Shared, d: &Due) -> Result<(), SendError> {
    let unconfigured = || SendError {
        permanent: true,
        message: format!("channel {} is not configured", d.channel.as_str()),
    };
    match d.channel {
        Channel::Ntfy => match &s.cfg.ntfy {
            Some(c) => channels::send_ntfy(&s.http, c, &d.out).await,
            None => Err(unconfigured()),
        },
        Channel::Whatsapp => match &s.cfg.whatsapp {
            Some(c) => channels::send_whatsapp(&s.http, c, &d.out).await,
            None => Err(unconfigured()),
        },
        Channel::Email => match (&s.mailer, &s.cfg.smtp) {
            (Some(m), Some(c)) => channels::send_email(m, c, &d.out).await,
            _ => Err(unconfigured()),
        },
        Channel::App => Err(unconfigured()),
    }
}

async fn deliver(s: Arc<Shared>, d: Due) {
    let result = match s.lanes.get(&d.channel) {
        Some(lane) => {
            let _slot = lane.slots.acquire().await;
            lane.pace.wait().await;
            let limit = Duration::from_millis(s.cfg.timeout_ms);
            match tokio::time::timeout(limit, send(&s, &d)).await {
                Ok(r) => r,
                Err(_) => Err(SendError {
                    permanent: false,
                    message: format!("no answer within {} ms", s.cfg.timeout_ms),
                }),
            }
        }
        None => Err(SendError {
            permanent: true,
            message: format!("channel {} is not configured", d.channel.as_str()),
        }),
    };
    let cfg = s.cfg.clone();
    let d2 = d.clone();
    if let Err(e) =
        s.db.write(move |tx| Ok(record(tx, &cfg, &d2, &result)?))
            .await
    {
        // Left pending and claimed: it is sent again (same key) after the next start.
        tracing::error!(delivery = d.id, error = ?e, "could not record a delivery");
    }
    super::WAKE.notify_one();
}

/// A running dispatcher; stops when dropped or stopped.
pub struct Dispatcher {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl Dispatcher {
    /// Starts the dispatcher on the current runtime.
    pub fn start(db: Db, ctx: Arc<Ctx>) -> anyhow::Result<Dispatcher> {
        let cfg = ctx.notify.clone();
        let mailer = match &cfg.smtp {
            Some(c) => Some(channels::smtp_transport(
                c,
                Duration::from_millis(cfg.timeout_ms),
            )?),
            None => None,
        };
        let mut lanes = HashMap::new();
        let rates = [
            (Channel::Ntfy, cfg.ntfy.as_ref().map(|c| c.rate_per_second)),
            (
                Channel::Whatsapp,
                cfg.whatsapp.as_ref().map(|c| c.rate_per_second),
            ),
            (Channel::Email, cfg.smtp.as_ref().map(|c| c.rate_per_second)),
        ];
        for (channel, rate) in rates {
            if let Some(rate) = rate {
                lanes.insert(
                    channel,
                    Lane {
                        pace: Pace::new(rate),
                        slots: Semaphore::new(PER_CHANNEL_CONCURRENCY),
                    },
                );
            }
        }
        let shared = Arc::new(Shared {
            db,
            http: channels::http_client(&cfg),
            cfg,
            mailer,
            lanes,
        });
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let poll = Duration::from_millis(shared.cfg.poll_ms.max(10));
            if let Err(e) = shared.db.write(|tx| Ok(free_claims(tx)?)).await {
                tracing::error!(error = ?e, "could not free the deliveries claimed before");
            }
            loop {
                if let Err(e) = round(&shared, &ctx).await {
                    tracing::error!(error = ?e, "dispatcher round failed");
                }
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = super::WAKE.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        });
        Ok(Dispatcher {
            stop: Some(stop),
            task,
        })
    }

    /// Stops taking new deliveries (those in flight finish on their own).
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// One round: expand new events, claim the due deliveries and start each (a claimed delivery
/// belongs to this round alone until its outcome is recorded).
async fn round(shared: &Arc<Shared>, ctx: &Arc<Ctx>) -> ApiResult<()> {
    let ctx2 = ctx.clone();
    let list = shared
        .db
        .write(move |tx| {
            super::expand_pending(tx, &ctx2, now_ms())?;
            Ok(claim_due(tx, 500)?)
        })
        .await?;
    for d in list {
        tokio::spawn(deliver(shared.clone(), d));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_ceiling() {
        let cfg = NotifyConfig {
            backoff_base_ms: 100,
            backoff_max_ms: 1_000,
            ..NotifyConfig::default()
        };
        let waits: Vec<u64> = (1..=6).map(|a| backoff_ms(&cfg, a)).collect();
        assert_eq!(waits, vec![100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(backoff_ms(&cfg, 200), 1_000, "no overflow");
    }

    #[test]
    fn keys_are_stable_and_a_resend_gets_a_new_one() {
        assert_eq!(idempotency_key("7-u2", "email", 0), "sepiion-7-u2-email");
        assert_eq!(
            idempotency_key("7-u2", "email", 0),
            idempotency_key("7-u2", "email", 0)
        );
        assert_eq!(idempotency_key("7-u2", "email", 1), "sepiion-7-u2-email-r1");
    }
}
