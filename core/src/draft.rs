//! The request form as typed: exactly what the user entered (all text, so nothing is ever lost
//! to a parse error), turned into a [`NewRequest`] only on submit. The app keeps it as a draft on
//! the device; the server's web portal reads it from the HTML form. Both use this one conversion,
//! so the two forms report the same errors on the same fields.

use crate::RequestKind;
use crate::api::NewRequest;
use crate::validation::{FieldErrors, Msg, validate_new_request};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The form's fields as typed. Dates are `YYYY-MM-DD`, times `HH:MM`, local to the regency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestDraft {
    pub kind: String,
    /// A leader id, or empty for either leader.
    pub leader_id: String,
    pub title: String,
    pub description: String,
    pub start_date: String,
    pub start_time: String,
    pub end_date: String,
    pub end_time: String,
    pub location: String,
    pub organizer: String,
    pub requester_name: String,
    pub requester_phone: String,
    pub requester_email: String,
    pub expected_attendees: String,
    pub leader_role: String,
    pub dress_code: String,
    pub letter_number: String,
    /// Attachment chosen in the app: file name and where it is on the device (unused by the
    /// web form, which uploads the file with the form).
    pub attachment_name: String,
    pub attachment_path: String,
}

impl Default for RequestDraft {
    fn default() -> Self {
        RequestDraft {
            kind: "undangan".into(),
            leader_id: String::new(),
            title: String::new(),
            description: String::new(),
            start_date: String::new(),
            start_time: "09:00".into(),
            end_date: String::new(),
            end_time: "11:00".into(),
            location: String::new(),
            organizer: String::new(),
            requester_name: String::new(),
            requester_phone: String::new(),
            requester_email: String::new(),
            expected_attendees: String::new(),
            leader_role: String::new(),
            dress_code: String::new(),
            letter_number: String::new(),
            attachment_name: String::new(),
            attachment_path: String::new(),
        }
    }
}

/// The request form's fields in the order both forms show them — the app's and the web
/// portal's — and in which their error summaries list mistakes: what is asked for, then
/// when, then who asks. Each is a [`RequestDraft`] field name ([`RequestDraft::get`]); the
/// labels are in [`crate::i18n::Words::field`].
pub const FIELDS: [&str; 17] = [
    "kind",
    "leader_id",
    "title",
    "description",
    "location",
    "organizer",
    "leader_role",
    "expected_attendees",
    "dress_code",
    "letter_number",
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "requester_name",
    "requester_phone",
    "requester_email",
];

/// The fields a requester may leave empty (the forms mark them "(opsional)", the others `*`).
/// The end date defaults to the start date.
const OPTIONAL_FIELDS: [&str; 4] = ["end_date", "dress_code", "letter_number", "requester_email"];

/// Whether the forms mark `field` as required.
pub fn is_required(field: &str) -> bool {
    FIELDS.contains(&field) && !OPTIONAL_FIELDS.contains(&field)
}

impl RequestDraft {
    pub fn get(&self, field: &str) -> &str {
        match field {
            "kind" => &self.kind,
            "leader_id" => &self.leader_id,
            "title" => &self.title,
            "description" => &self.description,
            "start_date" => &self.start_date,
            "start_time" => &self.start_time,
            "end_date" => &self.end_date,
            "end_time" => &self.end_time,
            "location" => &self.location,
            "organizer" => &self.organizer,
            "requester_name" => &self.requester_name,
            "requester_phone" => &self.requester_phone,
            "requester_email" => &self.requester_email,
            "expected_attendees" => &self.expected_attendees,
            "leader_role" => &self.leader_role,
            "dress_code" => &self.dress_code,
            "letter_number" => &self.letter_number,
            _ => "",
        }
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "kind" => &mut self.kind,
            "leader_id" => &mut self.leader_id,
            "title" => &mut self.title,
            "description" => &mut self.description,
            "start_date" => &mut self.start_date,
            "start_time" => &mut self.start_time,
            "end_date" => &mut self.end_date,
            "end_time" => &mut self.end_time,
            "location" => &mut self.location,
            "organizer" => &mut self.organizer,
            "requester_name" => &mut self.requester_name,
            "requester_phone" => &mut self.requester_phone,
            "requester_email" => &mut self.requester_email,
            "expected_attendees" => &mut self.expected_attendees,
            "leader_role" => &mut self.leader_role,
            "dress_code" => &mut self.dress_code,
            "letter_number" => &mut self.letter_number,
            _ => return,
        };
        *slot = value;
    }

    /// Whether the user has typed anything worth keeping.
    pub fn is_blank(&self) -> bool {
        *self
            == RequestDraft {
                kind: self.kind.clone(),
                leader_id: self.leader_id.clone(),
                ..RequestDraft::default()
            }
    }
}

impl RequestDraft {
    /// When the event starts, once date and time are typed validly.
    pub fn starts_at(&self, tz: Tz) -> Option<chrono::DateTime<Utc>> {
        parse_local(&self.start_date, &self.start_time, tz)
    }
}

