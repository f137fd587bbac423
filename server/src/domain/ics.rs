//! iCalendar feeds (RFC 5545): the public agenda and one personal feed per staff account. Which
//! items a feed holds is decided by [`crate::domain::visibility::visible_record`], the same rule as the
//! agenda API; this module only chooses the window and writes the calendar (its own small
//! writer: the `icalendar` crate leaves CATEGORIES and a bare `\r` unescaped).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::model::{AgendaItem, AgendaStatus, Leader, Visibility};
use sepiion_core::sync::Record;

use crate::domain::caller::{Caller, Staff, new_token, staff_from_row, token_hash};
use crate::domain::visibility::visible_record;
use crate::storage::rows::{load_agenda_range, load_leaders};

/// Days before today a feed reaches back.
pub const WINDOW_BACK_DAYS: i64 = 60;
/// Days after today a feed reaches ahead.
pub const WINDOW_AHEAD_DAYS: i64 = 365;
/// A cancelled item stays in feeds (as CANCELLED) this long after its last change, so that
/// subscribed calendars learn of the cancellation before it disappears.
pub const CANCELLED_KEPT_DAYS: i64 = 30;

const FEED_PREFIX: &str = "spc_";

/// The feed's window around `now`.
pub fn window(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        now - Duration::days(WINDOW_BACK_DAYS),
        now + Duration::days(WINDOW_AHEAD_DAYS),
    )
}

