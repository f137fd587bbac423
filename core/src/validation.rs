//! Validation of every input, with a message per field in Bahasa Indonesia and English.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::api::{AgendaItemInput, NewRequest, NoteInput};

/// A user-facing message in both languages: `ind` in Bahasa Indonesia, `en` in English. On the
/// wire (and in the apps' caches) the Indonesian text keeps its old JSON name `id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Msg {
    #[serde(rename = "id")]
    pub ind: String,
    pub en: String,
}

/// The language type lives with the shared words; re-exported here, where `Msg` picks one.
pub use crate::i18n::Lang;

impl Msg {
    pub fn new(ind: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            ind: ind.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.ind,
            Lang::En => &self.en,
        }
    }
    pub fn required() -> Self {
        Msg::new("Wajib diisi.", "Required.")
    }
    pub fn too_long(max: usize) -> Self {
        Msg::new(
            format!("Terlalu panjang (paling banyak {max} karakter)."),
            format!("Too long (at most {max} characters)."),
        )
    }
}

/// Whether `id` is a UUID, the form of every client-made id.
pub fn is_uuid(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok()
}

/// A new random UUID, as text.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The id a client made for a new record, or a new UUID when it gave none. A given id that is
/// not a UUID is refused, naming the field `id`.
pub fn client_id(id: Option<&str>) -> Result<String, FieldErrors> {
    match id {
        None => Ok(new_id()),
        Some(id) if is_uuid(id) => Ok(id.to_string()),
        Some(_) => {
            let mut e = FieldErrors::default();
            e.add(
                "id",
                Msg::new("Id harus berupa UUID.", "The id must be a UUID."),
            );
            Err(e)
        }
    }
}

/// A leader id that names no leader.
pub fn unknown_leader() -> Msg {
    Msg::new("Pimpinan tidak dikenal.", "Unknown leader.")
}

/// Messages keyed by field name. Empty means valid.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldErrors(pub BTreeMap<String, Msg>);

impl FieldErrors {
    /// Adds a message for a field; the first message for a field wins.
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_insert(msg);
    }
    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.get(field)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
    /// The messages in one language, as sent in the API's `fields`.
    pub fn in_lang(&self, lang: Lang) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.get(lang).to_string()))
            .collect()
    }
}

/// Whether `value` holds a control character a field of its kind may not: none at all in a
/// one-line field (a `\r` or `\n` there could end a line of an iCalendar file, a header or a
/// CSV row), only line breaks and tabs in a multi-line one.
pub fn has_forbidden_control(value: &str, multiline: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// The message for a control character in a field.
pub fn control_character() -> Msg {
    Msg::new(
        "Tidak boleh berisi karakter kontrol (tab, baris baru, dan sejenisnya).",
        "Must not contain control characters (tabs, line breaks and the like).",
    )
}

/// A one-line text field.
fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    required: bool,
    min: usize,
    max: usize,
) {
    checked_text(errors, field, value, required, min, max, false)
}

/// A multi-line text field (line breaks and tabs allowed).
fn multiline(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    required: bool,
    min: usize,
    max: usize,
) {
    checked_text(errors, field, value, required, min, max, true)
}

fn checked_text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    required: bool,
    min: usize,
    max: usize,
    lines: bool,
) {
    let trimmed = value.trim();
    let n = trimmed.chars().count();
    if has_forbidden_control(value, lines) {
        errors.add(field, control_character());
    } else if trimmed.is_empty() {
        if required {
            errors.add(field, Msg::required());
        }
    } else if n < min {
        errors.add(
            field,
            Msg::new(
                format!("Terlalu pendek (paling sedikit {min} karakter)."),
                format!("Too short (at least {min} characters)."),
            ),
        );
    } else if value.chars().count() > max {
        errors.add(field, Msg::too_long(max));
    }
}

/// Checks an Indonesian phone or WhatsApp number: `08…`, `628…` or `+628…`, 9–15 digits;
/// spaces, dots and dashes are allowed between digits.
pub fn is_valid_phone(phone: &str) -> bool {
    let p = phone.trim();
    let (plus, rest) = match p.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, p),
    };
    if rest.is_empty()
        || !rest
            .chars()
            .all(|c| c.is_ascii_digit() || " .-".contains(c))
    {
        return false;
    }
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let ok_prefix = if plus {
        digits.starts_with("62")
    } else {
        digits.starts_with('0') || digits.starts_with("62")
    };
    ok_prefix && (9..=15).contains(&digits.len())
}

