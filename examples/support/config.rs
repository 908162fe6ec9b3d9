//! What the server and client examples read at start: the keyring and the
//! route table (the shipped one unless a file is given).
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use konaplate_crypto::{
    Error, ReplayGuard, ReplayStore, Result, RouteTable, SharedKeyring, VerifyOptions,
};

pub fn keys(path: &Path) -> Result<SharedKeyring> {
    SharedKeyring::from_file(path, None)
}

pub fn routes(path: Option<&Path>) -> Result<RouteTable> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidRoutes {
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            RouteTable::from_json(&text)
        }
        None => RouteTable::from_json(include_str!("../../routes/seed.json")),
    }
}

/// The replay store `spec` names: `memory` (this process, a million tokens
/// at most) or `redis://HOST:PORT[/DB]` (feature `redis`), waiting at most
/// `timeout` for it.
pub fn replay_store(spec: &str, timeout: Duration) -> Result<Arc<dyn ReplayStore>> {
    if spec == "memory" {
        // The guard's window is the verifier's: a token older than that
        // no longer verifies, so it need not be remembered.
        return Ok(Arc::new(ReplayGuard::new(
            1_000_000,
            VerifyOptions::default().max_skew,
        )?));
    }
    redis_store(spec, timeout)
}

#[cfg(feature = "redis")]
fn redis_store(spec: &str, timeout: Duration) -> Result<Arc<dyn ReplayStore>> {
    if !spec.starts_with("redis://") {
        return Err(Error::ReplayStoreUnavailable {
            reason: "--replay takes memory or redis://HOST:PORT[/DB]".into(),
        });
    }
    let options = konaplate_crypto::RedisOptions {
        timeout,
        ..konaplate_crypto::RedisOptions::default()
    };
    Ok(Arc::new(konaplate_crypto::RedisReplayStore::open_with(
        spec, options,
    )?))
}

#[cfg(not(feature = "redis"))]
fn redis_store(_: &str, _: Duration) -> Result<Arc<dyn ReplayStore>> {
    Err(Error::ReplayStoreUnavailable {
        reason: "--replay takes memory (redis://... needs the example built with --features redis)"
            .into(),
    })
}
