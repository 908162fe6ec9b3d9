//! The JWE compact serialization (RFC 7516 section 7.1), read strictly:
//! five base64url parts (no padding, canonical), a header on the allow-list,
//! a 96-bit IV and a 128-bit tag, within size limits.
//!
//! The parts are located once and decoded where they are used: IV and tag
//! onto the stack, the ciphertext straight into the caller's buffer, where
//! it is decrypted in place.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use zeroize::Zeroize as _;

use crate::error::{Error, Result};
use crate::jwe::enc::aes_gcm::{IV_LEN, TAG_LEN};
use crate::jwe::header::ProtectedHeader;

/// The default largest compact JWE sealed or opened: 16 MiB
/// ([`Sealer::with_max_size`](crate::Sealer::with_max_size),
/// [`Opener::with_max_size`](crate::Opener::with_max_size) change it).
pub const MAX_COMPACT_LEN: usize = 16 << 20;
/// Largest protected header accepted, in base64url characters.
pub const MAX_HEADER_LEN: usize = 4096;

/// Characters of unpadded base64url for `n` bytes.
pub(crate) const fn b64_len(n: usize) -> usize {
    n / 3 * 4 + [0, 2, 3][n % 3]
}

/// The five parts of a received JWE, as text, not yet decoded.
pub(crate) struct Parts<'a> {
    /// The header exactly as received: the AAD.
    pub(crate) header: &'a str,
    encrypted_key: &'a str,
    iv: &'a str,
    ciphertext: &'a str,
    tag: &'a str,
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::MalformedJwe {
        reason: reason.into(),
    }
}

fn not_base64(what: &str) -> Error {
    malformed(format!("the {what} is not unpadded base64url"))
}

fn decode(part: &str, what: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| not_base64(what))
}

/// A part that must decode to exactly `N` bytes (the IV, the tag), decoded
/// onto the stack.
fn decode_fixed<const N: usize>(part: &str, what: &str) -> Result<[u8; N]> {
    let mut out = [0u8; N];
    if part.len() == b64_len(N) {
        // Unpadded base64 of exactly N bytes needs no room beyond N.
        return match URL_SAFE_NO_PAD.decode_slice(part, &mut out) {
            Ok(n) if n == N => Ok(out),
            _ => Err(not_base64(what)),
        };
    }
    let bytes = decode(part, what)?;
    Err(malformed(format!(
        "the {what} is {} bits; AES-GCM in JWE uses {}",
        bytes.len() * 8,
        N * 8
    )))
}

/// Refuses a JWE longer than `max_len`.
pub(crate) fn check_len(compact: &str, max_len: usize) -> Result<()> {
    if compact.len() > max_len {
        return Err(Error::TooLarge {
            what: "JWE",
            limit: max_len,
        });
    }
    Ok(())
}

/// Splits a compact JWE into its five parts, checking only sizes and count.
pub(crate) fn split(compact: &str, max_len: usize) -> Result<Parts<'_>> {
    check_len(compact, max_len)?;
    // Three dots from the front, one from the back (fast searches): only
    // the ciphertext can then hold a fifth, which its decoding refuses.
    let five = || malformed("expected five '.'-separated parts (compact serialization)");
    let after = |from: usize| {
        compact
            .get(from..)
            .and_then(|rest| rest.find('.'))
            .map(|i| from + i)
    };
    let a = compact.find('.').ok_or_else(five)?;
    let b = after(a + 1).ok_or_else(five)?;
    let c = after(b + 1).ok_or_else(five)?;
    let d = compact.rfind('.').filter(|d| *d > c).ok_or_else(five)?;
    let part = |from: usize, to: usize| compact.get(from..to).unwrap_or_default();
    let (header, encrypted_key, iv, ciphertext, tag) = (
        part(0, a),
        part(a + 1, b),
        part(b + 1, c),
        part(c + 1, d),
        part(d + 1, compact.len()),
    );
    if header.len() > MAX_HEADER_LEN {
        return Err(Error::TooLarge {
            what: "JWE protected header",
            limit: MAX_HEADER_LEN,
        });
    }
    Ok(Parts {
        header,
        encrypted_key,
        iv,
        ciphertext,
        tag,
    })
}

