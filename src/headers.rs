//! The `X-KM-*` request header set: build it for a body on the client, parse
//! and verify it on the server.
//!
//! ```
//! use std::time::SystemTime;
//! use konaplate_crypto::correlation::CorrelationIdGenerator;
//! use konaplate_crypto::headers::{HeaderBuilder, verify_request};
//! use konaplate_crypto::ids::{AccessKey, AspId};
//! use konaplate_crypto::time::TimeZone;
//! use konaplate_crypto::token::{ProjectSecret, TokenSigner, VerifyOptions};
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

use core::fmt;
use std::time::SystemTime;

use crate::correlation::CorrelationId;
use crate::correlation::CorrelationIdGenerator;
use crate::error::{Error, Result};
use crate::ids::{AccessKey, AspId, CryptoKeyId};
use crate::time::{Clock, DateTime, TimeFormat, TimeText, TimeZone};
use crate::token::{TokenForm, TokenSigner, TranToken, VerifyOptions};

/// The names of the `X-KM-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum HeaderName {
    /// `X-KM-User-AspId`
    UserAspId,
    /// `X-KM-Correlation-Id`
    CorrelationId,
    /// `X-KM-Access-Key`
    AccessKey,
    /// `X-KM-Crypto-Key-Id`
    CryptoKeyId,
    /// `X-KM-Tran-Token`
    TranToken,
    /// `X-KM-Tran-Time`
    TranTime,
    /// `X-KM-Time-Zone`
    TimeZone,
}

impl HeaderName {
    /// Every header, in the order of the API pages.
    pub const ALL: [HeaderName; 7] = [
        HeaderName::UserAspId,
        HeaderName::CorrelationId,
        HeaderName::AccessKey,
        HeaderName::CryptoKeyId,
        HeaderName::TranToken,
        HeaderName::TranTime,
        HeaderName::TimeZone,
    ];

    /// The canonical spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            HeaderName::UserAspId => "X-KM-User-AspId",
            HeaderName::CorrelationId => "X-KM-Correlation-Id",
            HeaderName::AccessKey => "X-KM-Access-Key",
            HeaderName::CryptoKeyId => "X-KM-Crypto-Key-Id",
            HeaderName::TranToken => "X-KM-Tran-Token",
            HeaderName::TranTime => "X-KM-Tran-Time",
            HeaderName::TimeZone => "X-KM-Time-Zone",
        }
    }

    /// The header a name stands for, ignoring ASCII case; `None` for any other name.
    pub fn from_name(name: &str) -> Option<HeaderName> {
        HeaderName::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(name))
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds the request headers for a body, from one clock reading.
#[derive(Clone, Debug)]
pub struct HeaderBuilder {
    asp_id: AspId,
    zone: TimeZone,
    access_key: Option<AccessKey>,
    crypto_key_id: Option<CryptoKeyId>,
    form: TokenForm,
}

impl HeaderBuilder {
    /// Headers for `asp_id`, with times written in `zone`.
    pub fn new(asp_id: AspId, zone: TimeZone) -> HeaderBuilder {
        HeaderBuilder {
            asp_id,
            zone,
            access_key: None,
            crypto_key_id: None,
            form: TokenForm::Unpadded,
        }
    }

    /// Sends `X-KM-Access-Key` (every API but the callbacks).
    pub fn access_key(mut self, key: AccessKey) -> HeaderBuilder {
        self.access_key = Some(key);
        self
    }

    /// Sends `X-KM-Crypto-Key-Id` (required when the body is encrypted).
    pub fn crypto_key_id(mut self, id: CryptoKeyId) -> HeaderBuilder {
        self.crypto_key_id = Some(id);
        self
    }

    /// Which token form to send (66 characters by default).
    pub fn token_form(mut self, form: TokenForm) -> HeaderBuilder {
        self.form = form;
        self
    }

    /// Makes every header for `body` at `now`: the correlation id, the
    /// token time and `X-KM-Tran-Time` all come from this one reading.
    pub fn build<C: Clock, R: rand::CryptoRng>(
        &self,
        signer: &TokenSigner,
        ids: &CorrelationIdGenerator<C, R>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<RequestHeaders> {
        let time = DateTime::from_system_time(now, self.zone)?;
        let correlation_id = ids.generate_at(now, self.zone)?;
        let token = signer.sign(body, time, self.form);
        Ok(RequestHeaders {
            asp_id: self.asp_id,
            correlation_id,
            access_key: self.access_key,
            crypto_key_id: self.crypto_key_id,
            tran_time: time.format(TimeFormat::Seconds14)?,
            token,
            zone: self.zone,
        })
    }
}

/// A complete, validated `X-KM-*` request header set.
///
/// Built by [`HeaderBuilder::build`], or parsed from received headers by
/// [`RequestHeaders::parse`] (which checks every value but not the token's
/// MAC: that is [`RequestHeaders::verify`] or [`verify_request`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHeaders {
    asp_id: AspId,
    correlation_id: CorrelationId,
    access_key: Option<AccessKey>,
    crypto_key_id: Option<CryptoKeyId>,
    token: TranToken,
    tran_time: TimeText,
    zone: TimeZone,
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

