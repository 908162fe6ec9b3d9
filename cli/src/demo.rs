//! `kmcrypt demo`: the seed's card-application cancel request, end to end
//! over the route table, on an embedded sandbox secret and keys made fresh
//! for each run.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use konaplate_crypto::{
    AccessKey, AspId, Client, ContentEncryption, CryptoKeyId, Fields, KeyMaterial, KeySelection,
    Keyring, Opener, ProjectSecret, RouteTable, RsaPrivateKey, Sealer, Server, SharedKeyring,
    TokenSigner, generate_jwks, open_envelope, seal_envelope,
};

use crate::Failure;

/// A made-up sandbox secret: not a credential of any real project.
const SANDBOX_SECRET: &str = "demo-sandbox-secret-not-a-real-credential";
const ASP_ID: &str = "000170000002000";
const ACCESS_KEY: &str = "DEMOACCESSKEY000000000000000000000000000";
const METHOD: &str = "POST";
const PATH: &str = "/api/v1/card/delivery/cancel";
const CANCEL_BODY: &[u8] = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
/// The data-encryption key both sides hold, and one only the server holds.
const SHARED_KEY_ID: &str = "DEMO0KEY0SHARED00000000000000001";
const SERVER_ONLY_KEY_ID: &str = "DEMO0KEY0SERVER0ONLY000000000002";
/// The response the platform sends, before its marked fields are encrypted.
const CANCEL_RESPONSE: &[u8] = br#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
/// The route table shipped with the crate.
const ROUTES: &str = include_str!("../../routes/seed.json");

pub fn run() -> Result<String, Failure> {
    let mut out = String::new();
    let w = &mut out;
    let signer = TokenSigner::new(&ProjectSecret::from(SANDBOX_SECRET));
    let routes = RouteTable::from_json(ROUTES)?;
    let now = SystemTime::now();

    // Fresh keys for this run: the client holds one, the server both.
    let shared_id = CryptoKeyId::parse(SHARED_KEY_ID)?;
    let server_only_id = CryptoKeyId::parse(SERVER_ONLY_KEY_ID)?;
    let client_keys = Keyring::from_jwks(&generate_jwks(&shared_id, ContentEncryption::A256Gcm))?;
    let server_only =
        Keyring::from_jwks(&generate_jwks(&server_only_id, ContentEncryption::A256Gcm))?;
    let server_keys = Keyring::from_entries(
        client_keys
            .iter()
            .chain(server_only.iter())
            .cloned()
            .collect(),
    )?;

    let client = Client::new(
        AspId::parse(ASP_ID)?,
        signer.clone(),
        SharedKeyring::new(client_keys.clone()),
        routes.clone(),
    )
    .access_key(AccessKey::parse(ACCESS_KEY)?)
    .crypto_key_id(shared_id);
    let server = Server::new(signer, SharedKeyring::new(server_keys.clone()), routes)?;

    line(
        w,
        &format!("== KONA PLATE: Cancellation of Card Application ({METHOD} {PATH})"),
    );
    line(w, "");
    line(
        w,
        "-- client: prepare the request (routes/seed.json: plain request, fields in the response)",
    );
    let request = client.prepare(METHOD, PATH, CANCEL_BODY, now)?;
    for (name, value) in request.header_pairs() {
        line(w, &format!("{name}: {value}"));
    }
    line(
        w,
        &format!("body: {}", String::from_utf8_lossy(request.body())),
    );
    line(w, "");

    line(w, "-- server: accept (headers, token, key)");
    let accepted = server.accept(METHOD, PATH, request.header_pairs(), request.body(), now)?;
    line(
        w,
        &format!(
            "accepted: correlation id {}, token of {} characters",
            accepted.headers().correlation_id(),
            accepted.headers().token().as_str().len()
        ),
    );
    line(w, "");

    line(
        w,
        "-- server: respond, mobileCardNo and par encrypted under X-KM-Crypto-Key-Id",
    );
    let response = server.respond(&accepted, CANCEL_RESPONSE)?;
    for (name, value) in response.header_pairs() {
        line(w, &format!("{name}: {value}"));
    }
    line(
        w,
        &format!("body: {}", String::from_utf8_lossy(response.body())),
    );
    line(w, "");

    line(
        w,
        "-- client: finish (correlation id checked, fields decrypted)",
    );
    let clear = client.finish(&request, response.header_pairs(), response.body())?;
    line(w, &format!("body: {}", String::from_utf8_lossy(&clear)));
    line(w, "");

    line(
        w,
        "-- server: a response sealed under a key the request did not name",
    );
    let marked = Fields::new(["mobileCardNo", "par"])?;
    let foreign = marked.encrypt(CANCEL_RESPONSE, &server_keys.sealer(&server_only_id)?)?;
    refused(
        w,
        marked.decrypt(
            &foreign,
            &client_keys.opener(KeySelection::Named(shared_id)),
        ),
    )?;

    rsa_flow(w)?;

    line(w, "-- attacker: change userId in transit");
    let tampered = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567891}"#;
    refused(
        w,
        server.accept(METHOD, PATH, request.header_pairs(), tampered, now),
    )?;

    line(w, "-- attacker: replay the request ten minutes later");
    let later = now + Duration::from_secs(600);
    refused(
        w,
        server.accept(METHOD, PATH, request.header_pairs(), request.body(), later),
    )?;
    Ok(out)
}

/// The platform's own scheme: RSA-OAEP-256 to the other side's public key.
/// Both key pairs are made for this run; none is carried in the binary.
fn rsa_flow(w: &mut String) -> Result<(), Failure> {
    let server_key = RsaPrivateKey::generate()?;
    let client_key = RsaPrivateKey::generate()?;
    let server_opens = Opener::with_key(KeyMaterial::RsaOpenWith(server_key.clone()));
    let client_opens = Opener::with_key(KeyMaterial::RsaOpenWith(client_key.clone()));

    line(
        w,
        "-- client: seal the request body to the server's public key (RSA-OAEP-256, A128GCM)",
    );
    let to_server =
        Sealer::rsa_oaep_256(server_key.public_key().clone(), ContentEncryption::A128Gcm);
    let request = seal_envelope(CANCEL_BODY, &to_server)?;
    line(
        w,
        &format!("body: {}...", request.get(..90).unwrap_or(&request)),
    );
    let opened = open_envelope(request.as_bytes(), &server_opens)?;
    line(
        w,
        &format!("server opened: {}", String::from_utf8_lossy(&opened)),
    );
    line(w, "");

    line(
        w,
        "-- server: seal the response to the client's public key (RSA-OAEP-256, A256GCM)",
    );
    let to_client =
        Sealer::rsa_oaep_256(client_key.public_key().clone(), ContentEncryption::A256Gcm);
    let response = seal_envelope(CANCEL_RESPONSE, &to_client)?;
    let opened = open_envelope(response.as_bytes(), &client_opens)?;
    line(
        w,
        &format!("client opened: {}", String::from_utf8_lossy(&opened)),
    );
    line(w, "");

    line(
        w,
        "-- the server's own key cannot open what was sealed to the client",
    );
    refused(w, open_envelope(response.as_bytes(), &server_opens))
}

fn line(out: &mut String, text: &str) {
    let _ = writeln!(out, "{text}");
}

fn refused<T>(out: &mut String, result: konaplate_crypto::Result<T>) -> Result<(), Failure> {
    match result {
        Ok(_) => Err(crate::fail(
            "demo: a message that must be refused was accepted",
        )),
        Err(e) => {
            line(out, &format!("refused ({}): {e}", e.code()));
            line(out, "");
            Ok(())
        }
    }
}
