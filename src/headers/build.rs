//! The client side: every header for a body, from one clock reading.

use std::time::SystemTime;

use super::RequestHeaders;
use crate::correlation::CorrelationIdGenerator;
use crate::error::Result;
use crate::ids::{AccessKey, AspId, CryptoKeyId};
use crate::time::{Clock, DateTime, TimeFormat, TimeZone};
use crate::token::{TokenForm, TokenSigner};

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
    #[must_use]
    pub fn access_key(mut self, key: AccessKey) -> HeaderBuilder {
        self.access_key = Some(key);
        self
    }

    /// Sends `X-KM-Crypto-Key-Id` (required when the body is encrypted).
    #[must_use]
    pub fn crypto_key_id(mut self, id: CryptoKeyId) -> HeaderBuilder {
        self.crypto_key_id = Some(id);
        self
    }

    /// Whether `X-KM-Access-Key` is sent (it is not on callbacks).
    pub(crate) fn sends_access_key(&self) -> bool {
        self.access_key.is_some()
    }

    /// Writes times in `zone`.
    #[must_use]
    pub fn zone(mut self, zone: TimeZone) -> HeaderBuilder {
        self.zone = zone;
        self
    }

    /// Which token form to send (66 characters by default).
    #[must_use]
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
