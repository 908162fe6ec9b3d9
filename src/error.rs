//! The one error type of the crate, its payload-free kinds with stable codes,
//! and the categories that map them to HTTP statuses.
//!
//! This module is a leaf: it imports nothing of the protocol but the header
//! names.

use core::fmt;
use std::sync::Arc;

use crate::header_name::HeaderName;

/// Everything that can go wrong in this crate.
///
/// Messages are lowercase, say what was wrong and where, and never contain a
/// secret, a key or a plaintext; input they quote is cut to a short prefix.
/// A failed authentication ([`Error::TokenMismatch`], [`Error::DecryptionFailed`])
/// carries no detail at all, so it cannot serve as an oracle.
///
/// Programs branch on [`Error::kind`] (or match the variants); log lines,
/// HTTP bodies and foreign callers use [`ErrorKind::code`]. Messages are for
/// people and may be reworded.
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
    /// The verifier accepts the 66-character form only and got the padded
    /// 67-character one.
    PaddedTokenRefused,
    /// A document is not valid JSON, or not of the shape expected.
    InvalidJson {
        /// What was wrong and where (line and column; never the content).
        reason: String,
    },
    /// A field path does not parse.
    InvalidFieldPath {
        /// The path as given (cut to a short prefix).
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
        /// What kind of problem, to branch on.
        problem: KeyProblem,
        /// What was wrong and where (never key material, never a member value).
        reason: String,
    },
    /// No key with this id is held.
    UnknownKeyId {
        /// The id asked for (cut to a short prefix).
        key_id: String,
    },
    /// The JWE's own `kid` names another key than the one the caller named
    /// (the request's `X-KM-Crypto-Key-Id`).
    KeyIdMismatch {
        /// The key id the caller named.
        expected: String,
    },
    /// The key is to be picked from the JWE's `kid`, and the JWE has none.
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
    /// A secret (the project secret, a key store's password) cannot be
    /// read, or is empty.
    InvalidSecret {
        /// What was wrong (never the secret).
        reason: String,
    },
    /// A route table does not load: bad JSON shape, a bad template, a
    /// duplicate or ambiguous route.
    InvalidRoutes {
        /// What was wrong and which route.
        reason: String,
    },
    /// No route of the table matches the request's method and path.
    RouteNotFound {
        /// The method (cut to a short prefix).
        method: String,
        /// The path (cut to a short prefix).
        path: String,
    },
    /// A response's `X-KM-Correlation-Id` is not the request's.
    CorrelationIdMismatch,
    /// A replay guard has seen this token's MAC already, within its window.
    Replayed,
    /// A replay guard holds as many unexpired MACs as its capacity: the
    /// request is refused rather than a MAC forgotten early.
    ReplayGuardFull {
        /// The guard's capacity.
        capacity: usize,
    },
    /// An HTTP body could not be read to its end (the peer went away, or
    /// the transport failed).
    UnreadableBody {
        /// What failed.
        reason: String,
    },
    /// A request body is a stream: only a body held whole can be signed and
    /// encrypted, and nothing is sent unsigned.
    StreamingBody,
    /// A JSON document is nested deeper than [`MAX_DEPTH`](crate::MAX_DEPTH)
    /// arrays and objects.
    TooDeep {
        /// The deepest nesting read.
        limit: usize,
    },
    /// The key the request names is held but cannot do what the route
    /// needs: open the request's envelope, or seal the response (an RSA
    /// private key opens but cannot seal). Refused before any handler runs,
    /// so the request has no effect.
    KeyUnusable {
        /// The key id (cut to a short prefix).
        key_id: String,
        /// What the key cannot do.
        reason: &'static str,
    },
    /// The request has a query string and its route takes none: the token
    /// does not cover it, so nothing would authenticate it.
    QueryNotAllowed,
    /// A capacity asked for (a replay guard's) is outside the range allowed.
    InvalidCapacity {
        /// The capacity asked for.
        requested: usize,
        /// The largest capacity allowed.
        max: usize,
    },
    /// A replay store (Redis, say) did not answer in time or failed: the
    /// request is refused (fail closed), its handler never runs.
    ReplayStoreUnavailable {
        /// What failed (never an address's credentials).
        reason: String,
    },
    /// No service provider with the request's `X-KM-User-AspId` is served
    /// here (a server built from a tenant registry); refused before any
    /// MAC is computed.
    UnknownAspId,
    /// The request's `X-KM-Access-Key` was not issued to its
    /// `X-KM-User-AspId`.
    UnknownAccessKey,
    /// A correlation id instance number or width is outside its range.
    InvalidInstance {
        /// The instance number asked for.
        number: u32,
        /// The width asked for, in bits.
        bits: u32,
    },
    /// A tenant registry does not load: bad JSON shape, a duplicate ASP id,
    /// a secret or keyring that cannot be read.
    InvalidTenants {
        /// What was wrong and which tenant (never a secret).
        reason: String,
    },
    /// Reading a file failed.
    Io {
        /// What was being read.
        what: String,
        /// The operating system's error.
        source: IoError,
    },
}

