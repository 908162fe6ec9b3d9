//! Errors as JavaScript sees them. A failure of the crate is thrown as an
//! `Error` whose `code` is its kind's stable code (`"token_mismatch"`); a
//! wrong argument, as one whose `code` is `"ERR_INVALID_ARG_TYPE"` with a
//! message naming the argument. The package's `lib/errors.js` turns each
//! into its class (`TokenMismatch`, `TypeError`), from the table
//! [`error_kinds`] gives.

use std::fmt::Display;

use konaplate_crypto::{Category, ErrorKind};
use napi_derive::napi;

/// The error every call of the addon returns: its status is the code
/// JavaScript reads as `err.code`.
pub(crate) type Error = napi::Error<String>;

/// The result every call of the addon returns.
pub(crate) type Result<T> = std::result::Result<T, Error>;

/// The `code` of a wrong argument (Node's own, for the same mistake).
pub(crate) const INVALID_ARG_TYPE: &str = "ERR_INVALID_ARG_TYPE";

/// A wrong argument: `what` names it and says what it must be.
pub(crate) fn type_error(what: impl Display) -> Error {
    napi::Error::new(INVALID_ARG_TYPE.to_owned(), what.to_string())
}

/// A crate error as thrown: its code, its message.
pub(crate) fn kona(e: konaplate_crypto::Error) -> Error {
    napi::Error::new(e.code().to_owned(), e.to_string())
}

/// A failure of Node-API itself (a value it could not read or make).
pub(crate) fn node(e: napi::Error) -> Error {
    napi::Error::new(e.status.as_ref().to_owned(), e.reason.clone())
}

/// `?` for the crate's results and Node-API's.
pub(crate) trait OrThrow<T> {
    /// The value, or the error as thrown.
    fn or_throw(self) -> Result<T>;
}

impl<T> OrThrow<T> for konaplate_crypto::Result<T> {
    fn or_throw(self) -> Result<T> {
        self.map_err(kona)
    }
}

impl<T> OrThrow<T> for napi::Result<T> {
    fn or_throw(self) -> Result<T> {
        self.map_err(node)
    }
}

/// One error kind of the crate, as `lib/errors.js` makes its class.
#[napi(object)]
pub struct ErrorKindInfo {
    /// The stable code, as `"token_mismatch"`.
    pub code: String,
    /// The HTTP status a server answers with: 400, 401, 404, 413, 500 or 503.
    pub http_status: u32,
    /// Who is at fault: `"bad_request"`, `"unauthenticated"`, `"not_found"`,
    /// `"too_large"`, `"unavailable"` or `"configuration"` (the server's own
    /// setup: a server answers it with no more than a generic message).
    pub category: String,
}

/// Every error kind of the crate, in the crate's order (new kinds are
/// appended).
#[napi]
pub fn error_kinds() -> Vec<ErrorKindInfo> {
    ErrorKind::ALL
        .into_iter()
        .map(|kind| ErrorKindInfo {
            code: kind.code().to_owned(),
            http_status: u32::from(kind.category().http_status()),
            category: category_name(kind.category()).to_owned(),
        })
        .collect()
}

fn category_name(category: Category) -> &'static str {
    match category {
        Category::BadRequest => "bad_request",
        Category::Unauthenticated => "unauthenticated",
        Category::NotFound => "not_found",
        Category::TooLarge => "too_large",
        Category::Unavailable => "unavailable",
        Category::Configuration => "configuration",
        // `Category` is non-exhaustive; a new one is the server's to explain.
        _ => "configuration",
    }
}

/// Throws the crate's `streaming_body` error: `konaFetch` calls it for a
/// body that is a stream, so its message is the crate's.
#[napi]
pub fn refuse_streaming_body() -> Result<()> {
    Err(kona(konaplate_crypto::Error::StreamingBody))
}

/// Throws the crate's `too_large` error for a request body over `limit`
/// bytes: `konaMiddleware` calls it, so its message is the crate's.
#[napi]
pub fn refuse_too_large(limit: f64) -> Result<()> {
    // A limit from JavaScript is a safe integer; `as` saturates anything else.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let limit = limit as usize;
    Err(kona(konaplate_crypto::Error::TooLarge {
        what: "request body",
        limit,
    }))
}
