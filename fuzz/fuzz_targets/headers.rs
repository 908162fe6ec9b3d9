#![no_main]
//! The server's header check over arbitrary name/value pairs and body.
mod common;
use konaplate_crypto::{ProjectSecret, TimeZone, TokenSigner, VerifyOptions, verify_request};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Vec<(String, String)>, Vec<u8>)| {
    let (headers, body) = input;
    let signer = TokenSigner::new(&ProjectSecret::from("fuzz secret"));
    let Ok(jst) = TimeZone::fixed("JST", 9 * 3600) else { return };
    let options = VerifyOptions::default().with_extra_zone(jst);
    let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    if let Ok(parsed) = verify_request(pairs, &body, &signer, common::now(), &options) {
        // Whatever verifies round-trips through its own header pairs.
        let again: Vec<(&str, &str)> = parsed.iter().map(|(n, v)| (n.as_str(), v)).collect();
        let reparsed = verify_request(again, &body, &signer, common::now(), &options);
        assert_eq!(reparsed.ok(), Some(parsed));
    }
});
