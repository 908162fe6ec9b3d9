//! A tower layer for servers (feature `tower`): checks what needs no body
//! ([`Server::check_head`]: route, headers, token time, key) before it
//! reads a byte of the body, then reads the body up to a limit, accepts it
//! ([`Server::accept_body`]), records it in the replay store if it has one
//! (a request already recorded, or a store that does not answer, never
//! reaches the handler), hands the handler the clear body with the
//! verified headers in its extensions, and protects the handler's response
//! as the route says (on an `"envelope-or-plain"` route, as the
//! [`ResponseChoice`] in the response's extensions says). A response the
//! layer makes in place of the handler's carries a [`Refusal`] in its
//! extensions saying why.
//!
//! What the layer does not do is the deployer's: timeouts for slow
//! headers and bodies, idle connections, a cap on connections (see the
//! example server, which sets each).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body::Body;
use http_body_util::{BodyExt, Full};
use tower_layer::Layer;
use tower_service::Service;

use super::{error_response, internal_error};
use crate::error::{Error, Result};
use crate::exchange::Server;
use crate::headers::RequestHeaders;
use crate::ids::CryptoKeyId;
use crate::routes::{ResponseChoice, RouteMatch};
use crate::store::ReplayStore;

/// The default largest request body read: 1 MiB.
const DEFAULT_MAX_BODY: usize = 1 << 20;

/// What the layer verified, in the request's extensions for the handler
/// (axum: extract it; see [`NotVerified`](crate::NotVerified)).
#[derive(Clone, Debug)]
pub struct Verified {
    headers: RequestHeaders,
    key_id: Option<CryptoKeyId>,
    route: RouteMatch,
}

impl Verified {
    /// The verified `X-KM-*` headers.
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }
    /// The key the exchange uses (the one the request named, or for a
    /// callback the first-issued key), if any.
    pub fn key_id(&self) -> Option<&CryptoKeyId> {
        self.key_id.as_ref()
    }
    /// The route that matched, with its parameters.
    pub fn route(&self) -> &RouteMatch {
        &self.route
    }
}

/// What the layer refused a request for, or why it could not send its
/// handler's answer: in the extensions of the response it sends instead
/// (never on the wire), for an outer service that logs or explains.
#[derive(Clone, Debug)]
pub struct Refusal {
    error: Error,
    answered: bool,
}

impl Refusal {
    /// The error.
    pub fn error(&self) -> &Error {
        &self.error
    }
    /// Whether the handler ran: then the request was accepted, and the
    /// error is the server's own (its answer could not be protected).
    pub fn handler_ran(&self) -> bool {
        self.answered
    }
}

/// Puts a [`Server`] in front of a service.
///
/// ```
/// # use konaplate_crypto::*;
/// # fn demo(server: Server) {
/// let layer = ServerLayer::new(server).max_body(64 << 10);
/// // axum: Router::new().route(...).layer(layer)
/// # let _ = layer; }
/// ```
#[derive(Clone, Debug)]
pub struct ServerLayer {
    server: Server,
    max_body: usize,
    store: Option<Arc<dyn ReplayStore>>,
}

impl ServerLayer {
    /// A layer accepting requests with `server` (its keys rotate through
    /// the [`SharedKeyring`](crate::SharedKeyring) it holds), reading bodies
    /// up to 1 MiB.
    pub fn new(server: Server) -> ServerLayer {
        ServerLayer {
            server,
            max_body: DEFAULT_MAX_BODY,
            store: None,
        }
    }

    /// Records each accepted request in `store` before its handler runs
    /// (a [`ReplayGuard`](crate::ReplayGuard) in this process, or a
    /// `RedisReplayStore` (feature `redis`) a fleet shares): a request
    /// recorded already is refused [`Error::Replayed`] (401), and one the
    /// store cannot answer for [`Error::ReplayStoreUnavailable`] (503).
    #[must_use]
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> ServerLayer {
        self.store = Some(store);
        self
    }

    /// Reads request bodies up to `bytes`: a longer one is answered 413
    /// without reading the rest.
    #[must_use]
    pub fn max_body(mut self, bytes: usize) -> ServerLayer {
        self.max_body = bytes;
        self
    }
}

impl<S> Layer<S> for ServerLayer {
    type Service = ServerService<S>;
    fn layer(&self, inner: S) -> ServerService<S> {
        ServerService {
            inner,
            server: self.server.clone(),
            max_body: self.max_body,
            store: self.store.clone(),
        }
    }
}

