//! `Keyring`, `Fields`, `RouteTable`, `sealEnvelope` and `openEnvelope`.

use std::sync::Arc;

use konaplate_crypto::{
    CryptoKeyId, KeyFile, KeyPassword, KeySelection, Opener, Sealer, open_envelope, seal_envelope,
};
use napi::Unknown;
use napi::bindgen_prelude::{AsyncTask, Buffer, ClassInstance};
use napi_derive::napi;

use crate::args::{HeldBytes, Wanted, arg, bytes, held_bytes, option, options, text};
use crate::errors::{OrThrow, Result};
use crate::{Work, buffer, clear_buffer, plain};

/// Keys by `X-KM-Crypto-Key-Id`. Make one with `Keyring.fromJwks` or
/// `Keyring.load` (the bytes of any key file). Immutable; `toString` shows
/// key ids, never key material.
#[napi]
pub struct Keyring {
    pub(crate) ring: konaplate_crypto::Keyring,
}

/// `value` as a keyring, or a `TypeError` naming it.
pub(crate) fn keyring<'a>(value: Unknown<'a>, at: &str) -> Result<ClassInstance<'a, Keyring>> {
    arg(value, format_args!("{at}: keyring must be a Keyring"))
}

/// An optional key id: `undefined` or `null` is none.
fn optional_key_id(value: Option<Unknown<'_>>, at: &str) -> Result<Option<CryptoKeyId>> {
    let id = match value {
        Some(value) => arg::<Option<String>>(value, format_args!("{at}: keyId must be a string"))?,
        None => None,
    };
    id.as_deref().map(CryptoKeyId::parse).transpose().or_throw()
}

#[napi]
impl Keyring {
    /// A keyring from a JWK Set (or one JWK) as JSON text.
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_jwks(text: Unknown<'_>) -> Result<Keyring> {
        let text = self::text(text, "Keyring.fromJwks: text")?;
        Ok(Keyring {
            ring: konaplate_crypto::Keyring::from_jwks(&text).or_throw()?,
        })
    }

    /// A keyring from the bytes of any key file the library reads, its
    /// format found from them: a JWK Set or JWK (give no `keyId`: its keys
    /// name themselves), or an RSA key known as `options.keyId`: a
    /// certificate or SPKI (PEM or DER) seals to the other party; a
    /// PKCS#8, PKCS#1 or PKCS#12 private key opens. `options.password`
    /// opens a PKCS#12 store.
    #[napi(
        factory,
        ts_args_type = "data: string | Uint8Array, options?: { keyId?: string; password?: string }"
    )]
    pub fn load(data: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<Keyring> {
        const AT: &str = "Keyring.load";
        let data = bytes(data, "Keyring.load: data")?;
        let options = self::options(options, "Keyring.load: options must be an object")?;
        let key_id = option::<String>(
            options.as_ref(),
            "keyId",
            "Keyring.load: options.keyId must be a string",
        )?
        .as_deref()
        .map(CryptoKeyId::parse)
        .transpose()
        .or_throw()?;
        let password = option::<String>(
            options.as_ref(),
            "password",
            format_args!("{AT}: options.password must be a string"),
        )?
        .map(KeyPassword::new);
        let ring = KeyFile::load(&data, password.as_ref())
            .or_throw()?
            .into_keyring_as(key_id)
            .or_throw()?;
        Ok(Keyring { ring })
    }

    /// The ids of the keys, first-issued first.
    #[napi(getter)]
    pub fn key_ids(&self) -> Vec<String> {
        self.ring.iter().map(|e| e.id().to_string()).collect()
    }

    /// How many keys the keyring holds.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.ring.len()).unwrap_or(u32::MAX)
    }

    /// `Keyring(keyIds=[...])`: ids only, never key material.
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        format!("Keyring(keyIds={:?})", self.key_ids())
    }
}

impl Keyring {
    /// The sealer of the key `id` names.
    pub(crate) fn sealer(&self, id: Unknown<'_>, at: &str) -> Result<Sealer> {
        let id = text(id, format_args!("{at}: keyId"))?;
        let id = CryptoKeyId::parse(&id).or_throw()?;
        self.ring.sealer(&id).or_throw()
    }

    /// The opener of the key `id` names, else of the first-issued key (a
    /// callback's).
    fn opener(&self, id: Option<Unknown<'_>>, at: &str) -> Result<Opener> {
        Ok(self
            .ring
            .opener(KeySelection::for_callback(optional_key_id(id, at)?)))
    }
}

