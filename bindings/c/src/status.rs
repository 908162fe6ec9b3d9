//! The status every call returns, the per-thread message, and the wrapper
//! every entry point runs its work in.

use std::cell::RefCell;
use std::ffi::{CString, c_char};
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;

use konaplate_crypto::{Error, ErrorKind};

/// What a call returns. `KM_OK` is 0; 1 to 99 are the library's error
/// kinds (stable: a number is never reused; `km_status_code` gives the
/// kind's code, as in the library's documentation); 100 and up are misuses
/// of the ABI itself.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum km_status {
    /// Success.
    KM_OK = 0,
    /// `missing_header`: a required `X-KM-*` header is absent.
    KM_MISSING_HEADER = 1,
    /// `duplicate_header`: an `X-KM-*` header appears twice.
    KM_DUPLICATE_HEADER = 2,
    /// `invalid_header`: a header's value is malformed.
    KM_INVALID_HEADER = 3,
    /// `invalid_correlation_id`: a correlation id is malformed.
    KM_INVALID_CORRELATION_ID = 4,
    /// `invalid_time`: a time text is malformed or out of range.
    KM_INVALID_TIME = 5,
    /// `unknown_time_zone`: a zone name the library does not know.
    KM_UNKNOWN_TIME_ZONE = 6,
    /// `malformed_token`: an `X-KM-Tran-Token` is malformed.
    KM_MALFORMED_TOKEN = 7,
    /// `token_mismatch`: the token's MAC does not match the body.
    KM_TOKEN_MISMATCH = 8,
    /// `token_time_outside_window`: the token time is too far from now.
    KM_TOKEN_TIME_OUTSIDE_WINDOW = 9,
    /// `padded_token_refused`: a 67-character token where only 66 are accepted.
    KM_PADDED_TOKEN_REFUSED = 10,
    /// `invalid_json`: a document is not the JSON expected.
    KM_INVALID_JSON = 11,
    /// `invalid_field_path`: a field path does not parse.
    KM_INVALID_FIELD_PATH = 12,
    /// `field_not_found`: a marked field is absent (strict fields).
    KM_FIELD_NOT_FOUND = 13,
    /// `invalid_field`: a marked field's value cannot be processed.
    KM_INVALID_FIELD = 14,
    /// `invalid_key`: a key or key file does not load.
    KM_INVALID_KEY = 15,
    /// `unknown_key_id`: no key of this id is held.
    KM_UNKNOWN_KEY_ID = 16,
    /// `key_id_mismatch`: a message names another key than the one expected.
    KM_KEY_ID_MISMATCH = 17,
    /// `no_key_id`: the key was to come from the message, which names none.
    KM_NO_KEY_ID = 18,
    /// `key_mismatch`: the key does not fit the message's algorithms.
    KM_KEY_MISMATCH = 19,
    /// `malformed_jwe`: a JWE is malformed.
    KM_MALFORMED_JWE = 20,
    /// `unsupported_jwe`: a JWE uses an algorithm the platform does not.
    KM_UNSUPPORTED_JWE = 21,
    /// `decryption_failed`: a JWE does not authenticate.
    KM_DECRYPTION_FAILED = 22,
    /// `too_large`: an input is over a size limit.
    KM_TOO_LARGE = 23,
    /// `invalid_envelope`: an envelope document is malformed.
    KM_INVALID_ENVELOPE = 24,
    /// `buffer_too_small`: the caller's output buffer is too small.
    KM_BUFFER_TOO_SMALL = 25,
    /// `invalid_secret`: the project secret is unusable (empty).
    KM_INVALID_SECRET = 26,
    /// `invalid_routes`: a route table does not load.
    KM_INVALID_ROUTES = 27,
    /// `route_not_found`: no route serves this method and path.
    KM_ROUTE_NOT_FOUND = 28,
    /// `correlation_id_mismatch`: a response answers another request.
    KM_CORRELATION_ID_MISMATCH = 29,
    /// `io`: a file could not be read.
    KM_IO = 30,
    /// `replayed`: a request was seen before.
    KM_REPLAYED = 31,
    /// `replay_guard_full`: the replay guard holds too many requests.
    KM_REPLAY_GUARD_FULL = 32,
    /// `unreadable_body`: a body could not be read.
    KM_UNREADABLE_BODY = 33,
    /// `streaming_body`: a body that must be protected is a stream.
    KM_STREAMING_BODY = 34,
    /// `too_deep`: a JSON document is nested past the library's limit.
    KM_TOO_DEEP = 35,
    /// `key_unusable`: the named key cannot do what the route needs.
    KM_KEY_UNUSABLE = 36,
    /// `query_not_allowed`: a query string on a route that takes none.
    KM_QUERY_NOT_ALLOWED = 37,
    /// `invalid_capacity`: a capacity outside the allowed range.
    KM_INVALID_CAPACITY = 38,
    /// `replay_store_unavailable`: the shared replay store did not answer.
    KM_REPLAY_STORE_UNAVAILABLE = 39,
    /// `unknown_asp_id`: no service provider with this ASP id is served.
    KM_UNKNOWN_ASP_ID = 40,
    /// `unknown_access_key`: the access key was not issued to this ASP id.
    KM_UNKNOWN_ACCESS_KEY = 41,
    /// `invalid_instance`: a correlation id instance number or width out of range.
    KM_INVALID_INSTANCE = 42,
    /// `invalid_tenants`: a tenant registry does not load.
    KM_INVALID_TENANTS = 43,
    /// `null_pointer`: a pointer that must not be null was null.
    KM_NULL_POINTER = 100,
    /// `invalid_utf8`: a text argument is not UTF-8.
    KM_INVALID_UTF8 = 101,
    /// `invalid_handle`: a handle or buffer is not live (freed already, or
    /// never made by this library) or is of another kind.
    KM_INVALID_HANDLE = 102,
    /// `invalid_argument`: an argument is out of range (an index, a length).
    KM_INVALID_ARGUMENT = 103,
    /// `internal`: a bug in the library was caught at the boundary.
    KM_INTERNAL = 104,
}

