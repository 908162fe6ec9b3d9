//! Marked fields (SPEC section 5.2): encrypt the values a response marks
//! "Encrypted" in place, every other byte of the document unchanged.
//!
//! A JSON string's plaintext is its content (no quotes); any other value
//! (number, object, array, bool, null) is encrypted as its exact JSON text,
//! with `"cty":"json"` in the header, so decryption restores its type.
//! Decrypted strings are written back with `serde_json`'s escaping, so a
//! string that had needless escapes (`\u0041`) returns as the same value in
//! its plain spelling.
//!
//! Everything is checked before anything is written: on any error the caller
//! gets the error and no output, never a half-processed document.
//!
//! ```
//! use konaplate_crypto::{ContentEncryption, CryptoKeyId, Fields, KeySelection, Keyring, generate_jwks};
//!
//! let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! let keyring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm))?;
//! let fields = Fields::new(["mobileCardNo", "par"])?;
//!
//! // Server: encrypt the marked fields with the key the request named.
//! let response = br#"{"code":"000_000", "mobileCardNo":"9410123412341234", "par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
//! let sent = fields.encrypt(response, &keyring.sealer(&kid)?)?;
//! assert!(sent.starts_with(br#"{"code":"000_000", "mobileCardNo":"eyJ"#));
//!
//! // SDK: decrypt them; the document is restored.
//! let received = fields.decrypt(&sent, &keyring.opener(KeySelection::Named(kid)))?;
//! assert_eq!(&received[..], &response[..]);
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

mod path;
mod walk;

use std::borrow::Cow;
use std::sync::Arc;

use rand::CryptoRng;
use zeroize::{Zeroize as _, Zeroizing};

pub use path::FieldPath;

use crate::error::quoted;
use crate::error::{Error, ErrorKind, Result};
use crate::json::{self, Kind};
use crate::jwe::{ContentType, Opener, Sealer};

/// A set of field paths to encrypt or decrypt, parsed once. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Fields {
    paths: Arc<[FieldPath]>,
    strict: bool,
    max_document: usize,
}

