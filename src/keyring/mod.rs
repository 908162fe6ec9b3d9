//! Keys named by `X-KM-Crypto-Key-Id`, held in issue order.
//!
//! A key set is a JSON Web Key Set:
//!
//! ```json
//! {"keys": [
//!   {"kty": "oct", "kid": "<32-character key id>", "alg": "A256GCM", "k": "<base64url>"}
//! ]}
//! ```
//!
//! Keys keep their issue order; the first is the callback key. A symmetric
//! key's AES key schedule and its base64url JWE headers are computed once,
//! at load; lookups by id are hashed. Key bytes are wiped on drop and never
//! printed.
//!
//! A [`Keyring`] is immutable, cheap to clone, `Send` and `Sync`. To rotate
//! keys while serving, hold a [`SharedKeyring`]: [`SharedKeyring::rotate`]
//! swaps in a new keyring without locks, and an operation that loaded the
//! old one finishes with it.

mod file;
mod jwk;
mod shared;

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

pub use file::KeyFile;
pub use jwk::{generate_jwks, generate_jwks_with_rng};
pub use shared::SharedKeyring;

use crate::error::{Error, KeyProblem, Result};
use crate::ids::CryptoKeyId;
use crate::jwe::{KeyLookup, KeySelection, Opener, Sealer};
use crate::keys::KeyMaterial;

/// One key of a keyring: its id and material.
#[derive(Clone, Debug)]
pub struct KeyEntry {
    id: CryptoKeyId,
    material: KeyMaterial,
}

impl KeyEntry {
    /// An entry of `material` under `id`. A symmetric key made for another
    /// kid is refused: it would seal JWEs that name that other kid, which
    /// this entry could not open.
    pub fn new(id: CryptoKeyId, material: KeyMaterial) -> Result<KeyEntry> {
        material.check_id(&id)?;
        Ok(KeyEntry { id, material })
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

/// An immutable set of keys in issue order. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Keyring(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    entries: Vec<KeyEntry>,
    index: HashMap<CryptoKeyId, usize>,
}

impl KeyLookup for Inner {
    fn key(&self, id: &CryptoKeyId) -> Option<&KeyMaterial> {
        let i = self.index.get(id)?;
        self.entries.get(*i).map(|e| &e.material)
    }

    fn callback_key(&self) -> Option<(&CryptoKeyId, &KeyMaterial)> {
        self.entries.first().map(|e| (&e.id, &e.material))
    }
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
        Keyring::merged(jwk::load_set(json)?)
    }

    /// Entries in issue order; the two RSA halves of one kid are merged.
    fn merged(loaded: Vec<KeyEntry>) -> Result<Keyring> {
        let mut entries: Vec<KeyEntry> = Vec::with_capacity(loaded.len());
        let mut index = HashMap::with_capacity(loaded.len());
        for (i, entry) in loaded.into_iter().enumerate() {
            match index.entry(entry.id) {
                Entry::Vacant(slot) => {
                    slot.insert(entries.len());
                    entries.push(entry);
                }
                Entry::Occupied(slot) => {
                    let twice = || {
                        Error::invalid_key(
                            KeyProblem::KeySet,
                            format!("key {i}: kid '{}' is used twice", entry.id),
                        )
                    };
                    let existing = entries.get_mut(*slot.get()).ok_or_else(twice)?;
                    existing.material = existing
                        .material
                        .clone()
                        .merge(entry.material.clone())
                        .ok_or_else(twice)?;
                }
            }
        }
        Ok(Keyring(Arc::new(Inner { entries, index })))
    }

