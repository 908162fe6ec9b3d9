//! The server side of the exchange.

use std::sync::Arc;
use std::time::SystemTime;

use zeroize::Zeroizing;

use super::{need_key, pairs, protect_response, unprotect_request};
use crate::error::{Error, Result};
use crate::header_name::HeaderName;
use crate::headers::RequestHeaders;
use crate::ids::CryptoKeyId;
use crate::keyring::{Keyring, SharedKeyring};
use crate::keys::KeyMaterial;
use crate::replay::ReplayGuard;
use crate::routes::{
    RequestProtection, ResponseChoice, ResponseProtection, Route, RouteMatch, RouteTable,
};
use crate::store::ReplayRecord;
use crate::tenants::{Tenant, Tenants};
use crate::token::{TokenSigner, VerifyOptions};

/// A server of the API: accepts requests and prepares responses per route.
/// Cheap to clone, `Send` and `Sync`; keys rotate through the
/// [`SharedKeyring`] it was given (or each tenant's, and the registry
/// through [`Tenants`]).
#[derive(Clone, Debug)]
pub struct Server {
    identity: Identity,
    routes: RouteTable,
    options: VerifyOptions,
    replay: Option<ReplayGuard>,
}

/// Whom the server serves.
#[derive(Clone, Debug)]
enum Identity {
    /// One project secret and keyring, any ASP id ([`Server::new`]).
    One(Arc<Tenant>),
    /// Each ASP id its own ([`Server::from_tenants`]).
    Many(Tenants),
}

impl Server {
    /// A server verifying with `signer`, opening and sealing with `keys` as
    /// `routes` say, with the default [`VerifyOptions`]. It serves one
    /// service provider: any ASP id and any well-formed access key (see
    /// [`Server::from_tenants`] for many).
    ///
    /// A table holding a route whose response is `"envelope-or-plain"` is
    /// [`Error::InvalidRoutes`] naming it: a server must be told what it
    /// sends (see [`RouteTable::chosen_per_answer`]).
    pub fn new(signer: TokenSigner, keys: SharedKeyring, routes: RouteTable) -> Result<Server> {
        Server::serving(
            Identity::One(Arc::new(Tenant::single(signer, keys))),
            routes,
        )
    }

    /// A server of every service provider in `tenants`, each request
    /// verified with its own provider's secret, access keys and keyring
    /// (looked up by `X-KM-User-AspId` in the registry as it is when the
    /// request comes: see [`Tenants`]). The routes are checked as by
    /// [`Server::new`].
    pub fn from_tenants(tenants: Tenants, routes: RouteTable) -> Result<Server> {
        Server::serving(Identity::Many(tenants), routes)
    }

    fn serving(identity: Identity, routes: RouteTable) -> Result<Server> {
        routes.check_for_server()?;
        Ok(Server {
            identity,
            routes,
            options: VerifyOptions::default(),
            replay: None,
        })
    }

    /// The route table.
    pub fn routes(&self) -> &RouteTable {
        &self.routes
    }

    /// The options requests are verified with.
    pub fn verify_options(&self) -> &VerifyOptions {
        &self.options
    }

    /// The service provider `asp_id` names on this server (any, on a
    /// server of one).
    pub(crate) fn tenant_for(&self, asp_id: &crate::ids::AspId) -> Option<Arc<Tenant>> {
        match &self.identity {
            Identity::One(tenant) => Some(Arc::clone(tenant)),
            Identity::Many(tenants) => tenants.get(asp_id),
        }
    }

    /// Verifies with `options`.
    #[must_use]
    pub fn with_verify_options(mut self, options: VerifyOptions) -> Server {
        self.options = options;
        self
    }

    /// Refuses a token seen before with `guard`, in this process (opt-in;
    /// see [`ReplayGuard`] for what the platform's tokens leave open, and
    /// [`ReplayStore`](crate::ReplayStore) for a store a fleet shares). Its
    /// window should be the verifier's `max_skew`.
    #[must_use]
    pub fn with_replay_guard(mut self, guard: ReplayGuard) -> Server {
        self.replay = Some(guard);
        self
    }

