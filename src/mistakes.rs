//! The usual ways a client gets `X-KM-Tran-Token`'s MAC wrong, and which
//! one, if any, explains a MAC that does not match: what a server (or a
//! local stand-in for the platform) tells a developer beyond
//! `token_mismatch`.
//!
//! ```
//! use konaplate_crypto::{DateTime, MacMistake, ProjectSecret, TimeFormat, TokenForm, TokenSigner};
//! use base64::Engine as _;
//!
//! let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
//! let body = br#"{"userId":1}"#;
//! let time = DateTime::parse("20261202093015123", TimeFormat::Millis17)?;
//! // A client that signs the base64 of the body, not the body:
//! let b64 = base64::engine::general_purpose::STANDARD.encode(body);
//! let token = signer.sign(b64.as_bytes(), time, TokenForm::Unpadded);
//! assert_eq!(signer.diagnose(&token, body), Some(MacMistake::Base64OfBody));
//! # Ok::<(), konaplate_crypto::Error>(())
//! ```

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

use crate::token::{TokenSigner, TranToken};

/// A common mistake that explains a token's MAC: the MAC is what the
/// signer makes of the received body changed this way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MacMistake {
    /// Over the base64 of the body, not the body (the mistake of a public
    /// Express client).
    Base64OfBody,
    /// Over the body and a trailing newline the request did not carry.
    TrailingNewlineAdded,
    /// Over the body without the trailing newline it was sent with.
    TrailingNewlineDropped,
    /// Over the body re-serialised without white space (as
    /// `JSON.stringify(value)` writes it), not the bytes sent.
    ReserialisedCompact,
    /// Over the body re-serialised with two-space indentation (as
    /// `JSON.stringify(value, null, 2)` writes it), not the bytes sent.
    ReserialisedIndented,
    /// Over the body re-serialised with its members in sorted order.
    ReserialisedSorted,
    /// Over an empty body, while the request carried one.
    EmptyBody,
    /// Keyed with the secret base64-decoded, not its UTF-8 bytes.
    SecretBase64Decoded,
}

impl fmt::Display for MacMistake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MacMistake::Base64OfBody => {
                "the MAC is over the base64 of the body, not the body: HMAC-SHA256 the body's exact bytes"
            }
            MacMistake::TrailingNewlineAdded => {
                "the MAC is over the body with a trailing newline that was not sent"
            }
            MacMistake::TrailingNewlineDropped => {
                "the MAC is over the body without the trailing newline it was sent with"
            }
            MacMistake::ReserialisedCompact => {
                "the MAC is over the body re-serialised without white space, not the bytes sent: sign the bytes you send"
            }
            MacMistake::ReserialisedIndented => {
                "the MAC is over the body re-serialised with indentation, not the bytes sent: sign the bytes you send"
            }
            MacMistake::ReserialisedSorted => {
                "the MAC is over the body re-serialised with its members sorted, not the bytes sent: sign the bytes you send"
            }
            MacMistake::EmptyBody => {
                "the MAC is over an empty body, but the request carried one: sign the body you send"
            }
            MacMistake::SecretBase64Decoded => {
                "the MAC is keyed with the secret base64-decoded: the key is the secret's UTF-8 bytes as issued"
            }
        })
    }
}

impl TokenSigner {
    /// Which [`MacMistake`] explains `token`'s MAC over `body`, if one
    /// does: each is tried in turn (on a MAC that does not match; a token
    /// that verifies gets `None` as well). Costs a few MACs over the body:
    /// for a refused request's explanation, not for every request.
    pub fn diagnose(&self, token: &TranToken, body: &[u8]) -> Option<MacMistake> {
        if self.check_mac(token, body).is_ok() {
            return None;
        }
        let matches =
            |candidate: &[u8]| candidate != body && self.check_mac(token, candidate).is_ok();
        if matches(STANDARD.encode(body).as_bytes()) {
            return Some(MacMistake::Base64OfBody);
        }
        let mut newline = body.to_vec();
        newline.push(b'\n');
        if matches(&newline) {
            return Some(MacMistake::TrailingNewlineAdded);
        }
        let trimmed = body
            .strip_suffix(b"\r\n")
            .or_else(|| body.strip_suffix(b"\n"));
        if trimmed.is_some_and(&matches) {
            return Some(MacMistake::TrailingNewlineDropped);
        }
        if let Ok(text) = core::str::from_utf8(body)
            && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
        {
            let compact = compact(text);
            if matches(compact.as_bytes()) {
                return Some(MacMistake::ReserialisedCompact);
            }
            if matches(indented(&compact).as_bytes()) {
                return Some(MacMistake::ReserialisedIndented);
            }
            if sorted(text).is_some_and(|s| matches(s.as_bytes())) {
                return Some(MacMistake::ReserialisedSorted);
            }
        }
        if !body.is_empty() && self.check_mac(token, b"").is_ok() {
            return Some(MacMistake::EmptyBody);
        }
        if self.mac_matches_decoded_secret(token, body) {
            return Some(MacMistake::SecretBase64Decoded);
        }
        None
    }
}

/// The secret base64-decoded (either alphabet, padded or not), if it is
/// base64 of at least one byte.
pub(crate) fn base64_decoded(secret: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(secret).ok())
        .filter(|bytes| !bytes.is_empty())
        .map(Zeroizing::new)
}

/// Where a scan of JSON text stands: inside a string or not.
#[derive(Default)]
struct Strings {
    inside: bool,
    escaped: bool,
}

impl Strings {
    /// Whether `c` is part of a string (its quotes included), moving on.
    fn in_string(&mut self, c: char) -> bool {
        if self.inside {
            match (self.escaped, c) {
                (true, _) => self.escaped = false,
                (false, '\\') => self.escaped = true,
                (false, '"') => self.inside = false,
                _ => {}
            }
            return true;
        }
        self.inside = c == '"';
        self.inside
    }
}

/// `text` (valid JSON) without white space outside its strings, members in
/// their order.
fn compact(text: &str) -> String {
    let mut strings = Strings::default();
    text.chars()
        .filter(|c| strings.in_string(*c) || !matches!(c, ' ' | '\t' | '\n' | '\r'))
        .collect()
}

/// Compact JSON laid out as `JSON.stringify(value, null, 2)` lays it out.
fn indented(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut strings = Strings::default();
    let mut chars = compact.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', depth * 2));
    };
    while let Some(c) = chars.next() {
        if strings.in_string(c) {
            out.push(c);
            continue;
        }
        match c {
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out
}

/// `text` re-serialised compactly with every object's members sorted by name.
fn sorted(text: &str) -> Option<String> {
    fn sort(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut members: Vec<_> = map.into_iter().collect();
                members.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(members.into_iter().map(|(k, v)| (k, sort(v))).collect())
            }
            serde_json::Value::Array(items) => {
                serde_json::Value::Array(items.into_iter().map(sort).collect())
            }
            other => other,
        }
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    serde_json::to_string(&sort(value)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_javascripts() {
        let text = "{ \"a\" : [1, {\"b\": \"x y\\\" ,:\"}], \"e\": {}, \"f\": [] }\n";
        let c = compact(text);
        assert_eq!(c, r#"{"a":[1,{"b":"x y\" ,:"}],"e":{},"f":[]}"#);
        assert_eq!(
            indented(&c),
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x y\\\" ,:\"\n    }\n  ],\n  \"e\": {},\n  \"f\": []\n}"
        );
        assert_eq!(
            sorted(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap(),
            r#"{"a":{"c":3,"d":2},"b":1}"#
        );
    }
}
