//! Time zones of fixed offset, named as `X-KM-Time-Zone` names them.

use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result, quoted};

/// A time zone of fixed offset, named by the three letters `X-KM-Time-Zone` carries.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimeZone {
    name: [u8; 3],
    offset_secs: i32,
}

impl TimeZone {
    /// Coordinated Universal Time.
    pub const UTC: TimeZone = TimeZone {
        name: *b"UTC",
        offset_secs: 0,
    };
    /// Korea Standard Time, UTC+09:00 (Korea keeps no daylight saving time).
    pub const KST: TimeZone = TimeZone {
        name: *b"KST",
        offset_secs: 9 * 3600,
    };
    /// A named zone at a fixed offset from UTC, for zones other than UTC and KST.
    ///
    /// The name must be three ASCII capital letters (the header's length is 3)
    /// and the offset within ±18 hours, a whole number of minutes.
    pub fn fixed(name: &str, offset_secs: i32) -> Result<TimeZone> {
        let bytes: [u8; 3] = name
            .as_bytes()
            .try_into()
            .ok()
            .filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase))
            .ok_or_else(|| Error::UnknownTimeZone {
                reason: "a zone name is three ASCII capital letters".into(),
            })?;
        if offset_secs.unsigned_abs() > 18 * 3600 || offset_secs % 60 != 0 {
            return Err(Error::UnknownTimeZone {
                reason: "an offset is a whole number of minutes within ±18 hours".into(),
            });
        }
        Ok(TimeZone {
            name: bytes,
            offset_secs,
        })
    }

    /// The zone a bare name stands for: `UTC` or `KST`.
    pub fn from_name(name: &str) -> Result<TimeZone> {
        match name {
            "UTC" => Ok(TimeZone::UTC),
            "KST" => Ok(TimeZone::KST),
            _ => Err(Error::UnknownTimeZone {
                reason: format!(
                    "'{}' is not a known zone (UTC, KST; others need an explicit offset)",
                    quoted(name)
                ),
            }),
        }
    }

    /// The three-letter name, as sent in `X-KM-Time-Zone`.
    pub fn name(&self) -> &str {
        // The name is checked to be ASCII when the zone is made.
        core::str::from_utf8(&self.name).unwrap_or("???")
    }

    /// Offset from UTC in seconds (east positive).
    pub fn offset_secs(&self) -> i32 {
        self.offset_secs
    }
}

impl fmt::Debug for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeZone({self})")
    }
}

impl fmt::Display for TimeZone {
    /// `UTC`, `KST`, or `NAME+HH:MM` for other zones, the form [`FromStr`] reads.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == TimeZone::UTC || *self == TimeZone::KST {
            return f.write_str(self.name());
        }
        let sign = if self.offset_secs < 0 { '-' } else { '+' };
        let abs = self.offset_secs.unsigned_abs();
        write!(
            f,
            "{}{sign}{:02}:{:02}",
            self.name(),
            abs / 3600,
            abs % 3600 / 60
        )
    }
}

impl FromStr for TimeZone {
    type Err = Error;

    /// Reads `UTC`, `KST`, or a named offset such as `JST+09:00` or `EST-05:00`.
    fn from_str(s: &str) -> Result<TimeZone> {
        let Some((name, offset)) = s.get(..3).zip(s.get(3..)) else {
            return TimeZone::from_name(s);
        };
        if offset.is_empty() {
            return TimeZone::from_name(name);
        }
        let bad = || Error::UnknownTimeZone {
            reason: format!("'{}' is neither UTC, KST nor NAME+HH:MM", quoted(s)),
        };
        let b = offset.as_bytes();
        let sign = match b.first() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Err(bad()),
        };
        if b.len() != 6 || b.get(3) != Some(&b':') {
            return Err(bad());
        }
        let hh = two_digits(b.get(1..3)).ok_or_else(bad)?;
        let mm = two_digits(b.get(4..6)).ok_or_else(bad)?;
        if mm > 59 {
            return Err(bad());
        }
        TimeZone::fixed(name, sign * (hh as i32 * 3600 + mm as i32 * 60))
    }
}

fn two_digits(b: Option<&[u8]>) -> Option<u32> {
    match b? {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_text_round_trips() {
        for s in ["UTC", "KST", "JST+09:00", "EST-05:00", "IST+05:30"] {
            let z: TimeZone = s.parse().unwrap();
            assert_eq!(z.to_string(), s);
        }
        for bad in [
            "",
            "KS",
            "kst",
            "XYZ",
            "JST+9",
            "JST+09:60",
            "JST*09:00",
            "AB+01:00",
        ] {
            assert!(bad.parse::<TimeZone>().is_err(), "{bad}");
        }
        assert!(TimeZone::fixed("ABC", 19 * 3600).is_err());
    }
}
