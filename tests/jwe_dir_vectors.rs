//! JWE `dir` vectors (`test-vectors/jwe-dir.json`, made by
//! `test-vectors/gen/jwe_dir.py` with Python's cryptography and joserfc):
//! RFC 7520 section 5.6, sealing with fixed IVs, opening joserfc's tokens,
//! refusals with the right kind, marked fields and the envelope.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::FixedBytes;
use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Error, ErrorKind, Fields, KeyEntry, KeyMaterial,
    KeySelection, Keyring, Opener, SymmetricKey, open_envelope, seal_envelope,
    seal_envelope_with_rng,
};
use serde_json::Value;

fn doc() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/jwe-dir.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn keyring(v: &Value) -> Keyring {
    Keyring::from_jwks(&v["jwks"].to_string()).unwrap()
}

fn kid(s: &Value) -> CryptoKeyId {
    CryptoKeyId::parse(s.as_str().unwrap()).unwrap()
}

/// A JSON array of strings.
fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect()
}

fn cases<'a>(v: &'a Value, name: &str) -> &'a Vec<Value> {
    let c = v[name].as_array().unwrap();
    assert!(!c.is_empty(), "{name} is empty");
    c
}

#[test]
fn rfc7520_section_5_6() {
    let v = doc();
    let c = &v["rfc7520_5_6"];
    // The RFC's kid is not a KONA key id: the key is given explicitly.
    let k = base64_url(c["jwk"]["k"].as_str().unwrap());
    let key =
        KeyMaterial::Symmetric(SymmetricKey::new(ContentEncryption::A128Gcm, &k, None).unwrap());
    let opened = Opener::with_key(key.clone())
        .open(c["compact"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        opened.plaintext(),
        c["plaintext"].as_str().unwrap().as_bytes()
    );
    assert_eq!(
        opened.header().kid(),
        Some("77c7e2b8-6e13-45cf-8672-617b5b45243a")
    );
}

fn base64_url(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[test]
fn sealing_with_fixed_ivs_matches_byte_for_byte() {
    let v = doc();
    let ring = keyring(&v);
    for (i, c) in cases(&v, "seal").iter().enumerate() {
        let ctx = format!("seal case {i} ({})", c["name"]);
        let mut rng = FixedBytes::from_hex(&[c["iv_hex"].as_str().unwrap()]);
        let sealer = ring.sealer(&kid(&c["kid"])).unwrap();
        let got = sealer
            .seal_with_rng(
                c["plaintext"].as_str().unwrap().as_bytes(),
                if c["json"].as_bool().unwrap() {
                    ContentType::Json
                } else {
                    ContentType::Text
                },
                &mut rng,
            )
            .unwrap();
        assert_eq!(got, c["compact"].as_str().unwrap(), "{ctx}");
        assert!(rng.is_spent(), "{ctx}");
        let opened = ring
            .opener(KeySelection::Named(kid(&c["kid"])))
            .open(&got)
            .unwrap();
        assert_eq!(
            opened.plaintext(),
            c["plaintext"].as_str().unwrap().as_bytes(),
            "{ctx}"
        );
    }
}

#[test]
fn tokens_made_by_joserfc_open() {
    let v = doc();
    let ring = keyring(&v);
    for (i, c) in cases(&v, "open").iter().enumerate() {
        let opened = ring
            .opener(KeySelection::Named(kid(&c["kid"])))
            .open(c["compact"].as_str().unwrap())
            .unwrap_or_else(|e| panic!("open case {i} ({}): {e}", c["name"]));
        assert_eq!(
            opened.plaintext(),
            c["plaintext"].as_str().unwrap().as_bytes(),
            "open case {i}"
        );
    }
}

fn kind_matches(kind: &str, e: &Error) -> bool {
    matches!(
        (kind, e),
        ("decryption_failed", Error::DecryptionFailed)
            | ("unknown_key_id", Error::UnknownKeyId { .. })
            | ("no_key_id", Error::NoKeyId)
            | ("key_mismatch", Error::KeyMismatch { .. })
            | ("unsupported", Error::UnsupportedJwe { .. })
            | ("malformed", Error::MalformedJwe { .. })
            | ("invalid_json", Error::InvalidJson { .. })
            | ("invalid_path", Error::InvalidFieldPath { .. })
            | ("invalid_field", Error::InvalidField { .. })
            | ("field_not_found", Error::FieldNotFound { .. })
    )
}

#[test]
fn refusals_have_the_right_kind() {
    let v = doc();
    let ring = keyring(&v);
    // These vectors pick the key by the JWE's kid (the opt-in selection), so
    // that an unknown kid and a missing kid each show their own kind.
    for (i, c) in cases(&v, "refuse").iter().enumerate() {
        let want = c["expect"].as_str().unwrap();
        let opener = ring.opener(KeySelection::DangerousKidInMessage);
        match opener.open(c["compact"].as_str().unwrap()) {
            Err(e) if kind_matches(want, &e) => {
                // An authentication failure says nothing more.
                if want == "decryption_failed" {
                    assert_eq!(e, Error::DecryptionFailed);
                }
            }
            other => panic!(
                "refuse case {i} ({}): expected {want}, got {other:?}",
                c["name"]
            ),
        }
    }
}

#[test]
fn fields_encrypt_byte_for_byte_and_decrypt_back() {
    let v = doc();
    let ring = keyring(&v);
    for (i, c) in cases(&v, "fields").iter().enumerate() {
        let ctx = format!("fields case {i} ({})", c["name"]);
        let paths = strs(&c["paths"]);
        let fields = Fields::new(&paths).unwrap();
        let ivs = strs(&c["ivs_hex"]);
        let mut rng = FixedBytes::from_hex(&ivs);
        let document = c["document"].as_str().unwrap();
        let k = kid(&c["kid"]);
        let sealer = ring.sealer(&k).unwrap();
        let got = fields
            .encrypt_with_rng(document.as_bytes(), &sealer, &mut rng)
            .unwrap();
        assert_eq!(
            String::from_utf8(got).unwrap(),
            c["expected"].as_str().unwrap(),
            "{ctx}"
        );
        assert!(rng.is_spent(), "{ctx}");

        let back = fields
            .decrypt(
                c["expected"].as_str().unwrap().as_bytes(),
                &ring.opener(KeySelection::Named(k)),
            )
            .unwrap();
        let back = std::str::from_utf8(&back).unwrap();
        if document.contains("\\u") {
            // Needless escapes come back in plain spelling: same JSON value.
            let a: Value = serde_json::from_str(back).unwrap();
            let b: Value = serde_json::from_str(document).unwrap();
            assert_eq!(a, b, "{ctx}");
        } else {
            assert_eq!(back, document, "{ctx}");
        }
    }
}

#[test]
fn field_failures_leave_no_output() {
    let v = doc();
    let ring = keyring(&v);
    let k = CryptoKeyId::parse(&"B".repeat(32)).unwrap();
    for (i, c) in cases(&v, "field_failures").iter().enumerate() {
        let want = c["expect"].as_str().unwrap();
        let paths = strs(&c["paths"]);
        let document = match c.get("document_hex") {
            Some(h) => hex::decode(h.as_str().unwrap()).unwrap(),
            None => c["document"].as_str().unwrap().as_bytes().to_vec(),
        };
        let result = Fields::new(&paths).and_then(|f| {
            let f = if c["strict"].as_bool() == Some(true) {
                f.strict()
            } else {
                f
            };
            match c["op"].as_str().unwrap() {
                "encrypt" => f.encrypt(&document, &ring.sealer(&k)?),
                _ => f
                    .decrypt(&document, &ring.opener(KeySelection::Named(k)))
                    .map(|z| z.to_vec()),
            }
        });
        match result {
            Err(e) if kind_matches(want, &e) => {}
            other => panic!(
                "field failure {i} ({}): expected {want}, got {other:?}",
                c["name"]
            ),
        }
    }
}

#[test]
fn envelopes_seal_byte_for_byte_and_open() {
    let v = doc();
    let ring = keyring(&v);
    for (i, c) in cases(&v, "envelope").iter().enumerate() {
        let k = kid(&c["kid"]);
        let mut rng = FixedBytes::from_hex(&[c["iv_hex"].as_str().unwrap()]);
        let body = c["body"].as_str().unwrap().as_bytes();
        let sealed = seal_envelope_with_rng(body, &ring.sealer(&k).unwrap(), &mut rng).unwrap();
        assert_eq!(sealed, c["envelope"].as_str().unwrap(), "envelope case {i}");
        let opened =
            open_envelope(sealed.as_bytes(), &ring.opener(KeySelection::Named(k))).unwrap();
        assert_eq!(&opened[..], body, "envelope case {i}");
    }
    for (i, c) in cases(&v, "envelope_refuse").iter().enumerate() {
        let r = open_envelope(
            c["envelope"].as_str().unwrap().as_bytes(),
            &ring.opener(KeySelection::CallbackKey),
        );
        assert!(
            matches!(
                r,
                Err(Error::InvalidEnvelope { .. } | Error::InvalidJson { .. })
            ),
            "envelope refusal {i} ({}): {r:?}",
            c["name"]
        );
    }
}

#[test]
fn a_key_this_side_does_not_hold_is_refused_clearly() {
    let v = doc();
    let server = Keyring::from_jwks(&v["other_jwks"].to_string()).unwrap();
    let client = keyring(&v);
    let k = *server.iter().next().unwrap().id();
    let sealed = seal_envelope(b"{}", &server.sealer(&k).unwrap()).unwrap();
    // Named by the request: the client does not hold it.
    let e = open_envelope(sealed.as_bytes(), &client.opener(KeySelection::Named(k))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownKeyId);
    assert_eq!(
        e,
        Error::UnknownKeyId {
            key_id: k.to_string()
        }
    );
    // Named another key the client holds: the JWE's kid does not override it.
    let held = *client.callback_key().unwrap().id();
    let e =
        open_envelope(sealed.as_bytes(), &client.opener(KeySelection::Named(held))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
}

/// Issue 8, item 1: with keys of two tenants held, a JWE sealed under
/// tenant B's key must not open for a request that named tenant A's key,
/// even though the JWE's own kid names B (before the fix it opened).
#[test]
fn the_named_key_wins_over_the_kid_in_the_message() {
    let v = doc();
    let ring = keyring(&v);
    let ids: Vec<CryptoKeyId> = ring.iter().map(|e| *e.id()).collect();
    let (a, b) = (ids[0], ids[1]);
    let sealed_for_b = ring
        .sealer(&b)
        .unwrap()
        .seal(b"tenant B's card", ContentType::Text)
        .unwrap();
    let e = ring
        .opener(KeySelection::Named(a))
        .open(&sealed_for_b)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
    assert_eq!(
        e,
        Error::KeyIdMismatch {
            expected: a.to_string()
        }
    );
    // The same through fields and the envelope.
    let doc = Fields::new(["par"])
        .unwrap()
        .encrypt(br#"{"par":"x"}"#, &ring.sealer(&b).unwrap())
        .unwrap();
    let e = Fields::new(["par"])
        .unwrap()
        .decrypt(&doc, &ring.opener(KeySelection::Named(a)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
    let env = seal_envelope(b"{}", &ring.sealer(&b).unwrap()).unwrap();
    let e = open_envelope(env.as_bytes(), &ring.opener(KeySelection::Named(a))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
    // The callback key likewise; naming B opens.
    assert_eq!(ring.callback_key().unwrap().id(), &a);
    let e = ring
        .opener(KeySelection::CallbackKey)
        .open(&sealed_for_b)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
    let opened = ring
        .opener(KeySelection::for_callback(Some(b)))
        .open(&sealed_for_b)
        .unwrap();
    assert_eq!(opened.plaintext(), b"tenant B's card");
    // Only the explicit opt-in picks the key by the message's kid.
    let opened = ring
        .opener(KeySelection::DangerousKidInMessage)
        .open(&sealed_for_b)
        .unwrap();
    assert_eq!(opened.plaintext(), b"tenant B's card");
}

/// Issue 8, item 8: a symmetric key made for kid X cannot be held under Y
/// (it would seal JWEs naming X that the entry could not open).
#[test]
fn a_key_made_for_another_kid_is_refused_by_the_entry() {
    let x = CryptoKeyId::parse(&"x".repeat(32)).unwrap();
    let y = CryptoKeyId::parse(&"y".repeat(32)).unwrap();
    let key = SymmetricKey::new(ContentEncryption::A128Gcm, &[7u8; 16], Some(&x)).unwrap();
    let e = KeyEntry::new(y, KeyMaterial::Symmetric(key.clone())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidKey);
    let ring = Keyring::from_entries(vec![KeyEntry::new(x, KeyMaterial::Symmetric(key)).unwrap()])
        .unwrap();
    let sealed = ring
        .sealer(&x)
        .unwrap()
        .seal(b"ok", ContentType::Text)
        .unwrap();
    assert_eq!(
        ring.opener(KeySelection::Named(x))
            .open(&sealed)
            .unwrap()
            .plaintext(),
        b"ok"
    );
}
