//! `X-KM-Correlation-Id`: `yyMMddHHmmss-xxxxxxx`, and a generator that never
//! repeats itself.
//!
//! ```
//! use konaplate_crypto::{CorrelationId, CorrelationIdGenerator, TimeZone};
//!
//! let id = CorrelationId::parse("221108120814-0a1B2c3")?;
//! assert_eq!(id.as_str(), "221108120814-0a1B2c3");
//! assert!(CorrelationId::parse("221308120814-0a1b2c3").is_err()); // month 13
//!
//! let generator = CorrelationIdGenerator::new();
//! let fresh = generator.generate(TimeZone::KST)?;
//! assert_eq!(fresh.as_str().len(), 20);
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```
//!
//! # Uniqueness
//!
//! The 7 hex digits give 2^28 suffixes a second. Drawn at random they would
//! collide by the birthday bound after some 16,000 ids in one second. The
//! generator instead draws a random starting point each new second and counts
//! up from it (modulo 2^28): no suffix repeats within a second until all 2^28
//! are used, and an observer cannot predict where another process starts.
//! Two processes collide only if their runs in the same second overlap, with
//! probability about `(n1 + n2) / 2^28` for `n1` and `n2` ids.
//!
//! The generator never goes back in time: if the clock steps backwards it
//! keeps stamping the latest second it has used, and if a second's 2^28
//! suffixes run out it moves on to the next second. Within one generator
//! (share one per process) an id never repeats.
//!
//! # A fleet
//!
//! Instances of a fleet that each draw from all 2^28 suffixes may repeat
//! each other's ids. Give each an [`Instance`] number instead: it takes the
//! top bits of the suffix, Snowflake-style, and the instance counts through
//! its own share of the rest, so `N` instances with distinct numbers never
//! collide within a second. Each instance's share is `2^(28 - bits)` ids a
//! second; when it is spent the generator moves to the next second.
//!
//! | bits | instances | ids a second, each |
//! |-----:|----------:|-------------------:|
//! | 4 (the default) | 16 | 16,777,216 |
//! | 6 | 64 | 4,194,304 |
//! | 8 | 256 | 1,048,576 |
//! | 10 | 1,024 | 262,144 |
//! | 12 | 4,096 | 65,536 |
//! | 16 (the most) | 65,536 | 4,096 |
//!
//! ```
//! use konaplate_crypto::{CorrelationIdGenerator, Instance, TimeZone};
//!
//! let generator = CorrelationIdGenerator::new().with_instance(Instance::new(5)?);
//! let id = generator.generate(TimeZone::KST)?;
//! assert_eq!(id.suffix() >> 24, 5); // the top 4 bits of the suffix
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;
use std::sync::Mutex;
use std::time::SystemTime;

use rand::CryptoRng;
use rand::rngs::StdRng;

use crate::error::{Error, Result};
use crate::ids::ascii_str;
use crate::time::{Clock, DateTime, SystemClock, TimeFormat, TimeZone, unix_seconds};

const SUFFIX_BITS: u32 = 28;
const SUFFIX_MASK: u32 = (1 << SUFFIX_BITS) - 1;
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// A validated correlation id: 12 digits of a real calendar time, `-`, 7 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CorrelationId {
    text: [u8; 20],
    time: DateTime,
}

impl CorrelationId {
    /// Length in characters.
    pub const LEN: usize = 20;

    /// Parses and validates an id. Hex digits may be of either case; the id
    /// keeps the case it was given.
    pub fn parse(value: &str) -> Result<CorrelationId> {
        CorrelationId::parse_reason(value).map_err(|reason| Error::InvalidCorrelationId { reason })
    }

