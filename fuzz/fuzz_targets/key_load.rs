#![no_main]
//! Key files of any format (PEM, DER, JWK, PKCS#12): never a panic.
use konaplate_crypto::{KeyFile, KeyPassword};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = KeyFile::load(data, None);
    let _ = KeyFile::load(data, Some(&KeyPassword::from("test password")));
});
