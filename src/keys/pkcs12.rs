//! PKCS#12 key stores (`.p12`, `.pfx`): the private key inside, opened with
//! the store's password. Both forms in use are read: PBES2 with AES and
//! PBKDF2 (what OpenSSL 3 writes) and the legacy PBE with 3DES or RC2 (what
//! Java's keytool and older OpenSSL write). The decryption is the
//! `p12-keystore` crate's; the store must carry its integrity MAC.

use der::Decode;

use super::file::KeyPassword;
use super::rsa::RsaPrivateKey;
use crate::error::{Error, KeyProblem, Result};

/// Whether `der` has the shape of a PKCS#12 PFX.
pub(crate) fn is_pfx(der: &[u8]) -> bool {
    pkcs12::pfx::Pfx::from_der(der).is_ok()
}

/// The one private key of a PKCS#12 store.
pub(crate) fn private_key(der: &[u8], password: Option<&KeyPassword>) -> Result<RsaPrivateKey> {
    let pfx = pkcs12::pfx::Pfx::from_der(der)
        .map_err(|_| Error::invalid_key(KeyProblem::Malformed, "not a DER PKCS#12 store"))?;
    if pfx.mac_data.is_none() {
        return Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "PKCS#12 stores without an integrity MAC are refused",
        ));
    }
    let password = password.ok_or_else(|| {
        Error::invalid_key(
            KeyProblem::PasswordRequired,
            "a PKCS#12 store needs its password",
        )
    })?;
    let archive = p12_keystore::Pkcs12Archive::from_pkcs12(der, password.expose_secret())
        .map_err(store_error)?;
    match archive.keys.as_slice() {
        [one] => RsaPrivateKey::from_pkcs8_der(one.key.as_der()),
        [] => Err(Error::invalid_key(
            KeyProblem::WrongKind,
            "the PKCS#12 store holds no private key",
        )),
        _ => Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "the PKCS#12 store holds more than one private key",
        )),
    }
}

fn store_error(e: p12_keystore::error::Error) -> Error {
    use p12_keystore::error::Error as P12;
    match e {
        P12::MacError(_) => Error::invalid_key(
            KeyProblem::WrongPassword,
            "the password does not open the PKCS#12 store (or the store was changed)",
        ),
        P12::UnsupportedEncryptionScheme
        | P12::UnsupportedMacAlgorithm
        | P12::UnsupportedContentType
        | P12::InvalidVersion => Error::invalid_key(
            KeyProblem::Unsupported,
            "the PKCS#12 store uses a scheme this crate does not read",
        ),
        _ => Error::invalid_key(KeyProblem::Malformed, "the PKCS#12 store cannot be read"),
    }
}
