//! JSON Web Keys (RFC 7517): reading a key set, and writing a fresh one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{KeyEntry, KeyMaterial, SymmetricKey};
use crate::error::{Error, Result};
use crate::ids::CryptoKeyId;
use crate::json::json_error;
use crate::jwe::enc::ContentEncryption;
use crate::rsa::{RsaPrivateKey, RsaPublicKey};

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    #[serde(rename = "use")]
    use_: Option<String>,
    k: Option<Zeroizing<String>>,
    n: Option<String>,
    e: Option<String>,
    d: Option<Zeroizing<String>>,
    p: Option<Zeroizing<String>>,
    q: Option<Zeroizing<String>>,
    dp: Option<Zeroizing<String>>,
    dq: Option<Zeroizing<String>>,
    qi: Option<Zeroizing<String>>,
    oth: Option<serde::de::IgnoredAny>,
}

/// Every key of a key set, in order, each checked; errors name the key's index.
pub(super) fn load_set(json: &str) -> Result<Vec<KeyEntry>> {
    let set: JwkSet = serde_json::from_str(json).map_err(|e| match json_error(&e) {
        Error::InvalidJson { reason } => Error::InvalidKey {
            reason: format!("not a JSON Web Key Set ({reason})"),
        },
        other => other,
    })?;
    if set.keys.is_empty() {
        return Err(Error::InvalidKey {
            reason: "the key set holds no keys".into(),
        });
    }
    set.keys
        .iter()
        .enumerate()
        .map(|(i, jwk)| {
            load_jwk(jwk).map_err(|e| match e {
                Error::InvalidKey { reason } => Error::InvalidKey {
                    reason: format!("key {i}: {reason}"),
                },
                other => other,
            })
        })
        .collect()
}

fn load_jwk(jwk: &Jwk) -> Result<KeyEntry> {
    let invalid = |reason: String| Error::InvalidKey { reason };
    let kid = jwk.kid.as_deref().ok_or_else(|| invalid("no kid".into()))?;
    let id = CryptoKeyId::parse(kid).map_err(|e| match e {
        Error::InvalidHeader { reason, .. } => invalid(format!("kid is not a key id: {reason}")),
        other => other,
    })?;
    if let Some(u) = jwk.use_.as_deref()
        && u != "enc"
    {
        return Err(invalid(format!(
            "kid '{id}': use is '{}', not 'enc'",
            u.escape_debug()
        )));
    }
    match jwk.kty.as_deref() {
        Some("oct") => {
            let alg = jwk.alg.as_deref().ok_or_else(|| {
                invalid(format!(
                    "kid '{id}': an oct key needs alg A128GCM or A256GCM"
                ))
            })?;
            let enc = ContentEncryption::from_name(alg).ok_or_else(|| {
                invalid(format!(
                    "kid '{id}': alg '{}' is not A128GCM or A256GCM",
                    alg.escape_debug()
                ))
            })?;
            let k = jwk
                .k
                .as_ref()
                .ok_or_else(|| invalid(format!("kid '{id}': no k")))?;
            let bytes = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(k.as_bytes())
                    .map_err(|_| invalid(format!("kid '{id}': k is not unpadded base64url")))?,
            );
            let key = SymmetricKey::new(enc, &bytes, Some(&id)).map_err(|e| match e {
                Error::InvalidKey { reason } => invalid(format!("kid '{id}': {reason}")),
                other => other,
            })?;
            Ok(KeyEntry {
                id,
                material: KeyMaterial::from_symmetric(key),
            })
        }
        Some("RSA") => Ok(KeyEntry {
            material: load_rsa_jwk(jwk).map_err(|e| match e {
                Error::InvalidKey { reason } => invalid(format!("kid '{id}': {reason}")),
                other => other,
            })?,
            id,
        }),
        Some(other) => Err(invalid(format!(
            "kid '{id}': kty '{}' is not supported",
            other.escape_debug()
        ))),
        None => Err(invalid(format!("kid '{id}': no kty"))),
    }
}

fn load_rsa_jwk(jwk: &Jwk) -> Result<KeyMaterial> {
    let invalid = |reason: &str| Error::InvalidKey {
        reason: reason.to_owned(),
    };
    if let Some(alg) = jwk.alg.as_deref()
        && alg != "RSA-OAEP-256"
    {
        return Err(Error::InvalidKey {
            reason: format!("alg '{}' is not RSA-OAEP-256", alg.escape_debug()),
        });
    }
    if jwk.oth.is_some() {
        return Err(invalid("multi-prime keys (oth) are not supported"));
    }
    let b64 = |name: &str, v: Option<&str>| -> Result<Zeroizing<Vec<u8>>> {
        let v = v.ok_or_else(|| Error::InvalidKey {
            reason: format!("no {name}"),
        })?;
        URL_SAFE_NO_PAD
            .decode(v.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| Error::InvalidKey {
                reason: format!("{name} is not unpadded base64url"),
            })
    };
    let n = b64("n", jwk.n.as_deref())?;
    let e = b64("e", jwk.e.as_deref())?;
    if jwk.d.is_none() {
        return KeyMaterial::from_rsa(Some(RsaPublicKey::from_components(&n, &e)?), None);
    }
    let part =
        |name: &str, v: &Option<Zeroizing<String>>| b64(name, v.as_ref().map(|s| s.as_str()));
    let private = RsaPrivateKey::from_components(
        &n,
        &e,
        &part("d", &jwk.d)?,
        &part("p", &jwk.p)?,
        &part("q", &jwk.q)?,
        &part("dp", &jwk.dp)?,
        &part("dq", &jwk.dq)?,
        &part("qi", &jwk.qi)?,
    )?;
    KeyMaterial::from_rsa(None, Some(private))
}

/// A JSON Web Key Set holding one fresh symmetric key for `enc`, its bytes
/// drawn from the thread's CSPRNG. The text holds the key: it is wiped on drop.
pub fn generate_jwks(kid: &CryptoKeyId, enc: ContentEncryption) -> Zeroizing<String> {
    generate_jwks_with_rng(kid, enc, &mut rand::rng())
}

/// As [`generate_jwks`], drawing the key from `rng`.
pub fn generate_jwks_with_rng<R: CryptoRng + ?Sized>(
    kid: &CryptoKeyId,
    enc: ContentEncryption,
    rng: &mut R,
) -> Zeroizing<String> {
    let key = enc.random_key(rng);
    let k = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*key));
    // kid (letters, digits, '-', '_'), alg and base64url need no JSON escaping.
    Zeroizing::new(format!(
        "{{\"keys\":[{{\"kty\":\"oct\",\"kid\":\"{kid}\",\"use\":\"enc\",\"alg\":\"{}\",\"k\":\"{}\"}}]}}\n",
        enc.name(),
        k.as_str()
    ))
}
