//! Reading secrets, times and zones from the command line's conventions.

use std::time::SystemTime;

use konaplate_crypto::time::{DateTime, TimeFormat, TimeZone};
use konaplate_crypto::token::ProjectSecret;

use crate::args::SecretSource;
use crate::{Failure, fail};

/// The project secret from an environment variable or a file.
pub fn secret(source: &SecretSource) -> Result<ProjectSecret, Failure> {
    let bytes = match (&source.secret_env, &source.secret_file) {
        (Some(var), None) => env_bytes(var)?,
        (None, Some(path)) => {
            let mut bytes = std::fs::read(path)
                .map_err(|e| fail(format!("cannot read --secret-file {}: {e}", path.display())))?;
            if bytes.ends_with(b"\r\n") {
                bytes.truncate(bytes.len() - 2);
            } else if bytes.ends_with(b"\n") {
                bytes.truncate(bytes.len() - 1);
            }
            bytes
        }
        _ => return Err(fail("give exactly one of --secret-env and --secret-file")),
    };
    if bytes.is_empty() {
        return Err(fail("the project secret is empty"));
    }
    Ok(ProjectSecret::new(bytes))
}

#[cfg(unix)]
fn env_bytes(var: &str) -> Result<Vec<u8>, Failure> {
    use std::os::unix::ffi::OsStringExt;
    std::env::var_os(var)
        .map(OsStringExt::into_vec)
        .ok_or_else(|| fail(format!("environment variable {var} is not set")))
}

#[cfg(not(unix))]
fn env_bytes(var: &str) -> Result<Vec<u8>, Failure> {
    std::env::var(var).map(String::into_bytes).map_err(|_| {
        fail(format!(
            "environment variable {var} is not set or not UTF-8"
        ))
    })
}

/// A `--zone` value.
pub fn zone(text: &str) -> Result<TimeZone, Failure> {
    text.parse::<TimeZone>()
        .map_err(|e| fail(format!("--zone: {e}")))
}

/// A `yyyyMMddHHmmssSSS` option read in `zone`, as a calendar time and an instant;
/// the system clock when absent.
pub fn time_or_now(
    flag: &str,
    text: Option<&str>,
    zone: TimeZone,
) -> Result<(DateTime, SystemTime), Failure> {
    match text {
        Some(t) => {
            let dt = DateTime::parse(t, TimeFormat::Millis17)
                .map_err(|e| fail(format!("{flag}: {e}")))?;
            Ok((dt, dt.to_system_time(zone)))
        }
        None => {
            let now = SystemTime::now();
            Ok((DateTime::from_system_time(now, zone)?, now))
        }
    }
}
