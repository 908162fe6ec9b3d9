//! No input makes a parser panic; every refusal is a typed error.
#![allow(clippy::unwrap_used)]

use konaplate_crypto::{
    AccessKey, AspId, CorrelationId, CryptoKeyId, DateTime, ProjectSecret, RequestHeaders,
    TimeFormat, TimeZone, TokenSigner, TranToken, VerifyOptions,
};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn parsers_never_panic(s in "\\PC{0,80}") {
        let _ = CorrelationId::parse(&s);
        let _ = TranToken::parse(&s);
        let _ = AspId::parse(&s);
        let _ = AccessKey::parse(&s);
        let _ = CryptoKeyId::parse(&s);
        let _ = s.parse::<TimeZone>();
        for f in [TimeFormat::Short12, TimeFormat::Seconds14, TimeFormat::Millis17] {
            let _ = DateTime::parse(&s, f);
        }
    }

    #[test]
    fn near_miss_tokens_never_panic(time in "[0-9]{17}", mac in "[A-Za-z0-9+/=_-]{42,45}") {
        let text = format!("KMV1:{time}:{mac}");
        if let Ok(t) = TranToken::parse(&text) {
            let signer = TokenSigner::new(&ProjectSecret::from("s"));
            let _ = signer.verify(&t, b"", std::time::SystemTime::now(), TimeZone::KST, &VerifyOptions::default());
        }
    }

    #[test]
    fn header_sets_never_panic(values in proptest::collection::vec("\\PC{0,70}", 7)) {
        let names = ["X-KM-User-AspId", "x-km-correlation-id", "X-KM-ACCESS-KEY", "X-KM-Crypto-Key-Id",
                     "X-KM-Tran-Token", "X-KM-Tran-Time", "X-KM-Time-Zone"];
        let _ = RequestHeaders::parse(names.iter().copied().zip(values.iter().map(String::as_str)), &VerifyOptions::default());
    }

    #[test]
    fn extreme_instants_are_errors_not_panics(ms in any::<i64>(), off in -18 * 3600i32..=18 * 3600) {
        let zone = TimeZone::fixed("ZZZ", off - off % 60).unwrap();
        if let Ok(t) = DateTime::from_unix_millis(ms, zone) {
            prop_assert_eq!(t.to_unix_millis(zone), ms);
        }
    }
}
