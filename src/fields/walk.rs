//! One reading of a document for every path at once: the syntax, repeated
//! member names in every object, and the values the paths select, handed
//! over in document order as they are met.
//!
//! Each path is a list of steps; the walk carries, for the value it is in,
//! the paths still following it and how far each has come (a stack of
//! states, one range a level). A value where a path ends is taken whole as
//! a raw slice of the document.

use super::path::{FieldPath, Segment};
use crate::error::{Error, Result, quoted};
use crate::json::{Kind, Scanner};

/// A path and how many of its steps it has taken.
#[derive(Clone, Copy)]
struct State {
    path: usize,
    at: usize,
}

struct Walk<'p, F> {
    paths: &'p [FieldPath],
    states: Vec<State>,
    matched: Vec<usize>,
    on_match: F,
    /// The first error of `on_match`: the reading goes on (so that a fault
    /// of the document itself, anywhere in it, is the one reported), but
    /// `on_match` is not called again.
    deferred: Option<Error>,
    /// The path whose selected value the reading is inside, if any: no
    /// path may end in there.
    inside: Option<usize>,
}

/// Reads `doc` once, calling `on_match` with each selected value as
/// written, its kind, and the first path that selects it (once, however
/// many paths select it). Returns how many values each path selected. A
/// value selected inside another selected value is refused. A fault of the
/// document (syntax, a repeated name, a nesting past the limit) is
/// reported before any error of `on_match`, which stops the calls but not
/// the reading. Numbers are never read as numbers: any valid one passes.
pub(super) fn walk<'d, F>(doc: &'d str, paths: &[FieldPath], on_match: F) -> Result<Vec<usize>>
where
    F: FnMut(&'d str, Kind, usize) -> Result<()>,
{
    let mut walk = Walk {
        paths,
        states: (0..paths.len()).map(|path| State { path, at: 0 }).collect(),
        matched: vec![0; paths.len()],
        on_match,
        deferred: None,
        inside: None,
    };
    let mut scanner = Scanner::new(doc);
    walk.value(&mut scanner, 0, paths.len(), 0)?;
    scanner.end()?;
    match walk.deferred {
        Some(e) => Err(e),
        None => Ok(walk.matched),
    }
}

impl<'d, F> Walk<'_, F>
where
    F: FnMut(&'d str, Kind, usize) -> Result<()>,
{
    fn steps(&self, state: State) -> &[Segment] {
        self.paths
            .get(state.path)
            .map_or(&[], |p| p.segments().get(state.at..).unwrap_or_default())
    }

    /// Pushes the states of `lo..hi` that take a step `fits`; returns the
    /// new range.
    fn advance(&mut self, lo: usize, hi: usize, fits: impl Fn(&Segment) -> bool) -> (usize, usize) {
        let start = self.states.len();
        for i in lo..hi {
            let Some(&state) = self.states.get(i) else {
                break;
            };
            if self.steps(state).first().is_some_and(&fits) {
                self.states.push(State {
                    path: state.path,
                    at: state.at + 1,
                });
            }
        }
        (start, self.states.len())
    }

    /// The first path of `lo..hi` that ends at this value, if any.
    fn ending(&self, lo: usize, hi: usize) -> Option<usize> {
        let range = self.states.get(lo..hi).unwrap_or_default();
        range
            .iter()
            .find(|s| self.steps(**s).is_empty())
            .map(|s| s.path)
    }

    fn path_text(&self, i: usize) -> String {
        self.paths
            .get(i)
            .map(|p| quoted(p.as_str()))
            .unwrap_or_default()
    }

    /// The value at the scanner's position, `depth` containers deep, with
    /// the states `lo..hi` following it.
    fn value(&mut self, s: &mut Scanner<'d>, lo: usize, hi: usize, depth: usize) -> Result<()> {
        if lo == hi {
            return s.skip(depth);
        }
        let Some(first) = self.ending(lo, hi) else {
            return self.descend(s, lo, hi, depth);
        };
        if let Some(outer) = self.inside {
            return Err(Error::InvalidField {
                path: self.path_text(first),
                reason: format!(
                    "lies inside the value matched by '{}'",
                    self.path_text(outer)
                ),
            });
        }
        for i in lo..hi {
            if let Some(&state) = self.states.get(i)
                && self.steps(state).is_empty()
                && let Some(n) = self.matched.get_mut(state.path)
            {
                *n += 1;
            }
        }
        s.peek();
        let start = s.pos();
        // Paths going on inside the selected value must find nothing there.
        let deeper = (lo..hi).any(|i| {
            self.states
                .get(i)
                .is_some_and(|st| !self.steps(*st).is_empty())
        });
        if deeper {
            self.inside = Some(first);
            let inner = self.descend(s, lo, hi, depth);
            self.inside = None;
            inner?;
        } else {
            s.skip(depth)?;
        }
        let raw = s.since(start);
        if self.deferred.is_none()
            && let Err(e) = (self.on_match)(raw, Kind::of(raw), first)
        {
            self.deferred = Some(e);
        }
        Ok(())
    }

    /// The members or elements of the value at the scanner's position, each
    /// with the states that take a step into it.
    fn descend(&mut self, s: &mut Scanner<'d>, lo: usize, hi: usize, depth: usize) -> Result<()> {
        match s.peek() {
            Some(b'{') => s.object(depth, |s, name| {
                let (a, b) = self.advance(lo, hi, |step| match step {
                    Segment::Name(n) => n == name,
                    Segment::Wildcard => true,
                    Segment::Index(_) => false,
                });
                let done = self.value(s, a, b, depth + 1);
                self.states.truncate(a);
                done
            }),
            Some(b'[') => s.array(depth, |s, i| {
                let (a, b) = self.advance(lo, hi, |step| match step {
                    Segment::Index(j) => *j == i,
                    Segment::Wildcard => true,
                    Segment::Name(_) => false,
                });
                let done = self.value(s, a, b, depth + 1);
                self.states.truncate(a);
                done
            }),
            // A scalar: a step into it finds nothing.
            _ => s.skip(depth),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::path::select;
    use crate::json;
    use proptest::prelude::*;

    /// The walk's values, as text, and its counts.
    fn walked(doc: &str, paths: &[&str]) -> Result<(Vec<String>, Vec<usize>)> {
        let paths: Vec<FieldPath> = paths.iter().map(|p| FieldPath::parse(p).unwrap()).collect();
        let mut seen = Vec::new();
        let matched = walk(doc, &paths, |raw, _, _| {
            seen.push(raw.to_owned());
            Ok(())
        })?;
        Ok((seen, matched))
    }

    /// The reference: each path selected on its own over a parsed document
    /// (the way marked fields were found before the single pass), merged in
    /// document order, a value selected by two paths kept once.
    fn selected_one_path_at_a_time(doc: &str, paths: &[&str]) -> (Vec<String>, Vec<usize>, bool) {
        let root = json::parse_document(doc).unwrap();
        let mut all = Vec::new();
        let mut counts = Vec::new();
        for p in paths {
            let mut out = Vec::new();
            select(root, FieldPath::parse(p).unwrap().segments(), &mut out).unwrap();
            counts.push(out.len());
            all.extend(
                out.into_iter()
                    .map(|v| (json::offset_in(doc, v.get()), v.get())),
            );
        }
        all.sort_by_key(|(at, v)| (*at, std::cmp::Reverse(v.len())));
        all.dedup();
        let nested = all.windows(2).any(|w| w[1].0 < w[0].0 + w[0].1.len());
        (
            all.into_iter().map(|(_, v)| v.to_owned()).collect(),
            counts,
            nested,
        )
    }

    #[test]
    fn paths_meet_values_in_document_order() {
        let doc = r#"{"a":[{"p":1},{"q":2},{"p":"3"}],"b":{"x":{"p":4},"y":5},"p":[6]}"#;
        let (seen, counts) = walked(doc, &["p", "a[*].p", "b.x.p", "a[1]"]).unwrap();
        assert_eq!(seen, ["1", r#"{"q":2}"#, r#""3""#, "4", "[6]"]);
        assert_eq!(counts, [1, 2, 1, 1]);
        // Two paths naming one value: met once, counted for both.
        let (seen, counts) = walked(doc, &["b.x.p", "b[*].p", "$['b'].x['p']"]).unwrap();
        assert_eq!(seen, ["4"]);
        assert_eq!(counts, [1, 1, 1]);
        let (seen, _) = walked(doc, &["$"]).unwrap();
        assert_eq!(seen, [doc]);
    }

    #[test]
    fn a_value_inside_another_is_refused_either_way() {
        let doc = r#"{"card":{"no":"4111","exp":"12/30"},"x":1}"#;
        for paths in [["card", "card.no"], ["card.no", "card"]] {
            let e = walked(doc, &paths).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidField { path, reason } if path == "card.no" && reason.contains("'card'")),
                "{paths:?}: {e}"
            );
        }
        // A path that could go inside but finds nothing there is no overlap.
        walked(doc, &["card", "card.cvc"]).unwrap();
    }

    #[test]
    fn repeated_names_are_refused_inside_selected_values_too() {
        for doc in [
            r#"{"card":{"no":1,"no":2}}"#,
            r#"{"other":{"no":1,"no":2},"card":1}"#,
            r#"{"card":1,"card":2}"#,
        ] {
            let e = walked(doc, &["card"]).unwrap_err();
            assert!(e.to_string().contains("repeated"), "{doc}: {e}");
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<i32>().prop_map(Value::from),
            "[a-c\"\\\\]{0,3}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[pqx]", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Over random documents and paths, the single pass finds what the
        /// per-path selection finds, in the same order, and refuses exactly
        /// when the reference shows one value inside another.
        #[test]
        fn one_pass_finds_what_each_path_finds(
            value in json_value(),
            paths in prop::collection::vec(
                prop::sample::select(vec!["p", "q", "x", "p.q", "[*]", "[0]", "p[*]", "[*].p", "$[*][*]", "x[1].p", "$"]),
                1..4,
            ),
        ) {
            let doc = serde_json::to_string_pretty(&value).unwrap();
            let (want, want_counts, nested) = selected_one_path_at_a_time(&doc, &paths);
            match walked(&doc, &paths) {
                Ok((seen, counts)) => {
                    prop_assert!(!nested, "a value inside another was let through");
                    prop_assert_eq!(seen, want);
                    prop_assert_eq!(counts, want_counts);
                }
                // The reference shows a value starting before the one
                // before it ends.
                Err(Error::InvalidField { .. }) => prop_assert!(nested, "refused without a nesting"),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}
