//! One reading of a document for every path at once: the syntax, repeated
//! member names in every object, and the values the paths select, handed
//! over in document order as they are met.
//!
//! Each path is a list of steps; the walk carries, for the value it is in,
//! the paths still following it and how far each has come (a stack of
//! states, one range a level). A value where a path ends is taken whole as
//! a raw slice of the document.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::path::{FieldPath, Segment, selects_any};
use crate::error::{Error, Result, quoted};
use crate::json::{self, Kind, Name, NameStack};

/// A path and how many of its steps it has taken.
#[derive(Clone, Copy)]
struct State {
    path: usize,
    at: usize,
}

struct Walk<'p, 'd, F> {
    paths: &'p [FieldPath],
    names: RefCell<NameStack<'d>>,
    states: RefCell<Vec<State>>,
    matched: RefCell<Vec<usize>>,
    on_match: RefCell<F>,
    /// Our own error, when one stopped the reading.
    failure: RefCell<Option<Error>>,
    /// The first error of `on_match`: the reading goes on (so that a fault
    /// of the document itself, anywhere in it, is the one reported), but
    /// `on_match` is not called again.
    deferred: RefCell<Option<Error>>,
    repeated: Cell<bool>,
}

/// Reads `doc` once, calling `on_match` with each selected value (once,
/// however many paths select it) and the first path that selects it.
/// Returns how many values each path selected. A value selected inside
/// another selected value is refused. A fault of the document (syntax, a
/// repeated name, a nesting) is reported before any error of `on_match`,
/// which stops the calls but not the reading.
pub(super) fn walk<'d, F>(doc: &'d str, paths: &[FieldPath], on_match: F) -> Result<Vec<usize>>
where
    F: FnMut(&'d RawValue, usize) -> Result<()>,
{
    let walk = Walk {
        paths,
        names: RefCell::new(NameStack::new()),
        states: RefCell::new((0..paths.len()).map(|path| State { path, at: 0 }).collect()),
        matched: RefCell::new(vec![0; paths.len()]),
        on_match: RefCell::new(on_match),
        failure: RefCell::new(None),
        deferred: RefCell::new(None),
        repeated: Cell::new(false),
    };
    let mut de = serde_json::Deserializer::from_str(doc);
    let root = Node {
        walk: &walk,
        lo: 0,
        hi: paths.len(),
    };
    match root.deserialize(&mut de).and_then(|()| de.end()) {
        Ok(()) => match walk.deferred.into_inner() {
            Some(e) => Err(e),
            None => Ok(walk.matched.into_inner()),
        },
        Err(e) => Err(walk.failure.into_inner().unwrap_or_else(|| {
            if walk.repeated.get() {
                json::repeated_name(&e)
            } else {
                json::json_error(&e)
            }
        })),
    }
}

impl<'d, F> Walk<'_, 'd, F>
where
    F: FnMut(&'d RawValue, usize) -> Result<()>,
{
    fn steps(&self, state: State) -> &[Segment] {
        self.paths
            .get(state.path)
            .map_or(&[], |p| p.segments().get(state.at..).unwrap_or_default())
    }

    /// Pushes the states of `lo..hi` that take a step `fits`; returns the
    /// new range.
    fn advance(&self, lo: usize, hi: usize, fits: impl Fn(&Segment) -> bool) -> (usize, usize) {
        let mut states = self.states.borrow_mut();
        let start = states.len();
        for i in lo..hi {
            let Some(&state) = states.get(i) else { break };
            if self.steps(state).first().is_some_and(&fits) {
                states.push(State {
                    path: state.path,
                    at: state.at + 1,
                });
            }
        }
        (start, states.len())
    }

    fn drop_states(&self, from: usize) {
        self.states.borrow_mut().truncate(from);
    }

    /// Whether a path of `lo..hi` ends at this value.
    fn ends_here(&self, lo: usize, hi: usize) -> bool {
        let states = self.states.borrow();
        let range = states.get(lo..hi).unwrap_or_default();
        range.iter().any(|s| self.steps(*s).is_empty())
    }

    /// A value some path of `lo..hi` ends at.
    fn selected(&self, raw: &'d RawValue, lo: usize, hi: usize) -> Result<()> {
        // What the walk does not read itself is checked as the rest is.
        if matches!(json::kind(raw), Kind::Object | Kind::Array) {
            json::check_document(raw.get())?;
        }
        let states = self.states.borrow();
        let range = states.get(lo..hi).unwrap_or_default();
        let mut first = None;
        {
            let mut matched = self.matched.borrow_mut();
            for s in range.iter().filter(|s| self.steps(**s).is_empty()) {
                if let Some(n) = matched.get_mut(s.path) {
                    *n += 1;
                }
                first.get_or_insert(s.path);
            }
        }
        let first = first.unwrap_or_default();
        for s in range {
            let rest = self.steps(*s);
            if !rest.is_empty() && selects_any(raw, rest)? {
                return Err(Error::InvalidField {
                    path: self.path_text(s.path),
                    reason: format!(
                        "lies inside the value matched by '{}'",
                        self.path_text(first)
                    ),
                });
            }
        }
        drop(states);
        let mut deferred = self.deferred.borrow_mut();
        if deferred.is_none()
            && let Err(e) = (self.on_match.borrow_mut())(raw, first)
        {
            *deferred = Some(e);
        }
        Ok(())
    }

    fn path_text(&self, i: usize) -> String {
        self.paths
            .get(i)
            .map(|p| quoted(p.as_str()))
            .unwrap_or_default()
    }

    /// Keeps `e` for the caller and stops the reading.
    fn fail<E: de::Error>(&self, e: Error) -> E {
        *self.failure.borrow_mut() = Some(e);
        E::custom("stopped")
    }
}

/// A value, with the range of states that follow it.
struct Node<'w, 'p, 'd, F> {
    walk: &'w Walk<'p, 'd, F>,
    lo: usize,
    hi: usize,
}

impl<F> Clone for Node<'_, '_, '_, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Node<'_, '_, '_, F> {}

impl<'d, F> DeserializeSeed<'d> for Node<'_, '_, 'd, F>
where
    F: FnMut(&'d RawValue, usize) -> Result<()>,
{
    type Value = ();
    fn deserialize<D: Deserializer<'d>>(self, d: D) -> Result<(), D::Error> {
        if self.lo < self.hi && self.walk.ends_here(self.lo, self.hi) {
            let raw = <&'d RawValue>::deserialize(d)?;
            return self
                .walk
                .selected(raw, self.lo, self.hi)
                .map_err(|e| self.walk.fail(e));
        }
        d.deserialize_any(self)
    }
}

impl<'d, F> Visitor<'d> for Node<'_, '_, 'd, F>
where
    F: FnMut(&'d RawValue, usize) -> Result<()>,
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    json::accept_scalars!();
    fn visit_seq<A: SeqAccess<'d>>(self, mut seq: A) -> Result<(), A::Error> {
        let w = self.walk;
        for i in 0usize.. {
            let (lo, hi) = w.advance(self.lo, self.hi, |step| match step {
                Segment::Index(j) => *j == i,
                Segment::Wildcard => true,
                Segment::Name(_) => false,
            });
            let more = seq.next_element_seed(Node { walk: w, lo, hi })?;
            w.drop_states(lo);
            if more.is_none() {
                break;
            }
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'d>>(self, mut map: A) -> Result<(), A::Error> {
        let w = self.walk;
        let mut scope = w.names.borrow().open();
        while let Some(Name(name)) = map.next_key::<Name<'d>>()? {
            let (lo, hi) = w.advance(self.lo, self.hi, |step| match step {
                Segment::Name(n) => *n == name,
                Segment::Wildcard => true,
                Segment::Index(_) => false,
            });
            if !w.names.borrow_mut().insert(&mut scope, name) {
                w.repeated.set(true);
                return Err(de::Error::custom("a member name is repeated"));
            }
            map.next_value_seed(Node { walk: w, lo, hi })?;
            w.drop_states(lo);
        }
        w.names.borrow_mut().close(scope);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::path::select;
    use proptest::prelude::*;

    /// The walk's values, as text, and its counts.
    fn walked(doc: &str, paths: &[&str]) -> Result<(Vec<String>, Vec<usize>)> {
        let paths: Vec<FieldPath> = paths.iter().map(|p| FieldPath::parse(p).unwrap()).collect();
        let mut seen = Vec::new();
        let matched = walk(doc, &paths, |raw, _| {
            seen.push(raw.get().to_owned());
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
