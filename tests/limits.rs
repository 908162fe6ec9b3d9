//! Size limits that fit the caller, and what seals must open (issue 8,
//! item 7: a 12,582,912-byte body used to seal into a 16,777,366-byte
//! envelope that `open_envelope` refused).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Error, ErrorKind, Fields, KeyFile, KeySelection,
    Keyring, MAX_COMPACT_LEN, Opener, Sealer, generate_jwks, open_envelope, seal_envelope,
};

fn keys() -> (Keyring, CryptoKeyId) {
    let kid = CryptoKeyId::parse(&"L".repeat(32)).unwrap();
    (
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap(),
        kid,
    )
}

#[test]
fn the_old_boundary_body_is_refused_when_sealing_not_when_opening() {
    let (ring, kid) = keys();
    let body = vec![b'a'; 12_582_912];
    let e = seal_envelope(&body, &ring.sealer(&kid).unwrap()).unwrap_err();
    assert!(
        matches!(e, Error::TooLarge { limit, .. } if limit == MAX_COMPACT_LEN),
        "{e:?}"
    );
}

/// Every plaintext a sealer accepts, an opener with the same limit opens;
/// the limit is reached exactly.
fn seal_iff_open(sealer: &Sealer, opener: &Opener, limit: usize, sizes: std::ops::Range<usize>) {
    let (mut sealed, mut refused, mut longest) = (0, 0, 0);
    for n in sizes {
        let plaintext = vec![b'x'; n];
        match sealer.seal(&plaintext, ContentType::Text) {
            Ok(jwe) => {
                assert!(jwe.len() <= limit, "{n}: {} > {limit}", jwe.len());
                longest = longest.max(jwe.len());
                let opened = opener.open(&jwe).unwrap_or_else(|e| panic!("{n}: {e}"));
                assert_eq!(opened.plaintext(), &plaintext[..]);
                sealed += 1;
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::TooLarge, "{n}");
                refused += 1;
            }
        }
    }
    assert!(
        sealed > 0 && refused > 0,
        "{sealed} sealed, {refused} refused"
    );
    assert!(
        longest + 4 > limit,
        "the limit is used: longest {longest} of {limit}"
    );
}

#[test]
fn what_seals_opens_at_any_limit() {
    let (ring, kid) = keys();
    for limit in [300, 301, 302, 303, 1000] {
        let sealer = ring.sealer(&kid).unwrap().with_max_size(limit);
        let opener = ring.opener(KeySelection::Named(kid)).with_max_size(limit);
        seal_iff_open(&sealer, &opener, limit, 0..800);
    }
    // RSA-OAEP-256: the wrapped key counts too.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/rsa");
    let public = KeyFile::read(&dir.join("server-certificate.pem"), None)
        .unwrap()
        .into_public()
        .unwrap();
    let private = KeyFile::read(&dir.join("server-private-pkcs8.pem"), None)
        .unwrap()
        .into_private()
        .unwrap();
    let limit = 700;
    let sealer = Sealer::rsa_oaep_256(public, ContentEncryption::A128Gcm).with_max_size(limit);
    let opener =
        Opener::with_key(konaplate_crypto::KeyMaterial::RsaOpenWith(private)).with_max_size(limit);
    seal_iff_open(&sealer, &opener, limit, 0..400);
}

#[test]
fn envelopes_and_documents_have_limits_of_their_own() {
    let (ring, kid) = keys();
    let sealer = ring.sealer(&kid).unwrap().with_max_size(1 << 20);
    let body = vec![b'b'; 600_000];
    let sealed = seal_envelope(&body, &sealer).unwrap();
    // The default opener takes it; a smaller one refuses before parsing.
    let opener = ring.opener(KeySelection::Named(kid));
    assert_eq!(
        &open_envelope(sealed.as_bytes(), &opener).unwrap()[..],
        &body[..]
    );
    let small = opener.clone().with_max_size(100_000);
    assert_eq!(
        open_envelope(sealed.as_bytes(), &small).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
    // Fields: the document limit.
    let doc = format!(r#"{{"par":"x","pad":"{}"}}"#, "p".repeat(5000));
    let fields = Fields::new(["par"]).unwrap().with_max_document(1000);
    assert_eq!(
        fields.encrypt(doc.as_bytes(), &sealer).unwrap_err().kind(),
        ErrorKind::TooLarge
    );
    let fields = Fields::new(["par"]).unwrap().with_max_document(10_000);
    let sealed = fields.encrypt(doc.as_bytes(), &sealer).unwrap();
    assert_eq!(
        &fields.decrypt(&sealed, &opener).unwrap()[..],
        doc.as_bytes()
    );
}
