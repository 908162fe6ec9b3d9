#![no_main]
//! Token parse and verify: never a panic; a parsed token prints as it was read.
mod common;
use konaplate_crypto::{
    AcceptedForms, ProjectSecret, TimeZone, TokenSigner, TranToken, VerifyOptions,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let signer = TokenSigner::new(&ProjectSecret::from("fuzz secret"));
    if let Ok(token) = TranToken::parse(text) {
        assert_eq!(token.as_str(), text);
        for options in [
            VerifyOptions::default(),
            VerifyOptions::default().with_forms(AcceptedForms::UnpaddedOnly),
        ] {
            let _ = signer.verify(&token, data, common::now(), TimeZone::KST, &options);
        }
    }
    let _ = signer.verify_str(
        text,
        b"{}",
        common::now(),
        TimeZone::UTC,
        &VerifyOptions::default(),
    );
});
