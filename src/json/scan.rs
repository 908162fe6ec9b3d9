//! A validating reader of JSON text (RFC 8259's grammar), byte by byte,
//! that never needs a value: a number is checked against the grammar and
//! passed over as text, whatever its size (`1e999`, a 400-digit integer),
//! so every valid document round-trips byte for byte. Strings are checked
//! (escapes, lone surrogates, control characters) but only member names are
//! ever decoded, for the repeated-name check. Nesting is bounded by
//! [`MAX_DEPTH`], reported as [`Error::TooDeep`].

use std::borrow::Cow;

use super::{NameStack, Scope};
use crate::error::{Error, Result};

/// The deepest nesting of arrays and objects read, in every document and
/// loader of this crate: a document nested this deep is read, one nested
/// deeper is [`Error::TooDeep`].
pub const MAX_DEPTH: usize = 64;

/// A position in a document being read, with the member names of the
/// objects open around it.
pub(crate) struct Scanner<'d> {
    text: &'d str,
    pos: usize,
    names: NameStack<'d>,
}

impl<'d> Scanner<'d> {
    pub(crate) fn new(text: &'d str) -> Scanner<'d> {
        Scanner {
            text,
            pos: 0,
            names: NameStack::new(),
        }
    }

    /// The byte offset reached.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The text from byte `start` to the position reached.
    pub(crate) fn since(&self, start: usize) -> &'d str {
        self.text.get(start..self.pos).unwrap_or_default()
    }

    fn byte(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips white space; returns the next byte, if any.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.byte() {
            self.pos += 1;
        }
        self.byte()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, b: u8) -> Result<()> {
        if self.eat(b) {
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    /// Line and column (1-based) of byte `at`.
    fn place(&self, at: usize) -> (usize, usize) {
        let before = self.text.as_bytes().get(..at).unwrap_or_default();
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let column = at
            - before
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        (line, column)
    }

    /// The error for what stands at the position reached.
    fn syntax(&self) -> Error {
        let what = if self.pos >= self.text.len() {
            "unexpected end of input"
        } else {
            "syntax error"
        };
        let (line, column) = self.place(self.pos);
        Error::InvalidJson {
            reason: format!("{what} at line {line} column {column}"),
        }
    }

    /// After the one value of a document: nothing but white space.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax()),
        }
    }