fn parse_local(date: &str, time: &str, tz: Tz) -> Option<chrono::DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(time.trim(), "%H.%M"))
        .ok()?;
    tz.from_local_datetime(&NaiveDateTime::new(d, t))
        .earliest()
        .map(|x| x.with_timezone(&Utc))
}

fn invalid_date() -> Msg {
    Msg::new(
        "Tanggal tidak dikenali; tulis seperti 2026-12-05.",
        "Not a date; write it like 2026-12-05.",
    )
}

fn invalid_time() -> Msg {
    Msg::new(
        "Jam tidak dikenali; tulis seperti 09:30.",
        "Not a time; write it like 09:30.",
    )
}

/// What is wrong with a typed date (`None`: it reads).
fn date_error(date: &str) -> Option<Msg> {
    let date = date.trim();
    if date.is_empty() {
        Some(Msg::required())
    } else {
        NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .is_err()
            .then(invalid_date)
    }
}

/// What is wrong with a typed time (`None`: it reads).
fn time_error(time: &str) -> Option<Msg> {
    let time = time.trim();
    if time.is_empty() {
        Some(Msg::required())
    } else {
        (NaiveTime::parse_from_str(time, "%H:%M").is_err()
            && NaiveTime::parse_from_str(time, "%H.%M").is_err())
        .then(invalid_time)
    }
}

