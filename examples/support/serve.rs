//! Serving a router as a deployment should: what the crate's layer does
//! not do (it checks messages, not connections) is done here, each limit a
//! flag of the example server with a default a public endpoint can live
//! with.
//!
//! - **header timeout**: hyper's header-read timer; a client that has not
//!   sent its whole request head by then is cut off (slowloris). Hyper runs
//!   the same timer while a kept-alive connection waits for its next
//!   request.
//! - **body timeout**: tower-http's `TimeoutLayer` over the whole request,
//!   body and handler: a client dripping its body is answered 408.
//! - **idle timeout**: a connection on which nothing was read or written
//!   for this long is shut down gracefully (a request in flight finishes).
//! - **connection cap**: at most this many connections are served at once;
//!   the next waits in the listen queue, costing the server nothing.
#![allow(dead_code)]

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tower_http::timeout::TimeoutLayer;

/// The limits a server applies to its connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 256,
        }
    }
}

/// Serves `app` on `listener` under `limits`. A failed accept (out of file
/// descriptors, a connection reset before it was taken) is waited out, not
/// fatal: the server goes on with the connections it can take.
pub async fn serve(listener: TcpListener, app: Router, limits: Limits) -> io::Result<()> {
    let app = app.layer(TimeoutLayer::with_status_code(
        http::StatusCode::REQUEST_TIMEOUT,
        limits.body_timeout,
    ));
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // A slot first: past the cap, connections wait in the kernel's
        // queue, not in this process.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            connection(stream, app, limits).await;
            drop(slot);
        });
    }
}

/// One connection: HTTP/1.1 with the header timer, shut down when idle.
async fn connection(stream: TcpStream, app: Router, limits: Limits) {
    let started = Instant::now();
    let last = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(Watched {
        inner: stream,
        started,
        last: last.clone(),
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let conn = builder.serve_connection(io, TowerToHyperService::new(app));
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        let idle_since = Duration::from_millis(last.load(Ordering::Relaxed));
        let deadline = started + idle_since + limits.idle_timeout;
        tokio::select! {
            _ = conn.as_mut() => return,
            () = tokio::time::sleep_until(deadline.into()), if !closing => {
                if Duration::from_millis(last.load(Ordering::Relaxed)) == idle_since {
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// A stream that notes when it last read or wrote (milliseconds after
/// `started`).
struct Watched {
    inner: TcpStream,
    started: Instant,
    last: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(ms, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = polled
            && n > 0
        {
            self.touch();
        }
        polled
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