/// A deliberately simple e-mail check: one `@`, a dot in the domain, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let e = email.trim();
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.len() <= 254
}

/// The longest an agenda item may last, in days (the server's range reads rely on it).
pub const MAX_AGENDA_DAYS: i64 = 14;

fn interval(errors: &mut FieldErrors, start: DateTime<Utc>, end: DateTime<Utc>, max_days: i64) {
    if end <= start {
        errors.add(
            "ends_at",
            Msg::new(
                "Waktu selesai harus setelah waktu mulai.",
                "The end must be after the start.",
            ),
        );
    } else if end - start > Duration::days(max_days) {
        errors.add(
            "ends_at",
            Msg::new(
                format!("Kegiatan paling lama {max_days} hari."),
                format!("An activity lasts at most {max_days} days."),
            ),
        );
    }
}

/// Validates a new request from the public. `now` is passed in so that the check is pure.
pub fn validate_new_request(r: &NewRequest, now: DateTime<Utc>) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    text(&mut e, "title", &r.title, true, 5, 200);
    multiline(&mut e, "description", &r.description, true, 10, 5000);
    text(&mut e, "location", &r.location, true, 3, 300);
    text(&mut e, "organizer", &r.organizer, true, 2, 200);
    text(&mut e, "requester_name", &r.requester_name, true, 2, 120);
    text(&mut e, "leader_role", &r.leader_role, true, 3, 200);
    text(&mut e, "dress_code", &r.dress_code, false, 2, 120);
    if let Some(n) = &r.letter_number {
        text(&mut e, "letter_number", n, false, 1, 100);
    }
    if r.requester_phone.trim().is_empty() {
        e.add("requester_phone", Msg::required());
    } else if !is_valid_phone(&r.requester_phone) {
        e.add(
            "requester_phone",
            Msg::new(
                "Tidak valid (contoh: 0812 3456 7890).",
                "Not valid (e.g. 0812 3456 7890).",
            ),
        );
    }
    if let Some(mail) = r
        .requester_email
        .as_deref()
        .filter(|m| !m.trim().is_empty())
        && !is_valid_email(mail)
    {
        e.add(
            "requester_email",
            Msg::new(
                "Tidak valid (contoh: nama@instansi.go.id).",
                "Not valid (e.g. name@agency.go.id).",
            ),
        );
    }
    if !(1..=100_000).contains(&r.expected_attendees) {
        e.add(
            "expected_attendees",
            Msg::new(
                "Isi angka antara 1 dan 100.000.",
                "Enter a number from 1 to 100,000.",
            ),
        );
    }
    if r.starts_at <= now {
        e.add(
            "starts_at",
            Msg::new(
                "Waktu mulai harus di masa mendatang.",
                "The start must be in the future.",
            ),
        );
    } else if r.starts_at > now + Duration::days(730) {
        e.add(
            "starts_at",
            Msg::new(
                "Waktu mulai paling lambat dua tahun dari sekarang.",
                "The start must be within two years.",
            ),
        );
    }
    interval(&mut e, r.starts_at, r.ends_at, 7);
    e.into_result()
}

