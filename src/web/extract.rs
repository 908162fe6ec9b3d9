//! axum (feature `axum`): the verified headers as an extractor, and the
//! crate's errors as responses in the layer's one shape.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderValue, header};

use super::layer::Verified;
use super::{error_response, internal_error};
use crate::error::Error;

/// The rejection of the [`Verified`] extractor: the request did not pass
/// through a [`ServerLayer`](crate::ServerLayer), which is the server's own
/// setup at fault (500, nothing more said).
#[derive(Clone, Copy, Debug)]
pub struct NotVerified;

fn json(status: http::StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

impl IntoResponse for NotVerified {
    fn into_response(self) -> Response {
        let (status, body) = internal_error();
        json(status, body)
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, body) = error_response(&self);
        json(status, body)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Verified {
    type Rejection = NotVerified;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Verified, NotVerified> {
        parts
            .extensions
            .get::<Verified>()
            .cloned()
            .ok_or(NotVerified)
    }
}
