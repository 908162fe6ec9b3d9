//! `Client` and `Server`: the route-table exchange, and the requests and
//! responses they make.

use std::sync::Arc;
use std::time::SystemTime;

use konaplate_crypto::{AccessKey, AspId, CryptoKeyId, ReplayGuard, SharedKeyring};
use napi::bindgen_prelude::{
    AsyncTask, Buffer, ClassInstance, Either, Function, Object, ObjectFinalize,
};
use napi::{Env, JsValue, Unknown, ValueType};
use napi_derive::napi;

use crate::args::{HeldBytes, Wanted, arg, held_body, held_bytes, option, options, text};
use crate::errors::{OrThrow, Result, type_error};
use crate::keys::{keyring, route_table};
use crate::tokens::{TokenSigner, verify_options, whole};
use crate::{Held, Work, buffer, plain};

/// The capacity of `replayGuard: true`: a million requests, about 150 MB
/// when full (the example server's).
const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

/// Header pairs as given: a plain object (a value may be an array of
/// values, as Node's `IncomingMessage.headers` has), a `Headers` or `Map`
/// (anything with `entries()`), or an array of `[name, value]` pairs.
fn header_pairs(value: Unknown<'_>, at: &str) -> Result<Vec<(String, String)>> {
    let what = Wanted(
        at,
        "headers must be an object of strings, a Headers or an array of [name, value] pairs",
    );
    if value.is_array().or_throw()? {
        return arg::<Vec<(String, String)>>(value, what);
    }
    let object: Object<'_> = arg(value, what)?;
    if let Some(entries) = object.get::<Unknown<'_>>("entries").or_throw()?
        && entries.get_type().or_throw()? == ValueType::Function
    {
        let entries: Function<'_, (), Unknown<'_>> = arg(entries, what)?;
        return iterated(entries.apply(object, ()).or_throw()?, what);
    }
    let mut pairs = Vec::new();
    for name in Object::keys(&object).or_throw()? {
        let value: Option<Unknown<'_>> = object.get(&name).or_throw()?;
        match value
            .map(|v| arg::<Either<String, Vec<String>>>(v, what))
            .transpose()?
        {
            Some(Either::A(value)) => pairs.push((name, value)),
            Some(Either::B(values)) => {
                pairs.extend(values.into_iter().map(|value| (name.clone(), value)));
            }
            None => {}
        }
    }
    Ok(pairs)
}

/// The `[name, value]` pairs an iterator yields.
fn iterated(iterator: Unknown<'_>, what: Wanted<'_>) -> Result<Vec<(String, String)>> {
    let iterator: Object<'_> = arg(iterator, what)?;
    let next: Function<'_, (), Object<'_>> = iterator
        .get("next")
        .or_throw()?
        .ok_or_else(|| type_error(what))?;
    let mut pairs = Vec::new();
    loop {
        let step = next.apply(iterator, ()).or_throw()?;
        if step.get::<bool>("done").or_throw()? == Some(true) {
            return Ok(pairs);
        }
        let pair: Unknown<'_> = step
            .get("value")
            .or_throw()?
            .ok_or_else(|| type_error(what))?;
        pairs.push(arg(pair, what)?);
    }
}

fn borrowed(pairs: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}

