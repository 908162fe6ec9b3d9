//! One loader for every key format: JWK Set, JWK, PEM and DER certificates,
//! SPKI, PKCS#8, PKCS#1, and PKCS#12 stores made by `openssl pkcs12 -export`
//! in both its modern (PBES2, AES) and legacy (3DES, RC2) forms
//! (`test-vectors/gen/pkcs12.sh`, checked there with Python's cryptography).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use base64::Engine as _;
use konaplate_crypto::{Error, ErrorKind, KeyFile, KeyMaterial, KeyPassword, KeyProblem, Opener};
use serde_json::Value;

fn rsa(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors/rsa")
        .join(name)
}

fn problem(e: &Error) -> KeyProblem {
    match e {
        Error::InvalidKey { problem, .. } => *problem,
        other => panic!("not a key error: {other:?}"),
    }
}

fn password() -> KeyPassword {
    KeyPassword::from("test password")
}

/// The client key's JWEs made by joserfc (`test-vectors/jwe-rsa.json`).
fn client_jwes() -> Vec<(String, String)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors/jwe-rsa.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["open"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["jwe"].as_str().unwrap().to_owned(),
                c["plaintext"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_format_is_found_from_its_bytes() {
    for name in [
        "server-certificate.pem",
        "server-certificate.der",
        "server-public.pem",
        "client-certificate.pem",
    ] {
        let f = KeyFile::read(&rsa(name), None).unwrap();
        assert!(matches!(f, KeyFile::Public(_)), "{name}: {f:?}");
    }
    for name in [
        "client-private-pkcs8.pem",
        "client-private-pkcs8.der",
        "client-private-pkcs1.pem",
        "server-private-pkcs8.pem",
    ] {
        let f = KeyFile::read(&rsa(name), None).unwrap();
        assert!(matches!(f, KeyFile::Private(_)), "{name}: {f:?}");
    }
    // PKCS#1 in DER, made here from the PEM's base64 body.
    let pem = std::fs::read_to_string(rsa("client-private-pkcs1.pem")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    assert!(matches!(
        KeyFile::load(&der, None).unwrap(),
        KeyFile::Private(_)
    ));
    // A key set; one JWK of it alone is a keyring of one key.
    let ring = KeyFile::read(&rsa("keyring.json"), None)
        .unwrap()
        .into_keyring()
        .unwrap();
    assert_eq!(ring.len(), 1);
    let set: Value =
        serde_json::from_str(&std::fs::read_to_string(rsa("keyring.json")).unwrap()).unwrap();
    let one = set["keys"][0].to_string();
    let single = KeyFile::load(one.as_bytes(), None)
        .unwrap()
        .into_keyring()
        .unwrap();
    assert_eq!(single.len(), 1);
    assert_eq!(
        single.callback_key().unwrap().id(),
        ring.callback_key().unwrap().id()
    );
}

#[test]
fn pkcs12_opens_in_both_modes_and_holds_the_client_key() {
    let jwes = client_jwes();
    for name in ["client-pbes2.p12", "client-legacy.p12"] {
        let key = KeyFile::read(&rsa(name), Some(&password()))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .into_private()
            .unwrap();
        assert_eq!(key.bits(), 2048);
        let opener = Opener::with_key(KeyMaterial::RsaOpenWith(key));
        for (i, (jwe, plaintext)) in jwes.iter().enumerate() {
            let opened = opener
                .open(jwe)
                .unwrap_or_else(|e| panic!("{name}, joserfc case {i}: {e}"));
            assert_eq!(opened.plaintext(), plaintext.as_bytes(), "{name} case {i}");
        }
    }
}

#[test]
fn pkcs12_without_or_with_a_wrong_password_is_a_typed_error() {
    for name in ["client-pbes2.p12", "client-legacy.p12"] {
        let bytes = std::fs::read(rsa(name)).unwrap();
        let e = KeyFile::load(&bytes, None).unwrap_err();
        assert_eq!(problem(&e), KeyProblem::PasswordRequired, "{name}");
        let e = KeyFile::load(&bytes, Some(&KeyPassword::from("wrong"))).unwrap_err();
        assert_eq!(problem(&e), KeyProblem::WrongPassword, "{name}");
        assert!(
            !e.to_string().contains("wrong"),
            "the password is never echoed: {e}"
        );
        // Any changed byte is refused, never a panic.
        for i in (0..bytes.len()).step_by(97) {
            let mut changed = bytes.clone();
            changed[i] ^= 0x01;
            let e = KeyFile::load(&changed, Some(&password())).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidKey, "{name} byte {i}");
        }
    }
}

#[test]
fn wrong_kinds_and_unknown_bytes_are_refused_by_kind() {
    let e = KeyFile::read(&rsa("client-private-pkcs8.pem"), None)
        .unwrap()
        .into_public()
        .unwrap_err();
    assert_eq!(problem(&e), KeyProblem::WrongKind);
    let e = KeyFile::read(&rsa("server-certificate.pem"), None)
        .unwrap()
        .into_keyring()
        .unwrap_err();
    assert_eq!(problem(&e), KeyProblem::WrongKind);
    for junk in [
        &b""[..],
        b"not a key",
        b"\x30\x03\x02\x01\x00",
        b"{\"kty\":\"oct\"}",
    ] {
        let e = KeyFile::load(junk, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidKey, "{junk:?}");
    }
    let e = KeyFile::read(&rsa("no-such-file.pem"), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(std::error::Error::source(&e).is_some());
    assert_eq!(
        problem(&KeyFile::read(&rsa("small-1024-private.pem"), None).unwrap_err()),
        KeyProblem::TooSmall
    );
}

#[test]
fn any_key_file_becomes_a_keyring_under_the_id_given() {
    use konaplate_crypto::{CryptoKeyId, KeySelection};
    let id = CryptoKeyId::parse(&"R".repeat(32)).unwrap();
    let private = KeyFile::read(&rsa("client-private-pkcs8.pem"), None).unwrap();
    let ring = private.clone().into_keyring_as(Some(id)).unwrap();
    assert!(matches!(
        ring.get(&id).unwrap().material(),
        KeyMaterial::RsaOpenWith(_)
    ));
    // The keyring opens joserfc's JWE to the client key (it has no kid).
    let (jwe, plaintext) = &client_jwes()[0];
    let opened = ring.opener(KeySelection::Named(id)).open(jwe).unwrap();
    assert_eq!(opened.plaintext(), plaintext.as_bytes());
    let public = KeyFile::read(&rsa("server-certificate.pem"), None).unwrap();
    let ring = public.clone().into_keyring_as(Some(id)).unwrap();
    assert!(matches!(
        ring.get(&id).unwrap().material(),
        KeyMaterial::RsaSealTo(_)
    ));
    // Without an id an RSA key is refused; a key set with one too.
    for file in [private, public] {
        let e = file.into_keyring_as(None).unwrap_err();
        assert_eq!(problem(&e), KeyProblem::KeySet, "{e}");
    }
    let jwks = KeyFile::read(&rsa("keyring.json"), None).unwrap();
    let ring = jwks.clone().into_keyring_as(None).unwrap();
    let own = CryptoKeyId::parse("KONA0TEST0RSA0KEY000000000000001").unwrap();
    assert!(ring.get(&own).is_some());
    assert_eq!(
        problem(&jwks.into_keyring_as(Some(id)).unwrap_err()),
        KeyProblem::KeySet
    );
}

/// Issue 16, item 13: a key file is bounded (a FIFO deadlocked the reader,
/// and nothing bounded a file's size) and only a regular file is opened.
#[test]
fn key_files_are_bounded_and_only_regular_files_are_read() {
    let dir = std::env::temp_dir().join(format!("konaplate-keyfiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.pem");
    std::fs::write(&big, vec![b'A'; KeyFile::MAX_LEN + 1]).unwrap();
    let e = KeyFile::read(&big, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
    let e = KeyFile::load(&vec![b' '; KeyFile::MAX_LEN + 1], None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TooLarge, "{e}");
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let e = KeyFile::read(&fifo, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.to_string().contains("not a regular file"), "{e}");
    let e = KeyFile::read(&dir, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `pem` with its base64 re-wrapped at `width` characters a line, ended
/// by `eol`: what Java's `Base64.getMimeEncoder()` writes at 76 and CRLF.
fn rewrapped(pem: &str, width: usize, eol: &str) -> String {
    let lines: Vec<&str> = pem.lines().collect();
    let (begin, end) = (lines[0], lines[lines.len() - 1]);
    let base64: String = lines[1..lines.len() - 1].concat();
    let mut out = format!("{begin}{eol}");
    for chunk in base64.as_bytes().chunks(width) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push_str(eol);
    }
    out.push_str(end);
    out.push_str(eol);
    out
}

/// Issue 18: a PEM whose lines are not 64 characters (Java's MIME encoder
/// writes 76, with CRLF) is read, and is the same key as the 64-character
/// file; a block that is not one well-formed PEM still is not.
#[test]
fn pem_lines_of_other_lengths_are_read_as_the_same_key() {
    use konaplate_crypto::{CryptoKeyId, KeySelection, open_envelope, seal_envelope};
    let id = CryptoKeyId::parse(&"R".repeat(32)).unwrap();
    let private = std::fs::read_to_string(rsa("client-private-pkcs8.pem")).unwrap();
    let (jwe, plaintext) = &client_jwes()[0];
    let server_private = KeyFile::read(&rsa("server-private-pkcs8.pem"), None)
        .unwrap()
        .into_keyring_as(Some(id))
        .unwrap();
    for (width, eol) in [(76, "\r\n"), (76, "\n"), (1000, "\n"), (40, "\r\n")] {
        let pem = rewrapped(&private, width, eol);
        let ring = KeyFile::load(pem.as_bytes(), None)
            .unwrap()
            .into_keyring_as(Some(id))
            .unwrap();
        let opened = ring.opener(KeySelection::Named(id)).open(jwe).unwrap();
        assert_eq!(opened.plaintext(), plaintext.as_bytes(), "{width}");
        // The server's certificate and public key, re-wrapped, seal to the
        // server's private key.
        for name in ["server-certificate.pem", "server-public.pem"] {
            let pem = rewrapped(&std::fs::read_to_string(rsa(name)).unwrap(), width, eol);
            let ring = KeyFile::load(pem.as_bytes(), None)
                .unwrap()
                .into_keyring_as(Some(id))
                .unwrap();
            let sealed = seal_envelope(b"{\"a\":1}", &ring.sealer(&id).unwrap()).unwrap();
            let clear = open_envelope(
                sealed.as_bytes(),
                &server_private.opener(KeySelection::Named(id)),
            )
            .unwrap();
            assert_eq!(clear.as_slice(), b"{\"a\":1}", "{name} at {width}");
        }
    }
    let pem = rewrapped(&private, 76, "\r\n");
    let broken = [
        pem.replace("END PRIVATE KEY", "END PUBLIC KEY"),
        pem.replacen('M', "*", 1),
        pem.replace("-----\r\n", "-----\r\nProc-Type: 4,ENCRYPTED\r\n"),
        pem.replacen("\r\n", "\r\n-----BEGIN PRIVATE KEY-----\r\n", 1),
        pem[..pem.len() - 30].to_owned(),
    ];
    for pem in broken {
        let e = KeyFile::load(pem.as_bytes(), None).unwrap_err();
        assert_eq!(problem(&e), KeyProblem::Malformed, "{pem}");
        assert!(e.to_string().contains("not a PEM document"), "{e}");
    }
}
