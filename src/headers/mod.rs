//! The `X-KM-*` request header set: built for a body on the client
//! ([`HeaderBuilder`], in `build`), parsed and verified on the server
//! ([`RequestHeaders::parse`], [`verify_request`], in `verify`).
//!
//! ```
//! use std::time::SystemTime;
//! use konaplate_crypto::{
//!     AccessKey, AspId, CorrelationIdGenerator, HeaderBuilder, ProjectSecret, TimeZone,
//!     TokenSigner, VerifyOptions, verify_request,
//! };
//!
//! let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
//! let ids = CorrelationIdGenerator::new();
//! let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
//! let now = SystemTime::now();
//!
//! // Client: one clock reading for every header.
//! let headers = HeaderBuilder::new(AspId::parse("000170000002000")?, TimeZone::KST)
//!     .access_key(AccessKey::parse("0123456789abcdef0123456789abcdef01234567")?)
//!     .build(&signer, &ids, body, now)?;
//! for (name, value) in headers.iter() {
//!     println!("{name}: {value}");
//! }
//!
//! // Server: names are case-insensitive; one call checks every value and the token.
//! let received: Vec<(String, String)> = headers
//!     .iter()
//!     .map(|(n, v)| (n.as_str().to_lowercase(), v.to_string()))
//!     .collect();
//! let checked = verify_request(
//!     received.iter().map(|(n, v)| (n.as_str(), v.as_str())),
//!     body,
//!     &signer,
//!     now,
//!     &VerifyOptions::default(),
//! )?;
//! assert_eq!(checked.asp_id().as_str(), "000170000002000");
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

mod build;
mod verify;

pub use build::HeaderBuilder;
pub use verify::verify_request;

use crate::correlation::CorrelationId;
use crate::header_name::HeaderName;
use crate::ids::{AccessKey, AspId, CryptoKeyId};
use crate::time::{TimeText, TimeZone};
use crate::token::TranToken;

/// A complete, validated `X-KM-*` request header set.
///
/// Built by [`HeaderBuilder::build`], or parsed from received headers by
/// [`RequestHeaders::parse`] (which checks every value but not the token's
/// MAC: that is [`RequestHeaders::verify`] or [`verify_request`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHeaders {
    pub(crate) asp_id: AspId,
    pub(crate) correlation_id: CorrelationId,
    pub(crate) access_key: Option<AccessKey>,
    pub(crate) crypto_key_id: Option<CryptoKeyId>,
    pub(crate) token: TranToken,
    pub(crate) tran_time: TimeText,
    pub(crate) zone: TimeZone,
}

impl RequestHeaders {
    /// `X-KM-User-AspId`.
    pub fn asp_id(&self) -> &AspId {
        &self.asp_id
    }
    /// `X-KM-Correlation-Id`.
    pub fn correlation_id(&self) -> &CorrelationId {
        &self.correlation_id
    }
    /// `X-KM-Access-Key`, absent on callbacks.
    pub fn access_key(&self) -> Option<&AccessKey> {
        self.access_key.as_ref()
    }
    /// `X-KM-Crypto-Key-Id`, present when the body is encrypted.
    pub fn crypto_key_id(&self) -> Option<&CryptoKeyId> {
        self.crypto_key_id.as_ref()
    }
    /// `X-KM-Tran-Token`.
    pub fn token(&self) -> &TranToken {
        &self.token
    }
    /// `X-KM-Tran-Time`, `yyyyMMddHHmmss`.
    pub fn tran_time(&self) -> &str {
        self.tran_time.as_str()
    }
    /// `X-KM-Time-Zone`.
    pub fn zone(&self) -> TimeZone {
        self.zone
    }

    /// The headers as `(name, value)` pairs, in the order of the API pages.
    pub fn iter(&self) -> impl Iterator<Item = (HeaderName, &str)> {
        HeaderName::ALL.into_iter().filter_map(|h| {
            let value = match h {
                HeaderName::UserAspId => self.asp_id.as_str(),
                HeaderName::CorrelationId => self.correlation_id.as_str(),
                HeaderName::AccessKey => self.access_key.as_ref()?.as_str(),
                HeaderName::CryptoKeyId => self.crypto_key_id.as_ref()?.as_str(),
                HeaderName::TranToken => self.token.as_str(),
                HeaderName::TranTime => self.tran_time.as_str(),
                HeaderName::TimeZone => self.zone.name(),
            };
            Some((h, value))
        })
    }
}