/// Header pairs as a plain object, for JavaScript.
fn header_object<'env, 'a>(
    env: &'env Env,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Object<'env>> {
    let mut object = Object::new(env).or_throw()?;
    for (name, value) in pairs {
        object.set(name, value).or_throw()?;
    }
    Ok(object)
}

/// A client of the platform for one ASP: `prepare` signs a request and
/// protects its body as its route says; `finish` checks and opens the
/// response. `routes` is a `RouteTable` or its JSON text. Immutable.
#[napi]
pub struct Client {
    client: Arc<konaplate_crypto::Client>,
}

#[napi]
impl Client {
    /// A client for `aspId` (`X-KM-User-AspId`), signing with `signer`,
    /// sealing and opening with `keyring`. `options.accessKey` is sent as
    /// `X-KM-Access-Key` (a request to the platform; a callback sends
    /// none), `options.cryptoKeyId` as `X-KM-Crypto-Key-Id`;
    /// `options.instance` (and `options.instanceBits`) draws the correlation
    /// ids as that instance of a fleet (see `CorrelationIds`).
    #[napi(
        constructor,
        ts_args_type = "aspId: string, signer: TokenSigner, keyring: Keyring, routes: string | RouteTable, options?: { accessKey?: string; cryptoKeyId?: string; instance?: number; instanceBits?: number }"
    )]
    pub fn new(
        asp_id: Unknown<'_>,
        signer: Unknown<'_>,
        keyring: Unknown<'_>,
        routes: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Client> {
        const AT: &str = "Client";
        let asp_id = AspId::parse(&text(asp_id, "Client: aspId")?).or_throw()?;
        let signer: ClassInstance<'_, TokenSigner> =
            arg(signer, "Client: signer must be a TokenSigner")?;
        let keyring = self::keyring(keyring, AT)?;
        let options = self::options(options, "Client: options must be an object")?;
        let mut client = konaplate_crypto::Client::new(
            asp_id,
            signer.signer.clone(),
            SharedKeyring::new(keyring.ring.clone()),
            route_table(routes, AT)?,
        );
        if let Some(key) = option::<String>(
            options.as_ref(),
            "accessKey",
            "Client: options.accessKey must be a string",
        )? {
            client = client.access_key(AccessKey::parse(&key).or_throw()?);
        }
        if let Some(id) = option::<String>(
            options.as_ref(),
            "cryptoKeyId",
            "Client: options.cryptoKeyId must be a string",
        )? {
            client = client.crypto_key_id(CryptoKeyId::parse(&id).or_throw()?);
        }
        if let Some(instance) = crate::tokens::instance(options.as_ref(), AT)? {
            client = client.instance(instance);
        }
        Ok(Client {
            client: Arc::new(client),
        })
    }

    /// The request for `method` and `path` with `body` (none: empty), now:
    /// send its `headers` and `body`, then give the response to `finish`.
    #[napi(ts_args_type = "method: string, path: string, body?: string | Uint8Array")]
    pub fn prepare(
        &self,
        env: &Env,
        method: Unknown<'_>,
        path: Unknown<'_>,
        body: Option<Unknown<'_>>,
    ) -> Result<PreparedRequest> {
        let input = self.request(method, path, body, "Client.prepare")?;
        PreparedRequest::new(env, prepare(&input).or_throw()?)
    }

    /// `prepare` on the libuv pool.
    #[napi(
        ts_args_type = "method: string, path: string, body?: string | Uint8Array",
        ts_return_type = "Promise<PreparedRequest>"
    )]
    pub fn prepare_async(
        &self,
        method: Unknown<'_>,
        path: Unknown<'_>,
        body: Option<Unknown<'_>>,
    ) -> Result<AsyncTask<PrepareWork>> {
        let input = self.request(method, path, body, "Client.prepareAsync")?;
        Ok(AsyncTask::new(Work::new(
            input,
            prepare,
            PreparedRequest::new,
        )))
    }

    /// The clear body of the response to `request`: its
    /// `X-KM-Correlation-Id` must be the request's; its body is opened as
    /// the route says.
    #[napi(
        ts_args_type = "request: PreparedRequest, headers: Record<string, string | string[]> | Headers | Iterable<[string, string]>, body: string | Uint8Array"
    )]
    pub fn finish(
        &self,
        request: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<Buffer> {
        let input = self.response(request, headers, body, "Client.finish")?;
        finish(&input).map(buffer).or_throw()
    }

    /// `finish` on the libuv pool.
    #[napi(
        ts_args_type = "request: PreparedRequest, headers: Record<string, string | string[]> | Headers | Iterable<[string, string]>, body: string | Uint8Array",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn finish_async(
        &self,
        request: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AsyncTask<FinishWork>> {
        let input = self.response(request, headers, body, "Client.finishAsync")?;
        Ok(AsyncTask::new(Work::new(input, finish, |_, clear| {
            Ok(buffer(clear))
        })))
    }
}

impl Client {
    fn request(
        &self,
        method: Unknown<'_>,
        path: Unknown<'_>,
        body: Option<Unknown<'_>>,
        at: &str,
    ) -> Result<RequestInput> {
        Ok(RequestInput {
            client: self.client.clone(),
            method: text(method, format_args!("{at}: method"))?,
            path: text(path, format_args!("{at}: path"))?,
            body: held_body(body, format_args!("{at}: body"))?,
        })
    }

    fn response(
        &self,
        request: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
        at: &str,
    ) -> Result<ResponseInput> {
        let request: ClassInstance<'_, PreparedRequest> = arg(
            request,
            format_args!("{at}: request must be the PreparedRequest of this client's prepare"),
        )?;
        Ok(ResponseInput {
            client: self.client.clone(),
            request: request.request.clone(),
            headers: header_pairs(headers, at)?,
            body: held_bytes(body, format_args!("{at}: body"))?,
        })
    }
}

