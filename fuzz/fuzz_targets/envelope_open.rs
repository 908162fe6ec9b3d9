#![no_main]
//! Envelope open: never a panic; what opens was sealed under a held key.
mod common;
use konaplate_crypto::{KeySelection, open_envelope};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ring = common::keyring();
    let _ = open_envelope(data, &ring.opener(KeySelection::Named(common::kid('A'))));
    let _ = open_envelope(data, &ring.opener(KeySelection::DangerousKidInMessage));
});