impl km_status {
    /// The status of a library error kind.
    pub(crate) fn of_kind(kind: ErrorKind) -> km_status {
        use km_status::*;
        match kind {
            ErrorKind::MissingHeader => KM_MISSING_HEADER,
            ErrorKind::DuplicateHeader => KM_DUPLICATE_HEADER,
            ErrorKind::InvalidHeader => KM_INVALID_HEADER,
            ErrorKind::InvalidCorrelationId => KM_INVALID_CORRELATION_ID,
            ErrorKind::InvalidTime => KM_INVALID_TIME,
            ErrorKind::UnknownTimeZone => KM_UNKNOWN_TIME_ZONE,
            ErrorKind::MalformedToken => KM_MALFORMED_TOKEN,
            ErrorKind::TokenMismatch => KM_TOKEN_MISMATCH,
            ErrorKind::TokenTimeOutsideWindow => KM_TOKEN_TIME_OUTSIDE_WINDOW,
            ErrorKind::PaddedTokenRefused => KM_PADDED_TOKEN_REFUSED,
            ErrorKind::InvalidJson => KM_INVALID_JSON,
            ErrorKind::InvalidFieldPath => KM_INVALID_FIELD_PATH,
            ErrorKind::FieldNotFound => KM_FIELD_NOT_FOUND,
            ErrorKind::InvalidField => KM_INVALID_FIELD,
            ErrorKind::InvalidKey => KM_INVALID_KEY,
            ErrorKind::UnknownKeyId => KM_UNKNOWN_KEY_ID,
            ErrorKind::KeyIdMismatch => KM_KEY_ID_MISMATCH,
            ErrorKind::NoKeyId => KM_NO_KEY_ID,
            ErrorKind::KeyMismatch => KM_KEY_MISMATCH,
            ErrorKind::MalformedJwe => KM_MALFORMED_JWE,
            ErrorKind::UnsupportedJwe => KM_UNSUPPORTED_JWE,
            ErrorKind::DecryptionFailed => KM_DECRYPTION_FAILED,
            ErrorKind::TooLarge => KM_TOO_LARGE,
            ErrorKind::InvalidEnvelope => KM_INVALID_ENVELOPE,
            ErrorKind::BufferTooSmall => KM_BUFFER_TOO_SMALL,
            ErrorKind::InvalidSecret => KM_INVALID_SECRET,
            ErrorKind::InvalidRoutes => KM_INVALID_ROUTES,
            ErrorKind::RouteNotFound => KM_ROUTE_NOT_FOUND,
            ErrorKind::CorrelationIdMismatch => KM_CORRELATION_ID_MISMATCH,
            ErrorKind::Io => KM_IO,
            ErrorKind::Replayed => KM_REPLAYED,
            ErrorKind::ReplayGuardFull => KM_REPLAY_GUARD_FULL,
            ErrorKind::UnreadableBody => KM_UNREADABLE_BODY,
            ErrorKind::StreamingBody => KM_STREAMING_BODY,
            ErrorKind::TooDeep => KM_TOO_DEEP,
            ErrorKind::KeyUnusable => KM_KEY_UNUSABLE,
            ErrorKind::QueryNotAllowed => KM_QUERY_NOT_ALLOWED,
            ErrorKind::InvalidCapacity => KM_INVALID_CAPACITY,
            ErrorKind::ReplayStoreUnavailable => KM_REPLAY_STORE_UNAVAILABLE,
            ErrorKind::UnknownAspId => KM_UNKNOWN_ASP_ID,
            ErrorKind::UnknownAccessKey => KM_UNKNOWN_ACCESS_KEY,
            ErrorKind::InvalidInstance => KM_INVALID_INSTANCE,
            ErrorKind::InvalidTenants => KM_INVALID_TENANTS,
            // A kind added to the library before this table: the test
            // `every_kind_has_its_own_status` fails until it is here.
            _ => KM_INTERNAL,
        }
    }