/// Validates an agenda item as entered by staff.
pub fn validate_agenda_item(item: &AgendaItemInput) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    text(&mut e, "leader_id", &item.leader_id, true, 1, 64);
    text(&mut e, "title", &item.title, true, 3, 200);
    text(&mut e, "location", &item.location, true, 2, 300);
    text(&mut e, "category", &item.category, false, 2, 80);
    text(&mut e, "dress_code", &item.dress_code, false, 2, 120);
    multiline(
        &mut e,
        "running_order",
        &item.running_order,
        false,
        0,
        10_000,
    );
    multiline(
        &mut e,
        "internal_notes",
        &item.internal_notes,
        false,
        0,
        10_000,
    );
    interval(&mut e, item.starts_at, item.ends_at, MAX_AGENDA_DAYS);
    match (item.attendance, item.representative.as_deref()) {
        (crate::model::Attendance::Represented, None) => e.add(
            "representative",
            Msg::new(
                "Pilih siapa yang mewakili pimpinan.",
                "Choose who represents the leader.",
            ),
        ),
        (_, Some(r)) if has_forbidden_control(r, false) => {
            e.add("representative", control_character())
        }
        (crate::model::Attendance::Represented, Some(r)) if r.trim().is_empty() => e.add(
            "representative",
            Msg::new(
                "Pilih siapa yang mewakili pimpinan.",
                "Choose who represents the leader.",
            ),
        ),
        _ => {}
    }
    if item.assigned_staff.len() > 20 {
        e.add(
            "assigned_staff",
            Msg::new("Paling banyak 20 petugas.", "At most 20 staff."),
        );
    }
    for s in &item.assigned_staff {
        if has_forbidden_control(&s.name, false) || has_forbidden_control(&s.duty, false) {
            e.add("assigned_staff", control_character());
        } else if s.name.trim().is_empty()
            || s.name.chars().count() > 120
            || s.duty.chars().count() > 80
        {
            e.add(
                "assigned_staff",
                Msg::new(
                    "Nama petugas wajib diisi (paling banyak 120 karakter).",
                    "Each staff member needs a name (at most 120 characters).",
                ),
            );
        }
    }
    e.into_result()
}

/// Validates a disposition or note.
pub fn validate_note(n: &NoteInput) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    text(&mut e, "instruction", &n.instruction, false, 0, 200);
    multiline(
        &mut e,
        "text",
        &n.text,
        n.instruction.trim().is_empty(),
        1,
        5000,
    );
    e.into_result()
}