    /// Accepts a request: [`Server::check_head`], then
    /// [`Server::accept_body`] on the body as received.
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
        let head = self.check_head(method, path, headers, now)?;
        self.accept_body(head, body, now)
    }

    /// Checks everything that needs no body, so that a front end refuses a
    /// request before it reads (or asks for, with `100 Continue`) its
    /// body: the route for `method` and `path` (a query string only where
    /// the route takes one, [`Error::QueryNotAllowed`] elsewhere), every
    /// `X-KM-*` header, the service provider (on a server of
    /// [`Tenants`]: [`Error::UnknownAspId`], [`Error::UnknownAccessKey`]),
    /// the token's form and time window, and the key.
    ///
    /// The key is the one `X-KM-Crypto-Key-Id` names. A request without
    /// `X-KM-Access-Key` is taken only on a callback route (one marked
    /// `"callback": true`), and one that names no key there uses the
    /// first-issued key; elsewhere the missing access key is
    /// [`Error::MissingHeader`]. A route that protects either direction
    /// needs a key, the key must be held ([`Error::UnknownKeyId`]) and able
    /// to do what the route needs: open the request's envelope and seal the
    /// response ([`Error::KeyUnusable`] otherwise; an RSA private key opens
    /// but cannot seal). So no handler runs for a request whose answer
    /// could not be protected.
    pub fn check_head<'a, I>(
        &self,
        method: &str,
        path: &str,
        headers: I,
        now: SystemTime,
    ) -> Result<RequestHead>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let route = self.routes.find(method, path)?;
        if path.contains('?') && !route.route().takes_query() {
            return Err(Error::QueryNotAllowed);
        }
        let headers = RequestHeaders::parse(headers, &self.options)?;
        let tenant = self
            .tenant_for(headers.asp_id())
            .ok_or(Error::UnknownAspId)?;
        if let Some(key) = headers.access_key()
            && !tenant.issued(key)
        {
            return Err(Error::UnknownAccessKey);
        }
        headers
            .token()
            .check_window(now, headers.zone(), &self.options)?;
        let keyring = tenant.keys().load();
        let key_id = match (headers.crypto_key_id(), headers.access_key()) {
            (_, None) if !route.route().is_callback() => {
                return Err(Error::MissingHeader(HeaderName::AccessKey));
            }
            (Some(id), _) => Some(*id),
            (None, None) => keyring.callback_key().map(|e| *e.id()),
            (None, Some(_)) => None,
        };
        if route.route().needs_key() {
            let id = need_key(key_id.as_ref())?;
            let entry = keyring.get(id).ok_or_else(|| Error::UnknownKeyId {
                key_id: id.to_string(),
            })?;
            usable(route.route(), id, entry.material())?;
        }
        Ok(RequestHead {
            route,
            headers,
            key_id,
            keyring,
            tenant,
            max_skew_ms: i64::try_from(self.options.max_skew.as_millis()).unwrap_or(i64::MAX),
        })
    }

    /// Finishes accepting a request whose head passed
    /// [`Server::check_head`]: the token's MAC over the body as received,
    /// the body opened as the route says, and the replay guard, last.
    pub fn accept_body(
        &self,
        head: RequestHead,
        body: &[u8],
        now: SystemTime,
    ) -> Result<AcceptedRequest> {
        head.tenant.signer().check_mac(head.headers.token(), body)?;
        let body = unprotect_request(
            head.route.route().request(),
            &head.keyring,
            head.key_id.as_ref(),
            body,
        )?;
        // Last, so that a request refused for another reason leaves no trace
        // that would refuse its honest retry.
        if let Some(guard) = &self.replay {
            guard.check_record(&head.replay_record(), now)?;
        }
        Ok(AcceptedRequest { head, body })
    }

    /// The response to `accepted`: `body` protected as the route says under
    /// the key the request named, with `X-KM-Correlation-Id` echoed and
    /// `X-KM-Crypto-Key-Id` naming the key.
    /// On a route whose response is `"envelope-or-plain"` that is
    /// [`Error::InvalidRoutes`]: such an answer says what it is
    /// ([`Server::respond_as`]).
    pub fn respond(&self, accepted: &AcceptedRequest, body: &[u8]) -> Result<PreparedResponse> {
        self.prepare_response(accepted, None, body)
    }

    /// The response to `accepted` on a route whose response is
    /// `"envelope-or-plain"`: `body` sent as `choice` says. On any other
    /// route the route says, and this is [`Error::InvalidRoutes`].
    pub fn respond_as(
        &self,
        accepted: &AcceptedRequest,
        choice: ResponseChoice,
        body: &[u8],
    ) -> Result<PreparedResponse> {
        self.prepare_response(accepted, Some(choice), body)
    }

    fn prepare_response(
        &self,
        accepted: &AcceptedRequest,
        choice: Option<ResponseChoice>,
        body: &[u8],
    ) -> Result<PreparedResponse> {
        let sent = protect_response(
            accepted.head.route.route().response(),
            choice,
            &accepted.head.keyring,
            accepted.head.key_id.as_ref(),
            body,
        )?;
        let mut headers = vec![(
            HeaderName::CorrelationId,
            accepted.head.headers.correlation_id().to_string(),
        )];
        if let Some(id) = accepted.head.key_id {
            headers.push((HeaderName::CryptoKeyId, id.to_string()));
        }
        Ok(PreparedResponse {
            headers,
            body: sent,
        })
    }
}

