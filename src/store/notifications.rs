//! Notifications in the cache: the list (newest first), the unread count for the tab badge, and
//! marking one read on this device. The server sends each caller only their own.

use rusqlite::params;
use sepiion_core::notify::AppNotification;
use sepiion_core::sync::Record;

use super::{Store, StoreResult, set_state};

/// A notification and whether it was read here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationEntry {
    pub notification: AppNotification,
    pub read: bool,
}

/// Read marks are account data (`sync_state`), so signing out forgets them with the rest.
fn read_key(id: &str) -> String {
    format!("read_notification:{id}")
}

impl Store {
    /// Every notification, newest first.
    pub fn notifications(&self) -> StoreResult<Vec<NotificationEntry>> {
        self.read(|tx| {
            let mut st = tx.prepare_cached(
                "SELECT r.json, r.state = 'read' OR EXISTS (
                     SELECT 1 FROM sync_state s WHERE s.key = 'read_notification:' || r.id)
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
                "SELECT COUNT(*) FROM records r WHERE r.kind = 'notification'
                   AND r.state = 'unread' AND NOT EXISTS (
                     SELECT 1 FROM sync_state s WHERE s.key = 'read_notification:' || r.id)",
                params![],
                |r| r.get(0),
            )?)
        })
    }

    /// Marks one read on this device.
    pub fn mark_notification_read(&self, id: &str) -> StoreResult<()> {
        self.write(|tx| set_state(tx, &read_key(id), "1"))
    }
}
