//! The civil-date arithmetic checked against the `time` crate over many
//! random instants and offsets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use konaplate_crypto::{DateTime, TimeFormat, TimeZone};
use proptest::prelude::*;

/// 0000-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, less a day of margin for offsets.
const MIN_MS: i64 = -62_167_219_200_000 + 86_400_000;
const MAX_MS: i64 = 253_402_300_799_999 - 86_400_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn matches_time_crate(ms in MIN_MS..MAX_MS, offset_min in -18 * 60i32..=18 * 60) {
        let zone = TimeZone::fixed("ZZZ", offset_min * 60).unwrap();
        let ours = DateTime::from_unix_millis(ms, zone).unwrap();
        let theirs = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .unwrap()
            .to_offset(time::UtcOffset::from_whole_seconds(offset_min * 60).unwrap());
        prop_assert_eq!(i32::from(ours.year()), theirs.year());
        prop_assert_eq!(ours.month(), u8::from(theirs.month()));
        prop_assert_eq!(ours.day(), theirs.day());
        prop_assert_eq!(ours.hour(), theirs.hour());
        prop_assert_eq!(ours.minute(), theirs.minute());
        prop_assert_eq!(ours.second(), theirs.second());
        prop_assert_eq!(ours.millis(), theirs.millisecond());
        prop_assert_eq!(ours.to_unix_millis(zone), ms);
    }

    #[test]
    fn parse_agrees_with_time_crate(text in "[0-9]{14}") {
        let fmt = time::macros::format_description!("[year][month][day][hour][minute][second]");
        let theirs = time::PrimitiveDateTime::parse(&text, &fmt);
        let ours = DateTime::parse(&text, TimeFormat::Seconds14);
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{}", text);
    }

    #[test]
    fn valid_texts_round_trip(ms in MIN_MS..MAX_MS) {
        let t = DateTime::from_unix_millis(ms, TimeZone::UTC).unwrap();
        let text = t.format(TimeFormat::Millis17).unwrap();
        prop_assert_eq!(DateTime::parse(text.as_str(), TimeFormat::Millis17).unwrap(), t);
    }
}

#[test]
fn feb_29_only_in_leap_years() {
    for year in [1900u16, 2000, 2023, 2024, 2100, 2400] {
        let leap = time::util::is_leap_year(i32::from(year));
        assert_eq!(
            DateTime::new(year, 2, 29, 0, 0, 0, 0).is_ok(),
            leap,
            "{year}"
        );
    }
}
