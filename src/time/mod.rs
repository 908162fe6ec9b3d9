//! Civil times in the three formats the headers use, time zones, and clocks.
//!
//! | format | example | used by |
//! |---|---|---|
//! | `yyMMddHHmmss` | `221108120814` | the first 12 characters of `X-KM-Correlation-Id` |
//! | `yyyyMMddHHmmss` | `20221108120814` | `X-KM-Tran-Time` |
//! | `yyyyMMddHHmmssSSS` | `20221108120814608` | the `T17` of `X-KM-Tran-Token` |
//!
//! Times are always read in a [`TimeZone`] named by `X-KM-Time-Zone`. The
//! calendar is the proleptic Gregorian one; every parsed time is checked to be
//! real (no 30 February, no hour 24, 29 February only in leap years).
//!
//! ```
//! use konaplate_crypto::{DateTime, TimeFormat, TimeZone};
//!
//! let t = DateTime::parse("20240229235959999", TimeFormat::Millis17)?;
//! assert_eq!(t.format(TimeFormat::Short12)?.as_str(), "240229235959");
//! // 2024-02-29 23:59:59.999 in Seoul is 14:59:59.999 UTC.
//! assert_eq!(t.to_unix_millis(TimeZone::KST), 1_709_218_799_999);
//! assert!(DateTime::parse("20230229000000", TimeFormat::Seconds14).is_err());
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

mod clock;
mod zone;

use core::fmt;
use std::time::SystemTime;

pub use clock::{Clock, SystemClock};
pub(crate) use clock::{system_time, unix_millis, unix_seconds};
pub use zone::TimeZone;

use crate::error::{Error, Result};

const MS_PER_DAY: i64 = 86_400_000;

/// The three text formats of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeFormat {
    /// `yyMMddHHmmss`: two-digit year (2000 to 2099), as in correlation ids.
    Short12,
    /// `yyyyMMddHHmmss`, as in `X-KM-Tran-Time`.
    Seconds14,
    /// `yyyyMMddHHmmssSSS`, as in the token's `T17`.
    Millis17,
}

impl TimeFormat {
    /// Number of characters of the format.
    pub const fn len(self) -> usize {
        match self {
            TimeFormat::Short12 => 12,
            TimeFormat::Seconds14 => 14,
            TimeFormat::Millis17 => 17,
        }
    }

    /// Always false; the formats have fixed, non-zero lengths.
    pub const fn is_empty(self) -> bool {
        false
    }

    const fn pattern(self) -> &'static str {
        match self {
            TimeFormat::Short12 => "yyMMddHHmmss",
            TimeFormat::Seconds14 => "yyyyMMddHHmmss",
            TimeFormat::Millis17 => "yyyyMMddHHmmssSSS",
        }
    }
}

/// A formatted time held on the stack: up to 17 ASCII digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeText {
    buf: [u8; 17],
    len: u8,
}

impl TimeText {
    /// The digits.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The digits as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..usize::from(self.len)).unwrap_or_default()
    }
}

impl fmt::Debug for TimeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for TimeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A wall-clock time with millisecond precision, in years 0000 to 9999,
/// always a real calendar time. Which zone it is in is the caller's context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    millis: u16,
}

const MONTHS: [&str; 12] = [
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

/// Whether `year` is a leap year of the Gregorian calendar.
pub(crate) const fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1 to 12) of `year`.
const fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of [`days_from_civil`]).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

pub(crate) fn time_error(reason: impl Into<String>) -> Error {
    Error::InvalidTime {
        reason: reason.into(),
    }
}

