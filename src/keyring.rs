//! Keys named by `X-KM-Crypto-Key-Id`, loaded from a JSON Web Key Set.
//!
//! ```json
//! {"keys": [
//!   {"kty": "oct", "kid": "<32-character key id>", "alg": "A256GCM", "k": "<base64url>"}
//! ]}
//! ```
//!
//! Keys keep their issue order; the first is the callback key (the key a
//! callback's `X-KM-Crypto-Key-Id` names). A symmetric key's AES key
//! schedule and its base64url JWE headers are computed once, at load. Key
//! bytes are wiped on drop and never printed.
//!
//! A [`Keyring`] is immutable and `Send + Sync`. To rotate keys while
//! serving, hold a [`SharedKeyring`]: [`SharedKeyring::rotate`] swaps in a new
//! keyring without locks, and an operation that loaded the old one finishes
//! with it.

use core::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::ids::CryptoKeyId;
use crate::json::json_error;
use crate::jwe::alg::dir::DirHeaders;
use crate::jwe::enc::ContentEncryption;
use crate::jwe::enc::aes_gcm::ContentCipher;
use crate::jwe::{Opener, Sealer};

/// A symmetric AES-GCM key, its key schedule computed.
#[derive(Clone)]
pub struct SymmetricKey {
    pub(crate) cipher: ContentCipher,
    pub(crate) headers: DirHeaders,
}

impl SymmetricKey {
    /// A key for `enc` from its raw bytes (16 for A128GCM, 32 for A256GCM);
    /// `kid` goes into the headers of what it seals.
    pub fn new(
        enc: ContentEncryption,
        key: &[u8],
        kid: Option<&CryptoKeyId>,
    ) -> Result<SymmetricKey> {
        Ok(SymmetricKey {
            cipher: ContentCipher::new(enc, key)?,
            headers: DirHeaders::new(enc, kid),
        })
    }

    /// The content encryption this key is for.
    pub fn enc(&self) -> ContentEncryption {
        self.cipher.enc()
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SymmetricKey({}, [redacted])", self.enc().name())
    }
}

/// The key material held under one key id.
#[derive(Clone, Debug)]
pub struct KeyMaterial {
    symmetric: Option<SymmetricKey>,
}

impl KeyMaterial {
    /// Material holding one symmetric key.
    pub fn from_symmetric(key: SymmetricKey) -> KeyMaterial {
        KeyMaterial {
            symmetric: Some(key),
        }
    }

    /// The symmetric key, if this is a symmetric entry.
    pub fn symmetric(&self) -> Option<&SymmetricKey> {
        self.symmetric.as_ref()
    }

    /// A sealer for this material.
    pub fn sealer(&self) -> Result<Sealer<'_>> {
        self.symmetric
            .as_ref()
            .map(Sealer::dir)
            .ok_or_else(|| Error::KeyMismatch {
                reason: "this key cannot seal".into(),
            })
    }
}

/// One key of a keyring: its id and material.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    id: CryptoKeyId,
    material: KeyMaterial,
}

impl KeyEntry {
    /// The key id (`kid`, `X-KM-Crypto-Key-Id`).
    pub fn id(&self) -> &CryptoKeyId {
        &self.id
    }
    /// The key material.
    pub fn material(&self) -> &KeyMaterial {
        &self.material
    }
}

/// An immutable set of keys in issue order.
#[derive(Clone, Debug)]
pub struct Keyring {
    entries: Vec<KeyEntry>,
}

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
}

