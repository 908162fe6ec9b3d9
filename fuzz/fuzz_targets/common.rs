//! Keys and clocks shared by the targets (fixed, so runs reproduce).
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use konaplate_crypto::{
    ContentEncryption, CryptoKeyId, KeyEntry, KeyMaterial, Keyring, SymmetricKey,
};

/// 2022-11-08 12:08:14.608 KST, the guide's sample time.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_667_876_894_608)
}

pub fn kid(c: char) -> CryptoKeyId {
    CryptoKeyId::parse(&c.to_string().repeat(32)).expect("a key id")
}

/// Keys 'A' (A128GCM) and 'B' (A256GCM), as in `test-vectors/jwe-dir.json`'s shape.
pub fn keyring() -> Keyring {
    let entry = |c: char, enc: ContentEncryption, byte: u8| {
        let key = SymmetricKey::new(enc, &vec![byte; enc.key_len()], Some(&kid(c))).expect("a key");
        KeyEntry::new(kid(c), KeyMaterial::Symmetric(key)).expect("an entry")
    };
    Keyring::from_entries(vec![
        entry('A', ContentEncryption::A128Gcm, 1),
        entry('B', ContentEncryption::A256Gcm, 2),
    ])
    .expect("a keyring")
}
