//! The JWE compact serialization (RFC 7516 section 7.1), parsed strictly:
//! five base64url parts (no padding, canonical), a header on the allow-list,
//! a 96-bit IV and a 128-bit tag, within size limits.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{Error, Result};
use crate::jwe::enc::aes_gcm::{IV_LEN, TAG_LEN};
use crate::jwe::header::ProtectedHeader;

/// The default largest compact JWE sealed or opened: 16 MiB
/// ([`Sealer::with_max_size`](crate::Sealer::with_max_size),
/// [`Opener::with_max_size`](crate::Opener::with_max_size) change it).
pub const MAX_COMPACT_LEN: usize = 16 << 20;
/// Largest protected header accepted, in base64url characters.
pub const MAX_HEADER_LEN: usize = 4096;

/// A received JWE, its parts decoded.
pub(crate) struct Parsed<'a> {
    /// The header exactly as received: the AAD.
    pub(crate) header_b64: &'a str,
    pub(crate) header: ProtectedHeader,
    pub(crate) encrypted_key: Vec<u8>,
    pub(crate) iv: [u8; IV_LEN],
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) tag: [u8; TAG_LEN],
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedJwe {
        reason: reason.into(),
    }
}

fn decode(part: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| malformed(format!("the {what} is not unpadded base64url")))
}

/// A part that must decode to exactly `N` bytes (the IV, the tag).
fn decode_fixed<const N: usize>(part: &str, what: &str) -> Result<[u8; N]> {
    let bytes = decode(part, what)?;
    bytes.as_slice().try_into().map_err(|_| {
        malformed(format!(
            "the {what} is {} bits; AES-GCM in JWE uses {}",
            bytes.len() * 8,
            N * 8
        ))
    })
}

pub(crate) fn parse(compact: &str, max_len: usize) -> Result<Parsed<'_>> {
    if compact.len() > max_len {
        return Err(Error::TooLarge {
            what: "JWE",
            limit: max_len,
        });
    }
    let mut parts = compact.split('.');
    let (Some(h), Some(k), Some(iv), Some(ct), Some(tag), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err(malformed(
            "expected five '.'-separated parts (compact serialization)",
        ));
    };
    if h.len() > MAX_HEADER_LEN {
        return Err(Error::TooLarge {
            what: "JWE protected header",
            limit: MAX_HEADER_LEN,
        });
    }
    let header = ProtectedHeader::parse(&decode(h, "protected header")?)?;
    let encrypted_key = decode(k, "encrypted key")?;
    let iv = decode_fixed::<IV_LEN>(iv, "IV")?;
    let ciphertext = decode(ct, "ciphertext")?;
    let tag = decode_fixed::<TAG_LEN>(tag, "tag")?;
    Ok(Parsed {
        header_b64: h,
        header,
        encrypted_key,
        iv,
        ciphertext,
        tag,
    })
}