    /// A string at the position reached; returns it as written, quotes
    /// included, and whether it holds an escape.
    pub(crate) fn string(&mut self) -> Result<(&'d str, bool)> {
        let start = self.pos;
        self.expect(b'"')?;
        let bytes = self.text.as_bytes();
        let mut escaped = false;
        loop {
            // The text is UTF-8 already: only quotes, escapes and control
            // characters need a look.
            let run = plain_run(bytes.get(self.pos..).unwrap_or_default());
            let Some(run) = run else {
                self.pos = bytes.len();
                return Err(self.syntax());
            };
            self.pos += run;
            match self.byte() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok((self.since(start), escaped));
                }
                Some(b'\\') => {
                    escaped = true;
                    self.pos += 1;
                    self.escape()?;
                }
                _ => return Err(self.syntax()),
            }
        }
    }

    /// One escape, after its `\`. A `\u` escape of a surrogate must be
    /// one of a pair, high then low.
    fn escape(&mut self) -> Result<()> {
        match self.byte() {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'u') => {
                self.pos += 1;
                let unit = self.hex4()?;
                if (0xDC00..0xE000).contains(&unit) {
                    return Err(self.syntax());
                }
                if (0xD800..0xDC00).contains(&unit) {
                    if self.text.as_bytes().get(self.pos..self.pos + 2) != Some(b"\\u") {
                        return Err(self.syntax());
                    }
                    self.pos += 2;
                    if !(0xDC00..0xE000).contains(&self.hex4()?) {
                        return Err(self.syntax());
                    }
                }
                Ok(())
            }
            _ => Err(self.syntax()),
        }
    }

    fn hex4(&mut self) -> Result<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.syntax())?;
        let unit = u32::from_str_radix(digits, 16).map_err(|_| self.syntax())?;
        self.pos += 4;
        Ok(unit)
    }

    fn digits(&mut self) -> usize {
        let run = self
            .text
            .as_bytes()
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        self.pos += run;
        run
    }

    /// A number, by the grammar alone: `-? (0 | [1-9][0-9]*) (. [0-9]+)?
    /// ([eE] [+-]? [0-9]+)?`. Its value is never computed.
    fn number(&mut self) -> Result<()> {
        if self.byte() == Some(b'-') {
            self.pos += 1;
        }
        match self.byte() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.syntax()),
        }
        if self.byte() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.syntax());
            }
        }
        if let Some(b'e' | b'E') = self.byte() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.byte() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.syntax());
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &str) -> Result<()> {
        if self.text.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax())
        }
    }

    /// One container more around a value `depth` deep.
    fn open(&mut self, depth: usize) -> Result<()> {
        if depth >= MAX_DEPTH {
            return Err(Error::TooDeep { limit: MAX_DEPTH });
        }
        self.pos += 1;
        Ok(())
    }

    /// An object at the position reached, inside `depth` containers:
    /// `member` is called with each name, the position before its value,
    /// and must read the value. A name repeated in the object is refused.
    pub(crate) fn object<F>(&mut self, depth: usize, mut member: F) -> Result<()>
    where
        F: FnMut(&mut Scanner<'d>, &str) -> Result<()>,
    {
        self.open(depth)?;
        let mut scope: Scope = self.names.open();
        if !self.eat(b'}') {
            loop {
                self.peek();
                let at = self.pos;
                let name = self.name()?;
                if !self.names.insert(&mut scope, name.clone()) {
                    return Err(self.repeated(at));
                }
                self.expect(b':')?;
                member(self, &name)?;
                if self.eat(b',') {
                    continue;
                }
                self.expect(b'}')?;
                break;
            }
        }
        self.names.close(scope);
        Ok(())
    }

    /// An array at the position reached, inside `depth` containers:
    /// `element` is called with each index and must read the element.
    pub(crate) fn array<F>(&mut self, depth: usize, mut element: F) -> Result<()>
    where
        F: FnMut(&mut Scanner<'d>, usize) -> Result<()>,
    {
        self.open(depth)?;
        if self.eat(b']') {
            return Ok(());
        }
        for i in 0.. {
            element(self, i)?;
            if !self.eat(b',') {
                break;
            }
        }
        self.expect(b']')
    }

    /// A member name, decoded.
    fn name(&mut self) -> Result<Cow<'d, str>> {
        let (written, escaped) = self.string()?;
        if escaped {
            unescape(written)
        } else {
            Ok(Cow::Borrowed(
                written.get(1..written.len() - 1).unwrap_or_default(),
            ))
        }
    }

    fn repeated(&self, at: usize) -> Error {
        let (line, column) = self.place(at);
        Error::InvalidJson {
            reason: format!(
                "a member name is repeated in one object (line {line} column {column})"
            ),
        }
    }

    /// Any value at the position reached, inside `depth` containers,
    /// checked whole and passed over.
    pub(crate) fn skip(&mut self, depth: usize) -> Result<()> {
        match self.peek() {
            Some(b'{') => self.object(depth, |s, _| s.skip(depth + 1)),
            Some(b'[') => self.array(depth, |s, _| s.skip(depth + 1)),
            Some(b'"') => self.string().map(|_| ()),
            Some(b't') => self.literal("true"),
            Some(b'f') => self.literal("false"),
            Some(b'n') => self.literal("null"),
            _ => self.number(),
        }
    }
}

/// How many bytes of `bytes` pass before a quote, a backslash or a control
/// character (`None` if none comes): `memchr`'s vectorised search for the
/// first two, then one vectorisable pass over the run for the third (a
/// compact JWE is a long run of base64url).
fn plain_run(bytes: &[u8]) -> Option<usize> {
    let end = memchr::memchr2(b'"', b'\\', bytes);
    let run = bytes.get(..end.unwrap_or(bytes.len())).unwrap_or_default();
    if run.iter().fold(false, |control, b| control | (*b < 0x20)) {
        return run.iter().position(|b| *b < 0x20);
    }
    end
}

/// The content of a checked JSON string written with escapes (quotes
/// included).
pub(crate) fn unescape(written: &str) -> Result<Cow<'_, str>> {
    serde_json::from_str::<String>(written)
        .map(Cow::Owned)
        .map_err(|e| super::json_error(&e))
}