/// The service [`ServerLayer`] makes.
#[derive(Clone, Debug)]
pub struct ServerService<S> {
    inner: S,
    server: Server,
    max_body: usize,
    store: Option<Arc<dyn ReplayStore>>,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The answer for `error`, in the one JSON shape.
fn refusal(error: &Error) -> Response<Full<Bytes>> {
    noted(json(error_response(error)), error, false)
}

/// A 500 for a fault of the server's own (its handler's body failed, or
/// its answer cannot be protected), in the same shape, saying nothing more
/// (what it was goes in the extensions when it is an error of this crate).
fn internal(error: Option<Error>) -> Response<Full<Bytes>> {
    let response = json(internal_error());
    match error {
        Some(e) => noted(response, &e, true),
        None => response,
    }
}

fn noted(
    mut response: Response<Full<Bytes>>,
    error: &Error,
    answered: bool,
) -> Response<Full<Bytes>> {
    response.extensions_mut().insert(Refusal {
        error: error.clone(),
        answered,
    });
    response
}

fn json((status, body): (StatusCode, Vec<u8>)) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Reads `body` whole, up to `limit` bytes, into one buffer: sized by the
/// declared length (at most `limit`) when the first bytes come, so that a
/// body costs one allocation of its own size, and nothing before it
/// starts to arrive.
async fn read_limited<B>(body: B, declared: Option<u64>, limit: usize) -> Result<Bytes>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    let too_large = || Error::TooLarge {
        what: "request body",
        limit,
    };
    let unreadable = || Error::UnreadableBody {
        reason: "the request body ended early or could not be read".into(),
    };
    let mut body = std::pin::pin!(body);
    let mut buf = BytesMut::new();
    while let Some(frame) = body.frame().await {
        // Trailers carry no body bytes.
        let Ok(data) = frame.map_err(|_| unreadable())?.into_data() else {
            continue;
        };
        if buf.len() + data.remaining() > limit {
            return Err(too_large());
        }
        if buf.capacity() == 0 {
            let hint = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
            buf.reserve(hint.max(data.remaining()));
        }
        buf.put(data);
    }
    Ok(buf.freeze())
}

/// The declared `Content-Length`, if it is a number.
fn declared_length(headers: &http::HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

impl<S, B, R> Service<Request<B>> for ServerService<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<R>> + Clone + Send + 'static,
    S::Future: Send,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
    R: Body + Send + 'static,
    R::Data: Send,
    R::Error: Into<BoxError>,
{
    type Response = Response<Full<Bytes>>;
    type Error = S::Error;
    type Future =
        Pin<Box<dyn Future<Output = core::result::Result<Self::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<core::result::Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was made ready serves this call (tower's rule).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let server = self.server.clone();
        let limit = self.max_body;
        let store = self.store.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let now = SystemTime::now();
            // Everything that needs no body first: the body is not polled
            // (so hyper sends no `100 Continue`) for a request refused on
            // its route, headers, token time or key.
            let head = match server.check_head_http(&parts, now) {
                Ok(head) => head,
                Err(e) => return Ok(refusal(&e)),
            };
            // A declared length over the limit: refused before a byte is read.
            let declared = declared_length(&parts.headers);
            if declared.is_some_and(|n| n > limit as u64) {
                return Ok(refusal(&Error::TooLarge {
                    what: "request body",
                    limit,
                }));
            }
            let received = match read_limited(body, declared, limit).await {
                Ok(bytes) => bytes,
                Err(e) => return Ok(refusal(&e)),
            };
            let accepted = match server.accept_body(head, &received, now) {
                Ok(accepted) => accepted,
                Err(e) => return Ok(refusal(&e)),
            };
            // Last before the handler: a request refused for another reason
            // leaves no record that would refuse its honest retry.
            if let Some(store) = &store
                && let Err(e) = store.insert(&accepted.replay_record(), now).await
            {
                return Ok(refusal(&e));
            }
            let verified = Verified {
                headers: accepted.headers().clone(),
                key_id: accepted.key_id().copied(),
                route: accepted.route().clone(),
            };
            let mut parts = parts;
            parts.extensions.insert(verified);
            parts.headers.remove(header::CONTENT_LENGTH);
            let clear = Bytes::copy_from_slice(accepted.body());
            let response = inner
                .call(Request::from_parts(parts, Full::new(clear)))
                .await?;
            let (mut parts, body) = response.into_parts();
            let answer = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(_) => return Ok(internal(None)),
            };
            // What fails from here is the server's own answer (a handler's
            // body the route cannot protect, say): a bare 500, never the
            // answer unprotected. On an envelope-or-plain route the
            // handler's answer says what it is.
            let prepared = match parts.extensions.remove::<ResponseChoice>() {
                Some(choice) => server.respond_as(&accepted, choice, &answer),
                None => server.respond(&accepted, &answer),
            };
            let prepared = match prepared {
                Ok(prepared) => prepared,
                Err(e) => return Ok(internal(Some(e))),
            };
            if let Err(e) = prepared.write_headers(&mut parts.headers) {
                return Ok(internal(Some(e)));
            }
            parts.headers.remove(header::CONTENT_LENGTH);
            Ok(Response::from_parts(
                parts,
                Full::new(Bytes::from(prepared.into_body())),
            ))
        })
    }
}