/// The fields of a JSON document that travel encrypted, by path:
/// `mobileCardNo`, `cardDataInfo[*].par`, `$['card info'].no`. With
/// `options.strict`, a path that matches nothing throws `FieldNotFound`.
#[napi]
pub struct Fields {
    fields: Arc<konaplate_crypto::Fields>,
}

#[napi]
impl Fields {
    /// The fields at `paths`.
    #[napi(
        constructor,
        ts_args_type = "paths: string[], options?: { strict?: boolean }"
    )]
    pub fn new(paths: Unknown<'_>, options: Option<Unknown<'_>>) -> Result<Fields> {
        let paths: Vec<String> = arg(paths, "Fields: paths must be an array of strings")?;
        let options = self::options(options, "Fields: options must be an object")?;
        let strict = option::<bool>(
            options.as_ref(),
            "strict",
            "Fields: options.strict must be a boolean",
        )?;
        let mut fields = konaplate_crypto::Fields::new(paths).or_throw()?;
        if strict == Some(true) {
            fields = fields.strict();
        }
        Ok(Fields {
            fields: Arc::new(fields),
        })
    }

    /// The document with each marked field's value sealed as a JWE (`dir`,
    /// AES-GCM) under the key `keyId`; the rest byte for byte.
    #[napi(ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId: string")]
    pub fn encrypt(
        &self,
        doc: Unknown<'_>,
        keyring: Unknown<'_>,
        key_id: Unknown<'_>,
    ) -> Result<Buffer> {
        const AT: &str = "Fields.encrypt";
        let doc = bytes(doc, "Fields.encrypt: doc")?;
        let sealer = self::keyring(keyring, AT)?.sealer(key_id, AT)?;
        Ok(buffer(self.fields.encrypt(&doc, &sealer).or_throw()?))
    }

    /// `encrypt` on the libuv pool.
    #[napi(
        ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId: string",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn encrypt_async(
        &self,
        doc: Unknown<'_>,
        keyring: Unknown<'_>,
        key_id: Unknown<'_>,
    ) -> Result<AsyncTask<FieldsWork<Sealer>>> {
        const AT: &str = "Fields.encryptAsync";
        let doc = held_bytes(doc, "Fields.encryptAsync: doc")?;
        let sealer = self::keyring(keyring, AT)?.sealer(key_id, AT)?;
        Ok(AsyncTask::new(Work::new(
            (self.fields.clone(), doc, sealer),
            |(fields, doc, sealer)| fields.encrypt(doc, sealer),
            |_, sealed| Ok(buffer(sealed)),
        )))
    }

    /// The document with each marked field opened: with the key `keyId`
    /// names (a field sealed under another is refused), or with none the
    /// keyring's first-issued key (a callback's).
    #[napi(ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId?: string")]
    pub fn decrypt(
        &self,
        doc: Unknown<'_>,
        keyring: Unknown<'_>,
        key_id: Option<Unknown<'_>>,
    ) -> Result<Buffer> {
        const AT: &str = "Fields.decrypt";
        let doc = bytes(doc, "Fields.decrypt: doc")?;
        let opener = self::keyring(keyring, AT)?.opener(key_id, AT)?;
        Ok(clear_buffer(self.fields.decrypt(&doc, &opener).or_throw()?))
    }

    /// `decrypt` on the libuv pool.
    #[napi(
        ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId?: string",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn decrypt_async(
        &self,
        doc: Unknown<'_>,
        keyring: Unknown<'_>,
        key_id: Option<Unknown<'_>>,
    ) -> Result<AsyncTask<FieldsWork<Opener>>> {
        const AT: &str = "Fields.decryptAsync";
        let doc = held_bytes(doc, "Fields.decryptAsync: doc")?;
        let opener = self::keyring(keyring, AT)?.opener(key_id, AT)?;
        Ok(AsyncTask::new(Work::new(
            (self.fields.clone(), doc, opener),
            |(fields, doc, opener)| fields.decrypt(doc, opener).map(plain),
            |_, clear| Ok(buffer(clear)),
        )))
    }

    /// The paths, as given.
    #[napi(getter)]
    pub fn paths(&self) -> Vec<String> {
        self.fields
            .paths()
            .iter()
            .map(|p| p.as_str().to_owned())
            .collect()
    }
}

/// The work of `Fields.encryptAsync` and `Fields.decryptAsync`.
pub type FieldsWork<K> = Work<(Arc<konaplate_crypto::Fields>, HeldBytes, K), Vec<u8>, Buffer>;

/// The work of `sealEnvelopeAsync` and `openEnvelopeAsync`.
pub type EnvelopeWork<K> = Work<(HeldBytes, K), Vec<u8>, Buffer>;

