//! `kmcrypt`: the command-line front end of `konaplate-crypto`.
//!
//! Conventions: bodies come raw from stdin and results go to stdout. Secrets
//! never come from argv. On success the exit code is 0; on any failure it is
//! 1, with one line on stderr and nothing on stdout.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

mod args;
mod commands;
mod demo;
mod exchange;
mod input;
mod keys;
#[cfg(feature = "serve")]
mod serve;

/// A failure of the CLI: one line for stderr.
#[derive(Debug)]
pub struct Failure(String);

impl<E: std::error::Error> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

/// Builds a [`Failure`] from a message.
pub fn fail(msg: impl Into<String>) -> Failure {
    Failure(msg.into())
}

fn main() -> ExitCode {
    let matches = match args::Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return clap_exit(e),
    };
    let cli = match args::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_exit(e),
    };
    match commands::run(cli) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
                return report(&format!("cannot write to stdout: {e}"));
            }
            ExitCode::SUCCESS
        }
        Err(Failure(msg)) => report(&msg),
    }
}

/// Help and version go to stdout with exit 0; usage errors become one line.
fn clap_exit(e: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            report("a subcommand is required (see 'kmcrypt --help')")
        }
        _ => {
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more"))
                .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
                .collect();
            let first = first.join(" ");
            report(first.trim_start_matches("error: "))
        }
    }
}

#[allow(clippy::print_stderr)]
fn report(msg: &str) -> ExitCode {
    let line: String = msg
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    eprintln!("kmcrypt: {line}");
    ExitCode::from(1)
}

/// Reads all of stdin, byte for byte.
pub fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut body)
        .map_err(|e| fail(format!("cannot read stdin: {e}")))?;
    Ok(body)
}
