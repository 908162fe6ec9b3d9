//! `KonaClient` and `KonaServer`: the route-table exchange.
//!
//! A call that makes a request or a response hands back, in one `byte[]`,
//! its body and headers as a wire list (`body, name, value, ...`: the body
//! first), and where a handle is kept for a later call (the request's, for
//! `finish`; the accepted request's, for `respond`), writes it into
//! `handle_out[0]`: one crossing per step of the exchange.

use std::time::{Duration, SystemTime};

use jni::objects::{JByteArray, JClass, JLongArray};
use jni::sys::{jboolean, jint, jlong};
use jni::{Env, EnvUnowned};
use konaplate_crypto::{
    AcceptedRequest, AccessKey, AspId, Client, CryptoKeyId, Keyring, PreparedRequest, ReplayGuard,
    RequestHead, RouteTable, Server, SharedKeyring, TokenSigner, VerifyOptions,
};

use crate::call::{
    Result, bytes, clear, free, held, optional_text, out, publish, release, run, text,
};
use crate::wire;

/// A body and its headers in the wire format: the body, then the pairs.
fn body_and_headers<'a>(
    body: &'a [u8],
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<u8> {
    wire::encode(
        [body].into_iter().chain(
            pairs
                .into_iter()
                .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()]),
        ),
    )
}

/// Publishes `value` and writes its handle into `handle_out[0]`.
fn hand_out<T: Send + Sync>(env: &Env<'_>, value: T, handle_out: &JLongArray<'_>) -> Result<()> {
    let handle = publish(value);
    if let Err(e) = handle_out.set_region(env, 0, &[handle]) {
        // SAFETY: `handle` was just made and Java never saw it.
        unsafe { release::<T>(handle) };
        return Err(e.into());
    }
    Ok(())
}

/// What a client or a server is built over, copied out of the signer,
/// keyring and routes handles (the Java objects stay the caller's to close).
///
/// # Safety
///
/// As [`held`], for each of the three handles and its type.
unsafe fn parts(
    signer: jlong,
    keyring: jlong,
    routes: jlong,
) -> Result<(TokenSigner, SharedKeyring, RouteTable)> {
    // SAFETY: by this function's contract.
    let (signer, ring, routes) = unsafe {
        (
            held::<TokenSigner>(signer)?,
            held::<Keyring>(keyring)?,
            held::<RouteTable>(routes)?,
        )
    };
    Ok((
        signer.clone(),
        SharedKeyring::new(ring.clone()),
        routes.clone(),
    ))
}

/// A client for one ASP over the signer, keyring and routes handles.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_clientNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    asp_id: JByteArray<'local>,
    signer: jlong,
    keyring: jlong,
    routes: jlong,
    access_key: JByteArray<'local>,
    crypto_key_id: JByteArray<'local>,
    instance: jint,
    instance_bits: jint,
) -> jlong {
    run(env, |env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (signer, keys, routes) = unsafe { parts(signer, keyring, routes)? };
        // -1: none given.
        let instance = (instance != -1)
            .then(|| crate::tokens::instance(instance, instance_bits))
            .transpose()?;
        let mut client = Client::new(AspId::parse(&text(env, &asp_id)?)?, signer, keys, routes);
        if let Some(key) = optional_text(env, &access_key)? {
            client = client.access_key(AccessKey::parse(&key)?);
        }
        if let Some(id) = optional_text(env, &crypto_key_id)? {
            client = client.crypto_key_id(CryptoKeyId::parse(&id)?);
        }
        if let Some(instance) = instance {
            client = client.instance(instance);
        }
        Ok(publish(client))
    })
}

free!(Java_konaplate_crypto_Native_clientFree, Client);

/// The request for `method` and `path` with `body`, now: its body and
/// headers as sent; its handle in `handle_out[0]`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_clientPrepare<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    method: JByteArray<'local>,
    path: JByteArray<'local>,
    body: JByteArray<'local>,
    handle_out: JLongArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `client` is a live `Client` handle (`NativeHandle`).
        let client = unsafe { held::<Client>(client)? };
        let request = client.prepare(
            &text(env, &method)?,
            &text(env, &path)?,
            &clear(env, &body)?,
            SystemTime::now(),
        )?;
        let sent = out(
            env,
            &body_and_headers(request.body(), request.header_pairs()),
        )?;
        hand_out(env, request, &handle_out)?;
        Ok(sent)
    })
}

