//! Byte-preserving views of JSON documents, on top of `serde_json`'s
//! `RawValue`: each value is seen as the exact slice of the input it came
//! from, so a caller can replace some values and keep every other byte.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, Result};

/// Turns a `serde_json` error into ours, keeping the position and the
/// category but never the content it may quote.
pub(crate) fn json_error(e: &serde_json::Error) -> Error {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Data => "unexpected content",
        Category::Eof => "unexpected end of input",
    };
    Error::InvalidJson {
        reason: format!("{what} at line {} column {}", e.line(), e.column()),
    }
}

/// Parses a whole document as one raw value (syntax fully checked).
pub(crate) fn parse_document(doc: &str) -> Result<&RawValue> {
    serde_json::from_str::<&RawValue>(doc).map_err(|e| json_error(&e))
}

/// The kind of a raw value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Array,
    String,
    Other,
}

pub(crate) fn kind(raw: &RawValue) -> Kind {
    match raw.get().as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::String,
        _ => Kind::Other,
    }
}

/// Byte offset of `part` (a slice borrowed from `doc`) within `doc`.
pub(crate) fn offset_in(doc: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(doc.as_ptr() as usize)
}

/// The members of an object in document order.
pub(crate) struct Members<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

/// A JSON string, borrowed where it has no escapes.
#[derive(Deserialize)]
struct Name<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut out: Vec<(Cow<'de, str>, &'de RawValue)> = Vec::new();
                while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    out.push((name, value));
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The members of a raw object value; a repeated name is an error (found
/// with a hash set: linear in the number of members).
pub(crate) fn members(raw: &RawValue) -> Result<Members<'_>> {
    let members = serde_json::from_str::<Members<'_>>(raw.get()).map_err(|e| json_error(&e))?;
    let mut seen = HashSet::with_capacity(members.0.len());
    for (name, value) in &members.0 {
        if !seen.insert(name.as_ref()) {
            return Err(Error::InvalidJson {
                reason: format!(
                    "a member name is repeated in one object (the value at byte {} of the object)",
                    offset_in(raw.get(), value.get())
                ),
            });
        }
    }
    Ok(members)
}

/// The elements of a raw array value.
pub(crate) fn elements(raw: &RawValue) -> Result<Vec<&RawValue>> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).map_err(|e| json_error(&e))
}

/// The content of a raw JSON string value.
pub(crate) fn string_content(raw: &RawValue) -> Result<Cow<'_, str>> {
    serde_json::from_str::<Name<'_>>(raw.get())
        .map(|n| n.0)
        .map_err(|e| json_error(&e))
}

/// `s` as a JSON string literal, quotes included.
pub(crate) fn quote(s: &str) -> Result<String> {
    serde_json::to_string(s).map_err(|e| json_error(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_slices_of_the_document() {
        let doc = r#" { "a" : [1, {"b":"x\u0041"}] ,"c":null } "#;
        let root = parse_document(doc).unwrap();
        assert_eq!(kind(root), Kind::Object);
        let m = members(root).unwrap();
        assert_eq!(m.0.len(), 2);
        let (name, a) = &m.0[0];
        assert_eq!(name, "a");
        let start = offset_in(doc, a.get());
        assert_eq!(
            &doc[start..start + a.get().len()],
            r#"[1, {"b":"x\u0041"}]"#
        );
        let els = elements(a).unwrap();
        let inner = members(els[1]).unwrap();
        assert_eq!(string_content(inner.0[0].1).unwrap(), "xA");
    }

    #[test]
    fn repeated_names_are_refused() {
        let doc = r#"{"a":1,"a":2}"#;
        let e = members(parse_document(doc).unwrap()).err().unwrap();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidJson, "{e}");
    }

    #[test]
    fn errors_do_not_quote_content() {
        let e = parse_document(r#"{"card":"4111111111111111" x}"#).unwrap_err();
        assert!(!e.to_string().contains("4111"), "{e}");
    }
}
