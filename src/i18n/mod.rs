//! The apps' own texts, one file per language (`id.rs`, `en.rs`). Screens take a
//! `&'static Texts` and spell no words themselves: what only the apps show is here; what the
//! server shows too (states, kinds, roles, agenda statuses, the request form's field labels, "Kode
//! disalin.") is core's catalogue, reached as `t.words` ([`sepiion_core::i18n`]); dates and times
//! come from [`sepiion_core::time`]. Messages from the server or from core validation already come
//! in both languages ([`sepiion_core::validation::Msg`]).

mod en;
mod id;

use chrono_tz::Tz;
use sepiion_core::conflict::{Conflict, ConflictKind};
use sepiion_core::i18n::{Lang, Words};

/// Every string the apps show.
pub struct Texts {
    /// The words the apps share with the server (labels of states, kinds, roles, statuses,
    /// the request form's fields, "Permohonan terkirim"), from core's catalogue.
    pub words: &'static Words,
    pub app_public: &'static str,
    pub app_internal: &'static str,
    // Navigation
    pub tab_schedule: &'static str,
    pub tab_request: &'static str,
    pub tab_my_requests: &'static str,
    pub tab_track: &'static str,
    pub tab_settings: &'static str,
    pub tab_inbox: &'static str,
    pub tab_agenda: &'static str,
    pub tab_sync: &'static str,
    pub tab_notifications: &'static str,
    pub notifications_title: &'static str,
    pub no_notifications: &'static str,
    /// Label of the unread count, for screen readers.
    pub unread: &'static str,
    pub back: &'static str,
    // Schedule / agenda
    pub agenda_title: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub refresh: &'static str,
    pub no_public_items: &'static str,
    pub no_items: &'static str,
    pub status_label: &'static str,
    pub visibility: &'static str,
    pub attendance: &'static str,
    pub assigned_staff: &'static str,
    pub running_order: &'static str,
    pub internal_notes: &'static str,
    pub category: &'static str,
    pub new_item: &'static str,
    pub edit_item: &'static str,
    pub cancel_item: &'static str,
    pub cancel_reason: &'static str,
    pub save: &'static str,
    pub conflict_heading: &'static str,
    pub staff_name: &'static str,
    pub staff_duty: &'static str,
    pub add_staff: &'static str,
    // Request form
    pub remove: &'static str,
    pub draft_saved: &'static str,
    pub form_has_errors: &'static str,
    pub submitted_body: &'static str,
    pub waiting_to_send: &'static str,
    pub invalid_date: &'static str,
    pub invalid_number: &'static str,
    // My requests / tracking
    pub my_requests_title: &'static str,
    pub no_requests: &'static str,
    pub accept_proposal: &'static str,
    pub decline_proposal: &'static str,
    pub supply_info_label: &'static str,
    pub send: &'static str,
    pub cancel_request: &'static str,
    pub cancel_confirm: &'static str,
    pub reason_optional: &'static str,
    pub reason_required: &'static str,
    pub track_offline: &'static str,
    pub track_not_found: &'static str,
    pub requested_by: &'static str,
    pub staff_asked: &'static str,
    // Settings
    pub settings_title: &'static str,
    pub language: &'static str,
    pub server_address: &'static str,
    pub server_saved: &'static str,
    pub server_default: &'static str,
    pub about: &'static str,
    pub about_body: &'static str,
    // Internal: login, inbox, detail
    pub login_title: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub login_button: &'static str,
    pub login_missing: &'static str,
    pub login_offline: &'static str,
    pub login_failed: &'static str,
    pub session_expired_notice: &'static str,
    pub account_deactivated_notice: &'static str,
    pub logout: &'static str,
    pub logout_confirm: &'static str,
    pub signed_in_as: &'static str,
    pub inbox_title: &'static str,
    pub needs_my_action: &'static str,
    /// Under a long inbox: "{shown} dari {total} permohonan ditampilkan".
    pub inbox_shown: &'static str,
    pub show_more: &'static str,
    /// The inbox when no request matches (the filters, or none at all).
    pub inbox_empty: &'static str,
    /// Badge of a request whose event starts sooner than the lead time.
    /// A wa.me link with the requester's status message pre-filled.
    pub send_by_whatsapp: &'static str,
    pub notification_settings: &'static str,
    pub notification_channels: &'static str,
    pub ntfy_subscribe_hint: &'static str,
    /// The accessible name of the ntfy topic's QR code.
    pub ntfy_qr_label: &'static str,
    /// A queued read mark, in the list of unsent changes.
    pub notification_read_change: &'static str,
    /// The operating-system notification that sums up a backlog: "{n} notifikasi baru".
    pub os_summary_title: &'static str,
    pub os_summary_body: &'static str,
    pub load_settings: &'static str,
    /// "Simpan" on notification settings that were never loaded: nothing sent.
    pub settings_not_loaded: &'static str,
    pub settings_saved: &'static str,
    pub urgent: &'static str,
    /// The form's warning when the event starts sooner than the lead time (`{days}`).
    pub urgent_warning: &'static str,
    pub all_states: &'static str,
    pub filter_from: &'static str,
    pub filter_to: &'static str,
    pub detail_title: &'static str,
    pub requester: &'static str,
    pub contact: &'static str,
    pub attendees: &'static str,
    pub letter: &'static str,
    pub attachments: &'static str,
    pub supplied_info: &'static str,
    pub notes_title: &'static str,
    pub no_notes: &'static str,
    pub note_instruction: &'static str,
    pub note_text: &'static str,
    pub add_note: &'static str,
    pub actions_title: &'static str,
    pub no_actions: &'static str,
    pub choose_leader: &'static str,
    pub choose_representative: &'static str,
    pub proposed_start: &'static str,
    pub proposed_end: &'static str,
    pub confirm_action: &'static str,
    pub conflicts_before_approve: &'static str,
    // Sync
    pub online: &'static str,
    pub offline: &'static str,
    pub pending_changes: &'static str,
    pub last_sync: &'static str,
    pub never_synced: &'static str,
    pub syncing: &'static str,
    pub sync_failed: &'static str,
    pub sync_now: &'static str,
    pub sync_title: &'static str,
    pub conflicts_title: &'static str,
    pub no_conflicts: &'static str,
    pub conflict_explain: &'static str,
    pub keep_mine: &'static str,
    pub take_server: &'static str,
    pub rejected_title: &'static str,
    pub discard: &'static str,
    pub not_sent_yet: &'static str,
    /// "Catatan: …" before a queued note's text.
    pub note_prefix: &'static str,
    /// "Batal: …" before a queued cancellation's reason.
    pub cancelled_prefix: &'static str,
    /// "Server: …" before the server's version of a conflicting record.
    pub server_version: &'static str,
    /// A clash by overlap: `{title}`, `{when}`, `{location}` are filled in.
    pub conflict_overlap: &'static str,
    /// A clash by travel time: `{minutes}`, `{title}`, `{when}`, `{location}`.
    pub conflict_travel: &'static str,
    // Outputs: calendar feeds, sharing the agenda, reports
    pub subscribe_calendar: &'static str,
    pub subscribe_hint: &'static str,
    pub my_calendar: &'static str,
    pub my_calendar_hint: &'static str,
    pub calendar_active: &'static str,
    pub calendar_none: &'static str,
    pub calendar_shown_once: &'static str,
    pub renew_calendar: &'static str,
    pub check_calendar: &'static str,
    pub needs_network: &'static str,
    pub share_agenda: &'static str,
    pub agenda_sheet_heading: &'static str,
    /// The buttons that save the server's Agenda Harian sheet, and what became of it.
    pub sheet_pdf: &'static str,
    pub sheet_png: &'static str,
    pub sheet_saved: &'static str,
    pub sheet_busy: &'static str,
    pub sheet_not_saved: &'static str,
    pub tab_reports: &'static str,
    pub reports_title: &'static str,
    pub report_month: &'static str,
    pub show_report: &'static str,
    pub report_agenda: &'static str,
    pub report_categories: &'static str,
    pub report_requests: &'static str,
    pub report_kinds: &'static str,
    pub report_response: &'static str,
    pub report_first_action: &'static str,
    pub report_decision: &'static str,
    pub report_no_data: &'static str,
    pub outcome_attended: &'static str,
    pub outcome_represented: &'static str,
    pub outcome_declined: &'static str,
    pub outcome_cancelled: &'static str,
    pub outcome_open: &'static str,
    // The "sent" screen after submitting, and attachments (issue 23)
    pub your_code: &'static str,
    pub sent_waiting_body: &'static str,
    pub see_status: &'static str,
    pub new_request: &'static str,
    pub copy_failed: &'static str,
    pub open_file: &'static str,
    pub opening_file: &'static str,
    pub file_opened: &'static str,
    pub file_downloaded: &'static str,
    pub file_not_opened: &'static str,
    pub file_needs_network: &'static str,
    pub attachment_added: &'static str,
    pub attachment_unreadable: &'static str,
    pub server_in_use: &'static str,
    pub server_after_restart: &'static str,
    /// The message "Bagikan lewat WhatsApp" prepares: `{title}`, `{code}` and `{link}` (where
    /// the request can be tracked on the web) are filled in.
    pub share_code_message: &'static str,
    // Issue 23: destructive actions ask once, naming what will happen (`{title}`, `{when}`, `{n}`).
    pub confirm_cancel_request: &'static str,
    pub cancel_item_confirm: &'static str,
    pub confirm_cancel_item: &'static str,
    pub decline_confirm: &'static str,
    pub staff_cancel_confirm: &'static str,
    pub logout_unsent: &'static str,
    pub logout_all_sent: &'static str,
    pub confirm_logout: &'static str,
    // Issue 23: what an action did, and who core's rule tells (`{leader}`, `{rep}`, `{state}`, `{who}`).
    pub done_start_review: &'static str,
    pub done_request_info: &'static str,
    pub done_forward: &'static str,
    pub done_propose_time: &'static str,
    pub done_approve: &'static str,
    pub done_represent: &'static str,
    pub done_decline: &'static str,
    pub done_cancel: &'static str,
    pub done_mark_done: &'static str,
    pub done_other: &'static str,
    pub told: &'static str,
    pub told_when_sent: &'static str,
    pub and: &'static str,
    pub recipient_requester: &'static str,
    pub item_cancelled: &'static str,
    pub note_added: &'static str,
    // Issue 23: "Sinkronkan sekarang" with nothing new (`{time}`).
    pub up_to_date: &'static str,
    // Issue 24: `@names` of a note that match no account (`{names}`).
    pub mentions_unknown_server: &'static str,
    /// Before sending a note: its `@names` that match no staff account (`{names}`).
    pub mentions_unknown: &'static str,
    // Issue 24: the Laporan screen.
    pub hours_unit: &'static str,
    pub report_count: &'static str,
    pub report_item: &'static str,
    pub past_days: &'static str,
}

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Id => &id::TEXTS,
        Lang::En => &en::TEXTS,
    }
}