free!(Java_konaplate_crypto_Native_requestFree, PreparedRequest);

/// The clear body of the response (`headers` a wire list of pairs) to the
/// request `request`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_clientFinish<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    request: jlong,
    headers: JByteArray<'local>,
    body: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (client, request) =
            unsafe { (held::<Client>(client)?, held::<PreparedRequest>(request)?) };
        let headers = bytes(env, &headers)?;
        let clear = client.finish(request, wire::decode_pairs(&headers)?, &bytes(env, &body)?)?;
        out(env, &clear)
    })
}

/// A server over the signer, keyring and routes handles: the token window
/// `max_skew` seconds, `strict` (unpadded tokens only), `exact_tran_time`,
/// and a replay guard of `replay` requests (-1: none; the core checks the
/// capacity).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // One Java call, its options spread.
pub extern "system" fn Java_konaplate_crypto_Native_serverNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    keyring: jlong,
    routes: jlong,
    max_skew: jlong,
    strict: jboolean,
    exact_tran_time: jboolean,
    replay: jint,
) -> jlong {
    run(env, |_env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (signer, keys, routes) = unsafe { parts(signer, keyring, routes)? };
        // The Java side refuses a negative window or capacity.
        let window = Duration::from_secs(u64::try_from(max_skew).unwrap_or(0));
        let mut options = VerifyOptions::default().with_max_skew(window);
        if strict {
            options = options.with_forms(konaplate_crypto::AcceptedForms::UnpaddedOnly);
        }
        if exact_tran_time {
            options = options.with_exact_tran_time();
        }
        let mut server = Server::new(signer, keys, routes)?.with_verify_options(options);
        // Negative: no guard (the Java side passes -1, and refuses other
        // negative capacities itself).
        if let Ok(capacity) = usize::try_from(replay) {
            server = server.with_replay_guard(ReplayGuard::new(capacity, window)?);
        }
        Ok(publish(server))
    })
}

free!(Java_konaplate_crypto_Native_serverFree, Server);

/// Checks a request's head (route, `X-KM-*` headers, token window, key)
/// before its body is read: a `RequestHead` handle.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_serverCheckHead<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    server: jlong,
    method: JByteArray<'local>,
    path: JByteArray<'local>,
    headers: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        // SAFETY: `server` is a live `Server` handle (`NativeHandle`).
        let server = unsafe { held::<Server>(server)? };
        let headers = bytes(env, &headers)?;
        let head = server.check_head(
            &text(env, &method)?,
            &text(env, &path)?,
            wire::decode_pairs(&headers)?,
            SystemTime::now(),
        )?;
        Ok(publish(head))
    })
}

free!(Java_konaplate_crypto_Native_headFree, RequestHead);

/// Takes the clear body out of `accepted`, hands the rest out as a handle
/// in `handle_out[0]`, and returns the body.
fn accepted<'local>(
    env: &mut Env<'local>,
    mut accepted: AcceptedRequest,
    handle_out: &JLongArray<'_>,
) -> Result<JByteArray<'local>> {
    let body = accepted.take_body();
    let clear = out(env, &body)?;
    hand_out(env, accepted, handle_out)?;
    Ok(clear)
}

/// Finishes accepting a request whose head passed: the MAC over `body`,
/// the body opened, the replay guard. The clear body; the accepted
/// request's handle in `handle_out[0]`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_serverAcceptBody<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    server: jlong,
    head: jlong,
    body: JByteArray<'local>,
    handle_out: JLongArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (server, head) = unsafe { (held::<Server>(server)?, held::<RequestHead>(head)?) };
        let request = server.accept_body(head.clone(), &bytes(env, &body)?, SystemTime::now())?;
        accepted(env, request, &handle_out)
    })
}