/// What is wrong with a key, for [`Error::InvalidKey`]: callers branch on
/// this (ask for a password, say the key is too short), never on message text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyProblem {
    /// The bytes are not a key format this crate reads.
    UnknownFormat,
    /// The format is known but its content is not a valid key.
    Malformed,
    /// A known kind of key, algorithm or feature this crate does not support
    /// (EC keys, multi-prime RSA, `use: sig` ...).
    Unsupported,
    /// An RSA modulus under 2048 bits.
    TooSmall,
    /// An RSA modulus over 8192 bits.
    TooLarge,
    /// The key is password-protected and no password was given.
    PasswordRequired,
    /// The password does not open the key store (or it was changed).
    WrongPassword,
    /// A key set that holds no key, or a key id used twice.
    KeySet,
    /// The key is of another kind than the call needs (a private key where
    /// a certificate was expected ...).
    WrongKind,
}

/// An [`std::io::Error`], shared so that [`Error`] stays `Clone`; two compare
/// equal when their [`std::io::ErrorKind`]s do.
#[derive(Clone, Debug)]
pub struct IoError(Arc<std::io::Error>);

impl IoError {
    /// The underlying error.
    pub fn get(&self) -> &std::io::Error {
        &self.0
    }
}

impl From<std::io::Error> for IoError {
    fn from(e: std::io::Error) -> IoError {
        IoError(Arc::new(e))
    }
}

impl PartialEq for IoError {
    fn eq(&self, other: &IoError) -> bool {
        self.0.kind() == other.0.kind()
    }
}

impl Eq for IoError {}

