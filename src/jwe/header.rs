//! The JWE protected header: parsed strictly, against the allow-list.

use crate::error::{Error, Result, quoted};
use crate::ids::CryptoKeyId;
use crate::json;
use crate::jwe::alg::KeyManagement;
use crate::jwe::enc::ContentEncryption;

/// The protected header of a received JWE, as far as this crate reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectedHeader {
    alg: KeyManagement,
    enc: ContentEncryption,
    kid: Option<Text>,
    cty: Option<Text>,
}

/// A header string. The ones this crate writes itself (a KONA key id,
/// `json`) are held without allocating.
#[derive(Clone, Debug)]
enum Text {
    Json,
    Id(CryptoKeyId),
    Other(Box<str>),
}

impl Text {
    fn as_str(&self) -> &str {
        match self {
            Text::Json => "json",
            Text::Id(id) => id.as_str(),
            Text::Other(s) => s,
        }
    }

    fn new(s: &str) -> Text {
        if s == "json" {
            return Text::Json;
        }
        match CryptoKeyId::parse(s) {
            Ok(id) => Text::Id(id),
            Err(_) => Text::Other(s.into()),
        }
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl ProtectedHeader {
    /// `alg`: how the content key is agreed.
    pub fn alg(&self) -> KeyManagement {
        self.alg
    }
    /// `enc`: how the content is encrypted.
    pub fn enc(&self) -> ContentEncryption {
        self.enc
    }
    /// `kid`, if present (any string: not necessarily a KONA key id).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_ref().map(Text::as_str)
    }
    /// `cty`, if present. `json` marks a field whose plaintext is JSON text.
    pub fn cty(&self) -> Option<&str> {
        self.cty.as_ref().map(Text::as_str)
    }
    /// Whether `cty` says the plaintext is JSON text of any type (`json`).
    pub fn is_json(&self) -> bool {
        matches!(self.cty, Some(Text::Json))
    }

    /// A header this crate wrote itself, recognised by its exact text: no
    /// decoding or JSON needed.
    pub(crate) fn known(
        alg: KeyManagement,
        enc: ContentEncryption,
        kid: Option<CryptoKeyId>,
        json: bool,
    ) -> ProtectedHeader {
        ProtectedHeader {
            alg,
            enc,
            kid: kid.map(Text::Id),
            cty: json.then_some(Text::Json),
        }
    }

    /// Parses the decoded header bytes.
    pub(crate) fn parse(bytes: &[u8]) -> Result<ProtectedHeader> {
        let malformed = |reason: &str| Error::MalformedJwe {
            reason: format!("protected header: {reason}"),
        };
        let text = core::str::from_utf8(bytes).map_err(|_| malformed("not UTF-8"))?;
        json::check_document(text).map_err(|e| match e {
            Error::InvalidJson { reason } => malformed(&reason),
            other => other,
        })?;
        let raw = json::parse_document(text).map_err(|_| malformed("not valid JSON"))?;
        if json::kind(raw) != json::Kind::Object {
            return Err(malformed("not a JSON object"));
        }
        let members = json::members(raw).map_err(|e| match e {
            Error::InvalidJson { reason } => malformed(&reason),
            other => other,
        })?;
        let (mut alg, mut enc, mut kid, mut cty) = (None, None, None, None);
        for (name, value) in &members.0 {
            let string = || {
                if json::kind(value) != json::Kind::String {
                    return Err(malformed(&format!("'{}' is not a string", quoted(name))));
                }
                json::string_content(value)
            };
            match name.as_ref() {
                "alg" => alg = Some(string()?),
                "enc" => enc = Some(string()?),
                "kid" => kid = Some(Text::new(&string()?)),
                "cty" => cty = Some(Text::new(&string()?)),
                "zip" => {
                    return Err(Error::UnsupportedJwe {
                        reason: "compression (zip) is not supported".into(),
                    });
                }
                "crit" => {
                    return Err(Error::UnsupportedJwe {
                        reason: "crit names extensions this crate does not implement".into(),
                    });
                }
                // Other registered or private members carry no meaning here.
                _ => {}
            }
        }
        let alg = alg.ok_or_else(|| malformed("no 'alg'"))?;
        let enc = enc.ok_or_else(|| malformed("no 'enc'"))?;
        let alg = KeyManagement::from_name(&alg).ok_or_else(|| Error::UnsupportedJwe {
            reason: format!(
                "alg '{}' is not on the allow-list (dir, RSA-OAEP-256)",
                quoted(&alg)
            ),
        })?;
        let enc = enc.parse::<ContentEncryption>()?;
        Ok(ProtectedHeader { alg, enc, kid, cty })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list() {
        let ok = ProtectedHeader::parse(br#"{"enc":"A128GCM","alg":"RSA-OAEP-256"}"#).unwrap();
        assert_eq!(ok.alg(), KeyManagement::RsaOaep256);
        assert_eq!(ok.enc(), ContentEncryption::A128Gcm);
        let ok = ProtectedHeader::parse(
            br#"{"alg":"dir","enc":"A256GCM","kid":"k","cty":"json","typ":"x"}"#,
        )
        .unwrap();
        assert!(ok.is_json());
        assert_eq!(ok.kid(), Some("k"));
        use crate::error::ErrorKind::{MalformedJwe, UnsupportedJwe};
        for (bad, want) in [
            (r#"{"alg":"none","enc":"A128GCM"}"#, UnsupportedJwe),
            (r#"{"alg":"dir","enc":"A128CBC-HS256"}"#, UnsupportedJwe),
            (r#"{"alg":"dir","enc":"A192GCM"}"#, UnsupportedJwe),
            (
                r#"{"alg":"dir","enc":"A128GCM","zip":"DEF"}"#,
                UnsupportedJwe,
            ),
            (
                r#"{"alg":"dir","enc":"A128GCM","crit":["exp"],"exp":1}"#,
                UnsupportedJwe,
            ),
            (r#"{"alg":"dir","enc":"A128GCM","alg":"dir"}"#, MalformedJwe),
            (r#"{"alg":"dir"}"#, MalformedJwe),
            (r#"{"alg":1,"enc":"A128GCM"}"#, MalformedJwe),
            (r#"["alg"]"#, MalformedJwe),
            ("{", MalformedJwe),
        ] {
            let e = ProtectedHeader::parse(bad.as_bytes()).unwrap_err();
            assert_eq!(e.kind(), want, "{bad}: {e}");
        }
    }
}