impl Keyring {
    /// Loads a JSON Web Key Set. Every key needs a `kid` that is a 32-character
    /// key id, used once; symmetric keys are `kty: "oct"` with `alg` `A128GCM`
    /// or `A256GCM` and `k` of the matching length; `use`, if present, is `enc`.
    pub fn from_jwks(json: &str) -> Result<Keyring> {
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
        let mut entries: Vec<KeyEntry> = Vec::with_capacity(set.keys.len());
        for (i, jwk) in set.keys.iter().enumerate() {
            let entry = load_jwk(jwk).map_err(|e| match e {
                Error::InvalidKey { reason } => Error::InvalidKey {
                    reason: format!("key {i}: {reason}"),
                },
                other => other,
            })?;
            if entries.iter().any(|e| e.id == entry.id) {
                return Err(Error::InvalidKey {
                    reason: format!("key {i}: kid '{}' is used twice", entry.id),
                });
            }
            entries.push(entry);
        }
        Ok(Keyring { entries })
    }

    /// A keyring of the given entries, in issue order.
    pub fn from_entries(entries: Vec<KeyEntry>) -> Result<Keyring> {
        for (i, e) in entries.iter().enumerate() {
            if entries
                .get(..i)
                .unwrap_or_default()
                .iter()
                .any(|p| p.id == e.id)
            {
                return Err(Error::InvalidKey {
                    reason: format!("kid '{}' is used twice", e.id),
                });
            }
        }
        Ok(Keyring { entries })
    }

    /// The key with this id.
    pub fn get(&self, id: &CryptoKeyId) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.id == *id)
    }

    /// The first key issued: the one callbacks use.
    pub fn callback_key(&self) -> Option<&KeyEntry> {
        self.entries.first()
    }

    /// Every key, in issue order.
    pub fn iter(&self) -> impl Iterator<Item = &KeyEntry> {
        self.entries.iter()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the keyring is empty (never, when loaded from a key set).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A sealer for the key `id`.
    pub fn sealer(&self, id: &CryptoKeyId) -> Result<Sealer<'_>> {
        self.get(id)
            .ok_or_else(|| Error::UnknownKeyId {
                key_id: id.to_string(),
            })?
            .material
            .sealer()
    }

    /// An opener over this keyring; `key_id` is the request's
    /// `X-KM-Crypto-Key-Id`, used when a JWE has no KONA `kid`.
    pub fn opener<'k>(&'k self, key_id: Option<&'k CryptoKeyId>) -> Opener<'k> {
        Opener::keyring(self, key_id)
    }
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
        Some(other) => Err(invalid(format!(
            "kid '{id}': kty '{}' is not supported",
            other.escape_debug()
        ))),
        None => Err(invalid(format!("kid '{id}': no kty"))),
    }
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
    let mut key = Zeroizing::new([0u8; 32]);
    let key = key.get_mut(..enc.key_len()).unwrap_or_default();
    rng.fill_bytes(key);
    let k = Zeroizing::new(URL_SAFE_NO_PAD.encode(&*key));
    key.fill(0);
    // kid (letters, digits, '-', '_'), alg and base64url need no JSON escaping.
    Zeroizing::new(format!(
        "{{\"keys\":[{{\"kty\":\"oct\",\"kid\":\"{kid}\",\"use\":\"enc\",\"alg\":\"{}\",\"k\":\"{}\"}}]}}\n",
        enc.name(),
        k.as_str()
    ))
}

/// A keyring that can be replaced while in use.
///
/// Readers [`load`](SharedKeyring::load) the current keyring (a lock-free
/// atomic read of an `Arc`) and keep using it for the whole operation, even
/// if a rotation happens meanwhile; [`rotate`](SharedKeyring::rotate) never
/// waits for them and they never fail because of it.
pub struct SharedKeyring {
    current: ArcSwap<Keyring>,
}

impl SharedKeyring {
    /// Starts with `ring`.
    pub fn new(ring: Keyring) -> SharedKeyring {
        SharedKeyring {
            current: ArcSwap::from_pointee(ring),
        }
    }

    /// The current keyring.
    pub fn load(&self) -> Arc<Keyring> {
        self.current.load_full()
    }

    /// Replaces the keyring; returns the previous one.
    pub fn rotate(&self, ring: Keyring) -> Arc<Keyring> {
        self.current.swap(Arc::new(ring))
    }
}

