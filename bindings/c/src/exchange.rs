//! The route-table exchange: a client prepares requests and finishes
//! responses; a server accepts requests and prepares responses.

use std::ffi::{CString, c_char};
use std::time::SystemTime;

use konaplate_crypto::{
    AcceptedRequest, AccessKey, AspId, Client, CryptoKeyId, PreparedRequest, RouteTable, Server,
    SharedKeyring,
};

use crate::args::{Out, bytes, headers, km_header, optional_text, out_buffer, out_handle, text};
use crate::keys::km_keyring;
use crate::registry::{Handle, hand_out, km_buffer, lookup, publish, release};
use crate::status::{Failure, call, km_status};
use crate::tokens::km_signer;

/// A client of the platform for one ASP: signs requests, protects bodies
/// as its routes say, and finishes responses. Immutable: usable by any
/// number of threads at once; correlation ids stay unique across them.
pub struct km_client {
    client: Client,
}

impl Handle for km_client {
    const NAME: &'static str = "km_client";
}

/// A server's side of the exchange: verifies requests and protects
/// responses as its routes say. Immutable: usable by any number of threads
/// at once.
pub struct km_server {
    server: Server,
}

impl Handle for km_server {
    const NAME: &'static str = "km_server";
}

/// A request ready to send: its headers and body as they go on the wire,
/// kept to finish its response. Immutable once made: readable from any
/// thread; free it after its response is finished.
pub struct km_request {
    request: PreparedRequest,
    headers: Vec<(CString, CString)>,
}

impl Handle for km_request {
    const NAME: &'static str = "km_request";
}

/// A request a server accepted: its clear body, kept to respond to it.
/// Immutable: readable from any thread.
pub struct km_accepted {
    accepted: AcceptedRequest,
}

impl Handle for km_accepted {
    const NAME: &'static str = "km_accepted";
}

/// A response ready to send: its headers and protected body. Immutable:
/// readable from any thread.
pub struct km_response {
    headers: Vec<(CString, CString)>,
    body: Vec<u8>,
}

impl Handle for km_response {
    const NAME: &'static str = "km_response";
}

fn c_headers<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(CString, CString)>, Failure> {
    pairs
        .map(|(name, value)| {
            match (CString::new(name), CString::new(value)) {
                (Ok(name), Ok(value)) => Ok((name, value)),
                // The library writes header values of printable ASCII only.
                _ => Err(Failure::Argument(format!("header {name} holds a NUL"))),
            }
        })
        .collect()
}

/// A client for `asp_id`, signing with `signer`, protecting bodies with
/// `keyring`'s keys as `routes_json` (the route table's JSON text) says.
/// `access_key` (null for a callback client) is sent as `X-KM-Access-Key`;
/// `crypto_key_id` (null for none) as `X-KM-Crypto-Key-Id`, the key bodies
/// are protected with. The client keeps its own references to the signer
/// and keyring.
///
/// # Safety
/// `signer` and `keyring` are null or pointers this library returned; the
/// text arguments are null or NUL-terminated; `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_client_new(
    asp_id: *const c_char,
    signer: *const km_signer,
    keyring: *const km_keyring,
    routes_json: *const c_char,
    access_key: *const c_char,
    crypto_key_id: *const c_char,
    out: *mut *mut km_client,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, asp_id, routes_json, access_key, crypto_key_id) = unsafe {
            (
                out_handle(out)?,
                text(asp_id, "asp_id")?,
                text(routes_json, "routes_json")?,
                optional_text(access_key, "access_key")?,
                optional_text(crypto_key_id, "crypto_key_id")?,
            )
        };
        let (signer, keyring) = (lookup(signer, "signer")?, lookup(keyring, "keyring")?);
        let mut client = Client::new(
            AspId::parse(asp_id)?,
            signer.signer().clone(),
            SharedKeyring::new(keyring.ring().clone()),
            RouteTable::from_json(routes_json)?,
        );
        if let Some(key) = access_key {
            client = client.access_key(AccessKey::parse(key)?);
        }
        if let Some(id) = crypto_key_id {
            client = client.crypto_key_id(CryptoKeyId::parse(id)?);
        }
        if let Some(instance) = crate::tokens::instance() {
            client = client.instance(instance);
        }
        out.put(publish(km_client { client }));
        Ok(())
    })
}

/// Frees a client (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_client_free(client: *mut km_client) -> km_status {
    release(client, "client")
}

/// Prepares `body` for `method` and `path` now: protects it as the route
/// says, then signs the bytes as they will be sent. Send the request's
/// headers (`km_request_header`) and body (`km_request_body`).
///
/// # Safety
/// `client` is null or a pointer this library returned; `method` and
/// `path` are null or NUL-terminated; `body` points to `body_len` readable
/// bytes (or is null with 0); `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_client_prepare(
    client: *const km_client,
    method: *const c_char,
    path: *const c_char,
    body: *const u8,
    body_len: usize,
    out: *mut *mut km_request,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, method, path, body) = unsafe {
            (
                out_handle(out)?,
                text(method, "method")?,
                text(path, "path")?,
                bytes(body, body_len, "body")?,
            )
        };
        let client = lookup(client, "client")?;
        let request = client
            .client
            .prepare(method, path, body, SystemTime::now())?;
        let headers = c_headers(request.header_pairs())?;
        out.put(publish(km_request { request, headers }));
        Ok(())
    })
}

