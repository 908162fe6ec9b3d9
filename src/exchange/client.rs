//! The client side of the exchange.

use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::{protect_request, unprotect_response};
use crate::correlation::{CorrelationId, CorrelationIdGenerator, Instance};
use crate::error::{Error, Result};
use crate::header_name::HeaderName;
use crate::headers::{HeaderBuilder, RequestHeaders};
use crate::ids::{AccessKey, AspId, CryptoKeyId};
use crate::jwe::KeySelection;
use crate::keyring::{Keyring, SharedKeyring};
use crate::routes::{RouteMatch, RouteTable};
use crate::time::TimeZone;
use crate::token::{TokenForm, TokenSigner, VerifyOptions};

/// A client of the platform: prepares requests and finishes responses per
/// route. Cheap to clone, `Send` and `Sync`; one correlation id generator is
/// shared by its clones.
#[derive(Clone, Debug)]
pub struct Client {
    builder: HeaderBuilder,
    key_id: Option<CryptoKeyId>,
    signer: TokenSigner,
    ids: Arc<CorrelationIdGenerator>,
    keys: SharedKeyring,
    routes: RouteTable,
}

impl Client {
    /// A client for `asp_id`, signing with `signer`, protecting bodies with
    /// `keys` as `routes` say. Times are written in KST unless
    /// [`Client::zone`] says otherwise.
    pub fn new(
        asp_id: AspId,
        signer: TokenSigner,
        keys: SharedKeyring,
        routes: RouteTable,
    ) -> Client {
        Client {
            builder: HeaderBuilder::new(asp_id, TimeZone::KST),
            key_id: None,
            signer,
            ids: Arc::new(CorrelationIdGenerator::new()),
            keys,
            routes,
        }
    }

    /// Sends `X-KM-Access-Key` (every API but the callbacks).
    #[must_use]
    pub fn access_key(mut self, key: AccessKey) -> Client {
        self.builder = self.builder.access_key(key);
        self
    }

    /// Sends `X-KM-Crypto-Key-Id` and protects bodies with that key.
    #[must_use]
    pub fn crypto_key_id(mut self, id: CryptoKeyId) -> Client {
        self.builder = self.builder.crypto_key_id(id);
        self.key_id = Some(id);
        self
    }

    /// Draws correlation ids as `instance` of a fleet (see
    /// [`Instance`]): no other instance with another number sends the same
    /// id. Clones made before this call keep the generator they had.
    #[must_use]
    pub fn instance(mut self, instance: Instance) -> Client {
        self.ids = Arc::new(CorrelationIdGenerator::new().with_instance(instance));
        self
    }

    /// Writes times in `zone`.
    #[must_use]
    pub fn zone(mut self, zone: TimeZone) -> Client {
        self.builder = self.builder.zone(zone);
        self
    }

    /// Sends tokens of this form (66 characters by default).
    #[must_use]
    pub fn token_form(mut self, form: TokenForm) -> Client {
        self.builder = self.builder.token_form(form);
        self
    }

    /// Prepares `body` for `method` and `path` at `now`: protects it as the
    /// route says (the envelope), then signs the bytes as they will be sent.
    /// Send [`PreparedRequest::header_pairs`] and [`PreparedRequest::body`].
    pub fn prepare(
        &self,
        method: &str,
        path: &str,
        body: &[u8],
        now: SystemTime,
    ) -> Result<PreparedRequest> {
        let route = self.routes.find(method, path)?;
        let keyring = self.keys.load();
        // A callback (no access key) that names no key uses the first-issued
        // key, as the server's `accept` does.
        let key_id = self.key_id.or_else(|| {
            (!self.builder.sends_access_key())
                .then(|| keyring.callback_key().map(|e| *e.id()))
                .flatten()
        });
        let sent = protect_request(route.route().request(), &keyring, key_id.as_ref(), body)?;
        let headers = self.builder.build(&self.signer, &self.ids, &sent, now)?;
        Ok(PreparedRequest {
            route,
            headers,
            body: sent,
            keyring,
        })
    }

    /// A request sent earlier, rebuilt from its method, path, headers and
    /// body as sent, to finish its response: for a front end that keeps no
    /// state between the two calls (a shell script). The headers are parsed
    /// and checked, not verified: they are the client's own.
    pub fn resume<'a, I>(
        &self,
        method: &str,
        path: &str,
        headers: I,
        body: &[u8],
    ) -> Result<PreparedRequest>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        Ok(PreparedRequest {
            route: self.routes.find(method, path)?,
            headers: RequestHeaders::parse(headers, &VerifyOptions::default())?,
            body: body.to_vec(),
            keyring: self.keys.load(),
        })
    }

    /// The clear body of the response to `request`: its
    /// `X-KM-Correlation-Id` must be the request's (and its
    /// `X-KM-Crypto-Key-Id`, if any, the request's); the body is opened as the
    /// route says with the key the request named. A request that named no
    /// key (a callback) is answered under the key the response names, else
    /// the first-issued key.
    pub fn finish<'a, I>(
        &self,
        request: &PreparedRequest,
        headers: I,
        body: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut correlation_id = None;
        let mut key_id = None;
        for (name, value) in headers {
            let (header, slot) = match HeaderName::from_name(name) {
                Some(h @ HeaderName::CorrelationId) => (h, &mut correlation_id),
                Some(h @ HeaderName::CryptoKeyId) => (h, &mut key_id),
                _ => continue,
            };
            if slot.replace(value.trim()).is_some() {
                return Err(Error::DuplicateHeader(header));
            }
        }
        let correlation_id =
            correlation_id.ok_or(Error::MissingHeader(HeaderName::CorrelationId))?;
        let correlation_id =
            CorrelationId::parse_reason(correlation_id).map_err(|reason| Error::InvalidHeader {
                header: HeaderName::CorrelationId,
                reason,
            })?;
        if correlation_id != *request.headers.correlation_id() {
            return Err(Error::CorrelationIdMismatch);
        }
        let named = key_id.map(CryptoKeyId::parse).transpose()?;
        let selection = match (request.headers.crypto_key_id(), named) {
            (Some(sent), Some(named)) if named != *sent => {
                return Err(Error::KeyIdMismatch {
                    expected: sent.to_string(),
                });
            }
            (Some(sent), _) => KeySelection::Named(*sent),
            // A request that named no key (a callback): the key the response
            // names, else the first-issued key.
            (None, named) => KeySelection::for_callback(named),
        };
        unprotect_response(
            request.route.route().response(),
            &request.keyring,
            selection,
            body,
        )
    }
}

/// A request ready to send: its headers and the exact bytes of its body.
#[derive(Clone, Debug)]
pub struct PreparedRequest {
    route: RouteMatch,
    headers: RequestHeaders,
    body: Vec<u8>,
    /// The keys as they were when the request was made: its response is
    /// opened with them, whatever rotates meanwhile.
    keyring: Keyring,
}

impl PreparedRequest {
    /// The `X-KM-*` headers.
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }
    /// The headers as `(name, value)` pairs, to write onto the request.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v))
    }
    /// The bytes to send, exactly as signed.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
    /// The route that matched.
    pub fn route(&self) -> &RouteMatch {
        &self.route
    }
}
