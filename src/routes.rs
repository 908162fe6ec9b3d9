//! Which API protects what, as data: a route table maps a method and a path
//! template to the protection of the request and of the response.
//!
//! ```json
//! {"routes": [
//!   {"method": "POST", "path": "/api/v1/card/delivery/cancel",
//!    "request": "plain",
//!    "response": {"fields": ["mobileCardNo", "par"], "strict": false}}
//! ]}
//! ```
//!
//! A request is `"plain"` or `"envelope"`; a response is `"plain"`,
//! `"envelope"`, `"envelope-or-plain"` (not known: see
//! [`ResponseProtection::EnvelopeOrPlain`]) or
//! `{"fields": [paths], "strict": bool}` (strict: a path that
//! matches nothing is an error rather than a clear response; the seed's
//! route says `false` because its error answers, `003_003` and the like,
//! carry no card fields). Two optional members, both `false` by default:
//! `"query": true` lets a request carry a query string (the token does not
//! cover it: a handler must treat it as unauthenticated), and
//! `"callback": true` marks a callback of the platform's, the only kind of
//! route a request without `X-KM-Access-Key` is accepted on.
//!
//! Templates are matched segment by segment: a literal segment matches
//! itself exactly, `{name}` binds any one non-empty segment. There are no
//! regular expressions and no prefixes: `/resource` never matches
//! `/resource1` or `/resource/1`. A query string (`?...`) is not part of the
//! path. Two routes of one method that could match the same path are
//! refused when the table loads, so at most one route matches a request.

use std::sync::Arc;

use serde::Deserialize;

use crate::error::{Error, Result, quoted};
use crate::fields::Fields;
use crate::json::{check_depth, json_error};

/// How a request body travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestProtection {
    /// As it is (signed, not encrypted).
    Plain,
    /// Sealed whole into `{"encData":"<JWE>"}`.
    Envelope,
}

/// How a response body travels.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ResponseProtection {
    /// As it is.
    Plain,
    /// Sealed whole into `{"encData":"<JWE>"}`.
    Envelope,
    /// The marked fields encrypted in place (strict or not, as the [`Fields`] say).
    Fields(Fields),
    /// Not known (`"envelope-or-plain"` in a table): the platform's
    /// documents do not say, and public clients open an `encData` envelope
    /// if the answer is one and take any other answer as it is. A
    /// [`Client`](crate::Client) does the same; a [`Server`](crate::Server)
    /// must be told what it sends: it refuses a table holding such a route
    /// unless the table is [`RouteTable::chosen_per_answer`], and then each
    /// answer on the route says ([`Server::respond_as`](crate::Server::respond_as)).
    EnvelopeOrPlain,
}

/// What a server sends on a route whose response is
/// [`ResponseProtection::EnvelopeOrPlain`]: the answer's own choice.
/// (With the `tower` feature, a handler behind the layer puts one in its
/// response's extensions.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseChoice {
    /// Sealed whole into `{"encData":"<JWE>"}`.
    Envelope,
    /// As it is.
    Plain,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// One route: a method, a path template and what protects each direction.
#[derive(Clone, Debug)]
pub struct Route {
    method: String,
    template: String,
    segments: Vec<Segment>,
    request: RequestProtection,
    response: ResponseProtection,
    query: bool,
    callback: bool,
}

