//! The example server in-process on 127.0.0.1:0, served as the example
//! serves it (`examples/support/serve.rs`, with the limits a test picks),
//! and a raw client for what no well-behaved client sends.
#![allow(dead_code)]

#[path = "../../examples/support/seed.rs"]
pub mod seed;
#[path = "../../examples/support/serve.rs"]
pub mod serve;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use konaplate_crypto::{
    AccessKey, AspId, Client, CryptoKeyId, Keyring, PreparedRequest, ProjectSecret, RouteTable,
    Server, ServerLayer, SharedKeyring, TokenSigner,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ROUTES: &str = include_str!("../../routes/seed.json");

pub fn kid() -> CryptoKeyId {
    CryptoKeyId::parse(&"a".repeat(32)).unwrap()
}

fn keys() -> SharedKeyring {
    let jwks = format!(
        r#"{{"keys":[{{"kty":"oct","alg":"A256GCM","kid":"{}","k":"{}"}}]}}"#,
        kid(),
        URL_SAFE_NO_PAD.encode([7u8; 32])
    );
    SharedKeyring::new(Keyring::from_jwks(&jwks).unwrap())
}

fn signer() -> TokenSigner {
    TokenSigner::new(&ProjectSecret::from("hostile test secret"))
}

/// The client side that talks to [`start`]'s server.
pub fn client() -> Client {
    Client::new(
        AspId::parse("000170000002000").unwrap(),
        signer(),
        keys(),
        RouteTable::from_json(ROUTES).unwrap(),
    )
    .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
    .crypto_key_id(kid())
}

/// Starts the seed server under `limits`, its body limit `max_body`.
pub async fn start(limits: serve::Limits, max_body: usize) -> SocketAddr {
    let server = Server::new(signer(), keys(), RouteTable::from_json(ROUTES).unwrap()).unwrap();
    let app =
        seed::router(seed::Store::seeded(true)).layer(ServerLayer::new(server).max_body(max_body));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(serve::serve(listener, app, limits));
    addr
}

/// The request head for `prepared` to `path`, with `extra` header lines
/// and the `Content-Length` given.
pub fn head(prepared: &PreparedRequest, path: &str, length: usize, extra: &str) -> String {
    let mut text = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n{extra}"
    );
    for (name, value) in prepared.header_pairs() {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    text
}

/// The seed request prepared now.
pub fn seed_request() -> (PreparedRequest, Vec<u8>) {
    let body = format!(
        r#"{{"cardApplyNo":"{}","userId":{}}}"#,
        seed::TODAY_APPLICATION,
        seed::USER
    )
    .into_bytes();
    let prepared = client()
        .prepare("POST", seed::PATH, &body, SystemTime::now())
        .unwrap();
    (prepared, body)
}

/// Reads what the server sends until it has sent `until` or closes, at
/// most `limit` long; returns the text and whether the connection closed.
pub async fn read_for(stream: &mut TcpStream, until: &str, limit: Duration) -> (String, bool) {
    let deadline = Instant::now() + limit;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if !until.is_empty() && text.contains(until) {
            return (text, false);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (text, true),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return (text, false),
        }
    }
}

/// Connects and writes `bytes`.
pub async fn send(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    stream
}
