//! The HTTP front ends over real loopback sockets: the seed's cancel
//! endpoint on axum behind `ServerLayer` (`examples/support/seed.rs`),
//! driven by `ClientMiddleware` through reqwest, and by hand where a test
//! needs to send what the middleware never would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "../examples/support/seed.rs"]
mod seed;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use konaplate_crypto::{
    AccessKey, AspId, Client, ClientMiddleware, CryptoKeyId, Error, ErrorKind, Keyring,
    PreparedRequest, ProjectSecret, ReplayGuard, RouteTable, Server, ServerLayer, SharedKeyring,
    TokenSigner,
};
use reqwest_middleware::ClientWithMiddleware;
use serde_json::{Value, json};

const SECRET: &str = "loopback test secret";
const ROUTES: &str = include_str!("../routes/seed.json");

fn kid(c: char) -> CryptoKeyId {
    common::kid(c)
}

/// A keyring of A256GCM keys, each's bytes its kid's letter repeated.
fn keyring(kids: &[char]) -> Keyring {
    Keyring::from_jwks(&common::jwks(kids)).unwrap()
}

fn signer() -> TokenSigner {
    TokenSigner::new(&ProjectSecret::from(SECRET))
}

struct Setup {
    guard: Option<ReplayGuard>,
    max_body: usize,
    repeatable: bool,
}

impl Default for Setup {
    fn default() -> Setup {
        Setup {
            guard: None,
            max_body: 1 << 20,
            repeatable: false,
        }
    }
}

/// Starts the example server on 127.0.0.1:0; it stops with the test's
/// runtime. Returns its URL.
async fn start(keys: SharedKeyring, setup: Setup) -> String {
    let mut server = Server::new(signer(), keys, RouteTable::from_json(ROUTES).unwrap()).unwrap();
    if let Some(guard) = setup.guard {
        server = server.with_replay_guard(guard);
    }
    let app = seed::router(seed::Store::seeded(setup.repeatable))
        .layer(ServerLayer::new(server).max_body(setup.max_body));
    serve(app).await
}

/// Serves `app` on 127.0.0.1:0; returns the seed endpoint's URL there.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}{}", seed::PATH)
}

/// The seed's cancel request prepared by `client`.
fn seed_request(client: &Client) -> PreparedRequest {
    let body = cancel(seed::TODAY_APPLICATION, seed::USER);
    client
        .prepare("POST", seed::PATH, &body, SystemTime::now())
        .unwrap()
}

fn kona(keys: SharedKeyring, key: CryptoKeyId) -> Client {
    Client::new(
        AspId::parse("000170000002000").unwrap(),
        signer(),
        keys,
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
    .crypto_key_id(key)
}

fn through(client: Client) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(ClientMiddleware::new(client))
        .build()
}

fn cancel(number: &str, user: u64) -> Vec<u8> {
    json!({ "cardApplyNo": number, "userId": user })
        .to_string()
        .into_bytes()
}

/// Status and JSON body of a call through the middleware.
async fn call(http: &ClientWithMiddleware, url: &str, body: Vec<u8>) -> (u16, Value) {
    let response = http.post(url).body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}

