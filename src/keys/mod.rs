//! Key types, and reading them from files: symmetric AES-GCM keys, RSA keys,
//! and what one key id holds ([`KeyMaterial`]).
//!
//! Keys sit below the JWE layer: they use its primitives (the AES-GCM key
//! schedule, the `dir` header text) and know nothing of sealers, openers or
//! keyrings.

mod file;
mod pkcs12;
mod rsa;

use core::fmt;
use std::sync::Arc;

pub use file::KeyPassword;
pub(crate) use file::{SingleKey, load_single};
pub use rsa::{MIN_RSA_BITS, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey};

pub(crate) use rsa::Oaep;

use crate::error::{Error, KeyProblem, Result};
use crate::ids::CryptoKeyId;
use crate::jwe::alg::dir::DirHeaders;
use crate::jwe::enc::ContentEncryption;
use crate::jwe::enc::aes_gcm::ContentCipher;

/// A symmetric AES-GCM key, its key schedule and `dir` headers computed
/// once. Cheap to clone; the key bytes are wiped when the last clone drops.
#[derive(Clone)]
pub struct SymmetricKey(Arc<SymmetricInner>);

pub(crate) struct SymmetricInner {
    pub(crate) cipher: ContentCipher,
    pub(crate) headers: DirHeaders,
    kid: Option<CryptoKeyId>,
}

impl SymmetricKey {
    /// A key for `enc` from its raw bytes (16 for A128GCM, 32 for A256GCM);
    /// `kid` goes into the headers of what it seals.
    pub fn new(
        enc: ContentEncryption,
        key: &[u8],
        kid: Option<&CryptoKeyId>,
    ) -> Result<SymmetricKey> {
        Ok(SymmetricKey(Arc::new(SymmetricInner {
            cipher: ContentCipher::new(enc, key)?,
            headers: DirHeaders::new(enc, kid),
            kid: kid.copied(),
        })))
    }

    /// The content encryption this key is for.
    pub fn enc(&self) -> ContentEncryption {
        self.0.cipher.enc()
    }

    /// The key id this key writes into the headers it seals, if any.
    pub fn kid(&self) -> Option<&CryptoKeyId> {
        self.0.kid.as_ref()
    }

    pub(crate) fn inner(&self) -> &SymmetricInner {
        &self.0
    }
}

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SymmetricKey({}, [redacted])", self.enc().name())
    }
}

/// What one key id holds. Cheap to clone.
///
/// An RSA entry of a client holds the server's public key (to seal
/// requests) and the client's own private key (to open responses): two
/// different key pairs under one key id. A private key's own public half is
/// never used to seal, so a request is never sealed to the wrong party by
/// accident.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeyMaterial {
    /// A shared AES key: seals and opens with `alg: "dir"`.
    Symmetric(SymmetricKey),
    /// The other party's RSA public key: seals only (`RSA-OAEP-256`).
    RsaSealTo(RsaPublicKey),
    /// One's own RSA private key: opens only.
    RsaOpenWith(RsaPrivateKey),
    /// Both: seals to the other party, opens with one's own key.
    RsaPair {
        /// The other party's public key.
        seal_to: RsaPublicKey,
        /// One's own private key.
        open_with: RsaPrivateKey,
    },
}

impl KeyMaterial {
    /// The symmetric key, if this is a symmetric entry.
    pub fn symmetric(&self) -> Option<&SymmetricKey> {
        match self {
            KeyMaterial::Symmetric(k) => Some(k),
            _ => None,
        }
    }

    /// The RSA public key to seal to, if any.
    pub fn rsa_seal_to(&self) -> Option<&RsaPublicKey> {
        match self {
            KeyMaterial::RsaSealTo(k) | KeyMaterial::RsaPair { seal_to: k, .. } => Some(k),
            _ => None,
        }
    }

    /// The RSA private key to open with, if any.
    pub fn rsa_open_with(&self) -> Option<&RsaPrivateKey> {
        match self {
            KeyMaterial::RsaOpenWith(k) | KeyMaterial::RsaPair { open_with: k, .. } => Some(k),
            _ => None,
        }
    }

    /// Merges the two RSA halves a key set gives separately under one key
    /// id; `None` for any other pair.
    pub(crate) fn merge(self, other: KeyMaterial) -> Option<KeyMaterial> {
        match (self, other) {
            (KeyMaterial::RsaSealTo(seal_to), KeyMaterial::RsaOpenWith(open_with))
            | (KeyMaterial::RsaOpenWith(open_with), KeyMaterial::RsaSealTo(seal_to)) => {
                Some(KeyMaterial::RsaPair { seal_to, open_with })
            }
            _ => None,
        }
    }

    /// Refuses material that would seal with another `kid` than `id`: such
    /// an entry could not open its own output.
    pub(crate) fn check_id(&self, id: &CryptoKeyId) -> Result<()> {
        match self.symmetric().and_then(SymmetricKey::kid) {
            Some(kid) if kid != id => Err(Error::invalid_key(
                KeyProblem::KeySet,
                format!("a key made for kid '{kid}' cannot be held under '{id}'"),
            )),
            _ => Ok(()),
        }
    }
}
