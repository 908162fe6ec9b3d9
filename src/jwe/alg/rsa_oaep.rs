//! `alg: "RSA-OAEP-256"` (RFC 7518 section 4.3): a fresh content key per
//! message, wrapped with RSA-OAEP using SHA-256 and MGF1-SHA-256.
//!
//! Sealing writes the protected header public clients of the platform send,
//! `{"enc":"A128GCM","alg":"RSA-OAEP-256"}` (no `kid`: the key id travels in
//! `X-KM-Crypto-Key-Id`). Opening accepts any member order, and `RSA-OAEP`
//! (SHA-1) only when the caller opts in.

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;

use crate::error::Result;
use crate::jwe::enc::ContentEncryption;
use crate::jwe::enc::aes_gcm::ContentCipher;
use crate::keys::{Oaep, RsaPrivateKey, RsaPublicKey};

/// The four headers this crate seals with, base64url-encoded once:
/// A128GCM, A256GCM, each without and with `"cty":"json"`.
static HEADERS: LazyLock<[String; 4]> = LazyLock::new(|| {
    [
        r#"{"enc":"A128GCM","alg":"RSA-OAEP-256"}"#,
        r#"{"enc":"A128GCM","alg":"RSA-OAEP-256","cty":"json"}"#,
        r#"{"enc":"A256GCM","alg":"RSA-OAEP-256"}"#,
        r#"{"enc":"A256GCM","alg":"RSA-OAEP-256","cty":"json"}"#,
    ]
    .map(|h| URL_SAFE_NO_PAD.encode(h))
});

pub(crate) fn header_b64(enc: ContentEncryption, json: bool) -> &'static str {
    let i = match enc {
        ContentEncryption::A128Gcm => 0,
        ContentEncryption::A256Gcm => 2,
    } + usize::from(json);
    HEADERS.get(i).map_or("", String::as_str)
}

/// A fresh content key from `rng`, and its wrapping under `key`.
pub(crate) fn new_content_key<R: CryptoRng + ?Sized>(
    key: &RsaPublicKey,
    enc: ContentEncryption,
    rng: &mut R,
) -> Result<(ContentCipher, Vec<u8>)> {
    let cek = enc.random_key(rng);
    let cipher = ContentCipher::new(enc, &cek)?;
    let wrapped = key.wrap(&cek)?;
    Ok((cipher, wrapped))
}

/// The content cipher of a received JWE. If the key does not unwrap, or
/// unwraps to a key of the wrong length, a random content key stands in, so
/// that every failure surfaces at the same place (the tag check) as the same
/// error (RFC 7516 section 11.5).
pub(crate) fn content_cipher(
    key: &RsaPrivateKey,
    oaep: Oaep,
    enc: ContentEncryption,
    wrapped: &[u8],
) -> Result<ContentCipher> {
    match key.unwrap(wrapped, oaep) {
        Ok(cek) if cek.len() == enc.key_len() => ContentCipher::new(enc, &cek),
        _ => ContentCipher::new(enc, &enc.random_key(&mut rand::rng())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_what_public_clients_send() {
        let decode = |s: &str| String::from_utf8(URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap();
        assert_eq!(
            decode(header_b64(ContentEncryption::A128Gcm, false)),
            r#"{"enc":"A128GCM","alg":"RSA-OAEP-256"}"#
        );
        assert_eq!(
            decode(header_b64(ContentEncryption::A256Gcm, true)),
            r#"{"enc":"A256GCM","alg":"RSA-OAEP-256","cty":"json"}"#
        );
    }
}