    fn code(self) -> &'static str {
        match self {
            km_status::KM_OK => "ok",
            km_status::KM_NULL_POINTER => "null_pointer",
            km_status::KM_INVALID_UTF8 => "invalid_utf8",
            km_status::KM_INVALID_HANDLE => "invalid_handle",
            km_status::KM_INVALID_ARGUMENT => "invalid_argument",
            km_status::KM_INTERNAL => "internal",
            library => ErrorKind::ALL
                .into_iter()
                .find(|kind| km_status::of_kind(*kind) == library)
                .map_or("internal", ErrorKind::code),
        }
    }
}

/// The stable code of a status as a static NUL-terminated string: `"ok"`,
/// a library error kind's code (`"token_mismatch"`), one of
/// `"null_pointer"`, `"invalid_utf8"`, `"invalid_handle"`,
/// `"invalid_argument"`, `"internal"`, or `"unknown"` for a number that is
/// no status (the status is taken as a plain `int` so that any value is
/// safe to pass). Never null; never freed.
#[unsafe(no_mangle)]
pub extern "C" fn km_status_code(status: i32) -> *const c_char {
    // One NUL-terminated copy of each code, made once.
    static CODES: LazyLock<Vec<(i32, CString)>> = LazyLock::new(|| {
        let mut all: Vec<km_status> = ErrorKind::ALL.into_iter().map(km_status::of_kind).collect();
        all.extend([
            km_status::KM_OK,
            km_status::KM_NULL_POINTER,
            km_status::KM_INVALID_UTF8,
            km_status::KM_INVALID_HANDLE,
            km_status::KM_INVALID_ARGUMENT,
            km_status::KM_INTERNAL,
        ]);
        all.into_iter()
            .map(|s| (s as i32, CString::new(s.code()).unwrap_or_default()))
            .collect()
    });
    catch_unwind(|| {
        CODES
            .iter()
            .find(|(number, _)| *number == status)
            .map_or(c"unknown".as_ptr(), |(_, code)| code.as_ptr())
    })
    .unwrap_or(c"internal".as_ptr())
}

/// Why a call failed: the library's error, or a misuse of the ABI.
pub(crate) enum Failure {
    Library(Error),
    Null(String),
    Utf8(String),
    Handle {
        arg: &'static str,
        kind: &'static str,
    },
    Argument(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Library(e)
    }
}

