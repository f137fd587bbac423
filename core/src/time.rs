//! Time in the regency: day boundaries, and the one way dates and times are written for people —
//! "Senin, 30 November 2026, 09.00 WITA" in Bahasa Indonesia (a dot between hours and minutes,
//! as the national spelling rules have it), "Monday, 30 November 2026, 09:00 WITA" in English.
//! The apps, the web portal, the Agenda Harian sheet, the lobby display and the notifications
//! all write dates through here. Day and month names come from chrono's locale data (glibc's
//! `id_ID` and `en_US`), checked against a table in the tests.

use chrono::{DateTime, Locale, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::i18n::Lang;

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

fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::Id => Locale::id_ID,
        Lang::En => Locale::en_US,
    }
}

/// "Senin, 30 November 2026" / "Monday, 30 November 2026".
pub fn date(d: NaiveDate, lang: Lang) -> String {
    d.format_localized("%A, %-d %B %Y", locale(lang))
        .to_string()
}

/// A month in words: "Desember 2026" / "December 2026" (any day of it may be given).
pub fn month(d: NaiveDate, lang: Lang) -> String {
    d.format_localized("%B %Y", locale(lang)).to_string()
}

/// A month given as `YYYY-MM` in words: "Januari 2026" / "January 2026"; anything else is
/// returned as it came.
pub fn month_of(month: &str, lang: Lang) -> String {
    month_formatted(month, "%B %Y", lang)
}

/// A month shortly, for chart labels: "Agu 2026" / "Aug 2026".
pub fn month_short(month: &str, lang: Lang) -> String {
    month_formatted(month, "%b %Y", lang)
}

fn month_formatted(month: &str, pattern: &str, lang: Lang) -> String {
    match NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d") {
        Ok(d) => d.format_localized(pattern, locale(lang)).to_string(),
        Err(_) => month.to_string(),
    }
}

/// The local hour and minute of an instant: "09.00" / "09:00".
pub fn time(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let pattern = match lang {
        Lang::Id => "%H.%M",
        Lang::En => "%H:%M",
    };
    at.with_timezone(&tz).format(pattern).to_string()
}

/// A moment: "Senin, 30 November 2026, 09.00 WITA".
pub fn datetime(at: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    format!(
        "{}, {} {}",
        date(local_date(at, tz), lang),
        time(at, tz, lang),
        zone_abbrev(tz)
    )
}

/// The hours of an item under its day's heading: "09.00–11.30 WITA", or
/// "22.00 – Selasa, 1 Desember 2026, 02.00 WITA" when it ends on a later day.
pub fn time_range(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let zone = zone_abbrev(tz);
    let (from, to) = (time(start, tz, lang), time(end, tz, lang));
    if local_date(start, tz) == local_date(end, tz) {
        format!("{from}–{to} {zone}")
    } else {
        format!("{from} – {}, {to} {zone}", date(local_date(end, tz), lang))
    }
}

