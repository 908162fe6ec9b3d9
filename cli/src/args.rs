//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Message security for the KONA PLATE Open API.
#[derive(Parser, Debug)]
#[command(name = "kmcrypt", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Make correlation ids (yyMMddHHmmss-xxxxxxx), or check one.
    #[command(args_conflicts_with_subcommands = true)]
    CorrId {
        #[command(subcommand)]
        check: Option<CorrIdCommand>,
        #[command(flatten)]
        make: CorrIdArgs,
    },
    /// Sign or verify X-KM-Tran-Token for the body on stdin.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Print every X-KM request header for the body on stdin.
    Headers(HeadersArgs),
    /// Run the seed's card-application cancel request end to end.
    Demo,
}

#[derive(Args, Debug)]
pub struct CorrIdArgs {
    /// Time zone of the time digits: UTC, KST or NAME+HH:MM.
    #[arg(long, default_value = "KST")]
    pub zone: String,
    /// How many ids to print, one per line.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub count: u32,
}

#[derive(Subcommand, Debug)]
pub enum CorrIdCommand {
    /// Print `ok` if ID is a valid correlation id.
    Check {
        /// The id to check.
        id: String,
    },
}

/// Where the project secret comes from: never from argv.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SecretSource {
    /// Name of an environment variable holding the secret.
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,
    /// A file holding the secret (one trailing newline is stripped).
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Print the token for the body on stdin.
    Sign {
        #[command(flatten)]
        secret: SecretSource,
        /// Token time yyyyMMddHHmmssSSS (default: now).
        #[arg(long, value_name = "T17")]
        time: Option<String>,
        /// Time zone of the time: UTC, KST or NAME+HH:MM.
        #[arg(long, default_value = "KST")]
        zone: String,
        /// Emit the padded 67-character form.
        #[arg(long)]
        padded: bool,
    },
    /// Print `ok` if TOKEN is valid for the body on stdin.
    Verify {
        #[command(flatten)]
        secret: SecretSource,
        /// The received X-KM-Tran-Token.
        #[arg(long)]
        token: String,
        /// The verifier's time yyyyMMddHHmmssSSS (default: now).
        #[arg(long, value_name = "T17")]
        now: Option<String>,
        /// Time zone of the token time and of --now.
        #[arg(long, default_value = "KST")]
        zone: String,
        /// Allowed distance between token time and now, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        max_skew: u64,
        /// Accept only the 66-character form.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Args, Debug)]
pub struct HeadersArgs {
    /// X-KM-User-AspId (15 characters).
    #[arg(long, value_name = "ID")]
    pub asp_id: String,
    /// X-KM-Access-Key (40 characters).
    #[arg(long, value_name = "KEY")]
    pub access_key: String,
    /// X-KM-Crypto-Key-Id (32 characters), when the body is encrypted.
    #[arg(long, value_name = "ID")]
    pub crypto_key_id: Option<String>,
    #[command(flatten)]
    pub secret: SecretSource,
    /// Request time yyyyMMddHHmmssSSS (default: now).
    #[arg(long, value_name = "T17")]
    pub time: Option<String>,
    /// Time zone of the request: UTC, KST or NAME+HH:MM.
    #[arg(long, default_value = "KST")]
    pub zone: String,
}
