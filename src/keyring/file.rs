//! One call that reads a key file of any format this crate knows.

use std::io::Read as _;
use std::path::Path;

use zeroize::Zeroizing;

use super::{KeyEntry, Keyring, jwk};
use crate::error::{Error, KeyProblem, Result};
use crate::ids::CryptoKeyId;
use crate::keys::{KeyMaterial, KeyPassword, RsaPrivateKey, RsaPublicKey, SingleKey, load_single};

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
    /// The largest key file read: 1 MiB (a JWK Set of hundreds of keys, or
    /// a PKCS#12 store with its chain, is a few kilobytes).
    pub const MAX_LEN: usize = 1 << 20;

    /// Reads `bytes`, finding the format. `password` opens a PKCS#12 store
    /// (and is ignored by every other format). More than
    /// [`KeyFile::MAX_LEN`] bytes are [`Error::TooLarge`].
    pub fn load(bytes: &[u8], password: Option<&KeyPassword>) -> Result<KeyFile> {
        if bytes.len() > KeyFile::MAX_LEN {
            return Err(Error::TooLarge {
                what: "key file",
                limit: KeyFile::MAX_LEN,
            });
        }
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
    /// [`KeyFile::load`]; errors name the file. Only a regular file is
    /// opened (a FIFO or a device would block or never end), and no more
    /// than [`KeyFile::MAX_LEN`] bytes of it are read.
    pub fn read(path: &Path, password: Option<&KeyPassword>) -> Result<KeyFile> {
        let what = || format!("the key file {}", path.display());
        let io = |e: std::io::Error| Error::Io {
            what: what(),
            source: e.into(),
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() {
            return Err(io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        // Sized once, so that no reallocation leaves a copy of a key behind.
        let room =
            usize::try_from(meta.len()).map_or(KeyFile::MAX_LEN, |n| n.min(KeyFile::MAX_LEN)) + 1;
        let mut bytes = Zeroizing::new(Vec::with_capacity(room));
        std::fs::File::open(path)
            .and_then(|f| f.take(KeyFile::MAX_LEN as u64 + 1).read_to_end(&mut bytes))
            .map_err(io)?;
        KeyFile::load(&bytes, password).map_err(|e| e.in_key(path.display()))
    }

    /// The keyring, if this is a key set or a JWK.
    pub fn into_keyring(self) -> Result<Keyring> {
        match self {
            KeyFile::Keyring(ring) => Ok(ring),
            _ => Err(wrong_kind("a JWK Set or JWK")),
        }
    }

    /// A keyring from any key file, for front ends that take "a key file"
    /// (the C ABI, the Python package): a key set keeps its own ids; an RSA
    /// key becomes the one key of a keyring under `id`: a public key seals
    /// to the other party, a private key opens. An RSA key without `id` is
    /// refused, as is a key set with one (its keys name themselves).
    pub fn into_keyring_as(self, id: Option<CryptoKeyId>) -> Result<Keyring> {
        let (id, material) = match (self, id) {
            (KeyFile::Keyring(ring), None) => return Ok(ring),
            (KeyFile::Keyring(_), Some(_)) => {
                return Err(Error::invalid_key(
                    KeyProblem::KeySet,
                    "a key set names its own keys: give no key id with it",
                ));
            }
            (KeyFile::Public(key), Some(id)) => (id, KeyMaterial::RsaSealTo(key)),
            (KeyFile::Private(key), Some(id)) => (id, KeyMaterial::RsaOpenWith(key)),
            (KeyFile::Public(_) | KeyFile::Private(_), None) => {
                return Err(Error::invalid_key(
                    KeyProblem::KeySet,
                    "an RSA key file names no key: give the key id it is known by",
                ));
            }
        };
        Keyring::from_entries(vec![KeyEntry::new(id, material)?])
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
