//! What the server and client examples read at start: the keyring and the
//! route table (the shipped one unless a file is given).
#![allow(dead_code)]

use std::path::Path;

use konaplate_crypto::{Error, KeyFile, Result, RouteTable, SharedKeyring};

pub fn keys(path: &Path) -> Result<SharedKeyring> {
    Ok(SharedKeyring::new(
        KeyFile::read(path, None)?.into_keyring()?,
    ))
}

pub fn routes(path: Option<&Path>) -> Result<RouteTable> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidRoutes {
                reason: format!("cannot read {}: {e}", path.display()),
            })?;
            RouteTable::from_json(&text)
        }
        None => RouteTable::from_json(include_str!("../../routes/kona.json")),
    }
}
