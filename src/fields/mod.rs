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

use rand::CryptoRng;
use serde_json::value::RawValue;
use zeroize::Zeroizing;

pub use path::FieldPath;

use crate::error::quoted;
use crate::error::{Error, Result};
use crate::json::{self, Kind};
use crate::jwe::{ContentType, Opener, Sealer};

/// A set of field paths to encrypt or decrypt, parsed once.
#[derive(Clone, Debug)]
pub struct Fields {
    paths: Vec<FieldPath>,
    strict: bool,
    max_document: usize,
}

/// One matched value: its byte range in the document and the path that found it.
struct Span<'a> {
    start: usize,
    raw: &'a RawValue,
    path: usize,
}

impl Span<'_> {
    fn end(&self) -> usize {
        self.start + self.raw.get().len()
    }
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
            .collect::<Result<Vec<_>>>()?;
        Ok(Fields {
            paths,
            strict: false,
            max_document: Fields::DEFAULT_MAX_DOCUMENT,
        })
    }

    /// The default largest document read: 16 MiB.
    pub const DEFAULT_MAX_DOCUMENT: usize = 16 << 20;

    /// Reads documents up to `bytes` long (before encryption, or as
    /// received for decryption). Each field's JWE has its sealer's or
    /// opener's own limit besides.
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

    /// Finds every matched value, in document order, refusing overlaps.
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

    /// The matched values in document order, and how many each path matched.
    fn spans<'a>(&self, doc: &'a str) -> Result<(Vec<Span<'a>>, Vec<usize>)> {
        // Every object of the document, on a marked path or not, is checked
        // for repeated names, in one linear pass, both ways.
        json::check_document(doc)?;
        let root = json::parse_document(doc)?;
        let mut spans = Vec::new();
        let mut matched = Vec::with_capacity(self.paths.len());
        for (i, path) in self.paths.iter().enumerate() {
            let found = path.select(root)?;
            matched.push(found.len());
            if found.is_empty() && self.strict {
                return Err(Error::FieldNotFound {
                    path: quoted(path.as_str()),
                });
            }
            spans.extend(found.into_iter().map(|raw| Span {
                start: json::offset_in(doc, raw.get()),
                raw,
                path: i,
            }));
        }
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.raw.get().len())));
        // Two paths naming the same value select it once.
        spans.dedup_by(|b, a| a.start == b.start && a.end() == b.end());
        for pair in spans.windows(2) {
            if let [a, b] = pair
                && b.start < a.end()
            {
                return Err(Error::InvalidField {
                    path: self.path_text(b.path),
                    reason: format!(
                        "lies inside the value matched by '{}'",
                        self.path_text(a.path)
                    ),
                });
            }
        }
        Ok((spans, matched))
    }

    fn path_text(&self, i: usize) -> String {
        self.paths
            .get(i)
            .map(|p| quoted(p.as_str()))
            .unwrap_or_default()
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
        let (spans, matched) = self.spans(doc)?;
        let mut replacements = Vec::with_capacity(spans.len());
        for span in &spans {
            let jwe = match json::kind(span.raw) {
                Kind::String => {
                    let text = json::string_content(span.raw)?;
                    sealer.seal_with_rng(text.as_bytes(), ContentType::Text, rng)?
                }
                _ => sealer.seal_with_rng(span.raw.get().as_bytes(), ContentType::Json, rng)?,
            };
            // A compact JWE is base64url and dots: nothing to escape.
            replacements.push(format!("\"{jwe}\""));
        }
        Ok(Encrypted {
            document: splice(doc, &spans, &replacements),
            paths: self.paths.clone(),
            matched,
        })
    }

    /// Decrypts every matched value with `opener`. Each must be a JSON
    /// string holding a compact JWE.
    pub fn decrypt(&self, doc: &[u8], opener: &Opener) -> Result<Zeroizing<Vec<u8>>> {
        let doc = self.text(doc)?;
        let (spans, _) = self.spans(doc)?;
        let mut replacements = Vec::with_capacity(spans.len());
        for span in &spans {
            let not_jwe = |reason: &str| Error::InvalidField {
                path: self.path_text(span.path),
                reason: reason.into(),
            };
            if json::kind(span.raw) != Kind::String {
                return Err(not_jwe("the value is not a string holding a JWE"));
            }
            let compact = json::string_content(span.raw)?;
            let opened = opener.open(&compact)?;
            let is_json = opened.header().is_json();
            let plaintext = opened.into_plaintext();
            let text = core::str::from_utf8(&plaintext)
                .map_err(|_| not_jwe("the decrypted value is not UTF-8 text"))?;
            let replacement = if is_json {
                json::parse_document(text)
                    .map_err(|_| not_jwe("the decrypted value is marked JSON but is not"))?;
                Zeroizing::new(text.to_owned())
            } else {
                Zeroizing::new(json::quote(text)?)
            };
            replacements.push(replacement);
        }
        Ok(Zeroizing::new(splice(doc, &spans, &replacements)))
    }
}

/// A document with its marked fields encrypted, and what each path matched.
#[derive(Clone, Debug)]
pub struct Encrypted {
    document: Vec<u8>,
    paths: Vec<FieldPath>,
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

/// The document with each span replaced.
fn splice<S: AsRef<str>>(doc: &str, spans: &[Span<'_>], replacements: &[S]) -> Vec<u8> {
    let added: usize = replacements.iter().map(|r| r.as_ref().len()).sum();
    let mut out = Vec::with_capacity(doc.len() + added);
    let mut at = 0;
    for (span, replacement) in spans.iter().zip(replacements) {
        out.extend_from_slice(doc.as_bytes().get(at..span.start).unwrap_or_default());
        out.extend_from_slice(replacement.as_ref().as_bytes());
        at = span.end();
    }
    out.extend_from_slice(doc.as_bytes().get(at..).unwrap_or_default());
    out
}
