//! Helpers shared by the integration tests: loading vector files.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::SystemTime;

use serde::de::DeserializeOwned;

/// Reads `test-vectors/<name>` and returns its `cases`.
pub fn vectors<T: DeserializeOwned>(name: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    serde_json::from_value(doc["cases"].clone())
        .unwrap_or_else(|e| panic!("{}: unexpected shape: {e}", path.display()))
}

/// The instant `ms` milliseconds after the Unix epoch (negative: before).
pub fn at_ms(ms: i64) -> SystemTime {
    konaplate_crypto::time::system_time(ms)
}
