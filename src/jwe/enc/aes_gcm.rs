//! `enc`: `A128GCM` and `A256GCM` (RFC 7518 section 5.3).

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::error::{Error, Result, quoted};

/// IV length: 96 bits, the only size JWE's AES-GCM uses.
pub(crate) const IV_LEN: usize = 12;
/// Tag length: 128 bits.
pub(crate) const TAG_LEN: usize = 16;

/// A content-encryption algorithm (`enc`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentEncryption {
    /// AES-128 in GCM mode.
    A128Gcm,
    /// AES-256 in GCM mode.
    A256Gcm,
}

impl ContentEncryption {
    /// The `enc` name.
    pub const fn name(self) -> &'static str {
        match self {
            ContentEncryption::A128Gcm => "A128GCM",
            ContentEncryption::A256Gcm => "A256GCM",
        }
    }

    /// The algorithm an `enc` name stands for, if on the allow-list.
    pub fn from_name(name: &str) -> Option<ContentEncryption> {
        match name {
            "A128GCM" => Some(ContentEncryption::A128Gcm),
            "A256GCM" => Some(ContentEncryption::A256Gcm),
            _ => None,
        }
    }

    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            ContentEncryption::A128Gcm => 16,
            ContentEncryption::A256Gcm => 32,
        }
    }

    /// A fresh key of this algorithm's length from `rng`, wiped on drop.
    pub(crate) fn random_key<R: CryptoRng + ?Sized>(self, rng: &mut R) -> Zeroizing<Vec<u8>> {
        let mut key = Zeroizing::new(vec![0u8; self.key_len()]);
        rng.fill_bytes(&mut key);
        key
    }
}

impl core::str::FromStr for ContentEncryption {
    type Err = Error;
    fn from_str(s: &str) -> Result<ContentEncryption> {
        ContentEncryption::from_name(s).ok_or_else(|| Error::UnsupportedJwe {
            reason: format!("enc '{}' is not A128GCM or A256GCM", quoted(s)),
        })
    }
}

/// An AES-GCM key with its key schedule computed; wiped on drop (the
/// `zeroize` feature of `aes-gcm`).
#[derive(Clone)]
pub(crate) enum ContentCipher {
    A128(Box<Aes128Gcm>),
    A256(Box<Aes256Gcm>),
}

impl ContentCipher {
    pub(crate) fn new(enc: ContentEncryption, key: &[u8]) -> Result<ContentCipher> {
        let wrong = || Error::InvalidKey {
            problem: crate::error::KeyProblem::Malformed,
            reason: format!(
                "{} takes a {}-bit key, not {} bits",
                enc.name(),
                enc.key_len() * 8,
                key.len() * 8
            ),
        };
        Ok(match enc {
            ContentEncryption::A128Gcm => ContentCipher::A128(Box::new(
                Aes128Gcm::new_from_slice(key).map_err(|_| wrong())?,
            )),
            ContentEncryption::A256Gcm => ContentCipher::A256(Box::new(
                Aes256Gcm::new_from_slice(key).map_err(|_| wrong())?,
            )),
        })
    }

    pub(crate) fn enc(&self) -> ContentEncryption {
        match self {
            ContentCipher::A128(_) => ContentEncryption::A128Gcm,
            ContentCipher::A256(_) => ContentEncryption::A256Gcm,
        }
    }

    /// Encrypts `buf` in place; returns the tag.
    pub(crate) fn seal(
        &self,
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; TAG_LEN]> {
        let nonce = Nonce::from(*iv);
        let tag = match self {
            ContentCipher::A128(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            ContentCipher::A256(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
        }
        .map_err(|_| Error::TooLarge {
            what: "plaintext",
            limit: 1 << 36,
        })?;
        Ok(tag.into())
    }

    /// Decrypts `buf` in place. On failure the caller gets only the error
    /// (and wipes `buf`).
    pub(crate) fn open_in_place(
        &self,
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<()> {
        let nonce = Nonce::from(*iv);
        let tag = Tag::from(*tag);
        match self {
            ContentCipher::A128(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            ContentCipher::A256(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
        }
        .map_err(|_| Error::DecryptionFailed)
    }
}
