#![no_main]
//! The crate's own JSON scanner against serde_json, on any text: a
//! document the walk reads (a path that matches nothing, so only the
//! reading is tested) is one serde_json reads, and the other way round,
//! except where the scanner is meant to differ: numbers outside an f64
//! (valid JSON the scanner takes), nesting past `MAX_DEPTH` (`too_deep`
//! here, serde's own limit is 128), and repeated member names (refused
//! here, taken by serde_json).
mod common;
use konaplate_crypto::{ErrorKind, Fields, KeySelection, MAX_DEPTH};
use libfuzzer_sys::fuzz_target;

/// Whether serde_json's verdict may differ from the scanner's for `text`.
fn may_differ(text: &str) -> bool {
    let mut depth = 0usize;
    let mut deepest = 0usize;
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
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            // An exponent or a long digit run may overflow an f64.
            b'e' | b'E' => return true,
            _ => {}
        }
    }
    deepest > MAX_DEPTH || text.bytes().filter(u8::is_ascii_digit).count() > 300
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opener = common::keyring().opener(KeySelection::Named(common::kid('B')));
    let ours = Fields::new(["nothing.here"]).expect("a path").decrypt(data, &opener);
    let serde = serde_json::from_str::<serde_json::Value>(text);
    match (&ours, &serde) {
        (Ok(back), Ok(_)) => assert_eq!(&back[..], data, "a document comes back as it was"),
        (Err(e), Ok(_)) if e.to_string().contains("repeated") => {}
        (Err(e), _) if e.kind() == ErrorKind::TooDeep => assert!(may_differ(text)),
        (Err(e), Err(_)) => assert_eq!(e.kind(), ErrorKind::InvalidJson, "{e}"),
        _ => assert!(may_differ(text), "scanner {ours:?}, serde_json {serde:?}"),
    }
});
