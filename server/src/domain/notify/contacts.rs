//! Messages to a requester's own address — the WhatsApp number and e-mail address typed into a
//! form, which nobody has checked. Two rules keep the regency's WhatsApp number and mail server
//! from becoming a relay for whoever fills in a form:
//!
//! - **A daily cap per destination**: at most `limits.messages_per_destination_per_day` messages
//!   go to one normalised number or address per day (the regency's zone), across all devices,
//!   forms and requests; a delivery past it is not sent but logged as `skipped`, with the reason.
//! - **Unconfirmed addresses hear no free text**: until the holder of an address confirms it (by
//!   the link sent to that address alone), its messages carry only the tracking code, fixed
//!   sentences, the tracking link and that confirmation link — never a title, name or note the
//!   submitter chose. Protocol staff may confirm a request's contact too, once they checked
//!   it with the requester ([`confirm_by_staff`]).
//!
//! Staff accounts' own addresses (set by the staff member) are not counted here.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use sepiion_core::notify::Channel;

use sepiion_core::model::Role;

use crate::domain::caller::{Staff, new_token, token_hash};
use crate::domain::context::Ctx;
use crate::domain::visibility::staff_sees_request;
use crate::error::{ApiError, ApiResult};
use crate::storage::audit::audit;
use crate::storage::rows::load_request;

/// Whether `channel` carries messages to an address the requester typed.
pub fn guarded(channel: Channel) -> bool {
    matches!(channel, Channel::Whatsapp | Channel::Email)
}

/// The destination that is counted and confirmed: a phone in its international form; an e-mail
/// address in lower case, without a `+tag` on its local part, and for Gmail without dots (the
/// spellings that reach one mailbox count as one).
pub fn destination(channel: Channel, address: &str) -> String {
    let address = address.trim();
    match channel {
        Channel::Whatsapp => {
            sepiion_core::phone::normalize_phone(address).unwrap_or_else(|| address.to_string())
        }
        Channel::Email => {
            let lower = address.to_lowercase();
            let Some((local, domain)) = lower.rsplit_once('@') else {
                return lower;
            };
            let local = local.split('+').next().unwrap_or(local);
            let local = if matches!(domain, "gmail.com" | "googlemail.com") {
                local.replace('.', "")
            } else {
                local.to_string()
            };
            format!("{local}@{domain}")
        }
        _ => address.to_string(),
    }
}

/// What becomes of one message to a requester's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    Send,
    /// Do not send it, for this reason (kept in the delivery log).
    Skip(String),
}

/// Counts a message to `address` on `channel` against the destination's daily cap, or refuses
/// it when the cap is reached. Runs in the expanding transaction, so concurrent events cannot
/// both take the last place.
pub fn admit(
    tx: &Transaction,
    ctx: &Ctx,
    channel: Channel,
    address: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Admission> {
    let dest = destination(channel, address);
    let day = sepiion_core::time::local_date(now, ctx.tz).to_string();
    let cap = i64::from(ctx.limits.messages_per_destination_per_day);
    let sent: i64 = tx
        .prepare_cached(
            "SELECT messages FROM destination_days
             WHERE channel = ?1 AND destination = ?2 AND day = ?3",
        )?
        .query_row(params![channel.as_str(), dest, day], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    if sent >= cap {
        return Ok(Admission::Skip(format!(
            "daily cap reached: {cap} messages to this {} on {day} (limits.messages_per_destination_per_day)",
            match channel {
                Channel::Email => "address",
                _ => "number",
            }
        )));
    }
    tx.prepare_cached(
        "INSERT INTO destination_days (channel, destination, day, messages)
         VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (channel, destination, day) DO UPDATE SET messages = messages + 1",
    )?
    .execute(params![channel.as_str(), dest, day])?;
    Ok(Admission::Send)
}

/// Forgets the counts of days before yesterday (the regency's zone): only today's count
/// matters, so the table stays a day or two long. Run by the scheduler.
pub fn forget_old_days(tx: &Transaction, ctx: &Ctx, now: DateTime<Utc>) -> rusqlite::Result<usize> {
    let yesterday = sepiion_core::time::local_date(now, ctx.tz) - chrono::Duration::days(1);
    tx.execute(
        "DELETE FROM destination_days WHERE day < ?1",
        params![yesterday.to_string()],
    )
}

/// Whether the holder of `address` (or staff) confirmed it: only then may messages to it carry
/// a request's details.
pub fn is_confirmed(tx: &Transaction, channel: Channel, address: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM confirmed_contacts WHERE channel = ?1 AND destination = ?2)",
    )?
    .query_row(
        params![channel.as_str(), destination(channel, address)],
        |r| r.get(0),
    )
}

/// A new confirmation link for `address` (to be sent to that address alone), or `None` when the
/// server has no public address to link to.
pub fn confirmation_url(
    tx: &Transaction,
    ctx: &Ctx,
    channel: Channel,
    address: &str,
) -> rusqlite::Result<Option<String>> {
    let Some(base) = ctx.public_url.as_deref() else {
        return Ok(None);
    };
    let secret = new_token("");
    tx.execute(
        "INSERT INTO contact_confirmations (secret_hash, channel, destination, created_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![
            token_hash(&secret),
            channel.as_str(),
            destination(channel, address),
            Utc::now().timestamp()
        ],
    )?;
    Ok(Some(format!(
        "{}/konfirmasi/{secret}",
        base.trim_end_matches('/')
    )))
}

