//! Loading keys named on the command line.

use std::path::Path;

use konaplate_crypto::ids::CryptoKeyId;
use konaplate_crypto::jwe::{ContentEncryption, Opener, Sealer};
use konaplate_crypto::keyring::{KeyMaterial, Keyring};
use konaplate_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use zeroize::Zeroizing;

use crate::args::{OpenKey, SealKey};
use crate::{Failure, fail};

/// Keys loaded from files: a keyring (and the key id given), or one key.
pub enum Loaded {
    Ring(Keyring, Option<CryptoKeyId>),
    Key(KeyMaterial),
}

impl Loaded {
    /// The sealer: the named keyring entry, or the one key; `enc` if given.
    pub fn sealer(&self, enc: Option<&str>) -> Result<Sealer<'_>, Failure> {
        let sealer = match self {
            Loaded::Ring(ring, Some(id)) => ring.sealer(id)?,
            Loaded::Ring(_, None) => return Err(fail("give --key-id with --keyring")),
            Loaded::Key(material) => material.sealer()?,
        };
        match enc {
            None => Ok(sealer),
            Some(e) => {
                let enc = e
                    .parse::<ContentEncryption>()
                    .map_err(|_| fail("--enc: expected A128GCM or A256GCM"))?;
                Ok(sealer.with_enc(enc)?)
            }
        }
    }

    /// The opener: by kid or the key id given, or the one key.
    pub fn opener(&self) -> Opener<'_> {
        match self {
            Loaded::Ring(ring, id) => ring.opener(id.as_ref()),
            Loaded::Key(material) => Opener::key(material),
        }
    }
}

/// Reads a key file; its bytes are wiped when dropped.
fn read_key_file(flag: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>, Failure> {
    std::fs::read(path)
        .map(Zeroizing::new)
        .map_err(|e| fail(format!("cannot read {flag} {}: {e}", path.display())))
}

fn as_text<'a>(flag: &str, path: &Path, bytes: &'a [u8]) -> Result<&'a str, Failure> {
    std::str::from_utf8(bytes)
        .map_err(|_| fail(format!("{flag} {}: not UTF-8 text", path.display())))
}

fn is_pem(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(b"-----BEGIN")
}

fn keyring(path: &Path) -> Result<Keyring, Failure> {
    let bytes = read_key_file("--keyring", path)?;
    Keyring::from_jwks(as_text("--keyring", path, &bytes)?)
        .map_err(|e| fail(format!("--keyring {}: {e}", path.display())))
}

fn key_id(text: &str) -> Result<CryptoKeyId, Failure> {
    CryptoKeyId::parse(text).map_err(|e| fail(format!("--key-id: {e}")))
}

/// A key file in PEM (detected by its `-----BEGIN`) or else DER.
fn pem_or_der<K>(
    flag: &str,
    path: &Path,
    from_pem: fn(&str) -> konaplate_crypto::Result<K>,
    from_der: fn(&[u8]) -> konaplate_crypto::Result<K>,
) -> Result<K, Failure> {
    let bytes = read_key_file(flag, path)?;
    let key = if is_pem(&bytes) {
        from_pem(as_text(flag, path, &bytes)?)
    } else {
        from_der(&bytes)
    };
    key.map_err(|e| fail(format!("{flag} {}: {e}", path.display())))
}

/// The key to seal with.
pub fn seal_key(args: &SealKey) -> Result<Loaded, Failure> {
    match (&args.keyring, &args.cert, &args.public_key) {
        (Some(path), None, None) => {
            let id = args.key_id.as_deref().map(key_id).transpose()?;
            Ok(Loaded::Ring(keyring(path)?, id))
        }
        (None, Some(path), None) => rsa_public("--cert", path),
        (None, None, Some(path)) => rsa_public("--public-key", path),
        _ => Err(fail(
            "give one of --keyring FILE --key-id ID, --cert PEM or --public-key PEM",
        )),
    }
}

fn rsa_public(flag: &str, path: &Path) -> Result<Loaded, Failure> {
    let key = pem_or_der(flag, path, RsaPublicKey::from_pem, RsaPublicKey::from_der)?;
    Ok(Loaded::Key(KeyMaterial::from_rsa(Some(key), None)?))
}

/// The keys to open with.
pub fn open_key(args: &OpenKey) -> Result<Loaded, Failure> {
    match (&args.keyring, &args.private_key) {
        (Some(path), None) => {
            let id = args.key_id.as_deref().map(key_id).transpose()?;
            Ok(Loaded::Ring(keyring(path)?, id))
        }
        (None, Some(path)) => {
            let key = pem_or_der(
                "--private-key",
                path,
                RsaPrivateKey::from_pem,
                RsaPrivateKey::from_der,
            )?;
            Ok(Loaded::Key(KeyMaterial::from_rsa(None, Some(key))?))
        }
        _ => Err(fail("give one of --keyring FILE or --private-key PEM")),
    }
}
