//! `kmcrypt demo`: the seed's card-application cancel request, end to end,
//! on an embedded sandbox secret.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use konaplate_crypto::correlation::CorrelationIdGenerator;
use konaplate_crypto::envelope;
use konaplate_crypto::fields::Fields;
use konaplate_crypto::headers::{HeaderBuilder, verify_request};
use konaplate_crypto::ids::{AccessKey, AspId, CryptoKeyId};
use konaplate_crypto::jwe::{ContentEncryption, Opener, Sealer};
use konaplate_crypto::keyring::{KeyMaterial, Keyring, generate_jwks};
use konaplate_crypto::rsa::{RsaPrivateKey, RsaPublicKey};
use konaplate_crypto::time::TimeZone;
use konaplate_crypto::token::{ProjectSecret, TokenSigner, VerifyOptions};

use crate::Failure;

/// A made-up sandbox secret: not a credential of any real project.
const SANDBOX_SECRET: &str = "demo-sandbox-secret-not-a-real-credential";
const ASP_ID: &str = "000170000002000";
const ACCESS_KEY: &str = "DEMOACCESSKEY000000000000000000000000000";
const CANCEL_BODY: &[u8] = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
/// The data-encryption key both sides hold, and one only the server holds.
const SHARED_KEY_ID: &str = "DEMO0KEY0SHARED00000000000000001";
const SERVER_ONLY_KEY_ID: &str = "DEMO0KEY0SERVER0ONLY000000000002";
/// Test keys made by test-vectors/gen/rsa.py: they protect nothing.
const SERVER_CERT: &str = include_str!("../../test-vectors/rsa/server-certificate.pem");
const SERVER_PRIVATE: &str = include_str!("../../test-vectors/rsa/server-private-pkcs8.pem");
const CLIENT_CERT: &str = include_str!("../../test-vectors/rsa/client-certificate.pem");
const CLIENT_PRIVATE: &str = include_str!("../../test-vectors/rsa/client-private-pkcs1.pem");
/// The response the platform sends, before its marked fields are encrypted.
const CANCEL_RESPONSE: &[u8] = br#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;

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
    let shared_id = CryptoKeyId::parse(SHARED_KEY_ID)?;
    let server_only_id = CryptoKeyId::parse(SERVER_ONLY_KEY_ID)?;
    let headers = HeaderBuilder::new(AspId::parse(ASP_ID)?, TimeZone::KST)
        .access_key(AccessKey::parse(ACCESS_KEY)?)
        .crypto_key_id(shared_id)
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

    // Fresh keys for this run: the client holds one, the server both.
    let shared = generate_jwks(&shared_id, ContentEncryption::A256Gcm);
    let server_only = generate_jwks(&server_only_id, ContentEncryption::A256Gcm);
    let client_keys = Keyring::from_jwks(&shared)?;
    let server_keys = Keyring::from_entries(
        client_keys
            .iter()
            .chain(Keyring::from_jwks(&server_only)?.iter())
            .cloned()
            .collect(),
    )?;
    let marked = Fields::new(["mobileCardNo", "par"])?;

    line(
        w,
        "-- server: answer with mobileCardNo and par encrypted under X-KM-Crypto-Key-Id",
    );
    let key_id = checked
        .crypto_key_id()
        .ok_or_else(|| crate::fail("demo: the request named no crypto key"))?;
    let response = marked.encrypt(CANCEL_RESPONSE, &server_keys.sealer(key_id)?)?;
    line(w, &format!("X-KM-Crypto-Key-Id: {key_id}"));
    line(w, &format!("body: {}", String::from_utf8_lossy(&response)));
    line(w, "");

    line(w, "-- client: decrypt the marked fields");
    let clear = marked.decrypt(&response, &client_keys.opener(Some(key_id)))?;
    line(w, &format!("body: {}", String::from_utf8_lossy(&clear)));
    line(w, "");

    line(
        w,
        "-- server: a response sealed under a key the client does not hold",
    );
    let foreign = marked.encrypt(CANCEL_RESPONSE, &server_keys.sealer(&server_only_id)?)?;
    refused(
        w,
        marked.decrypt(&foreign, &client_keys.opener(Some(key_id))),
    )?;

    rsa_flow(w)?;

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

/// The platform's own scheme: RSA-OAEP-256 to the other side's certificate.
fn rsa_flow(w: &mut String) -> Result<(), Failure> {
    let server_cert = RsaPublicKey::from_pem(SERVER_CERT)?;
    let client_cert = RsaPublicKey::from_pem(CLIENT_CERT)?;
    let server_key = KeyMaterial::from_rsa(None, Some(RsaPrivateKey::from_pem(SERVER_PRIVATE)?))?;
    let client_key = KeyMaterial::from_rsa(None, Some(RsaPrivateKey::from_pem(CLIENT_PRIVATE)?))?;

    line(
        w,
        "-- client: seal the request body to the server certificate (RSA-OAEP-256, A128GCM)",
    );
    let request = envelope::seal(
        CANCEL_BODY,
        &Sealer::rsa_oaep_256(&server_cert, ContentEncryption::A128Gcm),
    )?;
    line(
        w,
        &format!("body: {}...", request.get(..90).unwrap_or(&request)),
    );
    let opened = envelope::open(request.as_bytes(), &Opener::key(&server_key))?;
    line(
        w,
        &format!("server opened: {}", String::from_utf8_lossy(&opened)),
    );
    line(w, "");

    line(
        w,
        "-- server: seal the response to the client certificate (RSA-OAEP-256, A256GCM)",
    );
    let response = envelope::seal(
        CANCEL_RESPONSE,
        &Sealer::rsa_oaep_256(&client_cert, ContentEncryption::A256Gcm),
    )?;
    let opened = envelope::open(response.as_bytes(), &Opener::key(&client_key))?;
    line(
        w,
        &format!("client opened: {}", String::from_utf8_lossy(&opened)),
    );
    line(w, "");

    line(
        w,
        "-- the server's own key cannot open what was sealed to the client",
    );
    refused(
        w,
        envelope::open(response.as_bytes(), &Opener::key(&server_key)),
    )
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