/// A whole span: "Senin, 30 November 2026, 09.00–11.30 WITA" (the end's date added when it
/// differs, as in [`time_range`]).
pub fn when(start: DateTime<Utc>, end: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    format!(
        "{}, {}",
        date(local_date(start, tz), lang),
        time_range(start, end, tz, lang)
    )
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
    fn writes_dates_the_indonesian_way_and_the_english_way() {
        let (s, e) = (utc("2026-11-30T01:00:00Z"), utc("2026-11-30T03:30:00Z"));
        assert_eq!(
            datetime(s, Makassar, Lang::Id),
            "Senin, 30 November 2026, 09.00 WITA"
        );
        assert_eq!(
            datetime(s, Makassar, Lang::En),
            "Monday, 30 November 2026, 09:00 WITA"
        );
        assert_eq!(
            when(s, e, Makassar, Lang::Id),
            "Senin, 30 November 2026, 09.00–11.30 WITA"
        );
        assert_eq!(
            when(s, e, Makassar, Lang::En),
            "Monday, 30 November 2026, 09:00–11:30 WITA"
        );
        assert_eq!(time_range(s, e, Makassar, Lang::Id), "09.00–11.30 WITA");
        assert_eq!(time(e, Makassar, Lang::En), "11:30");
    }

    #[test]
    fn a_range_past_midnight_names_the_end_day() {
        // 22.00 WITA on Monday to 02.00 WITA on Tuesday.
        let (s, e) = (utc("2026-11-30T14:00:00Z"), utc("2026-11-30T18:00:00Z"));
        assert_eq!(
            when(s, e, Makassar, Lang::Id),
            "Senin, 30 November 2026, 22.00 – Selasa, 1 Desember 2026, 02.00 WITA"
        );
        assert_eq!(
            time_range(s, e, Makassar, Lang::En),
            "22:00 – Tuesday, 1 December 2026, 02:00 WITA"
        );
    }

    #[test]
    fn months_are_written_in_words() {
        assert_eq!(month_of("2026-01", Lang::Id), "Januari 2026");
        assert_eq!(month_of("2026-01", Lang::En), "January 2026");
        assert_eq!(month_short("2026-08", Lang::Id), "Agu 2026");
        assert_eq!(month_short("2026-08", Lang::En), "Aug 2026");
        assert_eq!(month_short("2026-05", Lang::Id), "Mei 2026");
        assert_eq!(month_of("bukan", Lang::Id), "bukan");
    }

    #[test]
    fn every_day_and_month_has_its_name_in_both_languages() {
        // An independent table (KBBI spelling), not chrono's data: 2026-01-05 is a Monday.
        const DAYS: [(&str, &str); 7] = [
            ("Senin", "Monday"),
            ("Selasa", "Tuesday"),
            ("Rabu", "Wednesday"),
            ("Kamis", "Thursday"),
            ("Jumat", "Friday"),
            ("Sabtu", "Saturday"),
            ("Minggu", "Sunday"),
        ];
        const MONTHS: [(&str, &str); 12] = [
            ("Januari", "January"),
            ("Februari", "February"),
            ("Maret", "March"),
            ("April", "April"),
            ("Mei", "May"),
            ("Juni", "June"),
            ("Juli", "July"),
            ("Agustus", "August"),
            ("September", "September"),
            ("Oktober", "October"),
            ("November", "November"),
            ("Desember", "December"),
        ];
        let monday = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        for (i, (id, en)) in DAYS.iter().enumerate() {
            let d = monday + chrono::Duration::days(i as i64);
            assert_eq!(date(d, Lang::Id), format!("{id}, {} Januari 2026", 5 + i));
            assert_eq!(date(d, Lang::En), format!("{en}, {} January 2026", 5 + i));
        }
        for (m, (id, en)) in MONTHS.iter().enumerate() {
            let d = NaiveDate::from_ymd_opt(2027, m as u32 + 1, 1).unwrap();
            let day = DAYS[chrono::Datelike::weekday(&d).num_days_from_monday() as usize];
            assert_eq!(date(d, Lang::Id), format!("{}, 1 {id} 2027", day.0));
            assert_eq!(date(d, Lang::En), format!("{}, 1 {en} 2027", day.1));
            assert_eq!(month(d, Lang::Id), format!("{id} 2027"));
            assert_eq!(month(d, Lang::En), format!("{en} 2027"));
        }
    }

    #[test]
    fn the_day_changes_at_local_midnight_not_utc_midnight() {
        // 15.59 UTC is 23.59 WITA on 30 November; 16.00 UTC is already 1 December.
        assert_eq!(
            datetime(utc("2026-11-30T15:59:00Z"), Makassar, Lang::Id),
            "Senin, 30 November 2026, 23.59 WITA"
        );
        assert_eq!(
            datetime(utc("2026-11-30T16:00:00Z"), Makassar, Lang::Id),
            "Selasa, 1 Desember 2026, 00.00 WITA"
        );
        assert_eq!(
            datetime(utc("2026-12-31T16:00:00Z"), Makassar, Lang::En),
            "Friday, 1 January 2027, 00:00 WITA"
        );
        // Jakarta is an hour behind: the same instant is still 31 December there.
        assert_eq!(
            datetime(
                utc("2026-12-31T16:00:00Z"),
                chrono_tz::Asia::Jakarta,
                Lang::Id
            ),
            "Kamis, 31 Desember 2026, 23.00 WIB"
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
