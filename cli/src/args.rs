//! The command line, as clap reads it: values parse straight into the
//! library's types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use konaplate_crypto::{AccessKey, AspId, ContentEncryption, CryptoKeyId, TimeZone};

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
    /// Print a JSON Web Key Set holding one fresh symmetric key.
    Keygen {
        /// The key id (32 characters).
        #[arg(long, value_name = "ID")]
        kid: CryptoKeyId,
        /// A128GCM or A256GCM.
        #[arg(long, default_value = "A256GCM")]
        alg: ContentEncryption,
    },
    /// Encrypt or decrypt marked fields of the JSON document on stdin.
    #[command(subcommand)]
    Fields(FieldsCommand),
    /// Seal the body on stdin into {"encData":"<JWE>"}, or open one.
    #[command(subcommand)]
    Envelope(EnvelopeCommand),
    /// Play either side of a request over a route table, messages as
    /// `Name: value` header lines, an empty line, then the body.
    #[command(subcommand)]
    Exchange(ExchangeCommand),
    /// Run the seed's card-application cancel request end to end.
    Demo,
    /// Stand in for the platform: verify every request as it does, answer
    /// each route from fixtures, and explain every refusal on stderr.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

/// `kmcrypt serve`: the route table, the fixtures, the keys and secrets.
#[cfg(feature = "serve")]
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (127.0.0.1:0: any free port); the first line
    /// on stdout is the URL.
    #[arg(long, value_name = "ADDR")]
    pub listen: String,
    /// The route table (JSON; routes/kona.json is the platform's).
    #[arg(long, value_name = "FILE")]
    pub routes: PathBuf,
    /// A directory of fixture files, one per route (*.json).
    #[arg(long, value_name = "DIR")]
    pub fixtures: PathBuf,
    /// The keyring (a JWK Set or JWK), for one service provider.
    #[arg(long, value_name = "FILE", required_unless_present = "tenants")]
    pub keyring: Option<PathBuf>,
    /// Environment variable holding the project secret (with --keyring).
    #[arg(long, value_name = "VAR", conflicts_with = "secret_file")]
    pub secret_env: Option<String>,
    /// A file holding the project secret (with --keyring).
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
    /// A tenant registry (many service providers; the format is in the
    /// README), in place of --keyring and the secret.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["keyring", "secret_env", "secret_file"])]
    pub tenants: Option<PathBuf>,
    /// Allowed distance between a token's time and this clock, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub max_skew: u64,
    /// Largest request body read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20)]
    pub max_body: usize,
    /// Log lines as text or one JSON object a line.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    pub log_format: LogFormat,
    /// Add the explanation to refusals' answers too (local use only: the
    /// platform's answers carry only code and message).
    #[arg(long)]
    pub explain_in_body: bool,
}

/// How `kmcrypt serve` writes its log lines.
#[cfg(feature = "serve")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `method path -> status code: explanation`.
    Text,
    /// One JSON object a line.
    Json,
}

/// Where a sealing key comes from: a keyring entry, or the platform's
/// certificate or public key (RSA-OAEP-256).
#[derive(Args, Debug)]
pub struct SealKey {
    /// A key set file (JWK Set or JWK), with --key-id.
    #[arg(long, value_name = "FILE", requires = "key_id", conflicts_with_all = ["cert", "public_key"])]
    pub keyring: Option<PathBuf>,
    /// The id of the key to seal with (X-KM-Crypto-Key-Id).
    #[arg(long, value_name = "ID", requires = "keyring")]
    pub key_id: Option<CryptoKeyId>,
    /// An X.509 certificate (PEM or DER) to seal to with RSA-OAEP-256.
    #[arg(long, value_name = "FILE", conflicts_with = "public_key")]
    pub cert: Option<PathBuf>,
    /// A public key (SPKI, PEM or DER) to seal to with RSA-OAEP-256.
    #[arg(long, value_name = "FILE")]
    pub public_key: Option<PathBuf>,
    /// Content encryption: A128GCM (the default with RSA) or A256GCM.
    #[arg(long, value_name = "ENC")]
    pub enc: Option<ContentEncryption>,
    /// The largest JWE (and, for fields, document) to make: bytes, or with
    /// a KiB or MiB suffix (default 16MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<usize>,
}

/// Where opening keys come from: a keyring and the key it names, or one
/// RSA private key.
#[derive(Args, Debug)]
pub struct OpenKey {
    /// A key set file (JWK Set or JWK).
    #[arg(long, value_name = "FILE", conflicts_with = "private_key")]
    pub keyring: Option<PathBuf>,
    /// The key to open with (the X-KM-Crypto-Key-Id of the exchange); a
    /// JWE whose kid names another key is refused.
    #[arg(
        long,
        value_name = "ID",
        requires = "keyring",
        conflicts_with = "dangerous_kid_in_message"
    )]
    pub key_id: Option<CryptoKeyId>,
    /// Dangerous: pick the key by each JWE's own kid.
    #[arg(long, requires = "keyring")]
    pub dangerous_kid_in_message: bool,
    /// An RSA private key: PKCS#8 or PKCS#1 (PEM or DER), or PKCS#12.
    #[arg(long, value_name = "FILE")]
    pub private_key: Option<PathBuf>,
    /// An environment variable holding the PKCS#12 store's password.
    #[arg(long, value_name = "VAR", requires = "private_key")]
    pub key_password_env: Option<String>,
    /// The largest JWE (and, for fields, document) to read: bytes, or with
    /// a KiB or MiB suffix (default 16MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_size: Option<usize>,
}