/// Sends `body` with `prepared`'s headers as they are, bypassing the
/// middleware; `edit` may change the headers first.
async fn send_raw(
    url: &str,
    prepared: &PreparedRequest,
    body: Vec<u8>,
    edit: impl FnOnce(&mut http::HeaderMap),
) -> reqwest::Response {
    let mut headers = http::HeaderMap::new();
    prepared.write_headers(&mut headers).unwrap();
    edit(&mut headers);
    reqwest::Client::new()
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn refusal(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    (
        status,
        body["code"].as_str().unwrap().to_owned(),
        body["message"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_code_of_the_seed_page() {
    let keys = SharedKeyring::new(keyring(&['a']));
    let url = start(keys.clone(), Setup::default()).await;
    let http = through(kona(keys, kid('a')));

    let (status, body) = call(&http, &url, cancel(seed::TODAY_APPLICATION, seed::USER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["code"], "000_000");
    assert_eq!(body["mobileCardNo"], seed::MOBILE_CARD_NO);
    assert_eq!(body["par"], seed::PAR);

    for (request, want_status, want_code, want_message) in [
        (
            cancel(seed::TODAY_APPLICATION, seed::USER),
            400,
            "003_003",
            "Card issue is not cancelable due to status.",
        ),
        (
            cancel(seed::YESTERDAY_APPLICATION, seed::USER),
            400,
            "003_002",
            "Card issue is not cancelable due to day.",
        ),
        (
            cancel("2022110812081460899999", 999),
            400,
            "001_006",
            "Wallet user not found.",
        ),
        (
            cancel(seed::TODAY_APPLICATION, 0),
            400,
            "000_002",
            "Invalid input parameter. userId",
        ),
        (
            cancel("20221108", seed::USER),
            400,
            "000_002",
            "Invalid input parameter. cardApplyNo",
        ),
    ] {
        let (status, body) = call(&http, &url, request).await;
        assert_eq!(
            (status, body["code"].as_str(), body["message"].as_str()),
            (want_status, Some(want_code), Some(want_message)),
            "{body}"
        );
    }
}

/// On the wire the card fields travel as JWEs; the client's finish opens them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_fields_are_encrypted_on_the_wire() {
    let keys = SharedKeyring::new(keyring(&['a']));
    let url = start(keys.clone(), Setup::default()).await;
    let client = kona(keys, kid('a'));
    let prepared = seed_request(&client);
    let response = send_raw(&url, &prepared, prepared.body().to_vec(), |_| {}).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-km-crypto-key-id"], kid('a').as_str());
    let wire = response.bytes().await.unwrap();
    let sent: Value = serde_json::from_slice(&wire).unwrap();
    for field in ["mobileCardNo", "par"] {
        let value = sent[field].as_str().unwrap();
        assert!(
            value.starts_with("eyJ") && value.split('.').count() == 5,
            "{value}"
        );
    }
    let clear = client.finish_http(&prepared, &headers, &wire).unwrap();
    let clear: Value = serde_json::from_slice(&clear).unwrap();
    assert_eq!(clear["mobileCardNo"], seed::MOBILE_CARD_NO);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_have_their_status_and_code() {
    let keys = SharedKeyring::new(keyring(&['a']));
    let url = start(
        keys.clone(),
        Setup {
            max_body: 512,
            ..Setup::default()
        },
    )
    .await;
    let client = kona(keys, kid('a'));
    let prepared = seed_request(&client);

    // One byte of the body changed after signing.
    let mut changed = prepared.body().to_vec();
    changed[5] ^= 1;
    let (status, code, _) = refusal(send_raw(&url, &prepared, changed, |_| {}).await).await;
    assert_eq!((status, code.as_str()), (401, "token_mismatch"));

    // A header left out: named.
    let (status, code, message) = refusal(
        send_raw(&url, &prepared, prepared.body().to_vec(), |h| {
            h.remove("x-km-tran-token");
        })
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "missing_header"));
    assert!(message.contains("X-KM-Tran-Token"), "{message}");

    // A value that is not ASCII, and a header given twice: their own errors.
    let (status, code, message) = refusal(
        send_raw(&url, &prepared, prepared.body().to_vec(), |h| {
            h.insert(
                "x-km-time-zone",
                http::HeaderValue::from_bytes(b"K\xc3\xa9T").unwrap(),
            );
        })
        .await,
    )
    .await;
    assert_eq!(
        (status, code.as_str()),
        (400, "invalid_header"),
        "{message}"
    );
    assert!(message.contains("X-KM-Time-Zone"), "{message}");
    let (status, code, _) = refusal(
        send_raw(&url, &prepared, prepared.body().to_vec(), |h| {
            h.append("x-km-time-zone", http::HeaderValue::from_static("UTC"));
        })
        .await,
    )
    .await;
    assert_eq!((status, code.as_str()), (400, "duplicate_header"));

    // Over the layer's limit: 413, before the body is read.
    let big = format!(
        r#"{{"cardApplyNo":"{}","userId":1,"pad":"{}"}}"#,
        seed::TODAY_APPLICATION,
        "x".repeat(1000)
    );
    let prepared_big = client
        .prepare("POST", seed::PATH, big.as_bytes(), SystemTime::now())
        .unwrap();
    let (status, code, _) =
        refusal(send_raw(&url, &prepared_big, prepared_big.body().to_vec(), |_| {}).await).await;
    assert_eq!((status, code.as_str()), (413, "too_large"));

    // A path no route serves.
    let other = url.replace("/cancel", "/other");
    let (status, code, _) =
        refusal(send_raw(&other, &prepared, prepared.body().to_vec(), |_| {}).await).await;
    assert_eq!((status, code.as_str()), (404, "route_not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_the_server_does_not_hold_is_refused() {
    let url = start(SharedKeyring::new(keyring(&['a'])), Setup::default()).await;
    let http = through(kona(SharedKeyring::new(keyring(&['a', 'z'])), kid('z')));
    let (status, body) = call(&http, &url, cancel(seed::TODAY_APPLICATION, seed::USER)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("unknown_key_id")),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_request_is_refused_with_the_guard() {
    let keys = SharedKeyring::new(keyring(&['a']));
    let guard = ReplayGuard::new(1000, Duration::from_secs(300)).unwrap();
    let url = start(
        keys.clone(),
        Setup {
            guard: Some(guard),
            repeatable: true,
            ..Setup::default()
        },
    )
    .await;
    let client = kona(keys, kid('a'));
    let prepared = seed_request(&client);
    let first = send_raw(&url, &prepared, prepared.body().to_vec(), |_| {}).await;
    assert_eq!(first.status(), 200);
    let (status, code, _) =
        refusal(send_raw(&url, &prepared, prepared.body().to_vec(), |_| {}).await).await;
    assert_eq!((status, code.as_str()), (401, "replayed"));
}

/// A streaming body cannot be signed: a typed error, and nothing is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_streaming_body_is_never_sent() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let http = through(kona(SharedKeyring::new(keyring(&['a'])), kid('a')));
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(b"{}".to_vec())];
    let stream = reqwest::Body::wrap_stream(futures_stream(chunks));
    let e = http
        .post(format!("http://{addr}{}", seed::PATH))
        .body(stream)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        Error::from_middleware(&e).map(Error::kind),
        Some(ErrorKind::StreamingBody),
        "{e}"
    );
    // Nobody connected.
    let accepted = tokio::time::timeout(Duration::from_millis(200), listener.accept()).await;
    assert!(accepted.is_err(), "a connection was made");
}

/// A one-shot stream of `chunks`.
fn futures_stream(
    chunks: Vec<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + Sync + 'static {
    struct Chunks(std::vec::IntoIter<Result<Vec<u8>, std::io::Error>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.next())
        }
    }
    Chunks(chunks.into_iter())
}

/// A response that echoes another correlation id is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_for_another_request_is_refused() {
    let app = axum::Router::new().route(
        seed::PATH,
        axum::routing::post(|| async {
            (
                [
                    ("x-km-correlation-id", "221108120814-0000000"),
                    ("x-km-crypto-key-id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
                ],
                r#"{"code":"000_000","message":"Success."}"#,
            )
        }),
    );
    let url = serve(app).await;
    let http = through(kona(SharedKeyring::new(keyring(&['a'])), kid('a')));
    let e = http
        .post(url)
        .body(cancel(seed::TODAY_APPLICATION, seed::USER))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        Error::from_middleware(&e).map(Error::kind),
        Some(ErrorKind::CorrelationIdMismatch),
        "{e}"
    );
}

/// A new key added, the clients moved to it, the old key removed, while
/// eight clients call without pause: no request signed under a key the
/// server still held fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_rotate_while_eight_clients_run() {
    let server_keys = SharedKeyring::new(keyring(&['a']));
    let url = start(
        server_keys.clone(),
        Setup {
            repeatable: true,
            ..Setup::default()
        },
    )
    .await;
    // Clients hold both keys throughout (to read answers under either).
    let client_keys = SharedKeyring::new(keyring(&['a', 'b']));
    let use_new = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let on_old = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (old, new) = (
            through(kona(client_keys.clone(), kid('a'))),
            through(kona(client_keys.clone(), kid('b'))),
        );
        let (url, use_new, stop, on_old) =
            (url.clone(), use_new.clone(), stop.clone(), on_old.clone());
        tasks.push(tokio::spawn(async move {
            let mut done = 0u32;
            while !stop.load(Ordering::SeqCst) {
                // Count the calls under the old key in flight, so that the
                // old key is removed only once none is.
                on_old.fetch_add(1, Ordering::SeqCst);
                let http = if use_new.load(Ordering::SeqCst) {
                    on_old.fetch_sub(1, Ordering::SeqCst);
                    &new
                } else {
                    &old
                };
                let (status, body) =
                    call(http, &url, cancel(seed::TODAY_APPLICATION, seed::USER)).await;
                if std::ptr::eq(http, &old) {
                    on_old.fetch_sub(1, Ordering::SeqCst);
                }
                assert_eq!(
                    (status, body["par"].as_str()),
                    (200, Some(seed::PAR)),
                    "{body}"
                );
                done += 1;
            }
            done
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    server_keys.rotate(keyring(&['a', 'b']));
    tokio::time::sleep(Duration::from_millis(300)).await;
    use_new.store(true, Ordering::SeqCst);
    while on_old.load(Ordering::SeqCst) > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server_keys.rotate(keyring(&['b']));
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert!(total > 50, "only {total} calls in about a second");
    // The old key is gone: a call under it is refused now.
    let old = through(kona(client_keys, kid('a')));
    let (status, body) = call(&old, &url, cancel(seed::TODAY_APPLICATION, seed::USER)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("unknown_key_id"))
    );
}

/// The axum extractor hands a handler the verified headers; without the
/// layer in front it refuses in the same JSON shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_extractor_gives_the_verified_headers() {
    use konaplate_crypto::Verified;
    let keys = SharedKeyring::new(keyring(&['a']));
    let echo = |verified: Verified| async move {
        json!({
            "code": "000_000",
            "asp": verified.headers().asp_id().as_str(),
            "key": verified.key_id().map(|k| k.as_str().to_owned()),
        })
        .to_string()
    };
    let server = Server::new(
        signer(),
        keys.clone(),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .unwrap();
    let layered = axum::Router::new()
        .route(seed::PATH, axum::routing::post(echo))
        .layer(ServerLayer::new(server));
    let bare = axum::Router::new().route(seed::PATH, axum::routing::post(echo));
    let urls = [serve(layered).await, serve(bare).await];
    let http = through(kona(keys, kid('a')));
    let (status, body) = call(&http, &urls[0], cancel(seed::TODAY_APPLICATION, seed::USER)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["asp"], "000170000002000");
    assert_eq!(body["key"], kid('a').as_str());
    let response = reqwest::Client::new()
        .post(&urls[1])
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, code, _) = refusal(response).await;
    assert_eq!((status, code.as_str()), (500, "internal_error"));
}

/// A handler's answer the route cannot protect (not JSON, on a route that
/// encrypts fields) is the server's own fault: a bare 500, and the answer
/// is never sent unprotected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_the_route_cannot_protect_is_a_500() {
    let keys = SharedKeyring::new(keyring(&['a']));
    let server = Server::new(
        signer(),
        keys.clone(),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .unwrap();
    let app = axum::Router::new()
        .route(
            seed::PATH,
            axum::routing::post(|| async { "mobileCardNo=9410123412341234" }),
        )
        .layer(ServerLayer::new(server));
    let url = serve(app).await;
    let prepared = seed_request(&kona(keys, kid('a')));
    let response = send_raw(&url, &prepared, prepared.body().to_vec(), |_| {}).await;
    let (status, code, message) = refusal(response).await;
    assert_eq!((status, code.as_str()), (500, "internal_error"));
    assert!(!message.contains("9410"), "{message}");
}
