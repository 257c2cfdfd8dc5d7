//! The organisation's local time. Instants are stored and compared in UTC; whatever people
//! read as a date or an hour — "today", a day in a filter, working hours, a time on a page or
//! in an export — is China Standard Time (UTC+8, no daylight saving), whatever zone the
//! server itself runs in. Nothing here reads a clock: callers pass the instant they were
//! given (the services' `Clock`), so a request or a job goes by one clock.

use super::workflow::calendar::WorkCalendar;
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};

/// China Standard Time's offset from UTC, in seconds.
pub const LOCAL_OFFSET_SECS: i32 = 8 * 3600;

/// China Standard Time as a chrono offset (checked when compiling: `east_opt` refuses
/// only offsets beyond ±24 hours).
pub const LOCAL_OFFSET: FixedOffset = match FixedOffset::east_opt(LOCAL_OFFSET_SECS) {
    Some(o) => o,
    None => panic!("China Standard Time is a valid offset"),
};

/// The wall-clock reading in China of an instant.
#[must_use]
pub fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&LOCAL_OFFSET).naive_local()
}

/// The date in China of an instant (00:00–07:59 China time is still the previous day in UTC).
#[must_use]
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date()
}

/// The instant of a China wall-clock reading.
#[must_use]
pub fn from_local(t: NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(t - Duration::seconds(i64::from(LOCAL_OFFSET_SECS)), Utc)
}

/// The instant a day begins in China (its 00:00).
#[must_use]
pub fn day_start(d: NaiveDate) -> DateTime<Utc> {
    from_local(d.and_time(chrono::NaiveTime::MIN))
}

/// The instants `[start, end)` that the China days `from..=to` cover; either end open.
#[must_use]
pub fn day_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    (from.map(day_start), to.map(|d| d.succ_opt().map_or_else(|| day_start(d) + Duration::days(1), day_start)))
}

/// A date as people type it: `YYYY-MM-DD` (the month and day may have one digit).
///
/// Read by hand, as [`parse_instant`]: chrono's format-string parser would otherwise be in the
/// browser's WASM for these alone.
#[must_use]
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let mut parts = s.trim().split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(digits(y, 4)?).ok()?, digits(m, 2)?, digits(d, 2)?)
}

