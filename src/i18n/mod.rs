//! All user-facing text of the apps, one file per language (`id.rs`, `en.rs`). Screens take a
//! `&'static Texts` and never spell text themselves. Messages from the server or from core
//! validation already come in both languages ([`sepiion_core::validation::Msg`]).

mod en;
mod id;

use chrono_tz::Tz;
use sepiion_core::conflict::{Conflict, ConflictKind};
use sepiion_core::model::{RequestState, Role};
use sepiion_core::validation::Lang;
use sepiion_core::workflow::Action;

/// Every string the apps show.
pub struct Texts {
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
    pub schedule_title: &'static str,
    pub agenda_title: &'static str,
    pub view_day: &'static str,
    pub view_week: &'static str,
    pub all_leaders: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub today: &'static str,
    pub refresh: &'static str,
    pub no_public_items: &'static str,
    pub no_items: &'static str,
    pub represented_by: &'static str,
    pub dress_code: &'static str,
    pub status_tentative: &'static str,
    pub status_confirmed: &'static str,
    pub status_cancelled: &'static str,
    pub status_done: &'static str,
    pub status_label: &'static str,
    pub visibility: &'static str,
    pub visibility_public: &'static str,
    pub visibility_internal: &'static str,
    pub visibility_confidential: &'static str,
    pub attendance: &'static str,
    pub attendance_in_person: &'static str,
    pub attendance_represented: &'static str,
    pub attendance_absent: &'static str,
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
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub field_kind: &'static str,
    pub kind_undangan: &'static str,
    pub kind_audiensi: &'static str,
    pub kind_seremonial: &'static str,
    pub kind_lainnya: &'static str,
    pub field_leader: &'static str,
    pub either_leader: &'static str,
    pub field_title: &'static str,
    pub field_description: &'static str,
    pub field_start_date: &'static str,
    pub field_start_time: &'static str,
    pub field_end_date: &'static str,
    pub field_end_time: &'static str,
    pub field_location: &'static str,
    pub field_organizer: &'static str,
    pub field_requester_name: &'static str,
    pub field_phone: &'static str,
    pub field_phone_hint: &'static str,
    pub field_email: &'static str,
    pub field_attendees: &'static str,
    pub field_leader_role: &'static str,
    pub field_leader_role_hint: &'static str,
    pub field_dress_code: &'static str,
    pub field_letter_number: &'static str,
    pub field_attachment: &'static str,
    pub attachment_hint: &'static str,
    pub remove: &'static str,
    pub optional: &'static str,
    pub submit_request: &'static str,
    pub draft_saved: &'static str,
    pub form_has_errors: &'static str,
    pub submitted_title: &'static str,
    pub submitted_body: &'static str,
    pub waiting_to_send: &'static str,
    pub invalid_date: &'static str,
    pub invalid_number: &'static str,
    // My requests / tracking
    pub my_requests_title: &'static str,
    pub no_requests: &'static str,
    pub tracking_code: &'static str,
    pub copy_code: &'static str,
    pub copied: &'static str,
    pub share_whatsapp: &'static str,
    pub timeline: &'static str,
    pub proposed_time: &'static str,
    pub accept_proposal: &'static str,
    pub decline_proposal: &'static str,
    pub supply_info_label: &'static str,
    pub send: &'static str,
    pub cancel_request: &'static str,
    pub cancel_confirm: &'static str,
    pub reason_optional: &'static str,
    pub reason_required: &'static str,
    pub track_title: &'static str,
    pub track_intro: &'static str,
    pub track_button: &'static str,
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
    /// Request states, in the order of [`RequestState::ALL`].
    pub states: [&'static str; 10],
    /// Workflow actions, in the order of [`Action::ALL`].
    pub actions: [&'static str; 12],
    /// Staff roles, in the order of [`Role::ALL`].
    pub roles: [&'static str; 6],
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
}

/// The texts of a language.
pub fn texts(lang: Lang) -> &'static Texts {
    match lang {
        Lang::Id => &id::TEXTS,
        Lang::En => &en::TEXTS,
    }
}

impl Texts {
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
    /// The state's label (a chip, a filter).
    pub fn state_label(&self, s: RequestState) -> &'static str {
        self.states[position(&RequestState::ALL, &s)]
    }
    /// The action's label (a button).
    pub fn action_label(&self, a: Action) -> &'static str {
        self.actions[position(&Action::ALL, &a)]
    }
    pub fn role_label(&self, r: Role) -> &'static str {
        self.roles[position(&Role::ALL, &r)]
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
                &crate::ui::fmt::when(c.other_starts_at, c.other_ends_at, tz, lang),
            )
            .replace("{location}", &c.other_location)
    }
    pub fn kind_label(&self, kind: sepiion_core::RequestKind) -> &'static str {
        use sepiion_core::RequestKind::*;
        match kind {
            Undangan => self.kind_undangan,
            Audiensi => self.kind_audiensi,
            Seremonial => self.kind_seremonial,
            Lainnya => self.kind_lainnya,
        }
    }
    pub fn agenda_status(&self, s: sepiion_core::AgendaStatus) -> &'static str {
        use sepiion_core::AgendaStatus::*;
        match s {
            Tentative => self.status_tentative,
            Confirmed => self.status_confirmed,
            Cancelled => self.status_cancelled,
            Done => self.status_done,
        }
    }
    pub fn visibility_label(&self, v: sepiion_core::Visibility) -> &'static str {
        use sepiion_core::Visibility::*;
        match v {
            Public => self.visibility_public,
            Internal => self.visibility_internal,
            Confidential => self.visibility_confidential,
        }
    }
    pub fn attendance_label(&self, a: sepiion_core::Attendance) -> &'static str {
        use sepiion_core::Attendance::*;
        match a {
            InPerson => self.attendance_in_person,
            Represented => self.attendance_represented,
            Absent => self.attendance_absent,
        }
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

/// Where `x` is in `all` (the enums' `ALL` lists every variant, so it is always found).
fn position<T: PartialEq>(all: &[T], x: &T) -> usize {
    all.iter().position(|y| y == x).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_follow_the_language() {
        let (id, en) = (texts(Lang::Id), texts(Lang::En));
        assert_eq!(
            id.state_label(RequestState::AwaitingLeader),
            "Menunggu keputusan pimpinan"
        );
        assert_eq!(
            en.state_label(RequestState::AwaitingLeader),
            "Awaiting the leader's decision"
        );
        assert_eq!(id.action_label(Action::MarkDone), "Tandai selesai");
        assert_eq!(en.action_label(Action::MarkDone), "Mark as done");
        assert_eq!(id.role_label(Role::AgendaStaff), "Staf Agenda");
        assert_eq!(en.role_label(Role::AgendaStaff), "Agenda staff");
        // Every label differs from the next one: the arrays are not shifted or padded.
        for t in [id, en] {
            for list in [&t.states[..], &t.actions[..], &t.roles[..]] {
                for (i, a) in list.iter().enumerate() {
                    assert!(!a.is_empty());
                    assert!(list[i + 1..].iter().all(|b| b != a), "{a} twice");
                }
            }
        }
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
                t.submit_request,
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