/// The clear body of the response to `request`, into `*out`: the
/// response's `X-KM-Correlation-Id` must be the request's, and its body is
/// opened as the route says.
///
/// # Safety
/// `client` and `request` are null or pointers this library returned;
/// `headers` points to `header_count` readable headers (or is null with 0);
/// `body` points to `body_len` readable bytes (or is null with 0); `out`
/// is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_client_finish(
    client: *const km_client,
    request: *const km_request,
    headers: *const km_header,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    out: *mut km_buffer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, headers, body) = unsafe {
            (
                out_buffer(out)?,
                self::headers(headers, header_count)?,
                bytes(body, body_len, "body")?,
            )
        };
        let (client, request) = (lookup(client, "client")?, lookup(request, "request")?);
        let clear = client.client.finish(&request.request, headers, body)?;
        out.put(hand_out(clear));
        Ok(())
    })
}

/// Frees a prepared request (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_request_free(request: *mut km_request) -> km_status {
    release(request, "request")
}

/// A server verifying with `signer`, opening and protecting bodies with
/// `keyring`'s keys as `routes_json` says. A table with a route whose
/// response is "envelope-or-plain" (not known: a client reads either) is
/// `KM_INVALID_ROUTES`, naming the route: a server must say what it sends.
///
/// # Safety
/// `signer` and `keyring` are null or pointers this library returned;
/// `routes_json` is null or NUL-terminated; `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_server_new(
    signer: *const km_signer,
    keyring: *const km_keyring,
    routes_json: *const c_char,
    out: *mut *mut km_server,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, routes_json) = unsafe { (out_handle(out)?, text(routes_json, "routes_json")?) };
        let (signer, keyring) = (lookup(signer, "signer")?, lookup(keyring, "keyring")?);
        let server = Server::new(
            signer.signer().clone(),
            SharedKeyring::new(keyring.ring().clone()),
            RouteTable::from_json(routes_json)?,
        )?;
        out.put(publish(km_server { server }));
        Ok(())
    })
}

/// Frees a server (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_server_free(server: *mut km_server) -> km_status {
    release(server, "server")
}

/// Accepts a request now: finds its route, checks every `X-KM-*` header and
/// the token over the body as received, and opens the body as the route
/// says. Its clear body is `km_accepted_body`.
///
/// # Safety
/// As [`km_client_finish`], with `method` and `path` null or
/// NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_server_accept(
    server: *const km_server,
    method: *const c_char,
    path: *const c_char,
    headers: *const km_header,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    out: *mut *mut km_accepted,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, method, path, headers, body) = unsafe {
            (
                out_handle(out)?,
                text(method, "method")?,
                text(path, "path")?,
                self::headers(headers, header_count)?,
                bytes(body, body_len, "body")?,
            )
        };
        let server = lookup(server, "server")?;
        let accepted = server
            .server
            .accept(method, path, headers, body, SystemTime::now())?;
        out.put(publish(km_accepted { accepted }));
        Ok(())
    })
}

/// The response to `accepted`: `body` protected as the route says, with
/// `X-KM-Correlation-Id` echoed and `X-KM-Crypto-Key-Id` naming the key.
///
/// # Safety
/// `server` and `accepted` are null or pointers this library returned;
/// `body` points to `body_len` readable bytes (or is null with 0); `out`
/// is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_server_respond(
    server: *const km_server,
    accepted: *const km_accepted,
    body: *const u8,
    body_len: usize,
    out: *mut *mut km_response,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, body) = unsafe { (out_handle(out)?, bytes(body, body_len, "body")?) };
        let (server, accepted) = (lookup(server, "server")?, lookup(accepted, "accepted")?);
        let response = server.server.respond(&accepted.accepted, body)?;
        let headers = c_headers(response.header_pairs())?;
        out.put(publish(km_response {
            headers,
            body: response.into_body(),
        }));
        Ok(())
    })
}

/// Frees an accepted request (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_accepted_free(accepted: *mut km_accepted) -> km_status {
    release(accepted, "accepted")
}

/// Frees a response (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_response_free(response: *mut km_response) -> km_status {
    release(response, "response")
}

/// A handle with a body C reads in place.
trait Body: Handle {
    fn body(&self) -> &[u8];
}

/// A handle with headers C reads one by one.
trait Headers: Handle {
    fn headers(&self) -> &[(CString, CString)];
}

impl Body for km_request {
    fn body(&self) -> &[u8] {
        self.request.body()
    }
}

impl Body for km_accepted {
    fn body(&self) -> &[u8] {
        self.accepted.body()
    }
}

impl Body for km_response {
    fn body(&self) -> &[u8] {
        &self.body
    }
}

