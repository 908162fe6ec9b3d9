//! The whole-payload envelope (SPEC section 5.1): the JSON body is replaced
//! by `{"encData":"<JWE compact>"}`, the JWE's plaintext being the original
//! body's exact bytes.
//!
//! ```
//! use konaplate_crypto::envelope;
//! use konaplate_crypto::ids::CryptoKeyId;
//! use konaplate_crypto::jwe::ContentEncryption;
//! use konaplate_crypto::keyring::{Keyring, generate_jwks};
//!
//! let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef")?;
//! let keyring = Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm))?;
//! let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
//!
//! let sealed = envelope::seal(body, &keyring.sealer(&kid)?)?;
//! assert!(sealed.starts_with(r#"{"encData":"eyJ"#));
//! let opened = envelope::open(sealed.as_bytes(), &keyring.opener(Some(&kid)))?;
//! assert_eq!(&opened[..], &body[..]);
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::json::{self, Kind};
use crate::jwe::{Opener, Sealer};

/// The member that carries the JWE.
pub const MEMBER: &str = "encData";

/// Seals `body` (any bytes, kept exactly) into an envelope.
pub fn seal(body: &[u8], sealer: &Sealer<'_>) -> Result<String> {
    seal_with_rng(body, sealer, &mut rand::rng())
}

/// As [`seal`], drawing the IV (and any content key) from `rng`.
pub fn seal_with_rng<R: CryptoRng + ?Sized>(
    body: &[u8],
    sealer: &Sealer<'_>,
    rng: &mut R,
) -> Result<String> {
    let jwe = sealer.seal_with_rng(body, false, rng)?;
    Ok(format!("{{\"{MEMBER}\":\"{jwe}\"}}"))
}

/// Opens an envelope: a JSON object whose only member is `encData`, a string
/// holding a compact JWE. Returns the original body's bytes.
pub fn open(envelope: &[u8], opener: &Opener<'_>) -> Result<Zeroizing<Vec<u8>>> {
    let invalid = |reason: &str| Error::InvalidEnvelope {
        reason: reason.into(),
    };
    let text = core::str::from_utf8(envelope).map_err(|_| invalid("not UTF-8"))?;
    let root = json::parse_document(text)?;
    if json::kind(root) != Kind::Object {
        return Err(invalid("expected a JSON object {\"encData\": \"<JWE>\"}"));
    }
    let members = json::members(root)?;
    let [(name, value)] = members.0.as_slice() else {
        return Err(invalid("expected exactly one member, encData"));
    };
    if name != MEMBER {
        return Err(invalid("expected exactly one member, encData"));
    }
    if json::kind(value) != Kind::String {
        return Err(invalid("encData is not a string"));
    }
    let compact = json::string_content(value)?;
    Ok(opener.open(&compact)?.into_plaintext())
}