/// The items of a feed for `caller`: those in the window that the caller may see (as filtered
/// for them), without items cancelled more than [`CANCELLED_KEPT_DAYS`] ago.
pub fn feed_items(
    tx: &Transaction,
    caller: &Caller,
    leader: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Vec<AgendaItem>> {
    let (from, to) = window(now);
    let kept_since = now - Duration::days(CANCELLED_KEPT_DAYS);
    let mut out = Vec::new();
    for item in load_agenda_range(tx, leader, from, to)? {
        if item.status == AgendaStatus::Cancelled && item.updated_at < kept_since {
            continue;
        }
        if let Some(Record::AgendaItem(item)) =
            visible_record(tx, caller, Record::AgendaItem(Box::new(item)))?
        {
            out.push(*item);
        }
    }
    Ok(out)
}

/// What a feed is written from.
pub struct Feed {
    pub name: String,
    pub items: Vec<AgendaItem>,
    pub leaders: Vec<Leader>,
    /// The leader's role from the source request, by item id (staff feeds only).
    pub leader_roles: HashMap<String, String>,
    /// Base address for item links, without a trailing slash.
    pub base_url: String,
    pub tz: chrono_tz::Tz,
    /// Whether the feed holds more than one leader's items: then each SUMMARY starts with the
    /// leader ("Bupati Klungkung: Pembukaan …"), as a calendar shows little more than that line.
    pub names_leader: bool,
}

/// Loads what a feed needs.
pub fn load_feed(
    tx: &Transaction,
    caller: &Caller,
    leader: Option<&str>,
    name: String,
    base_url: String,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> rusqlite::Result<Feed> {
    let items = feed_items(tx, caller, leader, now)?;
    let mut leader_roles = HashMap::new();
    if matches!(caller, Caller::Staff(_)) {
        let mut st = tx.prepare_cached("SELECT leader_role FROM requests WHERE id = ?1")?;
        for item in &items {
            let source = item
                .internal
                .as_ref()
                .and_then(|i| i.source_request_id.as_deref());
            if let Some(source) = source
                && let Some(role) = st
                    .query_row(params![source], |r| r.get::<_, String>(0))
                    .optional()?
                && !role.trim().is_empty()
            {
                leader_roles.insert(item.id.clone(), role);
            }
        }
    }
    Ok(Feed {
        name,
        items,
        leaders: load_leaders(tx)?,
        leader_roles,
        base_url,
        tz,
        names_leader: leader.is_none(),
    })
}

fn attendance_text(item: &AgendaItem) -> String {
    sepiion_core::i18n::ID.attendance_with(item.attendance, item.representative.as_deref())
}

/// The leader's office ("Bupati Klungkung"), or the id of a leader no longer listed.
fn leader_title<'a>(feed: &'a Feed, item: &'a AgendaItem) -> &'a str {
    feed.leaders
        .iter()
        .find(|l| l.id == item.leader_id)
        .map_or(item.leader_id.as_str(), |l| l.title.as_str())
}

/// The DESCRIPTION of an item: every field the caller's view of the item holds. Which fields
/// the public may see is decided once, by `AgendaItem::public_view` (applied for the public by
/// `visible_record`), the rule the API, the portal and the sheet follow too: the dress code is
/// public, the `internal` fields are present only for staff.
fn description(feed: &Feed, item: &AgendaItem) -> String {
    let mut lines = vec![
        format!("Pimpinan: {}", leader_title(feed, item)),
        format!("Kategori: {}", item.category),
        format!("Kehadiran: {}", attendance_text(item)),
    ];
    if !item.dress_code.trim().is_empty() {
        lines.push(format!("Pakaian: {}", item.dress_code));
    }
    if let Some(internal) = &item.internal {
        if let Some(role) = feed.leader_roles.get(&item.id) {
            lines.push(format!("Peran pimpinan: {role}"));
        }
        if !internal.assigned_staff.is_empty() {
            let staff: Vec<String> = internal
                .assigned_staff
                .iter()
                .map(|s| format!("{} ({})", s.name, s.duty))
                .collect();
            lines.push(format!("Petugas: {}", staff.join(", ")));
        }
        if !internal.running_order.trim().is_empty() {
            lines.push(format!("Susunan acara: {}", internal.running_order));
        }
        if !internal.internal_notes.trim().is_empty() {
            lines.push(format!("Catatan internal: {}", internal.internal_notes));
        }
    }
    lines.join("\n")
}

fn status_of(item: &AgendaItem) -> &'static str {
    match item.status {
        AgendaStatus::Tentative => "TENTATIVE",
        AgendaStatus::Confirmed | AgendaStatus::Done => "CONFIRMED",
        AgendaStatus::Cancelled => "CANCELLED",
    }
}

/// A TEXT value escaped as RFC 5545 (3.3.11) wants: backslash, semicolon and comma escaped, every
/// line break (`\r\n`, `\n` or a bare `\r`) written `\n`, other control characters dropped
/// (free text is validated before it is stored; this holds whatever was stored before).
pub fn escape_text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes one content line, folded (RFC 5545 3.1): at most 75 octets per line before its CRLF,
/// continuation lines starting with a space, never splitting a UTF-8 character.
fn content_line(out: &mut String, name: &str, value: &str) {
    let line = format!("{name}:{value}");
    let mut room = 75;
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > room {
            out.push_str("\r\n ");
            // The leading space counts towards the 75 octets.
            room = 74;
            used = 0;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The feed as an iCalendar file. Our own writer: every TEXT value (CATEGORIES included, which
/// is a list of TEXT values) is escaped, and every line folded at 75 octets after escaping.
pub fn render(feed: &Feed) -> String {
    let mut out = String::new();
    let text = |out: &mut String, name: &str, value: &str| {
        content_line(out, name, &escape_text(value));
    };
    content_line(&mut out, "BEGIN", "VCALENDAR");
    content_line(&mut out, "VERSION", "2.0");
    content_line(&mut out, "PRODID", "-//Sepiion//Agenda Pimpinan//ID");
    content_line(&mut out, "CALSCALE", "GREGORIAN");
    text(&mut out, "NAME", &feed.name);
    text(&mut out, "X-WR-CALNAME", &feed.name);
    text(&mut out, "X-WR-TIMEZONE", feed.tz.name());
    content_line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    content_line(&mut out, "X-PUBLISHED-TTL", "PT1H");
    for item in &feed.items {
        content_line(&mut out, "BEGIN", "VEVENT");
        text(&mut out, "UID", &format!("{}@sepiion", item.id));
        content_line(&mut out, "DTSTAMP", &utc(item.updated_at));
        content_line(&mut out, "LAST-MODIFIED", &utc(item.updated_at));
        content_line(
            &mut out,
            "SEQUENCE",
            &u32::try_from(item.ical_sequence).unwrap_or(0).to_string(),
        );
        if feed.names_leader {
            let summary = format!("{}: {}", leader_title(feed, item), item.title);
            text(&mut out, "SUMMARY", &summary);
        } else {
            text(&mut out, "SUMMARY", &item.title);
        }
        content_line(&mut out, "DTSTART", &utc(item.starts_at));
        content_line(&mut out, "DTEND", &utc(item.ends_at));
        text(&mut out, "LOCATION", &item.location);
        text(&mut out, "DESCRIPTION", &description(feed, item));
        content_line(&mut out, "STATUS", status_of(item));
        if item.visibility == Visibility::Public {
            // A URI value, not TEXT: our own base address and an id, nothing to escape; a
            // control character could only come from a misconfigured base and is dropped.
            let url: String = format!("{}/agenda/{}", feed.base_url, item.id)
                .chars()
                .filter(|c| !c.is_control())
                .collect();
            content_line(&mut out, "URL", &url);
        }
        if !item.category.trim().is_empty() {
            // One category: its commas are escaped, so it stays one value of the list.
            text(&mut out, "CATEGORIES", &item.category);
        }
        content_line(&mut out, "END", "VEVENT");
    }
    content_line(&mut out, "END", "VCALENDAR");
    out
}

/// Creates or replaces `user_id`'s feed secret and returns it (shown once: only its hash is
/// kept).
pub fn renew_secret(tx: &Transaction, user_id: i64) -> rusqlite::Result<String> {
    let secret = new_token(FEED_PREFIX);
    tx.execute(
        "INSERT INTO ics_feeds (user_id, secret_hash, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET secret_hash = excluded.secret_hash,
             created_at = excluded.created_at",
        params![user_id, token_hash(&secret), Utc::now().timestamp()],
    )?;
    Ok(secret)
}

/// When `user_id`'s current feed secret was made, if there is one.
pub fn secret_created(tx: &Transaction, user_id: i64) -> rusqlite::Result<Option<i64>> {
    tx.query_row(
        "SELECT created_at FROM ics_feeds WHERE user_id = ?1",
        params![user_id],
        |r| r.get(0),
    )
    .optional()
}

/// Deletes `user_id`'s feed; true if there was one.
pub fn revoke(tx: &Transaction, user_id: i64) -> rusqlite::Result<bool> {
    Ok(tx.execute("DELETE FROM ics_feeds WHERE user_id = ?1", params![user_id])? > 0)
}

/// The active staff account a feed secret belongs to.
pub fn staff_for_secret(tx: &Transaction, secret: &str) -> rusqlite::Result<Option<Staff>> {
    if !secret.starts_with(FEED_PREFIX) || secret.len() > 200 {
        return Ok(None);
    }
    tx.query_row(
        "SELECT u.id, u.username, u.display_name, u.role, u.leader_id
         FROM ics_feeds f JOIN users u ON u.id = f.user_id
         WHERE f.secret_hash = ?1 AND u.active = 1",
        params![token_hash(secret)],
        staff_from_row,
    )
    .optional()
}
