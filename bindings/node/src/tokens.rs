//! `TokenSigner`, `newCorrelationId` and `CorrelationIds`.

use std::fmt::Display;
use std::sync::LazyLock;
use std::time::Duration;

use konaplate_crypto::{
    AcceptedForms, CorrelationIdGenerator, Instance, ProjectSecret, TokenForm, VerifyOptions,
};
use napi::Unknown;
use napi::bindgen_prelude::Object;
use napi::bindgen_prelude::{Either, Uint8ArraySlice};
use napi_derive::napi;

use crate::args::{Wanted, arg, bytes, instant, option, options, text, zone};
use crate::errors::{OrThrow, Result};

/// Signs and verifies `X-KM-Tran-Token`s with the project secret.
///
/// The secret (a string, used as UTF-8, or a `Buffer`/`Uint8Array`) is
/// kept as an HMAC key only; nothing of it is shown by `inspect` or
/// `toString`. Immutable; share one per project.
#[napi]
pub struct TokenSigner {
    pub(crate) signer: konaplate_crypto::TokenSigner,
}

#[napi]
impl TokenSigner {
    /// A signer for the project secret `secret`.
    #[napi(constructor, ts_args_type = "secret: string | Uint8Array")]
    pub fn new(secret: Unknown<'_>) -> Result<TokenSigner> {
        let secret: Either<String, Uint8ArraySlice<'_>> = arg(
            secret,
            "TokenSigner: secret must be a string, Buffer or Uint8Array",
        )?;
        let secret = match secret {
            // The text is wiped once the HMAC key is made from it.
            Either::A(text) => ProjectSecret::from_bytes(zeroize::Zeroizing::new(text).as_bytes()),
            Either::B(view) => ProjectSecret::from_bytes(&view),
        }
        .or_throw()?;
        Ok(TokenSigner {
            signer: konaplate_crypto::TokenSigner::new(&secret),
        })
    }

    /// The token of `body`: `KMV1:` + the time + the HMAC-SHA256 of the
    /// body in base64, 66 characters (67 with `padded`). `options.time` is
    /// the token time, a `Date` or `yyyyMMddHHmmssSSS` text in
    /// `options.zone` (`"KST"`, the default, `"UTC"` or `"NAME+HH:MM"`);
    /// absent, it is now.
    #[napi(
        ts_args_type = "body: string | Uint8Array, options?: { time?: Date | string; zone?: string; padded?: boolean }"
    )]
    pub fn sign(&self, body: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<String> {
        const AT: &str = "TokenSigner.sign";
        let body = bytes(body, "TokenSigner.sign: body")?;
        let options = crate::args::options(options, "TokenSigner.sign: options must be an object")?;
        let zone = zone(options.as_ref(), AT)?;
        let now = instant(options.as_ref(), "time", zone, AT)?;
        let padded = option::<bool>(
            options.as_ref(),
            "padded",
            "TokenSigner.sign: options.padded must be a boolean",
        )?;
        let form = if padded == Some(true) {
            TokenForm::Padded
        } else {
            TokenForm::Unpadded
        };
        let token = self.signer.sign_at(&body, now, zone, form).or_throw()?;
        Ok(token.as_str().to_owned())
    }

    /// Checks `token` against `body` as received: the MAC (in constant
    /// time), then the token time against `options.now` (a `Date` or
    /// `yyyyMMddHHmmssSSS` text in `options.zone`; absent, the clock),
    /// within `options.maxSkewSeconds` (300). `options.strict` refuses the
    /// padded 67-character form. Throws `TokenMismatch`,
    /// `TokenTimeOutsideWindow`, `MalformedToken` ...
    #[napi(
        ts_args_type = "body: string | Uint8Array, token: string, options?: { now?: Date | string; zone?: string; maxSkewSeconds?: number; strict?: boolean }"
    )]
    pub fn verify(
        &self,
        body: Unknown<'_>,
        token: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> Result<()> {
        const AT: &str = "TokenSigner.verify";
        let body = bytes(body, "TokenSigner.verify: body")?;
        let token = text(token, "TokenSigner.verify: token")?;
        let options = self::options(options, "TokenSigner.verify: options must be an object")?;
        let zone = zone(options.as_ref(), AT)?;
        let now = instant(options.as_ref(), "now", zone, AT)?;
        let verify = verify_options(options.as_ref(), AT)?;
        self.signer
            .verify_str(&token, &body, now, zone, &verify)
            .map(|_| ())
            .or_throw()
    }

    /// `TokenSigner([redacted])`: the secret is never shown.
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        "TokenSigner([redacted])".to_owned()
    }
}

