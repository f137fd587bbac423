//! The words the apps and the server both show, in Bahasa Indonesia and English: the language
//! type, the names of request states, kinds, roles, agenda statuses, visibilities and attendance,
//! the request form's field labels, and the few phrases the public app and the web portal share
//! (a sent request, a copied code). One wording per language, so the app, the portal, the Agenda
//! Harian sheet, the lobby display and the notifications never drift apart.
//!
//! Texts of a single screen stay with that screen's catalogue (`src/i18n` in the apps, the
//! portal's `i18n.rs` on the server); dates and times are written by [`crate::time`].

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::model::{AgendaStatus, Attendance, RequestKind, RequestState, Role, Visibility};
use crate::report::Outcome;
use crate::time::zone_abbrev;
use crate::workflow::Action;

codes!(Lang);

/// The languages the apps and the API speak.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
    strum::EnumCount,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// Picks the language from an HTTP `Accept-Language` value; Indonesian unless English is
    /// preferred.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(h) = header else { return Lang::Id };
        for part in h.split(',') {
            let tag = part
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if tag.starts_with("id") || tag.starts_with("in") {
                return Lang::Id;
            }
            if tag.starts_with("en") {
                return Lang::En;
            }
        }
        Lang::Id
    }

    /// The shared words in this language.
    pub fn words(self) -> &'static Words {
        match self {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }
}

/// The shared words of one language. Enum labels are methods (an exhaustive `match`, so a new
/// variant cannot go without a label); plain phrases are fields.
pub struct Words {
    pub lang: Lang,
    /// After an optional field's label: "(opsional)".
    pub optional: &'static str,
    /// The spoken name of the `*` after a required field's label.
    pub required: &'static str,
    /// A request the server has accepted (it has its tracking code).
    pub request_sent: &'static str,
    /// A request kept on the device until it can be sent.
    pub request_saved_offline: &'static str,
    pub tracking_code: &'static str,
    pub copy_code: &'static str,
    pub code_copied: &'static str,
    pub share_whatsapp: &'static str,
    /// The leader choice "whichever leader".
    pub either_leader: &'static str,
    /// Before a representative's name: "Diwakili oleh".
    pub represented_by: &'static str,
    pub field_phone_hint: &'static str,
    pub field_leader_role_hint: &'static str,
    /// The request form's attachment (not a draft field: it is uploaded beside the form).
    pub field_attachment: &'static str,
    pub attachment_hint: &'static str,
    // The public journey's headings and buttons, the same in the public app and the portal.
    /// The public schedule's heading (app screen and portal page).
    pub schedule_title: &'static str,
    pub view_day: &'static str,
    pub view_week: &'static str,
    pub all_leaders: &'static str,
    pub today: &'static str,
    /// The request form's heading.
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub submit_request: &'static str,
    pub track_title: &'static str,
    pub track_intro: &'static str,
    pub track_button: &'static str,
    /// The other time staff propose for a request.
    pub proposed_time: &'static str,
    pub timeline: &'static str,
}

/// Bahasa Indonesia.
pub static ID: Words = Words {
    lang: Lang::Id,
    optional: "(opsional)",
    required: "wajib",
    request_sent: "Permohonan terkirim",
    request_saved_offline: "Permohonan tersimpan di perangkat ini",
    tracking_code: "Kode pelacakan",
    copy_code: "Salin kode",
    code_copied: "Kode disalin.",
    share_whatsapp: "Bagikan lewat WhatsApp",
    either_leader: "Bupati atau Wakil Bupati",
    represented_by: "Diwakili oleh",
    field_phone_hint: "Contoh: 0812 3456 7890",
    field_leader_role_hint: "Misalnya: memberi sambutan, membuka acara, menghadiri",
    field_attachment: "Surat undangan",
    attachment_hint: "PDF, JPEG atau PNG, paling besar 5 MB.",
    schedule_title: "Jadwal Pimpinan",
    view_day: "Hari",
    view_week: "Minggu",
    all_leaders: "Semua pimpinan",
    today: "Hari ini",
    form_title: "Ajukan Permohonan",
    form_intro: "Undang pimpinan ke acara Anda, ajukan audiensi, atau minta pimpinan membuka kegiatan. Isian bertanda * wajib diisi.",
    submit_request: "Kirim permohonan",
    track_title: "Lacak Permohonan",
    track_intro: "Masukkan kode pelacakan yang Anda terima setelah mengirim permohonan.",
    track_button: "Lacak",
    proposed_time: "Usulan waktu lain",
    timeline: "Riwayat",
};

