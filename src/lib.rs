#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(unreachable_pub)]

// Layers, each importing only those before it:
// error (and header_name) -> json, ids, time, secret, correlation, token
// -> headers, replay -> jwe::enc, jwe::alg -> keys -> jwe (sealer, opener)
// -> keyring -> fields, envelope -> routes -> exchange.
// Every module is private; the crate root re-exports one path per type.

mod correlation;
mod envelope;
mod error;
mod exchange;
mod fields;
mod header_name;
mod headers;
mod ids;
mod json;
mod jwe;
mod keyring;
mod keys;
mod mistakes;
mod reload;
mod replay;
mod routes;
mod secret;
mod store;
mod tenants;
mod time;
mod token;
#[cfg(feature = "http")]
mod web;

pub use correlation::{CorrelationId, CorrelationIdGenerator, Instance};
pub use envelope::{ENVELOPE_MEMBER, open_envelope, seal_envelope, seal_envelope_with_rng};
pub use error::{Category, Error, ErrorKind, IoError, KeyProblem, Result};
pub use exchange::{
    AcceptedRequest, Client, PreparedRequest, PreparedResponse, RequestHead, Server,
};
pub use fields::{Encrypted, FieldPath, Fields};
pub use header_name::HeaderName;
pub use headers::{HeaderBuilder, RequestHeaders, verify_request};
pub use ids::{AccessKey, AspId, CryptoKeyId};
pub use json::MAX_DEPTH;
pub use jwe::{
    ContentEncryption, ContentType, KeyManagement, KeySelection, MAX_COMPACT_LEN, MAX_HEADER_LEN,
    Opened, Opener, ProtectedHeader, Sealer, peek_header,
};
pub use keyring::{
    KeyEntry, KeyFile, Keyring, SharedKeyring, generate_jwks, generate_jwks_with_rng,
};
pub use keys::{
    KeyMaterial, KeyPassword, MIN_RSA_BITS, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey,
    SymmetricKey,
};
pub use mistakes::MacMistake;
pub use reload::{Reload, Watch, watch};
pub use replay::ReplayGuard;
pub use routes::{
    RequestProtection, ResponseChoice, ResponseProtection, Route, RouteMatch, RouteTable,
};
pub use secret::ProjectSecret;
pub use store::{CLOCK_MARGIN, ReplayRecord, ReplayStore, StoreFuture};
#[cfg(feature = "redis")]
pub use store::{RedisOptions, RedisReplayStore};
pub use tenants::{Tenant, Tenants};
pub use time::{Clock, DateTime, SystemClock, TimeFormat, TimeText, TimeZone};
pub use token::{AcceptedForms, TokenForm, TokenSigner, TranToken, VerifyOptions};
#[cfg(feature = "reqwest")]
pub use web::ClientMiddleware;
#[cfg(feature = "axum")]
pub use web::NotVerified;
#[cfg(feature = "http")]
pub use web::error_response;
#[cfg(feature = "tower")]
pub use web::{Refusal, ServerLayer, ServerService, Verified};
