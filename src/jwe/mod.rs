//! JWE compact serialization (RFC 7516) with the platform's allow-list:
//! `alg` `dir` or `RSA-OAEP-256`, `enc` `A128GCM` or `A256GCM`.
//!
//! A [`Sealer`] encrypts with one key; an [`Opener`] decrypts with the key
//! a [`KeySelection`] picks (SPEC section 5: the key the caller names wins
//! over the message's own `kid`). Both own what they need and are cheap to
//! clone, `Send` and `Sync`.
//!
//! ```
//! use konaplate_crypto::{ContentEncryption, ContentType, CryptoKeyId, KeySelection, Keyring, generate_jwks};
//!
//! let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! let keyring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm))?;
//!
//! let jwe = keyring.sealer(&kid)?.seal(b"4111111111111111", ContentType::Text)?;
//! let opened = keyring.opener(KeySelection::Named(kid)).open(&jwe)?;
//! assert_eq!(opened.plaintext(), b"4111111111111111");
//! assert_eq!(opened.header().kid(), Some(kid.as_str()));
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

pub(crate) mod alg;
mod compact;
pub(crate) mod enc;
mod header;

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::CryptoRng;
use zeroize::{Zeroize as _, Zeroizing};

pub use alg::KeyManagement;
pub use compact::{MAX_COMPACT_LEN, MAX_HEADER_LEN};

use compact::b64_len;
pub use enc::ContentEncryption;
pub use header::ProtectedHeader;

use crate::error::{Error, Result, quoted};
use crate::ids::CryptoKeyId;
use crate::jwe::enc::aes_gcm::{ContentCipher, IV_LEN};
use crate::keys::{KeyMaterial, Oaep, RsaPublicKey, SymmetricKey};

/// What a plaintext is, which decides the `cty` of its JWE.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ContentType {
    /// Bytes or text taken as they are (no `cty`): a string field's
    /// content, a whole body.
    #[default]
    Text,
    /// JSON text of any type (`"cty":"json"`): a non-string field, restored
    /// as JSON on decryption.
    Json,
}

/// Encrypts plaintexts into JWE compact strings with one key. Cheap to
/// clone, `Send` and `Sync`.
#[derive(Clone, Debug)]
pub struct Sealer {
    kind: SealerKind,
    max_len: usize,
}

#[derive(Clone, Debug)]
enum SealerKind {
    Dir(SymmetricKey),
    RsaOaep256 {
        key: RsaPublicKey,
        enc: ContentEncryption,
    },
}

impl Sealer {
    /// A sealer for `alg: "dir"` with a symmetric key.
    pub fn dir(key: SymmetricKey) -> Sealer {
        Sealer {
            kind: SealerKind::Dir(key),
            max_len: MAX_COMPACT_LEN,
        }
    }

    /// A sealer for `alg: "RSA-OAEP-256"` to `key` (the server certificate's
    /// public key, when sealing requests to the platform), with `enc`
    /// (`A128GCM` is what the platform's public clients send).
    pub fn rsa_oaep_256(key: RsaPublicKey, enc: ContentEncryption) -> Sealer {
        Sealer {
            kind: SealerKind::RsaOaep256 { key, enc },
            max_len: MAX_COMPACT_LEN,
        }
    }

    /// The sealer `material` offers: `dir` for a symmetric key,
    /// `RSA-OAEP-256` with `A128GCM` to an RSA public key (change with
    /// [`Sealer::with_enc`]). Material holding only a private key cannot seal.
    pub fn for_material(material: &KeyMaterial) -> Result<Sealer> {
        if let Some(key) = material.symmetric() {
            return Ok(Sealer::dir(key.clone()));
        }
        match material.rsa_seal_to() {
            Some(key) => Ok(Sealer::rsa_oaep_256(
                key.clone(),
                ContentEncryption::A128Gcm,
            )),
            None => Err(Error::KeyMismatch {
                reason: "this entry holds no public key to seal to (only a private key)".into(),
            }),
        }
    }

    /// The same sealer with content encryption `enc`. A symmetric key
    /// serves only its own `enc`.
    pub fn with_enc(self, enc: ContentEncryption) -> Result<Sealer> {
        match self.kind {
            SealerKind::Dir(ref key) if key.enc() == enc => Ok(self),
            SealerKind::Dir(key) => Err(Error::KeyMismatch {
                reason: format!("the key is for {}, not {}", key.enc().name(), enc.name()),
            }),
            SealerKind::RsaOaep256 { key, .. } => Ok(Sealer {
                kind: SealerKind::RsaOaep256 { key, enc },
                max_len: self.max_len,
            }),
        }
    }

