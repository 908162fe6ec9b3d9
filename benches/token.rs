//! Tokens and correlation ids. Token groups set the crate beside its limit
//! (`support/bare.rs`: HMAC-SHA256 and base64 by hand, the same bytes out);
//! read the ratio of the medians (`benches/report.py`).
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/bare.rs"]
mod bare;

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::{
    CorrelationIdGenerator, DateTime, ProjectSecret, TimeZone, TokenForm, TokenSigner, TranToken,
    VerifyOptions,
};

const SECRET: &str = "sandbox-secret-for-benchmarks";
const TIME: bare::Time = bare::SEED_TIME;
const KST_MS: i64 = 9 * 3600 * 1000;

fn sign(c: &mut Criterion) {
    let signer = TokenSigner::new(&ProjectSecret::from(SECRET));
    let limit = bare::Token::new(SECRET.as_bytes());
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    for (name, size) in [("256B", 256usize), ("1KiB", 1024)] {
        let body = vec![b'a'; size];
        // The same token, byte for byte.
        assert_eq!(
            signer
                .sign(&body, time, TokenForm::Unpadded)
                .as_str()
                .as_bytes(),
            &limit.sign(&body, TIME)[..]
        );
        let mut group = c.benchmark_group(format!("token-sign-{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function("crate", |b| {
            b.iter(|| signer.sign(black_box(&body), time, TokenForm::Unpadded))
        });
        group.bench_function("bare", |b| b.iter(|| limit.sign(black_box(&body), TIME)));
        group.finish();
    }
}

fn verify(c: &mut Criterion) {
    let signer = TokenSigner::new(&ProjectSecret::from(SECRET));
    let limit = bare::Token::new(SECRET.as_bytes());
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    let now = time.to_system_time(TimeZone::KST);
    let now_ms = now.duration_since(UNIX_EPOCH).unwrap().as_millis() as i64;
    let body = vec![b'a'; 1024];
    let text = signer
        .sign(&body, time, TokenForm::Unpadded)
        .as_str()
        .to_owned();
    assert!(limit.verify(text.as_bytes(), &body, now_ms, KST_MS, 300_000));
    let opts = VerifyOptions::default();
    let mut group = c.benchmark_group("token-verify-1KiB");
    group.bench_function("crate", |b| {
        b.iter(|| {
            let t = TranToken::parse(black_box(&text)).unwrap();
            signer
                .verify(&t, black_box(&body), now, TimeZone::KST, &opts)
                .unwrap()
        })
    });
    group.bench_function("bare", |b| {
        b.iter(|| {
            assert!(limit.verify(
                black_box(text.as_bytes()),
                black_box(&body),
                now_ms,
                KST_MS,
                300_000
            ))
        })
    });
    group.finish();
}

fn correlation(c: &mut Criterion) {
    let ids = CorrelationIdGenerator::new();
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut group = c.benchmark_group("correlation-id");
    group.bench_function("generate_at", |b| {
        b.iter(|| ids.generate_at(black_box(now), TimeZone::KST).unwrap())
    });
    group.bench_function("generate", |b| {
        b.iter(|| ids.generate(TimeZone::KST).unwrap())
    });
    group.finish();
}

criterion_group!(benches, sign, verify, correlation);
criterion_main!(benches);
