//! Node-API link arguments for the addon.

fn main() {
    napi_build::setup();
}
