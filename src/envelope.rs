//! The whole-payload envelope (SPEC section 5.1): the JSON body is replaced
//! by `{"encData":"<JWE compact>"}`, the JWE's plaintext being the original
//! body's exact bytes.
//!
//! ```
//! use konaplate_crypto::{ContentEncryption, CryptoKeyId, KeySelection, Keyring, generate_jwks};
//! use konaplate_crypto::{open_envelope, seal_envelope};
//!
//! let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! let keyring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm))?;
//! let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
//!
//! let sealed = seal_envelope(body, &keyring.sealer(&kid)?)?;
//! assert!(sealed.starts_with(r#"{"encData":"eyJ"#));
//! let opened = open_envelope(sealed.as_bytes(), &keyring.opener(KeySelection::Named(kid)))?;
//! assert_eq!(&opened[..], &body[..]);
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::error::{Error, ErrorKind, Result};
use crate::json::{self, Kind};
use crate::jwe::{ContentType, Opened, Opener, Sealer, ascii_string};

/// White space JSON allows around a value.
const JSON_SPACE: &[char] = &[' ', '\t', '\n', '\r'];

/// The member of the envelope that carries the JWE.
pub const ENVELOPE_MEMBER: &str = "encData";

/// Bytes an envelope may hold beyond its JWE.
const ENVELOPE_SLACK: usize = 1024;

/// Seals `body` (any bytes, kept exactly) into an envelope.
pub fn seal_envelope(body: &[u8], sealer: &Sealer) -> Result<String> {
    seal_envelope_with_rng(body, sealer, &mut rand::rng())
}

/// As [`seal_envelope`], drawing the IV (and any content key) from `rng`.
pub fn seal_envelope_with_rng<R: CryptoRng + ?Sized>(
    body: &[u8],
    sealer: &Sealer,
    rng: &mut R,
) -> Result<String> {
    let mut out = Vec::with_capacity(
        (PREFIX.len() + SUFFIX.len()).saturating_add(sealer.room_needed(body.len())),
    );
    out.extend_from_slice(PREFIX.as_bytes());
    sealer.seal_into(body, ContentType::Text, rng, &mut out)?;
    out.extend_from_slice(SUFFIX.as_bytes());
    Ok(ascii_string(out))
}

/// What an envelope holds before and after its JWE, written without white
/// space.
const PREFIX: &str = "{\"encData\":\"";
const SUFFIX: &str = "\"}";

/// Whether `body` is an envelope: a JSON object whose only member is
/// `encData`, a string. What a client of an envelope-or-plain route opens;
/// anything else it takes as it is.
pub(crate) fn is_envelope(body: &[u8]) -> bool {
    let Ok(text) = core::str::from_utf8(body) else {
        return false;
    };
    if json::check_depth(text).is_err() {
        return false;
    }
    let Ok(root) = json::parse_document(text) else {
        return false;
    };
    if json::kind(root) != Kind::Object {
        return false;
    }
    match json::members(root) {
        Ok(members) => matches!(
            members.0.as_slice(),
            [(name, value)] if name == ENVELOPE_MEMBER && json::kind(value) == Kind::String
        ),
        Err(_) => false,
    }
}

/// Opens an envelope: a JSON object whose only member is `encData`, a string
/// holding a compact JWE. Returns the original body's bytes.
pub fn open_envelope(envelope: &[u8], opener: &Opener) -> Result<Zeroizing<Vec<u8>>> {
    let invalid = |reason: &str| Error::InvalidEnvelope {
        reason: reason.into(),
    };
    // The JWE's own limit, plus room for `{"encData":""}` and white space:
    // nothing larger is parsed.
    let limit = opener.max_size().saturating_add(ENVELOPE_SLACK);
    if envelope.len() > limit {
        return Err(Error::TooLarge {
            what: "encrypted body",
            limit,
        });
    }
    let text = core::str::from_utf8(envelope).map_err(|_| invalid("not UTF-8"))?;
    // The envelope as this crate and the platform write it: its JWE opens
    // where it lies, without a JSON pass. Whatever else comes, or a JWE
    // that does not parse there (a '"' or escape inside), takes the full
    // reading below, which names the fault.
    let plain = text
        .trim_matches(JSON_SPACE)
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX));
    if let Some(compact) = plain {
        match opener.open(compact) {
            Err(e) if e.kind() == ErrorKind::MalformedJwe => {}
            done => return done.map(Opened::into_plaintext),
        }
    }
    // No whole-document check for repeated names: an envelope has exactly
    // one member, a string, so anything with a repeat is refused below.
    json::check_depth(text)?;
    let root = json::parse_document(text)?;
    if json::kind(root) != Kind::Object {
        return Err(invalid("expected a JSON object {\"encData\": \"<JWE>\"}"));
    }
    let members = json::members(root)?;
    let [(name, value)] = members.0.as_slice() else {
        return Err(invalid("expected exactly one member, encData"));
    };
    if name != ENVELOPE_MEMBER {
        return Err(invalid("expected exactly one member, encData"));
    }
    if json::kind(value) != Kind::String {
        return Err(invalid("encData is not a string"));
    }
    let compact = json::string_content(value)?;
    Ok(opener.open(&compact)?.into_plaintext())
}
