//! Issue 20: past one machine. A real `redis-server` (Debian's, started
//! here on 127.0.0.1 at a free port and stopped with the test) shared by
//! two servers; tenants; keys reloaded under load. Servers are the example
//! server's binary (`target/debug/examples/server`, built by `cargo test`)
//! where its flags are the point, and the example's own router and layer
//! in this process where a test counts what reached the handler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "../examples/support/seed.rs"]
mod seed;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use konaplate_crypto::{
    AccessKey, AspId, Client, CryptoKeyId, ErrorKind, PreparedRequest, ProjectSecret, RedisOptions,
    RedisReplayStore, Reload, ReplayStore, RouteTable, Server, ServerLayer, SharedKeyring, Tenants,
    TokenSigner,
};
use serde_json::{Value, json};

const ROUTES: &str = include_str!("../routes/seed.json");
const ASP_A: &str = "000170000002000";
const ASP_B: &str = "000170000003000";

// --- Redis --------------------------------------------------------------

/// A `redis-server` on 127.0.0.1, with nothing persisted; killed on drop.
struct Redis {
    port: u16,
    child: Option<Child>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Redis {
    fn start() -> Redis {
        let mut redis = Redis {
            port: free_port(),
            child: None,
        };
        redis.restart();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts it (again, on the same port) and waits until it answers.
    fn restart(&mut self) {
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server runs (Debian's redis-server package; .ci/run installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

// --- Keys, secrets, clients ----------------------------------------------

use common::{jwks, kid};

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("konaplate-fleet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `path` as a deployer would: a new file renamed over.
fn replace_file(path: &Path, text: &str) {
    let next = path.with_extension("next");
    std::fs::write(&next, text).unwrap();
    std::fs::rename(&next, path).unwrap();
}

fn access(c: char) -> AccessKey {
    AccessKey::parse(&c.to_string().repeat(40)).unwrap()
}

fn client(asp: &str, secret: &str, key: CryptoKeyId, keys: &str, access_key: char) -> Client {
    Client::new(
        AspId::parse(asp).unwrap(),
        TokenSigner::new(&ProjectSecret::from(secret)),
        SharedKeyring::new(konaplate_crypto::Keyring::from_jwks(keys).unwrap()),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .access_key(access(access_key))
    .crypto_key_id(key)
}

/// A seed cancel body never sent before (the MAC covers the body alone,
/// so a replay store refuses a body it has seen).
fn fresh_body() -> Vec<u8> {
    static N: AtomicUsize = AtomicUsize::new(0);
    json!({
        "cardApplyNo": seed::TODAY_APPLICATION,
        "userId": seed::USER,
        "n": format!("{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)),
    })
    .to_string()
    .into_bytes()
}

fn prepare(client: &Client) -> PreparedRequest {
    client
        .prepare("POST", seed::PATH, &fresh_body(), SystemTime::now())
        .unwrap()
}

/// Sends `prepared` as it is to `base`; the status, the answer's `code`
/// (if a refusal) and its `X-KM-Crypto-Key-Id`.
async fn send(
    http: &reqwest::Client,
    base: &str,
    prepared: &PreparedRequest,
) -> (u16, String, Option<String>) {
    let mut headers = http::HeaderMap::new();
    prepared.write_headers(&mut headers).unwrap();
    let response = http
        .post(format!("{base}{}", seed::PATH))
        .headers(headers)
        .header("content-type", "application/json")
        .body(prepared.body().to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kid = response
        .headers()
        .get("x-km-crypto-key-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let code = body["code"].as_str().unwrap_or_default().to_owned();
    (status, code, kid)
}

// --- Servers --------------------------------------------------------------

/// The example server's binary, started with `args` (and the secret in
/// its environment); killed on drop.
struct Example {
    child: Child,
    base: String,
}

impl Example {
    fn start(args: &[&str], env: &[(&str, &str)]) -> Example {
        let exe = std::env::current_exe().unwrap();
        let server = exe
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("examples/server");
        let mut child = Command::new(&server)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{} runs: {e}", server.display()));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(
            line.starts_with("http://127.0.0.1:"),
            "first line: {line:?}"
        );
        Example {
            child,
            base: line.trim().to_owned(),
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The example's router behind the layer of `server` in this process,
/// recording in `store`, counting the requests that reach the handler.
async fn in_process(server: Server, store: Arc<dyn ReplayStore>) -> (String, Arc<AtomicUsize>) {
    let reached = Arc::new(AtomicUsize::new(0));
    let count = Arc::clone(&reached);
    let app = seed::router(seed::Store::seeded(true))
        .layer(axum::middleware::from_fn(
            move |request: axum::extract::Request, next: axum::middleware::Next| {
                count.fetch_add(1, Ordering::SeqCst);
                next.run(request)
            },
        ))
        .layer(ServerLayer::new(server).replay_store(store));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), reached)
}

fn single_server() -> Server {
    Server::new(
        TokenSigner::new(&ProjectSecret::from("fleet secret")),
        SharedKeyring::new(konaplate_crypto::Keyring::from_jwks(&jwks(&['a'])).unwrap()),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .unwrap()
}

fn redis_store(redis: &Redis) -> Arc<dyn ReplayStore> {
    let options = RedisOptions {
        timeout: Duration::from_millis(300),
        ..RedisOptions::default()
    };
    Arc::new(RedisReplayStore::open_with(&redis.url(), options).unwrap())
}

// --- Item 5: two servers, one Redis ----------------------------------------

/// Two example servers (the binary, `--replay redis://...`) share one
/// Redis: a request accepted by one is refused by the other, in both
/// orders; each server alone with `--replay memory` would take it.
#[tokio::test]
async fn a_request_accepted_by_one_example_server_is_refused_by_the_other() {
    let redis = Redis::start();
    let dir = scratch("pair");
    let keys = dir.join("keys.json");
    std::fs::write(&keys, jwks(&['a'])).unwrap();
    let keys = keys.to_str().unwrap();
    let env = [("FLEET_SECRET", "fleet secret")];
    let shared = [
        "--keyring",
        keys,
        "--secret-env",
        "FLEET_SECRET",
        "--replay",
        &redis.url(),
    ];
    let a = Example::start(&shared, &env);
    let b = Example::start(&shared, &env);
    let http = reqwest::Client::new();
    let kona = client(ASP_A, "fleet secret", kid('a'), &jwks(&['a']), 'A');

    for (first, second) in [(&a, &b), (&b, &a)] {
        let request = prepare(&kona);
        assert_eq!(send(&http, &first.base, &request).await.0, 200);
        let (status, code, _) = send(&http, &second.base, &request).await;
        assert_eq!((status, code.as_str()), (401, "replayed"));
        // The first refuses it too.
        assert_eq!(send(&http, &first.base, &request).await.1, "replayed");
    }

    // The control: with stores of their own, both take the same request.
    let own = [
        "--keyring",
        keys,
        "--secret-env",
        "FLEET_SECRET",
        "--replay",
        "memory",
    ];
    let (c, d) = (Example::start(&own, &env), Example::start(&own, &env));
    let request = prepare(&kona);
    assert_eq!(send(&http, &c.base, &request).await.0, 200);
    assert_eq!(send(&http, &d.base, &request).await.0, 200);
}

/// 8 clients race one captured request at two servers sharing Redis:
/// exactly one is accepted, and only that one reaches a handler.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_eight_clients_racing_one_request_at_two_servers_exactly_one_wins() {
    let redis = Redis::start();
    let (a, reached_a) = in_process(single_server(), redis_store(&redis)).await;
    let (b, reached_b) = in_process(single_server(), redis_store(&redis)).await;
    let kona = client(ASP_A, "fleet secret", kid('a'), &jwks(&['a']), 'A');
    let rounds = 20;
    for round in 0..rounds {
        let request = Arc::new(prepare(&kona));
        let barrier = Arc::new(tokio::sync::Barrier::new(8));
        let mut racers = Vec::new();
        for i in 0..8 {
            let base = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (request, barrier) = (Arc::clone(&request), Arc::clone(&barrier));
            racers.push(tokio::spawn(async move {
                let http = reqwest::Client::new();
                barrier.wait().await;
                send(&http, &base, &request).await
            }));
        }
        let mut outcomes = Vec::new();
        for racer in racers {
            outcomes.push(racer.await.unwrap());
        }
        let accepted = outcomes.iter().filter(|o| o.0 == 200).count();
        assert_eq!(accepted, 1, "round {round}: {outcomes:?}");
        assert!(
            outcomes
                .iter()
                .all(|o| o.0 == 200 || (o.0 == 401 && o.1 == "replayed")),
            "{outcomes:?}"
        );
    }
    let reached = reached_a.load(Ordering::SeqCst) + reached_b.load(Ordering::SeqCst);
    assert_eq!(reached, rounds);
}

/// Redis stopped under load: every request in that window answers 503
/// `replay_store_unavailable` and none reaches a handler; Redis started
/// again on its port: the same servers serve again, with no restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_down_fails_closed_and_redis_back_serves_again() {
    let mut redis = Redis::start();
    let (a, reached_a) = in_process(single_server(), redis_store(&redis)).await;
    let (b, reached_b) = in_process(single_server(), redis_store(&redis)).await;
    let reached = || reached_a.load(Ordering::SeqCst) + reached_b.load(Ordering::SeqCst);
    let kona = client(ASP_A, "fleet secret", kid('a'), &jwks(&['a']), 'A');
    let http = reqwest::Client::new();

    // Load on both, while Redis is up.
    let mut load = Vec::new();
    for base in [&a, &b].into_iter().cycle().take(8) {
        let (base, kona, http) = (base.clone(), kona.clone(), http.clone());
        load.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for _ in 0..30 {
                outcomes.push(send(&http, &base, &prepare(&kona)).await.0);
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    redis.stop();
    let before = reached();
    let mut refused = 0;
    for base in [&a, &b].into_iter().cycle().take(40) {
        let (status, code, _) = send(&http, base, &prepare(&kona)).await;
        assert_eq!((status, code.as_str()), (503, "replay_store_unavailable"));
        refused += 1;
    }
    assert_eq!(refused, 40);
    // The racing load's requests finished one way or the other; none that
    // came while Redis was down reached a handler.
    for task in load {
        for status in task.await.unwrap() {
            assert!(status == 200 || status == 503, "{status}");
        }
    }
    let after_load = reached();
    assert!(after_load >= before);
    for base in [&a, &b].into_iter().cycle().take(10) {
        assert_eq!(send(&http, base, &prepare(&kona)).await.0, 503);
    }
    assert_eq!(reached(), after_load, "no handler ran while Redis was down");

    redis.restart();
    for base in [&a, &b] {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (status, _, _) = send(&http, base, &prepare(&kona)).await;
            if status == 200 {
                break;
            }
            assert_eq!(status, 503);
            assert!(Instant::now() < deadline, "{base} did not recover");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for base in [&a, &b].into_iter().cycle().take(20) {
        assert_eq!(send(&http, base, &prepare(&kona)).await.0, 200);
    }
    // And the store refuses replays again.
    let request = prepare(&kona);
    assert_eq!(send(&http, &a, &request).await.0, 200);
    assert_eq!(send(&http, &b, &request).await.1, "replayed");
}

// --- Item 2: tenants over loopback -----------------------------------------

/// A registry of two providers, A and B, each its own secret, access key
/// and keyring, in files beside it; secrets from the environment and a file.
/// With `a_from_env`, A's secret and access key are in the environment
/// (for the example server); else in files too.
fn tenants_file(dir: &Path, a_from_env: bool) -> PathBuf {
    std::fs::write(dir.join("a-keys.json"), jwks(&['a'])).unwrap();
    std::fs::write(dir.join("b-keys.json"), jwks(&['b'])).unwrap();
    std::fs::write(dir.join("b.secret"), "secret of B\n").unwrap();
    std::fs::write(dir.join("b.access-key"), "B".repeat(40)).unwrap();
    std::fs::write(dir.join("a.secret"), "secret of A").unwrap();
    std::fs::write(dir.join("a.access-key"), "A".repeat(40)).unwrap();
    let (a_secret, a_access) = if a_from_env {
        (
            json!({"env": "FLEET_SECRET_A"}),
            json!({"env": "FLEET_ACCESS_A"}),
        )
    } else {
        (json!({"file": "a.secret"}), json!({"file": "a.access-key"}))
    };
    let file = dir.join("tenants.json");
    std::fs::write(
        &file,
        json!({"tenants": [
            {"aspId": ASP_A, "secret": a_secret,
             "accessKeys": [a_access], "keyring": "a-keys.json"},
            {"aspId": ASP_B, "secret": {"file": "b.secret"},
             "accessKeys": [{"file": "b.access-key"}], "keyring": "b-keys.json"}
        ]})
        .to_string(),
    )
    .unwrap();
    file
}

/// The tenant cases of issue 20, item 2, against the example server
/// started with `--tenants`.
#[tokio::test]
async fn each_provider_is_served_with_its_own_secret_access_keys_and_keys() {
    let dir = scratch("tenants");
    let file = tenants_file(&dir, true);
    let server = Example::start(
        &["--tenants", file.to_str().unwrap()],
        &[
            ("FLEET_SECRET_A", "secret of A"),
            ("FLEET_ACCESS_A", &"A".repeat(40)),
        ],
    );
    let http = reqwest::Client::new();
    let base = &server.base;
    let code = |o: (u16, String, Option<String>)| (o.0, o.1);

    let a = client(ASP_A, "secret of A", kid('a'), &jwks(&['a']), 'A');
    let b = client(ASP_B, "secret of B", kid('b'), &jwks(&['b']), 'B');
    // Each provider, its own way: accepted, answered under its own key
    // (the example's store cancels the seed application once: the second
    // answer is the handler's own 003_003).
    let (status, code_a, key) = send(&http, base, &prepare(&a)).await;
    assert_eq!(
        (status, code_a.as_str(), key),
        (200, "000_000", Some(kid('a').to_string()))
    );
    let (status, code_b, key) = send(&http, base, &prepare(&b)).await;
    assert_eq!(
        (status, code_b.as_str(), key),
        (400, "003_003", Some(kid('b').to_string()))
    );

    // Signed with A's secret under B's ASP id (and B's access key).
    let forged = client(ASP_B, "secret of A", kid('b'), &jwks(&['b']), 'B');
    assert_eq!(
        code(send(&http, base, &prepare(&forged)).await),
        (401, "token_mismatch".into())
    );
    // A's access key under B's ASP id.
    let crossed = client(ASP_B, "secret of B", kid('b'), &jwks(&['b']), 'A');
    assert_eq!(
        code(send(&http, base, &prepare(&crossed)).await),
        (401, "unknown_access_key".into())
    );
    // A names B's key: not in A's keyring, whatever B holds.
    let borrowing = client(ASP_A, "secret of A", kid('b'), &jwks(&['b']), 'A');
    assert_eq!(
        code(send(&http, base, &prepare(&borrowing)).await),
        (400, "unknown_key_id".into())
    );
    // An ASP id nobody registered, its token made with no secret the server
    // knows: refused for the ASP id, before any MAC.
    let stranger = client(
        "000170000009000",
        "nobody's secret",
        kid('a'),
        &jwks(&['a']),
        'A',
    );
    assert_eq!(
        code(send(&http, base, &prepare(&stranger)).await),
        (401, "unknown_asp_id".into())
    );
}

/// A registry that does not load names the file, the tenant and what is
/// wrong, never a secret; one with a secret inline is refused.
#[test]
fn a_registry_that_does_not_load_says_where_and_why() {
    let dir = scratch("bad-tenants");
    let file = tenants_file(&dir, false);
    let error = |text: String| {
        replace_file(&file, &text);
        let e = Tenants::from_file(&file).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidTenants, "{e}");
        e.to_string()
    };
    let inline = error(
        json!({"tenants": [{"aspId": ASP_A, "secret": "secret of A", "accessKeys": [], "keyring": "a-keys.json"}]})
            .to_string(),
    );
    assert!(
        inline.contains("tenant 1") && inline.contains("never written"),
        "{inline}"
    );
    assert!(!inline.contains("secret of A"), "{inline}");
    let twice = error(
        json!({"tenants": [
            {"aspId": ASP_A, "secret": {"file": "b.secret"}, "accessKeys": [], "keyring": "a-keys.json"},
            {"aspId": ASP_A, "secret": {"file": "b.secret"}, "accessKeys": [], "keyring": "a-keys.json"}
        ]})
        .to_string(),
    );
    assert!(twice.contains("listed twice"), "{twice}");
    let short = error(
        json!({"tenants": [{"aspId": ASP_A, "secret": {"file": "b.secret"},
            "accessKeys": [{"file": "b.secret"}], "keyring": "a-keys.json"}]})
        .to_string(),
    );
    assert!(
        short.contains("accessKeys[0] is not an access key"),
        "{short}"
    );
    assert!(!short.contains("secret of B"), "{short}");
    let syntax = error("{\"tenants\": [\n  {\"aspId\": }\n]}".into());
    assert!(
        syntax.contains("tenants.json") && syntax.contains("line 2"),
        "{syntax}"
    );
}

// --- Item 3: reload -------------------------------------------------------

/// A key file rewritten under load (the polling watch): no request fails,
/// new requests use the new key; a rewrite that does not parse keeps the
/// keys held and is reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_file_rewritten_under_load_fails_no_request() {
    let dir = scratch("reload");
    let path = dir.join("keys.json");
    std::fs::write(&path, jwks(&['a'])).unwrap();
    let keys = SharedKeyring::from_file(&path, None).unwrap();
    let reports = Arc::new(std::sync::Mutex::new(Vec::<Result<(), String>>::new()));
    let log = Arc::clone(&reports);
    let _watch = konaplate_crypto::watch(keys.clone(), Duration::from_millis(20), move |r| {
        log.lock().unwrap().push(r.map_err(|e| e.to_string()));
    })
    .unwrap();
    let server = Server::new(
        TokenSigner::new(&ProjectSecret::from("fleet secret")),
        keys.clone(),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .unwrap();
    let guard = konaplate_crypto::ReplayGuard::new(1 << 16, Duration::from_secs(300)).unwrap();
    let (base, _) = in_process(server, Arc::new(guard)).await;
    let old = client(ASP_A, "fleet secret", kid('a'), &jwks(&['a', 'b']), 'A');
    let new = client(ASP_A, "fleet secret", kid('b'), &jwks(&['a', 'b']), 'A');
    let reloaded = || reports.lock().unwrap().iter().filter(|r| r.is_ok()).count();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..4 {
        let (base, old, new, keys, stop) = (
            base.clone(),
            old.clone(),
            new.clone(),
            keys.clone(),
            Arc::clone(&stop),
        );
        load.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut outcomes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                // A client moves to the new key once the server holds it.
                let client = if keys.load().get(&kid('b')).is_some() {
                    &new
                } else {
                    &old
                };
                outcomes.push(send(&http, &base, &prepare(client)).await);
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    replace_file(&path, &jwks(&['a', 'b']));
    let deadline = Instant::now() + Duration::from_secs(5);
    while reloaded() == 0 {
        assert!(Instant::now() < deadline, "the change was not seen");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // A rewrite that does not parse: reported, the keys kept.
    replace_file(&path, "{\"keys\": [");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !reports.lock().unwrap().iter().any(Result::is_err) {
        assert!(
            Instant::now() < deadline,
            "the broken file was not reported"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);

    let mut outcomes = Vec::new();
    for task in load {
        outcomes.extend(task.await.unwrap());
    }
    assert!(outcomes.iter().all(|o| o.0 == 200), "a request failed");
    let under_new = outcomes
        .iter()
        .filter(|o| o.2.as_deref() == Some(kid('b').to_string().as_str()))
        .count();
    assert!(
        under_new > 0 && under_new < outcomes.len(),
        "{under_new} of {}",
        outcomes.len()
    );
    assert_eq!(
        keys.load().len(),
        2,
        "the broken file left the keys as they were"
    );
    let errors: Vec<_> = reports
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.clone().err())
        .collect();
    assert!(errors[0].contains("keys.json"), "{errors:?}");
}

/// The example server reloads on SIGHUP (its polling slowed to never, so
/// the signal is what reloads), and so does a tenant registry.
#[tokio::test]
async fn the_example_server_reloads_on_sighup() {
    let dir = scratch("sighup");
    let path = dir.join("keys.json");
    std::fs::write(&path, jwks(&['a'])).unwrap();
    let server = Example::start(
        &[
            "--keyring",
            path.to_str().unwrap(),
            "--secret-env",
            "FLEET_SECRET",
            "--reload-every-ms",
            "3600000",
        ],
        &[("FLEET_SECRET", "fleet secret")],
    );
    let http = reqwest::Client::new();
    let new = client(ASP_A, "fleet secret", kid('c'), &jwks(&['c']), 'A');
    assert_eq!(
        send(&http, &server.base, &prepare(&new)).await.1,
        "unknown_key_id"
    );
    replace_file(&path, &jwks(&['a', 'c']));
    server.signal("HUP");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (status, _, key) = send(&http, &server.base, &prepare(&new)).await;
        if status == 200 {
            assert_eq!(key, Some(kid('c').to_string()));
            break;
        }
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A registry reloads from its files: a provider added, a secret file
/// changed (requests then verify with the new secret); a registry
/// rewritten badly keeps the providers it had, and is reported once.
#[test]
fn a_tenant_registry_reloads_from_its_files() {
    let dir = scratch("tenants-reload");
    let file = tenants_file(&dir, false);
    let tenants = Tenants::from_file(&file).unwrap();
    let server =
        Server::from_tenants(tenants.clone(), RouteTable::from_json(ROUTES).unwrap()).unwrap();
    let accept = |client: &Client| {
        let request = prepare(client);
        server
            .accept(
                "POST",
                seed::PATH,
                request.header_pairs(),
                request.body(),
                SystemTime::now(),
            )
            .map(|_| ())
            .map_err(|e| e.kind())
    };
    let b_old = client(ASP_B, "secret of B", kid('b'), &jwks(&['b']), 'B');
    let b_new = client(ASP_B, "B's next secret", kid('b'), &jwks(&['b']), 'B');
    assert_eq!(tenants.len(), 2);
    assert_eq!(accept(&b_old), Ok(()));
    assert!(!tenants.reload_if_changed().unwrap(), "nothing changed yet");

    std::fs::write(dir.join("b.secret"), "B's next secret").unwrap();
    assert!(
        tenants.reload_if_changed().unwrap(),
        "a secret file changed"
    );
    assert_eq!(accept(&b_new), Ok(()));
    assert_eq!(accept(&b_old), Err(ErrorKind::TokenMismatch));

    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let mut c = doc["tenants"][1].clone();
    c["aspId"] = json!("000170000004000");
    doc["tenants"].as_array_mut().unwrap().push(c);
    replace_file(&file, &doc.to_string());
    let b_as_c = client(
        "000170000004000",
        "B's next secret",
        kid('b'),
        &jwks(&['b']),
        'B',
    );
    assert_eq!(accept(&b_as_c), Err(ErrorKind::UnknownAspId));
    tenants.reload().unwrap();
    assert_eq!(tenants.len(), 3);
    assert_eq!(accept(&b_as_c), Ok(()));

    replace_file(&file, "{\"tenants\": 7}");
    let e = tenants.reload_if_changed().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidTenants);
    assert!(e.to_string().contains("tenants.json"), "{e}");
    assert_eq!(tenants.len(), 3, "the providers it had");
    assert_eq!(accept(&b_new), Ok(()));
    assert!(!tenants.reload_if_changed().unwrap(), "reported once");
}
