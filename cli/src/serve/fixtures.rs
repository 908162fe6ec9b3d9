//! The fixtures `kmcrypt serve` answers from: a file per route, cases
//! tried in order, the first whose `when` the clear request body contains
//! answering, else the default.
//!
//! ```json
//! {"method": "POST", "path": "/api/v1/card/delivery/cancel",
//!  "cases": [{"name": "non-member", "when": {"userId": 999}, "status": 400,
//!             "body": {"code": "001_006", "message": "Wallet user not found."}}],
//!  "default": {"status": 200, "body": {"code": "000_000", "message": "Success."}}}
//! ```
//!
//! `when` is matched against the clear body as JSON: an object matches an
//! object holding each of its members, each matching recursively; arrays
//! and scalars must be equal. On a route whose response is
//! `"envelope-or-plain"` every answer says `"protect": "envelope"` or
//! `"plain"`; elsewhere the route says, and an answer may not.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use konaplate_crypto::{ResponseChoice, ResponseProtection, RouteTable};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::{Failure, fail};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFixture {
    method: String,
    path: String,
    /// For readers of the file (where its cases come from).
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    cases: Vec<FileCase>,
    default: FileAnswer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCase {
    #[serde(default)]
    name: Option<String>,
    when: Value,
    status: u16,
    body: Box<RawValue>,
    #[serde(default)]
    protect: Option<Protect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAnswer {
    status: u16,
    body: Box<RawValue>,
    #[serde(default)]
    protect: Option<Protect>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Protect {
    Envelope,
    Plain,
}

/// One answer: its status, its body as the fixture writes it, and on an
/// envelope-or-plain route what it is sent as.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
    pub choice: Option<ResponseChoice>,
    /// The body's `code` member, if it has one (for the log).
    pub code: Option<String>,
}

#[derive(Debug)]
struct Case {
    name: String,
    when: Value,
    answer: Answer,
}

/// The fixture of one route.
#[derive(Debug)]
pub struct Fixture {
    file: String,
    cases: Vec<Case>,
    default: Answer,
}

/// Which answer a request got, for the log.
pub struct Chosen<'a> {
    pub answer: &'a Answer,
    pub what: String,
}

impl Fixture {
    /// The answer for `clear`, the request's clear body.
    pub fn answer(&self, clear: &[u8]) -> Chosen<'_> {
        let Ok(body) = serde_json::from_slice::<Value>(clear) else {
            return Chosen {
                answer: &self.default,
                what: format!(
                    "the default of {} (the body is not JSON, so no case can match)",
                    self.file
                ),
            };
        };
        match self
            .cases
            .iter()
            .enumerate()
            .find(|(_, case)| contains(&body, &case.when))
        {
            Some((i, case)) => Chosen {
                answer: &case.answer,
                what: format!("case {} ({}) of {}", i + 1, case.name, self.file),
            },
            None => Chosen {
                answer: &self.default,
                what: format!("the default of {} (no case matched)", self.file),
            },
        }
    }
}

/// Whether `have` holds `want`: objects member by member, recursively;
/// anything else equal.
fn contains(have: &Value, want: &Value) -> bool {
    match (have, want) {
        (Value::Object(have), Value::Object(want)) => want
            .iter()
            .all(|(name, w)| have.get(name).is_some_and(|h| contains(h, w))),
        _ => have == want,
    }
}

/// Every route's fixture, by method and template.
#[derive(Debug)]
pub struct Fixtures {
    by_route: HashMap<(String, String), Fixture>,
}

impl Fixtures {
    /// Loads every `*.json` in `dir` against `routes` (read from
    /// `routes_file`): a file that does not parse is refused with its line
    /// and column, one for no route of the table or a route another file
    /// has, or an answer that does not say what an envelope-or-plain route
    /// needs, with what is wrong.
    pub fn load(dir: &Path, routes: &RouteTable, routes_file: &Path) -> Result<Fixtures, Failure> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| fail(format!("cannot read --fixtures {}: {e}", dir.display())))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(fail(format!(
                "--fixtures {}: no *.json fixture file",
                dir.display()
            )));
        }
        let mut by_route = HashMap::new();
        for path in files {
            let (key, fixture) = load_file(&path, routes, routes_file)?;
            if let Some(other) = by_route.insert(key, fixture) {
                return Err(fail(format!(
                    "{}: a second fixture for the route of {}",
                    path.display(),
                    other.file
                )));
            }
        }
        Ok(Fixtures { by_route })
    }

    /// The fixture of the route `method` `template`, if one was given.
    pub fn get(&self, method: &str, template: &str) -> Option<&Fixture> {
        self.by_route.get(&(method.to_owned(), template.to_owned()))
    }
}

fn load_file(
    path: &Path,
    routes: &RouteTable,
    routes_file: &Path,
) -> Result<((String, String), Fixture), Failure> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("{name}: {e}")))?;
    let file: FileFixture = serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m);
        fail(format!(
            "{name}: line {}, column {}: {message}",
            e.line(),
            e.column()
        ))
    })?;
    let route = routes
        .iter()
        .find(|r| r.method() == file.method && r.template() == file.path)
        .ok_or_else(|| {
            fail(format!(
                "{name}: {} {} is not a route of {} (give the method and the path template as the table writes them)",
                file.method,
                file.path,
                routes_file.display()
            ))
        })?;
    let either = matches!(route.response(), ResponseProtection::EnvelopeOrPlain);
    let answer = |what: &str, status: u16, body: Box<RawValue>, protect: Option<Protect>| {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|_| (100..=599).contains(&status))
            .ok_or_else(|| {
                fail(format!(
                    "{name}: {what}: status {status} is not an HTTP status"
                ))
            })?;
        let choice = match (either, protect) {
            (true, Some(Protect::Envelope)) => Some(ResponseChoice::Envelope),
            (true, Some(Protect::Plain)) => Some(ResponseChoice::Plain),
            (true, None) => {
                return Err(fail(format!(
                    "{name}: {what} does not say \"protect\": \"envelope\" or \"plain\" (the response of {} {} is envelope-or-plain in the table)",
                    file.method, file.path
                )));
            }
            (false, Some(_)) => {
                return Err(fail(format!(
                    "{name}: {what} says \"protect\", but the table says how {} {} answers (\"protect\" is for envelope-or-plain routes)",
                    file.method, file.path
                )));
            }
            (false, None) => None,
        };
        let code = serde_json::from_str::<Value>(body.get())
            .ok()
            .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned));
        Ok(Answer {
            status,
            body: body.get().to_owned(),
            choice,
            code,
        })
    };
    let cases = file
        .cases
        .into_iter()
        .enumerate()
        .map(|(i, case)| {
            let label = case.name.unwrap_or_else(|| format!("case {}", i + 1));
            let what = format!("case {} ({label})", i + 1);
            Ok(Case {
                answer: answer(&what, case.status, case.body, case.protect)?,
                name: label,
                when: case.when,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    let default = answer(
        "the default",
        file.default.status,
        file.default.body,
        file.default.protect,
    )?;
    let file_name = path
        .file_name()
        .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned());
    Ok((
        (file.method, file.path),
        Fixture {
            file: file_name,
            cases,
            default,
        },
    ))
}
