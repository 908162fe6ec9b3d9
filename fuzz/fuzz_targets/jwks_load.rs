#![no_main]
//! JWK Set load: never a panic; a loaded keyring holds its keys in order.
use konaplate_crypto::Keyring;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(ring) = Keyring::from_jwks(text) {
        assert!(!ring.is_empty());
        for entry in ring.iter() {
            assert_eq!(ring.get(entry.id()).map(|e| e.id()), Some(entry.id()));
        }
    }
});