/// The verifier's options from the `maxSkewSeconds` and `strict` members.
pub(crate) fn verify_options(
    options: Option<&napi::bindgen_prelude::Object<'_>>,
    at: &str,
) -> Result<VerifyOptions> {
    let mut verify = VerifyOptions::default();
    let what = Wanted(
        at,
        "options.maxSkewSeconds must be a whole number of seconds",
    );
    if let Some(seconds) = option::<f64>(options, "maxSkewSeconds", what)? {
        verify = verify.with_max_skew(Duration::from_secs(whole(seconds, what)?));
    }
    if option::<bool>(
        options,
        "strict",
        format_args!("{at}: options.strict must be a boolean"),
    )? == Some(true)
    {
        verify = verify.with_forms(AcceptedForms::UnpaddedOnly);
    }
    Ok(verify)
}

/// A new correlation id (`yyMMddHHmmss-xxxxxxx`) for now in `zone`
/// (`"KST"`, the default), unique across the threads of the process.
#[napi(ts_args_type = "zone?: string")]
pub fn new_correlation_id(zone: Option<Unknown<'_>>) -> Result<String> {
    static IDS: LazyLock<CorrelationIdGenerator> = LazyLock::new(CorrelationIdGenerator::new);
    generate(&IDS, zone, "newCorrelationId")
}

/// An id of `ids` in the `zone` argument's zone (absent: KST).
fn generate(ids: &CorrelationIdGenerator, zone: Option<Unknown<'_>>, at: &str) -> Result<String> {
    let zone = match zone {
        Some(zone) => arg::<Option<String>>(zone, Wanted(at, "zone must be a string"))?,
        None => None,
    };
    let zone = match zone {
        Some(name) => name.parse::<konaplate_crypto::TimeZone>().or_throw()?,
        None => konaplate_crypto::TimeZone::KST,
    };
    Ok(ids.generate(zone).or_throw()?.as_str().to_owned())
}

/// `options.instance` and `options.instanceBits` (4 unless given) as an
/// instance of a fleet, if `options.instance` is given.
pub(crate) fn instance(options: Option<&Object<'_>>, at: &str) -> Result<Option<Instance>> {
    let number = |name: &str| -> Result<Option<u32>> {
        let what = format!("{at}: options.{name} must be a whole number");
        match option::<f64>(options, name, &what)? {
            Some(value) => Ok(Some(
                u32::try_from(whole(value, &what)?).unwrap_or(u32::MAX),
            )),
            None => Ok(None),
        }
    };
    match (number("instance")?, number("instanceBits")?) {
        (Some(n), bits) => Instance::with_bits(n, bits.unwrap_or(Instance::DEFAULT_BITS))
            .map(Some)
            .or_throw(),
        (None, Some(_)) => Err(crate::errors::type_error(format_args!(
            "{at}: options.instanceBits needs options.instance"
        ))),
        (None, None) => Ok(None),
    }
}

/// Correlation ids drawn as one instance of a fleet: `options.instance`
/// takes the top `options.instanceBits` bits of the suffix (4 by default:
/// instances 0 to 15), so instances with distinct numbers never make the
/// same id. Each makes 2^(28 - instanceBits) ids a second.
#[napi]
pub struct CorrelationIds {
    ids: CorrelationIdGenerator,
    instance: Instance,
}

#[napi]
impl CorrelationIds {
    /// The ids of instance `options.instance` (`InvalidInstance` out of range).
    #[napi(
        constructor,
        ts_args_type = "options: { instance: number; instanceBits?: number }"
    )]
    pub fn new(options: Unknown<'_>) -> Result<CorrelationIds> {
        const AT: &str = "CorrelationIds";
        let options = self::options(Some(options), "CorrelationIds: options must be an object")?;
        let instance = self::instance(options.as_ref(), AT)?.ok_or_else(|| {
            crate::errors::type_error("CorrelationIds: options.instance is required")
        })?;
        Ok(CorrelationIds {
            ids: CorrelationIdGenerator::new().with_instance(instance),
            instance,
        })
    }

    /// A new correlation id for now in `zone` (`"KST"`, the default).
    #[napi(ts_args_type = "zone?: string")]
    pub fn generate(&self, zone: Option<Unknown<'_>>) -> Result<String> {
        generate(&self.ids, zone, "CorrelationIds.generate")
    }

    /// The instance number.
    #[napi(getter)]
    pub fn instance(&self) -> u32 {
        self.instance.number()
    }

    /// The bits of the suffix it takes.
    #[napi(getter)]
    pub fn instance_bits(&self) -> u32 {
        self.instance.bits()
    }

    /// Ids this instance can make in one second.
    #[napi(getter)]
    pub fn ids_per_second(&self) -> u32 {
        self.instance.ids_per_second()
    }
}

/// `value` as a whole number from 0 to 2^53, or a `TypeError` saying `what`.
pub(crate) fn whole(value: f64, what: impl Display) -> Result<u64> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.fract() != 0.0 || !(0.0..=MAX_SAFE).contains(&value) {
        return Err(crate::errors::type_error(what));
    }
    // Checked above: a whole number within u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(value as u64)
}
