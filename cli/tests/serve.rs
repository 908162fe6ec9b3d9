//! `kmcrypt serve` (feature `serve`), run as a developer would: started on
//! a free loopback port, driven over real connections by the library's own
//! client, by `kmcrypt exchange`, and by a Node client written the way the
//! platform's public Node clients are (Node's crypto, no konaplate-crypto),
//! its log lines read from its stderr.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use konaplate_crypto::{
    AccessKey, AspId, Client, CryptoKeyId, Keyring, ProjectSecret, RouteTable, SharedKeyring,
    TokenSigner,
};

/// Base64 text, so that the "secret base64-decoded" mistake can be made.
const SECRET: &str = "c2FuZGJveCBzZWNyZXQga2V5IGZvciB0ZXN0cw==";
const KID: &str = "0123456789abcdef0123456789abcdef";
const RSA_KID: &str = "KONA0TEST0RSA0KEY000000000000001";
const CANCEL: &str = "/api/v1/card/delivery/cancel";
const REGISTRATION: &str = "/api/v1/user/registration";
const CARD: &str = "9410123412341234";
const PAR: &str = "Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn kmcrypt() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kmcrypt"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "kmcrypt-serve-{tag}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A keyring holding the symmetric seed key and, under the RSA test key
/// id, the server's private key and the client's public key.
fn keyring(dir: &Path) -> PathBuf {
    let symmetric: serde_json::Value = serde_json::from_slice(
        &kmcrypt()
            .args(["keygen", "--kid", KID, "--alg", "A128GCM"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let rsa: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("test-vectors/rsa/server-keyring.json")).unwrap(),
    )
    .unwrap();
    let mut keys = symmetric["keys"].as_array().unwrap().clone();
    keys.extend(rsa["keys"].as_array().unwrap().iter().cloned());
    let path = dir.join("keys.json");
    std::fs::write(&path, serde_json::json!({ "keys": keys }).to_string()).unwrap();
    path
}

/// The seed's fixtures and the test's own for the registration route (an
/// envelope-or-plain route: its answers say how they travel).
fn fixtures(dir: &Path) -> PathBuf {
    let fixtures = dir.join("fixtures");
    std::fs::create_dir_all(&fixtures).unwrap();
    let seed = "card-delivery-cancel.json";
    std::fs::copy(repo("fixtures/kona").join(seed), fixtures.join(seed)).unwrap();
    std::fs::write(
        fixtures.join("user-registration.json"),
        r#"{"method": "POST", "path": "/api/v1/user/registration",
            "cases": [{"name": "clear answer", "when": {"answer": "plain"}, "status": 200,
                       "protect": "plain", "body": {"code": "000_000", "message": "Success.", "userId": 77}}],
            "default": {"status": 200, "protect": "envelope",
                        "body": {"code": "000_000", "message": "Success.", "userId": 42}}}"#,
    )
    .unwrap();
    fixtures
}

/// A running `kmcrypt serve`, its stderr lines collected; killed on drop.
struct Stand {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
    dir: PathBuf,
    keys: PathBuf,
}

impl Stand {
    fn start(tag: &str, extra: &[&str]) -> Stand {
        Stand::spawn(tag, false, extra)
    }