    pub(crate) fn parse_reason(value: &str) -> Result<CorrelationId, String> {
        let text: [u8; 20] = value.as_bytes().try_into().map_err(|_| {
            format!(
                "expected 20 characters (yyMMddHHmmss-xxxxxxx), found {}",
                value.chars().count()
            )
        })?;
        let (time, rest) = text.split_at(12);
        let time = DateTime::parse_bytes(time, TimeFormat::Short12)?;
        let (dash, suffix) = rest.split_at(1);
        if dash != b"-" {
            return Err("expected '-' after the 12 time digits".into());
        }
        if let Some(pos) = suffix.iter().position(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("character {} is not a hexadecimal digit", 14 + pos));
        }
        Ok(CorrelationId { text, time })
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        ascii_str(&self.text)
    }

    /// The time part as a calendar time (year 2000 to 2099), in the zone of
    /// the request that carried the id.
    pub fn time(&self) -> DateTime {
        self.time
    }

    /// The 28-bit suffix.
    pub fn suffix(&self) -> u32 {
        self.text
            .get(13..)
            .unwrap_or_default()
            .iter()
            .fold(0, |acc, c| (acc << 4) | hex_value(*c))
    }

    #[cfg(test)]
    fn from_parts(time: DateTime, suffix: u32) -> Result<CorrelationId> {
        Ok(CorrelationId::from_stamp(&Stamp::new(time)?, suffix))
    }

    fn from_stamp(stamp: &Stamp, suffix: u32) -> CorrelationId {
        let mut text = [b'-'; 20];
        let (head, tail) = text.split_at_mut(12);
        head.copy_from_slice(&stamp.digits);
        for (i, slot) in tail.iter_mut().skip(1).enumerate() {
            let nibble = (suffix >> (4 * (6 - i))) & 0xf;
            *slot = HEX_LOWER.get(nibble as usize).copied().unwrap_or(b'0');
        }
        CorrelationId {
            text,
            time: stamp.time,
        }
    }
}

fn hex_value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'a'..=b'f' => u32::from(c - b'a' + 10),
        b'A'..=b'F' => u32::from(c - b'A' + 10),
        _ => 0,
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CorrelationId({:?})", self.as_str())
    }
}

impl FromStr for CorrelationId {
    type Err = Error;
    fn from_str(s: &str) -> Result<CorrelationId> {
        CorrelationId::parse(s)
    }
}

/// A generator's instance number in a fleet, and how many of the suffix's
/// top bits it takes (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    number: u32,
    bits: u32,
}

impl Instance {
    /// The width [`Instance::new`] takes: 4 bits, 16 instances.
    pub const DEFAULT_BITS: u32 = 4;
    /// The widest split: 16 bits, 65,536 instances of 4,096 ids a second.
    pub const MAX_BITS: u32 = 16;

    /// Instance `number` of 16 (0 to 15): [`Error::InvalidInstance`]
    /// otherwise.
    pub fn new(number: u32) -> Result<Instance> {
        Instance::with_bits(number, Instance::DEFAULT_BITS)
    }

    /// Instance `number` in a split of `bits` bits (1 to
    /// [`Instance::MAX_BITS`]; `number` below `2^bits`).
    pub fn with_bits(number: u32, bits: u32) -> Result<Instance> {
        if !(1..=Instance::MAX_BITS).contains(&bits) || number >> bits != 0 {
            return Err(Error::InvalidInstance { number, bits });
        }
        Ok(Instance { number, bits })
    }

    /// The instance number.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The bits of the suffix it takes.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Ids this instance can issue in one second: `2^(28 - bits)`.
    pub fn ids_per_second(&self) -> u32 {
        1 << (SUFFIX_BITS - self.bits)
    }
}

/// The part of the suffix a generator counts through: all of it, or an
/// instance's share.
#[derive(Clone, Copy)]
struct Share {
    /// The fixed top bits (the instance number, shifted).
    base: u32,
    /// The bits counted through.
    mask: u32,
}

impl Share {
    const WHOLE: Share = Share {
        base: 0,
        mask: SUFFIX_MASK,
    };

    fn of(instance: Instance) -> Share {
        let low = SUFFIX_BITS - instance.bits;
        Share {
            base: instance.number << low,
            mask: (1 << low) - 1,
        }
    }

    fn suffix(&self, start: u32, issued: u32) -> u32 {
        self.base | (start.wrapping_add(issued) & self.mask)
    }
}