/// What `prepare` works on.
pub struct RequestInput {
    client: Arc<konaplate_crypto::Client>,
    method: String,
    path: String,
    body: HeldBytes,
}

fn prepare(input: &RequestInput) -> konaplate_crypto::Result<konaplate_crypto::PreparedRequest> {
    input
        .client
        .prepare(&input.method, &input.path, &input.body, SystemTime::now())
}

/// What `finish` works on.
pub struct ResponseInput {
    client: Arc<konaplate_crypto::Client>,
    request: Arc<konaplate_crypto::PreparedRequest>,
    headers: Vec<(String, String)>,
    body: HeldBytes,
}

fn finish(input: &ResponseInput) -> konaplate_crypto::Result<Vec<u8>> {
    input
        .client
        .finish(&input.request, borrowed(&input.headers), &input.body)
        .map(plain)
}

/// The work of `Client.prepareAsync`.
pub type PrepareWork = Work<RequestInput, konaplate_crypto::PreparedRequest, PreparedRequest>;

/// The work of `Client.finishAsync`.
pub type FinishWork = Work<ResponseInput, Vec<u8>, Buffer>;

/// A request ready to send: `headers` and `body` as they go on the wire.
#[napi(custom_finalize)]
pub struct PreparedRequest {
    request: Arc<konaplate_crypto::PreparedRequest>,
    /// The body as sent, made once: every `.body` is this `Buffer`.
    body: Held,
}

impl PreparedRequest {
    fn new(env: &Env, request: konaplate_crypto::PreparedRequest) -> Result<PreparedRequest> {
        let body = Held::new(env, request.body().to_vec())?;
        Ok(PreparedRequest {
            request: Arc::new(request),
            body,
        })
    }
}

impl ObjectFinalize for PreparedRequest {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        self.body.release(&env)
    }
}

#[napi]
impl PreparedRequest {
    /// The `X-KM-*` headers to send, by name.
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn headers<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        header_object(env, self.request.header_pairs())
    }

    /// The body to send, as signed (sealed if the route says so).
    #[napi(getter, ts_return_type = "Buffer")]
    pub fn body<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.body.get(env)
    }

    /// The request's `X-KM-Correlation-Id`.
    #[napi(getter)]
    pub fn correlation_id(&self) -> String {
        self.request.headers().correlation_id().to_string()
    }
}

/// A server's side of the exchange: `accept` verifies a request and opens
/// its body; `respond` protects the answer. Immutable.
#[napi]
pub struct Server {
    server: Arc<konaplate_crypto::Server>,
}

