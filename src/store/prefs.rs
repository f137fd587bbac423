//! The app's own settings and drafts (language, server address, the request form as typed),
//! and signing out, which wipes the signed-in account's data from the device.

use chrono::Duration;
use sepiion_core::api::ServerInfo;
use sepiion_core::conflict::DEFAULT_TRAVEL_BUFFER_MINUTES;
use sepiion_core::validation::Lang;

use super::{Store, StoreResult, delete_state, get_state, set_state};

/// The key of the language both apps speak (the user's choice in Settings).
const LANG_KEY: &str = "pref_lang";

/// The server's travel buffer, as last fetched.
const TRAVEL_BUFFER_KEY: &str = "server_travel_buffer_minutes";
/// The server's lead time in days (from `/api/v1/public/info`); a device setting, since every
/// account on the device talks to the same server.
const LEAD_TIME_KEY: &str = "pref_server_lead_time_days";

/// The signed-in staff member's notification settings as last fetched (account data: a
/// sign-out removes it).
const NOTIFY_SETTINGS_KEY: &str = "notification_settings";
/// The names an `@mention` may match, as the server last said (wiped at sign-out).
const MENTION_NAMES_KEY: &str = "mention_names";

/// Prefixes of `sync_state` keys that belong to the device, not to an account: they survive a
/// sign-out and a full resync.
const DEVICE_KEYS: [&str; 2] = ["pref_", "draft_"];

impl Store {
    /// A preference or draft (`pref_*`, `draft_*`).
    pub fn pref(&self, key: &str) -> StoreResult<Option<String>> {
        self.read(|tx| get_state(tx, key))
    }

    /// Sets a preference or draft; `None` removes it.
    pub fn set_pref(&self, key: &str, value: Option<&str>) -> StoreResult<()> {
        self.write(|tx| match value {
            Some(v) => set_state(tx, key, v),
            None => delete_state(tx, key),
        })
    }

    /// The language the user chose; Bahasa Indonesia until they choose.
    pub fn language(&self) -> StoreResult<Lang> {
        Ok(self
            .pref(LANG_KEY)?
            .as_deref()
            .and_then(Lang::parse)
            .unwrap_or_default())
    }

    pub fn set_language(&self, lang: Lang) -> StoreResult<()> {
        self.set_pref(LANG_KEY, Some(lang.as_str()))
    }

    /// Keeps the server's settings that local checks need.
    pub fn set_server_info(&self, info: &ServerInfo) -> StoreResult<()> {
        self.write(|tx| {
            set_state(
                tx,
                TRAVEL_BUFFER_KEY,
                &info.travel_buffer_minutes.to_string(),
            )?;
            set_state(tx, LEAD_TIME_KEY, &info.lead_time_days.to_string())
        })
    }

    /// The time needed between items at different places for local conflict warnings: the
    /// server's setting once a sync has fetched it, else the default.
    pub fn travel_buffer(&self) -> StoreResult<Duration> {
        let minutes = self
            .read(|tx| get_state(tx, TRAVEL_BUFFER_KEY))?
            .and_then(|m| m.parse::<i64>().ok())
            .unwrap_or(DEFAULT_TRAVEL_BUFFER_MINUTES);
        Ok(Duration::minutes(minutes))
    }

    /// The regency's lead time for "mendesak": the server's figure once a sync fetched it, the
    /// server's default before that.
    pub fn lead_time(&self) -> StoreResult<chrono::Duration> {
        let days = self
            .pref(LEAD_TIME_KEY)?
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(sepiion_core::notify::DEFAULT_LEAD_TIME_DAYS);
        Ok(chrono::Duration::days(days))
    }

    pub fn set_lead_time_days(&self, days: i64) -> StoreResult<()> {
        self.set_pref(LEAD_TIME_KEY, Some(&days.to_string()))
    }