impl Route {
    /// A route for `method` (upper-case letters, as HTTP spells them) and
    /// `template` (`/a/{id}/b`).
    pub fn new(
        method: &str,
        template: &str,
        request: RequestProtection,
        response: ResponseProtection,
    ) -> Result<Route> {
        let invalid = |reason: String| Error::InvalidRoutes {
            reason: format!("{} {}: {reason}", quoted(method), quoted(template)),
        };
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid("the method is not upper-case letters".into()));
        }
        let segments = split(template)
            .ok_or_else(|| invalid("a template starts with '/'".into()))?
            .map(|s| parse_segment(s).map_err(invalid))
            .collect::<Result<Vec<_>>>()?;
        let mut names: Vec<&str> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(name) => Some(name.as_str()),
                Segment::Literal(_) => None,
            })
            .collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(invalid("a parameter name is used twice".into()));
        }
        Ok(Route {
            method: method.to_owned(),
            template: template.to_owned(),
            segments,
            request,
            response,
            query: false,
            callback: false,
        })
    }

    /// Lets requests on this route carry a query string. Off by default,
    /// and a request with one is [`Error::QueryNotAllowed`]: the token
    /// covers the body only, so nothing authenticates a query.
    #[must_use]
    pub fn with_query(mut self) -> Route {
        self.query = true;
        self
    }

    /// Makes this route a callback of the platform's: a request without
    /// `X-KM-Access-Key` is taken as the platform's own and, naming no key,
    /// uses the first-issued key. On other routes a missing access key is
    /// [`Error::MissingHeader`].
    #[must_use]
    pub fn as_callback(mut self) -> Route {
        self.callback = true;
        self
    }

    /// Whether requests may carry a query string.
    pub fn takes_query(&self) -> bool {
        self.query
    }

    /// Whether this route is a callback of the platform's.
    pub fn is_callback(&self) -> bool {
        self.callback
    }

    /// The method.
    pub fn method(&self) -> &str {
        &self.method
    }
    /// The path template as written.
    pub fn template(&self) -> &str {
        &self.template
    }
    /// How the request body travels.
    pub fn request(&self) -> RequestProtection {
        self.request
    }
    /// How the response body travels.
    pub fn response(&self) -> &ResponseProtection {
        &self.response
    }
    /// Whether either direction needs a key (`X-KM-Crypto-Key-Id`).
    pub fn needs_key(&self) -> bool {
        self.request != RequestProtection::Plain
            || !matches!(self.response, ResponseProtection::Plain)
    }

    /// The parameters bound if this route matches `segments`.
    fn bind(&self, method: &str, segments: &[&str]) -> Option<Vec<(String, String)>> {
        if self.method != method || self.segments.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (template, actual) in self.segments.iter().zip(segments) {
            match template {
                Segment::Literal(text) if text == actual => {}
                Segment::Param(name) if !actual.is_empty() => {
                    params.push((name.clone(), (*actual).to_owned()));
                }
                _ => return None,
            }
        }
        Some(params)
    }

    /// Whether the two templates are the same but for parameter names.
    fn duplicates(&self, other: &Route) -> bool {
        self.aligns(other, false)
    }

    /// Whether some path would match both routes.
    fn overlaps(&self, other: &Route) -> bool {
        self.aligns(other, true)
    }

    /// Same method, same length, and segment by segment equal literals or
    /// two parameters; a parameter facing a literal counts if `loose`.
    fn aligns(&self, other: &Route, loose: bool) -> bool {
        self.method == other.method
            && self.segments.len() == other.segments.len()
            && self
                .segments
                .iter()
                .zip(&other.segments)
                .all(|pair| match pair {
                    (Segment::Literal(a), Segment::Literal(b)) => a == b,
                    (Segment::Param(_), Segment::Param(_)) => true,
                    _ => loose,
                })
    }
}

/// The segments of a path or template after its leading `/` (none for `/`).
fn split(path: &str) -> Option<impl Iterator<Item = &str>> {
    let rest = path.strip_prefix('/')?;
    let mut parts = rest.split('/');
    if rest.is_empty() {
        parts.next();
    }
    Some(parts)
}

fn parse_segment(text: &str) -> Result<Segment, String> {
    if let Some(name) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!(
                "'{{{}}}' is not a parameter (letters, digits, '_')",
                quoted(name)
            ));
        }
        return Ok(Segment::Param(name.to_owned()));
    }
    if text.is_empty() {
        return Err("an empty segment ('//' or a trailing '/')".into());
    }
    if text.contains(['{', '}', '?', '#']) {
        return Err(format!(
            "segment '{}' mixes text and braces, or holds '?' or '#'",
            quoted(text)
        ));
    }
    Ok(Segment::Literal(text.to_owned()))
}

/// A route that matched a request, with the parameters its template bound.
#[derive(Clone, Debug)]
pub struct RouteMatch {
    route: Arc<Route>,
    params: Vec<(String, String)>,
}

impl RouteMatch {
    /// The route.
    pub fn route(&self) -> &Route {
        &self.route
    }
    /// The value bound to `{name}`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    /// Every bound parameter, in template order.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }
}

