//! reqwest (feature `reqwest`): a `reqwest-middleware` middleware that
//! prepares each request through [`Client::prepare`] (the route's
//! encryption, then the headers and token over the bytes sent) and reads
//! each response through [`Client::finish`].

use std::time::SystemTime;

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};

use crate::error::Error;
use crate::exchange::Client;
use crate::header_name::HeaderName;

/// The client side for reqwest: add it with
/// `reqwest_middleware::ClientBuilder::new(reqwest::Client::new()).with(ClientMiddleware::new(client))`.
///
/// A request body must be held whole (a stream is
/// [`Error::StreamingBody`], and nothing is sent). A response whose
/// `X-KM-Correlation-Id` is not the request's is refused
/// ([`Error::CorrelationIdMismatch`]); a response the route protects comes
/// back decrypted. An error answer without `X-KM-*` headers (a refusal by
/// the server's layer, say) is passed on as it came, for its status and
/// JSON. The crate's errors travel as `reqwest_middleware::Error::Middleware`;
/// [`Error::from_middleware`] gets them back.
#[derive(Clone, Debug)]
pub struct ClientMiddleware {
    client: Client,
}

impl ClientMiddleware {
    /// A middleware preparing requests and reading responses with `client`.
    pub fn new(client: Client) -> ClientMiddleware {
        ClientMiddleware { client }
    }
}

impl Error {
    /// The crate's error a `reqwest-middleware` error carries, if it
    /// carries one (feature `reqwest`).
    pub fn from_middleware(error: &reqwest_middleware::Error) -> Option<&Error> {
        match error {
            reqwest_middleware::Error::Middleware(inner) => inner.downcast_ref::<Error>(),
            reqwest_middleware::Error::Reqwest(_) => None,
        }
    }
}

fn fail(e: Error) -> reqwest_middleware::Error {
    reqwest_middleware::Error::middleware(e)
}

#[async_trait::async_trait]
impl Middleware for ClientMiddleware {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let body = match request.body() {
            None => &[][..],
            Some(body) => body.as_bytes().ok_or_else(|| fail(Error::StreamingBody))?,
        };
        let prepared = self
            .client
            .prepare(
                request.method().as_str(),
                request.url().path(),
                body,
                SystemTime::now(),
            )
            .map_err(fail)?;
        prepared
            .write_headers(request.headers_mut())
            .map_err(fail)?;
        *request.body_mut() = Some(prepared.body().to_vec().into());
        let response = next.run(request, extensions).await?;
        let status = response.status();
        let answered = response
            .headers()
            .contains_key(HeaderName::CorrelationId.as_str());
        if !answered && !status.is_success() {
            return Ok(response);
        }
        let version = response.version();
        let headers = response.headers().clone();
        let received = response.bytes().await?;
        let clear = self
            .client
            .finish_http(&prepared, &headers, &received)
            .map_err(fail)?;
        let mut rebuilt = http::Response::new(clear.to_vec());
        *rebuilt.status_mut() = status;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = headers;
        rebuilt.headers_mut().remove(http::header::CONTENT_LENGTH);
        Ok(Response::from(rebuilt))
    }
}
