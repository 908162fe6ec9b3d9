//! RSA keys for the platform's key wrap (`RSA-OAEP-256`), loaded from
//! certificates, PEM and DER, or JWK components.
//!
//! The RSA arithmetic is AWS-LC's (through `aws-lc-rs`): constant-time,
//! blinded private-key operations. The README says why this crate does not
//! use the pure-Rust `rsa` crate for them. Keys under 2048 bits are refused.
//!
//! ```
//! use konaplate_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
//! # let pem = include_str!("../test-vectors/rsa/client-private-pkcs8.pem");
//! # let cert = include_str!("../test-vectors/rsa/client-certificate.pem");
//! let private = RsaPrivateKey::from_pem(pem)?;     // PKCS#8 or PKCS#1
//! let public = RsaPublicKey::from_pem(cert)?;      // certificate or SPKI
//! assert_eq!(public.bits(), 2048);
//! assert_eq!(format!("{private:?}"), "RsaPrivateKey(2048 bits, [redacted])");
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use core::fmt;

use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use der::asn1::{BitStringRef, OctetStringRef, UintRef};
use der::{Decode, Encode};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Smallest modulus accepted, in bits.
pub const MIN_BITS: usize = 2048;

fn invalid(reason: impl Into<String>) -> Error {
    Error::InvalidKey {
        reason: reason.into(),
    }
}

fn rejected(e: aws_lc_rs::error::KeyRejected) -> Error {
    match e.description_() {
        "TooSmall" => invalid(format!("RSA keys under {MIN_BITS} bits are refused")),
        "TooLarge" => invalid("RSA keys over 8192 bits are not supported"),
        _ => invalid("not a valid RSA key"),
    }
}

/// The OAEP variant of a key-management algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Oaep {
    /// SHA-256 and MGF1-SHA-256 (`RSA-OAEP-256`).
    Sha256,
    /// SHA-1 and MGF1-SHA-1 (`RSA-OAEP`): opening only, when allowed.
    Sha1,
}

impl Oaep {
    fn algorithm(self) -> &'static OaepAlgorithm {
        match self {
            Oaep::Sha256 => &OAEP_SHA256_MGF1SHA256,
            Oaep::Sha1 => &OAEP_SHA1_MGF1SHA1,
        }
    }
}

/// An RSA public key, to wrap content keys with (seal).
pub struct RsaPublicKey {
    key: OaepPublicEncryptingKey,
}

impl RsaPublicKey {
    /// From PEM: an X.509 certificate (`CERTIFICATE`) or a public key
    /// (`PUBLIC KEY`, SubjectPublicKeyInfo).
    pub fn from_pem(pem: &str) -> Result<RsaPublicKey> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|_| invalid("not a PEM document"))?;
        match label {
            "CERTIFICATE" => RsaPublicKey::from_certificate_der(&der),
            "PUBLIC KEY" => RsaPublicKey::from_spki_der(&der),
            other => Err(invalid(format!(
                "PEM label '{other}' is not CERTIFICATE or PUBLIC KEY"
            ))),
        }
    }

    /// From DER: an X.509 certificate, or else a SubjectPublicKeyInfo.
    pub fn from_der(der: &[u8]) -> Result<RsaPublicKey> {
        RsaPublicKey::from_certificate_der(der).or_else(|_| RsaPublicKey::from_spki_der(der))
    }

    /// From a DER X.509 certificate: its subject's public key. The
    /// certificate's validity and chain are not checked here.
    pub fn from_certificate_der(der: &[u8]) -> Result<RsaPublicKey> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|_| invalid("not a DER X.509 certificate"))?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| invalid("the certificate's public key cannot be read"))?;
        RsaPublicKey::from_spki_der(&spki)
    }

    /// From a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<RsaPublicKey> {
        let public = PublicEncryptingKey::from_der(der).map_err(rejected)?;
        let key = OaepPublicEncryptingKey::new(public).map_err(|_| invalid("not an RSA key"))?;
        Ok(RsaPublicKey { key })
    }

    /// From the JWK members `n` and `e` (big-endian bytes).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<RsaPublicKey> {
        let bad = |_| invalid("n or e is not a positive integer");
        let pkcs1 = pkcs1::RsaPublicKey {
            modulus: UintRef::new(n).map_err(bad)?,
            public_exponent: UintRef::new(e).map_err(bad)?,
        }
        .to_der()
        .map_err(bad)?;
        let spki = spki::SubjectPublicKeyInfoRef {
            algorithm: pkcs1::ALGORITHM_ID,
            subject_public_key: BitStringRef::from_bytes(&pkcs1).map_err(bad)?,
        }
        .to_der()
        .map_err(bad)?;
        RsaPublicKey::from_spki_der(&spki)
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    /// Wraps a content key with RSA-OAEP-256.
    pub(crate) fn wrap(&self, cek: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; self.key.ciphertext_size()];
        let n = self
            .key
            .encrypt(Oaep::Sha256.algorithm(), cek, &mut out, None)
            .map_err(|_| invalid("RSA-OAEP encryption failed"))?
            .len();
        out.truncate(n);
        Ok(out)
    }
}

