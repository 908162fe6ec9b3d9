//! JWE, marked fields and envelopes against their limit (`support/bare.rs`:
//! the same work done directly with `aes-gcm` and `base64`) and against
//! `josekit`, each group side by side in one run. Read the ratios of the
//! medians (`benches/report.py` prints them); absolute times on a shared
//! machine are noise.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "support/bare.rs"]
mod bare;
#[path = "support/common.rs"]
mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Fields, KeyFile, KeyMaterial, KeySelection,
    Keyring, Opener, Sealer, generate_jwks, open_envelope, seal_envelope,
};

use common::{KID, SEED_RESPONSE, josekit_pair, setup};

fn seal_and_open(c: &mut Criterion) {
    let (sealer, opener, bare) = setup();
    let (jk_header, jk_enc, jk_dec) = josekit_pair();
    for (name, size) in [("16B", 16usize), ("1KiB", 1024)] {
        let plaintext = vec![b'a'; size];
        let mut group = c.benchmark_group(format!("jwe-seal-{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function("crate", |b| {
            b.iter(|| {
                sealer
                    .seal(black_box(&plaintext), ContentType::Text)
                    .unwrap()
            })
        });
        group.bench_function("bare", |b| b.iter(|| bare.seal(black_box(&plaintext))));
        group.bench_function("josekit", |b| {
            b.iter(|| {
                josekit::jwe::serialize_compact(black_box(&plaintext), &jk_header, &jk_enc).unwrap()
            })
        });
        group.finish();

        let sealed = sealer.seal(&plaintext, ContentType::Text).unwrap();
        let jk_sealed = josekit::jwe::serialize_compact(&plaintext, &jk_header, &jk_enc).unwrap();
        assert_eq!(opener.open(&jk_sealed).unwrap().plaintext(), &plaintext[..]);
        let mut group = c.benchmark_group(format!("jwe-open-{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function("crate", |b| {
            b.iter(|| opener.open(black_box(&sealed)).unwrap())
        });
        group.bench_function("bare", |b| b.iter(|| bare.open(black_box(&sealed))));
        group.bench_function("josekit", |b| {
            b.iter(|| josekit::jwe::deserialize_compact(black_box(&sealed), &jk_dec).unwrap())
        });
        group.finish();
    }
}

fn fields(c: &mut Criterion) {
    let (sealer, opener, bare) = setup();
    let marked = Fields::new(["mobileCardNo", "par"]).unwrap();
    let sealed = marked.encrypt(SEED_RESPONSE, &sealer).unwrap();
    let values = common::sealed_values(&sealed);
    let mut group = c.benchmark_group("fields-encrypt-seed");
    group.bench_function("crate", |b| {
        b.iter(|| marked.encrypt(black_box(SEED_RESPONSE), &sealer).unwrap())
    });
    // The limit: the two values sealed, nothing located or spliced.
    group.bench_function("two-bare-seals", |b| b.iter(|| bare.seal_seed_values()));
    group.finish();
    let mut group = c.benchmark_group("fields-decrypt-seed");
    group.bench_function("crate", |b| {
        b.iter(|| marked.decrypt(black_box(&sealed), &opener).unwrap())
    });
    group.bench_function("two-bare-opens", |b| {
        b.iter(|| {
            (
                bare.open(black_box(&values[0])),
                bare.open(black_box(&values[1])),
            )
        })
    });
    group.finish();
}

fn envelopes(c: &mut Criterion) {
    let (sealer, opener, bare) = setup();
    for (name, size) in [("64KiB", 64usize << 10), ("4MiB", 4 << 20)] {
        let body = vec![b'{'; size];
        let mut group = c.benchmark_group(format!("envelope-seal-{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size > 1 << 20 {
            group.sample_size(20);
        }
        group.bench_function("crate", |b| {
            b.iter(|| seal_envelope(black_box(&body), &sealer).unwrap())
        });
        group.bench_function("bare", |b| b.iter(|| bare.seal_envelope(black_box(&body))));
        group.finish();
        let sealed = seal_envelope(&body, &sealer).unwrap();
        assert_eq!(bare.open_envelope(&sealed), body);
        let mut group = c.benchmark_group(format!("envelope-open-{name}"));
        group.throughput(Throughput::Bytes(size as u64));
        if size > 1 << 20 {
            group.sample_size(20);
        }
        group.bench_function("crate", |b| {
            b.iter(|| open_envelope(black_box(sealed.as_bytes()), &opener).unwrap())
        });
        group.bench_function("bare", |b| {
            b.iter(|| bare.open_envelope(black_box(&sealed)))
        });
        group.finish();
    }
}

/// `work` done `n` times on one thread, or `n / 2` times on each of two.
fn on_threads(threads: usize, n: usize, work: &(impl Fn() + Sync)) -> Duration {
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..n / threads {
                    work();
                }
            });
        }
    });
    start.elapsed()
}