impl DateTime {
    /// A time from its parts, checked to be a real calendar time.
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
        millis: u16,
    ) -> Result<DateTime> {
        let dt = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millis,
        };
        dt.check().map_err(time_error)?;
        Ok(dt)
    }

    /// The wall-clock time in `zone` of an instant given as milliseconds since
    /// the Unix epoch. Fails outside years 0000 to 9999.
    pub fn from_unix_millis(ms: i64, zone: TimeZone) -> Result<DateTime> {
        let local = ms
            .checked_add(i64::from(zone.offset_secs()) * 1000)
            .ok_or_else(|| time_error("instant out of range"))?;
        let days = local.div_euclid(MS_PER_DAY);
        let in_day = local.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let year = u16::try_from(year)
            .ok()
            .filter(|y| *y <= 9999)
            .ok_or_else(|| time_error(format!("year {year} is outside 0000 to 9999")))?;
        Ok(DateTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: (in_day / 3_600_000) as u8,
            minute: (in_day / 60_000 % 60) as u8,
            second: (in_day / 1000 % 60) as u8,
            millis: (in_day % 1000) as u16,
        })
    }

    /// The wall-clock time in `zone` of a [`SystemTime`].
    pub fn from_system_time(t: SystemTime, zone: TimeZone) -> Result<DateTime> {
        DateTime::from_unix_millis(unix_millis(t)?, zone)
    }

    /// Milliseconds since the Unix epoch of this wall-clock time read in `zone`.
    pub fn to_unix_millis(&self, zone: TimeZone) -> i64 {
        let days = days_from_civil(
            i64::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
        );
        days * MS_PER_DAY
            + i64::from(self.hour) * 3_600_000
            + i64::from(self.minute) * 60_000
            + i64::from(self.second) * 1000
            + i64::from(self.millis)
            - i64::from(zone.offset_secs()) * 1000
    }

    /// The instant of this wall-clock time read in `zone`.
    pub fn to_system_time(&self, zone: TimeZone) -> SystemTime {
        system_time(self.to_unix_millis(zone))
    }

    /// The instant a token time (`yyyyMMddHHmmssSSS`) read in `zone`
    /// stands for, or the system clock's now when there is no text: for
    /// the front ends (the C ABI, the Python package) whose callers pass a
    /// time or leave it to the clock.
    pub fn instant_or_now(text: Option<&str>, zone: TimeZone) -> Result<SystemTime> {
        match text {
            Some(text) => Ok(DateTime::parse(text, TimeFormat::Millis17)?.to_system_time(zone)),
            None => Ok(SystemTime::now()),
        }
    }

    /// Year, 0 to 9999.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// Month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// Day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// Hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// Minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// Second, 0 to 59.
    pub fn second(&self) -> u8 {
        self.second
    }
    /// Millisecond, 0 to 999.
    pub fn millis(&self) -> u16 {
        self.millis
    }

    /// The same time with the milliseconds set to zero.
    pub fn truncate_to_second(self) -> DateTime {
        DateTime { millis: 0, ..self }
    }

    /// Formats the time. Only [`TimeFormat::Short12`] can fail: its two-digit
    /// year reaches from 2000 to 2099.
    pub fn format(&self, format: TimeFormat) -> Result<TimeText> {
        let mut out = TimeText {
            buf: [0; 17],
            len: format.len() as u8,
        };
        let mut w = DigitWriter {
            buf: &mut out.buf,
            at: 0,
        };
        match format {
            TimeFormat::Short12 => {
                if !(2000..=2099).contains(&self.year) {
                    return Err(time_error(format!(
                        "year {} cannot be written as yy (2000 to 2099)",
                        self.year
                    )));
                }
                w.put(u32::from(self.year - 2000), 2);
            }
            TimeFormat::Seconds14 | TimeFormat::Millis17 => w.put(u32::from(self.year), 4),
        }
        w.put(u32::from(self.month), 2);
        w.put(u32::from(self.day), 2);
        w.put(u32::from(self.hour), 2);
        w.put(u32::from(self.minute), 2);
        w.put(u32::from(self.second), 2);
        if format == TimeFormat::Millis17 {
            w.put(u32::from(self.millis), 3);
        }
        Ok(out)
    }

    /// Parses a time in `format`, checking that it is a real calendar time.
    pub fn parse(text: &str, format: TimeFormat) -> Result<DateTime> {
        DateTime::parse_bytes(text.as_bytes(), format).map_err(time_error)
    }

    /// Parses like [`DateTime::parse`], returning the bare reason on failure,
    /// so that callers can say which header or token held the time.
    pub(crate) fn parse_bytes(b: &[u8], format: TimeFormat) -> Result<DateTime, String> {
        if b.len() != format.len() {
            return Err(format!(
                "expected {} digits ({}), found {} characters",
                format.len(),
                format.pattern(),
                b.len()
            ));
        }
        if let Some(pos) = b.iter().position(|c| !c.is_ascii_digit()) {
            return Err(format!(
                "expected {} digits ({}), found a non-digit at position {}",
                format.len(),
                format.pattern(),
                pos + 1
            ));
        }
        let mut r = DigitReader { b, at: 0 };
        let year = match format {
            TimeFormat::Short12 => 2000 + r.take(2),
            TimeFormat::Seconds14 | TimeFormat::Millis17 => r.take(4),
        };
        let month = r.take(2);
        let day = r.take(2);
        let hour = r.take(2);
        let minute = r.take(2);
        let second = r.take(2);
        let millis = if format == TimeFormat::Millis17 {
            r.take(3)
        } else {
            0
        };
        // Every value fits its type: at most 4 digits, and u8 fields at most 2.
        let dt = DateTime {
            year: year as u16,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
            millis: millis as u16,
        };
        dt.check()?;
        Ok(dt)
    }
}