    /// Parses received headers. Names are matched ignoring ASCII case; other
    /// headers are skipped. Every `X-KM-*` value is checked for length,
    /// alphabet and calendar sense, and the token's time must agree with
    /// `X-KM-Tran-Time`. The zone must be `UTC` or `KST`; see
    /// [`RequestHeaders::parse_with_zones`] for others.
    pub fn parse<'a, I>(headers: I) -> Result<RequestHeaders>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        RequestHeaders::parse_with_zones(headers, &[])
    }

    /// As [`RequestHeaders::parse`], also accepting the named fixed-offset
    /// zones in `extra_zones`.
    pub fn parse_with_zones<'a, I>(headers: I, extra_zones: &[TimeZone]) -> Result<RequestHeaders>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut values: [Option<&'a str>; 7] = [None; 7];
        for (name, value) in headers {
            let Some(h) = HeaderName::from_name(name.trim()) else {
                continue;
            };
            let slot = values.get_mut(h.index()).ok_or(Error::MissingHeader(h))?;
            if slot.replace(value.trim()).is_some() {
                return Err(Error::DuplicateHeader(h));
            }
        }
        let get = |h: HeaderName| values.get(h.index()).copied().flatten();
        let need = |h: HeaderName| get(h).ok_or(Error::MissingHeader(h));
        let invalid =
            |header: HeaderName| move |reason: String| Error::InvalidHeader { header, reason };

        let asp_id = AspId::parse(need(HeaderName::UserAspId)?)?;
        let correlation_id = CorrelationId::parse_reason(need(HeaderName::CorrelationId)?)
            .map_err(invalid(HeaderName::CorrelationId))?;
        let access_key = get(HeaderName::AccessKey)
            .map(AccessKey::parse)
            .transpose()?;
        let crypto_key_id = get(HeaderName::CryptoKeyId)
            .map(CryptoKeyId::parse)
            .transpose()?;
        let token = TranToken::parse(need(HeaderName::TranToken)?).map_err(|e| match e {
            Error::MalformedToken { reason } => invalid(HeaderName::TranToken)(reason),
            other => other,
        })?;
        let tran_time_text = need(HeaderName::TranTime)?;
        let tran_time = DateTime::parse_bytes(tran_time_text.as_bytes(), TimeFormat::Seconds14)
            .map_err(invalid(HeaderName::TranTime))?;
        let zone_text = need(HeaderName::TimeZone)?;
        let zone = TimeZone::from_name(zone_text)
            .ok()
            .or_else(|| extra_zones.iter().copied().find(|z| z.name() == zone_text))
            .ok_or_else(|| {
                invalid(HeaderName::TimeZone)(format!(
                    "'{}' is not a known time zone",
                    zone_text.escape_debug()
                ))
            })?;
        if token.time().truncate_to_second() != tran_time {
            return Err(invalid(HeaderName::TranTime)(
                "does not match the time in X-KM-Tran-Token".into(),
            ));
        }
        Ok(RequestHeaders {
            asp_id,
            correlation_id,
            access_key,
            crypto_key_id,
            token,
            tran_time: tran_time.format(TimeFormat::Seconds14)?,
            zone,
        })
    }

    /// Verifies the token against the exact body received, at the server's
    /// time `now`.
    pub fn verify(
        &self,
        signer: &TokenSigner,
        body: &[u8],
        now: SystemTime,
        options: &VerifyOptions,
    ) -> Result<()> {
        signer.verify(&self.token, body, now, self.zone, options)
    }
}

/// The server's one call: parses and validates every `X-KM-*` header, then
/// verifies the token against the body. Returns the headers on success.
pub fn verify_request<'a, I>(
    headers: I,
    body: &[u8],
    signer: &TokenSigner,
    now: SystemTime,
    options: &VerifyOptions,
) -> Result<RequestHeaders>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let parsed = RequestHeaders::parse(headers)?;
    parsed.verify(signer, body, now, options)?;
    Ok(parsed)
}
