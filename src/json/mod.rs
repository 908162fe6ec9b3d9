//! Byte-preserving views of JSON documents, on top of `serde_json`'s
//! `RawValue`: each value is seen as the exact slice of the input it came
//! from, so a caller can replace some values and keep every other byte.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::fmt;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, Result};

mod scan;

pub use scan::MAX_DEPTH;
pub(crate) use scan::{Scanner, check_depth, check_document, unescape};

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
    Kind::of(raw.get())
}

impl Kind {
    /// The kind of a value written as `text`, from its first byte.
    pub(crate) fn of(text: &str) -> Kind {
        match text.as_bytes().first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            _ => Kind::Other,
        }
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
pub(crate) struct Name<'a>(#[serde(borrow)] pub(crate) Cow<'a, str>);

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

/// The members of a raw object value, in document order. Repeated names
/// are not looked for here: every caller has run [`check_document`] over the
/// whole document first, so each object is checked once, not once per path.
pub(crate) fn members(raw: &RawValue) -> Result<Members<'_>> {
    serde_json::from_str::<Members<'_>>(raw.get()).map_err(|e| json_error(&e))
}

#[cfg(test)]
/// The value of the member `name` of a raw object value, found without
/// collecting the others (their values are skipped, not kept).
pub(crate) fn member<'a>(raw: &'a RawValue, name: &str) -> Result<Option<&'a RawValue>> {
    use serde::de::{self, DeserializeSeed};
    struct Find<'n>(&'n str);
    impl<'de> DeserializeSeed<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Find<'_> {
        type Value = Option<&'de RawValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(Name(key)) = map.next_key::<Name<'de>>()? {
                if found.is_none() && key == self.0 {
                    found = Some(map.next_value::<&'de RawValue>()?);
                } else {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
            Ok(found)
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    Find(name).deserialize(&mut de).map_err(|e| json_error(&e))
}

/// The member names of the objects open in a document, innermost last:
/// one buffer for the whole document. A small object's names are compared
/// directly; past [`NameStack::LINEAR`] names the object also keeps a table
/// from each name's keyed 64-bit hash to the first name with that hash,
/// which never re-reads the names as it grows, so a million-member object
/// costs little more per member than a small one. A hash met twice is
/// settled by comparing the names themselves.
pub(crate) struct NameStack<'de> {
    names: Vec<Cow<'de, str>>,
    keys: RandomState,
}

/// One open object of a [`NameStack`].
pub(crate) struct Scope {
    base: usize,
    hashed: Option<HashMap<u64, usize, BuildHasherDefault<Prehashed>>>,
}

impl<'de> NameStack<'de> {
    /// Names an object holds before it hashes them.
    const LINEAR: usize = 16;

    pub(crate) fn new() -> NameStack<'de> {
        NameStack {
            names: Vec::new(),
            keys: RandomState::new(),
        }
    }

    /// Opens an object nested in the ones open.
    pub(crate) fn open(&self) -> Scope {
        Scope {
            base: self.names.len(),
            hashed: None,
        }
    }

    /// Adds `name` to the innermost object, `scope`; false if that object
    /// has it already.
    pub(crate) fn insert(&mut self, scope: &mut Scope, name: Cow<'de, str>) -> bool {
        let keys = self.keys.clone();
        self.insert_hashed(&keys, scope, name)
    }

    fn insert_hashed<S: BuildHasher>(
        &mut self,
        keys: &S,
        scope: &mut Scope,
        name: Cow<'de, str>,
    ) -> bool {
        let own = self.names.get(scope.base..).unwrap_or_default();
        if scope.hashed.is_none() {
            if own.len() < Self::LINEAR {
                if own.contains(&name) {
                    return false;
                }
                self.names.push(name);
                return true;
            }
            let mut table = HashMap::default();
            for (i, n) in own.iter().enumerate() {
                table
                    .entry(keys.hash_one(n.as_ref()))
                    .or_insert(scope.base + i);
            }
            scope.hashed = Some(table);
        }
        let Some(table) = scope.hashed.as_mut() else {
            return false;
        };
        match table.entry(keys.hash_one(name.as_ref())) {
            Entry::Vacant(slot) => {
                slot.insert(self.names.len());
            }
            Entry::Occupied(slot) => {
                if self.names.get(*slot.get()) == Some(&name) {
                    return false;
                }
                // Two different names with one 64-bit hash (keyed, so no
                // input can aim for it): compare with every name.
                if own.contains(&name) {
                    return false;
                }
            }
        }
        self.names.push(name);
        true
    }

    /// Closes the innermost object.
    pub(crate) fn close(&mut self, scope: Scope) {
        self.names.truncate(scope.base);
    }
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The elements of a raw array value.
#[cfg(test)]
pub(crate) fn elements(raw: &RawValue) -> Result<Vec<&RawValue>> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).map_err(|e| json_error(&e))
}

