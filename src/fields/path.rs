//! Field paths: `$` root, `.name`, `['name']`, `[N]`, `[*]`; a bare `name`
//! means `$.name`.

use core::fmt;
use core::str::FromStr;

#[cfg(test)]
use serde_json::value::RawValue;

use crate::error::{Error, Result, quoted};
#[cfg(test)]
use crate::json::{self, Kind};

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Segment {
    Name(String),
    Index(usize),
    /// Every element of an array, every member of an object.
    Wildcard,
}

/// A parsed field path.
///
/// ```
/// use konaplate_crypto::FieldPath;
/// for p in ["mobileCardNo", "$.par", "cardDataInfo[*].par", "$['odd.name'][0]"] {
///     assert_eq!(FieldPath::parse(p)?.as_str(), p);
/// }
/// assert!(FieldPath::parse("a..b").is_err());
/// # Ok::<(), konaplate_crypto::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<Segment>,
}

impl FieldPath {
    /// Parses a path.
    pub fn parse(text: &str) -> Result<FieldPath> {
        let bad = |reason: String| Error::InvalidFieldPath {
            path: quoted(text),
            reason,
        };
        if text.len() > 1024 {
            return Err(bad("longer than 1024 bytes".into()));
        }
        let mut segments = Vec::new();
        let mut rest = match text.strip_prefix('$') {
            Some(r) => r,
            None if text.is_empty() => return Err(bad("empty".into())),
            None if text.starts_with('[') => text,
            None => {
                let (name, r) = split_name(text);
                check_name(name).map_err(bad)?;
                segments.push(Segment::Name(name.to_owned()));
                r
            }
        };
        while let Some(c) = rest.chars().next() {
            match c {
                '.' => {
                    let (name, r) = split_name(&rest[1..]);
                    if name.is_empty() {
                        return Err(bad(format!(
                            "a name is expected after '.' at byte {}",
                            text.len() - rest.len() + 1
                        )));
                    }
                    check_name(name).map_err(bad)?;
                    segments.push(Segment::Name(name.to_owned()));
                    rest = r;
                }
                '[' => {
                    let (seg, r) = bracket(&rest[1..]).map_err(|reason| {
                        bad(format!(
                            "{reason} in the brackets at byte {}",
                            text.len() - rest.len()
                        ))
                    })?;
                    if seg == Segment::Name(String::new()) {
                        return Err(bad("a member name is empty ('')".into()));
                    }
                    segments.push(seg);
                    rest = r;
                }
                other => {
                    return Err(bad(format!(
                        "unexpected '{}' at byte {}",
                        other.escape_debug(),
                        text.len() - rest.len()
                    )));
                }
            }
        }
        Ok(FieldPath {
            text: text.to_owned(),
            segments,
        })
    }

    /// The path as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub(super) fn segments(&self) -> &[Segment] {
        &self.segments
    }
}

/// Splits a dot-name off `s`: up to the next `.` or `[`.
fn split_name(s: &str) -> (&str, &str) {
    let end = s.find(['.', '[']).unwrap_or(s.len());
    s.split_at(end)
}

/// A dot-name holds no brackets, quotes, `$`, spaces or control characters;
/// other names are written `['...']`.
fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err(
            "a member name is empty (a leading '.' does not mean '$.': write '$.name' or 'name')"
                .into(),
        );
    }
    match name
        .chars()
        .find(|c| matches!(c, ']' | '\'' | '"' | '$' | '*') || c.is_whitespace() || c.is_control())
    {
        Some(c) => Err(format!(
            "'{}' cannot stand in a dot-name; write ['...']",
            c.escape_debug()
        )),
        None => Ok(()),
    }
}

/// Parses the inside of `[...]` (after the `[`); returns the rest after `]`.
fn bracket(s: &str) -> Result<(Segment, &str), String> {
    if let Some(r) = s.strip_prefix("*]") {
        return Ok((Segment::Wildcard, r));
    }
    if let Some(quote) = s.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let mut name = String::new();
        let mut chars = s[1..].char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e)) if e == '\\' || e == '\'' || e == '"' => name.push(e),
                    _ => return Err("a bad escape".into()),
                },
                c if c == quote => {
                    let after = &s[1 + i + 1..];
                    return after
                        .strip_prefix(']')
                        .map(|r| (Segment::Name(name), r))
                        .ok_or_else(|| "']' expected after the quoted name".into());
                }
                c => name.push(c),
            }
        }
        return Err("an unterminated quoted name".into());
    }
    let end = s.find(']').ok_or("']' expected")?;
    let digits = &s[..end];
    let valid = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if !valid {
        return Err("an index, '*' or a quoted name expected".into());
    }
    let index = digits
        .parse::<usize>()
        .map_err(|_| "the index is too large")?;
    Ok((Segment::Index(index), &s[end + 1..]))
}

