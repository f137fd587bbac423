//! The portal's texts, one catalogue per language (Bahasa Indonesia first, English second). Core
//! keeps codes (states, kinds, statuses); the words for them live here, as the app's live in
//! `src/i18n`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use sepiion_core::model::{AgendaStatus, RequestKind, RequestState, Role};
use sepiion_core::time::{format_date_in_indonesian, format_time_in_indonesian, zone_abbrev};
use sepiion_core::validation::Lang;

/// Every text of the portal in one language.
pub struct Texts {
    pub html_lang: &'static str,
    pub other_lang: Lang,
    pub other_lang_name: &'static str,
    pub other_lang_code: &'static str,
    pub skip_to_content: &'static str,
    pub site_subtitle: &'static str,
    pub nav_label: &'static str,
    pub nav_schedule: &'static str,
    pub nav_submit: &'static str,
    pub nav_track: &'static str,
    pub nav_about: &'static str,
    pub footer: &'static str,

    // Jadwal
    pub schedule_title: &'static str,
    pub schedule_intro: &'static str,
    pub view_label: &'static str,
    pub view_day: &'static str,
    pub view_week: &'static str,
    pub leader_label: &'static str,
    pub all_leaders: &'static str,
    pub previous_day: &'static str,
    pub next_day: &'static str,
    pub previous_week: &'static str,
    pub next_week: &'static str,
    pub today: &'static str,
    pub go_to_date: &'static str,
    pub show: &'static str,
    pub no_items_day: &'static str,
    /// Links under the schedule: the printable day sheet and the calendar feed.
    pub take_away_label: &'static str,
    pub day_sheet_pdf: &'static str,
    pub day_sheet_png: &'static str,
    pub calendar_feed: &'static str,
    pub no_items: &'static str,
    pub represented_by: &'static str,
    pub dress_code: &'static str,
    pub week_of: &'static str,
    /// One agenda item's page (the URL in the calendar feeds).
    pub item_time: &'static str,
    pub item_place: &'static str,
    pub item_status: &'static str,
    pub day_schedule: &'static str,

    // Ajukan
    pub form_title: &'static str,
    pub form_intro: &'static str,
    pub required_mark: &'static str,
    pub optional: &'static str,
    pub section_event: &'static str,
    pub section_when: &'static str,
    pub section_requester: &'static str,
    pub field_kind: &'static str,
    pub field_leader: &'static str,
    pub either_leader: &'static str,
    pub field_title: &'static str,
    pub field_description: &'static str,
    pub field_start_date: &'static str,
    pub field_start_time: &'static str,
    pub field_end_date: &'static str,
    pub field_end_date_hint: &'static str,
    pub field_end_time: &'static str,
    pub field_location: &'static str,
    pub field_organizer: &'static str,
    pub field_leader_role: &'static str,
    pub field_leader_role_hint: &'static str,
    pub field_attendees: &'static str,
    pub field_dress_code: &'static str,
    pub field_letter_number: &'static str,
    pub field_requester_name: &'static str,
    pub field_phone: &'static str,
    pub field_phone_hint: &'static str,
    pub field_email: &'static str,
    pub field_attachment: &'static str,
    pub attachment_hint: &'static str,
    pub attachment_again: &'static str,
    pub honeypot_label: &'static str,
    pub submit: &'static str,
    pub errors_title: &'static str,
    pub form_expired: &'static str,
    pub form_rejected: &'static str,
    pub form_too_large: &'static str,
    pub privacy_short: &'static str,

    // Success
    pub sent_title: &'static str,
    pub sent_body: &'static str,
    pub your_code: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub share_whatsapp: &'static str,
    pub whatsapp_message: &'static str,
    pub track_now: &'static str,

    // Lacak
    pub track_title: &'static str,
    pub track_intro: &'static str,
    pub field_code: &'static str,
    pub field_code_hint: &'static str,
    pub track_button: &'static str,
    pub code_invalid: &'static str,
    pub code_unknown: &'static str,
    pub state_label: &'static str,
    pub reason_label: &'static str,
    pub proposed_time: &'static str,
    pub timeline: &'static str,
    pub by_requester: &'static str,
    pub by_system: &'static str,
    pub activity: &'static str,

