//! The server side: parse received headers, check every value, verify the token.

use std::time::SystemTime;

use super::RequestHeaders;
use crate::correlation::CorrelationId;
use crate::error::{Error, Result, quoted};
use crate::header_name::HeaderName;
use crate::ids::{AccessKey, AspId, CryptoKeyId};
use crate::time::{DateTime, TimeFormat, TimeZone};
use crate::token::{TokenSigner, TranToken, VerifyOptions};

impl RequestHeaders {
    /// Parses received headers. Names are matched ignoring ASCII case; other
    /// headers are skipped. Every `X-KM-*` value is checked for length,
    /// alphabet and calendar sense, and `X-KM-Tran-Time` must be the
    /// token time's second or the next one (exactly its second with
    /// [`VerifyOptions::exact_tran_time`]). The zone must be `UTC`, `KST` or one of
    /// `options.extra_zones`.
    pub fn parse<'a, I>(headers: I, options: &VerifyOptions) -> Result<RequestHeaders>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut values: [Option<&'a str>; 7] = [None; 7];
        for (name, value) in headers {
            let Some(h) = HeaderName::from_name(name) else {
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
            .or_else(|| {
                options
                    .extra_zones
                    .iter()
                    .copied()
                    .find(|z| z.name() == zone_text)
            })
            .ok_or_else(|| {
                invalid(HeaderName::TimeZone)(format!(
                    "'{}' is not a known time zone",
                    quoted(zone_text)
                ))
            })?;
        // Neither time is covered by the MAC: a client that read its clock
        // again for this header, across a second boundary, is honest.
        let late_ms = tran_time.to_unix_millis(TimeZone::UTC)
            - token
                .time()
                .truncate_to_second()
                .to_unix_millis(TimeZone::UTC);
        let allowed = if options.exact_tran_time {
            late_ms == 0
        } else {
            late_ms == 0 || late_ms == 1000
        };
        if !allowed {
            return Err(invalid(HeaderName::TranTime)(if options.exact_tran_time {
                "is not the second of the time in X-KM-Tran-Token".into()
            } else {
                "is neither the second of the time in X-KM-Tran-Token nor the next".into()
            }));
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
    let parsed = RequestHeaders::parse(headers, options)?;
    parsed.verify(signer, body, now, options)?;
    Ok(parsed)
}
