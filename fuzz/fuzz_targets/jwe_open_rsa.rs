#![no_main]
//! JWE open with an RSA private key (the test key of `test-vectors/rsa`).
use konaplate_crypto::{KeyFile, KeyMaterial, Opener};
use libfuzzer_sys::fuzz_target;

static KEY: &[u8] = include_bytes!("../../test-vectors/rsa/client-private-pkcs8.pem");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = KeyFile::load(KEY, None)
        .and_then(KeyFile::into_private)
        .expect("the test key");
    let opener = Opener::with_key(KeyMaterial::RsaOpenWith(key));
    let _ = opener.open(text);
    let _ = opener.hazmat_allow_rsa_oaep_sha1().open(text);
});
