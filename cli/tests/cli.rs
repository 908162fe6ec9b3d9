//! The `kmcrypt` binary, run as a user would: stdin in, stdout out, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn kmcrypt(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kmcrypt"));
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    // A command may exit before reading stdin; a broken pipe is fine then.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Exit 1, exactly one line on stderr, nothing on stdout; returns the line.
fn failed(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty(), "stdout: {:?}", out.stdout);
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "stderr: {err:?}");
    assert!(err.ends_with('\n'));
    err
}

fn vectors(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn corr_id_prints_count_ids_and_checks_them() {
    let out = ok(&kmcrypt(
        &["corr-id", "--count", "500", "--zone", "UTC"],
        &[],
        b"",
    ));
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 500);
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 500);
    for id in &ids[..3] {
        assert_eq!(ok(&kmcrypt(&["corr-id", "check", id], &[], b"")), "ok\n");
    }
    let err = failed(&kmcrypt(
        &["corr-id", "check", "221308120814-0a1b2c3"],
        &[],
        b"",
    ));
    assert!(err.contains("month 13"), "{err}");
    failed(&kmcrypt(&["corr-id", "--count", "0"], &[], b""));
    failed(&kmcrypt(&["corr-id", "--zone", "XYZ"], &[], b""));
}

/// Issue 20, item 4: `--instance N` puts N in the suffix's top bits
/// (4 bits unless `--instance-bits` says otherwise); out of range fails.
#[test]
fn corr_id_takes_an_instance_number() {
    for (args, top, shift) in [
        (&["--instance", "11"][..], 11, 24),
        (&["--instance", "300", "--instance-bits", "10"][..], 300, 18),
    ] {
        let mut argv = vec!["corr-id", "--count", "50"];
        argv.extend_from_slice(args);
        let out = ok(&kmcrypt(&argv, &[], b""));
        for id in out.lines() {
            let suffix = u32::from_str_radix(&id[13..], 16).unwrap();
            assert_eq!(suffix >> shift, top, "{id}");
        }
    }
    let err = failed(&kmcrypt(&["corr-id", "--instance", "16"], &[], b""));
    assert!(err.contains("instance 16 in 4 bits"), "{err}");
    failed(&kmcrypt(
        &["corr-id", "--instance", "1", "--instance-bits", "17"],
        &[],
        b"",
    ));
    failed(&kmcrypt(&["corr-id", "--instance-bits", "8"], &[], b""));
}

#[test]
fn token_sign_matches_the_vectors_in_both_forms() {
    let doc = vectors("tokens.json");
    for c in doc["cases"].as_array().unwrap() {
        let Some(body) = c["body"].as_str() else {
            continue;
        };
        let secret = c["secret"].as_str().unwrap();
        let time = c["time"].as_str().unwrap();
        let zone = c["zone"].as_str().unwrap();
        let env = [("KM_TEST_SECRET", secret)];
        let args = [
            "token",
            "sign",
            "--secret-env",
            "KM_TEST_SECRET",
            "--time",
            time,
            "--zone",
            zone,
        ];
        let out = ok(&kmcrypt(&args, &env, body.as_bytes()));
        assert_eq!(
            out.trim_end(),
            c["token"].as_str().unwrap(),
            "{}",
            c["name"]
        );
        let mut padded = args.to_vec();
        padded.push("--padded");
        let out = ok(&kmcrypt(&padded, &env, body.as_bytes()));
        assert_eq!(
            out.trim_end(),
            c["token_padded"].as_str().unwrap(),
            "{}",
            c["name"]
        );
    }
}