/// Whether the key `id` can do what `route` needs of it.
fn usable(route: &Route, id: &CryptoKeyId, key: &KeyMaterial) -> Result<()> {
    let unusable = |reason| Error::KeyUnusable {
        key_id: id.to_string(),
        reason,
    };
    let opens = key.symmetric().is_some() || key.rsa_open_with().is_some();
    let seals = key.symmetric().is_some() || key.rsa_seal_to().is_some();
    if route.request() != RequestProtection::Plain && !opens {
        return Err(unusable(
            "cannot open this route's encrypted request (it holds only a public key)",
        ));
    }
    if !matches!(route.response(), ResponseProtection::Plain) && !seals {
        return Err(unusable(
            "cannot seal this route's response (it holds only a private key)",
        ));
    }
    Ok(())
}

/// A request whose head [`Server::check_head`] checked, waiting for its
/// body: the route, the parsed headers (the token's MAC not yet checked)
/// and the key.
#[derive(Clone, Debug)]
pub struct RequestHead {
    route: RouteMatch,
    headers: RequestHeaders,
    key_id: Option<CryptoKeyId>,
    /// The keys as they were when the head was checked.
    keyring: Keyring,
    /// The service provider the request came from.
    tenant: Arc<Tenant>,
    /// The verifier's window, in milliseconds.
    max_skew_ms: i64,
}

impl RequestHead {
    /// The parsed `X-KM-*` headers (the token's MAC is not checked yet).
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

    fn replay_record(&self) -> ReplayRecord {
        let token = self.headers.token();
        let expires = token
            .time()
            .to_unix_millis(self.headers.zone())
            .saturating_add(self.max_skew_ms);
        ReplayRecord::new(self.tenant.signer().replay_key(token), expires)
    }
}

/// A verified request: its head (headers, route, key id) and clear body.
#[derive(Clone, Debug)]
pub struct AcceptedRequest {
    /// With the keys as they were when the request came: its response is
    /// sealed with them, whatever rotates meanwhile.
    head: RequestHead,
    body: Zeroizing<Vec<u8>>,
}

impl AcceptedRequest {
    /// The verified `X-KM-*` headers.
    pub fn headers(&self) -> &RequestHeaders {
        self.head.headers()
    }
    /// The route that matched, with its parameters.
    pub fn route(&self) -> &RouteMatch {
        self.head.route()
    }
    /// The key the request's bodies are protected with, if any.
    pub fn key_id(&self) -> Option<&CryptoKeyId> {
        self.head.key_id()
    }
    /// What a [`ReplayStore`](crate::ReplayStore) must record for this
    /// request before its handler runs: a name derived from the token's
    /// MAC (under a key derived from the provider's project secret, the
    /// same on every instance of a fleet) and the last instant the token
    /// verifies.
    pub fn replay_record(&self) -> ReplayRecord {
        self.head.replay_record()
    }

    /// The clear body (wiped on drop).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
    /// Takes the clear body out, leaving it empty: a front end that hands
    /// it on need not copy it. The request keeps what
    /// [`Server::respond`] needs (route, headers, key).
    pub fn take_body(&mut self) -> Zeroizing<Vec<u8>> {
        std::mem::take(&mut self.body)
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