impl DateTime {
    /// Whether the parts make a real calendar time; the reason if not.
    fn check(&self) -> Result<(), String> {
        let DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millis,
        } = *self;
        if year > 9999 {
            return Err(format!("year {year} is outside 0000 to 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(format!("month {month:02} is not a month"));
        }
        let dim = days_in_month(i64::from(year), u32::from(month));
        if day == 0 || u32::from(day) > dim {
            let name = MONTHS
                .get(usize::from(month) - 1)
                .copied()
                .unwrap_or_default();
            return Err(format!("day {day:02} is not a day of {name} {year:04}"));
        }
        if hour > 23 {
            return Err(format!("hour {hour:02} is not an hour (00 to 23)"));
        }
        if minute > 59 {
            return Err(format!("minute {minute:02} is not a minute (00 to 59)"));
        }
        if second > 59 {
            return Err(format!("second {second:02} is not a second (00 to 59)"));
        }
        if millis > 999 {
            return Err(format!("millisecond {millis} is not below 1000"));
        }
        Ok(())
    }
}

struct DigitWriter<'a> {
    buf: &'a mut [u8; 17],
    at: usize,
}

impl DigitWriter<'_> {
    fn put(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            if let Some(slot) = self.buf.get_mut(self.at + i) {
                *slot = b'0' + (value % 10) as u8;
            }
            value /= 10;
        }
        self.at += width;
    }
}

struct DigitReader<'a> {
    b: &'a [u8],
    at: usize,
}

impl DigitReader<'_> {
    /// Reads `n` digits already checked to be ASCII digits.
    fn take(&mut self, n: usize) -> u32 {
        let digits = self.b.get(self.at..self.at + n).unwrap_or_default();
        self.at += n;
        digits
            .iter()
            .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_time_is_read_in_its_zone_and_none_is_now() {
        let kst = DateTime::instant_or_now(Some("20221108120814608"), TimeZone::KST).unwrap();
        let utc = DateTime::instant_or_now(Some("20221108030814608"), TimeZone::UTC).unwrap();
        assert_eq!(kst, utc);
        assert_eq!(kst, system_time(1_667_876_894_608));
        let before = SystemTime::now();
        let now = DateTime::instant_or_now(None, TimeZone::KST).unwrap();
        assert!(now >= before && now <= SystemTime::now());
        assert!(matches!(
            DateTime::instant_or_now(Some("2022110812"), TimeZone::KST),
            Err(Error::InvalidTime { .. })
        ));
    }

    #[test]
    fn civil_round_trip_over_eras() {
        for days in (-800_000..3_000_000).step_by(7919) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "day {days}");
        }
    }
}