/// The values `segments` select in `value`, one path at a time over a
/// parsed document: the reference the single pass is tested against.
#[cfg(test)]
pub(super) fn select<'a>(
    value: &'a RawValue,
    segments: &[Segment],
    out: &mut Vec<&'a RawValue>,
) -> Result<()> {
    let Some((first, rest)) = segments.split_first() else {
        out.push(value);
        return Ok(());
    };
    match (first, json::kind(value)) {
        (Segment::Name(name), Kind::Object) => {
            if let Some(v) = json::member(value, name)? {
                select(v, rest, out)?;
            }
        }
        (Segment::Index(i), Kind::Array) => {
            if let Some(v) = json::elements(value)?.get(*i) {
                select(v, rest, out)?;
            }
        }
        (Segment::Wildcard, Kind::Object) => {
            for (_, v) in json::members(value)?.0 {
                select(v, rest, out)?;
            }
        }
        (Segment::Wildcard, Kind::Array) => {
            for v in json::elements(value)? {
                select(v, rest, out)?;
            }
        }
        // A step that does not fit the value's type matches nothing.
        _ => {}
    }
    Ok(())
}

impl fmt::Debug for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FieldPath({:?})", self.text)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for FieldPath {
    type Err = Error;
    fn from_str(s: &str) -> Result<FieldPath> {
        FieldPath::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(p: &str) -> Vec<Segment> {
        FieldPath::parse(p).unwrap().segments
    }

    #[test]
    fn grammar() {
        use Segment::*;
        assert_eq!(segs("$"), vec![]);
        assert_eq!(segs("par"), vec![Name("par".into())]);
        assert_eq!(segs("$.par"), vec![Name("par".into())]);
        assert_eq!(
            segs("cardDataInfo[*].par"),
            vec![Name("cardDataInfo".into()), Wildcard, Name("par".into())]
        );
        assert_eq!(
            segs("$['a.b'][\"c\\\"d\"][10]"),
            vec![Name("a.b".into()), Name("c\"d".into()), Index(10)]
        );
        assert_eq!(segs("[0]"), vec![Index(0)]);
        assert_eq!(segs("$[*][*]"), vec![Wildcard, Wildcard]);
        for bad in [
            "",
            "a b",
            "$.a*",
            "a..b",
            "a.",
            "a[",
            "a[01]",
            "a[-1]",
            "a[x]",
            "a['x]",
            "a['x'",
            "$x",
            "a]",
            "a[99999999999999999999999]",
            // Issue 8, item 4: empty member names were accepted and matched
            // nothing, so the field left in clear. A leading '.' is not '$.'.
            ".par",
            ".",
            "$['']",
            "a[\"\"]",
        ] {
            assert!(FieldPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn selection_in_document_order() {
        let doc = r#"{"a":[{"p":1},{"q":2},{"p":3}],"b":{"x":{"p":4},"y":5}}"#;
        let root = json::parse_document(doc).unwrap();
        let got = |p: &str| -> Vec<String> {
            let mut out = Vec::new();
            select(root, FieldPath::parse(p).unwrap().segments(), &mut out).unwrap();
            out.iter().map(|v| v.get().to_owned()).collect()
        };
        assert_eq!(got("a[*].p"), ["1", "3"]);
        assert_eq!(got("b[*].p"), ["4"]);
        assert_eq!(got("b[*]"), [r#"{"p":4}"#, "5"]);
        assert_eq!(got("a[1]"), [r#"{"q":2}"#]);
        assert_eq!(got("a[9]"), Vec::<String>::new());
        assert_eq!(got("a.p"), Vec::<String>::new());
        assert_eq!(got("$"), [doc]);
    }
}
