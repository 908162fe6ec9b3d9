#![no_main]
//! The server's header check: pairs named by the `X-KM-*` names (in any
//! case, repeated or missing) or by arbitrary text, arbitrary values and
//! body. Never a panic; what verifies round-trips through its own pairs.
mod common;
use arbitrary::Arbitrary;
use konaplate_crypto::{
    HeaderName, ProjectSecret, TimeZone, TokenSigner, VerifyOptions, verify_request,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Name {
    Known(u8, bool),
    Other(String),
}

fuzz_target!(|input: (Vec<(Name, String)>, Vec<u8>)| {
    let (headers, body) = input;
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .map(|(name, value)| {
            let name = match name {
                Name::Known(i, lower) => {
                    let n = HeaderName::ALL[usize::from(i) % HeaderName::ALL.len()].as_str();
                    if lower {
                        n.to_ascii_lowercase()
                    } else {
                        n.to_owned()
                    }
                }
                Name::Other(s) => s,
            };
            (name, value)
        })
        .collect();
    let signer = TokenSigner::new(&ProjectSecret::from("fuzz secret"));
    let Ok(jst) = TimeZone::fixed("JST", 9 * 3600) else {
        return;
    };
    let options = VerifyOptions::default().with_extra_zone(jst);
    let pairs = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    if let Ok(parsed) = verify_request(pairs, &body, &signer, common::now(), &options) {
        let again: Vec<(&str, &str)> = parsed.iter().map(|(n, v)| (n.as_str(), v)).collect();
        let reparsed = verify_request(again, &body, &signer, common::now(), &options);
        assert_eq!(reparsed.ok(), Some(parsed));
    }
});
