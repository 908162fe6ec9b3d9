//! The seed's cancel endpoint on axum behind the crate's layer, over an
//! in-memory store (see `support/seed.rs` for what it answers).
//!
//! ```sh
//! KM_SECRET=... cargo run --release --features axum --example server -- \
//!     --listen 127.0.0.1:0 --keyring KEYS.json --secret-env KM_SECRET [--routes ROUTES.json]
//! ```
//!
//! The first line on stdout is the URL it listens on.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/config.rs"]
mod config;
#[path = "support/seed.rs"]
mod seed;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use konaplate_crypto::{ProjectSecret, Server, ServerLayer, TokenSigner};

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
}

fn setup(args: &Args) -> konaplate_crypto::Result<Server> {
    let secret = ProjectSecret::from_env(&args.secret_env)?;
    Ok(Server::new(
        TokenSigner::new(&secret),
        config::keys(&args.keyring)?,
        config::routes(args.routes.as_deref())?,
    ))
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
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("server: {e}");
            ExitCode::FAILURE
        }
    }
}
