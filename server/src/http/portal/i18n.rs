//! The portal's own texts, one catalogue per language (Bahasa Indonesia first, English second).
//! The words it shares with the apps — states, kinds, roles, statuses, the form's field labels,
//! "Permohonan terkirim", "Kode disalin." — come from core's catalogue ([`Words`], reached as
//! `t.words`), and dates from `sepiion_core::time`, so the portal and the apps say the same thing.

use sepiion_core::i18n::{self, Lang, Words};

/// Every text of the portal in one language.
pub struct Texts {
    pub lang: Lang,
    /// The words the portal shares with the apps (labels, form fields, dates' language).
    pub words: &'static Words,
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
    pub schedule_intro: &'static str,
    pub view_label: &'static str,
    pub leader_label: &'static str,
    pub previous_day: &'static str,
    pub next_day: &'static str,
    pub previous_week: &'static str,
    pub next_week: &'static str,
    pub go_to_date: &'static str,
    pub show: &'static str,
    pub no_items_day: &'static str,
    /// Links under the schedule: the printable day sheet and the calendar feed.
    pub take_away_label: &'static str,
    /// The sheet links read "{day_sheet} {day_sheet_today | day_sheet_on + date} {format}".
    pub day_sheet: &'static str,
    pub day_sheet_today: &'static str,
    pub day_sheet_on: &'static str,
    pub day_sheet_pdf: &'static str,
    pub day_sheet_png: &'static str,
    /// The folded choices above the agenda (view, leader, date).
    pub filters_label: &'static str,
    pub calendar_feed: &'static str,
    pub no_items: &'static str,
    pub week_of: &'static str,
    /// One agenda item's page (the URL in the calendar feeds).
    pub item_time: &'static str,
    pub item_place: &'static str,
    pub item_status: &'static str,
    pub day_schedule: &'static str,

    // Ajukan
    pub section_event: &'static str,
    pub section_when: &'static str,
    pub section_requester: &'static str,
    pub field_end_date_hint: &'static str,
    pub attachment_again: &'static str,
    pub honeypot_label: &'static str,
    pub errors_title: &'static str,
    pub form_expired: &'static str,
    pub form_rejected: &'static str,
    pub form_too_large: &'static str,
    pub privacy_short: &'static str,

    // Success
    pub sent_body: &'static str,
    pub your_code: &'static str,
    pub whatsapp_message: &'static str,
    pub track_now: &'static str,

    // Lacak
    pub field_code_hint: &'static str,
    pub code_invalid: &'static str,
    pub code_unknown: &'static str,
    pub state_label: &'static str,
    pub reason_label: &'static str,
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
    lang: Lang::Id,
    words: &i18n::ID,
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

    schedule_intro: "Agenda publik Bupati dan Wakil Bupati. Waktu dalam zona waktu daerah.",
    view_label: "Tampilan",
    leader_label: "Pimpinan",
    previous_day: "Hari sebelumnya",
    next_day: "Hari berikutnya",
    previous_week: "Minggu sebelumnya",
    next_week: "Minggu berikutnya",
    go_to_date: "Tanggal",
    show: "Tampilkan",
    no_items_day: "Tidak ada agenda publik.",
    take_away_label: "Unduh dan langganan",
    day_sheet: "Agenda Harian",
    day_sheet_today: "hari ini",
    day_sheet_on: "",
    day_sheet_pdf: "(PDF, untuk dicetak)",
    day_sheet_png: "(gambar PNG, untuk WhatsApp)",
    filters_label: "Tampilan",
    calendar_feed: "Langganan kalender (iCalendar)",
    no_items: "Tidak ada agenda publik pada rentang ini.",
    week_of: "Minggu",
    item_time: "Waktu",
    item_place: "Tempat",
    item_status: "Status",
    day_schedule: "Jadwal hari itu",

    section_event: "Kegiatan",
    section_when: "Waktu",
    section_requester: "Pemohon",
    field_end_date_hint: "Kosongkan bila sama dengan tanggal mulai.",
    attachment_again: "Berkas yang tadi dipilih belum terkirim: pilih lagi sebelum mengirim.",
    honeypot_label: "Jangan isi kolom ini",
    errors_title: "Permohonan belum terkirim. Periksa isian berikut:",
    form_expired: "Formulir ini kedaluwarsa atau dikirim dari situs lain. Periksa isian lalu kirim lagi.",
    form_rejected: "Permohonan tidak dapat diproses.",
    form_too_large: "Kiriman terlalu besar: lampiran paling besar 5 MB.",
    privacy_short: "Data Anda hanya dipakai untuk menindaklanjuti permohonan ini. Lihat catatan privasi di halaman Tentang.",

    sent_body: "Simpan kode pelacakan ini. Dengan kode ini Anda dapat melihat status permohonan kapan saja.",
    your_code: "Kode pelacakan Anda",
    whatsapp_message: "Kode pelacakan permohonan kegiatan pimpinan:",
    track_now: "Lihat status permohonan",

    field_code_hint: "Huruf besar atau kecil, dengan atau tanpa tanda hubung.",
    code_invalid: "Kode pelacakan tidak valid. Periksa kembali kode Anda.",
    code_unknown: "Tidak ada permohonan dengan kode ini.",
    state_label: "Status",
    reason_label: "Keterangan",
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
    lang: Lang::En,
    words: &i18n::EN,
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

    schedule_intro: "The public agenda of the Regent and the Vice Regent, in the regency's time zone.",
    view_label: "View",
    leader_label: "Leader",
    previous_day: "Previous day",
    next_day: "Next day",
    previous_week: "Previous week",
    next_week: "Next week",
    go_to_date: "Date",
    show: "Show",
    no_items_day: "No public activities.",
    take_away_label: "Download and subscribe",
    day_sheet: "Daily agenda sheet",
    day_sheet_today: "for today",
    day_sheet_on: "for ",
    day_sheet_pdf: "(PDF, for printing)",
    day_sheet_png: "(PNG image, for WhatsApp)",
    filters_label: "Showing",
    calendar_feed: "Subscribe in your calendar (iCalendar)",
    no_items: "No public activities in this range.",
    week_of: "Week",
    item_time: "Time",
    item_place: "Place",
    item_status: "Status",
    day_schedule: "That day's schedule",

    section_event: "Activity",
    section_when: "Time",
    section_requester: "Requester",
    field_end_date_hint: "Leave empty when it is the start date.",
    attachment_again: "The file you chose was not sent: choose it again before sending.",
    honeypot_label: "Leave this field empty",
    errors_title: "The request was not sent. Please check:",
    form_expired: "This form expired or was sent from another site. Check the fields and send again.",
    form_rejected: "The request could not be processed.",
    form_too_large: "Too large: an attachment is at most 5 MB.",
    privacy_short: "Your data is used only to handle this request. See the privacy note on the About page.",

    sent_body: "Keep this tracking code. With it you can see the state of your request at any time.",
    your_code: "Your tracking code",
    whatsapp_message: "Tracking code of my request to the regency's leaders:",
    track_now: "See the request's state",

    field_code_hint: "Upper or lower case, with or without dashes.",
    code_invalid: "This is not a valid tracking code. Please check it.",
    code_unknown: "There is no request with this code.",
    state_label: "State",
    reason_label: "Note",
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_speaks_cores_words_in_its_own_language() {
        for lang in Lang::ALL {
            let t = Texts::get(lang);
            assert_eq!(t.lang, lang);
            assert!(std::ptr::eq(t.words, lang.words()));
            assert_eq!(t.html_lang, if lang == Lang::Id { "id" } else { "en" });
        }
    }
}
