//! Working time (SPEC WF-6, WF-9): working days are Monday to Friday, minus holidays, plus
//! make-up working days (调休); a working day runs inside a window (default 09:00–18:00).
//! Leave is counted in working days with half days; node deadlines are added in working
//! minutes.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Morning or afternoon of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Half {
    Am,
    Pm,
}

/// The working calendar of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Days off that would otherwise be working days.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休).
    pub workdays: BTreeSet<NaiveDate>,
    pub day_start: NaiveTime,
    pub day_end: NaiveTime,
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self {
            holidays: BTreeSet::new(),
            workdays: BTreeSet::new(),
            day_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            day_end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
        }
    }
}

impl WorkCalendar {
    /// Whether a date is a working day.
    #[must_use]
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&d)
    }

    /// Leave length in half-day units (so 1.5 days is 3): working days from `start` to `end`
    /// inclusive, less the morning of the first day when it starts in the afternoon and the
    /// afternoon of the last day when it ends in the morning. `None` when the range runs
    /// backwards (or is longer than ten years).
    #[must_use]
    pub fn leave_half_days(&self, start: NaiveDate, start_half: Half, end: NaiveDate, end_half: Half) -> Option<u32> {
        if end < start || (end == start && start_half == Half::Pm && end_half == Half::Am) {
            return None;
        }
        if (end - start).num_days() > 3660 {
            return None;
        }
        let mut halves = 0_u32;
        let mut d = start;
        while d <= end {
            if self.is_working_day(d) {
                let am = !(d == start && start_half == Half::Pm);
                let pm = !(d == end && end_half == Half::Am);
                halves += u32::from(am) + u32::from(pm);
            }
            d = d.succ_opt()?;
        }
        Some(halves)
    }

    /// The moment `minutes` of working time after `from`. Time outside the window (and on
    /// days off) does not count; a start outside the window counts from the next opening.
    #[must_use]
    pub fn add_working_minutes(&self, from: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        let mut left = minutes.max(0);
        let mut t = from;
        for _ in 0..20_000 {
            let day = t.date();
            let open = day.and_time(self.day_start);
            let close = day.and_time(self.day_end);
            if !self.is_working_day(day) || t >= close {
                t = day.succ_opt().map_or(t, |n| n.and_time(self.day_start));
                continue;
            }
            if t < open {
                t = open;
            }
            let available = (close - t).num_minutes();
            if left <= available {
                return t + Duration::minutes(left);
            }
            left -= available;
            t = day.succ_opt().map_or(t, |n| n.and_time(self.day_start));
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn leave_counts_working_half_days() {
        let cal = WorkCalendar::default();
        // Mon 2026-11-23 .. Fri 2026-11-27: five days.
        assert_eq!(cal.leave_half_days(d("2026-11-23"), Half::Am, d("2026-11-27"), Half::Pm), Some(10));
        // Across a weekend: Fri .. Mon is two days.
        assert_eq!(cal.leave_half_days(d("2026-11-27"), Half::Am, d("2026-11-30"), Half::Pm), Some(4));
        // Half days at both ends.
        assert_eq!(cal.leave_half_days(d("2026-11-23"), Half::Pm, d("2026-11-24"), Half::Am), Some(2));
        assert_eq!(cal.leave_half_days(d("2026-11-23"), Half::Am, d("2026-11-23"), Half::Am), Some(1));
        assert_eq!(cal.leave_half_days(d("2026-11-23"), Half::Pm, d("2026-11-23"), Half::Am), None);
        assert_eq!(cal.leave_half_days(d("2026-11-24"), Half::Am, d("2026-11-23"), Half::Pm), None);
        // A weekend alone is no leave at all.
        assert_eq!(cal.leave_half_days(d("2026-11-28"), Half::Am, d("2026-11-29"), Half::Pm), Some(0));
    }

    #[test]
    fn holidays_and_make_up_days() {
        let mut cal = WorkCalendar::default();
        cal.holidays.insert(d("2026-10-01"));
        cal.workdays.insert(d("2026-10-10")); // a Saturday worked instead
        assert!(!cal.is_working_day(d("2026-10-01")));
        assert!(cal.is_working_day(d("2026-10-10")));
        assert_eq!(cal.leave_half_days(d("2026-09-30"), Half::Am, d("2026-10-02"), Half::Pm), Some(4));
    }

    #[test]
    fn deadlines_skip_nights_weekends_and_holidays() {
        let mut cal = WorkCalendar::default();
        // Friday 17:00 + 2 working hours = Monday 10:00.
        assert_eq!(cal.add_working_minutes(t("2026-11-27 17:00"), 120), t("2026-11-30 10:00"));
        // Saturday night counts from Monday's opening.
        assert_eq!(cal.add_working_minutes(t("2026-11-28 23:00"), 60), t("2026-11-30 10:00"));
        // Early morning counts from 09:00.
        assert_eq!(cal.add_working_minutes(t("2026-11-24 07:30"), 30), t("2026-11-24 09:30"));
        // Three working days of nine hours.
        assert_eq!(cal.add_working_minutes(t("2026-11-23 09:00"), 3 * 9 * 60), t("2026-11-25 18:00"));
        cal.holidays.insert(d("2026-11-30"));
        assert_eq!(cal.add_working_minutes(t("2026-11-27 17:00"), 120), t("2026-12-01 10:00"));
    }
}
