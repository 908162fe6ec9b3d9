//! RSA-OAEP-256: RFC 7516 A.1, JWEs made by joserfc (`test-vectors/gen/rsa.py`),
//! Mastercard's client-encryption test tokens, key loading, and the reverse
//! direction: what the crate seals, joserfc opens.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use konaplate_crypto::{
    ContentEncryption, ContentType, CryptoKeyId, Error, ErrorKind, Fields, KeyFile, KeyMaterial,
    KeyProblem, KeySelection, Keyring, Opener, RsaPrivateComponents, RsaPrivateKey, RsaPublicKey,
    Sealer, seal_envelope,
};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors")
}

fn text(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

fn bytes(rel: &str) -> Vec<u8> {
    std::fs::read(root().join(rel)).unwrap()
}

fn doc() -> Value {
    serde_json::from_str(&text("jwe-rsa.json")).unwrap()
}

fn load(bytes: &[u8]) -> konaplate_crypto::Result<KeyFile> {
    KeyFile::load(bytes, None)
}

fn private_pem(pem: &str) -> konaplate_crypto::Result<RsaPrivateKey> {
    load(pem.as_bytes())?.into_private()
}

fn private_der(der: &[u8]) -> konaplate_crypto::Result<RsaPrivateKey> {
    load(der)?.into_private()
}

fn public_pem(pem: &str) -> konaplate_crypto::Result<RsaPublicKey> {
    load(pem.as_bytes())?.into_public()
}

fn public_der(der: &[u8]) -> konaplate_crypto::Result<RsaPublicKey> {
    load(der)?.into_public()
}

fn problem(e: &Error) -> KeyProblem {
    match e {
        Error::InvalidKey { problem, .. } => *problem,
        other => panic!("not a key error: {other:?}"),
    }
}

fn client_private() -> KeyMaterial {
    KeyMaterial::RsaOpenWith(private_pem(&text("rsa/client-private-pkcs8.pem")).unwrap())
}

fn b64u(v: &Value) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn rfc7516_appendix_a1_opens_only_when_sha1_is_allowed() {
    let v = doc();
    let c = &v["rfc7516_a1"];
    let j = &c["jwk"];
    let part = |name: &str| b64u(&j[name]);
    let (n, e, d, p, q) = (part("n"), part("e"), part("d"), part("p"), part("q"));
    let (dp, dq, qi) = (part("dp"), part("dq"), part("qi"));
    let key = RsaPrivateKey::from_components(&RsaPrivateComponents {
        n: &n,
        e: &e,
        d: &d,
        p: &p,
        q: &q,
        dp: &dp,
        dq: &dq,
        qi: &qi,
    })
    .unwrap();
    let material = KeyMaterial::RsaOpenWith(key);
    let compact = c["compact"].as_str().unwrap();
    let opened = Opener::with_key(material.clone())
        .hazmat_allow_rsa_oaep_sha1()
        .open(compact)
        .unwrap();
    assert_eq!(
        opened.plaintext(),
        c["plaintext"].as_str().unwrap().as_bytes()
    );
    assert!(matches!(
        Opener::with_key(material.clone()).open(compact),
        Err(Error::UnsupportedJwe { .. })
    ));
}

#[test]
fn joserfc_tokens_open_with_every_key_encoding() {
    let v = doc();
    let encodings = [
        private_pem(&text("rsa/client-private-pkcs8.pem")).unwrap(),
        private_pem(&text("rsa/client-private-pkcs1.pem")).unwrap(),
        private_der(&bytes("rsa/client-private-pkcs8.der")).unwrap(),
    ];
    for key in encodings {
        let material = KeyMaterial::RsaOpenWith(key);
        for (i, c) in v["open"].as_array().unwrap().iter().enumerate() {
            let opened = Opener::with_key(material.clone())
                .open(c["jwe"].as_str().unwrap())
                .unwrap_or_else(|e| panic!("open case {i} ({}): {e}", c["name"]));
            assert_eq!(
                opened.plaintext(),
                c["plaintext"].as_str().unwrap().as_bytes(),
                "open case {i}"
            );
        }
    }
}

#[test]
fn a_keyring_entry_seals_to_the_server_and_opens_with_the_client_key() {
    let v = doc();
    let ring = Keyring::from_jwks(&text("rsa/keyring.json")).unwrap();
    assert_eq!(
        ring.len(),
        1,
        "the public and the private JWK share one entry"
    );
    let kid = *ring.callback_key().unwrap().id();
    let entry = ring.get(&kid).unwrap().material();
    assert!(entry.rsa_seal_to().is_some() && entry.rsa_open_with().is_some());
    // Responses without kid open with the key X-KM-Crypto-Key-Id names; one
    // whose kid names another key is refused (SPEC section 5, revised).
    let mut refused = 0;
    for c in v["open"].as_array().unwrap() {
        let jwe = c["jwe"].as_str().unwrap();
        let got = ring.opener(KeySelection::Named(kid)).open(jwe);
        if konaplate_crypto::peek_header(jwe).unwrap().kid().is_some() {
            assert_eq!(got.unwrap_err().kind(), ErrorKind::KeyIdMismatch);
            refused += 1;
        } else {
            assert_eq!(
                got.unwrap().plaintext(),
                c["plaintext"].as_str().unwrap().as_bytes()
            );
        }
    }
    assert_eq!(refused, 1, "the vectors hold one JWE with a foreign kid");
    assert_eq!(
        ring.opener(KeySelection::DangerousKidInMessage)
            .open(v["open"][0]["jwe"].as_str().unwrap())
            .unwrap_err(),
        Error::NoKeyId
    );
    // Requests seal to the server's key: the client's own key cannot open them.
    let sealed = ring
        .sealer(&kid)
        .unwrap()
        .seal(b"request", ContentType::Text)
        .unwrap();
    assert_eq!(
        ring.opener(KeySelection::Named(kid))
            .open(&sealed)
            .unwrap_err(),
        Error::DecryptionFailed
    );
    let server =
        KeyMaterial::RsaOpenWith(private_pem(&text("rsa/server-private-pkcs8.pem")).unwrap());
    assert_eq!(
        Opener::with_key(server.clone())
            .open(&sealed)
            .unwrap()
            .plaintext(),
        b"request"
    );
}

#[test]
fn marked_fields_made_by_joserfc_decrypt_to_the_document() {
    let v = doc();
    let f = &v["fields"];
    let paths: Vec<&str> = f["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let key = client_private();
    let clear = Fields::new(&paths)
        .unwrap()
        .decrypt(
            f["sealed"].as_str().unwrap().as_bytes(),
            &Opener::with_key(key.clone()),
        )
        .unwrap();
    assert_eq!(
        std::str::from_utf8(&clear).unwrap(),
        f["clear"].as_str().unwrap()
    );
}

#[test]
fn refusals_have_the_right_kind() {
    let v = doc();
    let key = client_private();
    for (i, c) in v["refuse"].as_array().unwrap().iter().enumerate() {
        let got = Opener::with_key(key.clone()).open(c["jwe"].as_str().unwrap());
        let ok = match c["expect"].as_str().unwrap() {
            "decryption_failed" => matches!(got, Err(Error::DecryptionFailed)),
            "unsupported" => matches!(got, Err(Error::UnsupportedJwe { .. })),
            other => panic!("unknown kind {other}"),
        };
        assert!(ok, "refuse case {i} ({}): {got:?}", c["name"]);
    }
}

#[test]
fn keys_load_from_every_format_and_small_or_locked_keys_are_refused() {
    let a = public_pem(&text("rsa/server-certificate.pem")).unwrap();
    let b = public_der(&bytes("rsa/server-certificate.der")).unwrap();
    let c = public_pem(&text("rsa/server-public.pem")).unwrap();
    let server =
        KeyMaterial::RsaOpenWith(private_pem(&text("rsa/server-private-pkcs8.pem")).unwrap());
    for (i, public) in [a, b, c].iter().enumerate() {
        assert_eq!(public.bits(), 2048);
        let sealed = Sealer::rsa_oaep_256(public.clone(), ContentEncryption::A128Gcm)
            .seal(b"x", ContentType::Text)
            .unwrap();
        assert_eq!(
            Opener::with_key(server.clone())
                .open(&sealed)
                .unwrap()
                .plaintext(),
            b"x",
            "encoding {i}"
        );
    }
    for (what, e) in [
        (
            "1024-bit private",
            private_pem(&text("rsa/small-1024-private.pem")).unwrap_err(),
        ),
        (
            "1024-bit public",
            public_pem(&text("rsa/small-1024-public.pem")).unwrap_err(),
        ),
    ] {
        assert!(problem(&e) == KeyProblem::TooSmall, "{what}: {e}");
    }
    let e = private_pem(&text("rsa/client-private-encrypted.pem")).unwrap_err();
    assert_eq!(problem(&e), KeyProblem::Unsupported, "{e}");
    let e = public_pem(&text("rsa/client-private-pkcs8.pem")).unwrap_err();
    assert_eq!(problem(&e), KeyProblem::WrongKind, "{e}");
    let e = private_der(b"not a key").unwrap_err();
    assert_eq!(problem(&e), KeyProblem::UnknownFormat, "{e}");
    // Private key material never shows in Debug.
    let shown = format!("{:?}", client_private());
    assert!(
        shown.contains("redacted") && !shown.contains("MII"),
        "{shown}"
    );
}

#[test]
fn mastercard_suite_opens_byte_for_byte_and_refuses_the_rest() {
    let dir = root().join("interop/mastercard");
    let cases: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("jwe-cases.json")).unwrap())
            .unwrap();
    let keys = [
        private_pem(&std::fs::read_to_string(dir.join("test_key_pkcs8-2048.pem")).unwrap())
            .unwrap(),
        private_pem(&std::fs::read_to_string(dir.join("test_key_pkcs1-2048.pem")).unwrap())
            .unwrap(),
        private_der(&std::fs::read(dir.join("test_key_pkcs8-2048.der")).unwrap()).unwrap(),
    ];
    let cert = public_pem(&std::fs::read_to_string(dir.join("test_certificate-2048.pem")).unwrap())
        .unwrap();
    assert_eq!(cert.bits(), 2048);
    let (mut opened, mut refused) = (0, 0);
    for key in keys {
        let material = KeyMaterial::RsaOpenWith(key);
        for (i, c) in cases["cases"].as_array().unwrap().iter().enumerate() {
            let name = c["name"].as_str().unwrap();
            let got = Opener::with_key(material.clone()).open(c["jwe"].as_str().unwrap());
            match c["expect"].as_str().unwrap() {
                "open" => {
                    let o = got.unwrap_or_else(|e| panic!("case {i} ({name}): {e}"));
                    assert_eq!(
                        o.plaintext(),
                        c["plaintext"].as_str().unwrap().as_bytes(),
                        "case {i} ({name})"
                    );
                    opened += 1;
                }
                _ => {
                    let e = got.expect_err(name);
                    assert!(
                        matches!(e, Error::UnsupportedJwe { .. } | Error::MalformedJwe { .. }),
                        "case {i} ({name}): {e:?}"
                    );
                    refused += 1;
                }
            }
        }
    }
    assert_eq!((opened, refused), (3 * 4, 3 * 7));
}