    /// With `tenants`, one service provider in a tenant registry (the ASP
    /// id the clients send, their access key) in place of --keyring.
    fn spawn(tag: &str, tenants: bool, extra: &[&str]) -> Stand {
        let dir = temp_dir(tag);
        let keys = keyring(&dir);
        let fixtures = fixtures(&dir);
        let mut command = kmcrypt();
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--routes"])
            .arg(repo("routes/kona.json"))
            .arg("--fixtures")
            .arg(&fixtures);
        if tenants {
            let registry = dir.join("tenants.json");
            let entry = serde_json::json!({"tenants": [{
                "aspId": "000170000002000",
                "secret": {"env": "KM_SECRET"},
                "accessKeys": [{"env": "KM_ACCESS_KEY"}],
                "keyring": keys,
            }]});
            std::fs::write(&registry, entry.to_string()).unwrap();
            command.arg("--tenants").arg(registry);
        } else {
            command
                .arg("--keyring")
                .arg(&keys)
                .args(["--secret-env", "KM_SECRET"]);
        }
        let mut child = command
            .args(extra)
            .env("KM_SECRET", SECRET)
            .env("KM_ACCESS_KEY", "A".repeat(40))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let url = first.trim().to_owned();
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "first line: {first:?}"
        );
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                lines.lock().unwrap().push(line.unwrap());
            }
        });
        Stand {
            child,
            url,
            log,
            dir,
            keys,
        }
    }

    fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The log line the `n`th request (from 0) got, waiting for it.
    fn line(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(line) = self.log.lock().unwrap().get(n) {
                return line.clone();
            }
            assert!(Instant::now() < deadline, "no log line {n}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// The library's own client for the seed and registration routes.
    fn client(&self) -> Client {
        let keys = SharedKeyring::new(
            Keyring::from_jwks(&std::fs::read_to_string(&self.keys).unwrap()).unwrap(),
        );
        Client::new(
            AspId::parse("000170000002000").unwrap(),
            TokenSigner::new(&ProjectSecret::from(SECRET)),
            keys,
            RouteTable::from_json(&std::fs::read_to_string(repo("routes/kona.json")).unwrap())
                .unwrap(),
        )
        .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
        .crypto_key_id(CryptoKeyId::parse(KID).unwrap())
    }

    /// The Node client in `mode`, on `path`, with `body`; its JSON line.
    fn node(&self, path: &str, mode: &str, body: &str) -> serde_json::Value {
        let sealed = path == REGISTRATION;
        let rsa = repo("test-vectors/rsa");
        let cert = if sealed {
            rsa.join("server-certificate.pem").display().to_string()
        } else {
            "-".into()
        };
        let out = Command::new("node")
            .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/node_client.mjs"))
            .args([
                self.url.as_str(),
                path,
                if sealed { RSA_KID } else { KID },
                cert.as_str(),
            ])
            .arg(rsa.join("client-private-pkcs8.pem"))
            .args([mode, body])
            .env("KM_SECRET", SECRET)
            .output()
            .expect("node runs");
        assert!(
            out.status.success(),
            "node: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

impl Drop for Stand {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An HTTP/1.1 answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// One POST over a fresh connection.
fn post<'a>(
    addr: &str,
    path: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &[u8],
) -> Answer {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let text = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = text.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_ascii_lowercase(), v.trim().to_owned())
        })
        .collect();
    Answer {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The wire answer of a refusal: exactly `code` and `message`.
fn assert_wire_refusal(body: &[u8], code: &str) {
    let value = json(body);
    let object = value.as_object().unwrap();
    assert_eq!(object.len(), 2, "{value}");
    assert_eq!(value["code"], code, "{value}");
    assert!(value["message"].is_string());
}

/// Issue 21, items 1 and 3: each of the seed page's five cases, by the
/// library's client over loopback: the cards encrypted on the wire and
/// opened by the client, the codes and statuses the page gives, one log
/// line each naming the case.
#[test]
fn the_seed_cases_answer_the_library_client() {
    let stand = Stand::start("seed", &[]);
    let client = stand.client();
    let cases = [
        (
            r#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#,
            200,
            "000_000",
            "the default",
        ),
        (
            r#"{"cardApplyNo":"2022110812081460812345","userId":0}"#,
            400,
            "000_002",
            "case 1 (invalid input parameter)",
        ),
        (
            r#"{"cardApplyNo":"2022110812081460812345","userId":9999999999999999999}"#,
            400,
            "001_006",
            "case 2 (non-member)",
        ),
        (
            r#"{"cardApplyNo":"2022110712081460800001","userId":1234567890}"#,
            400,
            "003_002",
            "case 3 (not the application day)",
        ),
        (
            r#"{"cardApplyNo":"2022110812081460800003","userId":1234567890}"#,
            400,
            "003_003",
            "case 4 (not cancelable)",
        ),
    ];
    for (n, (body, status, code, case)) in cases.into_iter().enumerate() {
        let request = client
            .prepare("POST", CANCEL, body.as_bytes(), SystemTime::now())
            .unwrap();
        let answer = post(stand.addr(), CANCEL, request.header_pairs(), request.body());
        assert_eq!(answer.status, status, "{body}");
        let wire = String::from_utf8(answer.body.clone()).unwrap();
        assert!(!wire.contains(CARD) && !wire.contains(PAR), "{wire}");
        let pairs: Vec<(&str, &str)> = answer
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let clear = json(&client.finish(&request, pairs, &answer.body).unwrap());
        assert_eq!(clear["code"], code);
        if status == 200 {
            assert_eq!(clear["mobileCardNo"], CARD);
            assert_eq!(clear["par"], PAR);
        } else {
            assert!(clear.get("mobileCardNo").is_none());
        }
        let line = stand.line(n);
        assert!(
            line.starts_with(&format!("POST {CANCEL} -> {status} {code} ")),
            "{line}"
        );
        assert!(line.contains(case), "{line}");
        assert!(
            line.contains(&format!(
                "correlation id {}",
                request.headers().correlation_id()
            )),
            "{line}"
        );
    }
    assert_no_secrets(&stand);
}

/// Issue 21, item 5: `kmcrypt exchange prepare` and `finish` against the
/// stand-in.
#[test]
fn kmcrypt_exchange_plays_the_client() {
    let stand = Stand::start("exchange", &[]);
    let routes = repo("routes/kona.json");
    let common = |cmd: &str| {
        let mut c = kmcrypt();
        c.args(["exchange", cmd, "--routes"])
            .arg(&routes)
            .args(["--path", CANCEL, "--keyring"])
            .arg(&stand.keys)
            .args(["--secret-env", "KM_SECRET"])
            .env("KM_SECRET", SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let run = |mut cmd: Command, stdin: &[u8]| -> Output {
        let mut child = cmd.spawn().unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    let mut prepare = common("prepare");
    prepare.args([
        "--asp-id",
        "000170000002000",
        "--access-key",
        &"A".repeat(40),
        "--key-id",
        KID,
    ]);
    let request = run(
        prepare,
        br#"{"cardApplyNo":"2022110812081460812345","userId":42}"#,
    )
    .stdout;
    let split = request.windows(2).position(|w| w == b"\n\n").unwrap();
    let head = std::str::from_utf8(&request[..split]).unwrap();
    let headers: Vec<(&str, &str)> = head.lines().map(|l| l.split_once(": ").unwrap()).collect();
    let answer = post(stand.addr(), CANCEL, headers, &request[split + 2..]);
    assert_eq!(answer.status, 200);
    let request_file = stand.dir.join("request.msg");
    std::fs::write(&request_file, &request).unwrap();
    let mut message = String::new();
    for (name, value) in &answer.headers {
        message.push_str(&format!("{name}: {value}\n"));
    }
    message.push('\n');
    let mut bytes = message.into_bytes();
    bytes.extend_from_slice(&answer.body);
    let mut finish = common("finish");
    finish.arg("--request").arg(&request_file);
    let clear = json(&run(finish, &bytes).stdout);
    assert_eq!(clear["mobileCardNo"], CARD);
    assert_eq!(clear["code"], "000_000");
}

/// Issue 21, items 4 and 5: the public Node client's way (a 67-character
/// token, a JWE without kid to the server's certificate) on an
/// envelope-or-plain route, answered as the fixture says: sealed to the
/// client's key by default, clear in the case that says "plain"; the
/// client opens the one and passes the other through.
#[test]
fn a_public_style_node_client_is_served_both_ways() {
    let stand = Stand::start("node", &["--log-format", "json"]);
    let sealed = stand.node(
        REGISTRATION,
        "ok",
        r#"{"loginId":"kim","answer":"envelope"}"#,
    );
    assert_eq!(sealed["tokenLength"], 67);
    assert_eq!(sealed["status"], 200, "{sealed}");
    assert_eq!(sealed["enveloped"], true);
    assert_eq!(
        json(sealed["body"].as_str().unwrap().as_bytes())["userId"],
        42
    );
    let plain = stand.node(REGISTRATION, "ok", r#"{"loginId":"kim","answer":"plain"}"#);
    assert_eq!(plain["status"], 200, "{plain}");
    assert_eq!(plain["enveloped"], false);
    assert_eq!(
        json(plain["body"].as_str().unwrap().as_bytes())["userId"],
        77
    );
    let seed = stand.node(
        CANCEL,
        "ok",
        r#"{"cardApplyNo":"2022110812081460812345","userId":0}"#,
    );
    assert_eq!(seed["status"], 400, "{seed}");
    for (n, (code, what)) in [
        (
            "000_000",
            "the default of user-registration.json (no case matched), sealed in an envelope",
        ),
        (
            "000_000",
            "case 1 (clear answer) of user-registration.json, plain",
        ),
        (
            "000_002",
            "case 1 (invalid input parameter) of card-delivery-cancel.json",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let line = json(stand.line(n).as_bytes());
        assert_eq!(line["code"], code, "{line}");
        assert_eq!(line["method"], "POST");
        assert!(
            line["route"].as_str().unwrap().starts_with("POST /api/v1/"),
            "{line}"
        );
        assert!(
            line["correlation_id"].as_str().unwrap().len() == 20,
            "{line}"
        );
        assert!(
            line["explanation"].as_str().unwrap().ends_with(what),
            "{line}"
        );
    }
}

/// Issue 21, items 2 and 5: each refusal the stand-in explains, made by
/// the Node client on purpose: the wire carries only code and message; the
/// log line names the reason.
#[test]
fn every_refusal_is_explained_in_the_log_and_not_on_the_wire() {
    let stand = Stand::start("refusals", &["--log-format", "json"]);
    let seed = r#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
    let registration = r#"{"loginId":"kim"}"#;
    let cases = [
        (
            CANCEL,
            "mac-over-base64",
            seed,
            401,
            "token_mismatch",
            "the MAC is over the base64 of the body, not the body",
        ),
        (
            CANCEL,
            "mac-over-newline",
            seed,
            401,
            "token_mismatch",
            "with a trailing newline that was not sent",
        ),
        (
            CANCEL,
            "mac-over-indented",
            seed,
            401,
            "token_mismatch",
            "re-serialised with indentation",
        ),
        (
            CANCEL,
            "mac-with-decoded-secret",
            seed,
            401,
            "token_mismatch",
            "keyed with the secret base64-decoded",
        ),
        (
            REGISTRATION,
            "mac-over-clear",
            registration,
            401,
            "token_mismatch",
            "the MAC is over the clear body, not the {\"encData\": ...} envelope",
        ),
        (
            CANCEL,
            "time-in-utc",
            seed,
            401,
            "token_time_outside_window",
            "read in UTC it is",
        ),
        (
            CANCEL,
            "unknown-kid",
            seed,
            400,
            "unknown_key_id",
            &format!("which this server does not hold; it holds {KID}, {RSA_KID}"),
        ),
        (
            CANCEL,
            "missing-tran-time",
            seed,
            400,
            "missing_header",
            "X-KM-Tran-Time is missing: yyyyMMddHHmmss",
        ),
        (
            CANCEL,
            "bad-correlation-id",
            seed,
            400,
            "invalid_header",
            "X-KM-Correlation-Id holds yyMMddHHmmss-xxxxxxx",
        ),
    ];
    for (n, (path, mode, body, status, code, reason)) in cases.into_iter().enumerate() {
        let out = stand.node(path, mode, body);
        assert_eq!(out["status"], status, "{mode}: {out}");
        assert_wire_refusal(out["body"].as_str().unwrap().as_bytes(), code);
        let line = json(stand.line(n).as_bytes());
        assert_eq!(line["code"], code, "{mode}: {line}");
        assert_eq!(line["status"], status, "{mode}: {line}");
        let explanation = line["explanation"].as_str().unwrap();
        assert!(explanation.contains(reason), "{mode}: {explanation}");
        if code == "token_mismatch" {
            assert!(
                explanation.contains("bytes)"),
                "{mode}: the body's length: {explanation}"
            );
        }
        if mode == "time-in-utc" {
            assert!(
                explanation.contains("in KST (X-KM-Time-Zone) is 32400."),
                "{explanation}"
            );
        }
        if mode == "bad-correlation-id" {
            assert_eq!(line["correlation_id"], "(invalid)");
        }
    }
    // A MAC no usual mistake explains is said to be so.
    let client = stand.client();
    let request = client
        .prepare("POST", CANCEL, seed.as_bytes(), SystemTime::now())
        .unwrap();
    let answer = post(
        stand.addr(),
        CANCEL,
        request.header_pairs(),
        br#"{"cardApplyNo":"x","userId":1}"#,
    );
    assert_eq!(answer.status, 401);
    let line = json(stand.line(cases.len()).as_bytes());
    assert!(
        line["explanation"]
            .as_str()
            .unwrap()
            .contains("(30 bytes); none of the usual mistakes explains it"),
        "{line}"
    );
    assert_no_secrets(&stand);
}

/// Issue 21, item 2: `--explain-in-body` adds the explanation to the
/// answer, for local use.
#[test]
fn explain_in_body_adds_the_explanation_to_refusals() {
    let stand = Stand::start("in-body", &["--explain-in-body"]);
    let out = stand.node(
        CANCEL,
        "mac-over-base64",
        r#"{"cardApplyNo":"2022110812081460812345","userId":1}"#,
    );
    let body = json(out["body"].as_str().unwrap().as_bytes());
    assert_eq!(body["code"], "token_mismatch");
    assert!(
        body["explanation"]
            .as_str()
            .unwrap()
            .contains("base64 of the body"),
        "{body}"
    );
    // Text lines: method, path, status, code, then the explanation.
    let line = stand.line(0);
    assert!(
        line.starts_with(&format!(
            "POST {CANCEL} -> 401 token_mismatch (route POST {CANCEL}, correlation id "
        )),
        "{line}"
    );
}

/// Issue 21, item 1: the service providers of a tenant registry
/// (`--tenants`), each request verified with its provider's secret and
/// keys; an ASP id the registry does not hold is explained.
#[test]
fn a_tenant_registry_serves_its_providers() {
    let stand = Stand::spawn("tenants", true, &[]);
    let client = stand.client();
    let request = client
        .prepare(
            "POST",
            CANCEL,
            br#"{"cardApplyNo":"2022110812081460812345","userId":5}"#,
            SystemTime::now(),
        )
        .unwrap();
    let answer = post(stand.addr(), CANCEL, request.header_pairs(), request.body());
    assert_eq!(answer.status, 200);
    assert!(stand.line(0).contains("accepted; answered the default"));
    let out = stand.node(CANCEL, "mac-over-base64", r#"{"userId":5}"#);
    assert_eq!(out["status"], 401);
    assert!(
        stand
            .line(1)
            .contains("the MAC is over the base64 of the body"),
        "{}",
        stand.line(1)
    );
    let other: Vec<(&str, &str)> = request
        .header_pairs()
        .map(|(n, v)| {
            if n == "X-KM-User-AspId" {
                (n, "000170000009000")
            } else {
                (n, v)
            }
        })
        .collect();
    let answer = post(stand.addr(), CANCEL, other, request.body());
    assert_eq!(answer.status, 401);
    assert_wire_refusal(&answer.body, "unknown_asp_id");
    assert!(
        stand
            .line(2)
            .contains("X-KM-User-AspId 000170000009000 is not a service provider of this server"),
        "{}",
        stand.line(2)
    );
}

/// Neither the secret, nor a key, nor a clear card number is in a line.
fn assert_no_secrets(stand: &Stand) {
    let keys: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stand.keys).unwrap()).unwrap();
    let mut secrets = vec![SECRET.to_owned(), CARD.to_owned(), PAR.to_owned()];
    for key in keys["keys"].as_array().unwrap() {
        for member in ["k", "d", "p", "q"] {
            if let Some(v) = key[member].as_str() {
                secrets.push(v[..16].to_owned());
            }
        }
    }
    let lines = stand.lines();
    assert!(!lines.is_empty());
    for line in lines {
        for secret in &secrets {
            assert!(!line.contains(secret.as_str()), "{line}");
        }
    }
}

/// `kmcrypt serve` with `fixtures` holding `name` = `text`: it must fail
/// at start, exit 1, one line on stderr, nothing on stdout; the line.
fn refused_at_start(name: &str, text: &str) -> String {
    let dir = temp_dir("bad");
    let keys = keyring(&dir);
    let fixtures = fixtures(&dir);
    std::fs::write(fixtures.join(name), text).unwrap();
    let out = kmcrypt()
        .args(["serve", "--listen", "127.0.0.1:0", "--routes"])
        .arg(repo("routes/kona.json"))
        .arg("--fixtures")
        .arg(&fixtures)
        .arg("--keyring")
        .arg(&keys)
        .args(["--secret-env", "KM_SECRET"])
        .env("KM_SECRET", SECRET)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// Issue 21, items 4 and 5: fixtures that do not parse, or do not fit the
/// table, are refused at start with the file and what is wrong.
#[test]
fn bad_fixtures_are_refused_at_start() {
    let err = refused_at_start(
        "broken.json",
        "{\"method\": \"POST\",\n \"path\": \"/api/v1/user/card/list\",\n \"default\": {\"status\": 200 \"body\": {}}}",
    );
    assert!(err.contains("broken.json: line 3, column "), "{err}");
    let err = refused_at_start(
        "card-list.json",
        r#"{"method": "POST", "path": "/api/v1/user/card/list", "default": {"status": 200, "body": {}}}"#,
    );
    assert!(
        err.contains("card-list.json: the default does not say \"protect\""),
        "{err}"
    );
    let err = refused_at_start(
        "cancel-again.json",
        r#"{"method": "POST", "path": "/api/v1/card/delivery/cancel", "default": {"status": 200, "protect": "plain", "body": {}}}"#,
    );
    assert!(
        err.contains("says \"protect\", but the table says"),
        "{err}"
    );
    let err = refused_at_start(
        "nowhere.json",
        r#"{"method": "GET", "path": "/api/v1/nowhere", "default": {"status": 200, "body": {}}}"#,
    );
    assert!(
        err.contains("nowhere.json: GET /api/v1/nowhere is not a route of "),
        "{err}"
    );
    let err = refused_at_start(
        "status.json",
        r#"{"method": "POST", "path": "/api/v1/transaction/card", "cases": [{"when": {}, "status": 42, "protect": "plain", "body": {}}], "default": {"status": 200, "protect": "plain", "body": {}}}"#,
    );
    assert!(
        err.contains("status.json: case 1 (case 1): status 42"),
        "{err}"
    );
}
