//! The exchange over `http` 1.x types (feature `http`), and the front ends
//! built on it: a tower layer for servers (`tower`), an axum extractor
//! (`axum`), a reqwest middleware for clients (`reqwest`). Each is a thin
//! shell over [`Client`] and [`Server`]: the checks, keys and route
//! protection are theirs.

#[cfg(feature = "axum")]
mod extract;
#[cfg(feature = "tower")]
mod layer;
#[cfg(feature = "reqwest")]
mod middleware;

#[cfg(feature = "axum")]
pub use extract::NotVerified;
#[cfg(feature = "tower")]
pub use layer::{Refusal, ServerLayer, ServerService, Verified};
#[cfg(feature = "reqwest")]
pub use middleware::ClientMiddleware;

use std::time::SystemTime;

use http::{HeaderMap, HeaderValue};
use zeroize::Zeroizing;

use crate::error::{Category, Error, Result};
use crate::exchange::{
    AcceptedRequest, Client, PreparedRequest, PreparedResponse, RequestHead, Server,
};
use crate::header_name::HeaderName;

/// The `X-KM-*` headers of `map` as text. Other headers are not read. A
/// value that is not visible ASCII is [`Error::InvalidHeader`] naming the
/// header (never taken as missing); a repeated one is refused by the
/// parser it goes to ([`Error::DuplicateHeader`]).
pub(crate) fn x_km_pairs(map: &HeaderMap) -> Result<Vec<(&str, &str)>> {
    let mut out = Vec::with_capacity(8);
    for (name, value) in map {
        let Some(header) = HeaderName::from_name(name.as_str()) else {
            continue;
        };
        let text = value.to_str().map_err(|_| Error::InvalidHeader {
            header,
            reason: "the value is not visible ASCII".into(),
        })?;
        out.push((header.as_str(), text));
    }
    Ok(out)
}

/// Sets each `(name, value)` in `map`, replacing any value it had.
fn write_pairs<'a>(
    map: &mut HeaderMap,
    pairs: impl Iterator<Item = (HeaderName, &'a str)>,
) -> Result<()> {
    for (header, value) in pairs {
        let bad = |reason: &str| Error::InvalidHeader {
            header,
            reason: reason.into(),
        };
        let name = http::HeaderName::from_bytes(header.as_str().as_bytes())
            .map_err(|_| bad("not a valid header name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| bad("not a valid header value"))?;
        map.insert(name, value);
    }
    Ok(())
}

impl PreparedRequest {
    /// Writes the request's `X-KM-*` headers into `map` (feature `http`).
    pub fn write_headers(&self, map: &mut HeaderMap) -> Result<()> {
        write_pairs(map, self.headers().iter())
    }
}

impl PreparedResponse {
    /// Writes the response's `X-KM-*` headers into `map` (feature `http`).
    pub fn write_headers(&self, map: &mut HeaderMap) -> Result<()> {
        write_pairs(map, self.headers())
    }
}

impl Server {
    /// [`Server::accept`] on a request's `http` parts and its body as
    /// received (feature `http`).
    pub fn accept_http(
        &self,
        parts: &http::request::Parts,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AcceptedRequest> {
        let head = self.check_head_http(parts, now)?;
        self.accept_body(head, body, now)
    }

    /// [`Server::check_head`] on a request's `http` parts, before its body
    /// is read (feature `http`). The query string, if any, goes with the
    /// path, so a route that takes none refuses it.
    pub fn check_head_http(
        &self,
        parts: &http::request::Parts,
        now: SystemTime,
    ) -> Result<RequestHead> {
        let headers = x_km_pairs(&parts.headers)?;
        self.check_head(parts.method.as_str(), target(&parts.uri), headers, now)
    }

    /// [`Server::explain`] on a request's method, URI and headers as
    /// received (feature `http`). Headers that are not visible ASCII leave
    /// none to read: the explanation is then the error's own.
    pub fn explain_http(
        &self,
        method: &http::Method,
        uri: &http::Uri,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
        error: &Error,
    ) -> String {
        let pairs = x_km_pairs(headers).unwrap_or_default();
        self.explain(method.as_str(), target(uri), pairs, body, now, error)
    }
}

/// The request target as the route table reads it: the path, with the
/// query string if any.
fn target(uri: &http::Uri) -> &str {
    uri.path_and_query().map_or(uri.path(), |p| p.as_str())
}

impl Client {
    /// [`Client::finish`] on a response's headers and body as received
    /// (feature `http`).
    pub fn finish_http(
        &self,
        request: &PreparedRequest,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.finish(request, x_km_pairs(headers)?, body)
    }
}

/// The status and JSON body a server answers `error` with:
/// `{"code": "...", "message": "..."}`, the code the error's stable
/// [`ErrorKind::code`](crate::ErrorKind::code), the status its category's.
/// A fault of the server's own setup (a 500) says only that, never its
/// detail; no message of this crate carries a secret.
///
/// ```
/// # #[cfg(feature = "http")] {
/// use konaplate_crypto::{Error, HeaderName, error_response};
/// let (status, body) = error_response(&Error::MissingHeader(HeaderName::TranToken));
/// assert_eq!(status, 400);
/// assert_eq!(body, br#"{"code":"missing_header","message":"X-KM-Tran-Token: required header is missing"}"#);
/// # }
/// ```
pub fn error_response(error: &Error) -> (http::StatusCode, Vec<u8>) {
    let status = http::StatusCode::from_u16(error.category().http_status())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    let message = match error.category() {
        Category::Configuration => INTERNAL.to_owned(),
        _ => error.to_string(),
    };
    (status, json_body(error.code(), &message))
}

/// What a server says of a fault of its own: no more than this.
const INTERNAL: &str = "the server cannot process this request";

fn json_body(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({ "code": code, "message": message })
        .to_string()
        .into_bytes()
}

/// The answer for a fault of the server's own that is no error of this
/// crate (a handler's body that fails, a request that did not pass the
/// layer): a bare 500 in the same shape.
#[cfg(feature = "tower")]
pub(crate) fn internal_error() -> (http::StatusCode, Vec<u8>) {
    (
        http::StatusCode::INTERNAL_SERVER_ERROR,
        json_body("internal_error", INTERNAL),
    )
}