/// A second's time, converted and written once: ids of the same second
/// and zone share it.
#[derive(Clone, Copy)]
struct Stamp {
    time: DateTime,
    digits: [u8; 12],
}

impl Stamp {
    fn new(time: DateTime) -> Result<Stamp> {
        let text = time.format(TimeFormat::Short12)?;
        let mut digits = [b'0'; 12];
        digits.copy_from_slice(text.as_bytes().get(..12).unwrap_or_default());
        Ok(Stamp { time, digits })
    }
}

struct GeneratorState<R> {
    /// The last stamp made, with its Unix second and zone.
    stamp: Option<(i64, TimeZone, Stamp)>,
    /// The Unix second last stamped; ids are never stamped earlier.
    second: i64,
    /// Random starting suffix of `second`.
    start: u32,
    /// Ids issued in `second` so far.
    issued: u32,
    /// The suffixes this generator counts through.
    share: Share,
    rng: R,
}

/// Makes correlation ids that never repeat within the generator.
///
/// Share one per process (it is `Send + Sync`; a mutex guards a few words of
/// state). The clock and the random source are injectable for tests; the
/// random source must be a [`CryptoRng`], so starting points are unpredictable.
pub struct CorrelationIdGenerator<C = SystemClock, R = StdRng> {
    clock: C,
    state: Mutex<GeneratorState<R>>,
}

impl CorrelationIdGenerator {
    /// A generator on the system clock and an OS-seeded CSPRNG.
    pub fn new() -> Self {
        CorrelationIdGenerator::with_parts(SystemClock, rand::make_rng::<StdRng>())
    }
}

impl Default for CorrelationIdGenerator {
    fn default() -> Self {
        CorrelationIdGenerator::new()
    }
}

impl<C, R> fmt::Debug for CorrelationIdGenerator<C, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorrelationIdGenerator")
            .finish_non_exhaustive()
    }
}

impl<C: Clock, R: CryptoRng> CorrelationIdGenerator<C, R> {
    /// A generator on the given clock and random source.
    pub fn with_parts(clock: C, rng: R) -> Self {
        CorrelationIdGenerator {
            clock,
            state: Mutex::new(GeneratorState {
                stamp: None,
                second: i64::MIN,
                start: 0,
                issued: 0,
                share: Share::WHOLE,
                rng,
            }),
        }
    }

    /// The same generator, as `instance` of a fleet: its ids take the
    /// instance number in their top bits, so no other instance (with
    /// another number) makes them.
    #[must_use]
    pub fn with_instance(self, instance: Instance) -> Self {
        let mut state = self
            .state
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.share = Share::of(instance);
        // Ids this generator issued in its current second came from another
        // share: that second counts as spent.
        state.issued = state.share.mask + 1;
        CorrelationIdGenerator {
            clock: self.clock,
            state: Mutex::new(state),
        }
    }

    /// A fresh id stamped with the generator's clock, in `zone`.
    pub fn generate(&self, zone: TimeZone) -> Result<CorrelationId> {
        self.generate_at(self.clock.now(), zone)
    }

