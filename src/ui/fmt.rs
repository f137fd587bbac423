//! Dates and times as the apps show them, in the regency's time zone and the user's language.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use sepiion_core::time::{
    format_date_in_indonesian, format_time_in_indonesian, local_date, zone_abbrev,
};
use sepiion_core::validation::Lang;

const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "Senin, 30 November 2026" / "Monday, 30 November 2026".
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Id => format_date_in_indonesian(d),
        Lang::En => format!(
            "{}, {} {} {}",
            DAYS_EN[d.weekday().num_days_from_monday() as usize],
            d.day(),
            MONTHS_EN[d.month0() as usize],
            d.year()
        ),
    }
}

/// "09.00–11.30 WITA" for one day, or both full instants when the range spans days.
pub fn time_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    if local_date(start, tz) == local_date(end, tz) {
        format!(
            "{}–{} {}",
            format_time_in_indonesian(start, tz),
            format_time_in_indonesian(end, tz),
            zone_abbrev(tz)
        )
    } else {
        format!(
            "{} – {}",
            datetime(start, tz, lang),
            datetime(end, tz, lang)
        )
    }
}

/// "Senin, 30 November 2026, 09.00 WITA".
pub fn datetime(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    format!(
        "{}, {} {}",
        date(local_date(at, tz), lang),
        format_time_in_indonesian(at, tz),
        zone_abbrev(tz)
    )
}

/// "Senin, 30 November 2026, 09.00–11.30 WITA".
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    if local_date(start, tz) == local_date(end, tz) {
        format!(
            "{}, {}",
            date(local_date(start, tz), lang),
            time_range(start, end, tz, lang)
        )
    } else {
        time_range(start, end, tz, lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Makassar;

    #[test]
    fn indonesian_and_english_dates() {
        let s = Utc.with_ymd_and_hms(2026, 11, 30, 1, 0, 0).unwrap();
        let e = Utc.with_ymd_and_hms(2026, 11, 30, 3, 30, 0).unwrap();
        assert_eq!(
            when(s, e, Makassar, Lang::Id),
            "Senin, 30 November 2026, 09.00–11.30 WITA"
        );
        assert_eq!(
            when(s, e, Makassar, Lang::En),
            "Monday, 30 November 2026, 09.00–11.30 WITA"
        );
        assert_eq!(
            datetime(s, Makassar, Lang::Id),
            "Senin, 30 November 2026, 09.00 WITA"
        );
    }
}
