//! Fixed-length identifiers carried in `X-KM-*` headers.
//!
//! Each is a newtype that can only be built by parsing, so holding one means
//! it is valid. They live on the stack.

use core::fmt;
use core::str::FromStr;

use crate::error::{Error, Result};
use crate::header_name::HeaderName;

/// Checks `value` is exactly `N` bytes, each accepted by `allowed`.
pub(crate) fn fixed_ascii<const N: usize>(
    value: &str,
    allowed: fn(u8) -> bool,
    alphabet: &str,
) -> Result<[u8; N], String> {
    let b = value.as_bytes();
    if let Some(pos) = b.iter().position(|c| !allowed(*c)) {
        let index = value.get(..pos).map_or(pos, |p| p.chars().count()) + 1;
        return Err(format!("character {index} is not {alphabet}"));
    }
    if b.len() != N {
        return Err(format!("expected {N} characters, found {}", b.len()));
    }
    let mut out = [0u8; N];
    out.copy_from_slice(b);
    Ok(out)
}

pub(crate) fn ascii_str(b: &[u8]) -> &str {
    // Every constructor checks its bytes are ASCII.
    core::str::from_utf8(b).unwrap_or_default()
}

macro_rules! header_id {
    (
        $(#[$doc:meta])*
        $name:ident, $len:literal, $header:expr, $allowed:expr, $alphabet:literal, $debug:expr
    ) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// Length in characters.
            pub const LEN: usize = $len;

            /// Parses and validates the value.
            pub fn parse(value: &str) -> Result<Self> {
                fixed_ascii::<$len>(value, $allowed, $alphabet)
                    .map($name)
                    .map_err(|reason| Error::InvalidHeader {
                        header: $header,
                        reason,
                    })
            }

            /// The value.
            pub fn as_str(&self) -> &str {
                ascii_str(&self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let debug: fn(&str) -> &str = $debug;
                write!(f, concat!(stringify!($name), "({:?})"), debug(self.as_str()))
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                $name::parse(s)
            }
        }
    };
}

header_id!(
    /// `X-KM-User-AspId`: the 15-character ASP id given at contract time
    /// (ASCII letters and digits; sandbox ids are digits).
    AspId,
    15,
    HeaderName::UserAspId,
    |c: u8| c.is_ascii_alphanumeric(),
    "an ASCII letter or digit",
    |v| v
);

header_id!(
    /// `X-KM-Access-Key`: the project's 40-character access key. It is sent
    /// on the wire and so is not a secret, but it is printed only on request
    /// ([`AccessKey::as_str`], `Display`): `Debug` shows `[redacted]`.
    AccessKey,
    40,
    HeaderName::AccessKey,
    |c: u8| c.is_ascii_graphic(),
    "a visible ASCII character",
    |_| "[redacted]"
);

header_id!(
    /// `X-KM-Crypto-Key-Id`: the 32-character id of a data-encryption key
    /// (ASCII letters, digits, `-` and `_`).
    CryptoKeyId,
    32,
    HeaderName::CryptoKeyId,
    |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'_',
    "an ASCII letter, digit, '-' or '_'",
    |v| v
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_alphabets() {
        assert!(AspId::parse("000170000002000").is_ok());
        assert!(AspId::parse("00017000000200").is_err());
        assert!(AspId::parse("00017000000200 ").is_err());
        let k = "a".repeat(40);
        assert_eq!(AccessKey::parse(&k).unwrap().as_str(), k);
        let id = "0123456789abcdef0123456789ABCD-_";
        assert_eq!(CryptoKeyId::parse(id).unwrap().to_string(), id);
        let e = CryptoKeyId::parse("0123456789abcdef0123456789ABCD+_").unwrap_err();
        assert_eq!(
            e.to_string(),
            "X-KM-Crypto-Key-Id: character 31 is not an ASCII letter, digit, '-' or '_'"
        );
        assert_eq!(
            format!("{:?}", AccessKey::parse(&k).unwrap()),
            "AccessKey(\"[redacted]\")"
        );
        // Multi-byte characters are counted as characters, not bytes.
        let e = AspId::parse("00017000000200é").unwrap_err();
        assert_eq!(
            e.to_string(),
            "X-KM-User-AspId: character 15 is not an ASCII letter or digit"
        );
    }
}
