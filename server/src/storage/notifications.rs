//! Notification rows: the notifications synced to their recipients. (The outbox and deliveries
//! are written and read by `domain::notify`.)

use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::notify::Link;

/// A notification as it syncs to its recipient.
pub fn load_notification(
    tx: &Transaction,
    id: &str,
) -> rusqlite::Result<Option<sepiion_core::notify::AppNotification>> {
    use sepiion_core::notify::{AppNotification, NoticeKind, Priority};
    use sepiion_core::validation::Msg;
    tx.prepare_cached(
        "SELECT id, kind, priority, link_type, link_id, title_ind, title_en, body_ind, body_en,
                created_at, read_at, version
         FROM notifications WHERE id = ?1",
    )?
    .query_row(params![id], |r| {
        let kind: String = r.get(1)?;
        let priority: String = r.get(2)?;
        let link_type: String = r.get(3)?;
        let link_id: String = r.get(4)?;
        Ok(AppNotification {
            id: r.get(0)?,
            kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::RequestUpdate),
            priority: Priority::parse(&priority).unwrap_or(Priority::Normal),
            link: match link_type.as_str() {
                "agenda_item" => Link::AgendaItem(link_id),
                "agenda_day" => Link::AgendaDay(link_id),
                _ => Link::Request(link_id),
            },
            title: Msg::new(r.get::<_, String>(5)?, r.get::<_, String>(6)?),
            body: Msg::new(r.get::<_, String>(7)?, r.get::<_, String>(8)?),
            created_at: super::rows::ts(r.get(9)?),
            read_at: r.get::<_, Option<i64>>(10)?.map(super::rows::ts),
            version: r.get(11)?,
        })
    })
    .optional()
}

/// Who notification `id` is addressed to: (staff user, public device), `None` if there is none.
pub fn notification_owner(
    tx: &Transaction,
    id: &str,
) -> rusqlite::Result<Option<(Option<i64>, Option<String>)>> {
    tx.prepare_cached("SELECT user_id, device_id FROM notifications WHERE id = ?1")?
        .query_row(params![id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}