#[napi]
impl Server {
    /// A server verifying with `signer`, opening and sealing with
    /// `keyring`, routing by `routes`. `options.maxSkewSeconds` is the
    /// token time window (300); `options.strict` refuses the padded
    /// 67-character token; `options.exactTranTime` requires
    /// `X-KM-Tran-Time` to be the token's own second (by default the next
    /// second is accepted too); `options.replayGuard`, a number of
    /// requests (or `true` for a million), refuses a request seen before
    /// within the window.
    #[napi(
        constructor,
        ts_args_type = "signer: TokenSigner, keyring: Keyring, routes: string | RouteTable, options?: { maxSkewSeconds?: number; strict?: boolean; exactTranTime?: boolean; replayGuard?: number | boolean }"
    )]
    pub fn new(
        signer: Unknown<'_>,
        keyring: Unknown<'_>,
        routes: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<Server> {
        const AT: &str = "Server";
        let signer: ClassInstance<'_, TokenSigner> =
            arg(signer, "Server: signer must be a TokenSigner")?;
        let keyring = self::keyring(keyring, AT)?;
        let options = self::options(options, "Server: options must be an object")?;
        let mut verify = verify_options(options.as_ref(), AT)?;
        if option::<bool>(
            options.as_ref(),
            "exactTranTime",
            "Server: options.exactTranTime must be a boolean",
        )? == Some(true)
        {
            verify = verify.with_exact_tran_time();
        }
        let window = verify.max_skew;
        let mut server = konaplate_crypto::Server::new(
            signer.signer.clone(),
            SharedKeyring::new(keyring.ring.clone()),
            route_table(routes, AT)?,
        )
        .or_throw()?
        .with_verify_options(verify);
        let what = "Server: options.replayGuard must be a whole number of requests or a boolean";
        let capacity = match option::<Either<bool, f64>>(options.as_ref(), "replayGuard", what)? {
            None | Some(Either::A(false)) => None,
            Some(Either::A(true)) => Some(DEFAULT_REPLAY_CAPACITY),
            Some(Either::B(capacity)) => {
                Some(usize::try_from(whole(capacity, what)?).unwrap_or(usize::MAX))
            }
        };
        if let Some(capacity) = capacity {
            server = server.with_replay_guard(ReplayGuard::new(capacity, window).or_throw()?);
        }
        Ok(Server {
            server: Arc::new(server),
        })
    }

    /// Verifies a request now (route, every `X-KM-*` header, the token
    /// over the body as received) and opens its body as the route says.
    #[napi(
        ts_args_type = "method: string, path: string, headers: Record<string, string | string[] | undefined> | Headers | Iterable<[string, string]>, body: string | Uint8Array"
    )]
    pub fn accept(
        &self,
        env: &Env,
        method: Unknown<'_>,
        path: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AcceptedRequest> {
        let input = self.request(method, path, headers, body, "Server.accept")?;
        AcceptedRequest::new(env, accept(&input).or_throw()?)
    }

    /// `accept` on the libuv pool.
    #[napi(
        ts_args_type = "method: string, path: string, headers: Record<string, string | string[] | undefined> | Headers | Iterable<[string, string]>, body: string | Uint8Array",
        ts_return_type = "Promise<AcceptedRequest>"
    )]
    pub fn accept_async(
        &self,
        method: Unknown<'_>,
        path: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AsyncTask<AcceptWork>> {
        let input = self.request(method, path, headers, body, "Server.acceptAsync")?;
        Ok(AsyncTask::new(Work::new(
            input,
            accept,
            AcceptedRequest::new,
        )))
    }

    /// Checks everything that needs no body (the route, the query rule,
    /// every `X-KM-*` header, the token's form and time window, the key),
    /// so that a front end refuses a request before it reads its body. Give
    /// the head to `acceptBody` with the body.
    #[napi(
        ts_args_type = "method: string, path: string, headers: Record<string, string | string[] | undefined> | Headers | Iterable<[string, string]>"
    )]
    pub fn check_head(
        &self,
        method: Unknown<'_>,
        path: Unknown<'_>,
        headers: Unknown<'_>,
    ) -> Result<RequestHead> {
        const AT: &str = "Server.checkHead";
        let method = text(method, "Server.checkHead: method")?;
        let path = text(path, "Server.checkHead: path")?;
        let headers = header_pairs(headers, AT)?;
        let head = self
            .server
            .check_head(&method, &path, borrowed(&headers), SystemTime::now())
            .or_throw()?;
        Ok(RequestHead { head })
    }

    /// Finishes accepting a request whose head passed `checkHead`: the
    /// token's MAC over the body as received, the body opened as the route
    /// says, the replay guard.
    #[napi(ts_args_type = "head: RequestHead, body: string | Uint8Array")]
    pub fn accept_body(
        &self,
        env: &Env,
        head: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AcceptedRequest> {
        let input = self.body(head, body, "Server.acceptBody")?;
        AcceptedRequest::new(env, accept_body(&input).or_throw()?)
    }

    /// `acceptBody` on the libuv pool.
    #[napi(
        ts_args_type = "head: RequestHead, body: string | Uint8Array",
        ts_return_type = "Promise<AcceptedRequest>"
    )]
    pub fn accept_body_async(
        &self,
        head: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AsyncTask<AcceptBodyWork>> {
        let input = self.body(head, body, "Server.acceptBodyAsync")?;
        Ok(AsyncTask::new(Work::new(
            input,
            accept_body,
            AcceptedRequest::new,
        )))
    }

    /// The response to `accepted`: `body` protected as the route says,
    /// with the headers to send (`X-KM-Correlation-Id`, `X-KM-Crypto-Key-Id`).
    #[napi(ts_args_type = "accepted: AcceptedRequest, body: string | Uint8Array")]
    pub fn respond(
        &self,
        env: &Env,
        accepted: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<PreparedResponse> {
        let input = self.response(accepted, body, "Server.respond")?;
        PreparedResponse::new(env, respond(&input).or_throw()?)
    }

    /// `respond` on the libuv pool.
    #[napi(
        ts_args_type = "accepted: AcceptedRequest, body: string | Uint8Array",
        ts_return_type = "Promise<PreparedResponse>"
    )]
    pub fn respond_async(
        &self,
        accepted: Unknown<'_>,
        body: Unknown<'_>,
    ) -> Result<AsyncTask<RespondWork>> {
        let input = self.response(accepted, body, "Server.respondAsync")?;
        Ok(AsyncTask::new(Work::new(
            input,
            respond,
            PreparedResponse::new,
        )))
    }
}