/// The content of a raw JSON string value.
pub(crate) fn string_content(raw: &RawValue) -> Result<Cow<'_, str>> {
    string_text(raw.get())
}

/// The content of a checked JSON string as written (quotes included).
pub(crate) fn string_text(text: &str) -> Result<Cow<'_, str>> {
    // A checked string without escapes is its text between the quotes.
    if !text.bytes().any(|b| b == b'\\')
        && let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
    {
        return Ok(Cow::Borrowed(inner));
    }
    unescape(text)
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
        let e = check_document(doc).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidJson, "{e}");
    }

    /// Issue 8, item 3: a repeated member off the marked paths passed.
    #[test]
    fn repeats_anywhere_are_found_and_told_from_syntax_errors() {
        for doc in [
            r#"{"par":"x","limits":{"daily":1,"daily":999999}}"#,
            r#"[{"a":[{"b":1,"b":2}]}]"#,
            r#"{"a":1,"a":1}"#,
            r#"{"\u0061":1,"a":2}"#,
        ] {
            let e = check_document(doc).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidJson { reason } if reason.starts_with("a member name is repeated")),
                "{doc}: {e}"
            );
        }
        for doc in [r#"{"a":{"b":1},"b":{"b":2}}"#, "[1,2,1]", r#""s""#, "null"] {
            check_document(doc).unwrap();
        }
        let e = check_document(r#"{"a":1,}"#).unwrap_err();
        assert!(
            matches!(&e, Error::InvalidJson { reason } if reason.starts_with("syntax")),
            "{e}"
        );
        assert!(check_document(r#"{"a":1} x"#).is_err());
    }

    /// Names whose hashes collide are still told apart by their text,
    /// in an object wide enough to be hashed, nested in another.
    #[test]
    fn colliding_hashes_are_settled_by_the_names() {
        #[derive(Default)]
        struct Constant;
        impl Hasher for Constant {
            fn finish(&self) -> u64 {
                7
            }
            fn write(&mut self, _: &[u8]) {}
        }
        let all_collide = BuildHasherDefault::<Constant>::default();
        let mut stack = NameStack::new();
        let mut outer = stack.open();
        assert!(stack.insert_hashed(&all_collide, &mut outer, Cow::Borrowed("a")));
        let mut inner = stack.open();
        let names: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        for n in &names {
            assert!(
                stack.insert_hashed(&all_collide, &mut inner, Cow::Borrowed(n)),
                "{n}"
            );
        }
        assert!(inner.hashed.is_some());
        for n in &names {
            assert!(
                !stack.insert_hashed(&all_collide, &mut inner, Cow::Borrowed(n)),
                "{n}"
            );
        }
        // The outer object's name is not the inner one's.
        assert!(stack.insert_hashed(&all_collide, &mut inner, Cow::Owned("a".into())));
        stack.close(inner);
        assert!(!stack.insert_hashed(&all_collide, &mut outer, Cow::Borrowed("a")));
        assert!(stack.insert_hashed(&all_collide, &mut outer, Cow::Borrowed("n0")));
    }

    /// Wide and narrow objects, repeats before and after the switch to hashing.
    #[test]
    fn repeats_in_wide_objects() {
        for width in [2usize, 15, 16, 17, 100] {
            let members: Vec<String> = (0..width).map(|i| format!("\"m{i}\":{i}")).collect();
            let doc = format!("{{{}}}", members.join(","));
            check_document(&doc).unwrap();
            for repeat in [0, width / 2, width - 1] {
                let bad = format!("{{{},\"m{repeat}\":0}}", members.join(","));
                assert!(check_document(&bad).is_err(), "{width} {repeat}");
            }
        }
    }

    #[test]
    fn errors_do_not_quote_content() {
        let e = parse_document(r#"{"card":"4111111111111111" x}"#).unwrap_err();
        assert!(!e.to_string().contains("4111"), "{e}");
    }
}