/// The parts of a JWE whose header is `header_len` bytes already known and
/// whose encrypted key is empty (`dir`), found at their fixed places without
/// a search: `None` if the JWE is not laid out so. Where it returns parts,
/// [`split`] returns the same ones.
pub(crate) fn split_dir(compact: &str, header_len: usize) -> Option<Parts<'_>> {
    let bytes = compact.as_bytes();
    let iv_at = header_len + 2;
    let ciphertext_at = iv_at + b64_len(IV_LEN) + 1;
    let tag_at = bytes.len().checked_sub(b64_len(TAG_LEN))?;
    let no_dots = |from: usize, to: usize| bytes.get(from..to).is_some_and(|s| !s.contains(&b'.'));
    let dot = |at: usize| bytes.get(at) == Some(&b'.');
    let laid_out = tag_at > ciphertext_at
        && dot(header_len)
        && dot(header_len + 1)
        && no_dots(iv_at, ciphertext_at - 1)
        && dot(ciphertext_at - 1)
        && dot(tag_at - 1)
        && no_dots(tag_at, bytes.len());
    laid_out.then(|| Parts {
        header: compact.get(..header_len).unwrap_or_default(),
        encrypted_key: "",
        iv: compact.get(iv_at..ciphertext_at - 1).unwrap_or_default(),
        ciphertext: compact.get(ciphertext_at..tag_at - 1).unwrap_or_default(),
        tag: compact.get(tag_at..).unwrap_or_default(),
    })
}

impl Parts<'_> {
    /// Decodes and parses the protected header.
    pub(crate) fn parse_header(&self) -> Result<ProtectedHeader> {
        ProtectedHeader::parse(&decode(self.header, "protected header")?)
    }

    pub(crate) fn encrypted_key(&self) -> Result<Vec<u8>> {
        // `dir` carries none: nothing to decode in the usual case.
        if self.encrypted_key.is_empty() {
            return Ok(Vec::new());
        }
        decode(self.encrypted_key, "encrypted key")
    }

    pub(crate) fn iv(&self) -> Result<[u8; IV_LEN]> {
        decode_fixed(self.iv, "IV")
    }

    pub(crate) fn tag(&self) -> Result<[u8; TAG_LEN]> {
        decode_fixed(self.tag, "tag")
    }

    /// Appends the decoded ciphertext to `out`; returns where it starts. On
    /// failure `out` is as it was.
    pub(crate) fn ciphertext_into(&self, out: &mut Vec<u8>) -> Result<usize> {
        let start = out.len();
        let room = self.ciphertext.len() / 4 * 3 + 2;
        out.resize(start.saturating_add(room), 0);
        match URL_SAFE_NO_PAD
            .decode_slice(self.ciphertext, out.get_mut(start..).unwrap_or_default())
        {
            Ok(n) => {
                out.truncate(start + n);
                Ok(start)
            }
            Err(_) => {
                wipe_from(out, start);
                Err(if self.ciphertext.contains('.') {
                    malformed("expected five '.'-separated parts (compact serialization)")
                } else {
                    not_base64("ciphertext")
                })
            }
        }
    }
}

/// Wipes and drops everything in `buf` from `start` on.
pub(crate) fn wipe_from(buf: &mut Vec<u8>, start: usize) {
    if let Some(tail) = buf.get_mut(start..) {
        tail.zeroize();
    }
    buf.truncate(start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fields<'a>(p: &Parts<'a>) -> [&'a str; 5] {
        [p.header, p.encrypted_key, p.iv, p.ciphertext, p.tag]
    }

    proptest! {
        /// Wherever the fixed-place split finds parts, the search finds the
        /// same ones (header `HHHH`, dots and letters anywhere after it).
        #[test]
        fn fixed_places_agree_with_the_search(
            tail in "[A.]{0,80}",
            layout in (0usize..40, any::<bool>()),
        ) {
            // Half the cases laid out as a dir JWE, with a random ciphertext.
            let compact = if layout.1 {
                format!("HHHH..{}.{}.{}", "I".repeat(16), "C".repeat(layout.0) + &tail, "T".repeat(22))
            } else {
                format!("HHHH{tail}")
            };
            if let Some(fixed) = split_dir(&compact, 4) {
                let searched = split(&compact, usize::MAX).unwrap();
                prop_assert_eq!(fields(&fixed), fields(&searched));
            }
        }
    }

    #[test]
    fn fixed_places_find_a_dir_jwe() {
        let jwe = format!("HHHH..{}.{}.{}", "I".repeat(16), "CCCC", "T".repeat(22));
        assert!(split_dir(&jwe, 4).is_some());
        // An empty plaintext leaves an empty ciphertext part.
        let empty = format!("HHHH..{}..{}", "I".repeat(16), "T".repeat(22));
        assert_eq!(split_dir(&empty, 4).map(|p| p.ciphertext), Some(""));
        for bad in [
            format!("HHHH.k.{}.CCCC.{}", "I".repeat(16), "T".repeat(22)),
            format!("HHHH..{}.CCCC.{}", "I".repeat(15), "T".repeat(22)),
            format!("HHHH..{}.CCCC.{}", "I".repeat(16), "T".repeat(21)),
            format!("HHHH..{}.{}", "I".repeat(16), "T".repeat(22)),
        ] {
            assert!(split_dir(&bad, 4).is_none(), "{bad}");
        }
    }
}