    /// The same sealer, refusing to make a JWE longer than `bytes`
    /// ([`MAX_COMPACT_LEN`] by default): what it seals, an opener with the
    /// same limit opens.
    #[must_use]
    pub fn with_max_size(mut self, bytes: usize) -> Sealer {
        self.max_len = bytes;
        self
    }

    /// Encrypts `plaintext` with a fresh random IV (and, for RSA, a fresh
    /// content key) from the thread's CSPRNG.
    pub fn seal(&self, plaintext: &[u8], content: ContentType) -> Result<String> {
        self.seal_with_rng(plaintext, content, &mut rand::rng())
    }

    /// As [`Sealer::seal`], drawing from `rng` the content key (RSA only)
    /// and then the IV. Tests fix them to reproduce vectors; production code
    /// wants a CSPRNG, which the bound demands.
    pub fn seal_with_rng<R: CryptoRng + ?Sized>(
        &self,
        plaintext: &[u8],
        content: ContentType,
        rng: &mut R,
    ) -> Result<String> {
        let mut out = Vec::new();
        self.seal_into(plaintext, content, rng, &mut out)?;
        Ok(ascii_string(out))
    }

    /// Appends the JWE of `plaintext` to `out` (ASCII). On failure `out`
    /// is as it was.
    pub(crate) fn seal_into<R: CryptoRng + ?Sized>(
        &self,
        plaintext: &[u8],
        content: ContentType,
        rng: &mut R,
        out: &mut Vec<u8>,
    ) -> Result<()> {
        let json = content == ContentType::Json;
        let mut iv = [0u8; IV_LEN];
        match &self.kind {
            SealerKind::Dir(key) => {
                let key = key.inner();
                let header = if json {
                    &key.headers.json
                } else {
                    &key.headers.plain
                };
                self.check_len(header, 0, plaintext.len())?;
                rng.fill_bytes(&mut iv);
                assemble(header, &[], &key.cipher, &iv, plaintext, out)
            }
            SealerKind::RsaOaep256 { key, enc } => {
                let header = alg::rsa_oaep::header_b64(*enc, json);
                self.check_len(header, key.wrapped_len(), plaintext.len())?;
                let (cipher, wrapped) = alg::rsa_oaep::new_content_key(key, *enc, rng)?;
                rng.fill_bytes(&mut iv);
                assemble(header, &wrapped, &cipher, &iv, plaintext, out)
            }
        }
    }
}

impl Sealer {
    /// The room [`Sealer::seal_into`] takes in its output for `plaintext`
    /// bytes: the JWE, and the scratch a short plaintext is encrypted in.
    pub(crate) fn room_needed(&self, plaintext: usize) -> usize {
        let (header, encrypted_key) = match &self.kind {
            SealerKind::Dir(key) => (key.inner().headers.json.len(), 0),
            SealerKind::RsaOaep256 { key, enc } => (
                alg::rsa_oaep::header_b64(*enc, true).len(),
                key.wrapped_len(),
            ),
        };
        let scratch = if plaintext <= INLINE_SCRATCH {
            plaintext
        } else {
            0
        };
        b64_len(encrypted_key)
            .saturating_add(header)
            .saturating_add(b64_len(IV_LEN) + b64_len(enc::aes_gcm::TAG_LEN) + 4)
            .saturating_add(b64_len(plaintext))
            .saturating_add(scratch)
    }

    fn check_len(&self, header_b64: &str, encrypted_key: usize, plaintext: usize) -> Result<()> {
        if compact_len(header_b64, encrypted_key, plaintext) > self.max_len {
            return Err(Error::TooLarge {
                what: "JWE the plaintext would make",
                limit: self.max_len,
            });
        }
        Ok(())
    }
}

/// The exact length of a compact JWE: header, encrypted key, IV,
/// ciphertext (as long as the plaintext), tag, and four dots.
fn compact_len(header_b64: &str, encrypted_key: usize, plaintext: usize) -> usize {
    header_b64
        .len()
        .saturating_add(b64_len(encrypted_key))
        .saturating_add(b64_len(IV_LEN))
        .saturating_add(b64_len(plaintext))
        .saturating_add(b64_len(enc::aes_gcm::TAG_LEN))
        .saturating_add(4)
}

