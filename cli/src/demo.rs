//! `kmcrypt demo`: the seed's card-application cancel request, end to end,
//! on an embedded sandbox secret.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use konaplate_crypto::correlation::CorrelationIdGenerator;
use konaplate_crypto::headers::{HeaderBuilder, verify_request};
use konaplate_crypto::ids::{AccessKey, AspId};
use konaplate_crypto::time::TimeZone;
use konaplate_crypto::token::{ProjectSecret, TokenSigner, VerifyOptions};

use crate::Failure;

/// A made-up sandbox secret: not a credential of any real project.
const SANDBOX_SECRET: &str = "demo-sandbox-secret-not-a-real-credential";
const ASP_ID: &str = "000170000002000";
const ACCESS_KEY: &str = "DEMOACCESSKEY000000000000000000000000000";
const CANCEL_BODY: &[u8] = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;

pub fn run() -> Result<String, Failure> {
    let mut out = String::new();
    let w = &mut out;
    let signer = TokenSigner::new(&ProjectSecret::from(SANDBOX_SECRET));
    let ids = CorrelationIdGenerator::new();
    let now = SystemTime::now();

    line(
        w,
        "== KONA PLATE: Cancellation of Card Application (POST /api/v1/card/delivery/cancel)",
    );
    line(w, "");
    line(w, "-- client: sign the request");
    let headers = HeaderBuilder::new(AspId::parse(ASP_ID)?, TimeZone::KST)
        .access_key(AccessKey::parse(ACCESS_KEY)?)
        .build(&signer, &ids, CANCEL_BODY, now)?;
    let wire: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_owned()))
        .collect();
    for (name, value) in &wire {
        line(w, &format!("{name}: {value}"));
    }
    line(
        w,
        &format!("body: {}", String::from_utf8_lossy(CANCEL_BODY)),
    );
    line(w, "");

    let pairs = || wire.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    let options = VerifyOptions::default();
    line(w, "-- server: check the headers and the token");
    let checked = verify_request(pairs(), CANCEL_BODY, &signer, now, &options)?;
    line(
        w,
        &format!(
            "accepted: correlation id {}, token of {} characters",
            checked.correlation_id(),
            checked.token().as_str().len()
        ),
    );
    line(w, "");

    line(w, "-- attacker: change userId in transit");
    let tampered = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567891}"#;
    refused(w, verify_request(pairs(), tampered, &signer, now, &options))?;

    line(w, "-- attacker: replay the request ten minutes later");
    let later = now + Duration::from_secs(600);
    refused(
        w,
        verify_request(pairs(), CANCEL_BODY, &signer, later, &options),
    )?;
    Ok(out)
}

fn line(out: &mut String, text: &str) {
    let _ = writeln!(out, "{text}");
}

fn refused<T>(out: &mut String, result: konaplate_crypto::Result<T>) -> Result<(), Failure> {
    match result {
        Ok(_) => Err(crate::fail(
            "demo: the server accepted a request it must refuse",
        )),
        Err(e) => {
            line(out, &format!("refused: {e}"));
            line(out, "");
            Ok(())
        }
    }
}
