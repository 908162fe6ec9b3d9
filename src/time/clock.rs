//! Instants as milliseconds since the Unix epoch, and clocks.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::Result;
use crate::time::time_error;

/// Milliseconds since the Unix epoch of a [`SystemTime`] (negative before 1970).
pub(crate) fn unix_millis(t: SystemTime) -> Result<i64> {
    let out_of_range = || time_error("instant out of range");
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).map_err(|_| out_of_range()),
        Err(e) => {
            let before = e.duration();
            // Round towards negative infinity so that the millisecond stays on
            // the same side of every second boundary.
            let ms = i64::try_from(before.as_millis()).map_err(|_| out_of_range())?;
            let extra = i64::from(before.subsec_nanos() % 1_000_000 != 0);
            Ok(-ms - extra)
        }
    }
}

/// Whole seconds since the Unix epoch, rounded towards negative infinity
/// (no 128-bit arithmetic: ids read this for every id).
pub(crate) fn unix_seconds(t: SystemTime) -> Result<i64> {
    let out_of_range = || time_error("instant out of range");
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).map_err(|_| out_of_range()),
        Err(e) => {
            let before = e.duration();
            let secs = i64::try_from(before.as_secs()).map_err(|_| out_of_range())?;
            Ok(-secs - i64::from(before.subsec_nanos() != 0))
        }
    }
}

/// The [`SystemTime`] `ms` milliseconds after the Unix epoch (before it, if negative).
pub(crate) fn system_time(ms: i64) -> SystemTime {
    let d = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH + d
    } else {
        UNIX_EPOCH - d
    }
}

/// A source of the current time. Only convenience layers read one; every
/// signing and verifying function takes the time as a parameter.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F: Fn() -> SystemTime + Send + Sync> Clock for F {
    fn now(&self) -> SystemTime {
        self()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_epoch_rounds_down() {
        let t = UNIX_EPOCH - Duration::from_micros(1500);
        assert_eq!(unix_millis(t).unwrap(), -2);
        let t = UNIX_EPOCH - Duration::from_millis(3);
        assert_eq!(unix_millis(system_time(-3)).unwrap(), -3);
        assert_eq!(unix_millis(t).unwrap(), -3);
        assert_eq!(unix_seconds(t).unwrap(), -1);
        assert_eq!(unix_seconds(system_time(-1000)).unwrap(), -1);
        assert_eq!(unix_seconds(system_time(-1001)).unwrap(), -2);
        assert_eq!(unix_seconds(system_time(1999)).unwrap(), 1);
    }
}
