//! `TokenSigner`, `CorrelationIds` and the table of error kinds.

use std::sync::{Arc, LazyLock, PoisonError, RwLock};
use std::time::Duration;

use jni::EnvUnowned;
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jint, jlong};
use konaplate_crypto::{
    AcceptedForms, CorrelationIdGenerator, DateTime, ErrorKind, Instance, ProjectSecret, TimeZone,
    TokenForm, TokenSigner, VerifyOptions,
};

use crate::call::{clear, free, held, optional_text, out, publish, run, text};
use crate::wire;

/// The zone named, or KST when none is.
fn zone(name: Option<String>) -> konaplate_crypto::Result<TimeZone> {
    name.map_or(Ok(TimeZone::KST), |z| z.parse())
}

/// Every error kind as `code, status, code, status...` in the wire format,
/// in the core's order: the Java `ErrorKind` enum is checked against it.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_errorKinds<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        let statuses: Vec<String> = ErrorKind::ALL
            .iter()
            .map(|k| k.category().http_status().to_string())
            .collect();
        let pairs = ErrorKind::ALL
            .iter()
            .zip(&statuses)
            .map(|(k, s)| (k.code(), s.as_str()));
        out(env, &wire::encode_pairs(pairs))
    })
}

/// A signer for the project secret's bytes.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_signerNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    secret: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        let secret = ProjectSecret::from_bytes(&clear(env, &secret)?)?;
        Ok(publish(TokenSigner::new(&secret)))
    })
}

free!(Java_konaplate_crypto_Native_signerFree, TokenSigner);

/// The token of `body` at `time` (null: now) in `zone` (null: KST).
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_sign<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    body: JByteArray<'local>,
    time: JByteArray<'local>,
    zone_name: JByteArray<'local>,
    padded: jboolean,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `signer` is a live `TokenSigner` handle (`NativeHandle`).
        let signer = unsafe { held::<TokenSigner>(signer)? };
        let zone = zone(optional_text(env, &zone_name)?)?;
        let at = DateTime::instant_or_now(optional_text(env, &time)?.as_deref(), zone)?;
        let form = if padded {
            TokenForm::Padded
        } else {
            TokenForm::Unpadded
        };
        let token = signer.sign_at(&clear(env, &body)?, at, zone, form)?;
        out(env, token.as_str().as_bytes())
    })
}

/// Checks `token` against `body`: the MAC, then its time within
/// `max_skew` seconds of `now` (null: now).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)] // One Java call, its options spread.
pub extern "system" fn Java_konaplate_crypto_Native_verify<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    signer: jlong,
    body: JByteArray<'local>,
    token: JByteArray<'local>,
    now: JByteArray<'local>,
    zone_name: JByteArray<'local>,
    max_skew: jlong,
    strict: jboolean,
) {
    run(env, |env| {
        // SAFETY: `signer` is a live `TokenSigner` handle (`NativeHandle`).
        let signer = unsafe { held::<TokenSigner>(signer)? };
        let zone = zone(optional_text(env, &zone_name)?)?;
        let now = DateTime::instant_or_now(optional_text(env, &now)?.as_deref(), zone)?;
        // The Java side refuses a negative window.
        let window = Duration::from_secs(u64::try_from(max_skew).unwrap_or(0));
        let mut options = VerifyOptions::default().with_max_skew(window);
        if strict {
            options = options.with_forms(AcceptedForms::UnpaddedOnly);
        }
        let token = text(env, &token)?;
        signer.verify_str(&token, &clear(env, &body)?, now, zone, &options)?;
        Ok(())
    })
}

/// A new correlation id for now in `zone` (null: KST).
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_correlationId<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    zone_name: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        let zone = zone(optional_text(env, &zone_name)?)?;
        let ids = Arc::clone(&IDS.read().unwrap_or_else(PoisonError::into_inner));
        let id = ids.generate(zone)?;
        out(env, id.as_str().as_bytes())
    })
}

/// The process's correlation id generator.
static IDS: LazyLock<RwLock<Arc<CorrelationIdGenerator>>> =
    LazyLock::new(|| RwLock::new(Arc::new(CorrelationIdGenerator::new())));

/// Instance `number` of a fleet in `bits` bits (both checked not negative
/// by the caller), as `Instance` checks it.
pub(crate) fn instance(number: jint, bits: jint) -> konaplate_crypto::Result<Instance> {
    let wide = |v: jint| u32::try_from(v).unwrap_or(u32::MAX);
    Instance::with_bits(wide(number), wide(bits))
}

/// Makes the process's ids those of instance `number` in `bits` bits.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_useInstance<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    number: jint,
    bits: jint,
) {
    run(env, |_| {
        let instance = instance(number, bits)?;
        *IDS.write().unwrap_or_else(PoisonError::into_inner) =
            Arc::new(CorrelationIdGenerator::new().with_instance(instance));
        Ok(())
    })
}