impl fmt::Debug for SharedKeyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedKeyring")
            .field("keys", &self.current.load().len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kid(c: char) -> CryptoKeyId {
        CryptoKeyId::parse(&c.to_string().repeat(32)).unwrap()
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let k = URL_SAFE_NO_PAD.encode([0x41u8; 32]);
        let json = format!(
            r#"{{"keys":[{{"kty":"oct","kid":"{}","alg":"A256GCM","k":"{k}"}}]}}"#,
            kid('a')
        );
        let ring = Keyring::from_jwks(&json).unwrap();
        let text = format!("{ring:?}");
        assert!(
            !text.contains(&k) && !text.contains("AAAA") && !text.contains("65, 65"),
            "{text}"
        );
        assert!(text.contains("redacted"));
    }

    #[test]
    fn bad_key_sets_say_which_key_and_why() {
        let k16 = URL_SAFE_NO_PAD.encode([1u8; 16]);
        let a = kid('a');
        let cases = [
            ("[]".to_owned(), "not a JSON Web Key Set"),
            (r#"{"keys":[]}"#.to_owned(), "no keys"),
            (
                format!(r#"{{"keys":[{{"kty":"oct","alg":"A128GCM","k":"{k16}"}}]}}"#),
                "key 0: no kid",
            ),
            (
                format!(
                    r#"{{"keys":[{{"kty":"oct","kid":"short","alg":"A128GCM","k":"{k16}"}}]}}"#
                ),
                "kid is not a key id",
            ),
            (
                format!(r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A256GCM","k":"{k16}"}}]}}"#),
                "takes a 256-bit key, not 128",
            ),
            (
                format!(r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A192GCM","k":"{k16}"}}]}}"#),
                "not A128GCM or A256GCM",
            ),
            (
                format!(r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A128GCM","k":"{k16}="}}]}}"#),
                "not unpadded base64url",
            ),
            (
                format!(
                    r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A128GCM","use":"sig","k":"{k16}"}}]}}"#
                ),
                "use is 'sig'",
            ),
            (
                format!(r#"{{"keys":[{{"kty":"EC","kid":"{a}"}}]}}"#),
                "kty 'EC'",
            ),
            (
                format!(
                    r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A128GCM","k":"{k16}"}},{{"kty":"oct","kid":"{a}","alg":"A128GCM","k":"{k16}"}}]}}"#
                ),
                "key 1: kid 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' is used twice",
            ),
        ];
        for (json, want) in cases {
            let e = Keyring::from_jwks(&json).unwrap_err();
            assert!(matches!(e, Error::InvalidKey { .. }), "{e:?}");
            assert!(e.to_string().contains(want), "{json}: {e}");
            assert!(!e.to_string().contains(&k16), "{e}");
        }
    }

    #[test]
    fn order_is_issue_order_and_first_is_callback() {
        let mut rng = rand::rng();
        let keys: Vec<String> = ['c', 'a', 'b']
            .iter()
            .map(|c| {
                let jwks = generate_jwks_with_rng(&kid(*c), ContentEncryption::A128Gcm, &mut rng);
                let start = jwks.find("[{").unwrap() + 1;
                let end = jwks.rfind("}]").unwrap() + 1;
                jwks[start..end].to_owned()
            })
            .collect();
        let ring = Keyring::from_jwks(&format!(r#"{{"keys":[{}]}}"#, keys.join(","))).unwrap();
        let ids: Vec<String> = ring.iter().map(|e| e.id().to_string()).collect();
        assert_eq!(ids, [kid('c'), kid('a'), kid('b')].map(|k| k.to_string()));
        assert_eq!(ring.callback_key().unwrap().id(), &kid('c'));
    }

    #[test]
    fn keyrings_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Keyring>();
        check::<SharedKeyring>();
    }
}
