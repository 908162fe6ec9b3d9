//! Calls the example server (or the platform) through the crate's reqwest
//! middleware: the body from stdin, the answer's body (decrypted where the
//! route protects it) on stdout.
//!
//! ```sh
//! echo '{"cardApplyNo":"2022110812081460812345","userId":1234567890}' | \
//! KM_SECRET=... cargo run --release --features reqwest --example client -- \
//!     --url http://127.0.0.1:PORT --asp-id ID --access-key KEY --secret-env KM_SECRET \
//!     --keyring KEYS.json --key-id KID [--routes ROUTES.json]
//! ```
//!
//! Exits 0 on a 2xx answer; otherwise 1 with one line on stderr (the
//! answer's body, if the server gave one, still on stdout).
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "support/config.rs"]
mod config;

use std::io::{Read as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use konaplate_crypto::{
    AccessKey, AspId, Client, ClientMiddleware, CryptoKeyId, ProjectSecret, TokenSigner,
};

/// One request to the cancel endpoint through the KONA PLATE middleware.
#[derive(Parser)]
struct Args {
    /// The endpoint's URL (the path is the seed's cancel path unless given).
    #[arg(long)]
    url: String,
    /// X-KM-User-AspId.
    #[arg(long)]
    asp_id: String,
    /// X-KM-Access-Key.
    #[arg(long)]
    access_key: String,
    /// Environment variable holding the project secret.
    #[arg(long)]
    secret_env: String,
    /// The keyring (JWKS, or any key format the library reads).
    #[arg(long)]
    keyring: PathBuf,
    /// X-KM-Crypto-Key-Id: the key the exchange uses.
    #[arg(long)]
    key_id: String,
    /// Route table (default: the shipped routes/seed.json).
    #[arg(long)]
    routes: Option<PathBuf>,
}

fn client(args: &Args) -> konaplate_crypto::Result<Client> {
    let secret = ProjectSecret::from_env(&args.secret_env)?;
    Ok(Client::new(
        AspId::parse(&args.asp_id)?,
        TokenSigner::new(&secret),
        config::keys(&args.keyring)?,
        config::routes(args.routes.as_deref())?,
    )
    .access_key(AccessKey::parse(&args.access_key)?)
    .crypto_key_id(CryptoKeyId::parse(&args.key_id)?))
}

/// The answer's status and body, or one line saying what failed.
async fn call(args: &Args, body: Vec<u8>) -> Result<(u16, Vec<u8>), String> {
    let kona = client(args).map_err(|e| e.to_string())?;
    let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(ClientMiddleware::new(kona))
        .build();
    let mut url = args.url.trim_end_matches('/').to_owned();
    if !url.ends_with("/cancel") {
        url.push_str("/api/v1/card/delivery/cancel");
    }
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| match konaplate_crypto::Error::from_middleware(&e) {
            Some(kona) => kona.to_string(),
            None => format!("request failed: {e}"),
        })?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| format!("reading the answer: {e}"))?;
    Ok((status, bytes.to_vec()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut body = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut body) {
        eprintln!("client: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    match call(&args, body).await {
        Ok((status, answer)) => {
            let mut out = std::io::stdout();
            let _ = out.write_all(&answer);
            let _ = out.write_all(b"\n");
            if (200..300).contains(&status) {
                ExitCode::SUCCESS
            } else {
                eprintln!("client: the server answered {status}");
                ExitCode::FAILURE
            }
        }
        Err(line) => {
            eprintln!("client: {line}");
            ExitCode::FAILURE
        }
    }
}