    /// A keyring of the given entries, in issue order. An id used twice, or
    /// no entry at all, is refused.
    pub fn from_entries(entries: Vec<KeyEntry>) -> Result<Keyring> {
        if entries.is_empty() {
            return Err(Error::invalid_key(
                KeyProblem::KeySet,
                "a keyring needs a key",
            ));
        }
        let mut index = HashMap::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            if index.insert(e.id, i).is_some() {
                return Err(Error::invalid_key(
                    KeyProblem::KeySet,
                    format!("kid '{}' is used twice", e.id),
                ));
            }
        }
        Ok(Keyring(Arc::new(Inner { entries, index })))
    }

    /// The key with this id.
    pub fn get(&self, id: &CryptoKeyId) -> Option<&KeyEntry> {
        let i = self.0.index.get(id)?;
        self.0.entries.get(*i)
    }

    /// The first key issued: the one callbacks use.
    pub fn callback_key(&self) -> Option<&KeyEntry> {
        self.0.entries.first()
    }

    /// Every key, in issue order.
    pub fn iter(&self) -> impl Iterator<Item = &KeyEntry> {
        self.0.entries.iter()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.0.entries.len()
    }

    /// Whether the keyring is empty (never, when loaded).
    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    /// A sealer for the key `id`: `dir` for a symmetric key, `RSA-OAEP-256`
    /// with `A128GCM` to an RSA public key.
    pub fn sealer(&self, id: &CryptoKeyId) -> Result<Sealer> {
        let entry = self.get(id).ok_or_else(|| Error::UnknownKeyId {
            key_id: id.to_string(),
        })?;
        Sealer::for_material(&entry.material)
    }

    /// An opener over this keyring, picking keys by `selection`.
    pub fn opener(&self, selection: KeySelection) -> Opener {
        Opener::over(self.0.clone(), selection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jwe::enc::ContentEncryption;
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
        use KeyProblem::*;
        let k16 = URL_SAFE_NO_PAD.encode([1u8; 16]);
        let a = kid('a');
        let oct = |members: &str| format!(r#"{{"keys":[{{"kty":"oct",{members}}}]}}"#);
        let cases = [
            ("[]".to_owned(), Malformed, None),
            (r#"{"keys":[]}"#.to_owned(), KeySet, None),
            (
                oct(&format!(r#""alg":"A128GCM","k":"{k16}""#)),
                Malformed,
                Some("key 0"),
            ),
            (
                oct(&format!(r#""kid":"short","alg":"A128GCM","k":"{k16}""#)),
                Malformed,
                Some("key 0"),
            ),
            (
                oct(&format!(r#""kid":"{a}","alg":"A256GCM","k":"{k16}""#)),
                Malformed,
                Some("key 0"),
            ),
            (
                oct(&format!(r#""kid":"{a}","alg":"A192GCM","k":"{k16}""#)),
                Unsupported,
                Some("key 0"),
            ),
            (
                oct(&format!(r#""kid":"{a}","alg":"A128GCM","k":"{k16}=""#)),
                Malformed,
                Some("key 0"),
            ),
            (
                oct(&format!(
                    r#""kid":"{a}","alg":"A128GCM","use":"sig","k":"{k16}""#
                )),
                Unsupported,
                Some("key 0"),
            ),
            (
                format!(r#"{{"keys":[{{"kty":"EC","kid":"{a}"}}]}}"#),
                Unsupported,
                Some("key 0"),
            ),
            (
                format!(
                    r#"{{"keys":[{{"kty":"oct","kid":"{a}","alg":"A128GCM","k":"{k16}"}},{{"kty":"oct","kid":"{a}","alg":"A128GCM","k":"{k16}"}}]}}"#
                ),
                KeySet,
                Some("key 1"),
            ),
        ];
        for (json, want, which) in cases {
            let e = Keyring::from_jwks(&json).unwrap_err();
            assert!(
                matches!(e, Error::InvalidKey { problem, .. } if problem == want),
                "{json}: {e:?}"
            );
            if let Some(which) = which {
                assert!(e.to_string().contains(which), "{json}: {e}");
            }
            assert!(!e.to_string().contains(&k16), "{e}");
        }
    }

    /// Issue 8, item 10: member values of a key file never reach an error
    /// message (before the fix, `alg`, `use` and `kty` were quoted whole).
    #[test]
    fn key_file_member_values_are_never_quoted() {
        let a = kid('a');
        let k16 = URL_SAFE_NO_PAD.encode([1u8; 16]);
        let leak = "SECRET-LOOKING-VALUE-4111111111111111";
        for members in [
            format!(r#""kty":"oct","kid":"{a}","alg":"{leak}","k":"{k16}""#),
            format!(r#""kty":"oct","kid":"{a}","alg":"A128GCM","use":"{leak}","k":"{k16}""#),
            format!(r#""kty":"{leak}","kid":"{a}""#),
            format!(r#""kty":"RSA","kid":"{a}","alg":"{leak}","n":"AQAB","e":"AQAB""#),
        ] {
            let json = format!(r#"{{"keys":[{{{members}}}]}}"#);
            let e = Keyring::from_jwks(&json).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidKey);
            assert!(!e.to_string().contains("4111"), "{e}");
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