/// What [`Sealer::seal_into`] wrote (base64url, dots, and any ASCII around
/// them), as a `String`. Always ASCII: the fallback is never taken.
pub(crate) fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Plaintexts up to this long are encrypted past the end of the output
/// itself; longer ones in a buffer of their own, so that the output holds
/// no more than the JWE.
const INLINE_SCRATCH: usize = 4096;

/// Encrypts `plaintext` and appends the five compact parts to `out`. A
/// short plaintext is copied past the end of the JWE's room, encrypted there
/// in place, encoded into the room, and cut off: one buffer. What is cut
/// off, or the separate buffer of a long one, holds ciphertext only; on
/// failure it is wiped.
fn assemble(
    header_b64: &str,
    encrypted_key: &[u8],
    cipher: &ContentCipher,
    iv: &[u8; IV_LEN],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) -> Result<()> {
    let start = out.len();
    let len = compact_len(header_b64, encrypted_key.len(), plaintext.len());
    let inline = plaintext.len() <= INLINE_SCRATCH;
    out.reserve(len.saturating_add(if inline { plaintext.len() } else { 0 }));
    out.extend_from_slice(header_b64.as_bytes());
    out.push(b'.');
    encode_onto(encrypted_key, out);
    out.push(b'.');
    encode_onto(iv, out);
    out.push(b'.');
    let ciphertext_at = out.len();
    let end = start + len;
    out.resize(end, b'.');
    let mut separate = Vec::new();
    let (jwe, scratch) = if inline {
        out.extend_from_slice(plaintext);
        out.split_at_mut(end)
    } else {
        separate.extend_from_slice(plaintext);
        (out.as_mut_slice(), separate.as_mut_slice())
    };
    let tag = match cipher.seal(iv, header_b64.as_bytes(), scratch) {
        Ok(tag) => tag,
        Err(e) => {
            scratch.zeroize();
            compact::wipe_from(out, start);
            return Err(e);
        }
    };
    let tag_at = ciphertext_at + b64_len(plaintext.len()) + 1;
    let room = jwe.get_mut(ciphertext_at..end).unwrap_or_default();
    let (ciphertext_room, tag_room) = room.split_at_mut(tag_at - ciphertext_at);
    // Both rooms are exactly the encoded length: these cannot fail.
    let _ = URL_SAFE_NO_PAD.encode_slice(&*scratch, ciphertext_room);
    let _ = URL_SAFE_NO_PAD.encode_slice(tag, tag_room);
    out.truncate(end);
    Ok(())
}

/// Appends the base64url of a short `bytes` to `out`.
fn encode_onto(bytes: &[u8], out: &mut Vec<u8>) {
    let at = out.len();
    out.resize(at + b64_len(bytes.len()), 0);
    let _ = URL_SAFE_NO_PAD.encode_slice(bytes, out.get_mut(at..).unwrap_or_default());
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

/// Which held key opens a JWE (SPEC section 5, "Key selection").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeySelection {
    /// The key the caller names: on a server, the request's
    /// `X-KM-Crypto-Key-Id`; on a client, the key id it sent. A JWE whose
    /// `kid` names another key is refused ([`Error::KeyIdMismatch`]); a JWE
    /// without `kid` is opened with this key.
    Named(CryptoKeyId),
    /// The first-issued key, for a callback that names no key. A JWE whose
    /// `kid` names another key is refused as with `Named`.
    CallbackKey,
    /// Dangerous: the key the JWE's own `kid` names, whatever key the
    /// request named. Only for a receiver that holds keys of a single
    /// party and has no `X-KM-Crypto-Key-Id` to go by: with keys of several
    /// tenants, a message sealed under one tenant's key would be opened for
    /// another.
    DangerousKidInMessage,
}

impl KeySelection {
    /// The selection for a callback: the key its `X-KM-Crypto-Key-Id`
    /// names, else the first-issued key.
    pub fn for_callback(crypto_key_id: Option<CryptoKeyId>) -> KeySelection {
        crypto_key_id.map_or(KeySelection::CallbackKey, KeySelection::Named)
    }
}

/// Looks keys up by id, for an [`Opener`]: implemented by the keyring, so
/// that this module needs nothing of it.
pub(crate) trait KeyLookup: Send + Sync + core::fmt::Debug {
    /// The material held under `id`.
    fn key(&self, id: &CryptoKeyId) -> Option<&KeyMaterial>;
    /// The first-issued key and its id.
    fn callback_key(&self) -> Option<(&CryptoKeyId, &KeyMaterial)>;
}