/// A set of routes, no two of which can match the same request. Cheap to
/// clone.
///
/// ```
/// use konaplate_crypto::{ErrorKind, RouteTable};
///
/// let routes = RouteTable::from_json(r#"{"routes": [
///     {"method": "POST", "path": "/api/v1/card/delivery/cancel", "request": "plain",
///      "response": {"fields": ["mobileCardNo", "par"], "strict": false}},
///     {"method": "GET", "path": "/api/v1/cards/{cardId}", "request": "plain", "response": "envelope"}
/// ]}"#)?;
/// let found = routes.find("GET", "/api/v1/cards/42?verbose=1")?;
/// assert_eq!(found.param("cardId"), Some("42"));
/// assert_eq!(routes.find("GET", "/api/v1/cards/42/x").unwrap_err().kind(), ErrorKind::RouteNotFound);
/// # Ok::<(), konaplate_crypto::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RouteTable {
    routes: Arc<[Arc<Route>]>,
    /// Whether a server's answers on envelope-or-plain routes say what they are.
    chosen_per_answer: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTable {
    routes: Vec<FileRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    method: String,
    path: String,
    request: FileProtection,
    response: FileProtection,
    #[serde(default)]
    query: bool,
    #[serde(default)]
    callback: bool,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileProtection {
    Named(String),
    Fields(FileFields),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileFields {
    fields: Vec<String>,
    strict: bool,
}

impl RouteTable {
    /// A table of `routes`; two that could match the same request are refused.
    pub fn new(routes: Vec<Route>) -> Result<RouteTable> {
        for (i, route) in routes.iter().enumerate() {
            let earlier = routes.get(..i).unwrap_or_default();
            if let Some((j, other)) = earlier.iter().enumerate().find(|(_, o)| o.overlaps(route)) {
                let same = other.duplicates(route);
                let what = if same {
                    "a duplicate of"
                } else {
                    "ambiguous with"
                };
                return Err(Error::InvalidRoutes {
                    reason: format!(
                        "route {i} ({} {}) is {what} route {j} ({} {})",
                        quoted(&route.method),
                        quoted(&route.template),
                        quoted(&other.method),
                        quoted(&other.template)
                    ),
                });
            }
        }
        Ok(RouteTable {
            routes: routes.into_iter().map(Arc::new).collect(),
            chosen_per_answer: false,
        })
    }

    /// Lets a [`Server`](crate::Server) load this table although it holds
    /// routes whose response is [`ResponseProtection::EnvelopeOrPlain`]:
    /// each answer on one says what it is, with
    /// [`Server::respond_as`](crate::Server::respond_as) (a local stand-in
    /// for the platform answers as its fixture says). Without it such a
    /// table is refused, naming the route.
    #[must_use]
    pub fn chosen_per_answer(mut self) -> RouteTable {
        self.chosen_per_answer = true;
        self
    }

    /// Whether [`RouteTable::chosen_per_answer`] was called.
    pub fn is_chosen_per_answer(&self) -> bool {
        self.chosen_per_answer
    }

    /// Refuses what a server cannot send: a route whose response is
    /// envelope-or-plain, unless the answers say.
    pub(crate) fn check_for_server(&self) -> Result<()> {
        if self.chosen_per_answer {
            return Ok(());
        }
        match self
            .iter()
            .enumerate()
            .find(|(_, r)| matches!(r.response, ResponseProtection::EnvelopeOrPlain))
        {
            Some((i, route)) => Err(Error::InvalidRoutes {
                reason: format!(
                    "route {i} ({} {}): the response is \"envelope-or-plain\", which a client reads but a server cannot send; say \"plain\", \"envelope\" or the fields, or let each answer say (RouteTable::chosen_per_answer)",
                    quoted(&route.method),
                    quoted(&route.template)
                ),
            }),
            None => Ok(()),
        }
    }

    /// Loads a route table from its JSON text (the format above).
    pub fn from_json(json: &str) -> Result<RouteTable> {
        check_depth(json)?;
        let file: FileTable = serde_json::from_str(json).map_err(|e| Error::InvalidRoutes {
            reason: match json_error(&e) {
                Error::InvalidJson { reason } => format!("not a route table ({reason})"),
                other => other.to_string(),
            },
        })?;
        let routes = file
            .routes
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let context = |e: Error| match e {
                    Error::InvalidRoutes { reason } => Error::InvalidRoutes {
                        reason: format!("route {i}: {reason}"),
                    },
                    Error::InvalidFieldPath { path, reason } => Error::InvalidRoutes {
                        reason: format!("route {i}: field path '{path}': {reason}"),
                    },
                    other => other,
                };
                let request = match r.request {
                    FileProtection::Named(name) if name == "plain" => RequestProtection::Plain,
                    FileProtection::Named(name) if name == "envelope" => {
                        RequestProtection::Envelope
                    }
                    _ => {
                        return Err(context(Error::InvalidRoutes {
                            reason: "request is \"plain\" or \"envelope\"".into(),
                        }));
                    }
                };
                let response = match r.response {
                    FileProtection::Named(name) if name == "plain" => ResponseProtection::Plain,
                    FileProtection::Named(name) if name == "envelope" => {
                        ResponseProtection::Envelope
                    }
                    FileProtection::Named(name) if name == "envelope-or-plain" => {
                        ResponseProtection::EnvelopeOrPlain
                    }
                    FileProtection::Named(_) => {
                        return Err(context(Error::InvalidRoutes {
                            reason: "response is \"plain\", \"envelope\", \"envelope-or-plain\" or {\"fields\": [...], \"strict\": bool}".into(),
                        }));
                    }
                    FileProtection::Fields(f) => {
                        let fields = Fields::new(&f.fields).map_err(context)?;
                        ResponseProtection::Fields(if f.strict { fields.strict() } else { fields })
                    }
                };
                let mut route = Route::new(&r.method, &r.path, request, response).map_err(context)?;
                if r.query {
                    route = route.with_query();
                }
                if r.callback {
                    route = route.as_callback();
                }
                Ok(route)
            })
            .collect::<Result<Vec<_>>>()?;
        RouteTable::new(routes)
    }

    /// The route for `method` and `path` (a query string is not matched;
    /// whether the route takes one is [`Route::takes_query`]), with the
    /// parameters its template binds.
    pub fn find(&self, method: &str, path: &str) -> Result<RouteMatch> {
        let not_found = || Error::RouteNotFound {
            method: quoted(method),
            path: quoted(path),
        };
        let bare = path.split_once('?').map_or(path, |(p, _)| p);
        let segments: Vec<&str> = split(bare).ok_or_else(not_found)?.collect();
        self.routes
            .iter()
            .find_map(|route| {
                route.bind(method, &segments).map(|params| RouteMatch {
                    route: route.clone(),
                    params,
                })
            })
            .ok_or_else(not_found)
    }

    /// Every route, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.routes.iter().map(|r| r.as_ref())
    }
}
