//! The seed's cancel endpoint on axum behind the crate's layer, over an
//! in-memory store (see `support/seed.rs` for what it answers).
//!
//! ```sh
//! KM_SECRET=... cargo run --release --features axum,redis --example server -- \
//!     --listen 127.0.0.1:0 (--keyring KEYS.json --secret-env KM_SECRET | --tenants TENANTS.json) \
//!     [--routes ROUTES.json] [--replay memory|redis://HOST:PORT[/DB]] [--replay-timeout-ms 1000] \
//!     [--reload-every-ms 2000] [--header-timeout 10] [--body-timeout 30] [--idle-timeout 60] \
//!     [--max-connections 256]
//! ```
//!
//! The first line on stdout is the URL it listens on. The timeouts and the
//! connection cap are the deployer's part (`support/serve.rs`); the layer
//! checks the messages. The keyring (or the tenant registry, with every
//! keyring and secret file it names) is reloaded on SIGHUP and when a file
//! changes; a file that no longer loads keeps the keys held, and says so
//! on stderr.
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

use clap::Parser;
use konaplate_crypto::{
    ProjectSecret, Reload, Server, ServerLayer, SharedKeyring, Tenants, TokenSigner,
};

/// The seed's cancel endpoint behind the KONA PLATE layer.
#[derive(Parser)]
struct Args {
    /// Address to listen on (port 0: any free port).
    #[arg(long)]
    listen: String,
    /// The keyring (a JWK Set or JWK), for one service provider.
    #[arg(long, requires = "secret_env", required_unless_present = "tenants")]
    keyring: Option<PathBuf>,
    /// Environment variable holding the project secret, for one service
    /// provider.
    #[arg(long, requires = "keyring")]
    secret_env: Option<String>,
    /// A tenant registry (many service providers; the format is in the
    /// README), in place of --keyring and --secret-env.
    #[arg(long, conflicts_with_all = ["keyring", "secret_env"])]
    tenants: Option<PathBuf>,
    /// Route table (default: the shipped routes/seed.json).
    #[arg(long)]
    routes: Option<PathBuf>,
    /// Largest request body read, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body: usize,
    /// Refuse a request whose token was accepted before: `memory` (this
    /// process) or `redis://HOST:PORT[/DB]` (shared by a fleet). Off unless
    /// given: the seed's own retry of an identical cancel body reads as a
    /// replay.
    #[arg(long, value_name = "STORE")]
    replay: Option<String>,
    /// Milliseconds a request waits for the replay store: then 503.
    #[arg(long, value_name = "MS", default_value_t = 1000)]
    replay_timeout_ms: u64,
    /// Milliseconds between looks at the key (or tenant) files for a change.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    reload_every_ms: u64,
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

/// What reloads: one keyring, or a tenant registry.
#[derive(Clone)]
enum Keys {
    One(SharedKeyring),
    Many(Tenants),
}

impl Reload for Keys {
    fn reload(&self) -> konaplate_crypto::Result<()> {
        match self {
            Keys::One(keys) => keys.reload(),
            Keys::Many(tenants) => tenants.reload(),
        }
    }
    fn reload_if_changed(&self) -> konaplate_crypto::Result<bool> {
        match self {
            Keys::One(keys) => keys.reload_if_changed(),
            Keys::Many(tenants) => tenants.reload_if_changed(),
        }
    }
}

struct Setup {
    layer: ServerLayer,
    keys: Keys,
}

fn setup(args: &Args) -> konaplate_crypto::Result<Setup> {
    let routes = config::routes(args.routes.as_deref())?;
    let (server, keys) = match (&args.tenants, &args.keyring, &args.secret_env) {
        (Some(file), _, _) => {
            let tenants = Tenants::from_file(file)?;
            (
                Server::from_tenants(tenants.clone(), routes)?,
                Keys::Many(tenants),
            )
        }
        (None, Some(keyring), Some(var)) => {
            let secret = ProjectSecret::from_env(var)?;
            let keys = config::keys(keyring)?;
            (
                Server::new(TokenSigner::new(&secret), keys.clone(), routes)?,
                Keys::One(keys),
            )
        }
        // clap requires one or the other.
        _ => {
            return Err(konaplate_crypto::Error::InvalidTenants {
                reason: "give --tenants, or --keyring with --secret-env".into(),
            });
        }
    };
    let mut layer = ServerLayer::new(server).max_body(args.max_body);
    if let Some(store) = &args.replay {
        layer = layer.replay_store(config::replay_store(
            store,
            Duration::from_millis(args.replay_timeout_ms),
        )?);
    }
    Ok(Setup { layer, keys })
}

/// Reloads `keys` on SIGHUP, and when a file changes (polled every `every`).
fn reload_on_change(keys: &Keys, every: Duration) -> std::io::Result<konaplate_crypto::Watch> {
    let report = |outcome: konaplate_crypto::Result<()>| match outcome {
        Ok(()) => eprintln!("server: keys reloaded"),
        Err(e) => eprintln!("server: keys kept, the changed file does not load: {e}"),
    };
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let on_signal = keys.clone();
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            report(on_signal.reload());
        }
    });
    konaplate_crypto::watch(keys.clone(), every, report)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let setup = match setup(&args) {
        Ok(setup) => setup,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _watch = match reload_on_change(&setup.keys, Duration::from_millis(args.reload_every_ms)) {
        Ok(watch) => watch,
        Err(e) => {
            eprintln!("server: cannot watch the key files: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = seed::router(seed::Store::seeded(false)).layer(setup.layer);
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