/// The kind of an [`Error`], without its payload: stable, matchable, and
/// with a stable [`code`](ErrorKind::code).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::MissingHeader`]
    MissingHeader,
    /// [`Error::DuplicateHeader`]
    DuplicateHeader,
    /// [`Error::InvalidHeader`]
    InvalidHeader,
    /// [`Error::InvalidCorrelationId`]
    InvalidCorrelationId,
    /// [`Error::InvalidTime`]
    InvalidTime,
    /// [`Error::UnknownTimeZone`]
    UnknownTimeZone,
    /// [`Error::MalformedToken`]
    MalformedToken,
    /// [`Error::TokenMismatch`]
    TokenMismatch,
    /// [`Error::TokenTimeOutsideWindow`]
    TokenTimeOutsideWindow,
    /// [`Error::PaddedTokenRefused`]
    PaddedTokenRefused,
    /// [`Error::InvalidJson`]
    InvalidJson,
    /// [`Error::InvalidFieldPath`]
    InvalidFieldPath,
    /// [`Error::FieldNotFound`]
    FieldNotFound,
    /// [`Error::InvalidField`]
    InvalidField,
    /// [`Error::InvalidKey`]
    InvalidKey,
    /// [`Error::UnknownKeyId`]
    UnknownKeyId,
    /// [`Error::KeyIdMismatch`]
    KeyIdMismatch,
    /// [`Error::NoKeyId`]
    NoKeyId,
    /// [`Error::KeyMismatch`]
    KeyMismatch,
    /// [`Error::MalformedJwe`]
    MalformedJwe,
    /// [`Error::UnsupportedJwe`]
    UnsupportedJwe,
    /// [`Error::DecryptionFailed`]
    DecryptionFailed,
    /// [`Error::TooLarge`]
    TooLarge,
    /// [`Error::InvalidEnvelope`]
    InvalidEnvelope,
    /// [`Error::BufferTooSmall`]
    BufferTooSmall,
    /// [`Error::InvalidSecret`]
    InvalidSecret,
    /// [`Error::InvalidRoutes`]
    InvalidRoutes,
    /// [`Error::RouteNotFound`]
    RouteNotFound,
    /// [`Error::CorrelationIdMismatch`]
    CorrelationIdMismatch,
    /// [`Error::Io`]
    Io,
    /// [`Error::Replayed`]
    Replayed,
    /// [`Error::ReplayGuardFull`]
    ReplayGuardFull,
    /// [`Error::UnreadableBody`]
    UnreadableBody,
    /// [`Error::StreamingBody`]
    StreamingBody,
    /// [`Error::TooDeep`]
    TooDeep,
    /// [`Error::KeyUnusable`]
    KeyUnusable,
    /// [`Error::QueryNotAllowed`]
    QueryNotAllowed,
    /// [`Error::InvalidCapacity`]
    InvalidCapacity,
    /// [`Error::ReplayStoreUnavailable`]
    ReplayStoreUnavailable,
    /// [`Error::UnknownAspId`]
    UnknownAspId,
    /// [`Error::UnknownAccessKey`]
    UnknownAccessKey,
    /// [`Error::InvalidInstance`]
    InvalidInstance,
    /// [`Error::InvalidTenants`]
    InvalidTenants,
}

/// Who is at fault, and the HTTP status a server answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// The peer's message is malformed or refused by policy: 400.
    BadRequest,
    /// The peer's message does not authenticate (token, MAC, tag): 401.
    Unauthenticated,
    /// No route serves this method and path: 404.
    NotFound,
    /// The message is over a size limit: 413.
    TooLarge,
    /// The server cannot take the request now (its replay guard is full): 503.
    Unavailable,
    /// The caller's own setup is wrong (keys, paths, routes, secret, files,
    /// buffers): 500, since the peer cannot fix it.
    Configuration,
}

impl Category {
    /// The HTTP status code for this category.
    pub const fn http_status(self) -> u16 {
        match self {
            Category::BadRequest => 400,
            Category::Unauthenticated => 401,
            Category::NotFound => 404,
            Category::TooLarge => 413,
            Category::Configuration => 500,
            Category::Unavailable => 503,
        }
    }
}

impl ErrorKind {
    /// Every kind, in declaration order. New kinds are appended, never
    /// inserted: the C ABI numbers each kind by its place here.
    pub const ALL: [ErrorKind; 43] = [
        ErrorKind::MissingHeader,
        ErrorKind::DuplicateHeader,
        ErrorKind::InvalidHeader,
        ErrorKind::InvalidCorrelationId,
        ErrorKind::InvalidTime,
        ErrorKind::UnknownTimeZone,
        ErrorKind::MalformedToken,
        ErrorKind::TokenMismatch,
        ErrorKind::TokenTimeOutsideWindow,
        ErrorKind::PaddedTokenRefused,
        ErrorKind::InvalidJson,
        ErrorKind::InvalidFieldPath,
        ErrorKind::FieldNotFound,
        ErrorKind::InvalidField,
        ErrorKind::InvalidKey,
        ErrorKind::UnknownKeyId,
        ErrorKind::KeyIdMismatch,
        ErrorKind::NoKeyId,
        ErrorKind::KeyMismatch,
        ErrorKind::MalformedJwe,
        ErrorKind::UnsupportedJwe,
        ErrorKind::DecryptionFailed,
        ErrorKind::TooLarge,
        ErrorKind::InvalidEnvelope,
        ErrorKind::BufferTooSmall,
        ErrorKind::InvalidSecret,
        ErrorKind::InvalidRoutes,
        ErrorKind::RouteNotFound,
        ErrorKind::CorrelationIdMismatch,
        ErrorKind::Io,
        ErrorKind::Replayed,
        ErrorKind::ReplayGuardFull,
        ErrorKind::UnreadableBody,
        ErrorKind::StreamingBody,
        ErrorKind::TooDeep,
        ErrorKind::KeyUnusable,
        ErrorKind::QueryNotAllowed,
        ErrorKind::InvalidCapacity,
        ErrorKind::ReplayStoreUnavailable,
        ErrorKind::UnknownAspId,
        ErrorKind::UnknownAccessKey,
        ErrorKind::InvalidInstance,
        ErrorKind::InvalidTenants,
    ];

