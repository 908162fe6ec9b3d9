//! JWE sealing/opening and marked-field throughput. Each group sets the
//! crate's path beside a baseline in the same run; read the ratios.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Fields, KeyFile, KeyMaterial, KeySelection,
    Keyring, Opener, Sealer, SymmetricKey, generate_jwks,
};

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
            |b, p| b.iter(|| sealer.seal(black_box(p), ContentType::Text).unwrap()),
        );
        // Baseline: key schedule and header built for every message.
        group.bench_with_input(
            BenchmarkId::new("seal/key-per-message", size),
            &plaintext,
            |b, p| {
                b.iter(|| {
                    let key = SymmetricKey::new(ContentEncryption::A256Gcm, &key_bytes, Some(&kid))
                        .unwrap();
                    Sealer::dir(key.clone())
                        .seal(black_box(p), ContentType::Text)
                        .unwrap()
                })
            },
        );
        let sealed = sealer.seal(&plaintext, ContentType::Text).unwrap();
        let opener = ring.opener(KeySelection::Named(kid));
        group.bench_with_input(BenchmarkId::new("open", size), &sealed, |b, s| {
            b.iter(|| opener.open(black_box(s)).unwrap())
        });
    }
    group.finish();
}

fn fields(c: &mut Criterion) {
    let (ring, kid) = setup();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
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
                sealer
                    .seal(black_box(b"9410123412341234"), ContentType::Text)
                    .unwrap(),
                sealer
                    .seal(black_box(b"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"), ContentType::Text)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

fn rsa(c: &mut Criterion) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/test-vectors/rsa/");
    let read = |f: &str| std::fs::read_to_string(format!("{dir}{f}")).unwrap();
    let load = |f: &str| KeyFile::load(read(f).as_bytes(), None).unwrap();
    let cert = load("server-certificate.pem").into_public().unwrap();
    let private =
        KeyMaterial::RsaOpenWith(load("server-private-pkcs8.pem").into_private().unwrap());
    let (ring, kid) = setup();
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
    group.bench_function("open/rsa-oaep-256", |b| {
        b.iter(|| {
            Opener::with_key(private.clone())
                .open(black_box(&rsa_sealed))
                .unwrap()
        })
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
        b.iter(|| {
            Opener::with_key(private.clone())
                .open(black_box(&bad))
                .unwrap_err()
        })
    });
    group.bench_function("open/dir", |b| {
        b.iter(|| {
            ring.opener(KeySelection::Named(kid))
                .open(black_box(&dir_sealed))
                .unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, seal_open, fields, rsa);
criterion_main!(benches);