/// Runs `test-vectors/gen/joserfc_open.py` (Python with joserfc; `.ci/run`
/// installs it) on `jwes` with the private key at `key_pem`.
fn joserfc_open(key_pem: &Path, jwes: &[String]) -> Vec<(Vec<u8>, Value)> {
    let request = serde_json::json!({
        "private_key_pem": std::fs::read_to_string(key_pem).unwrap(),
        "jwes": jwes,
    });
    let mut child = Command::new("python3")
        .arg(root().join("gen/joserfc_open.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run the independent JOSE check (pip install cryptography joserfc)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "joserfc refused what the crate sealed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                STANDARD
                    .decode(o["plaintext_b64"].as_str().unwrap())
                    .unwrap(),
                o["header"].clone(),
            )
        })
        .collect()
}

#[test]
fn what_the_crate_seals_joserfc_opens() {
    let server_cert = public_pem(&text("rsa/server-certificate.pem")).unwrap();
    let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
    let mut jwes = Vec::new();
    let mut expected: Vec<(Vec<u8>, &str, Option<&str>)> = Vec::new();
    for enc in [ContentEncryption::A128Gcm, ContentEncryption::A256Gcm] {
        let sealer = Sealer::rsa_oaep_256(server_cert.clone(), enc);
        let env: Value = serde_json::from_str(&seal_envelope(body, &sealer).unwrap()).unwrap();
        jwes.push(env["encData"].as_str().unwrap().to_owned());
        expected.push((body.to_vec(), enc.name(), None));
        // Marked fields, a string and a number.
        let doc = Fields::new(["mobileCardNo", "limit"])
            .unwrap()
            .encrypt(
                br#"{"mobileCardNo":"9410123412341234","limit":1000000}"#,
                &sealer,
            )
            .unwrap();
        let doc: Value = serde_json::from_slice(&doc).unwrap();
        jwes.push(doc["mobileCardNo"].as_str().unwrap().to_owned());
        expected.push((b"9410123412341234".to_vec(), enc.name(), None));
        jwes.push(doc["limit"].as_str().unwrap().to_owned());
        expected.push((b"1000000".to_vec(), enc.name(), Some("json")));
    }
    let opened = joserfc_open(&root().join("rsa/server-private-pkcs8.pem"), &jwes);
    assert_eq!(opened.len(), expected.len());
    for ((plain, header), (want, enc, cty)) in opened.iter().zip(&expected) {
        assert_eq!(plain, want);
        assert_eq!(header["alg"], "RSA-OAEP-256");
        assert_eq!(header["enc"], *enc);
        assert_eq!(header.get("kid"), None, "public clients send no kid");
        assert_eq!(header.get("cty").and_then(Value::as_str), *cty);
    }
}

#[test]
fn every_failure_is_the_same_error() {
    // Wrong key, truncated key, and changed bytes all read DecryptionFailed.
    let server_cert = public_pem(&text("rsa/server-certificate.pem")).unwrap();
    let sealed = Sealer::rsa_oaep_256(server_cert.clone(), ContentEncryption::A128Gcm)
        .seal(b"x", ContentType::Text)
        .unwrap();
    assert_eq!(
        Opener::with_key(client_private())
            .open(&sealed)
            .unwrap_err(),
        Error::DecryptionFailed
    );
    let kid = CryptoKeyId::parse(&"r".repeat(32)).unwrap();
    let symmetric_only = Keyring::from_jwks(&konaplate_crypto::generate_jwks(
        &kid,
        ContentEncryption::A128Gcm,
    ))
    .unwrap();
    assert!(matches!(
        symmetric_only
            .opener(KeySelection::Named(kid))
            .open(&sealed),
        Err(Error::KeyMismatch { .. })
    ));
}