#[derive(Clone, Debug)]
enum Source {
    Keys {
        lookup: Arc<dyn KeyLookup>,
        selection: KeySelection,
        /// The key the selection names, looked up once.
        expected: Option<KeyMaterial>,
    },
    Key(KeyMaterial),
}

/// Decrypts JWE compact strings. Cheap to clone, `Send` and `Sync`.
///
/// Over a keyring the key is the one a [`KeySelection`] picks; with one
/// explicit key ([`Opener::with_key`]) the JWE's `kid` is not consulted.
#[derive(Clone, Debug)]
pub struct Opener {
    source: Source,
    allow_rsa_oaep_sha1: bool,
    max_len: usize,
}

impl Opener {
    pub(crate) fn over(lookup: Arc<dyn KeyLookup>, selection: KeySelection) -> Opener {
        let expected = match selection {
            KeySelection::Named(id) => lookup.key(&id).cloned(),
            KeySelection::CallbackKey => lookup.callback_key().map(|(_, m)| m.clone()),
            KeySelection::DangerousKidInMessage => None,
        };
        Opener {
            source: Source::Keys {
                lookup,
                selection,
                expected,
            },
            allow_rsa_oaep_sha1: false,
            max_len: MAX_COMPACT_LEN,
        }
    }

    /// One explicitly given key: the JWE's `kid` is not consulted (the
    /// caller chose the key, as with a peer whose `kid`s are its own).
    pub fn with_key(key: KeyMaterial) -> Opener {
        Opener {
            source: Source::Key(key),
            allow_rsa_oaep_sha1: false,
            max_len: MAX_COMPACT_LEN,
        }
    }

    /// Hazardous: also opens `alg: "RSA-OAEP"` (OAEP with SHA-1), which the
    /// platform does not use. For legacy peers and RFC 7516's Appendix A.1;
    /// sealing never uses it.
    #[must_use]
    pub fn hazmat_allow_rsa_oaep_sha1(mut self) -> Opener {
        self.allow_rsa_oaep_sha1 = true;
        self
    }

    /// The same opener, accepting JWEs up to `bytes` long
    /// ([`MAX_COMPACT_LEN`] by default).
    #[must_use]
    pub fn with_max_size(mut self, bytes: usize) -> Opener {
        self.max_len = bytes;
        self
    }

    /// The longest JWE this opener accepts.
    pub fn max_size(&self) -> usize {
        self.max_len
    }

    fn resolve(&self, kid: Option<&str>) -> Result<&KeyMaterial> {
        let (lookup, selection) = match &self.source {
            Source::Key(k) => return Ok(k),
            Source::Keys {
                lookup, selection, ..
            } => (lookup, selection),
        };
        let unknown = |id: &str| Error::UnknownKeyId { key_id: quoted(id) };
        let (id, material) = match selection {
            KeySelection::Named(id) => (id, lookup.key(id).ok_or_else(|| unknown(id.as_str()))?),
            KeySelection::CallbackKey => lookup
                .callback_key()
                .ok_or_else(|| unknown("(the callback key)"))?,
            KeySelection::DangerousKidInMessage => {
                let kid = kid.ok_or(Error::NoKeyId)?;
                let id = CryptoKeyId::parse(kid).map_err(|_| unknown(kid))?;
                return lookup.key(&id).ok_or_else(|| unknown(kid));
            }
        };
        match kid {
            Some(kid) if kid != id.as_str() => Err(Error::KeyIdMismatch {
                expected: id.to_string(),
            }),
            _ => Ok(material),
        }
    }

    /// The key a JWE must be opened with whatever its header says: the
    /// named key, the callback key, or the one given. None when the header
    /// decides (or the named key is not held).
    fn expected_key(&self) -> Option<&KeyMaterial> {
        match &self.source {
            Source::Key(k) => Some(k),
            Source::Keys { expected, .. } => expected.as_ref(),
        }
    }

    /// Parses and decrypts one JWE compact string.
    pub fn open(&self, compact: &str) -> Result<Opened> {
        let mut plaintext = Zeroizing::new(Vec::new());
        let header = self.open_into(compact, &mut plaintext)?;
        Ok(Opened { header, plaintext })
    }

