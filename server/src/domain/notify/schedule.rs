//! The scheduler: reminders (and escalation to admin) for requests that wait too long, and the
//! daily digest of tomorrow's agenda at the configured local time (it also forgets the
//! per-destination message counts of past days). Each is written to the outbox
//! once (remembered in `notify_schedule`); the clock is injected so tests can move time.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Transaction, params};
use sepiion_core::RequestState;
use sepiion_core::notify::{DigestLine, Event};
use sepiion_core::time::{local_date, local_days_range};

use super::{record, subject_of};
use crate::domain::context::Ctx;
use crate::storage::Db;
use crate::storage::rows::{load_agenda_range, load_leaders, load_request};

/// Where the scheduler gets the time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Marks `key` done; false if it already was.
fn first_time(tx: &Transaction, key: &str, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    Ok(tx.execute(
        "INSERT OR IGNORE INTO notify_schedule (key, sent_at) VALUES (?1, ?2)",
        params![key, now.timestamp()],
    )? > 0)
}

/// Writes the reminders and digests due at `now`; returns how many events.
pub fn run_once(tx: &Transaction, ctx: &Ctx, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    let mut written = 0;
    super::contacts::forget_old_days(tx, ctx, now)?;
    let cfg = &ctx.notify;
    let waiting: Vec<(String, String, i64)> = {
        let mut st = tx.prepare_cached(
            "SELECT id, state, updated_at FROM requests
             WHERE state IN ('submitted', 'in_review', 'awaiting_leader') ORDER BY id",
        )?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    for (id, state, updated_at) in waiting {
        let Some(state) = RequestState::parse(&state) else {
            continue;
        };
        let limit = if state == RequestState::AwaitingLeader {
            cfg.leader_reminder_hours
        } else {
            cfg.review_reminder_hours
        };
        let idle_hours = (now.timestamp() - updated_at) / 3600;
        if limit <= 0 || idle_hours < limit {
            continue;
        }
        let escalated = idle_hours >= 2 * limit;
        // One reminder per quiet spell and level: a request that moves starts a new spell.
        let key = format!(
            "reminder:{id}:{}:{updated_at}:{}",
            state.as_str(),
            u8::from(escalated)
        );
        if !first_time(tx, &key, now)? {
            continue;
        }
        let Some(r) = load_request(tx, &id)? else {
            continue;
        };
        record(
            tx,
            &Event::Reminder {
                request: subject_of(&r),
                state,
                idle_hours,
                escalated,
            },
            Some(&id),
            None,
        )?;
        written += 1;
    }

    if let Some(at) = cfg.digest_at() {
        let local = now.with_timezone(&ctx.tz);
        if local.time() >= at {
            let tomorrow = local_date(now, ctx.tz).succ_opt().expect("tomorrow exists");
            let (from, to) = local_days_range(tomorrow, tomorrow, ctx.tz);
            for leader in load_leaders(tx)? {
                let key = format!("digest:{}:{tomorrow}", leader.id);
                if !first_time(tx, &key, now)? {
                    continue;
                }
                let lines = load_agenda_range(tx, Some(&leader.id), from, to)?
                    .into_iter()
                    .filter(|i| i.status != sepiion_core::AgendaStatus::Cancelled)
                    .map(|i| DigestLine {
                        starts_at: i.starts_at,
                        ends_at: i.ends_at,
                        tentative: i.status == sepiion_core::AgendaStatus::Tentative,
                        title: i.title,
                        location: i.location,
                    })
                    .collect();
                record(
                    tx,
                    &Event::DailyDigest {
                        leader_id: leader.id.clone(),
                        leader_title: leader.title.clone(),
                        date: tomorrow,
                        lines,
                    },
                    None,
                    None,
                )?;
                written += 1;
            }
        }
    }
    Ok(written)
}

/// Runs the scheduler every `every` until the returned handle is aborted.
pub fn spawn(
    db: Db,
    ctx: Arc<Ctx>,
    clock: Arc<dyn Clock>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = clock.now();
            let ctx2 = ctx.clone();
            if let Err(e) = db.write(move |tx| Ok(run_once(tx, &ctx2, now)?)).await {
                tracing::error!(error = ?e, "notification scheduler failed");
            }
            tokio::time::sleep(every).await;
        }
    })
}
