//! `kmcrypt serve`: a local stand-in for the platform. Every request goes
//! through the library's tower layer (the checks of `Server::accept`, the
//! route's protection both ways) to a handler that answers from fixtures;
//! around both, a middleware keeps the request as received and writes one
//! log line per request, explaining each refusal ([`Server::explain`]).
//!
//! Unlike the layer alone, the stand-in reads a body (up to `--max-body`)
//! before the head is checked: an explanation of a MAC needs it. It is a
//! tool for a laptop and CI, not an endpoint to expose.

mod fixtures;

use std::io::Write as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use konaplate_crypto::{
    CorrelationId, Error, Refusal, ResponseChoice, ResponseProtection, RouteTable, Server,
    ServerLayer, SharedKeyring, Tenants, TokenSigner, Verified, VerifyOptions, error_response,
};
use serde_json::{Value, json};
use zeroize::Zeroizing;

use crate::args::{LogFormat, SecretSource, ServeArgs};
use crate::{Failure, fail, input};
use fixtures::Fixtures;

/// What the middleware and the handler share.
struct Stand {
    server: Server,
    fixtures: Fixtures,
    format: LogFormat,
    explain_in_body: bool,
    max_body: usize,
}

/// What the handler answered, for the log line.
#[derive(Clone)]
struct Answered {
    route: String,
    code: String,
    what: String,
}

/// Loads everything (a mistake in any file fails here, naming it), then
/// serves until killed.
pub fn run(args: &ServeArgs) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let text = std::fs::read_to_string(&args.routes).map_err(|e| {
        fail(format!(
            "cannot read --routes {}: {e}",
            args.routes.display()
        ))
    })?;
    let routes = RouteTable::from_json(&text)
        .map_err(|e| fail(format!("--routes {}: {e}", args.routes.display())))?
        .chosen_per_answer();
    let fixtures = Fixtures::load(&args.fixtures, &routes, &args.routes)?;
    let server = match (&args.tenants, &args.keyring) {
        (Some(file), _) => Server::from_tenants(Tenants::from_file(file)?, routes)?,
        (None, Some(keyring)) => {
            let secret = input::secret(&SecretSource {
                secret_env: args.secret_env.clone(),
                secret_file: args.secret_file.clone(),
            })?;
            Server::new(
                TokenSigner::new(&secret),
                SharedKeyring::from_file(keyring, None)?,
                routes,
            )?
        }
        (None, None) => return Err(fail("give --tenants FILE, or --keyring FILE with a secret")),
    };
    let server = server.with_verify_options(
        VerifyOptions::default().with_max_skew(Duration::from_secs(args.max_skew)),
    );
    let stand = Arc::new(Stand {
        server: server.clone(),
        fixtures,
        format: args.log_format,
        explain_in_body: args.explain_in_body,
        max_body: args.max_body,
    });
    let app = Router::new()
        .fallback(answer)
        .with_state(stand.clone())
        .layer(ServerLayer::new(server).max_body(args.max_body))
        .layer(from_fn_with_state(stand, explain));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| fail(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .map_err(|e| fail(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| fail(format!("no local address: {e}")))?;
        announce(&format!("http://{addr}\n"))?;
        axum::serve(listener, app)
            .await
            .map_err(|e| fail(format!("serving failed: {e}")))
    })?;
    Ok(Zeroizing::new(Vec::new()))
}

/// The address line, on stdout before anything is served.
fn announce(line: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    out.write_all(line.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| fail(format!("cannot write to stdout: {e}")))
}

