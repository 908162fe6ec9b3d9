//! Token signing and verification throughput, and correlation ids.
//!
//! Each group sets the crate's path beside a baseline in the same run, so
//! the ratio between them is what to read (the machine is shared and noisy).
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::{
    CorrelationIdGenerator, DateTime, ProjectSecret, TimeZone, TokenForm, TokenSigner, TranToken,
    VerifyOptions,
};

const SECRET: &str = "sandbox-secret-for-benchmarks";

fn sign(c: &mut Criterion) {
    let signer = TokenSigner::new(&ProjectSecret::from(SECRET));
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    let mut group = c.benchmark_group("token-sign");
    for size in [64usize, 1024, 16 * 1024] {
        let body = vec![b'a'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(
            BenchmarkId::new("precomputed-key", size),
            &body,
            |b, body| b.iter(|| signer.sign(black_box(body), time, TokenForm::Unpadded)),
        );
        // Baseline: the same token, keying HMAC afresh for every message.
        group.bench_with_input(
            BenchmarkId::new("key-per-message", size),
            &body,
            |b, body| {
                b.iter(|| {
                    TokenSigner::from_key_bytes(black_box(SECRET.as_bytes())).sign(
                        black_box(body),
                        time,
                        TokenForm::Unpadded,
                    )
                })
            },
        );
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let signer = TokenSigner::new(&ProjectSecret::from(SECRET));
    let time = DateTime::new(2022, 11, 8, 12, 8, 14, 608).unwrap();
    let now = time.to_system_time(TimeZone::KST);
    let body = vec![b'a'; 1024];
    let text = signer
        .sign(&body, time, TokenForm::Unpadded)
        .as_str()
        .to_owned();
    let opts = VerifyOptions::default();
    let mut group = c.benchmark_group("token-verify-1KiB");
    group.bench_function("parse+verify", |b| {
        b.iter(|| {
            let t = TranToken::parse(black_box(&text)).unwrap();
            signer.verify(&t, black_box(&body), now, TimeZone::KST, &opts)
        })
    });
    group.bench_function("sign-only", |b| {
        b.iter(|| signer.sign(black_box(&body), time, TokenForm::Unpadded))
    });
    group.finish();
}

fn correlation(c: &mut Criterion) {
    let ids = CorrelationIdGenerator::new();
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    c.bench_function("correlation-id", |b| {
        b.iter(|| ids.generate_at(black_box(now), TimeZone::KST).unwrap())
    });
}

criterion_group!(benches, sign, verify, correlation);
criterion_main!(benches);
