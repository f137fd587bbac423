//! Notifications in the cache: the list (newest first), the unread count for the tab badge, and
//! marking one read. The server sends each caller only their own, and keeps their read state.

use rusqlite::{OptionalExtension, params};
use sepiion_core::notify::AppNotification;
use sepiion_core::sync::{MutationOp, Record};

use super::outbox::enqueue;
use super::{Store, StoreError, StoreResult, local_actor, set_state};

/// A notification and whether it was read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEntry {
    pub notification: AppNotification,
    pub read: bool,
}

impl Store {
    /// Every notification, newest first.
    pub fn notifications(&self) -> StoreResult<Vec<NotificationEntry>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached(
                "SELECT coalesce(r.json, r.server_json), r.state = 'read'
                 FROM records r WHERE r.kind = 'notification'
                 ORDER BY r.starts_at DESC, r.id DESC",
            )?;
            let rows: Vec<(String, bool)> = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            let mut out = Vec::new();
            for (json, read) in rows {
                if let Record::Notification(n) = serde_json::from_str(&json)? {
                    out.push(NotificationEntry {
                        notification: *n,
                        read,
                    });
                }
            }
            Ok(out)
        })
    }

    /// How many are unread (the tab badge).
    pub fn unread_notifications(&self) -> StoreResult<i64> {
        self.read(|tx| {
            Ok(tx.query_row(
                "SELECT COUNT(*) FROM records r
                 WHERE r.kind = 'notification' AND r.state = 'unread'",
                params![],
                |r| r.get(0),
            )?)
        })
    }

    /// Marks one read: shown read at once, and queued in the outbox for the server, which
    /// keeps it for the account's (or device's) other copies and after a reinstall. One already
    /// read, or already queued, queues nothing more.
    pub fn mark_notification_read(&self, id: &str) -> StoreResult<()> {
        self.write(|tx| {
            let state: Option<String> = tx
                .prepare_cached(
                    "SELECT state FROM records WHERE kind = 'notification' AND id = ?1",
                )?
                .query_row(params![id], |r| r.get(0))
                .optional()?;
            match state.as_deref() {
                None => Err(StoreError::NotFound),
                Some("read") => Ok(()),
                Some(_) => {
                    let actor = local_actor(tx)?;
                    let op = MutationOp::MarkNotificationRead { id: id.to_string() };
                    enqueue(tx, &actor, op, None)?;
                    Ok(())
                }
            }
        })
    }

    /// Which notifications the operating-system alerts have already dealt with
    /// ([`crate::os_notify`]), and whether none ever were (a new sign-in or install: the
    /// backlog is old news). Account data (`sync_state`): signing out forgets it with the rest.
    pub fn announced_notifications(
        &self,
    ) -> StoreResult<(bool, std::collections::HashSet<String>)> {
        self.read(|tx| {
            let first_time: bool = tx.query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM sync_state WHERE key = ?1)",
                params![ANNOUNCED_BASELINE],
                |r| r.get(0),
            )?;
            let ids = tx
                .prepare_cached(
                    "SELECT substr(key, length(?1) + 1) FROM sync_state
                     WHERE substr(key, 1, length(?1)) = ?1",
                )?
                .query_map(params![ANNOUNCED_PREFIX], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok((first_time, ids))
        })
    }

    /// Records notifications as dealt with by the operating-system alerts (and that this
    /// account or device has had its first look).
    pub fn settle_notifications(&self, ids: &[String]) -> StoreResult<()> {
        self.write(|tx| {
            set_state(tx, ANNOUNCED_BASELINE, "1")?;
            for id in ids {
                set_state(tx, &format!("{ANNOUNCED_PREFIX}{id}"), "1")?;
            }
            Ok(())
        })
    }
}

/// `sync_state` keys of [`Store::settle_notifications`].
const ANNOUNCED_BASELINE: &str = "announced_baseline";
const ANNOUNCED_PREFIX: &str = "announced_notification:";