    // Tentang
    pub about_title: &'static str,
    pub about_intro: &'static str,
    pub about_steps_title: &'static str,
    pub about_steps: [&'static str; 5],
    pub contact_title: &'static str,
    pub contact_none: &'static str,
    pub address: &'static str,
    pub phone: &'static str,
    pub email: &'static str,
    pub hours: &'static str,
    pub privacy_title: &'static str,
    pub privacy: [&'static str; 4],

    pub not_found_title: &'static str,
    pub too_many: &'static str,
    pub server_error: &'static str,
}

pub static ID: Texts = Texts {
    html_lang: "id",
    other_lang: Lang::En,
    other_lang_name: "English",
    other_lang_code: "en",
    skip_to_content: "Langsung ke isi",
    site_subtitle: "Jadwal dan permohonan kegiatan pimpinan",
    nav_label: "Menu utama",
    nav_schedule: "Jadwal",
    nav_submit: "Ajukan",
    nav_track: "Lacak",
    nav_about: "Tentang",
    footer: "Sepiion — Sistem Penjadwalan Kegiatan Pimpinan Online",

    schedule_title: "Jadwal pimpinan",
    schedule_intro: "Agenda publik Bupati dan Wakil Bupati. Waktu dalam zona waktu daerah.",
    view_label: "Tampilan",
    view_day: "Hari",
    view_week: "Minggu",
    leader_label: "Pimpinan",
    all_leaders: "Semua pimpinan",
    previous_day: "Hari sebelumnya",
    next_day: "Hari berikutnya",
    previous_week: "Minggu sebelumnya",
    next_week: "Minggu berikutnya",
    today: "Hari ini",
    go_to_date: "Tanggal",
    show: "Tampilkan",
    no_items_day: "Tidak ada agenda publik.",
    take_away_label: "Unduh dan langganan",
    day_sheet_pdf: "Agenda Harian hari ini (PDF, untuk dicetak)",
    day_sheet_png: "Agenda Harian (gambar PNG, untuk WhatsApp)",
    calendar_feed: "Langganan kalender (iCalendar)",
    no_items: "Tidak ada agenda publik pada rentang ini.",
    represented_by: "Diwakili oleh",
    dress_code: "Pakaian",
    week_of: "Minggu",
    item_time: "Waktu",
    item_place: "Tempat",
    item_status: "Status",
    day_schedule: "Jadwal hari itu",

    form_title: "Ajukan permohonan",
    form_intro: "Undang pimpinan ke acara Anda, ajukan audiensi, atau minta pimpinan membuka kegiatan. Isian bertanda * wajib diisi.",
    required_mark: "wajib",
    optional: "(opsional)",
    section_event: "Kegiatan",
    section_when: "Waktu",
    section_requester: "Pemohon",
    field_kind: "Jenis permohonan",
    field_leader: "Pimpinan yang dimohon",
    either_leader: "Bupati atau Wakil Bupati",
    field_title: "Nama kegiatan",
    field_description: "Maksud dan uraian kegiatan",
    field_start_date: "Tanggal mulai",
    field_start_time: "Jam mulai",
    field_end_date: "Tanggal selesai",
    field_end_date_hint: "Kosongkan bila sama dengan tanggal mulai.",
    field_end_time: "Jam selesai",
    field_location: "Lokasi",
    field_organizer: "Penyelenggara (instansi/organisasi)",
    field_leader_role: "Peran pimpinan",
    field_leader_role_hint: "Misalnya: memberi sambutan, membuka acara, menghadiri",
    field_attendees: "Perkiraan jumlah peserta",
    field_dress_code: "Pakaian",
    field_letter_number: "Nomor surat",
    field_requester_name: "Nama pemohon",
    field_phone: "Nomor telepon/WhatsApp",
    field_phone_hint: "Contoh: 0812 3456 7890",
    field_email: "E-mail",
    field_attachment: "Surat undangan",
    attachment_hint: "PDF, JPEG atau PNG, paling besar 5 MB.",
    attachment_again: "Berkas yang tadi dipilih belum terkirim: pilih lagi sebelum mengirim.",
    honeypot_label: "Jangan isi kolom ini",
    submit: "Kirim permohonan",
    errors_title: "Permohonan belum terkirim. Periksa isian berikut:",
    form_expired: "Formulir ini kedaluwarsa atau dikirim dari situs lain. Periksa isian lalu kirim lagi.",
    form_rejected: "Permohonan tidak dapat diproses.",
    form_too_large: "Kiriman terlalu besar: lampiran paling besar 5 MB.",
    privacy_short: "Data Anda hanya dipakai untuk menindaklanjuti permohonan ini. Lihat catatan privasi di halaman Tentang.",

    sent_title: "Permohonan terkirim",
    sent_body: "Simpan kode pelacakan ini. Dengan kode ini Anda dapat melihat status permohonan kapan saja.",
    your_code: "Kode pelacakan Anda",
    copy: "Salin kode",
    copied: "Kode tersalin.",
    share_whatsapp: "Bagikan lewat WhatsApp",
    whatsapp_message: "Kode pelacakan permohonan kegiatan pimpinan:",
    track_now: "Lihat status permohonan",

    track_title: "Lacak permohonan",
    track_intro: "Masukkan kode pelacakan yang Anda terima setelah mengirim permohonan.",
    field_code: "Kode pelacakan",
    field_code_hint: "Huruf besar atau kecil, dengan atau tanpa tanda hubung.",
    track_button: "Lacak",
    code_invalid: "Kode pelacakan tidak valid. Periksa kembali kode Anda.",
    code_unknown: "Tidak ada permohonan dengan kode ini.",
    state_label: "Status",
    reason_label: "Keterangan",
    proposed_time: "Usulan waktu",
    timeline: "Riwayat",
    by_requester: "Pemohon",
    by_system: "Sistem",
    activity: "Kegiatan",

    about_title: "Tentang layanan ini",
    about_intro: "Layanan ini menerima permohonan agar pimpinan daerah menghadiri acara, menerima audiensi, atau membuka kegiatan, dan menampilkan agenda publik pimpinan. Permohonan ditangani oleh kantor protokol pemerintah daerah.",
    about_steps_title: "Bagaimana permohonan ditangani",
    about_steps: [
        "Anda mengirim permohonan lewat formulir Ajukan dan menerima kode pelacakan.",
        "Staf protokol meninjau permohonan; bila ada yang kurang, Anda diminta melengkapinya.",
        "Ajudan dan sekretaris pribadi memeriksa ketersediaan pimpinan; bisa juga diusulkan waktu lain.",
        "Pimpinan memutuskan: hadir sendiri, diwakilkan, atau tidak dapat hadir (dengan alasan).",
        "Setiap langkah tercatat dan dapat Anda lihat di halaman Lacak.",
    ],
    contact_title: "Kontak kantor protokol",
    contact_none: "Kontak kantor protokol belum diatur.",
    address: "Alamat",
    phone: "Telepon",
    email: "E-mail",
    hours: "Jam layanan",
    privacy_title: "Catatan privasi",
    privacy: [
        "Yang disimpan: isian formulir (termasuk nama, nomor telepon dan e-mail pemohon), lampiran, dan riwayat penanganan permohonan. Kami tidak meminta NIK.",
        "Nama dan kontak pemohon hanya dilihat staf yang menangani permohonan; pemegang kode pelacakan hanya melihat status dan riwayat, tanpa data kontak.",
        "Peramban Anda menerima satu cookie perangkat (untuk batas pengiriman) dan satu cookie formulir (perlindungan dari pengiriman palsu). Tidak ada pelacakan, iklan, atau layanan pihak ketiga.",
        "Permohonan disimpan sebagai arsip kantor protokol selama dibutuhkan menurut ketentuan kearsipan daerah. Untuk melihat, memperbaiki, atau menghapus data Anda, hubungi kantor protokol.",
    ],

    not_found_title: "Halaman tidak ditemukan",
    too_many: "Terlalu banyak permohonan dari perangkat ini. Coba lagi nanti.",
    server_error: "Terjadi gangguan. Coba lagi sebentar lagi.",
};

pub static EN: Texts = Texts {
    html_lang: "en",
    other_lang: Lang::Id,
    other_lang_name: "Bahasa Indonesia",
    other_lang_code: "id",
    skip_to_content: "Skip to content",
    site_subtitle: "The leaders' schedule and activity requests",
    nav_label: "Main menu",
    nav_schedule: "Schedule",
    nav_submit: "Submit",
    nav_track: "Track",
    nav_about: "About",
    footer: "Sepiion — online scheduling of the leaders' activities",

    schedule_title: "The leaders' schedule",
    schedule_intro: "The public agenda of the Regent and the Vice Regent, in the regency's time zone.",
    view_label: "View",
    view_day: "Day",
    view_week: "Week",
    leader_label: "Leader",
    all_leaders: "All leaders",
    previous_day: "Previous day",
    next_day: "Next day",
    previous_week: "Previous week",
    next_week: "Next week",
    today: "Today",
    go_to_date: "Date",
    show: "Show",
    no_items_day: "No public activities.",
    take_away_label: "Download and subscribe",
    day_sheet_pdf: "Daily agenda sheet (PDF, for printing)",
    day_sheet_png: "Daily agenda sheet (PNG image, for WhatsApp)",
    calendar_feed: "Subscribe in your calendar (iCalendar)",
    no_items: "No public activities in this range.",
    represented_by: "Represented by",
    dress_code: "Dress code",
    week_of: "Week",
    item_time: "Time",
    item_place: "Place",
    item_status: "Status",
    day_schedule: "That day's schedule",

    form_title: "Submit a request",
    form_intro: "Invite a leader to your event, ask for an audience, or ask a leader to open an activity. Fields marked * are required.",
    required_mark: "required",
    optional: "(optional)",
    section_event: "Activity",
    section_when: "Time",
    section_requester: "Requester",
    field_kind: "Kind of request",
    field_leader: "Leader asked for",
    either_leader: "Either leader",
    field_title: "Name of the activity",
    field_description: "Purpose and description",
    field_start_date: "Start date",
    field_start_time: "Start time",
    field_end_date: "End date",
    field_end_date_hint: "Leave empty when it is the start date.",
    field_end_time: "End time",
    field_location: "Location",
    field_organizer: "Organiser (agency/organisation)",
    field_leader_role: "The leader's part",
    field_leader_role_hint: "E.g. give a speech, open the event, attend",
    field_attendees: "Expected attendees",
    field_dress_code: "Dress code",
    field_letter_number: "Letter number",
    field_requester_name: "Your name",
    field_phone: "Phone/WhatsApp number",
    field_phone_hint: "E.g. 0812 3456 7890",
    field_email: "E-mail",
    field_attachment: "Invitation letter",
    attachment_hint: "PDF, JPEG or PNG, at most 5 MB.",
    attachment_again: "The file you chose was not sent: choose it again before sending.",
    honeypot_label: "Leave this field empty",
    submit: "Send request",
    errors_title: "The request was not sent. Please check:",
    form_expired: "This form expired or was sent from another site. Check the fields and send again.",
    form_rejected: "The request could not be processed.",
    form_too_large: "Too large: an attachment is at most 5 MB.",
    privacy_short: "Your data is used only to handle this request. See the privacy note on the About page.",

    sent_title: "Request sent",
    sent_body: "Keep this tracking code. With it you can see the state of your request at any time.",
    your_code: "Your tracking code",
    copy: "Copy code",
    copied: "Code copied.",
    share_whatsapp: "Share on WhatsApp",
    whatsapp_message: "Tracking code of my request to the regency's leaders:",
    track_now: "See the request's state",

    track_title: "Track a request",
    track_intro: "Enter the tracking code you received after sending your request.",
    field_code: "Tracking code",
    field_code_hint: "Upper or lower case, with or without dashes.",
    track_button: "Track",
    code_invalid: "This is not a valid tracking code. Please check it.",
    code_unknown: "There is no request with this code.",
    state_label: "State",
    reason_label: "Note",
    proposed_time: "Proposed time",
    timeline: "History",
    by_requester: "Requester",
    by_system: "System",
    activity: "Activity",

    about_title: "About this service",
    about_intro: "This service takes requests for the regency's leaders to attend an event, receive an audience or open an activity, and shows the leaders' public agenda. Requests are handled by the regency's protocol office.",
    about_steps_title: "How a request is handled",
    about_steps: [
        "You send a request with the Submit form and receive a tracking code.",
        "Protocol staff review it; if something is missing, you are asked to add it.",
        "The leader's adjutant and personal secretary check availability; another time may be proposed.",
        "The leader decides: attends in person, is represented, or cannot attend (with a reason).",
        "Every step is recorded and shown to you on the Track page.",
    ],
    contact_title: "Contact the protocol office",
    contact_none: "The protocol office's contact is not configured yet.",
    address: "Address",
    phone: "Phone",
    email: "E-mail",
    hours: "Opening hours",
    privacy_title: "Privacy note",
    privacy: [
        "What is stored: the form's fields (including the requester's name, phone and e-mail), attachments, and the history of the request's handling. We never ask for an ID number (NIK).",
        "The requester's name and contact are seen only by the staff handling the request; whoever holds the tracking code sees the state and history, without contact data.",
        "Your browser receives one device cookie (for the submission limits) and one form cookie (protection against forged submissions). No tracking, no ads, no third-party services.",
        "Requests are kept as records of the protocol office for as long as the regency's archive rules require. To see, correct or delete your data, contact the protocol office.",
    ],

    not_found_title: "Page not found",
    too_many: "Too many requests from this device. Please try again later.",
    server_error: "Something went wrong. Please try again shortly.",
};

impl Texts {
    pub fn get(lang: Lang) -> &'static Texts {
        match lang {
            Lang::Id => &ID,
            Lang::En => &EN,
        }
    }

    fn lang(&self) -> Lang {
        if self.html_lang == "id" {
            Lang::Id
        } else {
            Lang::En
        }
    }

    pub fn kind(&self, k: RequestKind) -> &'static str {
        match (self.lang(), k) {
            (Lang::Id, RequestKind::Undangan) => "Undangan menghadiri acara",
            (Lang::Id, RequestKind::Audiensi) => "Audiensi",
            (Lang::Id, RequestKind::Seremonial) => "Seremonial / membuka acara",
            (Lang::Id, RequestKind::Lainnya) => "Lainnya",
            (Lang::En, RequestKind::Undangan) => "Invitation to attend an event",
            (Lang::En, RequestKind::Audiensi) => "Audience",
            (Lang::En, RequestKind::Seremonial) => "Ceremony / opening an event",
            (Lang::En, RequestKind::Lainnya) => "Other",
        }
    }