/// The handler behind the layer: the route's fixture answers (the layer
/// protects the answer as the route says, or as the fixture says on an
/// envelope-or-plain route).
async fn answer(
    State(stand): State<Arc<Stand>>,
    Extension(verified): Extension<Verified>,
    body: Bytes,
) -> Response {
    let route = verified.route().route();
    let label = format!("{} {}", route.method(), route.template());
    let either = matches!(route.response(), ResponseProtection::EnvelopeOrPlain);
    let Some(fixture) = stand.fixtures.get(route.method(), route.template()) else {
        let mut response = json_response(
            StatusCode::NOT_IMPLEMENTED,
            json!({"code": "no_fixture", "message": format!("this stand-in holds no fixture for {label}")})
                .to_string(),
        );
        if either {
            response.extensions_mut().insert(ResponseChoice::Plain);
        }
        response.extensions_mut().insert(Answered {
            what: format!("no fixture for {label}: answered 501 no_fixture"),
            route: label,
            code: "no_fixture".into(),
        });
        return response;
    };
    let chosen = fixture.answer(&body);
    let mut response = json_response(chosen.answer.status, chosen.answer.body.clone());
    if let Some(choice) = chosen.answer.choice {
        response.extensions_mut().insert(choice);
    }
    let sent = match chosen.answer.choice {
        Some(ResponseChoice::Envelope) => ", sealed in an envelope",
        Some(_) => ", plain",
        None => "",
    };
    response.extensions_mut().insert(Answered {
        route: label,
        code: chosen.answer.code.clone().unwrap_or_else(|| "-".into()),
        what: format!("accepted; answered {}{sent}", chosen.what),
    });
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

/// Around the layer: keeps the request as received, and after the answer
/// writes its log line (with the refusal explained).
async fn explain(State(stand): State<Arc<Stand>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let seen = Seen {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        correlation_id: correlation_id(&parts.headers),
    };
    let (method, uri, headers) = (
        parts.method.clone(),
        parts.uri.clone(),
        parts.headers.clone(),
    );
    let Ok(received) = axum::body::to_bytes(body, stand.max_body).await else {
        let error = Error::TooLarge {
            what: "request body",
            limit: stand.max_body,
        };
        let (status, body) = error_response(&error);
        let explanation = format!(
            "refused: the body is longer than --max-body ({} bytes), or ended early",
            stand.max_body
        );
        stand.log(&seen, "-", status.as_u16(), error.code(), &explanation);
        return json_response(status, String::from_utf8_lossy(&body).into_owned());
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(received.clone())))
        .await;
    let status = response.status().as_u16();
    let Some(refusal) = response.extensions().get::<Refusal>().cloned() else {
        let (route, code, what) = response
            .extensions()
            .get::<Answered>()
            .cloned()
            .map_or_else(
                || {
                    (
                        "-".into(),
                        "-".into(),
                        "answered without the fixtures".into(),
                    )
                },
                |a| (a.route, a.code, a.what),
            );
        stand.log(&seen, &route, status, &code, &what);
        return response;
    };
    let error = refusal.error();
    let route = stand
        .server
        .routes()
        .find(&seen.method, &seen.path)
        .map_or_else(
            |_| "-".to_owned(),
            |m| format!("{} {}", m.route().method(), m.route().template()),
        );
    let explanation = if refusal.handler_ran() {
        format!("accepted, but the answer could not be protected as the route says: {error}")
    } else {
        let refused =
            stand
                .server
                .explain_http(&method, &uri, &headers, &received, SystemTime::now(), error);
        format!("refused: {refused}")
    };
    stand.log(&seen, &route, status, error.code(), &explanation);
    if stand.explain_in_body && !refusal.handler_ran() {
        return with_explanation(response, &explanation).await;
    }
    response
}

/// A refusal's answer with `"explanation"` added (`--explain-in-body`).
async fn with_explanation(response: Response, explanation: &str) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut value: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| json!({}));
    if let Some(object) = value.as_object_mut() {
        object.insert("explanation".into(), Value::String(explanation.to_owned()));
    }
    let mut parts = parts;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(value.to_string()))
}

/// The request's correlation id for the log: `-` when absent, `(invalid)`
/// when it is not one (so nothing a client sends is copied into the log
/// unchecked).
fn correlation_id(headers: &HeaderMap) -> String {
    match headers.get("x-km-correlation-id") {
        None => "-".into(),
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| CorrelationId::parse(v.trim()).ok())
            .map_or_else(|| "(invalid)".into(), |id| id.to_string()),
    }
}

/// What every log line says of its request.
struct Seen {
    method: String,
    path: String,
    correlation_id: String,
}

impl Stand {
    /// Writes the request's line on stderr, as text or JSON.
    fn log(&self, seen: &Seen, route: &str, status: u16, code: &str, explanation: &str) {
        let text = match self.format {
            LogFormat::Json => json!({
                "method": seen.method,
                "path": seen.path,
                "route": route,
                "correlation_id": seen.correlation_id,
                "status": status,
                "code": code,
                "explanation": explanation,
            })
            .to_string(),
            LogFormat::Text => format!(
                "{} {} -> {status} {code} (route {route}, correlation id {}): {explanation}",
                seen.method, seen.path, seen.correlation_id
            ),
        };
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}
