#![no_main]
//! JWE parse and open with symmetric keys, under every key selection.
mod common;
use konaplate_crypto::{KeySelection, peek_header};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ring = common::keyring();
    let _ = peek_header(text);
    for selection in [
        KeySelection::Named(common::kid('A')),
        KeySelection::Named(common::kid('B')),
        KeySelection::CallbackKey,
        KeySelection::DangerousKidInMessage,
    ] {
        if let Ok(opened) = ring.opener(selection).open(text) {
            // Only a JWE sealed under a held key opens; its kid, if any, is that key's.
            if let (KeySelection::Named(id), Some(kid)) = (selection, opened.header().kid()) {
                assert_eq!(kid, id.as_str());
            }
        }
    }
});