/// Accepts a request (head and body at once): the clear body; the accepted
/// request's handle in `handle_out[0]`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // One Java call, its parts spread.
pub extern "system" fn Java_konaplate_crypto_Native_serverAccept<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    server: jlong,
    method: JByteArray<'local>,
    path: JByteArray<'local>,
    headers: JByteArray<'local>,
    body: JByteArray<'local>,
    handle_out: JLongArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `server` is a live `Server` handle (`NativeHandle`).
        let server = unsafe { held::<Server>(server)? };
        let headers = bytes(env, &headers)?;
        let request = server.accept(
            &text(env, &method)?,
            &text(env, &path)?,
            wire::decode_pairs(&headers)?,
            &bytes(env, &body)?,
            SystemTime::now(),
        )?;
        accepted(env, request, &handle_out)
    })
}

free!(Java_konaplate_crypto_Native_acceptedFree, AcceptedRequest);

/// What an accepted request says of itself, as a wire list: its key id
/// (empty if none), correlation id, the route's method and template, then
/// the template's parameters as name, value pairs.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_acceptedRoute<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    accepted: jlong,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `accepted` is a live `AcceptedRequest` handle (`NativeHandle`).
        let accepted = unsafe { held::<AcceptedRequest>(accepted)? };
        let key_id = accepted
            .key_id()
            .map(ToString::to_string)
            .unwrap_or_default();
        let correlation_id = accepted.headers().correlation_id().to_string();
        let route = accepted.route();
        let fixed = [
            key_id.as_bytes(),
            correlation_id.as_bytes(),
            route.route().method().as_bytes(),
            route.route().template().as_bytes(),
        ];
        let params = route
            .params()
            .iter()
            .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()]);
        out(env, &wire::encode(fixed.into_iter().chain(params)))
    })
}

/// The accepted request's verified `X-KM-*` headers, as wire pairs.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_acceptedHeaders<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    accepted: jlong,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `accepted` is a live `AcceptedRequest` handle (`NativeHandle`).
        let accepted = unsafe { held::<AcceptedRequest>(accepted)? };
        let pairs = accepted
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str(), value));
        out(env, &wire::encode_pairs(pairs))
    })
}

/// The response to `accepted`: `body` protected as the route says; its
/// body and headers as sent.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_serverRespond<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    server: jlong,
    accepted: jlong,
    body: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (server, accepted) =
            unsafe { (held::<Server>(server)?, held::<AcceptedRequest>(accepted)?) };
        let response = server.respond(accepted, &clear(env, &body)?)?;
        out(
            env,
            &body_and_headers(response.body(), response.header_pairs()),
        )
    })
}

/// The benchmark's baseline (`bindings/java/bench`): `iterations` whole
/// exchanges (prepare, accept, respond, finish) on `path`, run by the core
/// alone with no JVM between the steps; the nanoseconds they took.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // One Java call, its parts spread.
pub extern "system" fn Java_konaplate_crypto_Native_benchExchange<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    client: jlong,
    server: jlong,
    path: JByteArray<'local>,
    body: JByteArray<'local>,
    answer: JByteArray<'local>,
    iterations: jint,
) -> jlong {
    run(env, |env| {
        // SAFETY: live handles of these types (`NativeHandle`).
        let (client, server) = unsafe { (held::<Client>(client)?, held::<Server>(server)?) };
        let (path, body, answer) = (text(env, &path)?, bytes(env, &body)?, bytes(env, &answer)?);
        let started = std::time::Instant::now();
        for _ in 0..iterations {
            let request = client.prepare("POST", &path, &body, SystemTime::now())?;
            let accepted = server.accept(
                "POST",
                &path,
                request.header_pairs(),
                request.body(),
                SystemTime::now(),
            )?;
            let response = server.respond(&accepted, &answer)?;
            let clear = client.finish(&request, response.header_pairs(), response.body())?;
            std::hint::black_box(clear);
        }
        Ok(jlong::try_from(started.elapsed().as_nanos()).unwrap_or(jlong::MAX))
    })
}