/// `body` sealed whole as the envelope `{"encData":"<JWE>"}` under the key
/// `keyId`.
#[napi(
    js_name = "sealEnvelope",
    ts_args_type = "body: string | Uint8Array, keyring: Keyring, keyId: string"
)]
pub fn seal_envelope_js(
    body: Unknown<'_>,
    keyring: Unknown<'_>,
    key_id: Unknown<'_>,
) -> Result<Buffer> {
    const AT: &str = "sealEnvelope";
    let body = bytes(body, "sealEnvelope: body")?;
    let sealer = self::keyring(keyring, AT)?.sealer(key_id, AT)?;
    Ok(buffer(
        seal_envelope(&body, &sealer).or_throw()?.into_bytes(),
    ))
}

/// `sealEnvelope` on the libuv pool.
#[napi(
    js_name = "sealEnvelopeAsync",
    ts_args_type = "body: string | Uint8Array, keyring: Keyring, keyId: string",
    ts_return_type = "Promise<Buffer>"
)]
pub fn seal_envelope_async(
    body: Unknown<'_>,
    keyring: Unknown<'_>,
    key_id: Unknown<'_>,
) -> Result<AsyncTask<EnvelopeWork<Sealer>>> {
    const AT: &str = "sealEnvelopeAsync";
    let body = held_bytes(body, "sealEnvelopeAsync: body")?;
    let sealer = self::keyring(keyring, AT)?.sealer(key_id, AT)?;
    Ok(AsyncTask::new(Work::new(
        (body, sealer),
        |(body, sealer)| seal_envelope(body, sealer).map(String::into_bytes),
        |_, sealed| Ok(buffer(sealed)),
    )))
}

/// The clear body of an envelope: opened with the key `keyId` names, or
/// with none the keyring's first-issued key (a callback's).
#[napi(
    js_name = "openEnvelope",
    ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId?: string"
)]
pub fn open_envelope_js(
    doc: Unknown<'_>,
    keyring: Unknown<'_>,
    key_id: Option<Unknown<'_>>,
) -> Result<Buffer> {
    const AT: &str = "openEnvelope";
    let doc = bytes(doc, "openEnvelope: doc")?;
    let opener = self::keyring(keyring, AT)?.opener(key_id, AT)?;
    Ok(clear_buffer(open_envelope(&doc, &opener).or_throw()?))
}

/// `openEnvelope` on the libuv pool.
#[napi(
    js_name = "openEnvelopeAsync",
    ts_args_type = "doc: string | Uint8Array, keyring: Keyring, keyId?: string",
    ts_return_type = "Promise<Buffer>"
)]
pub fn open_envelope_async(
    doc: Unknown<'_>,
    keyring: Unknown<'_>,
    key_id: Option<Unknown<'_>>,
) -> Result<AsyncTask<EnvelopeWork<Opener>>> {
    const AT: &str = "openEnvelopeAsync";
    let doc = held_bytes(doc, "openEnvelopeAsync: doc")?;
    let opener = self::keyring(keyring, AT)?.opener(key_id, AT)?;
    Ok(AsyncTask::new(Work::new(
        (doc, opener),
        |(doc, opener)| open_envelope(doc, opener).map(plain),
        |_, clear| Ok(buffer(clear)),
    )))
}

/// The route table: which routes exist, how each protects its request and
/// response (`RouteTable.fromJson(text)`). `Client` and `Server` take one,
/// or its JSON text.
#[napi]
pub struct RouteTable {
    pub(crate) table: konaplate_crypto::RouteTable,
}

#[napi]
impl RouteTable {
    /// The route table of its JSON text (README, "Route table").
    #[napi(factory, ts_args_type = "text: string")]
    pub fn from_json(text: Unknown<'_>) -> Result<RouteTable> {
        let text = self::text(text, "RouteTable.fromJson: text")?;
        Ok(RouteTable {
            table: konaplate_crypto::RouteTable::from_json(&text).or_throw()?,
        })
    }

    /// How many routes the table holds.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        u32::try_from(self.table.iter().count()).unwrap_or(u32::MAX)
    }
}

/// `value` as a route table: a `RouteTable` or its JSON text.
pub(crate) fn route_table(value: Unknown<'_>, at: &str) -> Result<konaplate_crypto::RouteTable> {
    let what = Wanted(at, "routes must be a RouteTable or its JSON text");
    match arg::<napi::bindgen_prelude::Either<String, ClassInstance<'_, RouteTable>>>(value, what)?
    {
        napi::bindgen_prelude::Either::A(text) => {
            konaplate_crypto::RouteTable::from_json(&text).or_throw()
        }
        napi::bindgen_prelude::Either::B(table) => Ok(table.table.clone()),
    }
}
