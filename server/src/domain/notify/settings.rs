//! A staff member's own notification settings: phone, e-mail, chosen channels, and the ntfy
//! topic to subscribe to.

use rusqlite::{Transaction, params};
use sepiion_core::api::{NotificationSettings, NotificationSettingsInput};
use sepiion_core::notify::Channel;

use crate::domain::caller::Staff;
use crate::domain::context::Ctx;
use crate::error::ApiResult;
use crate::storage::audit::audit;

fn available(ctx: &Ctx) -> Vec<Channel> {
    let n = &ctx.notify;
    let mut out = Vec::new();
    if n.ntfy.is_some() {
        out.push(Channel::Ntfy);
    }
    if n.whatsapp.is_some() {
        out.push(Channel::Whatsapp);
    }
    if n.smtp.is_some() {
        out.push(Channel::Email);
    }
    out
}

/// The settings of `staff` as the app shows them.
pub fn settings_of(tx: &Transaction, ctx: &Ctx, staff: &Staff) -> ApiResult<NotificationSettings> {
    let (phone, email, channels): (Option<String>, Option<String>, String) = tx.query_row(
        "SELECT phone, email, notify_channels FROM users WHERE id = ?1",
        params![staff.id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let ntfy_url = match &ctx.notify.ntfy {
        Some(n) => Some(format!(
            "{}/{}",
            n.base_url.trim_end_matches('/'),
            crate::domain::notify::ntfy_topic(tx, staff.id)?
        )),
        None => None,
    };
    Ok(NotificationSettings {
        phone,
        email,
        channels: channels
            .split(',')
            .filter_map(|c| Channel::parse(c.trim()))
            .collect(),
        ntfy_url,
        available: available(ctx),
    })
}

/// Saves `staff`'s phone, e-mail and channels (validated by the caller) and answers the result.
pub fn save_settings(
    tx: &Transaction,
    ctx: &Ctx,
    staff: &Staff,
    input: &NotificationSettingsInput,
) -> ApiResult<NotificationSettings> {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let mut channels: Vec<&str> = input.channels.iter().map(|c| c.as_str()).collect();
    channels.sort();
    channels.dedup();
    tx.execute(
        "UPDATE users SET phone = ?2, email = ?3, notify_channels = ?4 WHERE id = ?1",
        params![
            staff.id,
            clean(&input.phone),
            clean(&input.email),
            channels.join(",")
        ],
    )?;
    audit(
        tx,
        &staff.audit_name(),
        "user.notification_settings",
        "user",
        &staff.id.to_string(),
        &channels.join(","),
    )?;
    settings_of(tx, ctx, staff)
}
