//! Documents a hostile caller sends: repeated members anywhere (issue 8,
//! item 3) and very wide objects (item 2: the repeat check used to compare
//! each name with every earlier one, so these took minutes; now each
//! object's names go into a hash set). Timing is measured in
//! `benches/hostile.rs`, never asserted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use konaplate_crypto::{
    ContentEncryption, CryptoKeyId, ErrorKind, Fields, KeySelection, Keyring, generate_jwks,
    open_envelope,
};

fn keys() -> (Keyring, CryptoKeyId) {
    let kid = CryptoKeyId::parse(&"H".repeat(32)).unwrap();
    (
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm)).unwrap(),
        kid,
    )
}

#[test]
fn a_repeated_member_off_the_marked_paths_is_refused_both_ways() {
    let (ring, kid) = keys();
    let fields = Fields::new(["par"]).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let opener = ring.opener(KeySelection::Named(kid));
    let doc = br#"{"par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0","limits":{"daily":1,"daily":999999}}"#;
    assert_eq!(
        fields.encrypt(doc, &sealer).unwrap_err().kind(),
        ErrorKind::InvalidJson
    );
    // The same document with its field encrypted (as a peer could send it).
    let clean = br#"{"par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0","limits":{"daily":1}}"#;
    let sealed = String::from_utf8(fields.encrypt(clean, &sealer).unwrap()).unwrap();
    let tampered = sealed.replace(r#"{"daily":1}"#, r#"{"daily":1,"daily":999999}"#);
    assert_ne!(tampered, sealed);
    assert_eq!(
        fields
            .decrypt(tampered.as_bytes(), &opener)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidJson
    );
}

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

#[test]
fn wide_documents_are_read_and_their_repeats_found() {
    let (ring, kid) = keys();
    let fields = Fields::new(["par"]).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let n = 200_000;
    let ok = wide(n, r#""par":"x""#);
    let sealed = fields.encrypt(ok.as_bytes(), &sealer).unwrap();
    let back = fields
        .decrypt(&sealed, &ring.opener(KeySelection::Named(kid)))
        .unwrap();
    assert_eq!(&back[..], ok.as_bytes());
    let repeated = wide(n, r#""par":"x","m0":1"#);
    assert_eq!(
        fields
            .encrypt(repeated.as_bytes(), &sealer)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidJson
    );
    // An envelope with 200,000 members besides encData is refused.
    let envelope = wide(n, r#""encData":"x""#);
    assert_eq!(
        open_envelope(envelope.as_bytes(), &ring.opener(KeySelection::Named(kid)))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidEnvelope
    );
}

/// Issue 8, item 4: `Fields::new([".par"])` was accepted, matched nothing,
/// and the card data left in clear with success.
#[test]
fn no_path_can_silently_leave_a_field_in_clear() {
    for path in [".par", ".", "$['']", "par.", "$..par"] {
        assert_eq!(
            Fields::new([path]).unwrap_err().kind(),
            ErrorKind::InvalidFieldPath,
            "{path}"
        );
    }
    let (ring, kid) = keys();
    let sealer = ring.sealer(&kid).unwrap();
    let doc = br#"{"code":"000_000","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
    let out = Fields::new(["mobileCardNo", "par", "$.par"])
        .unwrap()
        .encrypt_counted(doc, &sealer)
        .unwrap();
    assert_eq!(out.matched(), [0, 1, 1]);
    let missing: Vec<&str> = out.unmatched().map(|p| p.as_str()).collect();
    assert_eq!(missing, ["mobileCardNo"]);
    assert!(!String::from_utf8_lossy(out.document()).contains("Q1J4"));
}
