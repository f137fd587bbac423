//! Time in the regency: day boundaries and the Indonesian way of writing dates
//! ("Senin, 30 November 2026, 09.00 WITA").

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

const DAYS_IN_INDONESIAN: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];
const MONTHS_IN_INDONESIAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// Parses an IANA time zone name such as `Asia/Makassar`.
pub fn parse_tz(name: &str) -> Option<Tz> {
    name.parse().ok()
}

/// The abbreviation Indonesians use for the zone (WIB, WITA, WIT), else the zone's own.
pub fn zone_abbrev(tz: Tz) -> String {
    match tz.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".into(),
        "Asia/Makassar" => "WITA".into(),
        "Asia/Jayapura" => "WIT".into(),
        _ => Utc::now().with_timezone(&tz).format("%Z").to_string(),
    }
}

/// Indonesian name of a weekday.
pub fn weekday_in_indonesian(w: Weekday) -> &'static str {
    DAYS_IN_INDONESIAN[w.num_days_from_monday() as usize]
}

/// "Senin, 30 November 2026".
pub fn format_date_in_indonesian(date: NaiveDate) -> String {
    format!(
        "{}, {} {} {}",
        weekday_in_indonesian(date.weekday()),
        date.day(),
        MONTHS_IN_INDONESIAN[date.month0() as usize],
        date.year()
    )
}

/// "09.00".
pub fn format_time_in_indonesian(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!("{:02}.{:02}", local.hour(), local.minute())
}

/// "Senin, 30 November 2026, 09.00 WITA".
pub fn format_datetime_in_indonesian(at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    format!(
        "{}, {} {}",
        format_date_in_indonesian(local.date_naive()),
        format_time_in_indonesian(at, tz),
        zone_abbrev(tz)
    )
}

/// "Senin, 30 November 2026, 09.00–11.00 WITA", or both full dates when the range spans days.
pub fn format_range_in_indonesian(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz) -> String {
    let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
    if s.date_naive() == e.date_naive() {
        format!(
            "{}, {}–{} {}",
            format_date_in_indonesian(s.date_naive()),
            format_time_in_indonesian(start, tz),
            format_time_in_indonesian(end, tz),
            zone_abbrev(tz)
        )
    } else {
        format!(
            "{} – {}",
            format_datetime_in_indonesian(start, tz),
            format_datetime_in_indonesian(end, tz)
        )
    }
}

/// The UTC instant at which `date` begins in `tz`.
pub fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).expect("midnight exists");
    // Zones used in Indonesia have no DST; `earliest` also handles zones where midnight is
    // skipped by falling back to the naive time read as UTC.
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The half-open UTC range `[start, end)` covering the local dates `from..=to`.
pub fn local_days_range(from: NaiveDate, to: NaiveDate, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let end_date = to.succ_opt().unwrap_or(to);
    (day_start(from, tz), day_start(end_date, tz))
}

/// The local date of an instant in `tz`.
pub fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Makassar;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn writes_dates_the_indonesian_way() {
        assert_eq!(
            format_datetime_in_indonesian(utc("2026-11-30T01:00:00Z"), Makassar),
            "Senin, 30 November 2026, 09.00 WITA"
        );
        assert_eq!(
            format_range_in_indonesian(
                utc("2026-11-30T01:00:00Z"),
                utc("2026-11-30T03:30:00Z"),
                Makassar
            ),
            "Senin, 30 November 2026, 09.00–11.30 WITA"
        );
    }

    #[test]
    fn late_evening_wita_stays_on_its_local_day() {
        // 23:30 WITA on 30 November is 15:30 UTC the same day; 00:30 WITA on 1 December is
        // 16:30 UTC on 30 November — the classic wrong-day bug.
        assert_eq!(
            local_date(utc("2026-11-30T15:30:00Z"), Makassar),
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
        );
        assert_eq!(
            local_date(utc("2026-11-30T16:30:00Z"), Makassar),
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
        );
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let (s, e) = local_days_range(d, d, Makassar);
        assert_eq!(s, utc("2026-11-30T16:00:00Z"));
        assert_eq!(e, utc("2026-12-01T16:00:00Z"));
    }

    #[test]
    fn zone_abbreviations() {
        assert_eq!(zone_abbrev(Makassar), "WITA");
        assert_eq!(zone_abbrev(chrono_tz::Asia::Jakarta), "WIB");
        assert_eq!(zone_abbrev(chrono_tz::Asia::Jayapura), "WIT");
    }
}
