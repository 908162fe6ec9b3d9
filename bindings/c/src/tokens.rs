//! Correlation ids and `X-KM-Tran-Token`s.

use std::ffi::c_char;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use std::time::Duration;

use konaplate_crypto::{
    AcceptedForms, CorrelationIdGenerator, DateTime, Instance, ProjectSecret, TimeZone, TokenForm,
    TokenSigner, VerifyOptions,
};

use crate::args::{TextOut, bytes, optional_text, out_handle, text};
use crate::registry::{Handle, lookup, publish, release};
use crate::status::{call, km_status};

/// Characters of a correlation id (`yyMMddHHmmss-xxxxxxx`); a buffer for
/// one needs one more, for the NUL.
pub const KM_CORRELATION_ID_LEN: usize = 20;

/// Characters of the longest `X-KM-Tran-Token` (the padded form); a buffer
/// for any token needs one more, for the NUL.
pub const KM_TOKEN_MAX_LEN: usize = 67;

/// Signs and verifies `X-KM-Tran-Token`s with a project secret's HMAC key
/// (wiped when freed). Immutable: one signer may be used by any number of
/// threads at once.
pub struct km_signer {
    signer: TokenSigner,
}

impl Handle for km_signer {
    const NAME: &'static str = "km_signer";
}

impl km_signer {
    pub(crate) fn signer(&self) -> &TokenSigner {
        &self.signer
    }
}

/// A signer for the project secret `secret` (`secret_len` bytes, copied;
/// an empty one is `KM_INVALID_SECRET`).
///
/// # Safety
/// `secret` points to `secret_len` readable bytes (or is null with 0);
/// `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_signer_new(
    secret: *const u8,
    secret_len: usize,
    out: *mut *mut km_signer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, secret) = unsafe { (out_handle(out)?, bytes(secret, secret_len, "secret")?) };
        let signer = TokenSigner::new(&ProjectSecret::from_bytes(secret)?);
        out.put(publish(km_signer { signer }));
        Ok(())
    })
}

/// Frees a signer (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_signer_free(signer: *mut km_signer) -> km_status {
    release(signer, "signer")
}

/// Writes the `X-KM-Tran-Token` of the body (`body_len` bytes) into `out`
/// (`out_len` bytes, at least `KM_TOKEN_MAX_LEN + 1`), NUL-terminated.
/// `time` is the token time as `yyyyMMddHHmmssSSS` in `zone` (`"KST"`,
/// `"UTC"` or `"NAME+HH:MM"`), or null for now. `padded` makes the
/// 67-character form with its trailing `=`.
///
/// # Safety
/// `signer` is null or a pointer this library returned; `body` points to
/// `body_len` readable bytes (or is null with 0); `time` and `zone` are
/// null or NUL-terminated; `out` is null or points to `out_len` writable
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_token_sign(
    signer: *const km_signer,
    body: *const u8,
    body_len: usize,
    time: *const c_char,
    zone: *const c_char,
    padded: bool,
    out: *mut c_char,
    out_len: usize,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, body, time, zone) = unsafe {
            (
                TextOut::new(out, out_len)?,
                bytes(body, body_len, "body")?,
                optional_text(time, "time")?,
                text(zone, "zone")?,
            )
        };
        let signer = lookup(signer, "signer")?;
        let zone: TimeZone = zone.parse()?;
        let now = DateTime::instant_or_now(time, zone)?;
        let form = if padded {
            TokenForm::Padded
        } else {
            TokenForm::Unpadded
        };
        let token = signer.signer.sign_at(body, now, zone, form)?;
        out.put(token.as_str())
    })
}

/// Verifies `token` (NUL-terminated) against the body as received: its MAC
/// (in constant time), then its time against `now` (`yyyyMMddHHmmssSSS` in
/// `zone`, or null for the clock) within `max_skew_seconds`. `strict`
/// refuses the padded 67-character form.
///
/// # Safety
/// As [`km_token_sign`], with `token` and `now` null or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_token_verify(
    signer: *const km_signer,
    body: *const u8,
    body_len: usize,
    token: *const c_char,
    now: *const c_char,
    zone: *const c_char,
    max_skew_seconds: u32,
    strict: bool,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (body, token, now, zone) = unsafe {
            (
                bytes(body, body_len, "body")?,
                text(token, "token")?,
                optional_text(now, "now")?,
                text(zone, "zone")?,
            )
        };
        let signer = lookup(signer, "signer")?;
        let zone: TimeZone = zone.parse()?;
        let now = DateTime::instant_or_now(now, zone)?;
        let mut options =
            VerifyOptions::default().with_max_skew(Duration::from_secs(max_skew_seconds.into()));
        if strict {
            options = options.with_forms(AcceptedForms::UnpaddedOnly);
        }
        signer.signer.verify_str(token, body, now, zone, &options)?;
        Ok(())
    })
}

/// Writes a new correlation id for now in `zone` into `out` (`out_len`
/// bytes, at least `KM_CORRELATION_ID_LEN + 1`), NUL-terminated. Ids are
/// unique across the threads of the process.
///
/// # Safety
/// `zone` is null or NUL-terminated; `out` is null or points to `out_len`
/// writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_correlation_id_new(
    zone: *const c_char,
    out: *mut c_char,
    out_len: usize,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, zone) = unsafe { (TextOut::new(out, out_len)?, text(zone, "zone")?) };
        let ids = Arc::clone(&IDS.read().unwrap_or_else(PoisonError::into_inner));
        let id = ids.generate(zone.parse()?)?;
        out.put(id.as_str())
    })
}

/// The process's correlation id generator, and its instance number.
static IDS: LazyLock<RwLock<Arc<CorrelationIdGenerator>>> =
    LazyLock::new(|| RwLock::new(Arc::new(CorrelationIdGenerator::new())));
static INSTANCE: RwLock<Option<Instance>> = RwLock::new(None);

/// The instance number set by [`km_set_instance`], if any.
pub(crate) fn instance() -> Option<Instance> {
    *INSTANCE.read().unwrap_or_else(PoisonError::into_inner)
}

/// Makes this process instance `number` of a fleet, in a split of `bits`
/// bits (1 to 16; 4, the usual, gives instances 0 to 15): the ids of
/// [`km_correlation_id_new`] and of every client made after this call take
/// `number` in the top bits of their suffix, so processes with distinct
/// numbers never make the same id. Each instance makes 2^(28 - bits) ids
/// a second. Out of range: `KM_INVALID_INSTANCE`, nothing changed. Call it
/// once, at start.
#[unsafe(no_mangle)]
pub extern "C" fn km_set_instance(number: u32, bits: u32) -> km_status {
    call(|| {
        let instance = Instance::with_bits(number, bits)?;
        *INSTANCE.write().unwrap_or_else(PoisonError::into_inner) = Some(instance);
        *IDS.write().unwrap_or_else(PoisonError::into_inner) =
            Arc::new(CorrelationIdGenerator::new().with_instance(instance));
        Ok(())
    })
}