impl Headers for km_request {
    fn headers(&self) -> &[(CString, CString)] {
        &self.headers
    }
}

impl Headers for km_response {
    fn headers(&self) -> &[(CString, CString)] {
        &self.headers
    }
}

/// Writes the body of `handle`, borrowed: valid while the handle lives
/// (the registry holds it until its `_free`).
///
/// # Safety
/// `data` and `len` are null or writable.
unsafe fn borrowed_body<H: Body>(
    handle: *const H,
    arg: &'static str,
    data: *mut *const u8,
    len: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: as this function's contract says.
    let (data, len) = unsafe {
        (
            Out::new(data, std::ptr::null(), "data")?,
            Out::new(len, 0, "len")?,
        )
    };
    let handle = lookup(handle, arg)?;
    let bytes = handle.body();
    data.put(if bytes.is_empty() {
        std::ptr::null()
    } else {
        bytes.as_ptr()
    });
    len.put(bytes.len());
    Ok(())
}

/// Writes header `index` of `handle`, borrowed as [`borrowed_body`].
///
/// # Safety
/// `name` and `value` are null or writable.
unsafe fn borrowed_header<H: Headers>(
    handle: *const H,
    arg: &'static str,
    index: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> Result<(), Failure> {
    // SAFETY: as this function's contract says.
    let (name, value) = unsafe {
        (
            Out::new(name, std::ptr::null(), "name")?,
            Out::new(value, std::ptr::null(), "value")?,
        )
    };
    let handle = lookup(handle, arg)?;
    let headers = handle.headers();
    let (n, v) = headers.get(index).ok_or_else(|| {
        Failure::Argument(format!(
            "`index` is {index}; there are {} headers",
            headers.len()
        ))
    })?;
    name.put(n.as_ptr());
    value.put(v.as_ptr());
    Ok(())
}

/// Writes the number of headers of `handle`.
///
/// # Safety
/// `count` is null or writable.
unsafe fn header_count<H: Headers>(
    handle: *const H,
    arg: &'static str,
    count: *mut usize,
) -> Result<(), Failure> {
    // SAFETY: as this function's contract says.
    let count = unsafe { Out::new(count, 0, "count") }?;
    count.put(lookup(handle, arg)?.headers().len());
    Ok(())
}

/// The number of headers of a prepared request, into `*count`.
///
/// # Safety
/// `request` is null or a pointer this library returned; `count` is null
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_request_header_count(
    request: *const km_request,
    count: *mut usize,
) -> km_status {
    // SAFETY: `count` is as this function's contract says.
    call(|| unsafe { header_count(request, "request", count) })
}

/// Header `index` of a prepared request: `*name` and `*value` point to
/// NUL-terminated text owned by the request (valid until it is freed).
///
/// # Safety
/// `request` is null or a pointer this library returned; `name` and
/// `value` are null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_request_header(
    request: *const km_request,
    index: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> km_status {
    // SAFETY: `name` and `value` are as this function's contract says.
    call(|| unsafe { borrowed_header(request, "request", index, name, value) })
}

/// The body of a prepared request as it is to be sent: `*data` (null when
/// empty) and `*len`, owned by the request (valid until it is freed).
///
/// # Safety
/// `request` is null or a pointer this library returned; `data` and `len`
/// are null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_request_body(
    request: *const km_request,
    data: *mut *const u8,
    len: *mut usize,
) -> km_status {
    // SAFETY: `data` and `len` are as this function's contract says.
    call(|| unsafe { borrowed_body(request, "request", data, len) })
}

/// The clear body of an accepted request, owned by it (valid until it is
/// freed).
///
/// # Safety
/// As [`km_request_body`], for `accepted`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_accepted_body(
    accepted: *const km_accepted,
    data: *mut *const u8,
    len: *mut usize,
) -> km_status {
    // SAFETY: `data` and `len` are as this function's contract says.
    call(|| unsafe { borrowed_body(accepted, "accepted", data, len) })
}

/// The number of headers of a response, into `*count`.
///
/// # Safety
/// As [`km_request_header_count`], for `response`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_response_header_count(
    response: *const km_response,
    count: *mut usize,
) -> km_status {
    // SAFETY: `count` is as this function's contract says.
    call(|| unsafe { header_count(response, "response", count) })
}

/// Header `index` of a response, as [`km_request_header`].
///
/// # Safety
/// As [`km_request_header`], for `response`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_response_header(
    response: *const km_response,
    index: usize,
    name: *mut *const c_char,
    value: *mut *const c_char,
) -> km_status {
    // SAFETY: `name` and `value` are as this function's contract says.
    call(|| unsafe { borrowed_header(response, "response", index, name, value) })
}

/// The protected body of a response, as [`km_request_body`].
///
/// # Safety
/// As [`km_request_body`], for `response`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_response_body(
    response: *const km_response,
    data: *mut *const u8,
    len: *mut usize,
) -> km_status {
    // SAFETY: `data` and `len` are as this function's contract says.
    call(|| unsafe { borrowed_body(response, "response", data, len) })
}
