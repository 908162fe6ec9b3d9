#![no_main]
//! Field path parse: never a panic; what parses keeps its text and parses again.
use konaplate_crypto::FieldPath;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(path) = FieldPath::parse(text) {
        assert_eq!(path.as_str(), text);
        assert_eq!(FieldPath::parse(path.as_str()).ok(), Some(path));
    }
});
