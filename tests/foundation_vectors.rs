//! The foundation vectors of `test-vectors/` (made by `test-vectors/gen/foundation.py`
//! with Python's hmac, hashlib, base64 and datetime): every case is loaded and
//! a failing case names its index and name.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{at_ms, vectors};
use konaplate_crypto::Error;
use konaplate_crypto::{
    AcceptedForms, CorrelationId, DateTime, ProjectSecret, TimeFormat, TimeZone, TokenForm,
    TokenSigner, TranToken, VerifyOptions,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct TokenCase {
    name: String,
    secret: String,
    body: Option<String>,
    body_hex: Option<String>,
    zone: String,
    unix_ms: i64,
    time: String,
    token: String,
    token_padded: String,
}

impl TokenCase {
    fn body(&self) -> Vec<u8> {
        match (&self.body, &self.body_hex) {
            (Some(b), None) => b.as_bytes().to_vec(),
            (None, Some(h)) => hex::decode(h).unwrap(),
            _ => panic!("{}: exactly one of body and body_hex", self.name),
        }
    }
}

#[test]
fn tokens_sign_and_verify() {
    let cases: Vec<TokenCase> = vectors("tokens.json");
    assert!(cases.len() >= 9);
    for (i, c) in cases.iter().enumerate() {
        let ctx = format!("case {i} ({})", c.name);
        let zone: TimeZone = c.zone.parse().unwrap();
        let signer = TokenSigner::new(&ProjectSecret::from(c.secret.as_str()));
        let body = c.body();
        let now = at_ms(c.unix_ms);

        let time = DateTime::parse(&c.time, TimeFormat::Millis17).unwrap();
        assert_eq!(
            signer.sign(&body, time, TokenForm::Unpadded).as_str(),
            c.token,
            "{ctx}"
        );
        assert_eq!(
            signer
                .sign_at(&body, now, zone, TokenForm::Padded)
                .unwrap()
                .as_str(),
            c.token_padded,
            "{ctx}"
        );
        let options = VerifyOptions::default();
        for text in [&c.token, &c.token_padded] {
            let token = signer
                .verify_str(text, &body, now, zone, &options)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_eq!(token.time(), time, "{ctx}");
        }
        let strict = VerifyOptions::default().with_forms(AcceptedForms::UnpaddedOnly);
        signer
            .verify_str(&c.token, &body, now, zone, &strict)
            .unwrap_or_else(|e| panic!("{ctx}: {e}"));
    }
}

#[derive(Deserialize)]
struct TokenFailure {
    name: String,
    token: String,
    expect: String,
    secret: String,
    body: String,
    zone: String,
    now_unix_ms: i64,
    strict: bool,
}

#[test]
fn token_failures_are_refused_with_the_right_kind() {
    let cases: Vec<TokenFailure> = vectors("token-failures.json");
    assert!(cases.len() >= 20);
    for (i, c) in cases.iter().enumerate() {
        let ctx = format!("case {i} ({})", c.name);
        let signer = TokenSigner::new(&ProjectSecret::from(c.secret.as_str()));
        let mut options = VerifyOptions::default().with_max_skew(Duration::from_secs(300));
        if c.strict {
            options = options.with_forms(AcceptedForms::UnpaddedOnly);
        }
        let zone: TimeZone = c.zone.parse().unwrap();
        let result = signer.verify_str(
            &c.token,
            c.body.as_bytes(),
            at_ms(c.now_unix_ms),
            zone,
            &options,
        );
        match (c.expect.as_str(), &result) {
            ("ok", Ok(_))
            | ("malformed", Err(Error::MalformedToken { .. }))
            | ("mismatch", Err(Error::TokenMismatch))
            | ("outside_window", Err(Error::TokenTimeOutsideWindow { .. }))
            | ("padded_refused", Err(Error::PaddedTokenRefused)) => {}
            (want, got) => panic!("{ctx}: expected {want}, got {got:?}"),
        }
    }
}

#[derive(Deserialize)]
struct Rfc4231Case {
    name: String,
    key_hex: String,
    data_hex: String,
    mac_hex: String,
}

/// RFC 4231's keys are bytes, not text: the signer's MAC over `data` is
/// the token's last field.
#[test]
fn rfc4231_hmac_sha256() {
    use base64::Engine as _;
    let cases: Vec<Rfc4231Case> = vectors("rfc4231.json");
    assert_eq!(cases.len(), 7);
    let time = DateTime::new(2024, 1, 1, 0, 0, 0, 0).unwrap();
    for (i, c) in cases.iter().enumerate() {
        let signer = TokenSigner::from_key_bytes(&hex::decode(&c.key_hex).unwrap());
        let token = signer.sign(&hex::decode(&c.data_hex).unwrap(), time, TokenForm::Padded);
        let mac = base64::engine::general_purpose::STANDARD
            .decode(&token.as_str()[23..])
            .unwrap();
        let want = hex::decode(&c.mac_hex).unwrap();
        // Test case 5 gives only the first 128 bits.
        assert_eq!(&mac[..want.len()], &want[..], "case {i} ({})", c.name);
    }
}

#[derive(Deserialize)]
struct Times {
    valid: Vec<ValidTime>,
    invalid: Vec<InvalidTime>,
    leap_years: Vec<i64>,
}

#[derive(Deserialize)]
struct ValidTime {
    unix_ms: i64,
    zone: String,
    short12: Option<String>,
    seconds14: String,
    millis17: String,
}

#[derive(Deserialize)]
struct InvalidTime {
    text: String,
    format: String,
    reason_contains: String,
}

fn format_named(name: &str) -> TimeFormat {
    match name {
        "short12" => TimeFormat::Short12,
        "seconds14" => TimeFormat::Seconds14,
        "millis17" => TimeFormat::Millis17,
        other => panic!("unknown format {other}"),
    }
}

#[test]
fn times_format_and_parse() {
    let t: Times = vectors("times.json");
    assert!(t.valid.len() >= 50);
    for (i, c) in t.valid.iter().enumerate() {
        let ctx = format!("valid case {i} ({} in {})", c.unix_ms, c.zone);
        let zone: TimeZone = c.zone.parse().unwrap();
        let dt = DateTime::from_unix_millis(c.unix_ms, zone).unwrap();
        assert_eq!(
            dt.format(TimeFormat::Millis17).unwrap().as_str(),
            c.millis17,
            "{ctx}"
        );
        assert_eq!(
            dt.format(TimeFormat::Seconds14).unwrap().as_str(),
            c.seconds14,
            "{ctx}"
        );
        match &c.short12 {
            Some(s) => assert_eq!(dt.format(TimeFormat::Short12).unwrap().as_str(), s, "{ctx}"),
            None => assert!(dt.format(TimeFormat::Short12).is_err(), "{ctx}"),
        }
        let back = DateTime::parse(&c.millis17, TimeFormat::Millis17).unwrap();
        assert_eq!(back.to_unix_millis(zone), c.unix_ms, "{ctx}");
    }
    for (i, c) in t.invalid.iter().enumerate() {
        match DateTime::parse(&c.text, format_named(&c.format)) {
            Err(Error::InvalidTime { reason }) => assert!(
                reason.contains(&c.reason_contains),
                "invalid case {i} ({}): reason {reason:?} lacks {:?}",
                c.text,
                c.reason_contains
            ),
            other => panic!("invalid case {i} ({}): got {other:?}", c.text),
        }
    }
    // A year is a leap year exactly when 29 February of it is a real date.
    for year in 1600..=2400u16 {
        assert_eq!(
            DateTime::new(year, 2, 29, 0, 0, 0, 0).is_ok(),
            t.leap_years.contains(&i64::from(year)),
            "leap year {year}"
        );
    }
}

#[derive(Deserialize)]
struct CorrelationIds {
    valid: Vec<String>,
    invalid: Vec<InvalidId>,
}

#[derive(Deserialize)]
struct InvalidId {
    id: String,
    reason_contains: String,
}

#[test]
fn correlation_ids_parse() {
    let c: CorrelationIds = vectors("correlation-ids.json");
    for (i, id) in c.valid.iter().enumerate() {
        let parsed = CorrelationId::parse(id).unwrap_or_else(|e| panic!("valid case {i}: {e}"));
        assert_eq!(parsed.as_str(), id, "valid case {i}");
    }
    for (i, bad) in c.invalid.iter().enumerate() {
        match CorrelationId::parse(&bad.id) {
            Err(Error::InvalidCorrelationId { reason }) => assert!(
                reason.contains(&bad.reason_contains),
                "invalid case {i} ({:?}): reason {reason:?} lacks {:?}",
                bad.id,
                bad.reason_contains
            ),
            other => panic!("invalid case {i} ({:?}): got {other:?}", bad.id),
        }
    }
}

#[test]
fn a_parsed_token_keeps_its_text() {
    let cases: Vec<TokenCase> = vectors("tokens.json");
    for c in &cases {
        for (text, form) in [
            (&c.token, TokenForm::Unpadded),
            (&c.token_padded, TokenForm::Padded),
        ] {
            let t = TranToken::parse(text).unwrap();
            assert_eq!(t.as_str(), text);
            assert_eq!(t.form(), form);
        }
    }
}
