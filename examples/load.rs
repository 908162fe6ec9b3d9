//! Load over loopback: the seed's cancel request sent by N connections for
//! a bounded time to the example endpoint with the crate's layer, and to
//! the same handler without it, in one process; requests per second and
//! p50/p99 latency for each. Stops by itself.
//!
//! ```sh
//! cargo run --release --features axum,reqwest --example load -- [--connections 8] [--seconds 4]
//! ```
//!
//! Each connection prepares the seed request once (its `X-KM-*` headers and
//! token) and sends the same bytes again and again (no replay guard here),
//! to both servers alike: the client does no cryptography, and what differs
//! between the two runs is the server's layer (reading the body, verifying
//! every header and the token, encrypting the two card fields of each
//! answer). A third run sends the handler without the layer the body alone,
//! for the cost of the headers themselves. The last line reads
//! `load: X req/s with the layer, Y req/s without, ratio R`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

#[path = "support/seed.rs"]
mod seed;

use std::time::{Duration, Instant, SystemTime};

use clap::Parser;
use konaplate_crypto::{
    AccessKey, AspId, Client, ContentEncryption, CryptoKeyId, Keyring, ProjectSecret, RouteTable,
    Server, ServerLayer, SharedKeyring, TokenSigner, generate_jwks,
};

/// Loopback load against the seed endpoint, with and without the layer.
#[derive(Parser)]
struct Args {
    /// Concurrent connections.
    #[arg(long, default_value_t = 8)]
    connections: usize,
    /// Seconds of load for each of the two servers (split in two rounds).
    #[arg(long, default_value_t = 4.0)]
    seconds: f64,
}

const ROUTES: &str = include_str!("../routes/kona.json");

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}{}", seed::PATH)
}

/// One connection's request: headers and body, sent as they are.
#[derive(Clone)]
struct Fixed {
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// `connections` clients sending `request` to `url` until `until`; the
/// latency of each answered request.
async fn drive(url: &str, request: &Fixed, connections: usize, until: Instant) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let (url, request) = (url.to_owned(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let start = Instant::now();
                let response = http
                    .post(&url)
                    .headers(request.headers.clone())
                    .body(request.body.clone())
                    .send()
                    .await
                    .expect("the server answers");
                assert_eq!(response.status(), 200, "the seed request succeeds");
                let _ = response.bytes().await.expect("the answer is read");
                latencies.push(start.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all
}

fn summary(name: &str, latencies: &mut [Duration], seconds: f64) -> f64 {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let rate = latencies.len() as f64 / seconds;
    println!(
        "{name}: {rate:.0} req/s, p50 {} us, p99 {} us ({} requests)",
        at(0.5).as_micros(),
        at(0.99).as_micros(),
        latencies.len()
    );
    rate
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let keys = SharedKeyring::new(
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A256Gcm)).unwrap(),
    );
    let signer = TokenSigner::new(&ProjectSecret::from("load example secret"));
    let routes = RouteTable::from_json(ROUTES).unwrap();
    let server = Server::new(signer.clone(), keys.clone(), routes.clone());
    let with = serve(seed::router(seed::Store::seeded(true)).layer(ServerLayer::new(server))).await;
    let without = serve(seed::router(seed::Store::seeded(true))).await;

    let body = format!(
        r#"{{"cardApplyNo":"{}","userId":{}}}"#,
        seed::TODAY_APPLICATION,
        seed::USER
    );
    let client = Client::new(
        AspId::parse("000170000002000").unwrap(),
        signer,
        keys,
        routes,
    )
    .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
    .crypto_key_id(kid);
    let prepared = client
        .prepare("POST", seed::PATH, body.as_bytes(), SystemTime::now())
        .unwrap();
    let mut headers = http::HeaderMap::new();
    prepared.write_headers(&mut headers).unwrap();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let signed = Fixed {
        headers: headers.clone(),
        body: prepared.body().to_vec(),
    };
    let mut plain_headers = http::HeaderMap::new();
    plain_headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let plain = Fixed {
        headers: plain_headers,
        body: body.into_bytes(),
    };

    // Warm both up, then alternate two rounds each so that the machine's
    // drift falls on both alike.
    let warm = Instant::now() + Duration::from_millis(300);
    drive(&with, &signed, args.connections, warm).await;
    drive(
        &without,
        &plain,
        args.connections,
        warm + Duration::from_millis(300),
    )
    .await;
    let round = Duration::from_secs_f64(args.seconds / 2.0);
    let (mut layered, mut bare, mut body_only) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..2 {
        layered.extend(drive(&with, &signed, args.connections, Instant::now() + round).await);
        bare.extend(drive(&without, &signed, args.connections, Instant::now() + round).await);
        body_only.extend(drive(&without, &plain, args.connections, Instant::now() + round).await);
    }
    println!("{} connections, {} s each", args.connections, args.seconds);
    let x = summary("with the layer", &mut layered, args.seconds);
    let y = summary("without the layer", &mut bare, args.seconds);
    summary(
        "without the layer, the body alone (no X-KM headers)",
        &mut body_only,
        args.seconds,
    );
    println!(
        "load: {x:.0} req/s with the layer, {y:.0} req/s without, ratio {:.2}",
        x / y
    );
}