fn scaling(c: &mut Criterion) {
    let (sealer, _, bare) = setup();
    let marked = Fields::new(["mobileCardNo", "par"]).unwrap();
    // A batch large enough that starting the threads is lost in it.
    const BATCH: usize = 4000;
    let fields = || {
        black_box(marked.encrypt(black_box(SEED_RESPONSE), &sealer).unwrap());
    };
    let seals = || {
        black_box(bare.seal_seed_values());
    };
    let mut group = c.benchmark_group("scaling-fields-encrypt");
    group.throughput(Throughput::Elements(BATCH as u64));
    for threads in [1usize, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, t| {
            b.iter_custom(|iters| (0..iters).map(|_| on_threads(*t, BATCH, &fields)).sum())
        });
    }
    group.finish();
    let mut group = c.benchmark_group("scaling-two-bare-seals");
    group.throughput(Throughput::Elements(BATCH as u64));
    for threads in [1usize, 2] {
        group.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, t| {
            b.iter_custom(|iters| (0..iters).map(|_| on_threads(*t, BATCH, &seals)).sum())
        });
    }
    group.finish();
}

fn rsa(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/rsa/");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).unwrap();
    let load = |f: &str| KeyFile::load(read(f).as_bytes(), None).unwrap();
    let cert = load("server-certificate.pem").into_public().unwrap();
    let private =
        KeyMaterial::RsaOpenWith(load("server-private-pkcs8.pem").into_private().unwrap());
    let kid = CryptoKeyId::parse(KID).unwrap();
    let ring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap();
    let body = vec![b'a'; 1024];
    let rsa_sealer = Sealer::rsa_oaep_256(cert.clone(), ContentEncryption::A128Gcm);
    let rsa_sealed = rsa_sealer.seal(&body, ContentType::Text).unwrap();
    let dir_sealer = ring.sealer(&kid).unwrap();
    let dir_sealed = dir_sealer.seal(&body, ContentType::Text).unwrap();
    let mut group = c.benchmark_group("rsa-oaep-256-vs-dir-1KiB");
    group.bench_function("seal/rsa-oaep-256", |b| {
        b.iter(|| {
            rsa_sealer
                .seal(black_box(&body), ContentType::Text)
                .unwrap()
        })
    });
    group.bench_function("seal/dir", |b| {
        b.iter(|| {
            dir_sealer
                .seal(black_box(&body), ContentType::Text)
                .unwrap()
        })
    });
    let rsa_opener = Opener::with_key(private.clone());
    group.bench_function("open/rsa-oaep-256", |b| {
        b.iter(|| rsa_opener.open(black_box(&rsa_sealed)).unwrap())
    });
    // A wrapped key changed in one byte: the unwrap fails inside AWS-LC, a
    // random stand-in key takes its place, and the tag check refuses. Its
    // time beside the valid open is the timing side channel (or its absence).
    let mut parts: Vec<String> = rsa_sealed.split('.').map(str::to_owned).collect();
    let mut ek = URL_SAFE_NO_PAD.decode(&parts[1]).unwrap();
    ek[100] ^= 1;
    parts[1] = URL_SAFE_NO_PAD.encode(&ek);
    let bad = parts.join(".");
    group.bench_function("open/rsa-oaep-256-bad-wrapped-key", |b| {
        b.iter(|| rsa_opener.open(black_box(&bad)).unwrap_err())
    });
    let dir_opener = ring.opener(KeySelection::Named(kid));
    group.bench_function("open/dir", |b| {
        b.iter(|| dir_opener.open(black_box(&dir_sealed)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, seal_and_open, fields, envelopes, scaling, rsa);
criterion_main!(benches);
