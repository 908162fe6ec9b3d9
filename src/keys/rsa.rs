//! RSA keys for the platform's key wrap (`RSA-OAEP-256`), read from DER
//! structures (certificates, SPKI, PKCS#8, PKCS#1) or JWK components.
//!
//! The RSA arithmetic is AWS-LC's (through `aws-lc-rs`): constant-time,
//! blinded private-key operations. The README says why this crate does not
//! use the pure-Rust `rsa` crate for them. The structures are read with
//! RustCrypto's `der` crates first, so that every refusal (too small, not
//! RSA, multi-prime) is decided here and typed, never read back from
//! AWS-LC's messages.

use core::fmt;
use std::sync::Arc;

use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey,
};
use der::asn1::{BitStringRef, OctetStringRef, UintRef};
use der::{Decode, Encode};
use zeroize::Zeroizing;

use crate::error::{Error, KeyProblem, Result};

/// Smallest modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Largest modulus accepted, in bits.
const MAX_BITS: usize = 8192;

fn malformed(reason: &str) -> Error {
    Error::invalid_key(KeyProblem::Malformed, reason)
}

/// Refuses a modulus outside 2048 to 8192 bits.
fn check_modulus(modulus: UintRef<'_>) -> Result<()> {
    let bytes = modulus.as_bytes();
    let bits = match bytes.first() {
        Some(first) => bytes.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    };
    if bits < MIN_RSA_BITS {
        return Err(Error::invalid_key(
            KeyProblem::TooSmall,
            format!("RSA keys under {MIN_RSA_BITS} bits are refused (this one has {bits})"),
        ));
    }
    if bits > MAX_BITS {
        return Err(Error::invalid_key(
            KeyProblem::TooLarge,
            format!("RSA keys over {MAX_BITS} bits are not supported"),
        ));
    }
    Ok(())
}

