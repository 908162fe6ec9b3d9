//! `alg: "dir"` (RFC 7518 section 4.5): the shared key is the content key,
//! and the encrypted-key part of the compact form is empty.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};
use crate::ids::CryptoKeyId;
use crate::jwe::enc::ContentEncryption;
use crate::jwe::enc::aes_gcm::ContentCipher;

/// The base64url protected headers of a `dir` key, computed once per key:
/// `{"alg":"dir","enc":ENC,"kid":KID}` and the same with `"cty":"json"`.
#[derive(Clone, Debug)]
pub(crate) struct DirHeaders {
    pub(crate) plain: String,
    pub(crate) json: String,
}

impl DirHeaders {
    pub(crate) fn new(enc: ContentEncryption, kid: Option<&CryptoKeyId>) -> DirHeaders {
        // The kid alphabet (letters, digits, '-', '_') needs no JSON escaping.
        let kid = kid.map_or(String::new(), |k| format!(r#","kid":"{k}""#));
        let base = format!(r#"{{"alg":"dir","enc":"{}"{kid}"#, enc.name());
        DirHeaders {
            plain: URL_SAFE_NO_PAD.encode(format!("{base}}}")),
            json: URL_SAFE_NO_PAD.encode(format!(r#"{base},"cty":"json"}}"#)),
        }
    }
}

/// The content cipher for a received `dir` JWE: the key's own, if the
/// header's `enc` is the key's.
pub(crate) fn content_cipher<'k>(
    key: &'k ContentCipher,
    enc: ContentEncryption,
    encrypted_key: &[u8],
) -> Result<&'k ContentCipher> {
    if !encrypted_key.is_empty() {
        return Err(Error::MalformedJwe {
            reason: "alg dir carries no encrypted key, but one is present".into(),
        });
    }
    if key.enc() != enc {
        return Err(Error::KeyMismatch {
            reason: format!(
                "the JWE uses {} and the key is for {}",
                enc.name(),
                key.enc().name()
            ),
        });
    }
    Ok(key)
}
