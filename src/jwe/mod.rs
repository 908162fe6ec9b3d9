//! JWE compact serialization (RFC 7516) with the platform's allow-list:
//! `alg` `dir` or `RSA-OAEP-256`, `enc` `A128GCM` or `A256GCM`.
//!
//! A [`Sealer`] encrypts with one key; an [`Opener`] decrypts, picking the
//! key by the JWE's `kid`, else by the `X-KM-Crypto-Key-Id` it was given.
//!
//! ```
//! use konaplate_crypto::ids::CryptoKeyId;
//! use konaplate_crypto::jwe::ContentEncryption;
//! use konaplate_crypto::keyring::{Keyring, generate_jwks};
//!
//! let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! let keyring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm))?;
//!
//! let jwe = keyring.sealer(&kid)?.seal(b"4111111111111111", false)?;
//! let opened = keyring.opener(None).open(&jwe)?;
//! assert_eq!(opened.plaintext(), b"4111111111111111");
//! assert_eq!(opened.header().kid(), Some(kid.as_str()));
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

pub mod alg;
mod compact;
pub mod enc;
mod header;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;
use zeroize::Zeroizing;

pub use alg::KeyManagement;
pub use compact::{MAX_COMPACT_LEN, MAX_HEADER_LEN};
pub use enc::ContentEncryption;
pub use header::ProtectedHeader;

use crate::error::{Error, Result};
use crate::ids::CryptoKeyId;
use crate::jwe::enc::aes_gcm::{ContentCipher, IV_LEN};
use crate::keyring::{KeyMaterial, Keyring, SymmetricKey};
use crate::rsa::{Oaep, RsaPublicKey};

/// Encrypts plaintexts into JWE compact strings with one key.
#[derive(Clone, Copy, Debug)]
pub struct Sealer<'k> {
    kind: SealerKind<'k>,
}

#[derive(Clone, Copy, Debug)]
enum SealerKind<'k> {
    Dir(&'k SymmetricKey),
    RsaOaep256 {
        key: &'k RsaPublicKey,
        enc: ContentEncryption,
    },
}

impl<'k> Sealer<'k> {
    /// A sealer for `alg: "dir"` with a symmetric key.
    pub fn dir(key: &'k SymmetricKey) -> Sealer<'k> {
        Sealer {
            kind: SealerKind::Dir(key),
        }
    }

    /// A sealer for `alg: "RSA-OAEP-256"` to `key` (the server certificate's
    /// public key, when sealing requests to the platform), with `enc`
    /// (`A128GCM` is what the platform's public clients send).
    pub fn rsa_oaep_256(key: &'k RsaPublicKey, enc: ContentEncryption) -> Sealer<'k> {
        Sealer {
            kind: SealerKind::RsaOaep256 { key, enc },
        }
    }

    /// The same sealer with content encryption `enc`. A symmetric key
    /// serves only its own `enc`.
    pub fn with_enc(self, enc: ContentEncryption) -> Result<Sealer<'k>> {
        match self.kind {
            SealerKind::Dir(key) if key.enc() == enc => Ok(self),
            SealerKind::Dir(key) => Err(Error::KeyMismatch {
                reason: format!("the key is for {}, not {}", key.enc().name(), enc.name()),
            }),
            SealerKind::RsaOaep256 { key, .. } => Ok(Sealer::rsa_oaep_256(key, enc)),
        }
    }

    /// Encrypts `plaintext` with a fresh random IV (and, for RSA, a fresh
    /// content key) from the thread's CSPRNG. `json` marks the plaintext as
    /// JSON text (`"cty":"json"`).
    pub fn seal(&self, plaintext: &[u8], json: bool) -> Result<String> {
        self.seal_with_rng(plaintext, json, &mut rand::rng())
    }

    /// As [`Sealer::seal`], drawing from `rng` the content key (RSA only)
    /// and then the IV. Tests fix them to reproduce vectors; production code
    /// wants a CSPRNG, which the bound demands.
    pub fn seal_with_rng<R: CryptoRng + ?Sized>(
        &self,
        plaintext: &[u8],
        json: bool,
        rng: &mut R,
    ) -> Result<String> {
        let mut iv = [0u8; IV_LEN];
        match self.kind {
            SealerKind::Dir(key) => {
                let header = if json {
                    &key.headers.json
                } else {
                    &key.headers.plain
                };
                rng.fill_bytes(&mut iv);
                assemble(header, &[], &key.cipher, &iv, plaintext)
            }
            SealerKind::RsaOaep256 { key, enc } => {
                let (cipher, wrapped) = alg::rsa_oaep::new_content_key(key, enc, rng)?;
                rng.fill_bytes(&mut iv);
                let header = alg::rsa_oaep::header_b64(enc, json);
                assemble(header, &wrapped, &cipher, &iv, plaintext)
            }
        }
    }
}

/// Encrypts `plaintext` and writes the five compact parts.
fn assemble(
    header_b64: &str,
    encrypted_key: &[u8],
    cipher: &ContentCipher,
    iv: &[u8; IV_LEN],
    plaintext: &[u8],
) -> Result<String> {
    if plaintext.len() > MAX_COMPACT_LEN / 4 * 3 {
        return Err(Error::TooLarge {
            what: "plaintext",
            limit: MAX_COMPACT_LEN / 4 * 3,
        });
    }
    let mut buf = Zeroizing::new(plaintext.to_vec());
    let tag = cipher.seal(iv, header_b64.as_bytes(), &mut buf)?;
    let b64 = |n: usize| n.div_ceil(3) * 4;
    let mut out = String::with_capacity(
        header_b64.len() + b64(encrypted_key.len()) + 16 + b64(buf.len()) + 22 + 4,
    );
    out.push_str(header_b64);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(encrypted_key, &mut out);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(iv, &mut out);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(&*buf, &mut out);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(tag, &mut out);
    Ok(out)
}

/// A decrypted JWE: its header and its plaintext (wiped on drop).
pub struct Opened {
    header: ProtectedHeader,
    plaintext: Zeroizing<Vec<u8>>,
}

impl Opened {
    /// The protected header.
    pub fn header(&self) -> &ProtectedHeader {
        &self.header
    }
    /// The plaintext.
    pub fn plaintext(&self) -> &[u8] {
        &self.plaintext
    }
    /// The plaintext, still wiped on drop.
    pub fn into_plaintext(self) -> Zeroizing<Vec<u8>> {
        self.plaintext
    }
}

impl core::fmt::Debug for Opened {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Opened")
            .field("header", &self.header)
            .field("plaintext", &"[redacted]")
            .finish()
    }
}

