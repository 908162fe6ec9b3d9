//! The committed C header is the one cbindgen makes from the sources now:
//! CI fails when a change to the ABI is not in `include/konaplate.h`.
//! `KM_BLESS=1` writes the regenerated header instead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn the_committed_header_is_the_generated_one() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).unwrap();
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen reads bindings/c/src")
        .write(&mut generated);
    let path = dir.join("include/konaplate.h");
    if std::env::var_os("KM_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "bindings/c/include/konaplate.h differs from what cbindgen makes of bindings/c/src now; \
         run `KM_BLESS=1 cargo test -p konaplate-crypto-ffi --test header` and commit it"
    );
}
