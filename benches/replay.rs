//! The replay guard's cost per check with a million MACs held, beside the
//! token verification it follows (the guard's cost is the ratio).
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use konaplate_crypto::{
    AspId, CorrelationIdGenerator, HeaderBuilder, ProjectSecret, ReplayGuard, RequestHeaders,
    TimeZone, TokenSigner, VerifyOptions,
};

const HELD: usize = 1_000_000;

fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_667_876_894_608 + ms)
}

fn guard(c: &mut Criterion) {
    let signer = TokenSigner::new(&ProjectSecret::from("bench secret"));
    let ids = CorrelationIdGenerator::new();
    let builder = HeaderBuilder::new(AspId::parse("000170000002000").unwrap(), TimeZone::KST);
    let make = |i: u64| -> RequestHeaders {
        let body = format!(r#"{{"cardApplyNo":"{i:022}"}}"#);
        builder
            .build(&signer, &ids, body.as_bytes(), at(i))
            .unwrap()
    };
    // A window of HELD ms and one request a millisecond: in the steady state
    // each check forgets one expired MAC and holds a new one, with a million held.
    let window = Duration::from_millis(HELD as u64);
    let guard = ReplayGuard::new(HELD + 1, window).unwrap();
    for i in 0..HELD as u64 {
        guard.check(&make(i), at(i)).unwrap();
    }
    assert_eq!(guard.len(), HELD);
    let mut next = HELD as u64;
    let mut group = c.benchmark_group("replay-guard");
    group.bench_function("check, fresh, 1M held", |b| {
        b.iter_batched(
            || {
                next += 1;
                (make(next), at(next))
            },
            |(h, now)| guard.check(&h, now).unwrap(),
            BatchSize::SmallInput,
        )
    });
    let seen = make(HELD as u64 - 1);
    let now = at(HELD as u64);
    group.bench_function("check, replayed, 1M held", |b| {
        b.iter(|| guard.check(&seen, now).unwrap_err())
    });
    let body = br#"{"cardApplyNo":"0000000000000000000001"}"#;
    let h = builder.build(&signer, &ids, body, at(0)).unwrap();
    group.bench_function("token verify (baseline)", |b| {
        b.iter(|| {
            h.verify(&signer, body, at(0), &VerifyOptions::default())
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, guard);
criterion_main!(benches);