/// Whether `secret` looks like one [`confirmation_url`] makes (64 hex digits).
pub fn well_formed(secret: &str) -> bool {
    secret.len() == 64 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The channel of the address a confirmation link was sent to, if the link is known.
pub fn confirmation_channel(tx: &Transaction, secret: &str) -> rusqlite::Result<Option<Channel>> {
    if !well_formed(secret) {
        return Ok(None);
    }
    let channel: Option<String> = tx
        .prepare_cached("SELECT channel FROM contact_confirmations WHERE secret_hash = ?1")?
        .query_row(params![token_hash(&secret.to_ascii_lowercase())], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(channel.as_deref().and_then(Channel::parse))
}

/// Confirms the address a confirmation link was sent to: from now on its messages carry the
/// details. `None` for an unknown link.
pub fn confirm(tx: &Transaction, secret: &str) -> rusqlite::Result<Option<Channel>> {
    if !well_formed(secret) {
        return Ok(None);
    }
    let found: Option<(String, String)> = tx
        .prepare_cached(
            "SELECT channel, destination FROM contact_confirmations WHERE secret_hash = ?1",
        )?
        .query_row(params![token_hash(&secret.to_ascii_lowercase())], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((channel, dest)) = found else {
        return Ok(None);
    };
    tx.execute(
        "INSERT OR IGNORE INTO confirmed_contacts (channel, destination, confirmed_at)
         VALUES (?1, ?2, ?3)",
        params![channel, dest, Utc::now().timestamp()],
    )?;
    Ok(Channel::parse(&channel))
}

/// Protocol staff (or admin) confirm the requester's number and address of request `id`, having
/// checked them with the requester (a call, a letter): from now on messages to them carry the
/// details. Other roles get 403; a request the caller may not see is "not found".
pub fn confirm_by_staff(tx: &Transaction, staff: &Staff, id: &str) -> ApiResult<()> {
    if !matches!(staff.role, Role::Admin | Role::Protocol) {
        return Err(ApiError::forbidden());
    }
    let not_found = || ApiError::not_found("Permohonan", "Request");
    let r = load_request(tx, id)?.ok_or_else(not_found)?;
    if !staff_sees_request(tx, staff, &r)? {
        return Err(not_found());
    }
    let mut confirmed = Vec::new();
    if sepiion_core::phone::normalize_phone(&r.requester_phone).is_some() {
        confirmed.push((Channel::Whatsapp, r.requester_phone.as_str()));
    }
    if let Some(e) = r.requester_email.as_deref().filter(|e| e.contains('@')) {
        confirmed.push((Channel::Email, e));
    }
    for (channel, address) in confirmed {
        tx.execute(
            "INSERT OR IGNORE INTO confirmed_contacts (channel, destination, confirmed_at)
             VALUES (?1, ?2, ?3)",
            params![
                channel.as_str(),
                destination(channel, address),
                Utc::now().timestamp()
            ],
        )?;
    }
    audit(
        tx,
        &staff.audit_name(),
        "request.contact_confirmed",
        "request",
        id,
        "",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_counts_per_local_day_and_old_days_are_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::config::Config::default();
        config.limits.messages_per_destination_per_day = 2;
        let ctx = Ctx::from_config(&config).unwrap();
        let mut conn = crate::storage::open(&dir.path().join("t.db")).unwrap();
        let tx = conn.transaction().unwrap();
        // 15.30 UTC is 23.30 WITA; 16.30 UTC is already the next day in WITA.
        let evening = "2026-12-01T15:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let next_day = "2026-12-01T16:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let admit_at = |at, a: &str| admit(&tx, &ctx, Channel::Whatsapp, a, at).unwrap();
        assert_eq!(admit_at(evening, "0812-9999-0000"), Admission::Send);
        assert_eq!(admit_at(evening, "+62 812 9999 0000"), Admission::Send);
        assert!(matches!(
            admit_at(evening, "081299990000"),
            Admission::Skip(why) if why.contains("2026-12-01")
        ));
        assert_eq!(admit_at(next_day, "081299990000"), Admission::Send);
        let days = |tx: &Transaction| -> i64 {
            tx.query_row("SELECT COUNT(*) FROM destination_days", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(days(&tx), 2);
        let later = next_day + chrono::Duration::days(2);
        assert_eq!(forget_old_days(&tx, &ctx, later).unwrap(), 2);
        assert_eq!(days(&tx), 0);
    }

    #[test]
    fn spellings_of_one_mailbox_or_number_are_one_destination() {
        let e = |a| destination(Channel::Email, a);
        assert_eq!(e(" Warga+promo@Contoh.ID "), "warga@contoh.id");
        assert_eq!(e("war.ga+1@gmail.com"), e("WARGA@gmail.com"));
        assert_ne!(
            e("war.ga@contoh.id"),
            e("warga@contoh.id"),
            "dots matter elsewhere"
        );
        let w = |a| destination(Channel::Whatsapp, a);
        assert_eq!(w("0812-3456-7890"), "6281234567890");
        assert_eq!(w("+62 812 3456 7890"), w("0812 3456 7890"));
    }
}
