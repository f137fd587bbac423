//! The request form's draft, saved on the device as the user types. The draft and its conversion
//! into a request live in core (`sepiion_core::draft`), shared with the server's web form.

use chrono::Utc;
use chrono_tz::Tz;
use sepiion_core::validation::FieldErrors;

pub use sepiion_core::draft::{RequestDraft, to_new_request};

/// Validation while typing: only the fields the user has touched.
pub fn live_errors(
    d: &RequestDraft,
    touched: &[String],
    tz: Tz,
    now: chrono::DateTime<Utc>,
) -> FieldErrors {
    match to_new_request(d, None, tz, now) {
        Ok(_) => FieldErrors::default(),
        Err(e) => FieldErrors(
            e.0.into_iter()
                .filter(|(k, _)| touched.iter().any(|t| t == k))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Makassar;

    #[test]
    fn live_errors_only_show_touched_fields() {
        let d = RequestDraft::default();
        let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 2, 0, 0).unwrap();
        let e = live_errors(&d, &["title".to_string()], Makassar, now);
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["title"]);
    }
}
