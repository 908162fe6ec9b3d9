//! Issue 16, items 1 and 2, over loopback: nothing is read of a body before
//! the head passes (no `100 Continue` for a request refused already), and
//! slow or idle clients are cut off by the limits the example server sets
//! while honest clients are served.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod loopback;

use std::time::{Duration, Instant};

use konaplate_crypto::ClientMiddleware;
use loopback::{head, read_for, seed, seed_request, send, serve::Limits, start};
use tokio::io::AsyncWriteExt;

fn quick() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(2),
        idle_timeout: Duration::from_secs(2),
        max_connections: 512,
    }
}

/// The status line of an answer.
fn status(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_refused_on_its_head_gets_no_100_continue() {
    let addr = start(quick(), 1 << 20).await;
    let (prepared, body) = seed_request();
    let expect = "Expect: 100-continue\r\n";
    // An unlisted path, a listed one with a header gone wrong, and one
    // whose declared body is over the limit: each is answered at once, no
    // `100 Continue`, the body never sent.
    let tampered = head(&prepared, seed::PATH, body.len(), expect)
        .replace("X-KM-Time-Zone: KST", "X-KM-Time-Zone: XYZ");
    for (request, want) in [
        (
            head(&prepared, "/api/v1/unlisted", body.len(), expect),
            "404",
        ),
        (tampered, "400"),
        (head(&prepared, seed::PATH, 2 << 20, expect), "413"),
    ] {
        let mut stream = send(addr, request.as_bytes()).await;
        let (text, _) = read_for(&mut stream, "\r\n\r\n", Duration::from_secs(5)).await;
        assert!(!text.contains("100 Continue"), "{text}");
        assert!(status(&text).contains(want), "{want}: {text}");
    }
    // A head that passes is asked for its body, and the body is accepted.
    let mut stream = send(
        addr,
        head(&prepared, seed::PATH, body.len(), expect).as_bytes(),
    )
    .await;
    let (text, _) = read_for(&mut stream, "\r\n\r\n", Duration::from_secs(5)).await;
    assert!(status(&text).contains("100"), "{text}");
    stream.write_all(&body).await.unwrap();
    let (text, _) = read_for(&mut stream, "eyJ", Duration::from_secs(5)).await;
    assert!(text.contains("200 OK"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slowloris_is_cut_off_while_honest_clients_are_served() {
    let limits = quick();
    let addr = start(limits, 1 << 20).await;
    let (prepared, body) = seed_request();
    let request = head(&prepared, seed::PATH, body.len(), "");
    let slow = tokio::spawn(async move {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let started = Instant::now();
        // One byte of the head every 100 ms, until the server hangs up.
        for b in request.as_bytes() {
            if stream.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            if started.elapsed() > Duration::from_secs(10) {
                break;
            }
        }
        let (text, closed) = read_for(&mut stream, "", Duration::from_secs(3)).await;
        (started.elapsed(), closed, text)
    });
    // Meanwhile an honest client is served, through the middleware.
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(ClientMiddleware::new(loopback::client()))
        .build();
    for _ in 0..3 {
        let response = http
            .post(format!("http://{addr}{}", seed::PATH))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (held, closed, text) = slow.await.unwrap();
    assert!(closed, "the slow client was not disconnected: {text}");
    let most = limits.header_timeout + Duration::from_millis(1_500);
    assert!(
        held < most,
        "held for {held:?}, the header timeout is {:?}",
        limits.header_timeout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed() {
    let limits = quick();
    let addr = start(limits, 1 << 20).await;
    let started = Instant::now();
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    let mut closed = 0;
    for stream in &mut idle {
        let (_, gone) = read_for(stream, "", Duration::from_secs(4)).await;
        closed += usize::from(gone);
    }
    assert_eq!(closed, 200);
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    // A kept-alive connection that goes quiet after its request is closed too.
    let (prepared, body) = seed_request();
    let mut request = head(&prepared, seed::PATH, body.len(), "").into_bytes();
    request.extend_from_slice(&body);
    let mut stream = send(addr, &request).await;
    let (text, _) = read_for(&mut stream, "eyJ", Duration::from_secs(3)).await;
    assert!(text.contains("200 OK"), "{text}");
    let quiet = Instant::now();
    let (_, gone) = read_for(&mut stream, "\u{0}", Duration::from_secs(4)).await;
    assert!(gone, "a quiet kept-alive connection stayed open");
    assert!(
        quiet.elapsed() <= limits.header_timeout.max(limits.idle_timeout) + Duration::from_secs(1)
    );
}