/// Checks a whole document in one pass: valid JSON, no object anywhere
/// repeating a member name, no nesting past [`MAX_DEPTH`].
pub(crate) fn check_document(doc: &str) -> Result<()> {
    let mut scanner = Scanner::new(doc);
    scanner.skip(0)?;
    scanner.end()
}

/// Refuses JSON text nested deeper than [`MAX_DEPTH`], before a loader
/// hands it to `serde_json` (whose own, undocumented limit is 128 and is
/// reported as a syntax error). Only brackets outside strings count; the
/// syntax is the loader's to check.
pub(crate) fn check_depth(text: &str) -> Result<()> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Error::TooDeep { limit: MAX_DEPTH });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn nested(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }

    /// Issue 16, item 8: numbers outside an f64's range are valid JSON
    /// and were refused as syntax errors by the walk.
    #[test]
    fn numbers_of_any_size_are_valid() {
        let big = format!("[{}]", "9".repeat(400));
        for doc in [
            "1e999",
            "-1.7976931348623157e309",
            big.as_str(),
            "0",
            "-0.0e-0",
            "1E+2",
        ] {
            check_document(doc).unwrap_or_else(|e| panic!("{doc}: {e}"));
        }
        for doc in [
            "01", "1.", ".5", "-", "1e", "1e+", "+1", "0x1", "1.e5", "--1",
        ] {
            let e = check_document(doc).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidJson, "{doc}: {e}");
        }
    }

    /// What serde_json refuses, this refuses too.
    #[test]
    fn refusals_agree_with_serde_json() {
        for doc in [
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            r#""\x""#,
            "\"a\u{1}b\"",
            r#""abc"#,
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "{1:2}",
            "tru",
            "nul",
            "[1 2]",
            "",
            "  ",
            "[] []",
        ] {
            assert!(
                serde_json::from_str::<serde_json::Value>(doc).is_err(),
                "serde_json takes {doc:?}"
            );
            assert!(check_document(doc).is_err(), "{doc:?}");
        }
        for doc in [
            r#""\ud83d\ude00""#,
            r#"{"a":[true,false,null,"x\n\u00e9"],"b":{}}"#,
            " [ ] ",
        ] {
            serde_json::from_str::<serde_json::Value>(doc).unwrap();
            check_document(doc).unwrap();
        }
    }

    /// Issue 16, item 9: the limit is ours, documented, and reported as a
    /// limit, by the scanner and the loaders' pre-check alike.
    #[test]
    fn depth_is_bounded_at_the_limit() {
        check_document(&nested(MAX_DEPTH)).unwrap();
        check_depth(&nested(MAX_DEPTH)).unwrap();
        for e in [
            check_document(&nested(MAX_DEPTH + 1)).unwrap_err(),
            check_depth(&nested(MAX_DEPTH + 1)).unwrap_err(),
        ] {
            assert_eq!(e, Error::TooDeep { limit: MAX_DEPTH });
        }
        // Brackets inside strings are text.
        check_depth(&format!("[\"{}\\\"{}\"]", "[".repeat(99), "{".repeat(99))).unwrap();
        let objects = format!(
            "{}1{}",
            r#"{"a":"#.repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(
            check_document(&objects).unwrap_err().kind(),
            ErrorKind::TooDeep
        );
    }

    /// The eight-at-a-time search finds what the byte-by-byte one finds,
    /// wherever the byte falls.
    #[test]
    fn plain_runs_stop_at_quotes_escapes_and_controls() {
        for len in 0..40 {
            for stop in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                for at in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = stop;
                    assert_eq!(plain_run(&bytes), Some(at), "{len} {stop} {at}");
                }
            }
            // Bytes just past the specials, and UTF-8, do not stop it.
            let mut bytes = "é€ !#[]\x7f ".repeat(4).into_bytes();
            bytes.truncate(len);
            assert_eq!(plain_run(&bytes), None, "{len}");
        }
    }

    #[test]
    fn errors_say_where() {
        let e = check_document("{\n  \"a\": x}").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid JSON: syntax error at line 2 column 8"
        );
        let e = check_document("[1,").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid JSON: unexpected end of input at line 1 column 4"
        );
    }
}
