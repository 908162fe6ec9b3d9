//! What the JWE benches share: one key, its keyring, the bare path for
//! the same key and header, and josekit for it.
#![allow(clippy::unwrap_used, dead_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use konaplate_crypto::{ContentType, CryptoKeyId, KeySelection, Keyring, Opener, Sealer};

use super::bare;

pub const KEY: [u8; 32] = [7u8; 32];
pub const KID: &str = "0123456789abcdef0123456789abcdef";
pub const SEED_RESPONSE: &[u8] = br#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;

/// The crate's sealer and opener of one A256GCM key, and the bare path for
/// the same key and header.
pub fn setup() -> (Sealer, Opener, bare::Dir) {
    let kid = CryptoKeyId::parse(KID).unwrap();
    let jwks = format!(
        r#"{{"keys":[{{"kty":"oct","alg":"A256GCM","kid":"{KID}","k":"{}"}}]}}"#,
        URL_SAFE_NO_PAD.encode(KEY)
    );
    let ring = Keyring::from_jwks(&jwks).unwrap();
    let sealer = ring.sealer(&kid).unwrap();
    let sample = sealer.seal(b"x", ContentType::Text).unwrap();
    let header = sample.split('.').next().unwrap();
    let bare = bare::Dir::new(&KEY, header);
    // Both make what the other opens.
    let opener = ring.opener(KeySelection::Named(kid));
    assert_eq!(opener.open(&bare.seal(b"abc")).unwrap().plaintext(), b"abc");
    assert_eq!(bare.open(&sample), b"x");
    (sealer, opener, bare)
}

pub fn josekit_pair() -> (
    josekit::jwe::JweHeader,
    josekit::jwe::alg::direct::DirectJweEncrypter,
    josekit::jwe::alg::direct::DirectJweDecrypter,
) {
    let mut header = josekit::jwe::JweHeader::new();
    header.set_content_encryption("A256GCM");
    header.set_key_id(KID);
    let enc = josekit::jwe::Dir.encrypter_from_bytes(KEY).unwrap();
    let dec = josekit::jwe::Dir.decrypter_from_bytes(KEY).unwrap();
    (header, enc, dec)
}

/// The two card fields' JWEs in a document the crate encrypted.
pub fn sealed_values(sealed: &[u8]) -> [String; 2] {
    let doc: serde_json::Value = serde_json::from_slice(sealed).unwrap();
    ["mobileCardNo", "par"].map(|f| doc[f].as_str().unwrap().to_owned())
}
