//! Notifications on the server: the outbox written in each event's transaction, its expansion
//! into per-recipient notifications and deliveries (rules from `sepiion_core::notify`), the
//! dispatcher that delivers them ([`dispatch`]), the channels ([`channels`]) and the scheduler of
//! reminders and daily digests ([`schedule`]).
//!
//! **Guarantee: at-least-once with a stable idempotency key.** An event and its outbox row commit
//! together, so a crash after the commit loses nothing: the dispatcher expands and delivers on the
//! next start. A delivery is marked sent only after the channel accepted it; a crash between the
//! two sends it again, with the same key — `Idempotency-Key` (HTTP: ntfy and the WhatsApp gateway)
//! or `Message-ID`/`X-Sepiion-Idempotency-Key` (e-mail) = `sepiion-<notification>-<channel>` — so
//! a receiver that honours the key shows it once.

pub mod channels;
pub mod contacts;
pub mod deliveries;
pub mod dispatch;
pub mod schedule;
pub mod settings;

use chrono::{Duration, TimeZone, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::RequestState;
use sepiion_core::model::{AgendaItem, Note, Request};
use sepiion_core::notify::{
    AgendaBefore, AgendaChange, AgendaSubject, Channel, Event, Link, Notice, NotifyContext,
    Recipient, RequestSubject, mentions, notices, unconfirmed_contact_message,
    within_notice_window,
};
use sepiion_core::validation::Msg;
use sepiion_core::workflow::{Action, Actor};

use self::contacts::Admission;
use crate::domain::caller::{Caller, Staff};
use crate::domain::context::Ctx;
use crate::domain::visibility::{notification_is_for, staff_sees_item, staff_sees_request};
use crate::storage::changes::log_change;
use crate::storage::notifications::load_notification;
use crate::storage::rows::{load_agenda_item, load_agenda_range, load_request};

/// Wakes the dispatcher after an event was written (it also polls, so a wake-up lost to a
/// not-yet-committed transaction only delays, never loses, a delivery).
pub static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// The facts of a request that notices use.
pub fn subject_of(r: &Request) -> RequestSubject {
    RequestSubject::of(r)
}

fn agenda_subject(item: &AgendaItem) -> AgendaSubject {
    AgendaSubject {
        id: item.id.clone(),
        leader_id: item.leader_id.clone(),
        title: item.title.clone(),
        starts_at: item.starts_at,
        ends_at: item.ends_at,
        location: item.location.clone(),
        status: item.status,
        visibility: item.visibility,
        assigned_staff: item
            .internal
            .as_ref()
            .map(|i| i.assigned_staff.iter().map(|s| s.name.clone()).collect())
            .unwrap_or_default(),
    }
}

/// Writes an event to the outbox (inside the caller's transaction).
pub fn record(
    tx: &Transaction,
    event: &Event,
    request_id: Option<&str>,
    actor_user_id: Option<i64>,
) -> rusqlite::Result<()> {
    let json = serde_json::to_string(event)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    tx.execute(
        "INSERT INTO notify_events (created_at, event, request_id, actor_user_id)
         VALUES (?1, ?2, ?3, ?4)",
        params![Utc::now().timestamp(), json, request_id, actor_user_id],
    )?;
    WAKE.notify_one();
    Ok(())
}

/// A request was submitted; `channels` is the requester's choice of how to hear back,
/// `answer_link` the private answer link for the receipt (portal submissions).
pub fn request_submitted(
    tx: &Transaction,
    request_id: &str,
    channels: Option<&[Channel]>,
    answer_link: Option<String>,
) -> rusqlite::Result<()> {
    if let Some(list) = channels {
        let joined: Vec<&str> = list.iter().map(|c| c.as_str()).collect();
        tx.execute(
            "UPDATE requests SET notify_channels = ?2 WHERE id = ?1",
            params![request_id, joined.join(",")],
        )?;
    }
    let Some(r) = load_request(tx, request_id)? else {
        return Ok(());
    };
    record(
        tx,
        &Event::Submitted {
            request: subject_of(&r),
            answer_link,
        },
        Some(request_id),
        None,
    )
}

/// A transition was applied (call after the request row is updated).
pub fn request_transition(
    tx: &Transaction,
    caller: &Caller,
    request_id: &str,
    action: Action,
    from: RequestState,
    to: RequestState,
) -> rusqlite::Result<()> {
    let Some(r) = load_request(tx, request_id)? else {
        return Ok(());
    };
    let (actor, actor_name, actor_id) = match caller {
        Caller::Staff(s) => (
            Actor::Staff(s.role),
            Some(s.display_name.clone()),
            Some(s.id),
        ),
        _ => (Actor::Requester, None, None),
    };
    record(
        tx,
        &Event::Transition {
            request: subject_of(&r),
            action,
            actor,
            actor_name,
            from,
            to,
        },
        Some(request_id),
        actor_id,
    )
}

/// A note was added: a disposition (with an instruction, or naming someone) is told.
pub fn note_added(tx: &Transaction, staff: &Staff, note: &Note) -> rusqlite::Result<()> {
    if note.instruction.trim().is_empty() && mentions(&note.text).is_empty() {
        return Ok(());
    }
    let Some(r) = load_request(tx, &note.request_id)? else {
        return Ok(());
    };
    record(
        tx,
        &Event::Disposition {
            request: subject_of(&r),
            author_name: note.author_name.clone(),
            instruction: note.instruction.clone(),
            text: note.text.clone(),
        },
        Some(&note.request_id),
        Some(staff.id),
    )
}

/// The names a mention may match: every active account's username and display name, in lower
/// case (the rule [`unknown_mentions`] applies), for the staff app to warn before sending.
pub fn mention_names(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT lower(username) FROM users WHERE active = 1
         UNION SELECT lower(display_name) FROM users WHERE active = 1
         ORDER BY 1",
    )?;
    st.query_map([], |r| r.get(0))?.collect()
}