fn not_rsa() -> Error {
    Error::invalid_key(KeyProblem::Unsupported, "the key is not an RSA key")
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

/// An RSA public key, to wrap content keys with (seal). Cheap to clone.
#[derive(Clone)]
pub struct RsaPublicKey {
    key: Arc<OaepPublicEncryptingKey>,
}

impl RsaPublicKey {
    /// From a DER X.509 certificate: its subject's public key. The
    /// certificate's validity and chain are not checked here.
    pub fn from_certificate_der(der: &[u8]) -> Result<RsaPublicKey> {
        let cert = x509_cert::Certificate::from_der(der)
            .map_err(|_| malformed("not a DER X.509 certificate"))?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| malformed("the certificate's public key cannot be read"))?;
        RsaPublicKey::from_spki_der(&spki)
    }

    /// From a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<RsaPublicKey> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|_| malformed("not a DER SubjectPublicKeyInfo"))?;
        if spki.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(not_rsa());
        }
        let pkcs1 = pkcs1::RsaPublicKey::from_der(spki.subject_public_key.raw_bytes())
            .map_err(|_| malformed("not a DER RSA public key"))?;
        check_modulus(pkcs1.modulus)?;
        let public = PublicEncryptingKey::from_der(der)
            .map_err(|_| malformed("not a valid RSA public key"))?;
        RsaPublicKey::from_aws(public)
    }

    fn from_aws(public: PublicEncryptingKey) -> Result<RsaPublicKey> {
        let key = OaepPublicEncryptingKey::new(public)
            .map_err(|_| malformed("not a valid RSA public key"))?;
        Ok(RsaPublicKey { key: Arc::new(key) })
    }

    /// From the JWK members `n` and `e` (big-endian bytes).
    pub fn from_components(n: &[u8], e: &[u8]) -> Result<RsaPublicKey> {
        let bad = |_| malformed("n or e is not a positive integer");
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

    /// Bytes of a wrapped content key (the modulus size).
    pub(crate) fn wrapped_len(&self) -> usize {
        self.key.ciphertext_size()
    }

    /// Wraps a content key with RSA-OAEP-256.
    pub(crate) fn wrap(&self, cek: &[u8]) -> Result<Vec<u8>> {
        let mut out = vec![0u8; self.key.ciphertext_size()];
        let n = self
            .key
            .encrypt(Oaep::Sha256.algorithm(), cek, &mut out, None)
            .map_err(|_| malformed("RSA-OAEP encryption failed"))?
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
/// lives inside AWS-LC, which wipes it when the last clone is dropped; it is
/// never printed. Cheap to clone.
#[derive(Clone)]
pub struct RsaPrivateKey {
    key: Arc<OaepPrivateDecryptingKey>,
    public: RsaPublicKey,
}

impl RsaPrivateKey {
    /// A fresh 2048-bit key pair from AWS-LC's generator (for demos and
    /// tests: the platform issues its keys with certificates).
    pub fn generate() -> Result<RsaPrivateKey> {
        let private = PrivateDecryptingKey::generate(KeySize::Rsa2048)
            .map_err(|_| malformed("RSA key generation failed"))?;
        RsaPrivateKey::from_aws(private)
    }

    fn from_aws(private: PrivateDecryptingKey) -> Result<RsaPrivateKey> {
        let public = RsaPublicKey::from_aws(private.public_key())?;
        let key = OaepPrivateDecryptingKey::new(private)
            .map_err(|_| malformed("not a valid RSA private key"))?;
        Ok(RsaPrivateKey {
            key: Arc::new(key),
            public,
        })
    }

    /// From a DER PKCS#8 PrivateKeyInfo.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<RsaPrivateKey> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der)
            .map_err(|_| malformed("not a DER PKCS#8 private key"))?;
        if info.algorithm.oid != pkcs1::ALGORITHM_OID {
            return Err(not_rsa());
        }
        check_pkcs1_private(info.private_key.as_bytes())?;
        let private = PrivateDecryptingKey::from_pkcs8(der)
            .map_err(|_| malformed("not a valid RSA private key"))?;
        RsaPrivateKey::from_aws(private)
    }

    /// From a DER PKCS#1 RSAPrivateKey.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<RsaPrivateKey> {
        // Wrapped as PKCS#8 for AWS-LC; `from_pkcs8_der` checks the PKCS#1 inside.
        let bad = |_| malformed("not a DER RSA private key");
        let pkcs8 = Zeroizing::new(
            pkcs8::PrivateKeyInfoRef {
                algorithm: pkcs1::ALGORITHM_ID,
                private_key: OctetStringRef::new(der).map_err(bad)?,
                public_key: None,
            }
            .to_der()
            .map_err(bad)?,
        );
        RsaPrivateKey::from_pkcs8_der(&pkcs8)
    }

    /// From the JWK members `n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`
    /// (big-endian bytes).
    pub fn from_components(c: &RsaPrivateComponents<'_>) -> Result<RsaPrivateKey> {
        let bad = |_| malformed("a private member is not a positive integer");
        let der = Zeroizing::new(
            pkcs1::RsaPrivateKeyRef {
                modulus: UintRef::new(c.n).map_err(bad)?,
                public_exponent: UintRef::new(c.e).map_err(bad)?,
                private_exponent: UintRef::new(c.d).map_err(bad)?,
                prime1: UintRef::new(c.p).map_err(bad)?,
                prime2: UintRef::new(c.q).map_err(bad)?,
                exponent1: UintRef::new(c.dp).map_err(bad)?,
                exponent2: UintRef::new(c.dq).map_err(bad)?,
                coefficient: UintRef::new(c.qi).map_err(bad)?,
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

    /// This key's own public half (to hand to the party that seals to it;
    /// never used to seal by a [`KeyMaterial`](crate::KeyMaterial)).
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
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

/// Checks a DER PKCS#1 RSAPrivateKey's shape: two primes, a modulus of an
/// accepted size.
fn check_pkcs1_private(der: &[u8]) -> Result<()> {
    let key = pkcs1::RsaPrivateKeyRef::from_der(der)
        .map_err(|_| malformed("not a DER RSA private key"))?;
    if key.other_prime_infos.is_some() {
        return Err(Error::invalid_key(
            KeyProblem::Unsupported,
            "multi-prime RSA keys are not supported",
        ));
    }
    check_modulus(key.modulus)
}

impl fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RsaPrivateKey({} bits, [redacted])", self.bits())
    }
}

/// The big-endian integers of an RSA private JWK (RFC 7518 section 6.3.2).
#[derive(Clone, Copy)]
pub struct RsaPrivateComponents<'a> {
    /// Modulus.
    pub n: &'a [u8],
    /// Public exponent.
    pub e: &'a [u8],
    /// Private exponent.
    pub d: &'a [u8],
    /// First prime.
    pub p: &'a [u8],
    /// Second prime.
    pub q: &'a [u8],
    /// First factor CRT exponent.
    pub dp: &'a [u8],
    /// Second factor CRT exponent.
    pub dq: &'a [u8],
    /// First CRT coefficient.
    pub qi: &'a [u8],
}

impl fmt::Debug for RsaPrivateComponents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaPrivateComponents([redacted])")
    }
}
