//! Correlation id generation: format, uniqueness under load, unpredictable starts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use konaplate_crypto::{CorrelationId, CorrelationIdGenerator, ErrorKind, Instance, TimeZone};
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

/// Issue 20, item 4: generators of a fleet, each with its own instance
/// number, drawn through one frozen second. All start from the same random
/// point (one seed): without instance numbers they repeat each other's ids
/// from the first, with them no id repeats.
#[test]
fn a_fleet_of_instances_never_repeats_within_a_second() {
    let draw = |instance: Option<Instance>, n: usize| -> Vec<String> {
        let mut g = CorrelationIdGenerator::with_parts(frozen, StdRng::seed_from_u64(9));
        if let Some(instance) = instance {
            g = g.with_instance(instance);
        }
        (0..n)
            .map(|_| g.generate(TimeZone::KST).unwrap().as_str().to_owned())
            .collect()
    };
    // The control: two instances without numbers collide at once.
    assert_eq!(draw(None, 10), draw(None, 10));

    for bits in [4, 8, 12] {
        let instances = 1u32 << bits.min(8);
        let per = (200_000 / instances as usize).min(1 << (28 - bits));
        let mut seen = HashSet::new();
        for number in 0..instances {
            let instance = Instance::with_bits(number, bits).unwrap();
            for id in draw(Some(instance), per) {
                assert_eq!(&id[..12], "221108120814", "{id}: still the frozen second");
                let suffix = CorrelationId::parse(&id).unwrap().suffix();
                assert_eq!(
                    suffix >> (28 - bits),
                    number,
                    "{id}: the instance's top bits"
                );
                assert!(seen.insert(id.clone()), "{id} repeated ({bits} bits)");
            }
        }
        assert_eq!(seen.len(), instances as usize * per);
    }
}

/// An instance's share spent, the generator moves to the next second (as
/// the whole space does at 2^28).
#[test]
fn an_instance_moves_on_when_its_share_is_spent() {
    let instance = Instance::with_bits(3, 16).unwrap();
    assert_eq!(instance.ids_per_second(), 4096);
    let g = CorrelationIdGenerator::with_parts(frozen, StdRng::seed_from_u64(1))
        .with_instance(instance);
    let ids: Vec<CorrelationId> = (0..4097)
        .map(|_| g.generate(TimeZone::KST).unwrap())
        .collect();
    let distinct: HashSet<u32> = ids[..4096].iter().map(CorrelationId::suffix).collect();
    assert_eq!(distinct.len(), 4096);
    assert!(ids[..4096].iter().all(|id| id.time().second() == 14));
    assert_eq!(ids[4096].time().second(), 15);
    assert_eq!(ids[4096].suffix() >> 12, 3);
}

#[test]
fn instance_numbers_and_widths_are_bounded() {
    assert_eq!(Instance::new(15).unwrap().bits(), 4);
    assert_eq!(
        Instance::new(16).unwrap_err().kind(),
        ErrorKind::InvalidInstance
    );
    assert_eq!(
        Instance::with_bits(0, 0).unwrap_err().kind(),
        ErrorKind::InvalidInstance
    );
    assert_eq!(
        Instance::with_bits(0, 17).unwrap_err().kind(),
        ErrorKind::InvalidInstance
    );
    assert!(Instance::with_bits(65_535, 16).is_ok());
    let message = Instance::new(16).unwrap_err().to_string();
    assert!(message.contains("instance 16 in 4 bits"), "{message}");
}
