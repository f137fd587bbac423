use std::sync::Mutex;

use chrono::{Duration, Utc};
use sepiion_core::notify::{AppNotification, Link, NoticeKind};
use sepiion_core::sync::{Change, EntityKind, PullPage, Record};
use sepiion_core::validation::Msg;

use super::*;
use crate::platform::Variant;

fn note(id: &str, minutes_ago: i64, priority: Priority, read: bool) -> AppNotification {
    let at = Utc::now() - Duration::minutes(minutes_ago);
    AppNotification {
        id: id.into(),
        kind: NoticeKind::RequestUpdate,
        priority,
        link: Link::Request("r1".into()),
        title: Msg::new(format!("Judul {id}"), format!("Title {id}")),
        body: Msg::new(format!("Isi {id}"), format!("Body {id}")),
        created_at: at,
        read_at: read.then_some(at),
        version: 1,
    }
}

fn entry(id: &str, minutes_ago: i64, read: bool) -> NotificationEntry {
    NotificationEntry {
        notification: note(id, minutes_ago, Priority::Normal, read),
        read,
    }
}

fn settled(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn each_new_unread_notification_is_raised_once_oldest_first() {
    // Newest first, as the store lists them.
    let entries = vec![
        entry("n3", 1, false),
        entry("n2", 2, false),
        entry("n1", 9, false),
    ];
    let plan = plan_alerts(&entries, &settled(&["n1"]), false, Lang::Id);
    let tags: Vec<&str> = plan.alerts.iter().map(|a| a.tag.as_str()).collect();
    assert_eq!(tags, ["n2", "n3"]);
    assert_eq!(plan.alerts[0].title, "Judul n2");
    assert_eq!(plan.alerts[0].body, "Isi n2");
    assert!(!plan.alerts[0].urgent);
    assert_eq!(plan.settled, ["n3", "n2"]);
    // The next sync, with nothing new: nothing again.
    let again = plan_alerts(&entries, &settled(&["n1", "n2", "n3"]), false, Lang::Id);
    assert_eq!(again, AlertPlan::default());
}

#[test]
fn read_notifications_raise_nothing_but_are_settled() {
    let entries = vec![entry("n2", 1, true), entry("n1", 2, false)];
    let plan = plan_alerts(&entries, &settled(&[]), false, Lang::En);
    assert_eq!(plan.alerts.len(), 1);
    assert_eq!(plan.alerts[0].tag, "n1");
    assert_eq!(plan.alerts[0].title, "Title n1");
    assert_eq!(plan.settled, ["n2", "n1"]);
    // Read on another device before it was ever raised here: never raised later either.
    let only_read = vec![entry("n4", 1, true)];
    let plan = plan_alerts(&only_read, &settled(&[]), false, Lang::Id);
    assert!(plan.alerts.is_empty());
    assert_eq!(plan.settled, ["n4"]);
}

#[test]
fn the_backlog_of_a_first_sync_is_one_summary_at_most() {
    let entries: Vec<_> = (0..12)
        .map(|i| entry(&format!("n{i}"), i, i % 3 == 0))
        .collect();
    let plan = plan_alerts(&entries, &settled(&[]), true, Lang::Id);
    assert_eq!(
        plan.alerts,
        [OsAlert {
            tag: SUMMARY_TAG.into(),
            title: "8 notifikasi baru".into(),
            body: "Buka Notifikasi di aplikasi Sepiion untuk membacanya.".into(),
            urgent: false,
        }]
    );
    assert_eq!(plan.settled.len(), 12, "the whole backlog is settled");
    // A first sync with nothing unread raises nothing.
    let read: Vec<_> = (0..3).map(|i| entry(&format!("r{i}"), i, true)).collect();
    let plan = plan_alerts(&read, &settled(&[]), true, Lang::Id);
    assert!(plan.alerts.is_empty());
    assert_eq!(plan.settled.len(), 3);
}

#[test]
fn many_new_at_once_are_summed_up_and_urgency_carries_over() {
    let mut entries: Vec<_> = (0..=MAX_SINGLE_ALERTS as i64)
        .map(|i| entry(&format!("n{i}"), i, false))
        .collect();
    let plan = plan_alerts(&entries, &settled(&[]), false, Lang::En);
    assert_eq!(plan.alerts.len(), 1);
    assert_eq!(
        plan.alerts[0].title,
        format!("New notifications: {}", MAX_SINGLE_ALERTS + 1)
    );
    assert!(!plan.alerts[0].urgent);
    entries[2].notification.priority = Priority::High;
    assert!(plan_alerts(&entries, &settled(&[]), false, Lang::En).alerts[0].urgent);
    // Up to the limit, one each; a "mendesak" one is raised as urgent.
    let few = &entries[1..];
    let plan = plan_alerts(few, &settled(&[]), false, Lang::Id);
    assert_eq!(plan.alerts.len(), MAX_SINGLE_ALERTS);
    let urgent: Vec<bool> = plan.alerts.iter().map(|a| a.urgent).collect();
    assert_eq!(urgent, [false, true, false]);
}

/// Stands in for the platform's notification service, which does not run here (no D-Bus
/// notification daemon, no Android): it records what it was asked to show.
#[derive(Default)]
struct Recorder(Mutex<Vec<OsAlert>>);

impl OsNotifier for Recorder {
    fn show(&self, alert: &OsAlert) -> Result<(), String> {
        self.0.lock().unwrap().push(alert.clone());
        Ok(())
    }
}

impl Recorder {
    fn take(&self) -> Vec<String> {
        self.0.lock().unwrap().drain(..).map(|a| a.title).collect()
    }
}

fn pull(store: &Store, cursor: &str, notes: Vec<AppNotification>) {
    let changes = notes
        .into_iter()
        .map(|n| Change {
            entity: EntityKind::Notification,
            id: n.id.clone(),
            record: Some(Record::Notification(Box::new(n))),
        })
        .collect();
    store
        .apply_pull_page(&PullPage {
            changes,
            cursor: cursor.into(),
            has_more: false,
            remaining: 0,
        })
        .unwrap();
}

#[test]
fn syncs_raise_each_notification_once_across_restarts_and_sign_out_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store = Store::open(&path, Variant::Internal).unwrap();
    let shown = Recorder::default();

    // First sync: an old backlog of two unread and one read → one summary.
    pull(
        &store,
        "c1-1",
        vec![
            note("old1", 600, Priority::Normal, false),
            note("old2", 500, Priority::Normal, false),
            note("old3", 400, Priority::Normal, true),
        ],
    );
    assert_eq!(
        announce_new_notifications(&store, Lang::Id, &shown).unwrap(),
        1
    );
    assert_eq!(shown.take(), ["2 notifikasi baru"]);
    // A sync with nothing new raises nothing.
    assert_eq!(
        announce_new_notifications(&store, Lang::Id, &shown).unwrap(),
        0
    );

    // The next sync brings one new notification: raised on its own, with its own words.
    pull(&store, "c1-2", vec![note("new1", 1, Priority::High, false)]);
    assert_eq!(
        announce_new_notifications(&store, Lang::Id, &shown).unwrap(),
        1
    );
    assert_eq!(shown.take(), ["Judul new1"]);

    // The app restarts: nothing is raised again.
    drop(store);
    let store = Store::open(&path, Variant::Internal).unwrap();
    assert_eq!(
        announce_new_notifications(&store, Lang::Id, &shown).unwrap(),
        0
    );

    // One read here before the sync that brings it again (a newer version): still nothing.
    pull(
        &store,
        "c1-3",
        vec![note("new2", 1, Priority::Normal, false)],
    );
    store.mark_notification_read("new2").unwrap();
    assert_eq!(
        announce_new_notifications(&store, Lang::Id, &shown).unwrap(),
        0
    );
    assert!(shown.take().is_empty());

    // Signing out forgets the account's data: the next account's first sync is a first look.
    store.sign_out().unwrap();
    pull(
        &store,
        "c1-1",
        vec![note("other1", 90, Priority::Normal, false)],
    );
    assert_eq!(
        announce_new_notifications(&store, Lang::En, &shown).unwrap(),
        1
    );
    assert_eq!(shown.take(), ["New notifications: 1"]);
}

/// The builds without a platform notifier (tests, the liveview build of the browser tests)
/// raise nothing: the app there runs on the machine serving the browser.
#[cfg(not(any(
    feature = "os-notifications",
    all(target_os = "android", feature = "mobile")
)))]
#[test]
fn builds_without_a_platform_notifier_raise_nothing() {
    assert!(platform_notifier().is_none());
}
