//! JWE sealing/opening and marked-field throughput. Each group sets the
//! crate's path beside a baseline in the same run; read the ratios.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::fields::Fields;
use konaplate_crypto::ids::CryptoKeyId;
use konaplate_crypto::jwe::{ContentEncryption, Sealer};
use konaplate_crypto::keyring::{Keyring, SymmetricKey, generate_jwks};

fn setup() -> (Keyring, CryptoKeyId) {
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    (
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap(),
        kid,
    )
}

fn seal_open(c: &mut Criterion) {
    let (ring, kid) = setup();
    let key_bytes = [7u8; 32];
    let mut group = c.benchmark_group("jwe-dir-A256GCM");
    for size in [16usize, 1024, 64 * 1024] {
        let plaintext = vec![b'a'; size];
        group.throughput(Throughput::Bytes(size as u64));
        let sealer = ring.sealer(&kid).unwrap();
        group.bench_with_input(
            BenchmarkId::new("seal/key-loaded-once", size),
            &plaintext,
            |b, p| b.iter(|| sealer.seal(black_box(p), false).unwrap()),
        );
        // Baseline: key schedule and header built for every message.
        group.bench_with_input(
            BenchmarkId::new("seal/key-per-message", size),
            &plaintext,
            |b, p| {
                b.iter(|| {
                    let key = SymmetricKey::new(ContentEncryption::A256Gcm, &key_bytes, Some(&kid))
                        .unwrap();
                    Sealer::dir(&key).seal(black_box(p), false).unwrap()
                })
            },
        );
        let sealed = sealer.seal(&plaintext, false).unwrap();
        let opener = ring.opener(None);
        group.bench_with_input(BenchmarkId::new("open", size), &sealed, |b, s| {
            b.iter(|| opener.open(black_box(s)).unwrap())
        });
    }
    group.finish();
}

fn fields(c: &mut Criterion) {
    let (ring, kid) = setup();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(None);
    let marked = Fields::new(["mobileCardNo", "par"]).unwrap();
    let response = br#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
    let sealed = marked.encrypt(response, &sealer).unwrap();
    let mut group = c.benchmark_group("fields-seed-response");
    group.bench_function("encrypt", |b| {
        b.iter(|| marked.encrypt(black_box(response), &sealer).unwrap())
    });
    group.bench_function("decrypt", |b| {
        b.iter(|| marked.decrypt(black_box(&sealed), &opener).unwrap())
    });
    // Baseline: the two values sealed alone, without locating them.
    group.bench_function("two-bare-seals", |b| {
        b.iter(|| {
            (
                sealer.seal(black_box(b"9410123412341234"), false).unwrap(),
                sealer
                    .seal(black_box(b"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"), false)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, seal_open, fields);
criterion_main!(benches);