    pub fn state(&self, s: RequestState) -> &'static str {
        use RequestState::*;
        match (self.lang(), s) {
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

    pub fn status(&self, s: AgendaStatus) -> &'static str {
        use AgendaStatus::*;
        match (self.lang(), s) {
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

    pub fn role(&self, r: Role) -> &'static str {
        use Role::*;
        match (self.lang(), r) {
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

    /// "Senin, 30 November 2026" (core's Indonesian form) or "Monday, 30 November 2026".
    pub fn date(&self, d: NaiveDate) -> String {
        match self.lang() {
            Lang::Id => format_date_in_indonesian(d),
            Lang::En => format!("{}, {} {}", d.format("%A"), d.day(), d.format("%B %Y")),
        }
    }

    /// "09.00" in Indonesian, "09:00" in English.
    pub fn time(&self, at: DateTime<Utc>, tz: Tz) -> String {
        let t = format_time_in_indonesian(at, tz);
        match self.lang() {
            Lang::Id => t,
            Lang::En => t.replace('.', ":"),
        }
    }

    /// "09.00–11.00 WITA", or with the end date when the item runs past midnight.
    pub fn time_range(&self, start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
        let same_day = start.with_timezone(&tz).date_naive() == end.with_timezone(&tz).date_naive();
        if same_day {
            format!(
                "{}–{} {}",
                self.time(start, tz),
                self.time(end, tz),
                zone_abbrev(tz)
            )
        } else {
            format!(
                "{} – {}, {} {}",
                self.time(start, tz),
                self.date(end.with_timezone(&tz).date_naive()),
                self.time(end, tz),
                zone_abbrev(tz)
            )
        }
    }

    /// A full date and time range, e.g. on the tracking page.
    pub fn when(&self, start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
        format!(
            "{}, {}",
            self.date(start.with_timezone(&tz).date_naive()),
            self.time_range(start, end, tz)
        )
    }

    /// A moment: "Senin, 30 November 2026, 09.00 WITA".
    pub fn moment(&self, at: DateTime<Utc>, tz: Tz) -> String {
        format!(
            "{}, {} {}",
            self.date(at.with_timezone(&tz).date_naive()),
            self.time(at, tz),
            zone_abbrev(tz)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Makassar;

    #[test]
    fn dates_read_the_indonesian_way_in_wita() {
        let start = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 11, 30, 3, 30, 0).unwrap();
        assert_eq!(
            ID.when(start, end, Makassar),
            "Senin, 30 November 2026, 09.00–11.30 WITA"
        );
        assert_eq!(
            EN.when(start, end, Makassar),
            "Monday, 30 November 2026, 09:00–11:30 WITA"
        );
    }
}