/// A size in bytes, or with a `KiB` or `MiB` suffix.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => text.split_at(i),
        None => (text, ""),
    };
    let scale: usize = match unit {
        "" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        _ => return Err("expected bytes, or a number with KiB or MiB".into()),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| "expected a positive size that fits in memory".into())
}

#[derive(Subcommand, Debug)]
pub enum FieldsCommand {
    /// Replace each matched value by a JWE string.
    Encrypt {
        #[command(flatten)]
        key: SealKey,
        /// A field path ($.a.b, a[*].b, ['name'], [N]); repeat for more.
        #[arg(long = "field", value_name = "PATH", required = true)]
        fields: Vec<String>,
        /// Fail if a path matches nothing.
        #[arg(long)]
        strict: bool,
    },
    /// Replace each matched JWE string by its decrypted value.
    Decrypt {
        #[command(flatten)]
        key: OpenKey,
        /// A field path; repeat for more.
        #[arg(long = "field", value_name = "PATH", required = true)]
        fields: Vec<String>,
        /// Fail if a path matches nothing.
        #[arg(long)]
        strict: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum EnvelopeCommand {
    /// Seal the body on stdin.
    Seal {
        #[command(flatten)]
        key: SealKey,
    },
    /// Open the envelope on stdin; print the original body.
    Open {
        #[command(flatten)]
        key: OpenKey,
    },
}

#[derive(Args, Debug)]
pub struct CorrIdArgs {
    /// Time zone of the time digits: UTC, KST or NAME+HH:MM.
    #[arg(long, default_value = "KST")]
    pub zone: TimeZone,
    /// How many ids to print, one per line.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub count: u32,
    /// This instance's number in a fleet (0 to 15 with the default 4
    /// bits): it takes the top bits of the suffix, so instances with
    /// distinct numbers never make the same id.
    #[arg(long, value_name = "N")]
    pub instance: Option<u32>,
    /// Bits of the suffix the instance number takes (1 to 16; each
    /// instance then makes 2^(28-BITS) ids a second).
    #[arg(long, value_name = "BITS", default_value_t = 4, requires = "instance")]
    pub instance_bits: u32,
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
        zone: TimeZone,
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
        zone: TimeZone,
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
    pub asp_id: AspId,
    /// X-KM-Access-Key (40 characters).
    #[arg(long, value_name = "KEY")]
    pub access_key: AccessKey,
    /// X-KM-Crypto-Key-Id (32 characters), when the body is encrypted.
    #[arg(long, value_name = "ID")]
    pub crypto_key_id: Option<CryptoKeyId>,
    #[command(flatten)]
    pub secret: SecretSource,
    /// Request time yyyyMMddHHmmssSSS (default: now).
    #[arg(long, value_name = "T17")]
    pub time: Option<String>,
    /// Time zone of the request: UTC, KST or NAME+HH:MM.
    #[arg(long, default_value = "KST")]
    pub zone: TimeZone,
}

/// What both sides of an exchange need: the route table, the request line,
/// the keys and the secret.
#[derive(Args, Debug)]
pub struct ExchangeArgs {
    /// The route table (JSON).
    #[arg(long, value_name = "FILE")]
    pub routes: PathBuf,
    /// The request's method.
    #[arg(long, default_value = "POST")]
    pub method: String,
    /// The request's path.
    #[arg(long, value_name = "PATH")]
    pub path: String,
    /// A key set file (JWK Set or JWK).
    #[arg(long, value_name = "FILE")]
    pub keyring: PathBuf,
    #[command(flatten)]
    pub secret: SecretSource,
}

#[derive(Subcommand, Debug)]
pub enum ExchangeCommand {
    /// Client: sign (and protect) the body on stdin; print the request message.
    Prepare {
        #[command(flatten)]
        common: ExchangeArgs,
        /// X-KM-User-AspId (15 characters).
        #[arg(long, value_name = "ID")]
        asp_id: AspId,
        /// X-KM-Access-Key (40 characters).
        #[arg(long, value_name = "KEY")]
        access_key: AccessKey,
        /// X-KM-Crypto-Key-Id: the key that protects the bodies.
        #[arg(long, value_name = "ID")]
        key_id: Option<CryptoKeyId>,
    },
    /// Server: verify the request message on stdin; print its clear body.
    Accept {
        #[command(flatten)]
        common: ExchangeArgs,
        /// Accept only the 66-character token and an X-KM-Tran-Time that is
        /// the token's second exactly (by default the next second is
        /// accepted too: clients that read the clock twice send it).
        #[arg(long)]
        strict: bool,
    },
    /// Server: accept the request message in --request again, and print the
    /// response message for the body on stdin.
    Respond {
        #[command(flatten)]
        common: ExchangeArgs,
        /// As for `accept`.
        #[arg(long)]
        strict: bool,
        /// The request message, as received.
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
    },
    /// Client: check the response message on stdin against the request
    /// message in --request; print the clear body.
    Finish {
        #[command(flatten)]
        common: ExchangeArgs,
        /// The request message, as prepared.
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
    },
}