impl Fields {
    /// Parses each path.
    pub fn new<I, S>(paths: I) -> Result<Fields>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let paths = paths
            .into_iter()
            .map(|p| FieldPath::parse(p.as_ref()))
            .collect::<Result<Arc<[_]>>>()?;
        Ok(Fields {
            paths,
            strict: false,
            max_document: Fields::DEFAULT_MAX_DOCUMENT,
        })
    }

    /// The default largest document read: 16 MiB.
    pub const DEFAULT_MAX_DOCUMENT: usize = 16 << 20;

    /// Reads documents up to `bytes` long (before encryption, or as
    /// received for decryption), and writes none longer: an encryption
    /// whose output would pass the limit is [`Error::TooLarge`], so what
    /// encrypts under a limit decrypts under it. Each field's JWE has its
    /// sealer's or opener's own limit besides. Documents are nested at most
    /// [`MAX_DEPTH`](crate::MAX_DEPTH) deep ([`Error::TooDeep`]).
    #[must_use]
    pub fn with_max_document(mut self, bytes: usize) -> Fields {
        self.max_document = bytes;
        self
    }

    /// Makes a path that matches nothing an error ([`Error::FieldNotFound`]).
    #[must_use]
    pub fn strict(mut self) -> Fields {
        self.strict = true;
        self
    }

    /// The paths.
    pub fn paths(&self) -> &[FieldPath] {
        &self.paths
    }

    /// The document as text, within the size limit.
    fn text<'a>(&self, doc: &'a [u8]) -> Result<&'a str> {
        if doc.len() > self.max_document {
            return Err(Error::TooLarge {
                what: "document",
                limit: self.max_document,
            });
        }
        utf8(doc)
    }

    /// Refuses an encrypted document of `len` bytes that a decryption with
    /// the same limit would refuse.
    fn within_limit(&self, len: usize) -> Result<()> {
        if len > self.max_document {
            return Err(Error::TooLarge {
                what: "encrypted document",
                limit: self.max_document,
            });
        }
        Ok(())
    }

    /// Refuses, if strict, a path that matched nothing.
    fn check_matched(&self, matched: &[usize]) -> Result<()> {
        match self.paths.iter().zip(matched).find(|(_, n)| **n == 0) {
            Some((path, _)) if self.strict => Err(Error::FieldNotFound {
                path: quoted(path.as_str()),
            }),
            _ => Ok(()),
        }
    }

    /// Encrypts every matched value with `sealer`; IVs from the thread's CSPRNG.
    pub fn encrypt(&self, doc: &[u8], sealer: &Sealer) -> Result<Vec<u8>> {
        self.encrypt_with_rng(doc, sealer, &mut rand::rng())
    }

    /// As [`Fields::encrypt`], drawing IVs from `rng` in document order.
    pub fn encrypt_with_rng<R: CryptoRng + ?Sized>(
        &self,
        doc: &[u8],
        sealer: &Sealer,
        rng: &mut R,
    ) -> Result<Vec<u8>> {
        self.encrypt_counted_with_rng(doc, sealer, rng)
            .map(Encrypted::into_document)
    }

    /// As [`Fields::encrypt`], also saying how many values each path
    /// matched, so that a server can refuse to send a response in which a
    /// field it must protect was not there to encrypt.
    ///
    /// ```
    /// # use konaplate_crypto::{ContentEncryption, CryptoKeyId, Fields, Keyring, generate_jwks};
    /// # let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
    /// # let sealer = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm))?.sealer(&kid)?;
    /// let fields = Fields::new(["mobileCardNo", "par"])?;
    /// let out = fields.encrypt_counted(br#"{"code":"000_000","par":"Q1J4"}"#, &sealer)?;
    /// assert_eq!(out.matched(), [0, 1]);
    /// assert_eq!(out.unmatched().map(|p| p.as_str()).collect::<Vec<_>>(), ["mobileCardNo"]);
    /// # Ok::<(), konaplate_crypto::Error>(())
    /// ```
    pub fn encrypt_counted(&self, doc: &[u8], sealer: &Sealer) -> Result<Encrypted> {
        self.encrypt_counted_with_rng(doc, sealer, &mut rand::rng())
    }

    fn encrypt_counted_with_rng<R: CryptoRng + ?Sized>(
        &self,
        doc: &[u8],
        sealer: &Sealer,
        rng: &mut R,
    ) -> Result<Encrypted> {
        let doc = self.text(doc)?;
        // Room for the document and a few fields; each JWE is written
        // straight into it, between the untouched bytes around its value.
        let mut out = Vec::with_capacity(doc.len() + doc.len() / 2 + 512);
        let mut copied = 0;
        let matched = walk::walk(doc, &self.paths, |raw, kind, _| {
            let start = json::offset_in(doc, raw);
            out.extend_from_slice(doc.as_bytes().get(copied..start).unwrap_or_default());
            // A compact JWE is base64url and dots: nothing to escape.
            out.push(b'"');
            if kind == Kind::String {
                let mut text = json::string_text(raw)?;
                let sealed = sealer.seal_into(text.as_bytes(), ContentType::Text, rng, &mut out);
                if let Cow::Owned(unescaped) = &mut text {
                    unescaped.zeroize();
                }
                sealed?;
            } else {
                sealer.seal_into(raw.as_bytes(), ContentType::Json, rng, &mut out)?;
            }
            out.push(b'"');
            copied = start + raw.len();
            // What is encrypted under a limit must decrypt under it.
            self.within_limit(out.len() + (doc.len() - copied))
        })?;
        self.check_matched(&matched)?;
        out.extend_from_slice(doc.as_bytes().get(copied..).unwrap_or_default());
        self.within_limit(out.len())?;
        Ok(Encrypted {
            document: out,
            paths: self.paths.clone(),
            matched,
        })
    }

    /// Decrypts every matched value with `opener`. Each must be a JSON
    /// string holding a compact JWE.
    pub fn decrypt(&self, doc: &[u8], opener: &Opener) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.text(doc)?;
        // Plaintexts are shorter than their JWEs: the output outgrows the
        // document only through escapes, and grows by wiped copies.
        let mut out = Zeroizing::new(Vec::with_capacity(doc.len()));
        let mut copied = 0;
        let matched = walk::walk(doc, &self.paths, |raw, kind, path| {
            let not_jwe = |reason: &str| Error::InvalidField {
                path: quoted(self.paths.get(path).map_or("", FieldPath::as_str)),
                reason: reason.into(),
            };
            if kind != Kind::String {
                return Err(not_jwe("the value is not a string holding a JWE"));
            }
            // The string as written, between its quotes: a JWE needs no
            // escapes, and one with any fails to parse, so they are
            // undone only then.
            let written = raw;
            let compact = written
                .get(1..written.len().saturating_sub(1))
                .unwrap_or_default();
            let start = json::offset_in(doc, written);
            let before = doc.as_bytes().get(copied..start).unwrap_or_default();
            reserve_wiped(&mut out, before.len() + compact.len() + 2);
            out.extend_from_slice(before);
            let value_at = out.len();
            out.push(b'"');
            let header = match opener.open_into(compact, &mut out) {
                Err(e) if e.kind() == ErrorKind::MalformedJwe && compact.contains('\\') => {
                    opener.open_into(&json::string_text(raw)?, &mut out)?
                }
                opened => opened?,
            };
            let plaintext = out.get(value_at + 1..).unwrap_or_default();
            let text = core::str::from_utf8(plaintext)
                .map_err(|_| not_jwe("the decrypted value is not UTF-8 text"))?;
            if header.is_json() {
                json::check_document(text)
                    .map_err(|_| not_jwe("the decrypted value is marked JSON but is not"))?;
                // JSON text stands as it is, without the quote.
                out.copy_within(value_at + 1.., value_at);
                out.pop();
            } else if text.bytes().any(needs_escape) {
                let text = Zeroizing::new(text.to_owned());
                out.truncate(value_at);
                reserve_wiped(&mut out, text.len() * 6 + 2);
                serde_json::to_writer(&mut *out, text.as_str())
                    .map_err(|e| json::json_error(&e))?;
            } else {
                out.push(b'"');
            }
            copied = start + raw.len();
            Ok(())
        })?;
        self.check_matched(&matched)?;
        let rest = doc.as_bytes().get(copied..).unwrap_or_default();
        reserve_wiped(&mut out, rest.len());
        out.extend_from_slice(rest);
        Ok(out)
    }
}

