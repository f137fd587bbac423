//! Operating-system notifications: when a sync brings notifications that are new and unread,
//! the app raises them on the phone or the desktop. Which ones deserve it is decided in one
//! place, [`plan_alerts`]; the platform call sits behind [`OsNotifier`]: the desktop's
//! notification service over D-Bus ([`desktop`], the `os-notifications` feature, which
//! `desktop` turns on), Android's `NotificationManager` through JNI ([`android`]). Other builds
//! (the liveview build of the browser tests, the tests themselves) raise nothing: the liveview
//! app runs on the machine that serves the browser, where a notification would reach nobody, and
//! the browser's own Notification API would need a permission prompt for a page that exists only
//! for tests.

#[cfg(all(target_os = "android", feature = "mobile"))]
pub mod android;
#[cfg(all(feature = "os-notifications", not(target_os = "android")))]
pub mod desktop;

use std::collections::HashSet;
use std::sync::Arc;

use sepiion_core::notify::Priority;
use sepiion_core::validation::Lang;

use crate::i18n::texts;
use crate::store::{NotificationEntry, Store, StoreResult};

/// One notification for the operating system to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsAlert {
    /// The notification's id, or [`SUMMARY_TAG`]: the system replaces an alert with the same
    /// tag instead of stacking a second one.
    pub tag: String,
    pub title: String,
    pub body: String,
    /// High priority ("mendesak"): shown with more insistence where the platform can.
    pub urgent: bool,
}

/// The tag of the alert that sums up several notifications.
pub const SUMMARY_TAG: &str = "sepiion-summary";

/// More new notifications than this in one sync are summed up in one alert instead of one
/// alert each (a phone that was offline for a day should not buzz twenty times).
pub const MAX_SINGLE_ALERTS: usize = 3;

/// What to raise after a sync, and the notifications that are settled by it (never considered
/// again, whether raised or not).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertPlan {
    pub alerts: Vec<OsAlert>,
    pub settled: Vec<String>,
}

/// Decides which notifications deserve an operating-system notification.
///
/// - Only notifications not settled before (`settled`) are considered: nothing is raised twice,
///   across syncs and restarts.
/// - Read ones (here or, through the server, on another device) raise nothing; they are settled.
/// - `first_time`: nothing was ever settled for this account or device (a new sign-in, a new
///   install): the unread backlog is old news, so it gets one summary alert at most.
/// - Otherwise each new unread notification gets its own alert, oldest first; more than
///   [`MAX_SINGLE_ALERTS`] are summed up in one.
///
/// `entries` come newest first, as [`Store::notifications`] lists them.
pub fn plan_alerts(
    entries: &[NotificationEntry],
    settled: &HashSet<String>,
    first_time: bool,
    lang: Lang,
) -> AlertPlan {
    let new: Vec<&NotificationEntry> = entries
        .iter()
        .filter(|e| !settled.contains(&e.notification.id))
        .collect();
    let fresh: Vec<&NotificationEntry> = new.iter().copied().filter(|e| !e.read).collect();
    let urgent = |e: &&NotificationEntry| e.notification.priority == Priority::High;
    let alerts = if fresh.is_empty() {
        Vec::new()
    } else if first_time || fresh.len() > MAX_SINGLE_ALERTS {
        let t = texts(lang);
        vec![OsAlert {
            tag: SUMMARY_TAG.to_string(),
            title: t.os_summary(fresh.len()),
            body: t.os_summary_body.to_string(),
            urgent: !first_time && fresh.iter().any(urgent),
        }]
    } else {
        fresh
            .iter()
            .rev()
            .map(|e| OsAlert {
                tag: e.notification.id.clone(),
                title: e.notification.title.get(lang).to_string(),
                body: e.notification.body.get(lang).to_string(),
                urgent: urgent(e),
            })
            .collect()
    };
    AlertPlan {
        alerts,
        settled: new.iter().map(|e| e.notification.id.clone()).collect(),
    }
}

/// Shows alerts on this platform.
pub trait OsNotifier: Send + Sync {
    /// Shows one alert. Failing is not fatal (no notification service, permission refused):
    /// the notification is still in the app's list.
    fn show(&self, alert: &OsAlert) -> Result<(), String>;
}

/// This build's notifier: `None` where nothing is raised.
pub fn platform_notifier() -> Option<Arc<dyn OsNotifier>> {
    #[cfg(all(target_os = "android", feature = "mobile"))]
    return Some(Arc::new(android::AndroidNotifier));
    #[cfg(all(feature = "os-notifications", not(target_os = "android")))]
    return Some(Arc::new(desktop::DesktopNotifier));
    #[allow(unreachable_code)]
    None
}

/// After a sync: raises what [`plan_alerts`] decides and settles it in the store. Settled first,
/// then shown: a crash in between loses an alert (the notification stays in the list) rather than
/// raising it twice. Returns how many alerts were raised.
pub fn announce_new_notifications(
    store: &Store,
    lang: Lang,
    notifier: &dyn OsNotifier,
) -> StoreResult<usize> {
    let entries = store.notifications()?;
    let (first_time, settled) = store.announced_notifications()?;
    let plan = plan_alerts(&entries, &settled, first_time, lang);
    if !plan.settled.is_empty() || first_time {
        store.settle_notifications(&plan.settled)?;
    }
    for alert in &plan.alerts {
        if let Err(e) = notifier.show(alert) {
            eprintln!("operating-system notification not shown: {e}");
        }
    }
    Ok(plan.alerts.len())
}

#[cfg(test)]
mod tests;
