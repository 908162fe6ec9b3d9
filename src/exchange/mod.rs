//! A no-I/O exchange over the route table: the client prepares a request
//! and finishes its response; the server accepts a request and prepares its
//! response. Inputs are bytes, strings and `(name, value)` pairs; outputs
//! are owned. An HTTP layer, a C function or a Python method each wrap one
//! call, and none of them owns a socket here.
//!
//! ```
//! use std::time::SystemTime;
//! use konaplate_crypto::*;
//! # let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! # let jwks = generate_jwks(&kid, ContentEncryption::A256Gcm);
//! let routes = RouteTable::from_json(include_str!("../../routes/seed.json"))?;
//! let keys = SharedKeyring::new(Keyring::from_jwks(&jwks)?);
//! let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
//! let client = Client::new(AspId::parse("000170000002000")?, signer.clone(), keys.clone(), routes.clone())
//!     .access_key(AccessKey::parse("0123456789abcdef0123456789abcdef01234567")?)
//!     .crypto_key_id(kid);
//! let server = Server::new(signer, keys, routes)?;
//! let (method, path) = ("POST", "/api/v1/card/delivery/cancel");
//!
//! let request = client.prepare(method, path, br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#, SystemTime::now())?;
//! let accepted = server.accept(method, path, request.header_pairs(), request.body(), SystemTime::now())?;
//! let response = server.respond(&accepted, br#"{"code":"000_000","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#)?;
//! assert!(!response.body().windows(4).any(|w| w == b"9410")); // encrypted on the wire
//! let clear = client.finish(&request, response.header_pairs(), response.body())?;
//! assert!(clear.starts_with(br#"{"code":"000_000","mobileCardNo":"9410123412341234""#));
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

mod client;
mod explain;
mod server;

pub use client::{Client, PreparedRequest};
pub use server::{AcceptedRequest, PreparedResponse, RequestHead, Server};

use zeroize::Zeroizing;

use crate::envelope::{is_envelope, open_envelope, seal_envelope};
use crate::error::{Error, Result};
use crate::header_name::HeaderName;
use crate::ids::CryptoKeyId;
use crate::jwe::KeySelection;
use crate::keyring::Keyring;
use crate::routes::{RequestProtection, ResponseChoice, ResponseProtection};

/// The key id a protected direction needs.
fn need_key(key_id: Option<&CryptoKeyId>) -> Result<&CryptoKeyId> {
    key_id.ok_or(Error::MissingHeader(HeaderName::CryptoKeyId))
}

/// A body as the route sends it: the envelope, or as it is.
fn protect_request(
    protection: RequestProtection,
    ring: &Keyring,
    key_id: Option<&CryptoKeyId>,
    body: &[u8],
) -> Result<Vec<u8>> {
    match protection {
        RequestProtection::Plain => Ok(body.to_vec()),
        RequestProtection::Envelope => sealed_envelope(ring, key_id, body),
    }
}

/// `body` sealed into `{"encData":"<JWE>"}` under the named key.
fn sealed_envelope(ring: &Keyring, key_id: Option<&CryptoKeyId>, body: &[u8]) -> Result<Vec<u8>> {
    Ok(seal_envelope(body, &ring.sealer(need_key(key_id)?)?)?.into_bytes())
}

/// The clear request body, opened with the named key.
fn unprotect_request(
    protection: RequestProtection,
    ring: &Keyring,
    key_id: Option<&CryptoKeyId>,
    body: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    match protection {
        RequestProtection::Plain => Ok(Zeroizing::new(body.to_vec())),
        RequestProtection::Envelope => {
            let opener = ring.opener(KeySelection::Named(*need_key(key_id)?));
            open_envelope(body, &opener)
        }
    }
}

/// A response body as the route sends it (on an envelope-or-plain route,
/// as `choice` says: without one the server has not been told, its fault).
fn protect_response(
    protection: &ResponseProtection,
    choice: Option<ResponseChoice>,
    ring: &Keyring,
    key_id: Option<&CryptoKeyId>,
    body: &[u8],
) -> Result<Vec<u8>> {
    match (protection, choice) {
        (ResponseProtection::Plain, None)
        | (ResponseProtection::EnvelopeOrPlain, Some(ResponseChoice::Plain)) => Ok(body.to_vec()),
        (ResponseProtection::Envelope, None)
        | (ResponseProtection::EnvelopeOrPlain, Some(ResponseChoice::Envelope)) => {
            sealed_envelope(ring, key_id, body)
        }
        (ResponseProtection::Fields(fields), None) => {
            fields.encrypt(body, &ring.sealer(need_key(key_id)?)?)
        }
        (ResponseProtection::EnvelopeOrPlain, None) => Err(Error::InvalidRoutes {
            reason: "the route's response is \"envelope-or-plain\": the answer must say which it is (Server::respond_as)".into(),
        }),
        (_, Some(_)) => Err(Error::InvalidRoutes {
            reason: "the route says how its response travels: an answer's own choice is only for \"envelope-or-plain\" routes".into(),
        }),
    }
}

/// The clear response body, opened with the key `selection` picks.
fn unprotect_response(
    protection: &ResponseProtection,
    ring: &Keyring,
    selection: KeySelection,
    body: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    match protection {
        ResponseProtection::Plain => Ok(Zeroizing::new(body.to_vec())),
        ResponseProtection::Envelope => open_envelope(body, &ring.opener(selection)),
        ResponseProtection::Fields(fields) => fields.decrypt(body, &ring.opener(selection)),
        ResponseProtection::EnvelopeOrPlain if is_envelope(body) => {
            open_envelope(body, &ring.opener(selection))
        }
        ResponseProtection::EnvelopeOrPlain => Ok(Zeroizing::new(body.to_vec())),
    }
}

/// Headers as `(name, value)` string pairs, for a front end to write.
fn pairs(headers: &[(HeaderName, String)]) -> impl Iterator<Item = (&str, &str)> {
    headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}