impl Server {
    fn request(
        &self,
        method: Unknown<'_>,
        path: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
        at: &str,
    ) -> Result<AcceptInput> {
        Ok(AcceptInput {
            server: self.server.clone(),
            method: text(method, format_args!("{at}: method"))?,
            path: text(path, format_args!("{at}: path"))?,
            headers: header_pairs(headers, at)?,
            body: held_bytes(body, format_args!("{at}: body"))?,
        })
    }

    fn body(&self, head: Unknown<'_>, body: Unknown<'_>, at: &str) -> Result<BodyInput> {
        let head: ClassInstance<'_, RequestHead> = arg(
            head,
            format_args!("{at}: head must be the RequestHead of this server's checkHead"),
        )?;
        Ok(BodyInput {
            server: self.server.clone(),
            head: head.head.clone(),
            body: held_bytes(body, format_args!("{at}: body"))?,
        })
    }

    fn response(&self, accepted: Unknown<'_>, body: Unknown<'_>, at: &str) -> Result<RespondInput> {
        let accepted: ClassInstance<'_, AcceptedRequest> = arg(
            accepted,
            format_args!("{at}: accepted must be the AcceptedRequest of this server's accept"),
        )?;
        Ok(RespondInput {
            server: self.server.clone(),
            accepted: accepted.accepted.clone(),
            body: held_bytes(body, format_args!("{at}: body"))?,
        })
    }
}

/// What `accept` works on.
pub struct AcceptInput {
    server: Arc<konaplate_crypto::Server>,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: HeldBytes,
}

fn accept(input: &AcceptInput) -> konaplate_crypto::Result<konaplate_crypto::AcceptedRequest> {
    input.server.accept(
        &input.method,
        &input.path,
        borrowed(&input.headers),
        &input.body,
        SystemTime::now(),
    )
}

/// What `acceptBody` works on.
pub struct BodyInput {
    server: Arc<konaplate_crypto::Server>,
    head: konaplate_crypto::RequestHead,
    body: HeldBytes,
}

fn accept_body(input: &BodyInput) -> konaplate_crypto::Result<konaplate_crypto::AcceptedRequest> {
    input
        .server
        .accept_body(input.head.clone(), &input.body, SystemTime::now())
}

/// The work of `Server.acceptBodyAsync`.
pub type AcceptBodyWork = Work<BodyInput, konaplate_crypto::AcceptedRequest, AcceptedRequest>;

/// A request whose head passed `Server.checkHead`, waiting for its body.
#[napi]
pub struct RequestHead {
    head: konaplate_crypto::RequestHead,
}

#[napi]
impl RequestHead {
    /// The request's `X-KM-Correlation-Id`.
    #[napi(getter)]
    pub fn correlation_id(&self) -> String {
        self.head.headers().correlation_id().to_string()
    }
}

/// What `respond` works on.
pub struct RespondInput {
    server: Arc<konaplate_crypto::Server>,
    accepted: Arc<konaplate_crypto::AcceptedRequest>,
    body: HeldBytes,
}

fn respond(input: &RespondInput) -> konaplate_crypto::Result<konaplate_crypto::PreparedResponse> {
    input.server.respond(&input.accepted, &input.body)
}

/// The work of `Server.acceptAsync`.
pub type AcceptWork = Work<AcceptInput, konaplate_crypto::AcceptedRequest, AcceptedRequest>;

/// The work of `Server.respondAsync`.
pub type RespondWork = Work<RespondInput, konaplate_crypto::PreparedResponse, PreparedResponse>;

/// A verified request: its clear `body`, the verified `X-KM-*` `headers`,
/// the `keyId` its body and answer are protected with, and its `route`.
#[napi(custom_finalize)]
pub struct AcceptedRequest {
    /// The request without its body (taken out, into `body`).
    accepted: Arc<konaplate_crypto::AcceptedRequest>,
    /// The clear body, handed over once: every `.body` is this `Buffer`.
    body: Held,
}

impl AcceptedRequest {
    fn new(env: &Env, mut accepted: konaplate_crypto::AcceptedRequest) -> Result<AcceptedRequest> {
        let body = Held::new(env, plain(accepted.take_body()))?;
        Ok(AcceptedRequest {
            accepted: Arc::new(accepted),
            body,
        })
    }
}

