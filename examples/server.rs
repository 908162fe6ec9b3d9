//! The seed's cancel endpoint on axum behind the crate's layer, over an
//! in-memory store (see `support/seed.rs` for what it answers).
//!
//! ```sh
//! KM_SECRET=... cargo run --release --features axum --example server -- \
//!     --listen 127.0.0.1:0 --keyring KEYS.json --secret-env KM_SECRET [--routes ROUTES.json] \
//!     [--replay memory] [--header-timeout 10] [--body-timeout 30] [--idle-timeout 60] \
//!     [--max-connections 256]
//! ```
//!
//! The first line on stdout is the URL it listens on. The timeouts and the
//! connection cap are the deployer's part (`support/serve.rs`); the layer
//! checks the messages.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/config.rs"]
mod config;
#[path = "support/seed.rs"]
mod seed;
#[path = "support/serve.rs"]
mod serve;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use konaplate_crypto::{
    ProjectSecret, ReplayGuard, Server, ServerLayer, TokenSigner, VerifyOptions,
};

/// Where accepted tokens are remembered, to refuse a replay.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Replay {
    /// In this process (`ReplayGuard`, a million tokens at most).
    Memory,
}

/// The seed's cancel endpoint behind the KONA PLATE layer.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long)]
    listen: String,
    /// The keyring (JWKS, or any key format the library reads).
    #[arg(long)]
    keyring: PathBuf,
    /// Environment variable holding the project secret.
    #[arg(long)]
    secret_env: String,
    /// Route table (default: the shipped routes/kona.json).
    #[arg(long)]
    routes: Option<PathBuf>,
    /// Largest request body read, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Refuse a request whose token was accepted before (off unless given:
    /// the seed's own retry of an identical cancel body reads as a replay).
    #[arg(long, value_enum)]
    replay: Option<Replay>,
    /// Seconds a client has to send its request head (and that a kept-alive
    /// connection may wait for its next one).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a request may take, its body read and its handler run: then 408.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    body_timeout: u64,
    /// Seconds a connection may go without reading or writing a byte.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    idle_timeout: u64,
    /// Connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 256)]
    max_connections: usize,
}

impl Args {
    fn limits(&self) -> serve::Limits {
        serve::Limits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: self.max_connections,
        }
    }
}

fn setup(args: &Args) -> konaplate_crypto::Result<Server> {
    let secret = ProjectSecret::from_env(&args.secret_env)?;
    let server = Server::new(
        TokenSigner::new(&secret),
        config::keys(&args.keyring)?,
        config::routes(args.routes.as_deref())?,
    );
    Ok(match args.replay {
        // The guard's window is the verifier's: a token older than that
        // no longer verifies, so it need not be remembered.
        Some(Replay::Memory) => server.with_replay_guard(ReplayGuard::new(
            1_000_000,
            VerifyOptions::default().max_skew,
        )?),
        None => server,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let server = match setup(&args) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = seed::router(seed::Store::seeded(false))
        .layer(ServerLayer::new(server).max_body(args.max_body));
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("server: cannot listen on {}: {e}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let Ok(addr) = listener.local_addr() else {
        eprintln!("server: no local address");
        return ExitCode::FAILURE;
    };
    println!("http://{addr}");
    let _ = std::io::stdout().flush();
    match serve::serve(listener, app, args.limits()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server: {e}");
            ExitCode::FAILURE
        }
    }
}
