#![no_main]
//! Structure-aware: random JSON documents (repeated member names included)
//! and path sets. Encrypt then decrypt restores the exact bytes; a document
//! refused as invalid JSON one way is refused the other way too.
mod common;
use arbitrary::Arbitrary;
use konaplate_crypto::{ErrorKind, Fields, KeySelection};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(Name, Json)>),
}

/// Member names from a small set, so paths hit them and repeats happen.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Name {
    Par,
    Card,
    A,
    Odd,
}

impl Name {
    fn text(self) -> &'static str {
        match self {
            Name::Par => "par",
            Name::Card => "mobileCardNo",
            Name::A => "a",
            Name::Odd => "o.d d",
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Segment {
    Name(Name),
    Index(u8),
    Wildcard,
}

fn write(v: &Json, out: &mut String, depth: u32) {
    match v {
        _ if depth > 40 => out.push_str("null"),
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Int(i) => out.push_str(&i.to_string()),
        Json::Str(s) => out.push_str(&serde_json::to_string(s).expect("a string")),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out, depth + 1);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(name.text()).expect("a name"));
                out.push(':');
                write(value, out, depth + 1);
            }
            out.push('}');
        }
    }
}

fn path(segments: &[Segment]) -> String {
    let mut p = String::from("$");
    for s in segments {
        match s {
            Segment::Name(n) => p.push_str(&format!("['{}']", n.text())),
            Segment::Index(i) => p.push_str(&format!("[{i}]")),
            Segment::Wildcard => p.push_str("[*]"),
        }
    }
    p
}

fuzz_target!(|input: (Json, Vec<Vec<Segment>>)| {
    let (doc, paths) = input;
    let mut text = String::new();
    write(&doc, &mut text, 0);
    let paths: Vec<String> = paths.iter().take(4).map(|p| path(p)).collect();
    let Ok(fields) = Fields::new(&paths) else {
        return;
    };
    let ring = common::keyring();
    let sealer = ring.sealer(&common::kid('B')).expect("a sealer");
    let opener = ring.opener(KeySelection::Named(common::kid('B')));
    match fields.encrypt(text.as_bytes(), &sealer) {
        Ok(sealed) => {
            let back = fields.decrypt(&sealed, &opener).expect("what seals opens");
            assert_eq!(std::str::from_utf8(&back).expect("UTF-8"), text);
        }
        Err(e) if e.kind() == ErrorKind::InvalidJson => {
            let other = fields
                .decrypt(text.as_bytes(), &opener)
                .expect_err("refused both ways");
            assert_eq!(other.kind(), ErrorKind::InvalidJson);
        }
        Err(_) => {}
    }
});
