//! Load over loopback: the seed's cancel request sent by N connections for
//! a bounded time to the example endpoint with the crate's layer, and to
//! the same handler without it, in one process; requests per second and
//! p50/p99 latency for each. Stops by itself.
//!
//! ```sh
//! cargo run --release --features axum,reqwest,redis --example load -- [--connections 8] [--seconds 4] \
//!     [--replay memory|redis://HOST:PORT[/DB]]
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
//!
//! With `--replay`, it measures the replay store instead: every request is
//! prepared afresh (its body carries a counter, as a replay store refuses
//! a body it has seen), and the same load goes to the layer with no store,
//! with the in-process guard and, given `redis://...`, with Redis, side by
//! side in alternating rounds. The last line reads
//! `replay: redis X req/s, memory Y req/s, ratio R, p99 +D us`.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

#[path = "support/seed.rs"]
mod seed;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use clap::Parser;
use konaplate_crypto::{
    AccessKey, AspId, Client, ContentEncryption, CryptoKeyId, Keyring, ProjectSecret, ReplayGuard,
    ReplayStore, RouteTable, Server, ServerLayer, SharedKeyring, TokenSigner, VerifyOptions,
    generate_jwks,
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
    /// Measure the replay store: `memory`, or `redis://HOST:PORT[/DB]` (then
    /// the in-process guard too), against no store.
    #[arg(long, value_name = "STORE")]
    replay: Option<String>,
}

const ROUTES: &str = include_str!("../routes/seed.json");

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

/// What each connection sends: the same bytes, or each time a request
/// prepared afresh (a body never sent before).
#[derive(Clone)]
enum Requests {
    Same(Fixed),
    Fresh(Arc<Client>),
}

static SENT: AtomicU64 = AtomicU64::new(0);
static RUN: std::sync::LazyLock<u128> = std::sync::LazyLock::new(|| {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
});

impl Requests {
    fn next(&self) -> Fixed {
        match self {
            Requests::Same(fixed) => fixed.clone(),
            Requests::Fresh(client) => {
                // Unique across runs too: a shared store remembers the
                // last run's bodies for the verifier's window.
                let n = SENT.fetch_add(1, Ordering::Relaxed);
                let run = *RUN;
                let body = format!(
                    r#"{{"cardApplyNo":"{}","userId":{},"n":"{run}-{n}"}}"#,
                    seed::TODAY_APPLICATION,
                    seed::USER
                );
                signed(client, body.as_bytes())
            }
        }
    }
}

/// `body` prepared by `client` now, as headers and bytes to send.
fn signed(client: &Client, body: &[u8]) -> Fixed {
    let prepared = client
        .prepare("POST", seed::PATH, body, SystemTime::now())
        .unwrap();
    let mut headers = http::HeaderMap::new();
    prepared.write_headers(&mut headers).unwrap();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    Fixed {
        headers,
        body: prepared.body().to_vec(),
    }
}

/// `connections` clients sending `requests` to `url` until `until`; the
/// latency of each answered request.
async fn drive(
    url: &str,
    requests: &Requests,
    connections: usize,
    until: Instant,
) -> Vec<Duration> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let (url, requests) = (url.to_owned(), requests.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let request = requests.next();
                let start = Instant::now();
                let response = http
                    .post(&url)
                    .headers(request.headers)
                    .body(request.body)
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

/// Requests a second, p50 and p99 of `latencies` over `seconds`; printed.
fn summary(name: &str, latencies: &mut [Duration], seconds: f64) -> (f64, Duration, Duration) {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let rate = latencies.len() as f64 / seconds;
    println!(
        "{name}: {rate:.0} req/s, p50 {} us, p99 {} us ({} requests)",
        at(0.5).as_micros(),
        at(0.99).as_micros(),
        latencies.len()
    );
    (rate, at(0.5), at(0.99))
}

/// The seed endpoint behind the layer of `server`, recording in `store`.
async fn serve_with(server: &Server, store: Option<Arc<dyn ReplayStore>>) -> String {
    let mut layer = ServerLayer::new(server.clone());
    if let Some(store) = store {
        layer = layer.replay_store(store);
    }
    serve(seed::router(seed::Store::seeded(true)).layer(layer)).await
}

#[cfg(feature = "redis")]
fn redis(url: &str) -> Arc<dyn ReplayStore> {
    Arc::new(konaplate_crypto::RedisReplayStore::open(url).unwrap())
}

#[cfg(not(feature = "redis"))]
fn redis(_: &str) -> Arc<dyn ReplayStore> {
    eprintln!("load: --replay redis://... needs --features redis");
    std::process::exit(1)
}

/// The replay stores side by side: none, in-process, and Redis if given.
async fn replay(args: &Args, spec: &str, server: &Server, client: Client) {
    let guard = || -> Arc<dyn ReplayStore> {
        Arc::new(ReplayGuard::new(1 << 24, VerifyOptions::default().max_skew).unwrap())
    };
    let mut targets = vec![
        ("no replay store", serve_with(server, None).await),
        ("in-process guard", serve_with(server, Some(guard())).await),
    ];
    if spec != "memory" {
        targets.push(("redis", serve_with(server, Some(redis(spec))).await));
    }
    let requests = Requests::Fresh(Arc::new(client));
    for (_, url) in &targets {
        drive(
            url,
            &requests,
            args.connections,
            Instant::now() + Duration::from_millis(300),
        )
        .await;
    }
    let round = Duration::from_secs_f64(args.seconds / 2.0);
    let mut latencies = vec![Vec::new(); targets.len()];
    for _ in 0..2 {
        for ((_, url), got) in targets.iter().zip(&mut latencies) {
            got.extend(drive(url, &requests, args.connections, Instant::now() + round).await);
        }
    }
    println!("{} connections, {} s each", args.connections, args.seconds);
    let results: Vec<_> = targets
        .iter()
        .zip(&mut latencies)
        .map(|((name, _), got)| summary(name, got, args.seconds))
        .collect();
    if let [_, memory, redis] = results.as_slice() {
        println!(
            "replay: redis {:.0} req/s, memory {:.0} req/s, ratio {:.2}, p99 +{} us",
            redis.0,
            memory.0,
            redis.0 / memory.0,
            redis.2.as_micros() as i128 - memory.2.as_micros() as i128
        );
    }
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
    let server = Server::new(signer.clone(), keys.clone(), routes.clone()).unwrap();
    let client = Client::new(
        AspId::parse("000170000002000").unwrap(),
        signer,
        keys,
        routes,
    )
    .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
    .crypto_key_id(kid);
    if let Some(spec) = &args.replay {
        replay(&args, spec, &server, client).await;
        return;
    }
    let with = serve_with(&server, None).await;
    let without = serve(seed::router(seed::Store::seeded(true))).await;

    let body = format!(
        r#"{{"cardApplyNo":"{}","userId":{}}}"#,
        seed::TODAY_APPLICATION,
        seed::USER
    );
    let signed = Requests::Same(signed(&client, body.as_bytes()));
    let mut plain_headers = http::HeaderMap::new();
    plain_headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let plain = Requests::Same(Fixed {
        headers: plain_headers,
        body: body.into_bytes(),
    });

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
    let (x, _, _) = summary("with the layer", &mut layered, args.seconds);
    let (y, _, _) = summary("without the layer", &mut bare, args.seconds);
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