/// The `@names` of a note that match no active account (by username or display name): the
/// author is told at once, since nobody else will be.
pub fn unknown_mentions(
    tx: &Transaction,
    instruction: &str,
    text: &str,
) -> rusqlite::Result<Vec<String>> {
    let mut st = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM users WHERE active = 1
            AND (username = ?1 COLLATE NOCASE OR display_name = ?1 COLLATE NOCASE))",
    )?;
    let mut out = Vec::new();
    for name in sepiion_core::notify::person_mentions(instruction, text) {
        if !st.query_row(params![name], |r| r.get::<_, bool>(0))? {
            out.push(name);
        }
    }
    Ok(out)
}

/// An agenda item was written (`before` is how it was): a change of time, place or status
/// within the next 48 hours is told, with the old and new values, who did it and the reason.
pub fn agenda_item_written(
    tx: &Transaction,
    staff: Option<&Staff>,
    before: &AgendaItem,
    reason: Option<&str>,
) -> rusqlite::Result<()> {
    let Some(after) = crate::storage::rows::load_agenda_item(tx, &before.id)? else {
        return Ok(());
    };
    let change = AgendaChange {
        time: before.starts_at != after.starts_at || before.ends_at != after.ends_at,
        place: before.location.trim() != after.location.trim(),
        status: before.status != after.status,
    };
    if !change.any() || !within_notice_window(before.starts_at, after.starts_at, Utc::now()) {
        return Ok(());
    }
    record(
        tx,
        &Event::AgendaChanged {
            item: agenda_subject(&after),
            change,
            actor_name: staff.map(|s| s.display_name.clone()),
            before: Some(AgendaBefore {
                starts_at: before.starts_at,
                ends_at: before.ends_at,
                location: before.location.clone(),
                status: before.status,
            }),
            reason: reason.map(str::to_string),
        },
        None,
        staff.map(|s| s.id),
    )
}

/// Who a notice reaches, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    User(i64),
    Requester,
}

