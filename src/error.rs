//! The one error type of the crate.

use core::fmt;

use crate::headers::HeaderName;

/// Everything that can go wrong in this crate.
///
/// Messages are lowercase, say what was wrong and where, and never contain a
/// secret, a key or a plaintext. A failed authentication ([`Error::TokenMismatch`])
/// carries no detail at all, so it cannot serve as an oracle.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A required `X-KM-*` header is absent.
    MissingHeader(HeaderName),
    /// An `X-KM-*` header was given more than once.
    DuplicateHeader(HeaderName),
    /// An `X-KM-*` header has a value of the wrong length, alphabet or content.
    InvalidHeader {
        /// The header at fault.
        header: HeaderName,
        /// What was wrong with its value.
        reason: String,
    },
    /// A correlation id (outside a header) is not of the form `yyMMddHHmmss-xxxxxxx`.
    InvalidCorrelationId {
        /// What was wrong.
        reason: String,
    },
    /// A time value is not a real calendar time in the expected format, or is
    /// out of the range the formats can express.
    InvalidTime {
        /// What was wrong.
        reason: String,
    },
    /// A time zone name or offset is not one this crate knows.
    UnknownTimeZone {
        /// What was wrong.
        reason: String,
    },
    /// A transaction token does not have the `KMV1:` + T17 + `:` + base64 form.
    MalformedToken {
        /// What was wrong.
        reason: String,
    },
    /// A well-formed transaction token whose MAC does not match the body.
    TokenMismatch,
    /// The token time is further from the verifier's clock than allowed.
    TokenTimeOutsideWindow {
        /// Token time minus the verifier's time, in milliseconds (negative:
        /// the token is older than `now`).
        offset_ms: i64,
        /// The allowed skew, in milliseconds.
        max_skew_ms: i64,
    },
    /// The verifier was asked for the 66-character form only and got the
    /// padded 67-character one.
    PaddedTokenRefused,
    /// A document is not valid JSON, or not of the shape expected.
    InvalidJson {
        /// What was wrong and where (line and column; never the content).
        reason: String,
    },
    /// A field path does not parse.
    InvalidFieldPath {
        /// The path as given.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// In strict mode, a field path matched nothing.
    FieldNotFound {
        /// The path as given.
        path: String,
    },
    /// A matched field cannot be processed: paths that overlap, or on
    /// decryption a value that is not a JWE string.
    InvalidField {
        /// The path that matched it.
        path: String,
        /// What was wrong.
        reason: String,
    },
    /// A key set, key file or key is not usable.
    InvalidKey {
        /// What was wrong (never key material).
        reason: String,
    },
    /// No key with this id is held.
    UnknownKeyId {
        /// The id asked for.
        key_id: String,
    },
    /// The JWE names no key id (`kid`) and none was given
    /// (`X-KM-Crypto-Key-Id`).
    NoKeyId,
    /// The key found does not fit the JWE's algorithms (an AES-128 key for
    /// `A256GCM`, a symmetric key for `RSA-OAEP-256`, a missing private key ...).
    KeyMismatch {
        /// What did not fit.
        reason: String,
    },
    /// A JWE compact serialization is not well formed.
    MalformedJwe {
        /// What was wrong.
        reason: String,
    },
    /// A JWE asks for an algorithm or feature outside the allow-list
    /// (`alg`, `enc`, `zip`, `crit`).
    UnsupportedJwe {
        /// What was refused.
        reason: String,
    },
    /// Authenticated decryption failed: a wrong key, or a changed byte. No
    /// further detail is given, so the error cannot serve as an oracle.
    DecryptionFailed,
    /// An input is over a size limit.
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
    },
    /// A body is not the envelope `{"encData":"<JWE>"}`.
    InvalidEnvelope {
        /// What was wrong.
        reason: String,
    },
    /// A caller-supplied output buffer is too small.
    BufferTooSmall {
        /// Bytes needed.
        needed: usize,
        /// Bytes available.
        available: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingHeader(h) => write!(f, "{h}: required header is missing"),
            Error::DuplicateHeader(h) => write!(f, "{h}: header is given more than once"),
            Error::InvalidHeader { header, reason } => write!(f, "{header}: {reason}"),
            Error::InvalidCorrelationId { reason } => write!(f, "correlation id: {reason}"),
            Error::InvalidTime { reason } => write!(f, "time: {reason}"),
            Error::UnknownTimeZone { reason } => write!(f, "time zone: {reason}"),
            Error::MalformedToken { reason } => write!(f, "transaction token: {reason}"),
            Error::TokenMismatch => {
                f.write_str("transaction token: the MAC does not match the body")
            }
            Error::TokenTimeOutsideWindow {
                offset_ms,
                max_skew_ms,
            } => {
                let (dir, abs) = if *offset_ms < 0 {
                    ("behind", offset_ms.unsigned_abs())
                } else {
                    ("ahead of", offset_ms.unsigned_abs())
                };
                write!(
                    f,
                    "transaction token: its time is {}.{:03} s {dir} the verifier's clock, \
                     more than the allowed {} s",
                    abs / 1000,
                    abs % 1000,
                    max_skew_ms / 1000
                )
            }
            Error::PaddedTokenRefused => f.write_str(
                "transaction token: the padded 67-character form is refused in strict mode",
            ),
            Error::InvalidJson { reason } => write!(f, "invalid JSON: {reason}"),
            Error::InvalidFieldPath { path, reason } => {
                write!(f, "field path '{}': {reason}", path.escape_debug())
            }
            Error::FieldNotFound { path } => {
                write!(f, "field path '{}' matched nothing", path.escape_debug())
            }
            Error::InvalidField { path, reason } => {
                write!(f, "field '{}': {reason}", path.escape_debug())
            }
            Error::InvalidKey { reason } => write!(f, "key: {reason}"),
            Error::UnknownKeyId { key_id } => {
                write!(f, "no key with id '{}' is held", key_id.escape_debug())
            }
            Error::NoKeyId => {
                f.write_str("the JWE names no key id (kid) and no X-KM-Crypto-Key-Id was given")
            }
            Error::KeyMismatch { reason } => write!(f, "key does not fit the JWE: {reason}"),
            Error::MalformedJwe { reason } => write!(f, "malformed JWE: {reason}"),
            Error::UnsupportedJwe { reason } => write!(f, "JWE refused: {reason}"),
            Error::DecryptionFailed => {
                f.write_str("decryption failed: wrong key, or the message was changed")
            }
            Error::TooLarge { what, limit } => {
                write!(f, "{what} is larger than the limit of {limit} bytes")
            }
            Error::InvalidEnvelope { reason } => write!(f, "encrypted body: {reason}"),
            Error::BufferTooSmall { needed, available } => write!(
                f,
                "output buffer too small: {needed} bytes needed, {available} available"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// The crate's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;