impl Texts {
    /// A request-form field's label, by its draft name ([`sepiion_core::draft::FIELDS`]).
    pub fn field(&self, name: &'static str) -> &'static str {
        self.words.field(name).unwrap_or(name)
    }
    /// "3 perubahan belum terkirim".
    pub fn pending(&self, n: i64) -> String {
        self.pending_changes.replace("{n}", &n.to_string())
    }
    /// "50 dari 1.000 permohonan ditampilkan".
    pub fn inbox_shown_of(&self, shown: usize, total: i64) -> String {
        self.inbox_shown
            .replace("{shown}", &shown.to_string())
            .replace("{total}", &total.to_string())
    }
    /// "3 notifikasi baru" (an operating-system notification that sums up several).
    pub fn os_summary(&self, n: usize) -> String {
        self.os_summary_title.replace("{n}", &n.to_string())
    }
    /// The form's warning for an event sooner than the lead time.
    pub fn urgent_warning_for(&self, days: i64) -> String {
        self.urgent_warning.replace("{days}", &days.to_string())
    }
    /// A sentence naming the item a slot clashes with.
    pub fn conflict(&self, c: &Conflict, tz: Tz, lang: Lang) -> String {
        let template = match c.kind {
            ConflictKind::Overlap => self.conflict_overlap,
            ConflictKind::TravelBuffer => self.conflict_travel,
        };
        template
            .replace("{minutes}", &c.gap_minutes.to_string())
            .replace("{title}", &c.other_title)
            .replace(
                "{when}",
                &sepiion_core::time::when(c.other_starts_at, c.other_ends_at, tz, lang),
            )
            .replace("{location}", &c.other_location)
    }
    /// The label of an outcome code of the monthly report (the code itself when unknown).
    pub fn outcome_label(&self, code: &str) -> String {
        match code {
            "attended" => self.outcome_attended,
            "represented" => self.outcome_represented,
            "declined" => self.outcome_declined,
            "cancelled" => self.outcome_cancelled,
            "open" => self.outcome_open,
            other => other,
        }
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_words_are_cores_in_the_same_language() {
        for lang in Lang::ALL {
            assert!(std::ptr::eq(texts(lang).words, lang.words()));
        }
        let (id, en) = (texts(Lang::Id), texts(Lang::En));
        assert_eq!(id.field("start_date"), "Tanggal mulai");
        assert_eq!(en.field("start_date"), "Start date");
        assert_eq!(id.words.code_copied, "Kode disalin.");
    }

    #[test]
    fn conflicts_are_described_in_both_languages() {
        use chrono::TimeZone;
        let at = |h| chrono::Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0).unwrap();
        let c = Conflict {
            kind: ConflictKind::TravelBuffer,
            other_id: "b".into(),
            other_title: "Rapat Paripurna".into(),
            other_starts_at: at(1),
            other_ends_at: at(2),
            other_location: "Gedung DPRD".into(),
            gap_minutes: 20,
        };
        let tz = chrono_tz::Asia::Makassar;
        let id = texts(Lang::Id).conflict(&c, tz, Lang::Id);
        assert!(
            id.starts_with("Hanya 20 menit dari \"Rapat Paripurna\""),
            "{id}"
        );
        assert!(
            id.contains("Senin, 30 November 2026") && id.contains("WITA"),
            "{id}"
        );
        assert!(id.contains("Gedung DPRD"), "{id}");
        let en = texts(Lang::En).conflict(&c, tz, Lang::En);
        assert!(
            en.starts_with("Only 20 minutes from \"Rapat Paripurna\""),
            "{en}"
        );
        assert!(en.contains("Monday") && en.contains("Gedung DPRD"), "{en}");
    }

    #[test]
    fn both_languages_fill_every_text() {
        for lang in [Lang::Id, Lang::En] {
            let t = texts(lang);
            // The struct has no Default, so every field is set; check none is left empty.
            for s in [
                t.app_public,
                t.tab_schedule,
                t.words.submit_request,
                t.pending_changes,
                t.keep_mine,
            ] {
                assert!(!s.is_empty());
            }
            assert!(t.pending(3).contains('3'));
        }
        assert_eq!(texts(Lang::Id).tab_request, "Ajukan");
    }
}