fn resolve(tx: &Transaction, recipient: &Recipient) -> rusqlite::Result<Vec<Target>> {
    let ids: Vec<i64> = match recipient {
        Recipient::Requester => return Ok(vec![Target::Requester]),
        Recipient::Role(role) => {
            let mut st = tx.prepare_cached(
                "SELECT id FROM users WHERE role = ?1 AND active = 1 ORDER BY id",
            )?;
            st.query_map(params![role.as_str()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        Recipient::LeaderStaff(role, leader) => {
            let mut st = tx.prepare_cached(
                "SELECT id FROM users WHERE role = ?1 AND leader_id = ?2 AND active = 1
                 ORDER BY id",
            )?;
            st.query_map(params![role.as_str(), leader], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
        Recipient::Staff(name) => {
            let mut st = tx.prepare_cached(
                "SELECT id FROM users WHERE active = 1
                   AND (username = ?1 COLLATE NOCASE OR display_name = ?1 COLLATE NOCASE)
                 ORDER BY id",
            )?;
            st.query_map(params![name.trim()], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        }
    };
    Ok(ids.into_iter().map(Target::User).collect())
}

fn parse_channels(s: Option<&str>) -> Option<Vec<Channel>> {
    s.map(|s| {
        s.split(',')
            .filter_map(|c| Channel::parse(c.trim()))
            .collect()
    })
}

/// A new secret ntfy topic: unguessable, since anyone who knows a topic may read it.
fn new_topic() -> String {
    format!(
        "sepiion-{}",
        hex::encode(crate::domain::caller::random_bytes::<12>())
    )
}

/// The user's ntfy topic, made on first use.
pub fn ntfy_topic(tx: &Transaction, user_id: i64) -> rusqlite::Result<String> {
    let current: Option<String> = tx
        .query_row(
            "SELECT ntfy_topic FROM users WHERE id = ?1",
            params![user_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    if let Some(t) = current {
        return Ok(t);
    }
    let t = new_topic();
    tx.execute(
        "UPDATE users SET ntfy_topic = ?2 WHERE id = ?1",
        params![user_id, t],
    )?;
    Ok(t)
}

/// The outbound addresses of a target, per channel, for the channels configured here.
fn addresses(
    tx: &Transaction,
    ctx: &Ctx,
    target: &Target,
    request_id: Option<&str>,
) -> rusqlite::Result<Vec<(Channel, String)>> {
    let cfg = &ctx.notify;
    let (phone, email, chosen, user) = match target {
        Target::User(id) => {
            let row: Option<(Option<String>, Option<String>, String)> = tx
                .query_row(
                    "SELECT phone, email, notify_channels FROM users WHERE id = ?1",
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((phone, email, channels)) = row else {
                return Ok(Vec::new());
            };
            (phone, email, parse_channels(Some(&channels)), Some(*id))
        }
        Target::Requester => {
            let Some(rid) = request_id else {
                return Ok(Vec::new());
            };
            let row: Option<(String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT requester_phone, requester_email, notify_channels FROM requests
                     WHERE id = ?1",
                    params![rid],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((phone, email, channels)) = row else {
                return Ok(Vec::new());
            };
            (
                Some(phone),
                email,
                parse_channels(channels.as_deref()),
                None,
            )
        }
    };
    let wants = |c: Channel| chosen.as_ref().is_none_or(|list| list.contains(&c));
    let mut out = Vec::new();
    if let Some(user) = user
        && cfg.ntfy.is_some()
        && wants(Channel::Ntfy)
    {
        out.push((Channel::Ntfy, ntfy_topic(tx, user)?));
    }
    if cfg.whatsapp.is_some()
        && wants(Channel::Whatsapp)
        && let Some(p) = phone
            .as_deref()
            .and_then(sepiion_core::phone::normalize_phone)
    {
        out.push((Channel::Whatsapp, p));
    }
    if cfg.smtp.is_some()
        && wants(Channel::Email)
        && let Some(e) = email.filter(|e| e.contains('@'))
    {
        out.push((Channel::Email, e.trim().to_string()));
    }
    Ok(out)
}

fn link_parts(link: &Link) -> (&'static str, &str) {
    match link {
        Link::Request(id) => ("request", id),
        Link::AgendaItem(id) => ("agenda_item", id),
        Link::AgendaDay(d) => ("agenda_day", d),
    }
}

/// An outbox row: id, created_at, event JSON, request id, acting user.
type OutboxRow = (i64, i64, String, Option<String>, Option<i64>);

/// Expands written events into notifications and deliveries; returns how many events.
pub fn expand_pending(tx: &Transaction, ctx: &Ctx, now_ms: i64) -> rusqlite::Result<usize> {
    let pending: Vec<OutboxRow> = {
        let mut st = tx.prepare_cached(
            "SELECT id, created_at, event, request_id, actor_user_id FROM notify_events
             WHERE expanded = 0 ORDER BY id LIMIT 200",
        )?;
        st.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?
    };
    for (event_id, created_at, json, request_id, actor) in &pending {
        tx.execute(
            "UPDATE notify_events SET expanded = 1 WHERE id = ?1",
            params![event_id],
        )?;
        let mut event: Event = match serde_json::from_str(json) {
            Ok(e) => e,
            Err(e) => {
                tracing::error!(event_id, error = %e, "unreadable notification event skipped");
                continue;
            }
        };
        let cx = NotifyContext {
            tz: ctx.tz,
            now: Utc
                .timestamp_opt(*created_at, 0)
                .single()
                .unwrap_or_else(Utc::now),
            lead_time: Duration::days(ctx.notify.lead_time_days),
        };
        if let Some(r) = event.request_mut() {
            fill_in(tx, ctx, r)?;
        }
        write_notices(
            tx,
            ctx,
            *event_id,
            *created_at,
            &event,
            &notices(&event, &cx),
            request_id.as_deref(),
            *actor,
            now_ms,
        )?;
    }
    Ok(pending.len())
}

/// What only the server knows of a request: its leader's title and its tracking page.
fn fill_in(tx: &Transaction, ctx: &Ctx, r: &mut RequestSubject) -> rusqlite::Result<()> {
    if let Some(l) = r.responsible_leader() {
        r.leader_name = tx
            .query_row(
                "SELECT CASE WHEN trim(name) = '' THEN title ELSE title || ' (' || name || ')' END
                 FROM leaders WHERE id = ?1",
                params![l],
                |row| row.get(0),
            )
            .optional()?;
    }
    if let Some(base) = &ctx.public_url {
        r.tracking_url = Some(format!(
            "{}/lacak/{}",
            base.trim_end_matches('/'),
            r.tracking_code
        ));
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_notices(
    tx: &Transaction,
    ctx: &Ctx,
    event_id: i64,
    created_at: i64,
    event: &Event,
    list: &[Notice],
    request_id: Option<&str>,
    actor: Option<i64>,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let mut told: Vec<Target> = Vec::new();
    for notice in list {
        for target in resolve(tx, &notice.recipient)? {
            // Nobody is told about their own action, and nobody twice about one event.
            if told.contains(&target) || matches!(target, Target::User(u) if Some(u) == actor) {
                continue;
            }
            // A notification is a read: a staff member is told nothing about what they could
            // not open in the API now, whatever the rules' fan-out says. (The requester is told
            // only about their own request, which they can always open.)
            if let Target::User(u) = target
                && !may_read(tx, ctx, u, event, notice, request_id)?
            {
                continue;
            }
            told.push(target.clone());
            let (user_id, device_id, id) = match &target {
                Target::User(u) => (Some(*u), None, format!("{event_id}-u{u}")),
                Target::Requester => {
                    let device: Option<String> = match request_id {
                        Some(rid) => tx
                            .query_row(
                                "SELECT device_id FROM requests WHERE id = ?1",
                                params![rid],
                                |r| r.get(0),
                            )
                            .optional()?
                            .flatten(),
                        None => None,
                    };
                    (None, device, format!("{event_id}-r"))
                }
            };
            let (link_type, link_id) = link_parts(&notice.link);
            tx.execute(
                "INSERT OR IGNORE INTO notifications (id, event_id, created_at, kind, priority,
                     user_id, device_id, request_id, link_type, link_id, title_ind, title_en,
                     body_ind, body_en)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    id,
                    event_id,
                    created_at,
                    notice.kind.as_str(),
                    notice.priority.as_str(),
                    user_id,
                    device_id,
                    request_id,
                    link_type,
                    link_id,
                    notice.title.ind,
                    notice.title.en,
                    notice.body.ind,
                    notice.body.en
                ],
            )?;
            log_change(tx, "notification", &id)?;
            for (channel, address) in addresses(tx, ctx, &target, request_id)? {
                let mut status = "pending";
                let mut reason = None;
                let mut own_text = None;
                if target == Target::Requester && contacts::guarded(channel) {
                    let now = Utc
                        .timestamp_millis_opt(now_ms)
                        .single()
                        .unwrap_or_else(Utc::now);
                    if let Admission::Skip(why) = contacts::admit(tx, ctx, channel, &address, now)?
                    {
                        status = "skipped";
                        reason = Some(why);
                    }
                    // Also for a skipped one: an admin's resend must not carry details either.
                    if !contacts::is_confirmed(tx, channel, &address)? {
                        let answer_link = match event {
                            Event::Submitted { answer_link, .. } => answer_link.as_deref(),
                            _ => None,
                        };
                        own_text = Some(unconfirmed_text(
                            tx,
                            ctx,
                            (channel, &address),
                            request_id,
                            answer_link,
                        )?);
                    }
                }
                let (title, body) = match &own_text {
                    Some((t, b)) => (Some(t), Some(b)),
                    None => (None, None),
                };
                tx.execute(
                    "INSERT OR IGNORE INTO deliveries (notification_id, channel, address, status,
                         next_attempt_ms, created_at, last_error, title_ind, body_ind, title_en,
                         body_en)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        id,
                        channel.as_str(),
                        address,
                        status,
                        now_ms,
                        now_ms / 1000,
                        reason,
                        title.map(|m| &m.ind),
                        body.map(|m| &m.ind),
                        title.map(|m| &m.en),
                        body.map(|m| &m.en)
                    ],
                )?;
            }
        }
    }
    Ok(())
}

/// The words of a message to a requester's address its holder has not confirmed: the request's
/// tracking code and link, a link confirming the address, the receipt's private answer link,
/// nothing the submitter wrote.
fn unconfirmed_text(
    tx: &Transaction,
    ctx: &Ctx,
    (channel, address): (Channel, &str),
    request_id: Option<&str>,
    answer_link: Option<&str>,
) -> rusqlite::Result<(Msg, Msg)> {
    let code: Option<String> = match request_id {
        Some(rid) => tx
            .query_row(
                "SELECT tracking_code FROM requests WHERE id = ?1",
                params![rid],
                |r| r.get(0),
            )
            .optional()?,
        None => None,
    };
    let code = code.unwrap_or_default();
    let tracking_url = ctx
        .public_url
        .as_deref()
        .map(|base| format!("{}/lacak/{code}", base.trim_end_matches('/')));
    let confirm_url = contacts::confirmation_url(tx, ctx, channel, address)?;
    Ok(unconfirmed_contact_message(
        &code,
        tracking_url.as_deref(),
        confirm_url.as_deref(),
        answer_link,
    ))
}

/// Whether staff member `user_id` may open, in the API at this moment, everything `notice` (of
/// `event`) is about: its request, its agenda item, or the day of a leader's agenda a digest
/// lists. Asks [`crate::domain::visibility`], the one place that decides who sees what. An
/// unknown or inactive account, or a subject that no longer exists, reads nothing.
pub fn may_read(
    tx: &Transaction,
    ctx: &Ctx,
    user_id: i64,
    event: &Event,
    notice: &Notice,
    request_id: Option<&str>,
) -> rusqlite::Result<bool> {
    let staff = tx
        .prepare_cached(
            "SELECT id, username, display_name, role, leader_id FROM users
             WHERE id = ?1 AND active = 1",
        )?
        .query_row(params![user_id], crate::domain::caller::staff_from_row)
        .optional()?;
    let Some(staff) = staff else {
        return Ok(false);
    };
    let mut requests: Vec<&str> = request_id.into_iter().collect();
    let mut items: Vec<&str> = Vec::new();
    match &notice.link {
        Link::Request(id) => requests.push(id),
        Link::AgendaItem(id) => items.push(id),
        Link::AgendaDay(_) => {}
    }
    match event {
        Event::Submitted { request, .. }
        | Event::Transition { request, .. }
        | Event::Disposition { request, .. }
        | Event::Reminder { request, .. } => requests.push(&request.id),
        Event::AgendaChanged { item, .. } => items.push(&item.id),
        Event::DailyDigest {
            leader_id, date, ..
        } => {
            let (from, to) = sepiion_core::time::local_days_range(*date, *date, ctx.tz);
            for item in load_agenda_range(tx, Some(leader_id), from, to)? {
                if !staff_sees_item(&staff, &item) {
                    return Ok(false);
                }
            }
        }
    }
    for id in requests {
        match load_request(tx, id)? {
            Some(r) if staff_sees_request(tx, &staff, &r)? => {}
            _ => return Ok(false),
        }
    }
    for id in items {
        match load_agenda_item(tx, id)? {
            Some(item) if staff_sees_item(&staff, &item) => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Marks the caller's own notification read (a sync push). The first `read_at` is kept and a
/// second mark changes nothing, so replays and the caller's other devices agree; a change is
/// logged only when the state moves, which brings the read state to the caller's other devices.
/// Someone else's notification (or an unknown id) is answered "not found", which tells nothing
/// about whether it exists.
pub fn mark_read(
    tx: &Transaction,
    caller: &Caller,
    id: &str,
) -> crate::error::ApiResult<sepiion_core::notify::AppNotification> {
    let not_found = || crate::error::ApiError::not_found("Notifikasi", "Notification");
    if !notification_is_for(tx, caller, id)? {
        return Err(not_found());
    }
    let changed = tx.execute(
        "UPDATE notifications SET read_at = ?2, version = version + 1
         WHERE id = ?1 AND read_at IS NULL",
        params![id, Utc::now().timestamp()],
    )?;
    if changed > 0 {
        log_change(tx, "notification", id)?;
    }
    load_notification(tx, id)?.ok_or_else(not_found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::caller::Staff;
    use crate::domain::visibility::visible_record;
    use proptest::prelude::*;
    use sepiion_core::model::{Role, Visibility};
    use sepiion_core::notify::DigestLine;
    use sepiion_core::sync::Record;

    /// The kinds of event, over one request tied to one agenda item.
    fn event(kind: usize, pick: usize, r: &Request, item: &AgendaItem, ctx: &Ctx) -> Event {
        let request = subject_of(r);
        let states = RequestState::ALL;
        let (from, to) = (
            states[pick % states.len()],
            states[(pick / 3) % states.len()],
        );
        match kind {
            0 => Event::Submitted {
                request,
                answer_link: None,
            },
            1 => Event::Transition {
                request,
                action: Action::ALL[pick % Action::ALL.len()],
                actor: if pick.is_multiple_of(2) {
                    Actor::Requester
                } else {
                    Actor::Staff(Role::ALL[pick % Role::ALL.len()])
                },
                actor_name: Some("Seseorang".into()),
                from,
                to,
            },
            2 => Event::Disposition {
                request,
                author_name: "Seseorang".into(),
                instruction: "Mohon ditindaklanjuti".into(),
                // Everyone named.
                text: crate::domain::demo::DEMO_USERS
                    .iter()
                    .map(|u| format!("@{} ", u.0))
                    .collect(),
            },
            3 => Event::Reminder {
                request,
                state: from,
                idle_hours: 100,
                escalated: pick.is_multiple_of(2),
            },
            4 => Event::AgendaChanged {
                item: agenda_subject(item),
                change: AgendaChange {
                    time: true,
                    place: true,
                    status: pick.is_multiple_of(2),
                },
                before: None,
                actor_name: None,
                reason: None,
            },
            _ => Event::DailyDigest {
                leader_id: item.leader_id.clone(),
                leader_title: "Bupati".into(),
                date: item.starts_at.with_timezone(&ctx.tz).date_naive(),
                lines: vec![DigestLine {
                    starts_at: item.starts_at,
                    ends_at: item.ends_at,
                    title: item.title.clone(),
                    location: item.location.clone(),
                    tentative: false,
                }],
            },
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// A notification is a read: over every role (the demo has one account per role and
        /// leader), every visibility and every kind of event, each staff notification written
        /// goes to someone to whom the API (sync pull's `visible_record`) shows its request and
        /// agenda item, and for a digest every item of that day.
        #[test]
        fn nobody_is_told_what_they_may_not_open(
            visibility in prop::sample::select(Visibility::ALL.to_vec()),
            kind in 0usize..6,
            pick in 0usize..120,
            item_no in 0usize..6,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let ctx = Ctx::from_config(&crate::config::Config::default()).unwrap();
            let mut conn = crate::storage::open(&dir.path().join("t.db")).unwrap();
            crate::domain::demo::seed(&mut conn, &ctx).unwrap();
            let tx = conn.transaction().unwrap();
            let item_id: String = tx
                .query_row(
                    "SELECT id FROM agenda_items ORDER BY id LIMIT 1 OFFSET ?1",
                    params![item_no as i64],
                    |r| r.get(0),
                )
                .unwrap();
            tx.execute(
                "UPDATE agenda_items SET visibility = ?2 WHERE id = ?1",
                params![item_id, visibility.as_str()],
            )
            .unwrap();
            let request_id: String = tx
                .query_row("SELECT id FROM requests ORDER BY id LIMIT 1", [], |r| r.get(0))
                .unwrap();
            tx.execute(
                "UPDATE requests SET agenda_item_id = ?2 WHERE id = ?1",
                params![request_id, item_id],
            )
            .unwrap();
            tx.execute("DELETE FROM notify_events", []).unwrap();
            tx.execute("DELETE FROM notifications", []).unwrap();
            let item = load_agenda_item(&tx, &item_id).unwrap().unwrap();
            let r = load_request(&tx, &request_id).unwrap().unwrap();
            let ev = event(kind, pick, &r, &item, &ctx);
            let request_of = !matches!(ev, Event::AgendaChanged { .. } | Event::DailyDigest { .. });
            record(&tx, &ev, request_of.then_some(request_id.as_str()), None).unwrap();
            expand_pending(&tx, &ctx, 0).unwrap();
            let told: Vec<Staff> = tx
                .prepare(
                    "SELECT u.id, u.username, u.display_name, u.role, u.leader_id
                     FROM notifications n JOIN users u ON u.id = n.user_id",
                )
                .unwrap()
                .query_map([], crate::domain::caller::staff_from_row)
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let (from, to) = sepiion_core::time::local_days_range(
                item.starts_at.with_timezone(&ctx.tz).date_naive(),
                item.starts_at.with_timezone(&ctx.tz).date_naive(),
                ctx.tz,
            );
            let day = load_agenda_range(&tx, Some(&item.leader_id), from, to).unwrap();
            for staff in told {
                let caller = Caller::Staff(staff.clone());
                let sees = |rec: Record| visible_record(&tx, &caller, rec).unwrap().is_some();
                if request_of {
                    prop_assert!(
                        sees(Record::Request(Box::new(r.clone()))),
                        "{} ({:?}) told about request behind a {visibility:?} item",
                        staff.username, staff.role
                    );
                }
                if kind == 4 {
                    prop_assert!(sees(Record::AgendaItem(Box::new(item.clone()))),
                        "{} told about a {visibility:?} item", staff.username);
                }
                if kind == 5 {
                    for i in &day {
                        prop_assert!(sees(Record::AgendaItem(Box::new(i.clone()))),
                            "{} got a digest naming a {:?} item", staff.username, i.visibility);
                    }
                }
            }
        }
    }
}
