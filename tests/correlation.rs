//! Correlation id generation: format, uniqueness under load, unpredictable starts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use konaplate_crypto::{CorrelationId, CorrelationIdGenerator, TimeZone};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn frozen() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_667_876_894_608)
}

#[test]
fn a_million_ids_in_one_second_never_repeat() {
    let g = CorrelationIdGenerator::with_parts(frozen, StdRng::seed_from_u64(42));
    let mut seen = HashSet::with_capacity(1_000_000);
    let first = g.generate(TimeZone::KST).unwrap();
    assert_eq!(&first.as_str()[..13], "221108120814-");
    seen.insert(first.as_str().to_owned());
    for _ in 1..1_000_000 {
        let id = g.generate(TimeZone::KST).unwrap();
        // Still the same second: the clock is frozen.
        assert_eq!(&id.as_str()[..12], "221108120814");
        assert!(seen.insert(id.as_str().to_owned()), "repeated {id}");
        // What the generator emits always parses back.
        debug_assert_eq!(CorrelationId::parse(id.as_str()).unwrap(), id);
    }
    assert_eq!(seen.len(), 1_000_000);
}

#[test]
fn threads_sharing_a_generator_never_collide() {
    let g = Arc::new(CorrelationIdGenerator::with_parts(
        frozen,
        StdRng::seed_from_u64(7),
    ));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let g = Arc::clone(&g);
            std::thread::spawn(move || {
                (0..100_000)
                    .map(|_| g.generate(TimeZone::UTC).unwrap().suffix())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = HashSet::new();
    for h in handles {
        for s in h.join().unwrap() {
            assert!(all.insert(s), "suffix {s:07x} repeated across threads");
        }
    }
    assert_eq!(all.len(), 400_000);
}

#[test]
fn each_second_starts_somewhere_new() {
    // Seconds advance; the first suffix of each should look uniformly random,
    // not 0 or a counter carried over.
    let start = 1_700_000_000u64;
    let g = CorrelationIdGenerator::with_parts(|| UNIX_EPOCH, StdRng::seed_from_u64(9));
    let firsts: HashSet<u32> = (0..64)
        .map(|i| {
            g.generate_at(UNIX_EPOCH + Duration::from_secs(start + i), TimeZone::UTC)
                .unwrap()
                .suffix()
        })
        .collect();
    assert_eq!(firsts.len(), 64);
    assert!(
        firsts.iter().any(|s| *s >= 1 << 27),
        "no start in the upper half"
    );
}

#[test]
fn two_os_seeded_generators_start_apart() {
    // Two "processes" in the same second: with OS-seeded CSPRNGs their first
    // suffixes differ except with probability 2^-28.
    let a = CorrelationIdGenerator::new()
        .generate_at(frozen(), TimeZone::KST)
        .unwrap();
    let b = CorrelationIdGenerator::new()
        .generate_at(frozen(), TimeZone::KST)
        .unwrap();
    assert_eq!(&a.as_str()[..12], &b.as_str()[..12]);
    assert_ne!(a.suffix(), b.suffix());
}

#[test]
fn emitted_hex_is_lowercase_and_parsing_accepts_both_cases() {
    let g = CorrelationIdGenerator::with_parts(frozen, StdRng::seed_from_u64(3));
    for _ in 0..1000 {
        let id = g.generate(TimeZone::UTC).unwrap();
        assert!(!id.as_str().bytes().any(|c| c.is_ascii_uppercase()), "{id}");
    }
    let upper = CorrelationId::parse("221108120814-ABCDEF0").unwrap();
    let lower = CorrelationId::parse("221108120814-abcdef0").unwrap();
    assert_eq!(upper.suffix(), lower.suffix());
}

#[test]
fn zone_changes_the_time_digits() {
    let g = CorrelationIdGenerator::new();
    let utc = g.generate_at(frozen(), TimeZone::UTC).unwrap();
    let kst = g.generate_at(frozen(), TimeZone::KST).unwrap();
    assert_eq!(&utc.as_str()[..12], "221108030814");
    assert_eq!(&kst.as_str()[..12], "221108120814");
}