    /// Decrypts one JWE, appending its plaintext to `out`. On failure `out`
    /// is as it was (anything appended is wiped). If `out` has to grow, the
    /// old allocation is freed unwiped: callers holding secrets in `out`
    /// reserve first.
    pub(crate) fn open_into(&self, compact: &str, out: &mut Vec<u8>) -> Result<ProtectedHeader> {
        compact::check_len(compact, self.max_len)?;
        // A header the expected key writes itself is known by its text: no
        // decoding, no JSON, and its kid is that key's own. A `dir` JWE laid
        // out as this crate writes it is split without searching.
        let expected = self.expected_key();
        let fast = expected.and_then(|m| {
            let (header, len) = recognise(m, compact)?;
            let parts = match header.alg() {
                KeyManagement::Dir => compact::split_dir(compact, len)?,
                _ => compact::split(compact, self.max_len).ok()?,
            };
            Some((parts, header, m))
        });
        let (parts, header, material) = match fast {
            Some(found) => found,
            None => {
                let parts = compact::split(compact, self.max_len)?;
                let header = parts.parse_header()?;
                if header.alg() == KeyManagement::RsaOaepSha1 && !self.allow_rsa_oaep_sha1 {
                    return Err(Error::UnsupportedJwe {
                        reason: "alg 'RSA-OAEP' (OAEP with SHA-1) is not on the allow-list (dir, RSA-OAEP-256)"
                            .into(),
                    });
                }
                let material = self.resolve(header.kid())?;
                (parts, header, material)
            }
        };
        let encrypted_key = parts.encrypted_key()?;
        let iv = parts.iv()?;
        let tag = parts.tag()?;
        let enc = header.enc();
        let unwrapped;
        let cipher = match header.alg() {
            KeyManagement::Dir => {
                let key = material.symmetric().ok_or_else(|| Error::KeyMismatch {
                    reason: "alg dir needs a symmetric key".into(),
                })?;
                alg::dir::content_cipher(&key.inner().cipher, enc, &encrypted_key)?
            }
            alg @ (KeyManagement::RsaOaep256 | KeyManagement::RsaOaepSha1) => {
                let key = material.rsa_open_with().ok_or_else(|| Error::KeyMismatch {
                    reason: format!("{} needs an RSA private key", alg.name()),
                })?;
                let oaep = if alg == KeyManagement::RsaOaep256 {
                    Oaep::Sha256
                } else {
                    Oaep::Sha1
                };
                unwrapped = alg::rsa_oaep::content_cipher(key, oaep, enc, &encrypted_key)?;
                &unwrapped
            }
        };
        let at = parts.ciphertext_into(out)?;
        let opened = cipher.open_in_place(
            &iv,
            parts.header.as_bytes(),
            out.get_mut(at..).unwrap_or_default(),
            &tag,
        );
        if let Err(e) = opened {
            compact::wipe_from(out, at);
            return Err(e);
        }
        Ok(header)
    }
}

/// The header `compact` starts with and its length, if it is one `material`
/// seals with itself, followed by the dot that ends it.
fn recognise(material: &KeyMaterial, compact: &str) -> Option<(ProtectedHeader, usize)> {
    let starts = |header: &str| {
        compact.starts_with(header) && compact.as_bytes().get(header.len()) == Some(&b'.')
    };
    if let Some(key) = material.symmetric() {
        let headers = &key.inner().headers;
        let (json, len) = if starts(&headers.plain) {
            (false, headers.plain.len())
        } else if starts(&headers.json) {
            (true, headers.json.len())
        } else {
            return None;
        };
        let header =
            ProtectedHeader::known(KeyManagement::Dir, key.enc(), key.kid().copied(), json);
        return Some((header, len));
    }
    material.rsa_open_with()?;
    [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm]
        .into_iter()
        .flat_map(|enc| [(enc, false), (enc, true)])
        .find(|(enc, json)| starts(alg::rsa_oaep::header_b64(*enc, *json)))
        .map(|(enc, json)| {
            let len = alg::rsa_oaep::header_b64(enc, json).len();
            let header = ProtectedHeader::known(KeyManagement::RsaOaep256, enc, None, json);
            (header, len)
        })
}

/// Reads the protected header of a JWE without decrypting it (for routing
/// or logging; nothing in it is authenticated until [`Opener::open`]).
pub fn peek_header(compact: &str) -> Result<ProtectedHeader> {
    compact::split(compact, MAX_COMPACT_LEN)?.parse_header()
}
