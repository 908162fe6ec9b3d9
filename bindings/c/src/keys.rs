//! Keyrings, marked fields and envelopes.

use std::ffi::c_char;

use konaplate_crypto::{
    CryptoKeyId, Fields, KeyFile, KeyPassword, KeySelection, Keyring, Opener, Sealer,
    open_envelope, seal_envelope,
};
use zeroize::Zeroizing;

use crate::args::{bytes, optional_text, out_buffer, out_handle, text, text_array};
use crate::registry::{Handle, hand_out, km_buffer, lookup, publish, release};
use crate::status::{Failure, call, km_status};

/// A set of keys by `X-KM-Crypto-Key-Id` (wiped when freed). Immutable:
/// one keyring may be used by any number of threads at once, and by any
/// number of clients and servers.
pub struct km_keyring {
    ring: Keyring,
}

impl Handle for km_keyring {
    const NAME: &'static str = "km_keyring";
}

impl km_keyring {
    pub(crate) fn ring(&self) -> &Keyring {
        &self.ring
    }

    /// The sealer of the key `key_id` names.
    fn sealer(&self, key_id: &str) -> Result<Sealer, Failure> {
        Ok(self.ring.sealer(&CryptoKeyId::parse(key_id)?)?)
    }

    /// The opener of the key `key_id` names, else of the first-issued key
    /// (a callback's), as the library's `KeySelection::for_callback`.
    fn opener(&self, key_id: Option<&str>) -> Result<Opener, Failure> {
        let named = key_id.map(CryptoKeyId::parse).transpose()?;
        Ok(self.ring.opener(KeySelection::for_callback(named)))
    }
}

/// The paths of a response's encrypted fields (`mobileCardNo`,
/// `cardDataInfo[*].par`, ...). Immutable: usable by any number of threads
/// at once.
pub struct km_fields {
    fields: Fields,
}

impl Handle for km_fields {
    const NAME: &'static str = "km_fields";
}

/// A keyring from a JWK Set (or one JWK): `json_len` bytes of UTF-8 JSON.
///
/// # Safety
/// `json` points to `json_len` readable bytes (or is null with 0); `out` is
/// null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_keyring_from_jwks(
    json: *const u8,
    json_len: usize,
    out: *mut *mut km_keyring,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, json) = unsafe { (out_handle(out)?, bytes(json, json_len, "json")?) };
        let json = std::str::from_utf8(json).map_err(|_| Failure::Utf8("json".into()))?;
        out.put(publish(km_keyring {
            ring: Keyring::from_jwks(json)?,
        }));
        Ok(())
    })
}

/// A keyring from a key file of any format the library reads, found from
/// its bytes: a JWK Set or JWK (`key_id` must then be null: its keys name
/// themselves), or an RSA key under `key_id`: a certificate or SPKI (PEM or
/// DER) seals to the other party; a PKCS#8, PKCS#1 or PKCS#12 private key
/// opens. `password` (UTF-8) opens a PKCS#12 store and is otherwise
/// ignored; null for none.
///
/// # Safety
/// `data` points to `data_len` readable bytes (or is null with 0);
/// `password` and `key_id` are null or NUL-terminated; `out` is null or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_keyring_load(
    data: *const u8,
    data_len: usize,
    password: *const c_char,
    key_id: *const c_char,
    out: *mut *mut km_keyring,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, data, password, key_id) = unsafe {
            (
                out_handle(out)?,
                bytes(data, data_len, "data")?,
                optional_text(password, "password")?,
                optional_text(key_id, "key_id")?,
            )
        };
        let password = password.map(KeyPassword::from);
        let key_id = key_id.map(CryptoKeyId::parse).transpose()?;
        let ring = KeyFile::load(data, password.as_ref())?.into_keyring_as(key_id)?;
        out.put(publish(km_keyring { ring }));
        Ok(())
    })
}

/// Frees a keyring (null is a no-op). Clients and servers made with it keep
/// their own reference.
#[unsafe(no_mangle)]
pub extern "C" fn km_keyring_free(keyring: *mut km_keyring) -> km_status {
    release(keyring, "keyring")
}

