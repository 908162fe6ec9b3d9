//! One call that reads a key file of any format this crate knows.

use std::path::Path;

use zeroize::Zeroizing;

use super::{Keyring, jwk};
use crate::error::{Error, KeyProblem, Result};
use crate::keys::{KeyPassword, RsaPrivateKey, RsaPublicKey, SingleKey, load_single};

/// What a key file holds, its format found from its bytes: a JWK Set or a
/// single JWK (a keyring); a PEM or DER X.509 certificate or SPKI (a public
/// key); a PEM or DER PKCS#8, PKCS#1 or PKCS#12 store (a private key).
///
/// ```
/// use konaplate_crypto::{KeyFile, KeyPassword, KeyProblem, Error};
/// # let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-vectors/rsa");
/// let cert = KeyFile::read(&dir.join("server-certificate.pem"), None)?.into_public()?;
/// let key = KeyFile::read(&dir.join("client-private-pkcs8.der"), None)?.into_private()?;
/// let p12 = std::fs::read(dir.join("client-legacy.p12")).unwrap();
/// assert!(matches!(
///     KeyFile::load(&p12, None),
///     Err(Error::InvalidKey { problem: KeyProblem::PasswordRequired, .. })
/// ));
/// let from_store = KeyFile::load(&p12, Some(&KeyPassword::from("test password")))?.into_private()?;
/// assert_eq!(from_store.bits(), 2048);
/// # Ok::<(), konaplate_crypto::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum KeyFile {
    /// A JSON Web Key Set, or one JSON Web Key (a keyring of one key).
    Keyring(Keyring),
    /// An RSA public key: from a certificate or an SPKI.
    Public(RsaPublicKey),
    /// An RSA private key: from PKCS#8, PKCS#1 or a PKCS#12 store.
    Private(RsaPrivateKey),
}

impl KeyFile {
    /// Reads `bytes`, finding the format. `password` opens a PKCS#12 store
    /// (and is ignored by every other format).
    pub fn load(bytes: &[u8], password: Option<&KeyPassword>) -> Result<KeyFile> {
        if bytes.trim_ascii_start().starts_with(b"{") {
            let text = core::str::from_utf8(bytes).map_err(|_| {
                Error::invalid_key(KeyProblem::Malformed, "a JSON key file is not UTF-8")
            })?;
            return if jwk::is_set(text) {
                Keyring::from_jwks(text).map(KeyFile::Keyring)
            } else {
                Keyring::merged(vec![jwk::load_one(text)?]).map(KeyFile::Keyring)
            };
        }
        Ok(match load_single(bytes, password)? {
            SingleKey::Public(k) => KeyFile::Public(k),
            SingleKey::Private(k) => KeyFile::Private(k),
        })
    }

    /// Reads the file at `path` (into memory wiped afterwards), as
    /// [`KeyFile::load`]; errors name the file.
    pub fn read(path: &Path, password: Option<&KeyPassword>) -> Result<KeyFile> {
        let bytes = std::fs::read(path)
            .map(Zeroizing::new)
            .map_err(|e| Error::Io {
                what: format!("the key file {}", path.display()),
                source: e.into(),
            })?;
        KeyFile::load(&bytes, password).map_err(|e| e.in_key(path.display()))
    }

    /// The keyring, if this is a key set or a JWK.
    pub fn into_keyring(self) -> Result<Keyring> {
        match self {
            KeyFile::Keyring(ring) => Ok(ring),
            _ => Err(wrong_kind("a JWK Set or JWK")),
        }
    }

    /// The public key, if this is a certificate or an SPKI.
    pub fn into_public(self) -> Result<RsaPublicKey> {
        match self {
            KeyFile::Public(key) => Ok(key),
            _ => Err(wrong_kind("a certificate or public key")),
        }
    }

    /// The private key, if this is PKCS#8, PKCS#1 or PKCS#12.
    pub fn into_private(self) -> Result<RsaPrivateKey> {
        match self {
            KeyFile::Private(key) => Ok(key),
            _ => Err(wrong_kind("a private key")),
        }
    }
}

fn wrong_kind(wanted: &str) -> Error {
    Error::invalid_key(
        KeyProblem::WrongKind,
        format!("the file holds another kind of key than {wanted}"),
    )
}