impl ObjectFinalize for AcceptedRequest {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        self.body.release(&env)
    }
}

#[napi]
impl AcceptedRequest {
    /// The clear body (the same `Buffer` at every read).
    #[napi(getter, ts_return_type = "Buffer")]
    pub fn body<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.body.get(env)
    }

    /// The verified `X-KM-*` headers, by name.
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn headers<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let headers = self.accepted.headers();
        header_object(
            env,
            headers.iter().map(|(name, value)| (name.as_str(), value)),
        )
    }

    /// The key the request's body and answer are protected with, if any.
    #[napi(getter)]
    pub fn key_id(&self) -> Option<String> {
        self.accepted.key_id().map(ToString::to_string)
    }

    /// The request's `X-KM-Correlation-Id`.
    #[napi(getter)]
    pub fn correlation_id(&self) -> String {
        self.accepted.headers().correlation_id().to_string()
    }

    /// The route that matched: its `method`, its `template`
    /// (`/api/v1/cards/{cardId}`) and the template's `params` by name.
    #[napi(
        getter,
        ts_return_type = "{ method: string; template: string; params: Record<string, string> }"
    )]
    pub fn route<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        let matched = self.accepted.route();
        let mut route = Object::new(env).or_throw()?;
        route.set("method", matched.route().method()).or_throw()?;
        route
            .set("template", matched.route().template())
            .or_throw()?;
        let params = header_object(
            env,
            matched
                .params()
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str())),
        )?;
        route.set("params", params).or_throw()?;
        Ok(route)
    }
}

/// A response ready to send: `headers` and `body` as they go on the wire.
#[napi(custom_finalize)]
pub struct PreparedResponse {
    headers: Vec<(String, String)>,
    /// The body as sent, handed over once.
    body: Held,
}

impl PreparedResponse {
    fn new(env: &Env, response: konaplate_crypto::PreparedResponse) -> Result<PreparedResponse> {
        let headers = response
            .header_pairs()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect();
        Ok(PreparedResponse {
            headers,
            body: Held::new(env, response.into_body())?,
        })
    }
}

impl ObjectFinalize for PreparedResponse {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        self.body.release(&env)
    }
}

#[napi]
impl PreparedResponse {
    /// The headers to send, by name.
    #[napi(getter, ts_return_type = "Record<string, string>")]
    pub fn headers<'env>(&self, env: &'env Env) -> Result<Object<'env>> {
        header_object(env, borrowed(&self.headers))
    }

    /// The body to send (the same `Buffer` at every read).
    #[napi(getter, ts_return_type = "Buffer")]
    pub fn body<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        self.body.get(env)
    }
}

/// The Rust core's own time for `iterations` whole exchanges (prepare,
/// accept, respond, finish) of `body` and `answer` on `path`, in
/// nanoseconds: what `tests/bench.mjs` sets the package's time from
/// JavaScript against. Not part of the package's API (`lib/` does not
/// export it).
#[napi(
    js_name = "_benchExchange",
    ts_args_type = "client: Client, server: Server, path: string, body: string, answer: string, iterations: number"
)]
pub fn bench_exchange(
    client: Unknown<'_>,
    server: Unknown<'_>,
    path: Unknown<'_>,
    body: Unknown<'_>,
    answer: Unknown<'_>,
    iterations: u32,
) -> Result<f64> {
    let client: ClassInstance<'_, Client> = arg(client, "client must be a Client")?;
    let server: ClassInstance<'_, Server> = arg(server, "server must be a Server")?;
    let (path, body, answer) = (
        text(path, "path")?,
        text(body, "body")?,
        text(answer, "answer")?,
    );
    let started = std::time::Instant::now();
    for _ in 0..iterations {
        let request = client
            .client
            .prepare("POST", &path, body.as_bytes(), SystemTime::now())
            .or_throw()?;
        let accepted = server
            .server
            .accept(
                "POST",
                &path,
                request.header_pairs(),
                request.body(),
                SystemTime::now(),
            )
            .or_throw()?;
        let response = server
            .server
            .respond(&accepted, answer.as_bytes())
            .or_throw()?;
        let clear = client
            .client
            .finish(&request, response.header_pairs(), response.body())
            .or_throw()?;
        std::hint::black_box(clear);
    }
    Ok(started.elapsed().as_nanos() as f64)
}
