//! Every error kind with its stable code and HTTP status: a renamed code, a
//! kind moved to another category or a kind missing here fails this test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::time::SystemTime;

use konaplate_crypto::{
    Category, CryptoKeyId, Error, ErrorKind, Fields, HeaderName, KeyFile, ProjectSecret,
    RouteTable, TokenSigner, TranToken, VerifyOptions,
};

#[rustfmt::skip]
const TABLE: [(ErrorKind, &str, u16); 43] = [
    (ErrorKind::MissingHeader, "missing_header", 400),
    (ErrorKind::DuplicateHeader, "duplicate_header", 400),
    (ErrorKind::InvalidHeader, "invalid_header", 400),
    (ErrorKind::InvalidCorrelationId, "invalid_correlation_id", 400),
    (ErrorKind::InvalidTime, "invalid_time", 400),
    (ErrorKind::UnknownTimeZone, "unknown_time_zone", 400),
    (ErrorKind::MalformedToken, "malformed_token", 400),
    (ErrorKind::TokenMismatch, "token_mismatch", 401),
    (ErrorKind::TokenTimeOutsideWindow, "token_time_outside_window", 401),
    (ErrorKind::PaddedTokenRefused, "padded_token_refused", 401),
    (ErrorKind::InvalidJson, "invalid_json", 400),
    (ErrorKind::InvalidFieldPath, "invalid_field_path", 500),
    (ErrorKind::FieldNotFound, "field_not_found", 400),
    (ErrorKind::InvalidField, "invalid_field", 400),
    (ErrorKind::InvalidKey, "invalid_key", 500),
    (ErrorKind::UnknownKeyId, "unknown_key_id", 400),
    (ErrorKind::KeyIdMismatch, "key_id_mismatch", 400),
    (ErrorKind::NoKeyId, "no_key_id", 400),
    (ErrorKind::KeyMismatch, "key_mismatch", 400),
    (ErrorKind::MalformedJwe, "malformed_jwe", 400),
    (ErrorKind::UnsupportedJwe, "unsupported_jwe", 400),
    (ErrorKind::DecryptionFailed, "decryption_failed", 401),
    (ErrorKind::TooLarge, "too_large", 413),
    (ErrorKind::InvalidEnvelope, "invalid_envelope", 400),
    (ErrorKind::BufferTooSmall, "buffer_too_small", 500),
    (ErrorKind::InvalidSecret, "invalid_secret", 500),
    (ErrorKind::InvalidRoutes, "invalid_routes", 500),
    (ErrorKind::RouteNotFound, "route_not_found", 404),
    (ErrorKind::CorrelationIdMismatch, "correlation_id_mismatch", 400),
    (ErrorKind::Io, "io", 500),
    (ErrorKind::Replayed, "replayed", 401),
    (ErrorKind::ReplayGuardFull, "replay_guard_full", 503),
    (ErrorKind::UnreadableBody, "unreadable_body", 400),
    (ErrorKind::StreamingBody, "streaming_body", 500),
    (ErrorKind::TooDeep, "too_deep", 413),
    (ErrorKind::KeyUnusable, "key_unusable", 400),
    (ErrorKind::QueryNotAllowed, "query_not_allowed", 400),
    (ErrorKind::InvalidCapacity, "invalid_capacity", 500),
    (ErrorKind::ReplayStoreUnavailable, "replay_store_unavailable", 503),
    (ErrorKind::UnknownAspId, "unknown_asp_id", 401),
    (ErrorKind::UnknownAccessKey, "unknown_access_key", 401),
    (ErrorKind::InvalidInstance, "invalid_instance", 500),
    (ErrorKind::InvalidTenants, "invalid_tenants", 500),
];

#[test]
fn every_kind_has_its_code_and_status() {
    assert_eq!(ErrorKind::ALL.len(), TABLE.len());
    let mut codes = HashSet::new();
    for (kind, (want, code, status)) in ErrorKind::ALL.iter().zip(TABLE) {
        assert_eq!(*kind, want);
        assert_eq!(kind.code(), code, "{kind:?}");
        assert_eq!(kind.to_string(), code);
        assert_eq!(kind.category().http_status(), status, "{kind:?}");
        assert!(codes.insert(code), "code {code} used twice");
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{code} is snake_case"
        );
    }
    assert_eq!(Category::Unauthenticated.http_status(), 401);
}

#[test]
fn real_errors_report_their_kind_code_and_category() {
    let signer = TokenSigner::new(&ProjectSecret::from("s"));
    let token = TranToken::parse(&format!("KMV1:20221108120814608:{}", "A".repeat(43))).unwrap();
    let mismatch = signer
        .verify(
            &token,
            b"{}",
            SystemTime::now(),
            konaplate_crypto::TimeZone::KST,
            &VerifyOptions::default(),
        )
        .unwrap_err();
    let cases: Vec<(Error, &str)> = vec![
        (mismatch, "token_mismatch"),
        (TranToken::parse("KMV2:").unwrap_err(), "malformed_token"),
        (CryptoKeyId::parse("short").unwrap_err(), "invalid_header"),
        (Fields::new(["a..b"]).unwrap_err(), "invalid_field_path"),
        (KeyFile::load(b"junk", None).unwrap_err(), "invalid_key"),
        (RouteTable::from_json("[]").unwrap_err(), "invalid_routes"),
        (
            Error::MissingHeader(HeaderName::TranToken),
            "missing_header",
        ),
        (Error::DecryptionFailed, "decryption_failed"),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), code, "{e:?}");
        assert_eq!(e.kind().code(), code);
        assert_eq!(e.category(), e.kind().category());
    }
}
