//! One key from a file's bytes, its format found from its structure: PEM by
//! its label, DER by which structure it parses as (each parse consumes the
//! whole input, so no two formats can both match).

use core::fmt;

use der::Decode;
use zeroize::Zeroizing;

use super::pkcs12;
use super::rsa::{RsaPrivateKey, RsaPublicKey};
use crate::error::{Error, KeyProblem, Result, quoted};

/// The password of a key store. Wiped on drop, never printed.
#[derive(Clone)]
pub struct KeyPassword(Zeroizing<String>);

impl KeyPassword {
    /// Takes ownership of the password.
    pub fn new(password: String) -> KeyPassword {
        KeyPassword(Zeroizing::new(password))
    }

    /// The value of the environment variable `var`, as UTF-8 text, with the
    /// rules of [`ProjectSecret::from_env`](crate::ProjectSecret::from_env).
    pub fn from_env(var: &str) -> Result<KeyPassword> {
        let bytes = crate::secret::env_secret(var)?;
        let text = core::str::from_utf8(&bytes).map_err(|_| Error::InvalidSecret {
            reason: format!("environment variable {var} is not UTF-8"),
        })?;
        Ok(KeyPassword::from(text))
    }

    /// The password's text.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl From<&str> for KeyPassword {
    fn from(s: &str) -> KeyPassword {
        KeyPassword::new(s.to_owned())
    }
}

impl fmt::Debug for KeyPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyPassword([redacted])")
    }
}

/// A single RSA key read from PEM or DER.
pub(crate) enum SingleKey {
    Public(RsaPublicKey),
    Private(RsaPrivateKey),
}

/// Reads a PEM or DER key; `password` opens a PKCS#12 store.
pub(crate) fn load_single(bytes: &[u8], password: Option<&KeyPassword>) -> Result<SingleKey> {
    if bytes.trim_ascii_start().starts_with(b"-----BEGIN ") {
        load_pem(bytes)
    } else {
        load_der(bytes, password)
    }
}

fn load_pem(bytes: &[u8]) -> Result<SingleKey> {
    let not_pem = || {
        Error::invalid_key(
            KeyProblem::Malformed,
            "not a PEM document (one block, base64 inside)",
        )
    };
    let bytes = bytes.trim_ascii();
    let (label, der) = match pem_rfc7468::decode_vec(bytes) {
        Ok((label, der)) => (label, Zeroizing::new(der)),
        Err(_) => decode_other_lines(bytes).ok_or_else(not_pem)?,
    };
    match label {
        "CERTIFICATE" => RsaPublicKey::from_certificate_der(&der).map(SingleKey::Public),
        "PUBLIC KEY" => RsaPublicKey::from_spki_der(&der).map(SingleKey::Public),
        "PRIVATE KEY" => RsaPrivateKey::from_pkcs8_der(&der).map(SingleKey::Private),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der).map(SingleKey::Private),
        "ENCRYPTED PRIVATE KEY" => Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "the private key is password-protected PKCS#8; decrypt it first, \
             or export it as PKCS#12",
        )),
        other => Err(Error::invalid_key(
            KeyProblem::UnknownFormat,
            format!(
                "PEM label '{}' is not CERTIFICATE, PUBLIC KEY, PRIVATE KEY or RSA PRIVATE KEY",
                quoted(other)
            ),
        )),
    }
}

/// A PEM block whose base64 lines are not RFC 7468's 64 characters: Java's
/// `Base64.getMimeEncoder()` writes 76 with CRLF, and OpenSSL reads any
/// length (RFC 7468, section 2, lets a parser be that lax). The block is
/// still one label, matching BEGIN and END lines, and padded standard
/// base64 with nothing but line breaks and blanks between its characters.
fn decode_other_lines(pem: &[u8]) -> Option<(&str, Zeroizing<Vec<u8>>)> {
    use base64::Engine as _;

    let text = core::str::from_utf8(pem).ok()?;
    let rest = text.strip_prefix("-----BEGIN ")?;
    let (label, rest) = rest.split_once("-----")?;
    let end = format!("-----END {label}-----");
    let body = rest.strip_suffix(end.as_str())?;
    if label.is_empty() || label.contains(['\r', '\n']) || body.contains('-') {
        return None;
    }
    let base64: Zeroizing<Vec<u8>> = Zeroizing::new(
        body.bytes()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect(),
    );
    let der = base64::engine::general_purpose::STANDARD
        .decode(base64.as_slice())
        .ok()?;
    Some((label, Zeroizing::new(der)))
}

fn load_der(der: &[u8], password: Option<&KeyPassword>) -> Result<SingleKey> {
    if x509_cert::Certificate::from_der(der).is_ok() {
        RsaPublicKey::from_certificate_der(der).map(SingleKey::Public)
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        RsaPublicKey::from_spki_der(der).map(SingleKey::Public)
    } else if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
        RsaPrivateKey::from_pkcs8_der(der).map(SingleKey::Private)
    } else if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        RsaPrivateKey::from_pkcs1_der(der).map(SingleKey::Private)
    } else if pkcs12::is_pfx(der) {
        pkcs12::private_key(der, password).map(SingleKey::Private)
    } else {
        Err(Error::invalid_key(
            KeyProblem::UnknownFormat,
            "not a key format this crate reads (JWK, JWK Set, PEM, or DER certificate, \
             SPKI, PKCS#8, PKCS#1 or PKCS#12)",
        ))
    }
}