/// Bytes a JSON string cannot hold as they are.
fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Makes room for `extra` more bytes in a buffer of secrets: a larger one
/// takes the bytes, and the old one is wiped as it drops.
fn reserve_wiped(buf: &mut Zeroizing<Vec<u8>>, extra: usize) {
    if buf.capacity() - buf.len() >= extra {
        return;
    }
    let want = buf.len().saturating_add(extra).max(buf.capacity() * 2);
    let mut bigger = Zeroizing::new(Vec::with_capacity(want));
    bigger.extend_from_slice(buf);
    *buf = bigger;
}

/// A document with its marked fields encrypted, and what each path matched.
#[derive(Clone, Debug)]
pub struct Encrypted {
    document: Vec<u8>,
    paths: Arc<[FieldPath]>,
    matched: Vec<usize>,
}

impl Encrypted {
    /// The document to send.
    pub fn document(&self) -> &[u8] {
        &self.document
    }
    /// The document to send, owned.
    pub fn into_document(self) -> Vec<u8> {
        self.document
    }
    /// How many values each path matched, in the order the paths were given.
    pub fn matched(&self) -> &[usize] {
        &self.matched
    }
    /// The paths that matched nothing: fields that were not there to encrypt.
    pub fn unmatched(&self) -> impl Iterator<Item = &FieldPath> {
        self.paths
            .iter()
            .zip(&self.matched)
            .filter(|(_, n)| **n == 0)
            .map(|(p, _)| p)
    }
}

fn utf8(doc: &[u8]) -> Result<&str> {
    core::str::from_utf8(doc).map_err(|e| Error::InvalidJson {
        reason: format!("not UTF-8 (at byte {})", e.valid_up_to()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ContentEncryption, CryptoKeyId, KeySelection, Keyring, generate_jwks};

    /// A JWE written with needless escapes (`\u0065` for `e`, `\/` cannot
    /// occur in base64url) is still read: escapes are undone when the text
    /// as written does not parse.
    #[test]
    fn escaped_jwes_are_read() {
        let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
        let ring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm)).unwrap();
        let fields = Fields::new(["par"]).unwrap();
        let doc = br#"{"par":"Q1J4\"AwS\u0001"}"#;
        let sealed = fields.encrypt(doc, &ring.sealer(&kid).unwrap()).unwrap();
        let text = String::from_utf8(sealed).unwrap();
        assert!(text.starts_with(r#"{"par":"eyJ"#), "{text}");
        let escaped = text.replacen(r#""eyJ"#, r#""\u0065yJ"#, 1);
        let opener = ring.opener(KeySelection::Named(kid));
        for sent in [&text, &escaped] {
            let back = fields.decrypt(sent.as_bytes(), &opener).unwrap();
            assert_eq!(&back[..], &doc[..], "{sent}");
        }
        // A fault of the document is reported before a field's, wherever
        // it lies (found by fuzzing: the single pass once said the earlier
        // field's error).
        let late = format!("{},", &text[..text.len() - 1]);
        let bad_field = late.replacen(r#""eyJ"#, r#""xyJ"#, 1);
        let e = fields.decrypt(bad_field.as_bytes(), &opener).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidJson, "{e}");
        // An escape that leaves no JWE is still refused, as malformed.
        let broken = text.replacen(r#""eyJ"#, r#""\"yJ"#, 1);
        let e = fields.decrypt(broken.as_bytes(), &opener).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedJwe, "{e}");
    }
}