impl Failure {
    fn status(&self) -> km_status {
        match self {
            Failure::Library(e) => km_status::of_kind(e.kind()),
            Failure::Null(_) => km_status::KM_NULL_POINTER,
            Failure::Utf8(_) => km_status::KM_INVALID_UTF8,
            Failure::Handle { .. } => km_status::KM_INVALID_HANDLE,
            Failure::Argument(_) => km_status::KM_INVALID_ARGUMENT,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Library(e) => e.fmt(f),
            Failure::Null(arg) => write!(f, "`{arg}` is a null pointer"),
            Failure::Utf8(arg) => write!(f, "`{arg}` is not UTF-8 text"),
            Failure::Handle { arg, kind } => write!(
                f,
                "`{arg}` is not a live {kind} (freed already, never made by this library, or another kind of handle)"
            ),
            Failure::Argument(reason) => f.write_str(reason),
        }
    }
}

thread_local! {
    /// The message of this thread's last call: empty after a success.
    static MESSAGE: RefCell<CString> = RefCell::new(CString::default());
}

/// Sets this thread's message. Never panics: a thread whose locals are
/// being destroyed (a C thread-exit hook calling in) keeps no message.
fn set_message(text: &str) {
    let _ = MESSAGE.try_with(|m| {
        let Ok(mut m) = m.try_borrow_mut() else {
            return;
        };
        if text.is_empty() && m.is_empty() {
            return;
        }
        // Library messages hold no NUL; should one ever, it is shown as '?'.
        let bytes = text
            .bytes()
            .map(|b| if b == 0 { b'?' } else { b })
            .collect::<Vec<u8>>();
        *m = CString::new(bytes).unwrap_or_default();
    });
}

/// The message of the last call made on this thread: what was wrong and
/// where (never a secret, a key or a plaintext), or an empty string after a
/// call that succeeded. The pointer is valid until the next call on this
/// thread; never null; never freed by the caller.
#[unsafe(no_mangle)]
pub extern "C" fn km_last_error_message() -> *const c_char {
    MESSAGE
        .try_with(|m| m.try_borrow().map_or(c"".as_ptr(), |m| m.as_ptr()))
        .unwrap_or(c"".as_ptr())
}

/// Runs an entry point's work: a panic is caught here and becomes
/// `KM_INTERNAL`; a failure leaves its message for this thread.
pub(crate) fn call(work: impl FnOnce() -> Result<(), Failure>) -> km_status {
    // The message is made and kept inside the guard too: nothing of a call
    // runs outside it.
    let guarded = catch_unwind(AssertUnwindSafe(|| match work() {
        Ok(()) => {
            set_message("");
            km_status::KM_OK
        }
        Err(failure) => {
            set_message(&failure.to_string());
            failure.status()
        }
    }));
    guarded.unwrap_or_else(|_| {
        set_message("internal error: a bug in konaplate was stopped at the C boundary");
        km_status::KM_INTERNAL
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_kind_has_its_own_status_named_and_numbered_after_it() {
        for (i, kind) in ErrorKind::ALL.into_iter().enumerate() {
            let status = km_status::of_kind(kind);
            assert_eq!(status as usize, i + 1, "{kind:?}");
            assert_eq!(
                format!("{status:?}"),
                format!("KM_{}", kind.code().to_uppercase()),
                "{kind:?}"
            );
            // SAFETY: km_status_code returns a static NUL-terminated string.
            let code = unsafe { CStr::from_ptr(km_status_code(status as i32)) };
            assert_eq!(code.to_str().ok(), Some(kind.code()));
        }
    }

    #[test]
    fn a_number_that_is_no_status_is_unknown() {
        for number in [-1, 44, 99, 105, i32::MAX] {
            // SAFETY: km_status_code returns a static NUL-terminated string.
            let code = unsafe { CStr::from_ptr(km_status_code(number)) };
            assert_eq!(code.to_str().ok(), Some("unknown"), "{number}");
        }
    }

    #[test]
    fn a_panic_becomes_internal_with_a_message_and_success_clears_it() {
        let status = call(|| -> Result<(), Failure> { std::panic::panic_any("boom") });
        assert_eq!(status, km_status::KM_INTERNAL);
        // SAFETY: the message pointer is valid until the next call here.
        let message = unsafe { CStr::from_ptr(km_last_error_message()) };
        assert!(
            message.to_bytes().starts_with(b"internal error"),
            "{message:?}"
        );
        assert_eq!(call(|| Ok(())), km_status::KM_OK);
        // SAFETY: as above.
        let message = unsafe { CStr::from_ptr(km_last_error_message()) };
        assert!(message.is_empty());
    }
}