/// Validates a staff member's notification settings: no control characters, a phone that
/// normalises, a valid e-mail, outbound channels only.
pub fn validate_notification_settings(
    n: &crate::api::NotificationSettingsInput,
) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::default();
    for (field, value) in [("phone", &n.phone), ("email", &n.email)] {
        if value
            .as_deref()
            .is_some_and(|v| has_forbidden_control(v, false))
        {
            e.add(field, control_character());
        }
    }
    if let Some(p) = n.phone.as_deref().filter(|p| !p.trim().is_empty())
        && e.get("phone").is_none()
        && crate::phone::normalize_phone(p).is_none()
    {
        e.add(
            "phone",
            Msg::new(
                "Nomor telepon tidak valid (contoh: 0812 3456 7890).",
                "Invalid phone number (e.g. 0812 3456 7890).",
            ),
        );
    }
    if let Some(m) = n.email.as_deref().filter(|m| !m.trim().is_empty())
        && e.get("email").is_none()
        && !is_valid_email(m)
    {
        e.add(
            "email",
            Msg::new("Alamat e-mail tidak valid.", "Invalid e-mail address."),
        );
    }
    if n.channels.contains(&crate::notify::Channel::App) {
        e.add(
            "channels",
            Msg::new(
                "Notifikasi di aplikasi selalu aktif; pilih ntfy, whatsapp atau email.",
                "In-app notifications are always on; choose ntfy, whatsapp or email.",
            ),
        );
    }
    e.into_result()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::RequestKind;

    #[test]
    fn a_message_keeps_its_wire_names_id_and_en() {
        let m = Msg::new("Wajib diisi.", "Required.");
        assert_eq!(m.ind, "Wajib diisi.");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": "Wajib diisi.", "en": "Required."})
        );
        assert_eq!(serde_json::from_value::<Msg>(json).unwrap(), m);
    }

    #[test]
    fn a_client_id_is_a_uuid_or_made_here() {
        let given = new_id();
        assert_eq!(client_id(Some(&given)), Ok(given.clone()));
        let made = client_id(None).unwrap();
        assert!(is_uuid(&made) && made != given);
        let e = client_id(Some("abc")).unwrap_err();
        assert_eq!(e.get("id").unwrap().en, "The id must be a UUID.");
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    pub(crate) fn good_request() -> NewRequest {
        let start = now() + Duration::days(5);
        NewRequest {
            id: None,
            kind: RequestKind::Undangan,
            leader_id: Some("bupati".into()),
            title: "Pembukaan Festival Semarapura".into(),
            description: "Mohon Bapak Bupati berkenan membuka festival.".into(),
            starts_at: start,
            ends_at: start + Duration::hours(3),
            location: "Lapangan Puputan Klungkung".into(),
            organizer: "Dinas Pariwisata".into(),
            requester_name: "Ni Made Sari".into(),
            requester_phone: "0812-3456-7890".into(),
            requester_email: Some("sari@example.id".into()),
            expected_attendees: 500,
            leader_role: "membuka acara".into(),
            dress_code: "Pakaian adat madya".into(),
            letter_number: Some("005/123/DISPAR".into()),
            notify_channels: None,
        }
    }

    #[test]
    fn control_characters_are_refused_except_line_breaks_in_multi_line_fields() {
        let mut r = good_request();
        r.title = "Rapat\rEND:VEVENT".into();
        r.location = "Gedung\u{0}".into();
        r.description = "Baris satu\r\nbaris dua\tdengan tab, cukup panjang.".into();
        let e = validate_new_request(&r, now()).unwrap_err();
        assert_eq!(e.get("title"), Some(&control_character()));
        assert_eq!(e.get("location"), Some(&control_character()));
        assert!(e.get("description").is_none(), "line breaks are fine there");
        let t = now() + Duration::days(3);
        let mut item = crate::api::AgendaItemInput {
            id: None,
            base_version: None,
            leader_id: "bupati".into(),
            title: "Rapat koordinasi".into(),
            starts_at: t,
            ends_at: t + Duration::hours(1),
            location: "Kantor Bupati".into(),
            category: String::new(),
            visibility: crate::model::Visibility::Public,
            status: crate::model::AgendaStatus::Confirmed,
            attendance: crate::model::Attendance::InPerson,
            representative: None,
            dress_code: String::new(),
            assigned_staff: Vec::new(),
            running_order: String::new(),
            internal_notes: String::new(),
        };
        item.category = "Rapat\r\nEND:VEVENT\r\nBEGIN:VEVENT".into();
        item.internal_notes = "satu\ndua".into();
        let e = validate_agenda_item(&item).unwrap_err();
        assert_eq!(e.get("category"), Some(&control_character()));
        assert!(e.get("internal_notes").is_none());
        let note = NoteInput {
            id: None,
            text: "catatan\u{1b}[31m".into(),
            instruction: String::new(),
        };
        assert_eq!(
            validate_note(&note).unwrap_err().get("text"),
            Some(&control_character())
        );
    }

    #[test]
    fn a_complete_request_is_valid() {
        assert_eq!(validate_new_request(&good_request(), now()), Ok(()));
    }

    #[test]
    fn end_before_start_is_reported_on_ends_at_in_indonesian() {
        let mut r = good_request();
        r.ends_at = r.starts_at - Duration::hours(1);
        let e = validate_new_request(&r, now()).unwrap_err();
        assert_eq!(
            e.get("ends_at").unwrap().ind,
            "Waktu selesai harus setelah waktu mulai."
        );
    }

    #[test]
    fn every_missing_required_field_gets_its_own_message() {
        let mut r = good_request();
        r.title = " ".into();
        r.description = String::new();
        r.location = String::new();
        r.organizer = String::new();
        r.requester_name = String::new();
        r.requester_phone = String::new();
        r.leader_role = String::new();
        let e = validate_new_request(&r, now()).unwrap_err();
        for f in [
            "title",
            "description",
            "location",
            "organizer",
            "requester_name",
            "requester_phone",
            "leader_role",
        ] {
            assert_eq!(e.get(f), Some(&Msg::required()), "{f}");
        }
    }

    #[test]
    fn past_starts_and_bad_contacts_are_rejected() {
        let mut r = good_request();
        r.starts_at = now() - Duration::hours(1);
        r.requester_phone = "12345".into();
        r.requester_email = Some("not-an-email".into());
        r.expected_attendees = 0;
        let e = validate_new_request(&r, now()).unwrap_err();
        for f in [
            "starts_at",
            "requester_phone",
            "requester_email",
            "expected_attendees",
        ] {
            assert!(e.get(f).is_some(), "{f}");
        }
    }

    #[test]
    fn indonesian_phone_formats() {
        for ok in [
            "081234567890",
            "+62 812-3456-7890",
            "62812345678",
            "0366 21448",
        ] {
            assert!(is_valid_phone(ok), "{ok}");
        }
        for bad in [
            "",
            "+1 555 1234567",
            "08abc",
            "0812",
            "1234567890",
            "+0812345678",
        ] {
            assert!(!is_valid_phone(bad), "{bad}");
        }
    }
}
