//! Reading secrets and times from the command line's conventions.

use std::time::SystemTime;

use konaplate_crypto::{DateTime, ProjectSecret, TimeFormat, TimeZone};

use crate::args::SecretSource;
use crate::{Failure, fail};

/// The project secret from an environment variable or a file (the
/// library's rules: one trailing newline stripped, empty refused).
pub fn secret(source: &SecretSource) -> Result<ProjectSecret, Failure> {
    match (&source.secret_env, &source.secret_file) {
        (Some(var), None) => Ok(ProjectSecret::from_env(var)?),
        (None, Some(path)) => Ok(ProjectSecret::from_file(path)?),
        _ => Err(fail("give exactly one of --secret-env and --secret-file")),
    }
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
