//! `Client` and `Server`: the route-table exchange, and the requests and
//! responses they make.

use std::time::{Duration, SystemTime};

use konaplate_crypto::{
    AcceptedForms, AccessKey, AspId, CryptoKeyId, ReplayGuard, RouteTable, SharedKeyring,
    VerifyOptions,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::errors::OrRaise;
use crate::keys::Keyring;
use crate::tokens::TokenSigner;
use crate::{clear_bytes, run};

/// Headers as a mapping (`dict`, or anything with `.items()`) or an
/// iterable of `(name, value)` pairs.
fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let pairs = if headers.hasattr("items")? {
        headers.call_method0("items")?
    } else {
        headers.clone()
    };
    pairs.try_iter()?.map(|pair| pair?.extract()).collect()
}

fn borrowed(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}

fn owned<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    pairs.map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}

/// A client of the platform for one ASP: `prepare` signs a request and
/// protects its body as its route says; `finish` checks and opens the
/// response. `routes` is the route table's JSON text. Thread-safe.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct Client {
    client: konaplate_crypto::Client,
}

#[pymethods]
impl Client {
    #[new]
    #[pyo3(signature = (asp_id, signer, keyring, routes, access_key=None, crypto_key_id=None, instance=None, instance_bits=4))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        asp_id: &str,
        signer: &TokenSigner,
        keyring: &Keyring,
        routes: &str,
        access_key: Option<&str>,
        crypto_key_id: Option<&str>,
        instance: Option<u32>,
        instance_bits: u32,
    ) -> PyResult<Client> {
        let instance = crate::tokens::instance(instance, instance_bits)?;
        let mut client = konaplate_crypto::Client::new(
            AspId::parse(asp_id).or_raise()?,
            signer.signer.clone(),
            SharedKeyring::new(keyring.ring.clone()),
            RouteTable::from_json(routes).or_raise()?,
        );
        if let Some(key) = access_key {
            client = client.access_key(AccessKey::parse(key).or_raise()?);
        }
        if let Some(id) = crypto_key_id {
            client = client.crypto_key_id(CryptoKeyId::parse(id).or_raise()?);
        }
        if let Some(instance) = instance {
            client = client.instance(instance);
        }
        Ok(Client { client })
    }

    /// The request for `method` and `path` with `body`, now: send its
    /// `headers` and `body`, then give the response to `finish`.
    #[pyo3(signature = (method, path, body=b"".as_slice()))]
    fn prepare(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> PyResult<PreparedRequest> {
        let request = run(py, body.len(), || {
            self.client.prepare(method, path, body, SystemTime::now())
        })
        .or_raise()?;
        let sent = PyBytes::new(py, request.body()).unbind();
        Ok(PreparedRequest {
            request,
            body: sent,
        })
    }

    /// The clear body of the response to `request`: its
    /// `X-KM-Correlation-Id` must be the request's; its body is opened as
    /// the route says.
    fn finish<'py>(
        &self,
        py: Python<'py>,
        request: &PreparedRequest,
        headers: &Bound<'py, PyAny>,
        body: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let headers = header_pairs(headers)?;
        let clear = run(py, body.len(), || {
            self.client
                .finish(&request.request, borrowed(&headers), body)
        })
        .or_raise()?;
        Ok(clear_bytes(py, clear))
    }
}

/// A request ready to send: `headers` and `body` as they go on the wire.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct PreparedRequest {
    request: konaplate_crypto::PreparedRequest,
    /// The body as sent, made once: every `.body` is this object.
    body: Py<PyBytes>,
}

#[pymethods]
impl PreparedRequest {
    /// The `X-KM-*` headers to send, as `(name, value)` pairs.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        owned(self.request.header_pairs())
    }

    /// The body to send, as signed (sealed if the route says so).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.body.bind(py).clone()
    }

    /// The request's `X-KM-Correlation-Id`.
    #[getter]
    fn correlation_id(&self) -> String {
        self.request.headers().correlation_id().to_string()
    }
}

/// A server's side of the exchange: `accept` verifies a request and opens
/// its body; `respond` protects the answer. `max_skew` is the token time
/// window in seconds; `replay_guard`, a number of requests, refuses a
/// request seen before within the window; `strict` refuses the padded
/// 67-character token; `exact_tran_time` requires `X-KM-Tran-Time` to be
/// the token's time exactly (by default it may be one second later, as the
/// platform's own clients stamp it). Thread-safe.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct Server {
    server: konaplate_crypto::Server,
}

#[pymethods]
impl Server {
    #[new]
    #[pyo3(signature = (signer, keyring, routes, max_skew=300, replay_guard=None, strict=false, exact_tran_time=false))]
    fn new(
        signer: &TokenSigner,
        keyring: &Keyring,
        routes: &str,
        max_skew: u64,
        replay_guard: Option<usize>,
        strict: bool,
        exact_tran_time: bool,
    ) -> PyResult<Server> {
        let window = Duration::from_secs(max_skew);
        let mut options = VerifyOptions::default().with_max_skew(window);
        if strict {
            options = options.with_forms(AcceptedForms::UnpaddedOnly);
        }
        if exact_tran_time {
            options = options.with_exact_tran_time();
        }
        let mut server = konaplate_crypto::Server::new(
            signer.signer.clone(),
            SharedKeyring::new(keyring.ring.clone()),
            RouteTable::from_json(routes).or_raise()?,
        )
        .or_raise()?
        .with_verify_options(options);
        if let Some(capacity) = replay_guard {
            server = server.with_replay_guard(ReplayGuard::new(capacity, window).or_raise()?);
        }
        Ok(Server { server })
    }