/// An instant as the server writes it, RFC 3339 (`2026-11-23T01:30:00.123456+00:00`, `…Z`).
#[must_use]
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (hms, zone) = (rest.get(..8)?, rest.get(8..)?);
    let mut f = hms.split(':');
    let (h, m, sec) = (digits(f.next()?, 2)?, digits(f.next()?, 2)?, digits(f.next()?, 2)?);
    let (nanos, zone) = match zone.strip_prefix('.') {
        Some(frac) => {
            let z = frac.trim_start_matches(|c: char| c.is_ascii_digit());
            let given = &frac[..frac.len() - z.len()];
            if given.is_empty() {
                return None;
            }
            // Nanoseconds: the first nine digits, padded.
            let nine: String = given.chars().chain(std::iter::repeat('0')).take(9).collect();
            (nine.parse::<u32>().ok()?, z)
        }
        None => (0, zone),
    };
    let offset = match zone {
        "Z" | "z" => 0,
        z => {
            let sign = match z.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let (oh, om) = z.get(1..)?.split_once(':')?;
            if oh.len() != 2 || om.len() != 2 {
                return None;
            }
            let (oh, om) = (digits(oh, 2)?, digits(om, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * i64::from(oh * 3600 + om * 60)
        }
    };
    let naive = parse_day(date)?.and_hms_nano_opt(h, m, sec, nanos)?;
    Some(DateTime::from_naive_utc_and_offset(naive - Duration::seconds(offset), Utc))
}

/// `t` as a number when it is 1 to `max` ASCII digits.
fn digits(t: &str, max: usize) -> Option<u32> {
    if t.is_empty() || t.len() > max || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// `YYYY-MM-DD HH:MM` in China time, written out by hand: chrono's format-string machinery
/// would otherwise be in the browser's main WASM module for this alone.
#[must_use]
pub fn fmt_minutes(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{:04}-{:02}-{:02} {:02}:{:02}", l.year(), l.month(), l.day(), l.hour(), l.minute())
}

/// `YYYYMMDD-HHMMSS` in China time, for file names.
#[must_use]
pub fn fmt_stamp(t: DateTime<Utc>) -> String {
    let l = local(t);
    format!("{:04}{:02}{:02}-{:02}{:02}{:02}", l.year(), l.month(), l.day(), l.hour(), l.minute(), l.second())
}

/// The instant `minutes` of working time after `from`, by the calendar's days and hours
/// in China time (a deadline set on Friday evening falls on Monday, not on Saturday).
#[must_use]
pub fn add_working(cal: &WorkCalendar, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    from_local(cal.add_working_minutes(local(from), minutes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn d(s: &str) -> NaiveDate {
        parse_day(s).unwrap()
    }

    #[test]
    fn dates_and_instants_read_as_chrono_reads_them() {
        for ok in ["2026-11-23", "2026-1-5", " 2026-02-28 ", "2024-02-29"] {
            assert_eq!(parse_day(ok), NaiveDate::parse_from_str(ok.trim(), "%Y-%m-%d").ok(), "{ok}");
        }
        for bad in
            ["", "2026-13-01", "2026-02-30", "2026/11/23", "26-11-23", "2026-11-23-1", "2026-+1-05", "2026-011-05"]
        {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
        for ok in [
            "2026-11-23T01:30:00Z",
            "2026-11-23T01:30:00.123456+00:00",
            "2026-11-23T09:30:00+08:00",
            "2026-11-22T20:30:59.5-05:30",
            "2026-11-23 01:30:00z",
        ] {
            let chrono = DateTime::parse_from_rfc3339(ok).ok().map(|t| t.with_timezone(&Utc));
            assert_eq!(parse_instant(ok), chrono, "{ok}");
            assert!(chrono.is_some(), "{ok}");
        }
        for bad in [
            "",
            "2026-11-23",
            "2026-11-23T01:30:00",
            "2026-11-23T01:30:00+8:00",
            "2026-11-23T25:00:00Z",
            "2026-11-23T01:30:00.Z",
            "garbage",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
    }

    #[test]
    fn just_after_midnight_in_china_is_the_next_day() {
        // 00:17 on 1 December in China is still 30 November in UTC.
        let t = utc("2026-11-30T16:17:00Z");
        assert_eq!(local_date(t), d("2026-12-01"));
        assert_eq!(fmt_minutes(t), "2026-12-01 00:17");
        assert_eq!(fmt_stamp(t), "20261201-001700");
        // New Year in China, the old year in UTC.
        assert_eq!(local_date(utc("2026-12-31T16:05:00Z")), d("2027-01-01"));
        assert_eq!(local_date(utc("2026-12-31T15:59:59Z")), d("2026-12-31"));
    }

    #[test]
    fn a_day_covers_china_midnight_to_midnight() {
        assert_eq!(day_start(d("2026-12-01")), utc("2026-11-30T16:00:00Z"));
        let (from, to) = day_range(Some(d("2027-02-28")), Some(d("2027-02-28")));
        assert_eq!(from, Some(utc("2027-02-27T16:00:00Z")));
        assert_eq!(to, Some(utc("2027-02-28T16:00:00Z")), "the end is the next day's start (1 March)");
        assert_eq!(day_range(None, None), (None, None));
    }

    #[test]
    fn working_time_is_counted_in_china_hours() {
        let mut cal = WorkCalendar::default();
        // Monday 10:00 China = 02:00 UTC; two working hours later is 12:00 China.
        assert_eq!(add_working(&cal, utc("2026-11-23T02:00:00Z"), 120), utc("2026-11-23T04:00:00Z"));
        // Friday 17:30 China: half an hour on Friday, ninety minutes on Monday.
        assert_eq!(add_working(&cal, utc("2026-11-27T09:30:00Z"), 120), utc("2026-11-30T02:30:00Z"));
        // 00:17 on a Tuesday in China (Monday in UTC) counts from Tuesday 09:00.
        assert_eq!(add_working(&cal, utc("2026-11-30T16:17:00Z"), 60), utc("2026-12-01T02:00:00Z"));
        // New Year's Day a holiday: 31 December 17:00 + 2 h = 4 January (a Monday) 10:00.
        cal.holidays.insert(d("2027-01-01"));
        assert_eq!(add_working(&cal, utc("2026-12-31T09:00:00Z"), 120), utc("2027-01-04T02:00:00Z"));
    }

    proptest! {
        #[test]
        fn local_round_trips(secs in 0_i64..4_102_444_800) {
            let t = DateTime::from_timestamp(secs, 0).unwrap();
            prop_assert_eq!(from_local(local(t)), t);
            let start = day_start(local_date(t));
            prop_assert!(start <= t && t < start + Duration::days(1));
        }

        #[test]
        fn deadlines_never_land_outside_working_hours(secs in 1_700_000_000_i64..1_900_000_000, minutes in 1_i64..20_000) {
            let mut cal = WorkCalendar::default();
            cal.holidays.insert(d("2027-01-01"));
            let from = DateTime::from_timestamp(secs, 0).unwrap();
            let due = add_working(&cal, from, minutes);
            prop_assert!(due > from);
            let l = local(due);
            prop_assert!(cal.is_working_day(l.date()));
            prop_assert!(l.time() > cal.day_start && l.time() <= cal.day_end);
        }
    }
}
