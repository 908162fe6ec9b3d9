//! Properties of sealing and opening: every changed byte is refused, field
//! encryption round-trips any document, nothing panics, rotation never
//! fails a reader.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Fields, KeySelection, Keyring, MAX_COMPACT_LEN,
    MAX_HEADER_LEN, SharedKeyring, generate_jwks, open_envelope, peek_header, seal_envelope,
};
use proptest::prelude::*;
use serde_json::Value;

fn kid(c: char) -> CryptoKeyId {
    CryptoKeyId::parse(&c.to_string().repeat(32)).unwrap()
}

fn ring(c: char, enc: ContentEncryption) -> Keyring {
    Keyring::from_jwks(&generate_jwks(&kid(c), enc)).unwrap()
}

#[test]
fn every_changed_character_is_refused() {
    let r = ring('a', ContentEncryption::A128Gcm);
    let jwe = r
        .sealer(&kid('a'))
        .unwrap()
        .seal(b"9410123412341234", ContentType::Text)
        .unwrap();
    let opener = r.opener(KeySelection::Named(kid('a')));
    assert_eq!(opener.open(&jwe).unwrap().plaintext(), b"9410123412341234");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
    for i in 0..jwe.len() {
        for &c in [b'A', b'x', b'-', b'.'].iter() {
            let mut t = jwe.clone().into_bytes();
            if t[i] == c {
                continue;
            }
            t[i] = c;
            let t = String::from_utf8(t).unwrap();
            assert!(t.bytes().all(|b| alphabet.contains(&b)));
            // Some changes only touch the unused bits of a base64url
            // character's last sextet, which decoders must refuse as
            // non-canonical; every other change breaks the header or the tag.
            assert!(
                opener.open(&t).is_err(),
                "changed byte {i} to {} was accepted",
                c as char
            );
        }
    }
}

#[test]
fn rotation_never_fails_a_reader() {
    let shared = Arc::new(SharedKeyring::new(ring('a', ContentEncryption::A256Gcm)));
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut done = 0u32;
                while !stop.load(Ordering::Relaxed) || done < 100 {
                    // One operation: the keyring loaded at its start is used to its end.
                    let keys = shared.load();
                    let id = *keys.callback_key().unwrap().id();
                    let sealed = seal_envelope(b"{\"n\":1}", &keys.sealer(&id).unwrap()).unwrap();
                    std::thread::yield_now();
                    let opened =
                        open_envelope(sealed.as_bytes(), &keys.opener(KeySelection::Named(id)))
                            .unwrap();
                    assert_eq!(&opened[..], b"{\"n\":1}");
                    done += 1;
                }
                done
            })
        })
        .collect();
    for i in 0..200 {
        let c = ['b', 'c', 'd', 'e'][i % 4];
        let old = shared.rotate(ring(c, ContentEncryption::A128Gcm));
        assert_eq!(old.len(), 1);
    }
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() >= 100);
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Any text, control characters (written as escapes) included.
        "[\\PC\\x00-\\x1f]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fields_round_trip_any_document(doc in json_value(), pretty in any::<bool>()) {
        let r = ring('f', ContentEncryption::A256Gcm);
        let text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }.unwrap();
        // Each of these selects values that cannot contain one another.
        for paths in [&["$"][..], &["$[*]"], &["$[*][*]"], &["$[0]", "$['a']"]] {
            let fields = Fields::new(paths).unwrap();
            let sealed = fields.encrypt(text.as_bytes(), &r.sealer(&kid('f')).unwrap()).unwrap();
            let back = fields.decrypt(&sealed, &r.opener(KeySelection::Named(kid('f')))).unwrap();
            let back: Value = serde_json::from_slice(&back).unwrap();
            prop_assert_eq!(&back, &doc);
        }
    }

    #[test]
    fn opening_garbage_never_panics(s in "[A-Za-z0-9_.=-]{0,200}") {
        let r = ring('g', ContentEncryption::A128Gcm);
        let _ = r.opener(KeySelection::Named(kid('g'))).open(&s);
        let _ = peek_header(&s);
    }

    #[test]
    fn field_ops_on_arbitrary_text_never_panic(s in "\\PC{0,120}", p in "[a-z$.\\[\\]*'0-9]{0,12}") {
        let r = ring('h', ContentEncryption::A128Gcm);
        if let Ok(f) = Fields::new([p.as_str()]) {
            let _ = f.encrypt(s.as_bytes(), &r.sealer(&kid('h')).unwrap());
            let _ = f.decrypt(s.as_bytes(), &r.opener(KeySelection::Named(kid('h'))));
        }
        let _ = open_envelope(s.as_bytes(), &r.opener(KeySelection::Named(kid('h'))));
    }
}

#[test]
fn size_limits_are_typed_errors() {
    let r = ring('s', ContentEncryption::A128Gcm);
    let opener = r.opener(KeySelection::Named(kid('s')));
    let huge = "A".repeat(MAX_COMPACT_LEN + 1);
    assert!(matches!(
        opener.open(&huge),
        Err(konaplate_crypto::Error::TooLarge { what: "JWE", .. })
    ));
    let long_header = format!("{}....", "A".repeat(MAX_HEADER_LEN + 4));
    assert!(matches!(
        opener.open(&long_header),
        Err(konaplate_crypto::Error::TooLarge {
            what: "JWE protected header",
            ..
        })
    ));
}

#[test]
fn every_seal_draws_a_fresh_iv() {
    let r = ring('i', ContentEncryption::A256Gcm);
    let sealer = r.sealer(&kid('i')).unwrap();
    let ivs: std::collections::HashSet<String> = (0..200)
        .map(|_| {
            sealer
                .seal(b"same", ContentType::Text)
                .unwrap()
                .split('.')
                .nth(2)
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ivs.len(), 200);
    assert!(
        ivs.iter().all(|iv| iv.len() == 16),
        "96-bit IVs are 16 base64url characters"
    );
}