    /// Verifies a request now (route, every `X-KM-*` header, the token
    /// over the body as received) and opens its body as the route says.
    fn accept(
        &self,
        py: Python<'_>,
        method: &str,
        path: &str,
        headers: &Bound<'_, PyAny>,
        body: &[u8],
    ) -> PyResult<AcceptedRequest> {
        let headers = header_pairs(headers)?;
        let accepted = run(py, body.len(), || {
            self.server
                .accept(method, path, borrowed(&headers), body, SystemTime::now())
        })
        .or_raise()?;
        Ok(AcceptedRequest::new(py, accepted))
    }

    /// Checks everything of a request that needs no body (route, every
    /// `X-KM-*` header, the token's time, the key), so that a front end
    /// refuses it before reading the body; `accept_body` finishes.
    fn check_head(
        &self,
        method: &str,
        path: &str,
        headers: &Bound<'_, PyAny>,
    ) -> PyResult<RequestHead> {
        let headers = header_pairs(headers)?;
        let head = self
            .server
            .check_head(method, path, borrowed(&headers), SystemTime::now())
            .or_raise()?;
        Ok(RequestHead { head })
    }

    /// Finishes accepting a request whose head passed `check_head`: the
    /// token's MAC over `body`, the body opened, the replay guard.
    fn accept_body(
        &self,
        py: Python<'_>,
        head: &RequestHead,
        body: &[u8],
    ) -> PyResult<AcceptedRequest> {
        let accepted = run(py, body.len(), || {
            self.server
                .accept_body(head.head.clone(), body, SystemTime::now())
        })
        .or_raise()?;
        Ok(AcceptedRequest::new(py, accepted))
    }

    /// The response to `accepted`: `body` protected as the route says,
    /// with the headers to send (`X-KM-Correlation-Id`, `X-KM-Crypto-Key-Id`).
    fn respond(
        &self,
        py: Python<'_>,
        accepted: &AcceptedRequest,
        body: &[u8],
    ) -> PyResult<PreparedResponse> {
        let response = run(py, body.len(), || {
            self.server.respond(&accepted.accepted, body)
        })
        .or_raise()?;
        let headers = owned(response.header_pairs());
        let body = PyBytes::new(py, response.body()).unbind();
        Ok(PreparedResponse { headers, body })
    }
}

/// A request whose head passed `Server.check_head`, waiting for its body.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct RequestHead {
    head: konaplate_crypto::RequestHead,
}

impl AcceptedRequest {
    /// One `bytes` for the clear body, made here; the library's copy is
    /// wiped at once rather than kept beside it.
    fn new(py: Python<'_>, mut accepted: konaplate_crypto::AcceptedRequest) -> AcceptedRequest {
        let body = clear_bytes(py, accepted.take_body()).unbind();
        AcceptedRequest { accepted, body }
    }
}

/// A verified request: its clear `body`, `key_id`, `correlation_id` and
/// the route's path `params`.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct AcceptedRequest {
    /// The request without its body (taken out, into `body`).
    accepted: konaplate_crypto::AcceptedRequest,
    /// The clear body, made once: every `.body` is this object.
    body: Py<PyBytes>,
}

#[pymethods]
impl AcceptedRequest {
    /// The clear body (the same `bytes` object at every access).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.body.bind(py).clone()
    }

    /// The key the request's body and response are protected with.
    #[getter]
    fn key_id(&self) -> Option<String> {
        self.accepted.key_id().map(ToString::to_string)
    }

    /// The request's `X-KM-Correlation-Id`.
    #[getter]
    fn correlation_id(&self) -> String {
        self.accepted.headers().correlation_id().to_string()
    }

    /// The verified `X-KM-*` headers, as `(name, value)` pairs.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.accepted
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().to_owned(), value.to_owned()))
            .collect()
    }

    /// The route that matched, as `(method, template)`: `("POST",
    /// "/api/v1/cards/{cardId}/pan")`.
    #[getter]
    fn route(&self) -> (String, String) {
        let route = self.accepted.route().route();
        (route.method().to_owned(), route.template().to_owned())
    }

    /// The route template's parameters (`{cardId}`) by name.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let params = PyDict::new(py);
        for (name, value) in self.accepted.route().params() {
            params.set_item(name, value)?;
        }
        Ok(params)
    }
}

/// A response ready to send: `headers` and `body` as they go on the wire.
#[pyclass(frozen, module = "konaplate_crypto")]
pub(crate) struct PreparedResponse {
    headers: Vec<(String, String)>,
    /// The body as sent, made once.
    body: Py<PyBytes>,
}

#[pymethods]
impl PreparedResponse {
    /// The headers to send, as `(name, value)` pairs.
    #[getter]
    fn headers(&self) -> Vec<(String, String)> {
        self.headers.clone()
    }

    /// The body to send (the same `bytes` object at every access).
    #[getter]
    fn body<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        self.body.bind(py).clone()
    }
}
