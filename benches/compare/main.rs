//! The crate's side of `benches/compare/run`: writes the shared inputs, and
//! measures the crate on them the way `jose.mjs` and `joserfc_bench.py`
//! measure their libraries (each operation in a loop for a fixed time,
//! five rounds, the median rate), printing one JSON line per operation.
//!
//!   cargo bench --bench compare -- inputs DIR
//!   cargo bench --bench compare -- run DIR
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use konaplate_crypto::{ContentType, CryptoKeyId, Fields, KeySelection, Keyring};

const KID: &str = "0123456789abcdef0123456789abcdef";
const SEED_RESPONSE: &str = r#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;

fn keyring(key: &[u8]) -> Keyring {
    Keyring::from_jwks(&format!(
        r#"{{"keys":[{{"kty":"oct","alg":"A256GCM","kid":"{KID}","k":"{}"}}]}}"#,
        URL_SAFE_NO_PAD.encode(key)
    ))
    .unwrap()
}

/// Writes `inputs.json`: the key, the 1 KiB plaintext, a JWE of it, the
/// seed response and the same with its two fields encrypted.
fn inputs(dir: &Path) {
    let mut key = [0u8; 32];
    rand::fill(&mut key);
    let ring = keyring(&key);
    let kid = CryptoKeyId::parse(KID).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let plaintext: String = (0..1024)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let jwe = sealer
        .seal(plaintext.as_bytes(), ContentType::Text)
        .unwrap();
    let fields = Fields::new(["mobileCardNo", "par"]).unwrap();
    let encrypted = fields.encrypt(SEED_RESPONSE.as_bytes(), &sealer).unwrap();
    let doc = serde_json::json!({
        "kid": KID,
        "key_b64url": URL_SAFE_NO_PAD.encode(key),
        "plaintext": plaintext,
        "jwe": jwe,
        "response": SEED_RESPONSE,
        "response_encrypted": String::from_utf8(encrypted).unwrap(),
        "fields": ["mobileCardNo", "par"],
    });
    std::fs::write(dir.join("inputs.json"), doc.to_string()).unwrap();
}

/// Operations a second: `op` run for `round` at a time, five rounds, the median.
fn rate(round: Duration, mut op: impl FnMut()) -> f64 {
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let start = Instant::now();
            let mut n = 0u64;
            while start.elapsed() < round {
                for _ in 0..64 {
                    op();
                }
                n += 64;
            }
            n as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[2]
}

fn run(dir: &Path) {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("inputs.json")).unwrap()).unwrap();
    let s = |k: &str| v[k].as_str().unwrap().to_owned();
    let ring = keyring(&URL_SAFE_NO_PAD.decode(s("key_b64url")).unwrap());
    let kid = CryptoKeyId::parse(KID).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let fields = Fields::new(["mobileCardNo", "par"]).unwrap();
    let (plaintext, jwe, response, encrypted) = (
        s("plaintext"),
        s("jwe"),
        s("response"),
        s("response_encrypted"),
    );
    // The same answers the peers must give.
    assert_eq!(opener.open(&jwe).unwrap().plaintext(), plaintext.as_bytes());
    let decrypted = fields.decrypt(encrypted.as_bytes(), &opener).unwrap();
    assert_eq!(&decrypted[..], response.as_bytes());
    let round = Duration::from_millis(400);
    type Op<'a> = (&'static str, Box<dyn FnMut() + 'a>);
    let ops: [Op<'_>; 4] = [
        (
            "seal-1KiB",
            Box::new(|| {
                black_box(
                    sealer
                        .seal(black_box(plaintext.as_bytes()), ContentType::Text)
                        .unwrap(),
                );
            }),
        ),
        (
            "open-1KiB",
            Box::new(|| {
                black_box(opener.open(black_box(&jwe)).unwrap());
            }),
        ),
        (
            "fields-encrypt",
            Box::new(|| {
                black_box(
                    fields
                        .encrypt(black_box(response.as_bytes()), &sealer)
                        .unwrap(),
                );
            }),
        ),
        (
            "fields-decrypt",
            Box::new(|| {
                black_box(
                    fields
                        .decrypt(black_box(encrypted.as_bytes()), &opener)
                        .unwrap(),
                );
            }),
        ),
    ];
    for (name, op) in ops {
        let ops = rate(round, op);
        println!(r#"{{"impl":"konaplate-crypto","op":"{name}","ops":{ops:.0}}}"#);
    }
}

fn main() {
    // `cargo bench` adds `--bench`; the rest is ours.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.as_slice() {
        [cmd, dir] if cmd == "inputs" => inputs(Path::new(dir)),
        [cmd, dir] if cmd == "run" => run(Path::new(dir)),
        _ => {
            println!("usage: cargo bench --bench compare -- inputs DIR | run DIR");
        }
    }
}