#[test]
fn token_sign_reads_binary_stdin_and_secret_files() {
    let doc = vectors("tokens.json");
    let c = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "binary body")
        .unwrap();
    let dir = std::env::temp_dir().join(format!("kmcrypt-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    // One trailing CRLF is stripped.
    std::fs::write(&file, format!("{}\r\n", c["secret"].as_str().unwrap())).unwrap();
    let body = hex::decode(c["body_hex"].as_str().unwrap()).unwrap();
    let out = ok(&kmcrypt(
        &[
            "token",
            "sign",
            "--secret-file",
            file.to_str().unwrap(),
            "--time",
            c["time"].as_str().unwrap(),
            "--zone",
            c["zone"].as_str().unwrap(),
        ],
        &[],
        &body,
    ));
    assert_eq!(out.trim_end(), c["token"].as_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn token_verify_accepts_good_and_refuses_bad() {
    let doc = vectors("tokens.json");
    let c = &doc["cases"][0];
    let env = [("S", c["secret"].as_str().unwrap())];
    let body = c["body"].as_str().unwrap().as_bytes();
    let token = c["token"].as_str().unwrap();
    let padded = c["token_padded"].as_str().unwrap();
    let time = c["time"].as_str().unwrap();
    let zone = c["zone"].as_str().unwrap();
    let base = |tok: &'static str| -> Vec<String> {
        [
            "token",
            "verify",
            "--secret-env",
            "S",
            "--token",
            tok,
            "--now",
            time,
            "--zone",
            zone,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |args: Vec<String>, body: &[u8]| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        kmcrypt(&a, &env, body)
    };
    let token: &'static str = Box::leak(token.to_owned().into_boxed_str());
    let padded: &'static str = Box::leak(padded.to_owned().into_boxed_str());
    assert_eq!(ok(&run(base(token), body)), "ok\n");
    assert_eq!(ok(&run(base(padded), body)), "ok\n");

    let mut strict = base(padded);
    strict.push("--strict".into());
    assert!(failed(&run(strict, body)).contains("strict"));

    let err = failed(&run(base(token), b"tampered"));
    assert!(err.contains("does not match"), "{err}");

    let mut late = base(token);
    late[7] = "20991231000000000".into();
    assert!(failed(&run(late.clone(), body)).contains("behind"));
    late.extend(["--max-skew".into(), "99999999999".into()]);
    assert_eq!(ok(&run(late, body)), "ok\n");

    let err = failed(&run(base("KMV1:nonsense"), body));
    assert!(err.contains("transaction token"), "{err}");
}

#[test]
fn secrets_never_come_from_argv_and_failures_are_one_line() {
    // No secret source at all: a usage error, still one line and exit 1.
    let err = failed(&kmcrypt(&["token", "sign"], &[], b"x"));
    assert!(err.contains("--secret-env"), "{err}");
    // There is no --secret flag to put a secret on the command line.
    let err = failed(&kmcrypt(
        &["token", "sign", "--secret", "s3cr3t"],
        &[],
        b"x",
    ));
    assert!(!err.contains("s3cr3t"), "{err}");
    let err = failed(&kmcrypt(
        &["token", "sign", "--secret-env", "KM_UNSET_VAR_XYZ"],
        &[],
        b"x",
    ));
    assert!(err.contains("KM_UNSET_VAR_XYZ"), "{err}");
    failed(&kmcrypt(
        &["token", "sign", "--secret-env", "E"],
        &[("E", "")],
        b"x",
    ));
    failed(&kmcrypt(
        &[
            "token",
            "sign",
            "--secret-env",
            "E",
            "--time",
            "20231301000000000",
        ],
        &[("E", "k")],
        b"x",
    ));
    failed(&kmcrypt(&["no-such-command"], &[], b""));
    failed(&kmcrypt(&[], &[], b""));
    // A wrong secret is refused without echoing it.
    let err = failed(&kmcrypt(
        &[
            "token",
            "verify",
            "--secret-env",
            "E",
            "--token",
            "KMV1:20221108120814608:gk9OIq5yN7pSkLnj+oZN4WsM0Dd/qCIikoV7XIuUenU",
            "--now",
            "20221108120814608",
        ],
        &[("E", "wrong-secret-value")],
        b"{}",
    ));
    assert!(!err.contains("wrong-secret-value"), "{err}");
}

#[test]
fn headers_prints_a_consistent_set() {
    let out = ok(&kmcrypt(
        &[
            "headers",
            "--asp-id",
            "000170000002000",
            "--access-key",
            &"K".repeat(40),
            "--crypto-key-id",
            &"c".repeat(32),
            "--secret-env",
            "S",
            "--time",
            "20221108120814608",
            "--zone",
            "KST",
        ],
        &[("S", "sandboxSecretKey0001")],
        br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#,
    ));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert_eq!(lines[0], "X-KM-User-AspId: 000170000002000");
    assert!(lines[1].starts_with("X-KM-Correlation-Id: 221108120814-"));
    // Same secret, body and time as the first token vector.
    let doc = vectors("tokens.json");
    assert_eq!(
        lines[4],
        format!(
            "X-KM-Tran-Token: {}",
            doc["cases"][0]["token"].as_str().unwrap()
        )
    );
    assert_eq!(lines[5], "X-KM-Tran-Time: 20221108120814");
    assert_eq!(lines[6], "X-KM-Time-Zone: KST");
    let err = failed(&kmcrypt(
        &[
            "headers",
            "--asp-id",
            "123",
            "--access-key",
            &"K".repeat(40),
            "--secret-env",
            "S",
        ],
        &[("S", "x")],
        b"",
    ));
    assert!(err.contains("X-KM-User-AspId"), "{err}");
}

#[test]
fn demo_runs_and_shows_refusals() {
    let out = ok(&kmcrypt(&["demo"], &[], b""));
    assert!(out.contains("accepted: correlation id"));
    assert!(out.matches("refused (").count() >= 2, "{out}");
    assert!(out.contains("MAC does not match"));
    assert!(out.contains("behind the verifier's clock"));
}

#[test]
fn help_goes_to_stdout() {
    let out = ok(&kmcrypt(&["--help"], &[], b""));
    assert!(out.contains("corr-id"));
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kmcrypt-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the vectors' key set to a file.
fn vector_keyring(dir: &std::path::Path) -> (PathBuf, serde_json::Value) {
    let doc = vectors("jwe-dir.json");
    let path = dir.join("keys.json");
    std::fs::write(&path, doc["jwks"].to_string()).unwrap();
    (path, doc)
}

#[test]
fn keygen_prints_a_usable_key_set() {
    let kid = "0123456789abcdef0123456789abcdef";
    let out = ok(&kmcrypt(
        &["keygen", "--kid", kid, "--alg", "A128GCM"],
        &[],
        b"",
    ));
    let set: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(set["keys"][0]["kid"], kid);
    assert_eq!(set["keys"][0]["alg"], "A128GCM");
    assert_eq!(set["keys"][0]["k"].as_str().unwrap().len(), 22);
    let again = ok(&kmcrypt(&["keygen", "--kid", kid], &[], b""));
    let set2: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(set2["keys"][0]["alg"], "A256GCM");
    assert_ne!(set["keys"][0]["k"], set2["keys"][0]["k"]);
    failed(&kmcrypt(&["keygen", "--kid", "short"], &[], b""));
    failed(&kmcrypt(
        &["keygen", "--kid", kid, "--alg", "A192GCM"],
        &[],
        b"",
    ));
}

#[test]
fn fields_round_trip_and_vectors_decrypt() {
    let dir = temp_dir("fields");
    let (keys, doc) = vector_keyring(&dir);
    let keys = keys.to_str().unwrap();
    let c = &doc["fields"][0];
    let kid = c["kid"].as_str().unwrap();
    let document = c["document"].as_str().unwrap();
    let mut args = vec!["fields", "encrypt", "--keyring", keys, "--key-id", kid];
    for p in c["paths"].as_array().unwrap() {
        args.extend(["--field", p.as_str().unwrap()]);
    }
    let sealed = ok(&kmcrypt(&args, &[], document.as_bytes()));
    assert_ne!(sealed, document);
    assert_eq!(sealed.matches("\"eyJ").count(), 2);
    args[1] = "decrypt";
    assert_eq!(ok(&kmcrypt(&args, &[], sealed.as_bytes())), document);
    // The generator's expected output (IVs fixed by Python) decrypts too.
    assert_eq!(
        ok(&kmcrypt(
            &args,
            &[],
            c["expected"].as_str().unwrap().as_bytes()
        )),
        document
    );
    // Without --key-id the key must be picked somehow: refused, unless the
    // dangerous opt-in says to trust each JWE's kid.
    let mut no_id: Vec<&str> = args
        .iter()
        .copied()
        .filter(|a| *a != "--key-id" && *a != kid)
        .collect();
    assert!(failed(&kmcrypt(&no_id, &[], sealed.as_bytes())).contains("--key-id"));
    no_id.push("--dangerous-kid-in-message");
    assert_eq!(ok(&kmcrypt(&no_id, &[], sealed.as_bytes())), document);

    // Tampering, bad JSON, strict misses: exit 1, nothing on stdout.
    let tampered = sealed.replacen("\"eyJ", "\"eyK", 1);
    failed(&kmcrypt(&args, &[], tampered.as_bytes()));
    failed(&kmcrypt(&args, &[], b"{not json"));
    let mut strict = args.clone();
    strict.extend(["--field", "nothing.here", "--strict"]);
    assert!(failed(&kmcrypt(&strict, &[], sealed.as_bytes())).contains("matched nothing"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn envelope_seal_open_and_foreign_keys() {
    let dir = temp_dir("envelope");
    let (keys, doc) = vector_keyring(&dir);
    let keys = keys.to_str().unwrap();
    let kid = doc["seal"][1]["kid"].as_str().unwrap();
    let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
    let sealed = ok(&kmcrypt(
        &["envelope", "seal", "--keyring", keys, "--key-id", kid],
        &[],
        body,
    ));
    assert!(sealed.starts_with("{\"encData\":\"eyJ"));
    let opened = kmcrypt(
        &["envelope", "open", "--keyring", keys, "--key-id", kid],
        &[],
        sealed.as_bytes(),
    );
    assert_eq!(ok(&opened).as_bytes(), body);
    // Another held key named: the JWE's kid does not override it.
    let other_kid = doc["seal"][0]["kid"].as_str().unwrap();
    assert_ne!(other_kid, kid);
    let err = failed(&kmcrypt(
        &["envelope", "open", "--keyring", keys, "--key-id", other_kid],
        &[],
        sealed.as_bytes(),
    ));
    assert!(err.contains("kid names another key"), "{err}");

    // A key set without that key: refused, naming the key id.
    let other = dir.join("other.json");
    std::fs::write(&other, doc["other_jwks"].to_string()).unwrap();
    let err = failed(&kmcrypt(
        &[
            "envelope",
            "open",
            "--keyring",
            other.to_str().unwrap(),
            "--key-id",
            kid,
        ],
        &[],
        sealed.as_bytes(),
    ));
    assert!(err.contains(kid), "{err}");
    failed(&kmcrypt(
        &["envelope", "seal", "--keyring", keys],
        &[],
        body,
    ));
    failed(&kmcrypt(
        &["envelope", "open", "--keyring", "/no/such/file"],
        &[],
        sealed.as_bytes(),
    ));
    std::fs::write(dir.join("bad.json"), "{\"keys\":[]}").unwrap();
    let bad = dir.join("bad.json");
    assert!(
        failed(&kmcrypt(
            &[
                "envelope",
                "open",
                "--keyring",
                bad.to_str().unwrap(),
                "--key-id",
                kid
            ],
            &[],
            b"{}"
        ))
        .contains("no keys")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn demo_shows_field_encryption_and_a_foreign_key_refused() {
    let out = ok(&kmcrypt(&["demo"], &[], b""));
    assert!(out.contains("\"mobileCardNo\":\"eyJ"), "{out}");
    assert!(
        out.contains("\"mobileCardNo\":\"9410123412341234\""),
        "{out}"
    );
    assert!(out.contains("refused (key_id_mismatch)"), "{out}");
}

fn rsa_file(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../test-vectors/rsa")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn rsa_envelopes_seal_to_certificates_and_open_with_private_keys() {
    let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
    let server_private = rsa_file("server-private-pkcs8.pem");
    for (flag, file, enc) in [
        ("--cert", "server-certificate.pem", None),
        ("--cert", "server-certificate.der", Some("A256GCM")),
        ("--public-key", "server-public.pem", Some("A128GCM")),
    ] {
        let path = rsa_file(file);
        let mut args = vec!["envelope", "seal", flag, &path];
        if let Some(e) = enc {
            args.extend(["--enc", e]);
        }
        let sealed = ok(&kmcrypt(&args, &[], body));
        let env: serde_json::Value = serde_json::from_str(&sealed).unwrap();
        let header = env["encData"]
            .as_str()
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .to_owned();
        let want = format!(
            r#"{{"enc":"{}","alg":"RSA-OAEP-256"}}"#,
            enc.unwrap_or("A128GCM")
        );
        assert_eq!(decode_b64url(&header), want.as_bytes());
        let opened = kmcrypt(
            &["envelope", "open", "--private-key", &server_private],
            &[],
            sealed.as_bytes(),
        );
        assert_eq!(ok(&opened).as_bytes(), body);
        // The client's key is the wrong one.
        let client = rsa_file("client-private-pkcs1.pem");
        let err = failed(&kmcrypt(
            &["envelope", "open", "--private-key", &client],
            &[],
            sealed.as_bytes(),
        ));
        assert!(err.contains("decryption failed"), "{err}");
    }
    let small = rsa_file("small-1024-public.pem");
    assert!(
        failed(&kmcrypt(
            &["envelope", "seal", "--public-key", &small],
            &[],
            body
        ))
        .contains("2048")
    );
    let locked = rsa_file("client-private-encrypted.pem");
    assert!(
        failed(&kmcrypt(
            &["envelope", "open", "--private-key", &locked],
            &[],
            b"{}"
        ))
        .contains("password")
    );
    failed(&kmcrypt(
        &["envelope", "seal", "--cert", &small, "--public-key", &small],
        &[],
        body,
    ));
}

fn decode_b64url(s: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .unwrap()
}

#[test]
fn rsa_fields_and_joserfc_vectors_through_the_cli() {
    let doc = vectors("jwe-rsa.json");
    let client = rsa_file("client-private-pkcs8.pem");
    let f = &doc["fields"];
    let mut args = vec!["fields", "decrypt", "--private-key", &client];
    for p in f["paths"].as_array().unwrap() {
        args.extend(["--field", p.as_str().unwrap()]);
    }
    assert_eq!(
        ok(&kmcrypt(
            &args,
            &[],
            f["sealed"].as_str().unwrap().as_bytes()
        )),
        f["clear"].as_str().unwrap()
    );

    let cert = rsa_file("client-certificate.pem");
    let clear = br#"{"mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
    let sealed = ok(&kmcrypt(
        &[
            "fields",
            "encrypt",
            "--cert",
            &cert,
            "--enc",
            "A256GCM",
            "--field",
            "mobileCardNo",
            "--field",
            "par",
        ],
        &[],
        clear,
    ));
    let back = ok(&kmcrypt(
        &[
            "fields",
            "decrypt",
            "--private-key",
            &client,
            "--field",
            "mobileCardNo",
            "--field",
            "par",
        ],
        &[],
        sealed.as_bytes(),
    ));
    assert_eq!(back.as_bytes(), clear);
}

#[test]
fn demo_runs_the_rsa_flow() {
    let out = ok(&kmcrypt(&["demo"], &[], b""));
    assert!(out.contains("server opened: {\"cardApplyNo\""), "{out}");
    assert!(
        out.contains("client opened: {\"code\":\"000_000\""),
        "{out}"
    );
    assert!(out.contains("refused (decryption_failed)"), "{out}");
}

/// A fresh key set (`keygen`) in a temporary folder, removed on drop; for
/// `kmcrypt exchange`, the shipped routes and the secret in `KM_SECRET`.
struct Sandbox {
    dir: PathBuf,
    keys: PathBuf,
    routes: PathBuf,
}

const SANDBOX_KID: &str = "0123456789abcdef0123456789abcdef";

impl Sandbox {
    fn new(tag: &str) -> Sandbox {
        let dir = temp_dir(tag);
        let keys = dir.join("keys.json");
        std::fs::write(
            &keys,
            ok(&kmcrypt(&["keygen", "--kid", SANDBOX_KID], &[], b"")),
        )
        .unwrap();
        let routes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../routes/seed.json");
        Sandbox { dir, keys, routes }
    }

    /// `kmcrypt exchange CMD` with the arguments every side takes (and,
    /// for `prepare`, the client's).
    fn args(&self, cmd: &str) -> Vec<String> {
        let mut args: Vec<String> = [
            "exchange",
            cmd,
            "--routes",
            self.routes.to_str().unwrap(),
            "--path",
            "/api/v1/card/delivery/cancel",
            "--keyring",
            self.keys.to_str().unwrap(),
            "--secret-env",
            "KM_SECRET",
        ]
        .map(String::from)
        .to_vec();
        if cmd == "prepare" {
            args.extend(
                [
                    "--asp-id",
                    "000170000002000",
                    "--access-key",
                    "0123456789abcdef0123456789abcdef01234567",
                    "--key-id",
                    SANDBOX_KID,
                ]
                .map(String::from),
            );
        }
        args
    }

    fn run(&self, args: &[String], stdin: &[u8]) -> Output {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        kmcrypt(&args, &[("KM_SECRET", "sandbox secret")], stdin)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn exchange_plays_both_sides_of_the_seed_flow() {
    let x = Sandbox::new("exchange");
    let (dir, common, run) = (
        &x.dir,
        |cmd: &str| x.args(cmd),
        |a: &[String], b: &[u8]| x.run(a, b),
    );
    let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
    let request = run(&common("prepare"), body);
    let request_text = ok(&request);
    assert!(
        request_text.contains("X-KM-Tran-Token: KMV1:"),
        "{request_text}"
    );
    assert!(request_text.ends_with(std::str::from_utf8(body).unwrap()));
    let request_file = dir.join("request.msg");
    std::fs::write(&request_file, &request.stdout).unwrap();

    assert_eq!(
        ok(&run(&common("accept"), &request.stdout)).as_bytes(),
        body
    );

    let response_body = br#"{"code":"000_000","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
    let mut respond = common("respond");
    respond.extend([
        "--request".to_owned(),
        request_file.to_str().unwrap().to_owned(),
    ]);
    let response = ok(&run(&respond, response_body));
    assert!(response.contains("X-KM-Crypto-Key-Id: 0123456789abcdef0123456789abcdef"));
    assert!(!response.contains("9410123412341234"), "{response}");

    let mut finish = common("finish");
    finish.extend([
        "--request".to_owned(),
        request_file.to_str().unwrap().to_owned(),
    ]);
    assert_eq!(
        ok(&run(&finish, response.as_bytes())).as_bytes(),
        response_body
    );

    // Tampering: a changed request body, a response to another request.
    let tampered = String::from_utf8(request.stdout.clone())
        .unwrap()
        .replace("1234567890}", "1234567891}");
    let err = failed(&run(&common("accept"), tampered.as_bytes()));
    assert!(err.contains("MAC does not match"), "{err}");
    let other = run(&common("prepare"), body);
    let other_file = dir.join("other.msg");
    std::fs::write(&other_file, &other.stdout).unwrap();
    let mut finish_other = common("finish");
    finish_other.extend([
        "--request".to_owned(),
        other_file.to_str().unwrap().to_owned(),
    ]);
    let err = failed(&run(&finish_other, response.as_bytes()));
    assert!(err.contains("X-KM-Correlation-Id"), "{err}");
}

#[test]
fn a_pkcs12_store_opens_with_its_password_from_the_environment() {
    let p12 = rsa_file("client-pbes2.p12");
    let cert = rsa_file("client-certificate.pem");
    let sealed = ok(&kmcrypt(
        &["envelope", "seal", "--cert", &cert],
        &[],
        b"{\"x\":1}",
    ));
    let open = [
        "envelope",
        "open",
        "--private-key",
        &p12,
        "--key-password-env",
        "KM_P12_PASSWORD",
    ];
    let out = kmcrypt(
        &open,
        &[("KM_P12_PASSWORD", "test password")],
        sealed.as_bytes(),
    );
    assert_eq!(ok(&out), "{\"x\":1}");
    let err = failed(&kmcrypt(
        &open,
        &[("KM_P12_PASSWORD", "nope")],
        sealed.as_bytes(),
    ));
    assert!(err.contains("password does not open"), "{err}");
    assert!(!err.contains("nope"), "{err}");
    let err = failed(&kmcrypt(&open[..4], &[], sealed.as_bytes()));
    assert!(err.contains("needs its password"), "{err}");
}

#[test]
fn max_size_raises_or_lowers_the_limits_both_ways() {
    let dir = temp_dir("max-size");
    let kid = "0123456789abcdef0123456789abcdef";
    let keys = dir.join("keys.json");
    std::fs::write(&keys, ok(&kmcrypt(&["keygen", "--kid", kid], &[], b""))).unwrap();
    let keys = keys.to_str().unwrap();
    let with = |cmd: &'static str, size: Option<&'static str>| {
        let mut args = vec!["envelope", cmd, "--keyring", keys, "--key-id", kid];
        if let Some(s) = size {
            args.extend(["--max-size", s]);
        }
        args
    };
    // Over the default 16 MiB: refused before any work, whatever the size.
    let big = vec![b'a'; 17 << 20];
    let err = failed(&kmcrypt(&with("seal", None), &[], &big));
    assert!(
        err.contains("larger than the limit of 16777216 bytes"),
        "{err}"
    );
    // 2 KiB: refused under --max-size 1KiB, sealed and opened under 4KiB.
    let body = vec![b'b'; 2048];
    failed(&kmcrypt(&with("seal", Some("1KiB")), &[], &body));
    let sealed = ok(&kmcrypt(&with("seal", Some("4KiB")), &[], &body));
    failed(&kmcrypt(
        &with("open", Some("2KiB")),
        &[],
        sealed.as_bytes(),
    ));
    let opened = kmcrypt(&with("open", Some("4096")), &[], sealed.as_bytes());
    assert_eq!(ok(&opened).as_bytes(), &body[..]);
    for bad in ["0", "1GB", "KiB", "-1", "99999999999999999999MiB"] {
        failed(&kmcrypt(&with("seal", Some(bad)), &[], &body));
    }
    // Fields read documents up to the same size.
    let doc = format!(r#"{{"par":"{}"}}"#, "c".repeat(3000));
    let mut fields = vec![
        "fields",
        "encrypt",
        "--keyring",
        keys,
        "--key-id",
        kid,
        "--field",
        "par",
    ];
    fields.extend(["--max-size", "2KiB"]);
    assert!(failed(&kmcrypt(&fields, &[], doc.as_bytes())).contains("document is larger"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Issue 16, item 14: a request whose `X-KM-Tran-Time` is one second past
/// its token's (a client that read its clock twice) is accepted, unless
/// `--strict`; two seconds past is refused either way.
#[test]
fn exchange_accept_takes_the_next_second_unless_strict() {
    use konaplate_crypto::{DateTime, TimeFormat, TimeZone};
    let x = Sandbox::new("tran-time");
    let (common, run) = (
        |cmd: &str| x.args(cmd),
        |a: &[String], b: &[u8]| x.run(a, b),
    );
    let body = br#"{"cardApplyNo":"2022110812081460812345","userId":1}"#;
    let request = String::from_utf8(run(&common("prepare"), body).stdout).unwrap();
    let token_time = request
        .lines()
        .find_map(|l| l.strip_prefix("X-KM-Tran-Token: KMV1:"))
        .unwrap();
    let second = DateTime::parse(&token_time[..14], TimeFormat::Seconds14).unwrap();
    let later = |s: i64| {
        let ms = second.to_unix_millis(TimeZone::UTC) + s * 1000;
        let text = DateTime::from_unix_millis(ms, TimeZone::UTC)
            .unwrap()
            .format(TimeFormat::Seconds14)
            .unwrap();
        let at = request.find("X-KM-Tran-Time: ").unwrap() + 16;
        format!("{}{}{}", &request[..at], text.as_str(), &request[at + 14..])
    };
    let mut strict = common("accept");
    strict.push("--strict".into());
    assert_eq!(
        ok(&run(&common("accept"), later(1).as_bytes())).as_bytes(),
        body
    );
    assert!(failed(&run(&strict, later(1).as_bytes())).contains("X-KM-Tran-Time"));
    assert_eq!(ok(&run(&strict, later(0).as_bytes())).as_bytes(), body);
    for args in [common("accept"), strict] {
        assert!(failed(&run(&args, later(2).as_bytes())).contains("X-KM-Tran-Time"));
    }
}

/// Issue 16, item 7: under each limit, a document that encrypts decrypts;
/// one whose encryption would pass the limit is refused when encrypting.
#[test]
fn fields_encrypt_refuses_what_decrypt_would_refuse() {
    let sandbox = Sandbox::new("fields-limit");
    let (keys, kid) = (sandbox.keys.to_str().unwrap(), SANDBOX_KID);
    let cards: Vec<String> = (0..300)
        .map(|i| format!(r#"{{"no":"9410{i:012}"}}"#))
        .collect();
    let doc = format!(r#"{{"cards":[{}]}}"#, cards.join(","));
    let args = |cmd: &'static str, limit: &'static str| {
        vec![
            "fields",
            cmd,
            "--keyring",
            keys,
            "--key-id",
            kid,
            "--field",
            "cards[*].no",
            "--max-size",
            limit,
        ]
    };
    let (mut encrypted, mut refused) = (0, 0);
    for limit in ["8KiB", "16KiB", "32KiB", "64KiB", "1MiB"] {
        let out = kmcrypt(&args("encrypt", limit), &[], doc.as_bytes());
        if out.status.success() {
            let sent = ok(&out);
            let back = ok(&kmcrypt(&args("decrypt", limit), &[], sent.as_bytes()));
            assert_eq!(back, doc, "{limit}");
            encrypted += 1;
        } else {
            let err = failed(&out);
            assert!(
                err.contains("encrypted document is larger than the limit"),
                "{limit}: {err}"
            );
            refused += 1;
        }
    }
    assert!(
        encrypted >= 2 && refused >= 2,
        "{encrypted} encrypted, {refused} refused"
    );
}
