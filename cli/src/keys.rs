//! Loading keys named on the command line.

use std::path::Path;

use konaplate_crypto::ids::CryptoKeyId;
use konaplate_crypto::keyring::Keyring;
use zeroize::Zeroizing;

use crate::args::{OpenKey, SealKey};
use crate::{Failure, fail};

/// Reads a key file; its text is wiped when dropped.
pub fn read_key_file(flag: &str, path: &Path) -> Result<Zeroizing<String>, Failure> {
    let bytes = Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| fail(format!("cannot read {flag} {}: {e}", path.display())))?,
    );
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(fail(format!("{flag} {}: not UTF-8 text", path.display()))),
    }
}

fn keyring(path: &Path) -> Result<Keyring, Failure> {
    let text = read_key_file("--keyring", path)?;
    Keyring::from_jwks(&text).map_err(|e| fail(format!("--keyring {}: {e}", path.display())))
}

fn key_id(text: &str) -> Result<CryptoKeyId, Failure> {
    CryptoKeyId::parse(text).map_err(|e| fail(format!("--key-id: {e}")))
}

/// The keyring and key id to seal with.
pub fn seal_key(args: &SealKey) -> Result<(Keyring, CryptoKeyId), Failure> {
    match (&args.keyring, &args.key_id) {
        (Some(path), Some(id)) => Ok((keyring(path)?, key_id(id)?)),
        _ => Err(fail("give --keyring FILE and --key-id ID")),
    }
}

/// The keyring and optional key id to open with.
pub fn open_key(args: &OpenKey) -> Result<(Keyring, Option<CryptoKeyId>), Failure> {
    let id = args.key_id.as_deref().map(key_id).transpose()?;
    Ok((keyring(&args.keyring)?, id))
}