    /// A stable snake_case code, for logs, HTTP bodies and foreign callers.
    /// Codes never change once released.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::MissingHeader => "missing_header",
            ErrorKind::DuplicateHeader => "duplicate_header",
            ErrorKind::InvalidHeader => "invalid_header",
            ErrorKind::InvalidCorrelationId => "invalid_correlation_id",
            ErrorKind::InvalidTime => "invalid_time",
            ErrorKind::UnknownTimeZone => "unknown_time_zone",
            ErrorKind::MalformedToken => "malformed_token",
            ErrorKind::TokenMismatch => "token_mismatch",
            ErrorKind::TokenTimeOutsideWindow => "token_time_outside_window",
            ErrorKind::PaddedTokenRefused => "padded_token_refused",
            ErrorKind::InvalidJson => "invalid_json",
            ErrorKind::InvalidFieldPath => "invalid_field_path",
            ErrorKind::FieldNotFound => "field_not_found",
            ErrorKind::InvalidField => "invalid_field",
            ErrorKind::InvalidKey => "invalid_key",
            ErrorKind::UnknownKeyId => "unknown_key_id",
            ErrorKind::KeyIdMismatch => "key_id_mismatch",
            ErrorKind::NoKeyId => "no_key_id",
            ErrorKind::KeyMismatch => "key_mismatch",
            ErrorKind::MalformedJwe => "malformed_jwe",
            ErrorKind::UnsupportedJwe => "unsupported_jwe",
            ErrorKind::DecryptionFailed => "decryption_failed",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::InvalidEnvelope => "invalid_envelope",
            ErrorKind::BufferTooSmall => "buffer_too_small",
            ErrorKind::InvalidSecret => "invalid_secret",
            ErrorKind::InvalidRoutes => "invalid_routes",
            ErrorKind::RouteNotFound => "route_not_found",
            ErrorKind::CorrelationIdMismatch => "correlation_id_mismatch",
            ErrorKind::Io => "io",
            ErrorKind::Replayed => "replayed",
            ErrorKind::ReplayGuardFull => "replay_guard_full",
            ErrorKind::UnreadableBody => "unreadable_body",
            ErrorKind::StreamingBody => "streaming_body",
            ErrorKind::TooDeep => "too_deep",
            ErrorKind::KeyUnusable => "key_unusable",
            ErrorKind::QueryNotAllowed => "query_not_allowed",
            ErrorKind::InvalidCapacity => "invalid_capacity",
            ErrorKind::ReplayStoreUnavailable => "replay_store_unavailable",
            ErrorKind::UnknownAspId => "unknown_asp_id",
            ErrorKind::UnknownAccessKey => "unknown_access_key",
            ErrorKind::InvalidInstance => "invalid_instance",
            ErrorKind::InvalidTenants => "invalid_tenants",
        }
    }

    /// The category, and through it the HTTP status.
    pub const fn category(self) -> Category {
        match self {
            ErrorKind::MissingHeader
            | ErrorKind::DuplicateHeader
            | ErrorKind::InvalidHeader
            | ErrorKind::InvalidCorrelationId
            | ErrorKind::InvalidTime
            | ErrorKind::UnknownTimeZone
            | ErrorKind::MalformedToken
            | ErrorKind::InvalidJson
            | ErrorKind::FieldNotFound
            | ErrorKind::InvalidField
            | ErrorKind::UnknownKeyId
            | ErrorKind::KeyIdMismatch
            | ErrorKind::NoKeyId
            | ErrorKind::KeyMismatch
            | ErrorKind::MalformedJwe
            | ErrorKind::UnsupportedJwe
            | ErrorKind::InvalidEnvelope
            | ErrorKind::CorrelationIdMismatch
            | ErrorKind::UnreadableBody
            | ErrorKind::KeyUnusable
            | ErrorKind::QueryNotAllowed => Category::BadRequest,
            ErrorKind::TokenMismatch
            | ErrorKind::TokenTimeOutsideWindow
            | ErrorKind::PaddedTokenRefused
            | ErrorKind::DecryptionFailed
            | ErrorKind::Replayed
            | ErrorKind::UnknownAspId
            | ErrorKind::UnknownAccessKey => Category::Unauthenticated,
            ErrorKind::ReplayGuardFull | ErrorKind::ReplayStoreUnavailable => Category::Unavailable,
            ErrorKind::RouteNotFound => Category::NotFound,
            ErrorKind::TooLarge | ErrorKind::TooDeep => Category::TooLarge,
            ErrorKind::InvalidFieldPath
            | ErrorKind::InvalidKey
            | ErrorKind::BufferTooSmall
            | ErrorKind::InvalidSecret
            | ErrorKind::InvalidRoutes
            | ErrorKind::StreamingBody
            | ErrorKind::InvalidCapacity
            | ErrorKind::InvalidInstance
            | ErrorKind::InvalidTenants
            | ErrorKind::Io => Category::Configuration,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Error {
    /// The kind of this error.
    pub const fn kind(&self) -> ErrorKind {
        match self {
            Error::MissingHeader(_) => ErrorKind::MissingHeader,
            Error::DuplicateHeader(_) => ErrorKind::DuplicateHeader,
            Error::InvalidHeader { .. } => ErrorKind::InvalidHeader,
            Error::InvalidCorrelationId { .. } => ErrorKind::InvalidCorrelationId,
            Error::InvalidTime { .. } => ErrorKind::InvalidTime,
            Error::UnknownTimeZone { .. } => ErrorKind::UnknownTimeZone,
            Error::MalformedToken { .. } => ErrorKind::MalformedToken,
            Error::TokenMismatch => ErrorKind::TokenMismatch,
            Error::TokenTimeOutsideWindow { .. } => ErrorKind::TokenTimeOutsideWindow,
            Error::PaddedTokenRefused => ErrorKind::PaddedTokenRefused,
            Error::InvalidJson { .. } => ErrorKind::InvalidJson,
            Error::InvalidFieldPath { .. } => ErrorKind::InvalidFieldPath,
            Error::FieldNotFound { .. } => ErrorKind::FieldNotFound,
            Error::InvalidField { .. } => ErrorKind::InvalidField,
            Error::InvalidKey { .. } => ErrorKind::InvalidKey,
            Error::UnknownKeyId { .. } => ErrorKind::UnknownKeyId,
            Error::KeyIdMismatch { .. } => ErrorKind::KeyIdMismatch,
            Error::NoKeyId => ErrorKind::NoKeyId,
            Error::KeyMismatch { .. } => ErrorKind::KeyMismatch,
            Error::MalformedJwe { .. } => ErrorKind::MalformedJwe,
            Error::UnsupportedJwe { .. } => ErrorKind::UnsupportedJwe,
            Error::DecryptionFailed => ErrorKind::DecryptionFailed,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
            Error::InvalidEnvelope { .. } => ErrorKind::InvalidEnvelope,
            Error::BufferTooSmall { .. } => ErrorKind::BufferTooSmall,
            Error::InvalidSecret { .. } => ErrorKind::InvalidSecret,
            Error::InvalidRoutes { .. } => ErrorKind::InvalidRoutes,
            Error::RouteNotFound { .. } => ErrorKind::RouteNotFound,
            Error::CorrelationIdMismatch => ErrorKind::CorrelationIdMismatch,
            Error::Io { .. } => ErrorKind::Io,
            Error::Replayed => ErrorKind::Replayed,
            Error::ReplayGuardFull { .. } => ErrorKind::ReplayGuardFull,
            Error::UnreadableBody { .. } => ErrorKind::UnreadableBody,
            Error::StreamingBody => ErrorKind::StreamingBody,
            Error::TooDeep { .. } => ErrorKind::TooDeep,
            Error::KeyUnusable { .. } => ErrorKind::KeyUnusable,
            Error::QueryNotAllowed => ErrorKind::QueryNotAllowed,
            Error::InvalidCapacity { .. } => ErrorKind::InvalidCapacity,
            Error::ReplayStoreUnavailable { .. } => ErrorKind::ReplayStoreUnavailable,
            Error::UnknownAspId => ErrorKind::UnknownAspId,
            Error::UnknownAccessKey => ErrorKind::UnknownAccessKey,
            Error::InvalidInstance { .. } => ErrorKind::InvalidInstance,
            Error::InvalidTenants { .. } => ErrorKind::InvalidTenants,
        }
    }

    /// The stable code of this error's kind.
    pub const fn code(&self) -> &'static str {
        self.kind().code()
    }

    /// The category of this error's kind.
    pub const fn category(&self) -> Category {
        self.kind().category()
    }

    pub(crate) fn invalid_key(problem: KeyProblem, reason: impl Into<String>) -> Error {
        Error::InvalidKey {
            problem,
            reason: reason.into(),
        }
    }

    /// The same error with `context: ` before an [`Error::InvalidKey`]'s
    /// reason (which key of a set, which file); other errors unchanged.
    pub(crate) fn in_key(self, context: impl fmt::Display) -> Error {
        match self {
            Error::InvalidKey { problem, reason } => Error::InvalidKey {
                problem,
                reason: format!("{context}: {reason}"),
            },
            other => other,
        }
    }
}

/// At most this many characters of an input are quoted in an error.
const QUOTE_MAX: usize = 40;

/// `text` for an error message: escaped, and cut to a short prefix so that
/// no long input (a key file, a document) reaches a log through an error.
pub(crate) fn quoted(text: &str) -> String {
    let mut out: String = text.chars().take(QUOTE_MAX).collect();
    if out.len() < text.len() {
        out.push_str("...");
    }
    out.escape_debug().to_string()
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
                let dir = if *offset_ms < 0 { "behind" } else { "ahead of" };
                let abs = offset_ms.unsigned_abs();
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
                write!(f, "field path '{path}': {reason}")
            }
            Error::FieldNotFound { path } => write!(f, "field path '{path}' matched nothing"),
            Error::InvalidField { path, reason } => write!(f, "field '{path}': {reason}"),
            Error::InvalidKey { reason, .. } => write!(f, "key: {reason}"),
            Error::UnknownKeyId { key_id } => write!(f, "no key with id '{key_id}' is held"),
            Error::KeyIdMismatch { expected } => write!(
                f,
                "the JWE's kid names another key than the key id named ({expected})"
            ),
            Error::NoKeyId => f.write_str("the JWE names no key id (kid) to pick its key by"),
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
            Error::InvalidSecret { reason } => write!(f, "secret: {reason}"),
            Error::InvalidRoutes { reason } => write!(f, "route table: {reason}"),
            Error::RouteNotFound { method, path } => {
                write!(f, "no route for {method} {path}")
            }
            Error::CorrelationIdMismatch => {
                f.write_str("X-KM-Correlation-Id: the response's id is not the request's")
            }
            Error::Io { what, source } => write!(f, "cannot read {what}: {}", source.get()),
            Error::Replayed => f.write_str(
                "transaction token: this token's MAC was accepted already (a replayed request)",
            ),
            Error::ReplayGuardFull { capacity } => write!(
                f,
                "replay guard: {capacity} unexpired tokens are held; try again later"
            ),
            Error::UnreadableBody { reason } => write!(f, "the body could not be read: {reason}"),
            Error::StreamingBody => f.write_str(
                "the request body is a stream: only a body held whole can be signed (nothing was sent)",
            ),
            Error::TooDeep { limit } => write!(
                f,
                "the JSON document is nested deeper than the limit of {limit} arrays and objects"
            ),
            Error::KeyUnusable { key_id, reason } => {
                write!(f, "the key with id '{key_id}' {reason}")
            }
            Error::QueryNotAllowed => f.write_str(
                "the request has a query string, which its route does not take (the token does not cover it)",
            ),
            Error::InvalidCapacity { requested, max } => write!(
                f,
                "capacity {requested} is outside the allowed range 1 to {max}"
            ),
            Error::ReplayStoreUnavailable { reason } => write!(
                f,
                "replay store: {reason}; the request was not processed, try again later"
            ),
            Error::UnknownAspId => {
                f.write_str("X-KM-User-AspId: no service provider with this ASP id is served here")
            }
            Error::UnknownAccessKey => {
                f.write_str("X-KM-Access-Key: this access key was not issued to this ASP id")
            }
            Error::InvalidInstance { number, bits } => write!(
                f,
                "correlation id instance {number} in {bits} bits: the width must be 1 to {} bits \
                 and the number below 2^width",
                crate::correlation::Instance::MAX_BITS
            ),
            Error::InvalidTenants { reason } => write!(f, "tenant registry: {reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source.get()),
            _ => None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// Adding a variant to `ErrorKind` without listing it in `ALL` fails
    /// here: the match is exhaustive, so the new variant needs a position,
    /// and `ALL` must hold every position.
    #[test]
    fn all_lists_every_kind_once_in_order() {
        fn position(k: ErrorKind) -> usize {
            match k {
                ErrorKind::MissingHeader => 0,
                ErrorKind::DuplicateHeader => 1,
                ErrorKind::InvalidHeader => 2,
                ErrorKind::InvalidCorrelationId => 3,
                ErrorKind::InvalidTime => 4,
                ErrorKind::UnknownTimeZone => 5,
                ErrorKind::MalformedToken => 6,
                ErrorKind::TokenMismatch => 7,
                ErrorKind::TokenTimeOutsideWindow => 8,
                ErrorKind::PaddedTokenRefused => 9,
                ErrorKind::InvalidJson => 10,
                ErrorKind::InvalidFieldPath => 11,
                ErrorKind::FieldNotFound => 12,
                ErrorKind::InvalidField => 13,
                ErrorKind::InvalidKey => 14,
                ErrorKind::UnknownKeyId => 15,
                ErrorKind::KeyIdMismatch => 16,
                ErrorKind::NoKeyId => 17,
                ErrorKind::KeyMismatch => 18,
                ErrorKind::MalformedJwe => 19,
                ErrorKind::UnsupportedJwe => 20,
                ErrorKind::DecryptionFailed => 21,
                ErrorKind::TooLarge => 22,
                ErrorKind::InvalidEnvelope => 23,
                ErrorKind::BufferTooSmall => 24,
                ErrorKind::InvalidSecret => 25,
                ErrorKind::InvalidRoutes => 26,
                ErrorKind::RouteNotFound => 27,
                ErrorKind::CorrelationIdMismatch => 28,
                ErrorKind::Io => 29,
                ErrorKind::Replayed => 30,
                ErrorKind::ReplayGuardFull => 31,
                ErrorKind::UnreadableBody => 32,
                ErrorKind::StreamingBody => 33,
                ErrorKind::TooDeep => 34,
                ErrorKind::KeyUnusable => 35,
                ErrorKind::QueryNotAllowed => 36,
                ErrorKind::InvalidCapacity => 37,
                ErrorKind::ReplayStoreUnavailable => 38,
                ErrorKind::UnknownAspId => 39,
                ErrorKind::UnknownAccessKey => 40,
                ErrorKind::InvalidInstance => 41,
                ErrorKind::InvalidTenants => 42,
            }
        }
        for (i, k) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(position(*k), i, "{k:?}");
        }
    }

    #[test]
    fn quoted_input_is_cut_short() {
        assert_eq!(quoted("abc"), "abc");
        let long = "x".repeat(1000);
        assert_eq!(quoted(&long).len(), QUOTE_MAX + 3);
        assert_eq!(quoted("a\nb"), "a\\nb");
    }
}
