//! Issue 16, items 7 to 9: what encrypts under a limit decrypts under it;
//! every valid JSON document round-trips byte for byte, whatever its
//! numbers; nesting has a documented limit with its own error, the same in
//! both directions and in every loader that reads JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use konaplate_crypto::{
    ContentEncryption, CryptoKeyId, Error, ErrorKind, Fields, KeyFile, KeySelection, Keyring,
    MAX_DEPTH, RouteTable, generate_jwks, open_envelope, seal_envelope,
};

fn keys() -> (Keyring, CryptoKeyId) {
    let kid = CryptoKeyId::parse(&"D".repeat(32)).unwrap();
    (
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm)).unwrap(),
        kid,
    )
}

/// `doc` through `fields` both ways; the clear document comes back as it was.
fn round_trip(fields: &Fields, doc: &str) -> Result<Vec<u8>, Error> {
    let (ring, kid) = keys();
    let sent = fields.encrypt(doc.as_bytes(), &ring.sealer(&kid)?)?;
    let back = fields.decrypt(&sent, &ring.opener(KeySelection::Named(kid)))?;
    assert_eq!(&back[..], doc.as_bytes());
    Ok(sent)
}

#[test]
fn numbers_outside_an_f64_pass_through_marked_or_not() {
    let huge = "9".repeat(400);
    for number in [
        "1e999",
        "-1.7976931348623157e309",
        huge.as_str(),
        "-0.0E+00",
    ] {
        // Serde's f64 cannot hold it; the grammar takes it.
        assert!(
            number
                .parse::<f64>()
                .map_or(true, |v| !v.is_finite() || number == "-0.0E+00"),
            "{number}"
        );
        let doc = format!(r#"{{"card":{number},"other":[{number}, {{"n":{number}}}],"par":"x"}}"#);
        let sent = round_trip(&Fields::new(["par"]).unwrap(), &doc).unwrap();
        let text = String::from_utf8(sent).unwrap();
        assert!(text.contains(&format!(r#""card":{number},"#)), "{text}");
        // Marked: encrypted as its JSON text and restored as it was written.
        let sent = round_trip(&Fields::new(["card", "other[1].n"]).unwrap(), &doc).unwrap();
        let text = String::from_utf8(sent).unwrap();
        assert_eq!(text.matches(number).count(), 1, "{text}");
        assert!(text.starts_with(r#"{"card":"eyJ"#), "{text}");
    }
}

#[test]
fn invalid_numbers_are_still_refused() {
    for bad in ["01", "1.", "-", "1e", ".5", "+1", "NaN", "Infinity"] {
        let doc = format!(r#"{{"a":{bad},"par":"x"}}"#);
        let e = round_trip(&Fields::new(["par"]).unwrap(), &doc).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson, "{bad}: {e}");
    }
}

/// `levels` arrays around `inner`.
fn nested(levels: usize, inner: &str) -> String {
    format!("{}{inner}{}", "[".repeat(levels), "]".repeat(levels))
}

#[test]
fn nesting_is_read_to_the_limit_and_refused_past_it_both_ways() {
    let (ring, kid) = keys();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let fields = Fields::new(["par"]).unwrap();
    // The object around the array is one level.
    let at = |levels: usize| format!(r#"{{"par":"x","deep":{}}}"#, nested(levels - 1, "1"));
    let sent = round_trip(&fields, &at(MAX_DEPTH)).unwrap();
    let e = fields
        .encrypt(at(MAX_DEPTH + 1).as_bytes(), &sealer)
        .unwrap_err();
    assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
    assert!(e.to_string().contains(&MAX_DEPTH.to_string()), "{e}");
    assert_eq!(e.category().http_status(), 413);
    // A sealed document one level deeper than the limit, as a peer might send.
    let deeper = String::from_utf8(sent)
        .unwrap()
        .replacen(r#""deep":"#, r#""deep":["#, 1)
        .replacen("]}", "]]}", 1);
    let e = fields.decrypt(deeper.as_bytes(), &opener).unwrap_err();
    assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
    // A marked value that decrypts to JSON nested past the limit.
    let marked = Fields::new(["deep"]).unwrap();
    let e = marked
        .encrypt(at(MAX_DEPTH + 1).as_bytes(), &sealer)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooDeep);
}

#[test]
fn every_loader_that_reads_json_has_the_same_limit() {
    let (ring, kid) = keys();
    let jwks = generate_jwks(&kid, ContentEncryption::A128Gcm);
    let deep_member = |levels: usize| format!(r#","x":{}}}"#, nested(levels - 1, ""));
    let with_deep = |doc: &str, levels: usize| {
        let at = doc.rfind('}').unwrap();
        format!("{}{}", &doc[..at], deep_member(levels))
    };
    // The key set: nested past the limit, refused as too deep; at the
    // limit, read (a key set may carry members of its own).
    let e = Keyring::from_jwks(&with_deep(&jwks, MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
    assert_eq!(
        Keyring::from_jwks(&with_deep(&jwks, MAX_DEPTH))
            .unwrap()
            .len(),
        1
    );
    let e = KeyFile::load(with_deep(&jwks, MAX_DEPTH + 1).as_bytes(), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooDeep, "{e}");
    // The route table.
    let routes = include_str!("../routes/kona.json");
    let e = RouteTable::from_json(&with_deep(routes, MAX_DEPTH + 1)).unwrap_err();
    assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
    let e = RouteTable::from_json(&with_deep(routes, MAX_DEPTH)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{e}");
    // The envelope.
    let sealed = seal_envelope(b"{}", &ring.sealer(&kid).unwrap()).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let e = open_envelope(with_deep(&sealed, MAX_DEPTH + 1).as_bytes(), &opener).unwrap_err();
    assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
    let e = open_envelope(with_deep(&sealed, MAX_DEPTH).as_bytes(), &opener).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidEnvelope, "{e}");
}

/// Issue 16, item 7: 400,000 card fields in a 13 MB document encrypted to
/// 69 MB, which decryption then refused under the same limit.
#[test]
fn what_encrypts_under_a_limit_decrypts_under_it() {
    let (ring, kid) = keys();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let cards: Vec<String> = (0..2_000)
        .map(|i| format!(r#"{{"no":"94101234{i:08}"}}"#))
        .collect();
    let doc = format!(r#"{{"cards":[{}]}}"#, cards.join(","));
    let fields = Fields::new(["cards[*].no"]).unwrap();
    let full = fields.encrypt(doc.as_bytes(), &sealer).unwrap().len();
    assert!(full > 3 * doc.len(), "{full} vs {}", doc.len());
    let (mut encrypted, mut refused) = (0, 0);
    for limit in [doc.len(), doc.len() * 2, full - 1, full, full + 1, full * 2] {
        let limited = fields.clone().with_max_document(limit);
        match limited.encrypt(doc.as_bytes(), &sealer) {
            Ok(sent) => {
                assert!(sent.len() <= limit, "{limit}");
                let back = limited.decrypt(&sent, &opener).unwrap();
                assert_eq!(&back[..], doc.as_bytes());
                encrypted += 1;
            }
            Err(e) => {
                assert!(limit < full, "{limit}: {e}");
                assert_eq!(
                    e,
                    Error::TooLarge {
                        what: "encrypted document",
                        limit
                    }
                );
                refused += 1;
            }
        }
    }
    assert_eq!((encrypted, refused), (3, 3));
}