/// Turns the draft into a request and validates it with the same rules as the server. Errors
/// are keyed by the form's own field names (`start_date`, not `starts_at`).
pub fn to_new_request(
    d: &RequestDraft,
    id: Option<String>,
    tz: Tz,
    now: chrono::DateTime<Utc>,
) -> Result<NewRequest, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = RequestKind::parse(&d.kind);
    if kind.is_none() {
        errors.add("kind", Msg::required());
    }
    // The end date defaults to the start date (most events last part of one day).
    let end_day = if d.end_date.trim().is_empty() {
        &d.start_date
    } else {
        &d.end_date
    };
    let starts_at = parse_local(&d.start_date, &d.start_time, tz);
    let ends_at = parse_local(end_day, &d.end_time, tz);
    // Each error on the input that holds the mistake, said once: an empty start date is
    // "required" (not a lesson in formats), and an end that only lacks the start's date gets no
    // error of its own.
    let start_date_error = date_error(&d.start_date);
    if let Some(m) = &start_date_error {
        errors.add("start_date", m.clone());
    }
    if let Some(m) = time_error(&d.start_time) {
        errors.add("start_time", m);
    }
    if !d.end_date.trim().is_empty()
        && let Some(m) = date_error(&d.end_date)
    {
        errors.add("end_date", m);
    }
    if let Some(m) = time_error(&d.end_time) {
        errors.add("end_time", m);
    }
    if starts_at.is_none() && errors.is_empty() {
        // Reads but is no instant in the zone (a skipped hour): said where the start is.
        errors.add("start_date", invalid_date());
    }
    if ends_at.is_none()
        && start_date_error.is_none()
        && !errors.0.keys().any(|k| k.starts_with("end"))
    {
        errors.add("end_time", invalid_time());
    }
    let attendees = d.expected_attendees.trim().replace('.', "");
    let expected_attendees = if attendees.is_empty() {
        errors.add("expected_attendees", Msg::required());
        0
    } else {
        match attendees.parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                errors.add(
                    "expected_attendees",
                    Msg::new("Isi dengan angka.", "Enter a number."),
                );
                0
            }
        }
    };
    let opt = |s: &str| {
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let new = NewRequest {
        id,
        kind: kind.unwrap_or(RequestKind::Lainnya),
        leader_id: opt(&d.leader_id),
        title: d.title.clone(),
        description: d.description.clone(),
        starts_at: starts_at.unwrap_or(now),
        ends_at: ends_at.unwrap_or(now),
        location: d.location.clone(),
        organizer: d.organizer.clone(),
        requester_name: d.requester_name.clone(),
        requester_phone: d.requester_phone.clone(),
        requester_email: opt(&d.requester_email),
        expected_attendees,
        leader_role: d.leader_role.clone(),
        dress_code: d.dress_code.clone(),
        letter_number: opt(&d.letter_number),
        notify_channels: None,
    };
    if let Err(core) = validate_new_request(&new, now) {
        for (field, msg) in core.0 {
            // Map the wire names back onto the form's inputs; date errors only count when the
            // date itself could be read.
            let target = match field.as_str() {
                "starts_at" if starts_at.is_some() => "start_date",
                "ends_at" if starts_at.is_some() && ends_at.is_some() => "end_time",
                "starts_at" | "ends_at" => continue,
                other => other,
            };
            errors.add(target, msg);
        }
    }
    if errors.is_empty() {
        Ok(new)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Makassar;

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap()
    }

    pub(crate) fn filled() -> RequestDraft {
        RequestDraft {
            leader_id: "bupati".into(),
            title: "Pembukaan Festival Semarapura".into(),
            description: "Mohon Bapak Bupati berkenan membuka festival.".into(),
            start_date: "2026-12-05".into(),
            start_time: "09:00".into(),
            end_date: String::new(),
            end_time: "11.30".into(),
            location: "Lapangan Puputan Klungkung".into(),
            organizer: "Dinas Pariwisata".into(),
            requester_name: "Ni Made Sari".into(),
            requester_phone: "0812 3456 7890".into(),
            expected_attendees: "1.500".into(),
            leader_role: "membuka acara".into(),
            ..RequestDraft::default()
        }
    }

    #[test]
    fn a_filled_draft_becomes_a_request_in_wita() {
        let r = to_new_request(&filled(), Some("x".into()), Makassar, now()).unwrap();
        assert_eq!(
            r.starts_at,
            Utc.with_ymd_and_hms(2026, 12, 5, 1, 0, 0).unwrap()
        );
        assert_eq!(
            r.ends_at,
            Utc.with_ymd_and_hms(2026, 12, 5, 3, 30, 0).unwrap()
        );
        assert_eq!(r.expected_attendees, 1500);
        assert_eq!(r.leader_id.as_deref(), Some("bupati"));
        assert_eq!(r.requester_email, None);
    }

    #[test]
    fn the_marked_fields_are_the_ones_validation_requires() {
        // Every optional field may stay empty: `filled` leaves them all blank and passes.
        let d = filled();
        for f in FIELDS.iter().filter(|f| !is_required(f)) {
            assert_eq!(d.get(f), "", "{f}");
        }
        assert!(to_new_request(&d, None, Makassar, now()).is_ok());
        // Every required text field left blank is an error on that field (or, for a time, on
        // its date or time pair). `kind` and `leader_id` are choices that always have a value.
        for f in FIELDS
            .iter()
            .filter(|f| is_required(f) && !["kind", "leader_id"].contains(f))
        {
            let mut d = filled();
            d.set(f, String::new());
            let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
            assert_eq!(e.get(f), Some(&Msg::required()), "blank {f}");
        }
    }

    #[test]
    fn errors_land_on_the_form_fields() {
        let mut d = filled();
        d.end_time = "08:00".into();
        d.requester_phone = "123".into();
        d.expected_attendees = "banyak".into();
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert_eq!(
            e.get("end_time").unwrap().ind,
            "Waktu selesai harus setelah waktu mulai."
        );
        assert!(e.get("requester_phone").is_some());
        assert_eq!(
            e.get("expected_attendees").unwrap().ind,
            "Isi dengan angka."
        );
        let mut d = filled();
        d.start_date = "5 Desember".into();
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert!(e.get("start_date").is_some());
        assert!(e.get("ends_at").is_none() && e.get("starts_at").is_none());
    }

    #[test]
    fn an_empty_start_date_is_required_once_and_the_prefilled_end_is_left_alone() {
        // The form as it opens (times pre-filled), sent without a date.
        let d = RequestDraft {
            start_date: String::new(),
            ..filled()
        };
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert_eq!(e.get("start_date"), Some(&Msg::required()));
        assert_eq!(
            e.get("end_time"),
            None,
            "the end time is fine; only the date is missing"
        );
        assert_eq!(e.get("start_time"), None);
        // A typed end date that is no date is reported there, not on the end time.
        let d = RequestDraft {
            end_date: "besok".into(),
            ..filled()
        };
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert!(e.get("end_date").unwrap().ind.contains("2026-12-05"));
        assert_eq!(e.get("end_time"), None);
        // A start time that is no time.
        let d = RequestDraft {
            start_time: "jam 9".into(),
            ..filled()
        };
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert!(e.get("start_time").is_some());
        assert_eq!(e.get("start_date"), None);
    }

    #[test]
    fn no_message_repeats_the_label_it_is_shown_under() {
        // The forms show "label: message"; a message starting with its own label says it twice.
        let mut d = filled();
        d.expected_attendees = "0".into();
        d.title = String::new();
        d.start_date = "2020-01-01".into();
        d.requester_phone = "123".into();
        d.requester_email = "bukan-alamat".into();
        let e = to_new_request(&d, None, Makassar, now()).unwrap_err();
        assert_eq!(e.0.len(), 5, "{e:?}");
        for lang in crate::i18n::Lang::ALL {
            for (field, msg) in &e.0 {
                let label = lang.words().field(field).unwrap().to_lowercase();
                let text = msg.get(lang).to_lowercase();
                assert!(
                    !text.contains(&label),
                    "{field}: {text:?} repeats {label:?}"
                );
            }
        }
    }

    #[test]
    fn drafts_survive_a_round_trip_and_know_when_blank() {
        let d = filled();
        let back: RequestDraft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
        assert!(RequestDraft::default().is_blank());
        assert!(!d.is_blank());
        // An old draft missing newer fields still loads.
        let old: RequestDraft = serde_json::from_str(r#"{"title":"x"}"#).unwrap();
        assert_eq!(old.title, "x");
    }
}
