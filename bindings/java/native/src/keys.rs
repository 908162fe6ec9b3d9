//! `Keyring`, `Fields`, `Envelope` and `RouteTable`.

use jni::EnvUnowned;
use jni::objects::{JByteArray, JClass};
use jni::sys::{jboolean, jlong};
use konaplate_crypto::{
    CryptoKeyId, Fields, KeyFile, KeyPassword, KeySelection, Keyring, RouteTable, open_envelope,
    seal_envelope,
};

use crate::call::{Result, bytes, clear, free, held, optional_text, out, publish, run, text};
use crate::wire;

/// The key id named, or none.
fn key_id(id: Option<String>) -> Result<Option<CryptoKeyId>> {
    Ok(id.as_deref().map(CryptoKeyId::parse).transpose()?)
}

/// A keyring from a JWK Set (or one JWK) as JSON text.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_keyringFromJwks<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    jwks: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        let jwks = zeroize::Zeroizing::new(text(env, &jwks)?);
        Ok(publish(Keyring::from_jwks(&jwks)?))
    })
}

/// A keyring from any key file's bytes; `password` (UTF-8, or null) opens a
/// PKCS#12 store, `key_id` (or null) names an RSA key.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_keyringLoad<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    data: JByteArray<'local>,
    password: JByteArray<'local>,
    id: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        let password = optional_text(env, &password)?.map(KeyPassword::new);
        let id = key_id(optional_text(env, &id)?)?;
        let file = KeyFile::load(&clear(env, &data)?, password.as_ref())?;
        Ok(publish(file.into_keyring_as(id)?))
    })
}

/// The keyring's key ids, first-issued first, as a wire list.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_keyringIds<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    keyring: jlong,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `keyring` is a live `Keyring` handle (`NativeHandle`).
        let ring = unsafe { held::<Keyring>(keyring)? };
        let ids: Vec<String> = ring.iter().map(|e| e.id().to_string()).collect();
        out(env, &wire::encode(ids.iter().map(|id| id.as_bytes())))
    })
}

free!(Java_konaplate_crypto_Native_keyringFree, Keyring);

/// The marked fields, by path (a wire list); `strict` refuses a document
/// without one of them.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_fieldsNew<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    paths: JByteArray<'local>,
    strict: jboolean,
) -> jlong {
    run(env, |env| {
        let paths = bytes(env, &paths)?;
        let mut fields = Fields::new(wire::decode(&paths)?)?;
        if strict {
            fields = fields.strict();
        }
        Ok(publish(fields))
    })
}

free!(Java_konaplate_crypto_Native_fieldsFree, Fields);

/// `doc` with each marked field sealed under `key_id`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_fieldsEncrypt<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    fields: jlong,
    doc: JByteArray<'local>,
    keyring: jlong,
    id: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `fields` and `keyring` are live handles of these types
        // (`NativeHandle`).
        let (fields, ring) = unsafe { (held::<Fields>(fields)?, held::<Keyring>(keyring)?) };
        let sealer = ring.sealer(&CryptoKeyId::parse(&text(env, &id)?)?)?;
        let sealed = fields.encrypt(&clear(env, &doc)?, &sealer)?;
        out(env, &sealed)
    })
}

/// `doc` with each marked field opened (`key_id` null: the first-issued key).
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_fieldsDecrypt<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    fields: jlong,
    doc: JByteArray<'local>,
    keyring: jlong,
    id: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `fields` and `keyring` are live handles of these types
        // (`NativeHandle`).
        let (fields, ring) = unsafe { (held::<Fields>(fields)?, held::<Keyring>(keyring)?) };
        let opener = ring.opener(KeySelection::for_callback(key_id(optional_text(
            env, &id,
        )?)?));
        let clear = fields.decrypt(&bytes(env, &doc)?, &opener)?;
        out(env, &clear)
    })
}

/// `body` sealed whole as `{"encData":"<JWE>"}` under `key_id`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_envelopeSeal<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    body: JByteArray<'local>,
    keyring: jlong,
    id: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `keyring` is a live `Keyring` handle (`NativeHandle`).
        let ring = unsafe { held::<Keyring>(keyring)? };
        let sealer = ring.sealer(&CryptoKeyId::parse(&text(env, &id)?)?)?;
        let sealed = seal_envelope(&clear(env, &body)?, &sealer)?;
        out(env, sealed.as_bytes())
    })
}

/// The clear body of an envelope (`key_id` null: the first-issued key).
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_envelopeOpen<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    doc: JByteArray<'local>,
    keyring: jlong,
    id: JByteArray<'local>,
) -> JByteArray<'local> {
    run(env, |env| {
        // SAFETY: `keyring` is a live `Keyring` handle (`NativeHandle`).
        let ring = unsafe { held::<Keyring>(keyring)? };
        let opener = ring.opener(KeySelection::for_callback(key_id(optional_text(
            env, &id,
        )?)?));
        let clear = open_envelope(&bytes(env, &doc)?, &opener)?;
        out(env, &clear)
    })
}

/// A route table from its JSON text.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_routesFromJson<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    json: JByteArray<'local>,
) -> jlong {
    run(env, |env| {
        Ok(publish(RouteTable::from_json(&text(env, &json)?)?))
    })
}

free!(Java_konaplate_crypto_Native_routesFree, RouteTable);

/// The benchmark's baseline (`bindings/java/bench`): `doc`'s marked fields
/// opened `iterations` times by the core alone, under the key `key_id`;
/// the nanoseconds they took.
#[unsafe(no_mangle)]
pub extern "system" fn Java_konaplate_crypto_Native_benchFieldsDecrypt<'local>(
    env: EnvUnowned<'local>,
    _class: JClass<'local>,
    fields: jlong,
    doc: JByteArray<'local>,
    keyring: jlong,
    id: JByteArray<'local>,
    iterations: jni::sys::jint,
) -> jlong {
    run(env, |env| {
        // SAFETY: `fields` and `keyring` are live handles of these types
        // (`NativeHandle`).
        let (fields, ring) = unsafe { (held::<Fields>(fields)?, held::<Keyring>(keyring)?) };
        let doc = bytes(env, &doc)?;
        let id = CryptoKeyId::parse(&text(env, &id)?)?;
        let started = std::time::Instant::now();
        for _ in 0..iterations {
            let opener = ring.opener(KeySelection::Named(id));
            std::hint::black_box(fields.decrypt(&doc, &opener)?);
        }
        Ok(jlong::try_from(started.elapsed().as_nanos()).unwrap_or(jlong::MAX))
    })
}
