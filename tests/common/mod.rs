//! Helpers shared by the integration tests: loading vector files, keys
//! named by a letter.
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
    let d = std::time::Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        std::time::UNIX_EPOCH + d
    } else {
        std::time::UNIX_EPOCH - d
    }
}

/// A "random" source that hands out fixed bytes, so a test can pin the IVs
/// (and content keys) a vector was made with. Marked as a CSPRNG only so the
/// sealing functions accept it: it is for reproducing vectors, nothing else.
pub struct FixedBytes {
    bytes: Vec<u8>,
    at: usize,
}

impl FixedBytes {
    pub fn new(bytes: Vec<u8>) -> FixedBytes {
        FixedBytes { bytes, at: 0 }
    }

    pub fn from_hex<S: AsRef<str>>(parts: &[S]) -> FixedBytes {
        FixedBytes::new(
            parts
                .iter()
                .flat_map(|p| hex::decode(p.as_ref()).unwrap())
                .collect(),
        )
    }

    /// Whether every byte was used.
    pub fn is_spent(&self) -> bool {
        self.at == self.bytes.len()
    }
}

impl rand::TryRng for FixedBytes {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let end = self.at + dst.len();
        assert!(
            end <= self.bytes.len(),
            "FixedBytes: asked for more bytes than the vector fixes"
        );
        dst.copy_from_slice(&self.bytes[self.at..end]);
        self.at = end;
        Ok(())
    }
}

impl rand::TryCryptoRng for FixedBytes {}

/// The key id of 32 `c`s.
pub fn kid(c: char) -> konaplate_crypto::CryptoKeyId {
    konaplate_crypto::CryptoKeyId::parse(&c.to_string().repeat(32)).unwrap()
}

/// A JWK Set of A256GCM keys, each's bytes its kid's letter repeated.
pub fn jwks(kids: &[char]) -> String {
    use base64::Engine as _;
    let keys: Vec<String> = kids
        .iter()
        .map(|c| {
            format!(
                r#"{{"kty":"oct","alg":"A256GCM","kid":"{}","k":"{}"}}"#,
                kid(*c),
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([*c as u8; 32])
            )
        })
        .collect();
    format!(r#"{{"keys":[{}]}}"#, keys.join(","))
}