    /// The notification settings last fetched from the server, if any.
    pub fn notification_settings(
        &self,
    ) -> StoreResult<Option<sepiion_core::api::NotificationSettings>> {
        Ok(self
            .read(|tx| get_state(tx, NOTIFY_SETTINGS_KEY))?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn set_notification_settings(
        &self,
        settings: &sepiion_core::api::NotificationSettings,
    ) -> StoreResult<()> {
        let json = serde_json::to_string(settings).unwrap_or_default();
        self.write(|tx| set_state(tx, NOTIFY_SETTINGS_KEY, &json))
    }

    /// The names an `@mention` may match, as last fetched; `None` before the first fetch.
    pub fn mention_names(&self) -> StoreResult<Option<Vec<String>>> {
        Ok(self
            .read(|tx| get_state(tx, MENTION_NAMES_KEY))?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    pub fn set_mention_names(&self, names: &[String]) -> StoreResult<()> {
        let json = serde_json::to_string(names).unwrap_or_default();
        self.write(|tx| set_state(tx, MENTION_NAMES_KEY, &json))
    }

    /// The `@names` of a note (its instruction and text) that match none of the names the
    /// server gave; empty when the device has no list yet (the server's answer then tells).
    pub fn unmatched_mentions(&self, instruction: &str, text: &str) -> Vec<String> {
        let Ok(Some(known)) = self.mention_names() else {
            return Vec::new();
        };
        sepiion_core::notify::person_mentions(instruction, text)
            .into_iter()
            .filter(|m| !known.iter().any(|k| k == m))
            .collect()
    }

    /// Signs the staff member out: their session, every cached record, the attachments opened,
    /// the outbox and the sync position are removed from the device. Preferences stay.
    pub fn sign_out(&self) -> StoreResult<()> {
        self.write(|tx| {
            tx.execute("DELETE FROM records", [])?;
            tx.execute("DELETE FROM outbox", [])?;
            tx.execute("DELETE FROM attachment_files", [])?;
            let keep = DEVICE_KEYS
                .iter()
                .map(|p| format!("key NOT LIKE '{p}%'"))
                .collect::<Vec<_>>()
                .join(" AND ");
            // The prefixes are constants of this file, not input.
            tx.execute(&format!("DELETE FROM sync_state WHERE {keep}"), [])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::platform::Variant;
    use crate::store::{Identity, Store};
    use sepiion_core::api::LoginResponse;
    use sepiion_core::model::{Role, StaffUser};
    use sepiion_core::validation::Lang;

    #[test]
    fn sign_out_forgets_the_account_but_keeps_preferences() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db"), Variant::Internal).unwrap();
        assert_eq!(
            store.language().unwrap(),
            Lang::Id,
            "Indonesian until chosen"
        );
        store.set_language(Lang::En).unwrap();
        store
            .set_session(&LoginResponse {
                token: "sps_x".into(),
                expires_at: chrono::Utc::now(),
                user: StaffUser {
                    id: 1,
                    username: "protokol".into(),
                    display_name: "Kadek".into(),
                    role: Role::Protocol,
                    leader_id: None,
                    active: true,
                },
            })
            .unwrap();
        assert!(matches!(store.identity().unwrap(), Identity::Staff { .. }));
        store.sign_out().unwrap();
        assert_eq!(store.identity().unwrap(), Identity::None);
        assert_eq!(
            store.language().unwrap(),
            Lang::En,
            "the language survives a sign-out"
        );
        store.set_language(Lang::Id).unwrap();
        assert_eq!(store.language().unwrap(), Lang::Id);
    }

    #[test]
    fn the_lead_time_is_the_servers_once_known_and_survives_a_sign_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("c.db"), Variant::Internal).unwrap();
        assert_eq!(store.lead_time().unwrap(), chrono::Duration::days(7));
        store.set_lead_time_days(3).unwrap();
        store.sign_out().unwrap();
        assert_eq!(store.lead_time().unwrap(), chrono::Duration::days(3));
    }
}
