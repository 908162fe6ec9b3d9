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

pub use jwk::{generate_jwks, generate_jwks_with_rng};

use crate::error::{Error, Result};
use crate::ids::CryptoKeyId;
use crate::jwe::alg::dir::DirHeaders;
use crate::jwe::enc::ContentEncryption;
use crate::jwe::enc::aes_gcm::ContentCipher;
use crate::jwe::{Opener, Sealer};
use crate::rsa::{RsaPrivateKey, RsaPublicKey};

mod jwk;

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

/// The key material held under one key id: a symmetric key, or RSA keys.
///
/// An RSA entry can hold the server's public key (to seal requests) and the
/// client's own private key (to open responses): two different key pairs
/// under one key id. A private key's own public half is never used to seal,
/// so a request is never sealed to the wrong party by accident.
#[derive(Clone, Debug)]
pub struct KeyMaterial {
    symmetric: Option<SymmetricKey>,
    rsa_public: Option<Arc<RsaPublicKey>>,
    rsa_private: Option<Arc<RsaPrivateKey>>,
}

impl KeyMaterial {
    /// Material holding one symmetric key.
    pub fn from_symmetric(key: SymmetricKey) -> KeyMaterial {
        KeyMaterial {
            symmetric: Some(key),
            rsa_public: None,
            rsa_private: None,
        }
    }

    /// Material holding RSA keys: a public key to seal to, a private key to
    /// open with, or both.
    pub fn from_rsa(
        public: Option<RsaPublicKey>,
        private: Option<RsaPrivateKey>,
    ) -> Result<KeyMaterial> {
        if public.is_none() && private.is_none() {
            return Err(Error::InvalidKey {
                reason: "an RSA entry needs a public key, a private key, or both".into(),
            });
        }
        Ok(KeyMaterial {
            symmetric: None,
            rsa_public: public.map(Arc::new),
            rsa_private: private.map(Arc::new),
        })
    }

    /// The symmetric key, if this is a symmetric entry.
    pub fn symmetric(&self) -> Option<&SymmetricKey> {
        self.symmetric.as_ref()
    }

    /// The RSA public key to seal to, if any.
    pub fn rsa_public(&self) -> Option<&RsaPublicKey> {
        self.rsa_public.as_deref()
    }

    /// The RSA private key to open with, if any.
    pub fn rsa_private(&self) -> Option<&RsaPrivateKey> {
        self.rsa_private.as_deref()
    }

    /// A sealer: `dir` for a symmetric key, `RSA-OAEP-256` with `A128GCM`
    /// for an RSA public key (change with [`Sealer::with_enc`]).
    pub fn sealer(&self) -> Result<Sealer<'_>> {
        if let Some(key) = &self.symmetric {
            return Ok(Sealer::dir(key));
        }
        match &self.rsa_public {
            Some(key) => Ok(Sealer::rsa_oaep_256(key, ContentEncryption::A128Gcm)),
            None => Err(Error::KeyMismatch {
                reason: "this entry holds no public key to seal to (only a private key)".into(),
            }),
        }
    }

    /// Merges two RSA halves given separately under one key id.
    fn merge(self, other: KeyMaterial) -> Option<KeyMaterial> {
        let rsa_only = |m: &KeyMaterial| m.symmetric.is_none();
        if !rsa_only(&self) || !rsa_only(&other) {
            return None;
        }
        let public = match (self.rsa_public, other.rsa_public) {
            (Some(_), Some(_)) => return None,
            (a, b) => a.or(b),
        };
        let private = match (self.rsa_private, other.rsa_private) {
            (Some(_), Some(_)) => return None,
            (a, b) => a.or(b),
        };
        Some(KeyMaterial {
            symmetric: None,
            rsa_public: public,
            rsa_private: private,
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
    /// An entry of `material` under `id`.
    pub fn new(id: CryptoKeyId, material: KeyMaterial) -> KeyEntry {
        KeyEntry { id, material }
    }

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

impl Keyring {
    /// Loads a JSON Web Key Set. Every key needs a `kid` that is a 32-character
    /// key id, used once; symmetric keys are `kty: "oct"` with `alg` `A128GCM`
    /// or `A256GCM` and `k` of the matching length; RSA keys are `kty: "RSA"`
    /// (`alg`, if present, `RSA-OAEP-256`), public (`n`, `e`) or private (also
    /// `d`, `p`, `q`, `dp`, `dq`, `qi`), 2048 bits or more. A public and a
    /// private RSA key may share a kid: the entry then seals to the public
    /// one and opens with the private one. `use`, if present, is `enc`.
    pub fn from_jwks(json: &str) -> Result<Keyring> {
        let loaded = jwk::load_set(json)?;
        let mut entries: Vec<KeyEntry> = Vec::with_capacity(loaded.len());
        for (i, entry) in loaded.into_iter().enumerate() {
            match entries.iter_mut().find(|e| e.id == entry.id) {
                None => entries.push(entry),
                Some(existing) => {
                    let twice = || Error::InvalidKey {
                        reason: format!("key {i}: kid '{}' is used twice", entry.id),
                    };
                    existing.material = existing
                        .material
                        .clone()
                        .merge(entry.material)
                        .ok_or_else(twice)?;
                }
            }
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
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

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
