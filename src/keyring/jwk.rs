//! JSON Web Keys (RFC 7517): reading a key set, and writing a fresh one.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::KeyEntry;
use crate::error::{Error, KeyProblem, Result};
use crate::ids::CryptoKeyId;
use crate::json::{check_depth, json_error};
use crate::jwe::enc::ContentEncryption;
use crate::keys::{KeyMaterial, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey, SymmetricKey};

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

/// The JSON error of a key file, without its position's content.
fn not_json(what: &str, e: &serde_json::Error) -> Error {
    let reason = match json_error(e) {
        Error::InvalidJson { reason } => reason,
        other => other.to_string(),
    };
    Error::invalid_key(KeyProblem::Malformed, format!("not a {what} ({reason})"))
}

/// Every key of a key set, in order, each checked; errors name the key's index.
pub(super) fn load_set(json: &str) -> Result<Vec<KeyEntry>> {
    check_depth(json)?;
    let set: JwkSet = serde_json::from_str(json).map_err(|e| not_json("JSON Web Key Set", &e))?;
    if set.keys.is_empty() {
        return Err(Error::invalid_key(
            KeyProblem::KeySet,
            "the key set holds no keys",
        ));
    }
    set.keys
        .iter()
        .enumerate()
        .map(|(i, jwk)| load_jwk(jwk).map_err(|e| e.in_key(format_args!("key {i}"))))
        .collect()
}

/// One JSON Web Key.
pub(super) fn load_one(json: &str) -> Result<KeyEntry> {
    check_depth(json)?;
    let jwk: Jwk = serde_json::from_str(json).map_err(|e| not_json("JSON Web Key", &e))?;
    load_jwk(&jwk)
}

/// Whether a JSON key file is a key set (has a `keys` member) rather than one key.
pub(super) fn is_set(json: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        keys: Option<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Probe>(json).is_ok_and(|p| p.keys.is_some())
}

fn load_jwk(jwk: &Jwk) -> Result<KeyEntry> {
    let kid = jwk
        .kid
        .as_deref()
        .ok_or_else(|| Error::invalid_key(KeyProblem::Malformed, "no kid"))?;
    let id = CryptoKeyId::parse(kid).map_err(|e| match e {
        Error::InvalidHeader { reason, .. } => Error::invalid_key(
            KeyProblem::Malformed,
            format!("kid is not a key id: {reason}"),
        ),
        other => other,
    })?;
    load_material(jwk, &id)
        .map(|material| KeyEntry { id, material })
        .map_err(|e| e.in_key(format_args!("kid '{id}'")))
}

/// The key's material. Member values are never quoted in errors: a key
/// file's content must not reach a log through a message.
fn load_material(jwk: &Jwk, id: &CryptoKeyId) -> Result<KeyMaterial> {
    let unsupported = |reason: &str| Error::invalid_key(KeyProblem::Unsupported, reason);
    let malformed = |reason: &str| Error::invalid_key(KeyProblem::Malformed, reason);
    if jwk.use_.as_deref().is_some_and(|u| u != "enc") {
        return Err(unsupported("use is not 'enc'"));
    }
    match jwk.kty.as_deref() {
        Some("oct") => {
            let alg = jwk
                .alg
                .as_deref()
                .ok_or_else(|| malformed("an oct key needs alg A128GCM or A256GCM"))?;
            let enc = ContentEncryption::from_name(alg)
                .ok_or_else(|| unsupported("alg is not A128GCM or A256GCM"))?;
            let k = jwk.k.as_ref().ok_or_else(|| malformed("no k"))?;
            let bytes = Zeroizing::new(
                URL_SAFE_NO_PAD
                    .decode(k.as_bytes())
                    .map_err(|_| malformed("k is not unpadded base64url"))?,
            );
            Ok(KeyMaterial::Symmetric(SymmetricKey::new(
                enc,
                &bytes,
                Some(id),
            )?))
        }
        Some("RSA") => load_rsa_jwk(jwk),
        Some(_) => Err(unsupported("kty is not 'oct' or 'RSA'")),
        None => Err(malformed("no kty")),
    }
}

fn load_rsa_jwk(jwk: &Jwk) -> Result<KeyMaterial> {
    if jwk.alg.as_deref().is_some_and(|alg| alg != "RSA-OAEP-256") {
        return Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "alg is not RSA-OAEP-256",
        ));
    }
    if jwk.oth.is_some() {
        return Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "multi-prime keys (oth) are not supported",
        ));
    }
    let b64 = |name: &str, v: Option<&str>| -> Result<Zeroizing<Vec<u8>>> {
        let v = v.ok_or_else(|| Error::invalid_key(KeyProblem::Malformed, format!("no {name}")))?;
        URL_SAFE_NO_PAD
            .decode(v.as_bytes())
            .map(Zeroizing::new)
            .map_err(|_| {
                Error::invalid_key(
                    KeyProblem::Malformed,
                    format!("{name} is not unpadded base64url"),
                )
            })
    };
    let n = b64("n", jwk.n.as_deref())?;
    let e = b64("e", jwk.e.as_deref())?;
    if jwk.d.is_none() {
        return Ok(KeyMaterial::RsaSealTo(RsaPublicKey::from_components(
            &n, &e,
        )?));
    }
    let part =
        |name: &str, v: &Option<Zeroizing<String>>| b64(name, v.as_ref().map(|s| s.as_str()));
    let (d, p, q) = (part("d", &jwk.d)?, part("p", &jwk.p)?, part("q", &jwk.q)?);
    let (dp, dq, qi) = (
        part("dp", &jwk.dp)?,
        part("dq", &jwk.dq)?,
        part("qi", &jwk.qi)?,
    );
    let private = RsaPrivateKey::from_components(&RsaPrivateComponents {
        n: &n,
        e: &e,
        d: &d,
        p: &p,
        q: &q,
        dp: &dp,
        dq: &dq,
        qi: &qi,
    })?;
    Ok(KeyMaterial::RsaOpenWith(private))
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