#[derive(Clone, Copy, Debug)]
enum Source<'k> {
    Keyring {
        ring: &'k Keyring,
        key_id: Option<&'k CryptoKeyId>,
    },
    Key(&'k KeyMaterial),
}

/// Decrypts JWE compact strings.
///
/// With a keyring, the key is the one the JWE's `kid` names when that is a
/// KONA key id; otherwise (no `kid`, or a `kid` of another form) the one the
/// `X-KM-Crypto-Key-Id` given names. With one explicit key, `kid` is not
/// consulted.
#[derive(Clone, Copy, Debug)]
pub struct Opener<'k> {
    source: Source<'k>,
    allow_rsa_oaep_sha1: bool,
}

impl<'k> Opener<'k> {
    /// Keys from `ring`; `key_id` is the request's `X-KM-Crypto-Key-Id`, if any.
    pub fn keyring(ring: &'k Keyring, key_id: Option<&'k CryptoKeyId>) -> Opener<'k> {
        Opener {
            source: Source::Keyring { ring, key_id },
            allow_rsa_oaep_sha1: false,
        }
    }

    /// One explicitly given key.
    pub fn key(key: &'k KeyMaterial) -> Opener<'k> {
        Opener {
            source: Source::Key(key),
            allow_rsa_oaep_sha1: false,
        }
    }

    /// Hazardous: also opens `alg: "RSA-OAEP"` (OAEP with SHA-1), which the
    /// platform does not use. For legacy peers and RFC 7516's Appendix A.1;
    /// sealing never uses it.
    pub fn hazmat_allow_rsa_oaep_sha1(mut self) -> Opener<'k> {
        self.allow_rsa_oaep_sha1 = true;
        self
    }

    fn resolve(&self, kid: Option<&str>) -> Result<&'k KeyMaterial> {
        match self.source {
            Source::Key(k) => Ok(k),
            Source::Keyring { ring, key_id } => {
                let from_kid = kid.and_then(|k| CryptoKeyId::parse(k).ok());
                let id = match (&from_kid, key_id) {
                    (Some(id), _) => id,
                    (None, Some(id)) => id,
                    (None, None) => return Err(Error::NoKeyId),
                };
                ring.get(id)
                    .map(|entry| entry.material())
                    .ok_or_else(|| Error::UnknownKeyId {
                        key_id: id.to_string(),
                    })
            }
        }
    }

    /// Parses and decrypts one JWE compact string.
    pub fn open(&self, compact: &str) -> Result<Opened> {
        let jwe = compact::parse(compact)?;
        let key_management = jwe.header.alg();
        if key_management == KeyManagement::RsaOaepSha1 && !self.allow_rsa_oaep_sha1 {
            return Err(Error::UnsupportedJwe {
                reason:
                    "alg 'RSA-OAEP' (OAEP with SHA-1) is not on the allow-list (dir, RSA-OAEP-256)"
                        .into(),
            });
        }
        let material = self.resolve(jwe.header.kid())?;
        let enc = jwe.header.enc();
        let unwrapped;
        let cipher = match key_management {
            KeyManagement::Dir => {
                let key = material.symmetric().ok_or_else(|| Error::KeyMismatch {
                    reason: "alg dir needs a symmetric key".into(),
                })?;
                alg::dir::content_cipher(&key.cipher, enc, &jwe.encrypted_key)?
            }
            KeyManagement::RsaOaep256 | KeyManagement::RsaOaepSha1 => {
                let key = material.rsa_private().ok_or_else(|| Error::KeyMismatch {
                    reason: format!("{} needs an RSA private key", key_management.name()),
                })?;
                let oaep = if key_management == KeyManagement::RsaOaep256 {
                    Oaep::Sha256
                } else {
                    Oaep::Sha1
                };
                unwrapped = alg::rsa_oaep::content_cipher(key, oaep, enc, &jwe.encrypted_key)?;
                &unwrapped
            }
        };
        let plaintext = cipher.open(
            &jwe.iv,
            jwe.header_b64.as_bytes(),
            &jwe.ciphertext,
            &jwe.tag,
        )?;
        Ok(Opened {
            header: jwe.header,
            plaintext,
        })
    }
}

/// Reads the protected header of a JWE without decrypting it (for routing
/// or logging; nothing in it is authenticated until [`Opener::open`]).
pub fn peek_header(compact: &str) -> Result<ProtectedHeader> {
    compact::parse(compact).map(|p| p.header)
}