/// English.
pub static EN: Words = Words {
    lang: Lang::En,
    optional: "(optional)",
    required: "required",
    request_sent: "Request sent",
    request_saved_offline: "Request saved on this device",
    tracking_code: "Tracking code",
    copy_code: "Copy code",
    code_copied: "Code copied.",
    share_whatsapp: "Share on WhatsApp",
    either_leader: "Either leader",
    represented_by: "Represented by",
    field_phone_hint: "E.g. 0812 3456 7890",
    field_leader_role_hint: "E.g. give a speech, open the event, attend",
    field_attachment: "Invitation letter",
    attachment_hint: "PDF, JPEG or PNG, at most 5 MB.",
    schedule_title: "The leaders' schedule",
    view_day: "Day",
    view_week: "Week",
    all_leaders: "All leaders",
    today: "Today",
    form_title: "Submit a request",
    form_intro: "Invite a leader to your event, ask for an audience, or ask a leader to open an activity. Fields marked * are required.",
    submit_request: "Send request",
    track_title: "Track a request",
    track_intro: "Enter the tracking code you received after sending your request.",
    track_button: "Track",
    proposed_time: "Proposed time",
    timeline: "History",
};

impl Words {
    /// A request state's name (a chip, a filter, a notification).
    pub fn state(&self, s: RequestState) -> &'static str {
        use RequestState::*;
        match (self.lang, s) {
            (Lang::Id, Submitted) => "Diajukan",
            (Lang::Id, InReview) => "Ditinjau",
            (Lang::Id, AwaitingLeader) => "Menunggu keputusan pimpinan",
            (Lang::Id, Approved) => "Disetujui",
            (Lang::Id, Represented) => "Diwakilkan",
            (Lang::Id, Declined) => "Ditolak",
            (Lang::Id, NeedsInfo) => "Perlu dilengkapi",
            (Lang::Id, TimeProposed) => "Usul waktu lain",
            (Lang::Id, Cancelled) => "Dibatalkan",
            (Lang::Id, Done) => "Selesai",
            (Lang::En, Submitted) => "Submitted",
            (Lang::En, InReview) => "In review",
            (Lang::En, AwaitingLeader) => "Awaiting the leader's decision",
            (Lang::En, Approved) => "Approved",
            (Lang::En, Represented) => "Represented",
            (Lang::En, Declined) => "Declined",
            (Lang::En, NeedsInfo) => "Needs more information",
            (Lang::En, TimeProposed) => "Another time proposed",
            (Lang::En, Cancelled) => "Cancelled",
            (Lang::En, Done) => "Done",
        }
    }

    /// A workflow action (a button; the server's "not allowed" messages).
    pub fn action(&self, a: Action) -> &'static str {
        use Action::*;
        match (self.lang, a) {
            (Lang::Id, StartReview) => "Mulai tinjau",
            (Lang::Id, RequestInfo) => "Minta dilengkapi",
            (Lang::Id, SupplyInfo) => "Lengkapi permohonan",
            (Lang::Id, ForwardToLeader) => "Teruskan ke pimpinan",
            (Lang::Id, ProposeTime) => "Usulkan waktu lain",
            (Lang::Id, AcceptProposal) => "Terima usulan waktu",
            (Lang::Id, DeclineProposal) => "Tolak usulan waktu",
            (Lang::Id, Approve) => "Setujui (hadir sendiri)",
            (Lang::Id, Represent) => "Diwakilkan",
            (Lang::Id, Decline) => "Tolak",
            (Lang::Id, Cancel) => "Batalkan",
            (Lang::Id, MarkDone) => "Tandai selesai",
            (Lang::En, StartReview) => "Start review",
            (Lang::En, RequestInfo) => "Ask for more information",
            (Lang::En, SupplyInfo) => "Add the information",
            (Lang::En, ForwardToLeader) => "Forward to the leader",
            (Lang::En, ProposeTime) => "Propose another time",
            (Lang::En, AcceptProposal) => "Accept the proposed time",
            (Lang::En, DeclineProposal) => "Decline the proposed time",
            (Lang::En, Approve) => "Approve (attends in person)",
            (Lang::En, Represent) => "Send a representative",
            (Lang::En, Decline) => "Decline",
            (Lang::En, Cancel) => "Cancel",
            (Lang::En, MarkDone) => "Mark as done",
        }
    }

    /// What the requester asks for.
    pub fn kind(&self, k: RequestKind) -> &'static str {
        use RequestKind::*;
        match (self.lang, k) {
            (Lang::Id, Undangan) => "Undangan menghadiri acara",
            (Lang::Id, Audiensi) => "Audiensi",
            (Lang::Id, Seremonial) => "Seremonial / membuka acara",
            (Lang::Id, Lainnya) => "Lainnya",
            (Lang::En, Undangan) => "Invitation to attend an event",
            (Lang::En, Audiensi) => "Audience",
            (Lang::En, Seremonial) => "Ceremony / opening an event",
            (Lang::En, Lainnya) => "Other",
        }
    }

    /// A staff role. Written out in full ("Sekretaris pribadi", not "Sespri"): requesters read
    /// these names too.
    pub fn role(&self, r: Role) -> &'static str {
        use Role::*;
        match (self.lang, r) {
            (Lang::Id, Admin) => "Admin",
            (Lang::Id, Protocol) => "Staf protokol",
            (Lang::Id, Adc) => "Ajudan",
            (Lang::Id, Sespri) => "Sekretaris pribadi",
            (Lang::Id, AgendaStaff) => "Staf agenda",
            (Lang::Id, Leader) => "Pimpinan",
            (Lang::En, Admin) => "Administrator",
            (Lang::En, Protocol) => "Protocol staff",
            (Lang::En, Adc) => "Adjutant",
            (Lang::En, Sespri) => "Personal secretary",
            (Lang::En, AgendaStaff) => "Agenda staff",
            (Lang::En, Leader) => "Leader",
        }
    }

    /// An agenda item's status.
    pub fn agenda_status(&self, s: AgendaStatus) -> &'static str {
        use AgendaStatus::*;
        match (self.lang, s) {
            (Lang::Id, Tentative) => "Sementara",
            (Lang::Id, Confirmed) => "Pasti",
            (Lang::Id, Cancelled) => "Batal",
            (Lang::Id, Done) => "Selesai",
            (Lang::En, Tentative) => "Tentative",
            (Lang::En, Confirmed) => "Confirmed",
            (Lang::En, Cancelled) => "Cancelled",
            (Lang::En, Done) => "Done",
        }
    }

    /// Who may see an agenda item.
    pub fn visibility(&self, v: Visibility) -> &'static str {
        use Visibility::*;
        match (self.lang, v) {
            (Lang::Id, Public) => "Publik",
            (Lang::Id, Internal) => "Internal",
            (Lang::Id, Confidential) => "Rahasia",
            (Lang::En, Public) => "Public",
            (Lang::En, Internal) => "Internal",
            (Lang::En, Confidential) => "Confidential",
        }
    }

    /// How the leader attends (a choice, a report row).
    pub fn attendance(&self, a: Attendance) -> &'static str {
        use Attendance::*;
        match (self.lang, a) {
            (Lang::Id, InPerson) => "Hadir sendiri",
            (Lang::Id, Represented) => "Diwakilkan",
            (Lang::Id, Absent) => "Tidak hadir",
            (Lang::En, InPerson) => "In person",
            (Lang::En, Represented) => "Represented",
            (Lang::En, Absent) => "Absent",
        }
    }

    /// Where a request ended up (a report row).
    pub fn outcome(&self, o: Outcome) -> &'static str {
        use Outcome::*;
        match (self.lang, o) {
            (Lang::Id, Attended) => "Dihadiri pimpinan",
            (Lang::Id, Outcome::Represented) => "Diwakilkan",
            (Lang::Id, Declined) => "Ditolak",
            (Lang::Id, Cancelled) => "Dibatalkan",
            (Lang::Id, Open) => "Belum diputuskan",
            (Lang::En, Attended) => "Attended by the leader",
            (Lang::En, Outcome::Represented) => "Represented",
            (Lang::En, Declined) => "Declined",
            (Lang::En, Cancelled) => "Cancelled",
            (Lang::En, Open) => "Not decided yet",
        }
    }

    /// How the leader attends, naming the representative when there is one:
    /// "Diwakili oleh Sekretaris Daerah" (the sheet, the lobby display, the calendar feeds).
    pub fn attendance_with(&self, a: Attendance, representative: Option<&str>) -> String {
        match (a, representative.map(str::trim)) {
            (Attendance::Represented, Some(r)) if !r.is_empty() => {
                format!("{} {r}", self.represented_by)
            }
            _ => self.attendance(a).to_string(),
        }
    }

    /// The label of a request-form field, by its name in [`crate::draft::FIELDS`] (or
    /// `attachment`); `None` for a name the form does not have.
    pub fn field(&self, name: &str) -> Option<&'static str> {
        let (id, en) = match name {
            "kind" => ("Jenis permohonan", "Kind of request"),
            "leader_id" => ("Pimpinan yang dimohon", "Leader asked for"),
            "title" => ("Nama kegiatan", "Name of the activity"),
            "description" => ("Maksud dan uraian kegiatan", "Purpose and description"),
            "start_date" => ("Tanggal mulai", "Start date"),
            "start_time" => ("Jam mulai", "Start time"),
            "end_date" => ("Tanggal selesai", "End date"),
            "end_time" => ("Jam selesai", "End time"),
            "location" => ("Lokasi", "Location"),
            "organizer" => (
                "Penyelenggara (instansi/organisasi)",
                "Organiser (agency/organisation)",
            ),
            "leader_role" => ("Peran pimpinan", "The leader's part"),
            "expected_attendees" => ("Perkiraan jumlah peserta", "Expected attendees"),
            "dress_code" => ("Pakaian", "Dress code"),
            "letter_number" => ("Nomor surat", "Letter number"),
            "requester_name" => ("Nama pemohon", "Your name"),
            "requester_phone" => ("Nomor telepon/WhatsApp", "Phone/WhatsApp number"),
            "requester_email" => ("E-mail", "E-mail"),
            "attachment" => (self.field_attachment, self.field_attachment),
            _ => return None,
        };
        Some(match self.lang {
            Lang::Id => id,
            Lang::En => en,
        })
    }

    /// A field's label as the form shows it: times name the regency's zone ("Jam mulai (WITA)"),
    /// since requesters may write from another one. The required or optional mark is the
    /// form's to add.
    pub fn field_in_zone(&self, name: &str, tz: Tz) -> String {
        let label = self.field(name).unwrap_or(name);
        match name {
            "start_time" | "end_time" => format!("{label} ({})", zone_abbrev(tz)),
            _ => label.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::{FIELDS, is_required};

    /// Every label of `labels` is set and differs from the others (no variant shares a name).
    fn all_distinct(labels: &[&str]) {
        for (i, a) in labels.iter().enumerate() {
            assert!(!a.trim().is_empty());
            assert!(labels[i + 1..].iter().all(|b| b != a), "{a} twice");
        }
    }

    #[test]
    fn every_state_kind_role_status_and_attendance_has_a_label_in_both_languages() {
        for lang in Lang::ALL {
            let w = lang.words();
            all_distinct(&RequestState::ALL.map(|s| w.state(s)));
            all_distinct(&RequestKind::ALL.map(|k| w.kind(k)));
            all_distinct(&Action::ALL.map(|a| w.action(a)));
            all_distinct(&Role::ALL.map(|r| w.role(r)));
            all_distinct(&AgendaStatus::ALL.map(|s| w.agenda_status(s)));
            all_distinct(&Visibility::ALL.map(|v| w.visibility(v)));
            all_distinct(&Attendance::ALL.map(|a| w.attendance(a)));
            all_distinct(&Outcome::ALL.map(|o| w.outcome(o)));
        }
        // The two languages differ where the words do.
        assert_ne!(
            ID.state(RequestState::Approved),
            EN.state(RequestState::Approved)
        );
        assert_eq!(ID.role(Role::Sespri), "Sekretaris pribadi");
        assert_eq!(EN.role(Role::Sespri), "Personal secretary");
        assert_eq!(ID.role(Role::Protocol), "Staf protokol");
    }

    #[test]
    fn every_form_field_has_a_label_in_both_languages() {
        for lang in Lang::ALL {
            let w = lang.words();
            let labels: Vec<&str> = FIELDS
                .iter()
                .map(|f| w.field(f).unwrap_or_else(|| panic!("{f} has no label")))
                .collect();
            // Two fields may share a word across languages ("E-mail"), never within one.
            all_distinct(&labels);
            assert!(w.field("attachment").is_some());
            assert_eq!(w.field("no_such_field"), None);
        }
        assert!(FIELDS.iter().any(|f| !is_required(f)));
    }

    #[test]
    fn time_fields_name_the_zone() {
        let tz = chrono_tz::Asia::Makassar;
        assert_eq!(ID.field_in_zone("start_time", tz), "Jam mulai (WITA)");
        assert_eq!(EN.field_in_zone("end_time", tz), "End time (WITA)");
        assert_eq!(ID.field_in_zone("title", tz), "Nama kegiatan");
    }

    #[test]
    fn attendance_names_the_representative() {
        let rep = Some("Sekretaris Daerah");
        assert_eq!(
            ID.attendance_with(Attendance::Represented, rep),
            "Diwakili oleh Sekretaris Daerah"
        );
        assert_eq!(
            EN.attendance_with(Attendance::Represented, rep),
            "Represented by Sekretaris Daerah"
        );
        assert_eq!(
            ID.attendance_with(Attendance::Represented, Some("  ")),
            "Diwakilkan"
        );
        assert_eq!(
            ID.attendance_with(Attendance::InPerson, rep),
            "Hadir sendiri"
        );
    }

    #[test]
    fn accept_language_picks_indonesian_unless_english_comes_first() {
        assert_eq!(Lang::from_accept_language(None), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("id-ID,en;q=0.5")), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::Id);
    }
}