impl fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPublicKey({} bits)", self.bits())
    }
}

/// An RSA private key, to unwrap content keys with (open). Its material
/// lives inside AWS-LC, which wipes it when the key is dropped; it is never
/// printed.
pub struct RsaPrivateKey {
    key: OaepPrivateDecryptingKey,
}

impl RsaPrivateKey {
    /// From PEM: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
    /// Encrypted PEM is refused: decrypt it first.
    pub fn from_pem(pem: &str) -> Result<RsaPrivateKey> {
        let (label, der) = pem_rfc7468::decode_vec(pem.trim().as_bytes())
            .map_err(|_| invalid("not a PEM document"))?;
        let der = Zeroizing::new(der);
        match label {
            "PRIVATE KEY" => RsaPrivateKey::from_pkcs8_der(&der),
            "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der),
            "ENCRYPTED PRIVATE KEY" => Err(invalid(
                "the private key is password-protected; decrypt it first",
            )),
            other => Err(invalid(format!(
                "PEM label '{other}' is not PRIVATE KEY or RSA PRIVATE KEY"
            ))),
        }
    }

    /// From DER PKCS#8, or else DER PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<RsaPrivateKey> {
        RsaPrivateKey::from_pkcs8_der(der).or_else(|e| match e {
            Error::InvalidKey { ref reason } if reason.contains("bits") => Err(e),
            _ => RsaPrivateKey::from_pkcs1_der(der),
        })
    }

    /// From a DER PKCS#8 PrivateKeyInfo.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<RsaPrivateKey> {
        let private = PrivateDecryptingKey::from_pkcs8(der).map_err(rejected)?;
        let key = OaepPrivateDecryptingKey::new(private).map_err(|_| invalid("not an RSA key"))?;
        Ok(RsaPrivateKey { key })
    }

    /// From a DER PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<RsaPrivateKey> {
        // Check it is PKCS#1 before wrapping it as PKCS#8 for AWS-LC.
        pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|_| invalid("not a DER RSA private key"))?;
        let pkcs8 = Zeroizing::new(
            pkcs8::PrivateKeyInfoRef {
                algorithm: pkcs1::ALGORITHM_ID,
                private_key: OctetStringRef::new(der)
                    .map_err(|_| invalid("not a DER RSA private key"))?,
                public_key: None,
            }
            .to_der()
            .map_err(|_| invalid("not a DER RSA private key"))?,
        );
        RsaPrivateKey::from_pkcs8_der(&pkcs8)
    }

    /// From the JWK members `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`
    /// (big-endian bytes).
    #[allow(clippy::too_many_arguments)]
    pub fn from_components(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
        dp: &[u8],
        dq: &[u8],
        qi: &[u8],
    ) -> Result<RsaPrivateKey> {
        let bad = |_| invalid("a private member is not a positive integer");
        let der = Zeroizing::new(
            pkcs1::RsaPrivateKeyRef {
                modulus: UintRef::new(n).map_err(bad)?,
                public_exponent: UintRef::new(e).map_err(bad)?,
                private_exponent: UintRef::new(d).map_err(bad)?,
                prime1: UintRef::new(p).map_err(bad)?,
                prime2: UintRef::new(q).map_err(bad)?,
                exponent1: UintRef::new(dp).map_err(bad)?,
                exponent2: UintRef::new(dq).map_err(bad)?,
                coefficient: UintRef::new(qi).map_err(bad)?,
                other_prime_infos: None,
            }
            .to_der()
            .map_err(bad)?,
        );
        RsaPrivateKey::from_pkcs1_der(&der)
    }

    /// Modulus size in bits.
    pub fn bits(&self) -> usize {
        self.key.key_size_bits()
    }

    /// Unwraps a content key. Every failure is the same opaque error.
    pub(crate) fn unwrap(&self, wrapped: &[u8], oaep: Oaep) -> Result<Zeroizing<Vec<u8>>> {
        if wrapped.len() != self.key.key_size_bytes() {
            return Err(Error::DecryptionFailed);
        }
        let mut out = Zeroizing::new(vec![0u8; self.key.min_output_size()]);
        let n = self
            .key
            .decrypt(oaep.algorithm(), wrapped, &mut out, None)
            .map_err(|_| Error::DecryptionFailed)?
            .len();
        out.truncate(n);
        Ok(out)
    }
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateKey({} bits, [redacted])", self.bits())
    }
}
