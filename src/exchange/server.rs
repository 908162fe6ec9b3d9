//! The server side of the exchange.

use std::time::SystemTime;

use zeroize::Zeroizing;

use super::{need_key, pairs, protect_response, unprotect_request};
use crate::error::{Error, Result};
use crate::header_name::HeaderName;
use crate::headers::{RequestHeaders, verify_request};
use crate::ids::CryptoKeyId;
use crate::keyring::{Keyring, SharedKeyring};
use crate::replay::ReplayGuard;
use crate::routes::{RouteMatch, RouteTable};
use crate::token::{TokenSigner, VerifyOptions};

/// A server of the API: accepts requests and prepares responses per route.
/// Cheap to clone, `Send` and `Sync`; keys rotate through the
/// [`SharedKeyring`] it was given.
#[derive(Clone, Debug)]
pub struct Server {
    signer: TokenSigner,
    keys: SharedKeyring,
    routes: RouteTable,
    options: VerifyOptions,
    replay: Option<ReplayGuard>,
}

impl Server {
    /// A server verifying with `signer`, opening and sealing with `keys` as
    /// `routes` say, with the default [`VerifyOptions`].
    pub fn new(signer: TokenSigner, keys: SharedKeyring, routes: RouteTable) -> Server {
        Server {
            signer,
            keys,
            routes,
            options: VerifyOptions::default(),
            replay: None,
        }
    }

    /// Verifies with `options`.
    #[must_use]
    pub fn with_verify_options(mut self, options: VerifyOptions) -> Server {
        self.options = options;
        self
    }

    /// Refuses a token seen before with `guard` (opt-in; see
    /// [`ReplayGuard`] for what the platform's tokens leave open). Its
    /// window should be the verifier's `max_skew`.
    #[must_use]
    pub fn with_replay_guard(mut self, guard: ReplayGuard) -> Server {
        self.replay = Some(guard);
        self
    }

    /// Accepts a request: finds its route, checks every `X-KM-*` header and
    /// the token over the body as received, picks the key, and opens the
    /// body as the route says.
    ///
    /// The key is the one `X-KM-Crypto-Key-Id` names; a callback (no
    /// `X-KM-Access-Key`) that names none uses the first-issued key. A route
    /// that protects either direction needs a key, and the key must be held:
    /// both are checked here, before any handler runs.
    pub fn accept<'a, I>(
        &self,
        method: &str,
        path: &str,
        headers: I,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AcceptedRequest>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let route = self.routes.find(method, path)?;
        let headers = verify_request(headers, body, &self.signer, now, &self.options)?;
        let keyring = self.keys.load();
        let key_id = match (headers.crypto_key_id(), headers.access_key()) {
            (Some(id), _) => Some(*id),
            (None, None) => keyring.callback_key().map(|e| *e.id()),
            (None, Some(_)) => None,
        };
        if route.route().needs_key() {
            let id = need_key(key_id.as_ref())?;
            if keyring.get(id).is_none() {
                return Err(Error::UnknownKeyId {
                    key_id: id.to_string(),
                });
            }
        }
        let body = unprotect_request(route.route().request(), &keyring, key_id.as_ref(), body)?;
        // Last, so that a request refused for another reason leaves no trace
        // that would refuse its honest retry.
        if let Some(guard) = &self.replay {
            guard.check(&headers, now)?;
        }
        Ok(AcceptedRequest {
            route,
            headers,
            key_id,
            body,
            keyring,
        })
    }

    /// The response to `accepted`: `body` protected as the route says under
    /// the key the request named, with `X-KM-Correlation-Id` echoed and
    /// `X-KM-Crypto-Key-Id` naming the key.
    pub fn respond(&self, accepted: &AcceptedRequest, body: &[u8]) -> Result<PreparedResponse> {
        let sent = protect_response(
            accepted.route.route().response(),
            &accepted.keyring,
            accepted.key_id.as_ref(),
            body,
        )?;
        let mut headers = vec![(
            HeaderName::CorrelationId,
            accepted.headers.correlation_id().to_string(),
        )];
        if let Some(id) = accepted.key_id {
            headers.push((HeaderName::CryptoKeyId, id.to_string()));
        }
        Ok(PreparedResponse {
            headers,
            body: sent,
        })
    }
}

/// A verified request: its headers, route, key id and clear body.
#[derive(Clone, Debug)]
pub struct AcceptedRequest {
    route: RouteMatch,
    headers: RequestHeaders,
    key_id: Option<CryptoKeyId>,
    body: Zeroizing<Vec<u8>>,
    /// The keys as they were when the request came: its response is sealed
    /// with them, whatever rotates meanwhile.
    keyring: Keyring,
}

impl AcceptedRequest {
    /// The verified `X-KM-*` headers.
    pub fn headers(&self) -> &RequestHeaders {
        &self.headers
    }
    /// The route that matched, with its parameters.
    pub fn route(&self) -> &RouteMatch {
        &self.route
    }
    /// The key the request's bodies are protected with, if any.
    pub fn key_id(&self) -> Option<&CryptoKeyId> {
        self.key_id.as_ref()
    }
    /// The clear body (wiped on drop).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// A response ready to send: headers to set and the exact bytes of its body.
#[derive(Clone, Debug)]
pub struct PreparedResponse {
    headers: Vec<(HeaderName, String)>,
    body: Vec<u8>,
}

impl PreparedResponse {
    /// The headers to set, by name.
    #[cfg(feature = "http")]
    pub(crate) fn headers(&self) -> impl Iterator<Item = (HeaderName, &str)> {
        self.headers.iter().map(|(n, v)| (*n, v.as_str()))
    }
    /// The headers to set, as `(name, value)` pairs.
    pub fn header_pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        pairs(&self.headers)
    }
    /// The bytes to send.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
    /// The bytes to send, owned.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }
}