/// Marked fields from `count` paths (NUL-terminated). `strict` makes a
/// path that matches nothing `KM_FIELD_NOT_FOUND`.
///
/// # Safety
/// `paths` points to `count` readable pointers to NUL-terminated strings
/// (or is null with 0); `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_fields_new(
    paths: *const *const c_char,
    count: usize,
    strict: bool,
    out: *mut *mut km_fields,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, paths) = unsafe { (out_handle(out)?, text_array(paths, count, "paths")?) };
        let mut fields = Fields::new(paths)?;
        if strict {
            fields = fields.strict();
        }
        out.put(publish(km_fields { fields }));
        Ok(())
    })
}

/// Frees marked fields (null is a no-op).
#[unsafe(no_mangle)]
pub extern "C" fn km_fields_free(fields: *mut km_fields) -> km_status {
    release(fields, "fields")
}

/// The JSON document `doc` with every marked field's value sealed as a JWE
/// under the key `key_id`, into `*out` (free with `km_buffer_free`).
///
/// # Safety
/// `fields` and `keyring` are null or pointers this library returned;
/// `doc` points to `doc_len` readable bytes (or is null with 0); `key_id`
/// is null or NUL-terminated; `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_fields_encrypt(
    fields: *const km_fields,
    keyring: *const km_keyring,
    key_id: *const c_char,
    doc: *const u8,
    doc_len: usize,
    out: *mut km_buffer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, key_id, doc) = unsafe {
            (
                out_buffer(out)?,
                text(key_id, "key_id")?,
                bytes(doc, doc_len, "doc")?,
            )
        };
        let (fields, keyring) = (lookup(fields, "fields")?, lookup(keyring, "keyring")?);
        let sealer = keyring.sealer(key_id)?;
        let sealed = fields.fields.encrypt(doc, &sealer)?;
        out.put(hand_out(Zeroizing::new(sealed)));
        Ok(())
    })
}

/// The JSON document `doc` with every marked field opened, into `*out`:
/// with the key `key_id` names (a field's JWE naming another is refused),
/// or, with `key_id` null, the keyring's first-issued key (a callback's).
///
/// # Safety
/// As [`km_fields_encrypt`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_fields_decrypt(
    fields: *const km_fields,
    keyring: *const km_keyring,
    key_id: *const c_char,
    doc: *const u8,
    doc_len: usize,
    out: *mut km_buffer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, key_id, doc) = unsafe {
            (
                out_buffer(out)?,
                optional_text(key_id, "key_id")?,
                bytes(doc, doc_len, "doc")?,
            )
        };
        let (fields, keyring) = (lookup(fields, "fields")?, lookup(keyring, "keyring")?);
        let opener = keyring.opener(key_id)?;
        out.put(hand_out(fields.fields.decrypt(doc, &opener)?));
        Ok(())
    })
}

/// The body sealed whole as the envelope `{"encData":"<JWE>"}` under the key
/// `key_id`, into `*out`.
///
/// # Safety
/// `keyring` is null or a pointer this library returned; `body` points to
/// `body_len` readable bytes (or is null with 0); `key_id` is null or
/// NUL-terminated; `out` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_envelope_seal(
    keyring: *const km_keyring,
    key_id: *const c_char,
    body: *const u8,
    body_len: usize,
    out: *mut km_buffer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, key_id, body) = unsafe {
            (
                out_buffer(out)?,
                text(key_id, "key_id")?,
                bytes(body, body_len, "body")?,
            )
        };
        let keyring = lookup(keyring, "keyring")?;
        let sealer = keyring.sealer(key_id)?;
        let sealed = seal_envelope(body, &sealer)?;
        out.put(hand_out(Zeroizing::new(sealed.into_bytes())));
        Ok(())
    })
}

/// The clear body of an envelope, into `*out`: opened with the key
/// `key_id` names, or, with `key_id` null, the first-issued key.
///
/// # Safety
/// As [`km_envelope_seal`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn km_envelope_open(
    keyring: *const km_keyring,
    key_id: *const c_char,
    envelope: *const u8,
    envelope_len: usize,
    out: *mut km_buffer,
) -> km_status {
    call(|| {
        // SAFETY: the pointers are as this function's contract says.
        let (out, key_id, envelope) = unsafe {
            (
                out_buffer(out)?,
                optional_text(key_id, "key_id")?,
                bytes(envelope, envelope_len, "envelope")?,
            )
        };
        let keyring = lookup(keyring, "keyring")?;
        let opener = keyring.opener(key_id)?;
        out.put(hand_out(open_envelope(envelope, &opener)?));
        Ok(())
    })
}
