#![no_main]
//! Route tables: never a panic; a loaded table finds each route by its own template.
use konaplate_crypto::RouteTable;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, String, String)| {
    let (json, method, path) = input;
    if let Ok(table) = RouteTable::from_json(&json) {
        let _ = table.find(&method, &path);
        for route in table.iter() {
            if !route.template().contains('{') {
                let found = table
                    .find(route.method(), route.template())
                    .expect("its own route");
                assert_eq!(found.route().template(), route.template());
            }
        }
    }
});
