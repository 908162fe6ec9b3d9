#![no_main]
//! Correlation id parse: never a panic; what parses keeps its text and parses again.
use konaplate_crypto::CorrelationId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(id) = CorrelationId::parse(text) {
        assert_eq!(id.as_str(), text);
        assert_eq!(CorrelationId::parse(id.as_str()).ok(), Some(id));
    }
});
