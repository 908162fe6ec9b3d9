//! What hostile documents cost: marked-field encryption and envelope refusal
//! over objects from 10 thousand to 1 million members, deep documents, and
//! keyring loading. Read the time per member (criterion's throughput in
//! elements): flat means linear.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use konaplate_crypto::{
    ContentEncryption, CryptoKeyId, Fields, KeySelection, Keyring, generate_jwks, open_envelope,
};

fn wide(members: usize, tail: &str) -> String {
    let mut doc = String::with_capacity(members * 16);
    doc.push('{');
    for i in 0..members {
        doc.push_str(&format!("\"m{i}\":{i},"));
    }
    doc.push_str(tail);
    doc.push('}');
    doc
}

/// `depth` nested arrays, each level holding `width` small members.
fn deep(depth: usize, width: usize) -> String {
    let level = wide(width, r#""next":"#);
    let mut doc = String::new();
    for _ in 0..depth {
        doc.push_str(&level[..level.len() - 1]);
    }
    doc.push_str(r#"{"par":"x"}"#);
    doc.push_str(&"}".repeat(depth));
    doc
}

fn documents(c: &mut Criterion) {
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let ring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let fields = Fields::new(["par"]).unwrap().with_max_document(64 << 20);

    let mut group = c.benchmark_group("wide-object");
    group.sample_size(10);
    for n in [10_000usize, 100_000, 1_000_000] {
        let doc = wide(n, r#""par":"x""#);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("fields-encrypt", n), &doc, |b, d| {
            b.iter(|| fields.encrypt(black_box(d.as_bytes()), &sealer).unwrap())
        });
        let refused = wide(n, r#""encData":"x""#);
        let big = opener.clone().with_max_size(64 << 20);
        group.bench_with_input(BenchmarkId::new("envelope-refused", n), &refused, |b, d| {
            b.iter(|| open_envelope(black_box(d.as_bytes()), &big).unwrap_err())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("deep-object");
    group.sample_size(10);
    for depth in [10usize, 100] {
        let doc = deep(depth, 1000);
        let nested = Fields::new([format!("${}.par", ".next".repeat(depth))])
            .unwrap()
            .with_max_document(64 << 20);
        group.throughput(Throughput::Elements((depth * 1000) as u64));
        group.bench_with_input(BenchmarkId::new("fields-encrypt", depth), &doc, |b, d| {
            b.iter(|| nested.encrypt(black_box(d.as_bytes()), &sealer).unwrap())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("keyring-load");
    group.sample_size(10);
    for n in [1_000usize, 10_000] {
        let keys: Vec<String> = (0..n)
            .map(|i| {
                let kid = CryptoKeyId::parse(&format!("{i:032}")).unwrap();
                let set = generate_jwks(&kid, ContentEncryption::A128Gcm);
                let start = set.find("[{").unwrap() + 1;
                let end = set.rfind("}]").unwrap() + 1;
                set[start..end].to_owned()
            })
            .collect();
        let jwks = format!(r#"{{"keys":[{}]}}"#, keys.join(","));
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("from_jwks", n), &jwks, |b, j| {
            b.iter(|| Keyring::from_jwks(black_box(j)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, documents);
criterion_main!(benches);