    /// A fresh id stamped with `now` in `zone` (or with a later second, if the
    /// generator has already stamped one: see the module docs).
    pub fn generate_at(&self, now: SystemTime, zone: TimeZone) -> Result<CorrelationId> {
        let second = unix_seconds(now)?;
        // A poisoned lock only means another thread panicked while holding
        // it; the state (a few integers) is still consistent.
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The common case: another id in the second and zone of the last.
        if let Some((s, z, stamp)) = st.stamp
            && s == second
            && z == zone
            && st.second == second
            && st.issued <= st.share.mask
        {
            let suffix = st.share.suffix(st.start, st.issued);
            st.issued += 1;
            drop(st);
            return Ok(CorrelationId::from_stamp(&stamp, suffix));
        }
        let mask = st.share.mask;
        let (second, start, issued) = if second > st.second {
            (second, st.rng.next_u32() & mask, 0)
        } else if st.issued > mask {
            (st.second.saturating_add(1), st.rng.next_u32() & mask, 0)
        } else {
            (st.second, st.start, st.issued)
        };
        let suffix = st.share.suffix(start, issued);
        // The time text changes once a second: made once, then reused.
        let stamp = match st.stamp {
            Some((s, z, stamp)) if s == second && z == zone => stamp,
            _ => {
                let millis = second
                    .checked_mul(1000)
                    .ok_or_else(|| crate::time::time_error("instant out of range"))?;
                Stamp::new(DateTime::from_unix_millis(millis, zone)?)?
            }
        };
        // The state moves only once the stamp is made: a clock reading the
        // id cannot express (year 2100) leaves the generator as it was.
        st.stamp = Some((second, zone, stamp));
        st.second = second;
        st.start = start;
        st.issued = issued + 1;
        drop(st);
        Ok(CorrelationId::from_stamp(&stamp, suffix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn suffix_round_trips() {
        let id = CorrelationId::from_parts(
            DateTime::parse("20221108120814", TimeFormat::Seconds14).unwrap(),
            0x0abc_def1,
        )
        .unwrap();
        assert_eq!(id.as_str(), "221108120814-abcdef1");
        assert_eq!(id.suffix(), 0x0abc_def1);
    }

    #[test]
    fn exhausting_a_second_moves_to_the_next() {
        let g = CorrelationIdGenerator::with_parts(|| at(1_700_000_000), StdRng::seed_from_u64(1));
        {
            let mut st = g.state.lock().unwrap();
            st.second = 1_700_000_000;
            st.issued = SUFFIX_MASK; // one left
        }
        let last = g.generate_at(at(1_700_000_000), TimeZone::UTC).unwrap();
        assert_eq!(last.time().second(), 20);
        let next = g.generate_at(at(1_700_000_000), TimeZone::UTC).unwrap();
        assert_eq!(next.time().second(), 21);
    }

    #[test]
    fn clock_stepping_back_keeps_the_latest_second() {
        let g = CorrelationIdGenerator::with_parts(SystemClock, StdRng::seed_from_u64(2));
        let a = g.generate_at(at(1_700_000_010), TimeZone::UTC).unwrap();
        let b = g.generate_at(at(1_700_000_005), TimeZone::UTC).unwrap();
        assert_eq!(a.time(), b.time());
        assert_ne!(a, b);
    }

    /// Issue 8, item 5: one failed reading (year 2100, which `yy` cannot
    /// write) used to move the state to that second, so every later call at
    /// the real time failed too.
    #[test]
    fn a_failed_reading_leaves_the_generator_as_it_was() {
        let g = CorrelationIdGenerator::with_parts(SystemClock, StdRng::seed_from_u64(3));
        let first = g.generate_at(at(1_700_000_000), TimeZone::UTC).unwrap();
        let year_2100 = at(4_102_444_800);
        assert_eq!(
            g.generate_at(year_2100, TimeZone::UTC).unwrap_err().kind(),
            crate::ErrorKind::InvalidTime
        );
        let next = g.generate_at(at(1_700_000_000), TimeZone::UTC).unwrap();
        assert_eq!(next.time(), first.time());
        assert_eq!(next.suffix(), (first.suffix() + 1) & SUFFIX_MASK);
        let later = g.generate_at(at(1_700_000_001), TimeZone::UTC).unwrap();
        assert_eq!(later.time().second(), 21);
    }

    /// The cached time text is the second's and the zone's: a change of
    /// either writes it anew.
    #[test]
    fn the_time_text_follows_second_and_zone() {
        let g = CorrelationIdGenerator::with_parts(SystemClock, StdRng::seed_from_u64(4));
        let text = |secs, zone| g.generate_at(at(secs), zone).unwrap().as_str()[..12].to_owned();
        assert_eq!(text(1_700_000_000, TimeZone::UTC), "231114221320");
        assert_eq!(text(1_700_000_000, TimeZone::KST), "231115071320");
        assert_eq!(text(1_700_000_000, TimeZone::UTC), "231114221320");
        assert_eq!(text(1_700_000_001, TimeZone::UTC), "231114221321");
    }
}
