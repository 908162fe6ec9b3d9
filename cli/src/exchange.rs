//! `kmcrypt exchange`: the library's no-I/O exchange, with messages as
//! `Name: value` header lines, an empty line, then the body's exact bytes.

use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

use konaplate_crypto::{
    AcceptedForms, AcceptedRequest, Client, KeyFile, RequestHeaders, RouteTable, Server,
    SharedKeyring, TokenSigner, VerifyOptions,
};
use zeroize::Zeroizing;

use crate::args::{ExchangeArgs, ExchangeCommand};
use crate::{Failure, fail, input, read_stdin};

/// A message: its header lines and its body.
struct Message {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn parse(bytes: &[u8], what: &str) -> Result<Message, Failure> {
        let split = bytes
            .windows(2)
            .position(|w| w == b"\n\n")
            .ok_or_else(|| fail(format!("{what}: no empty line after the headers")))?;
        let (head, body) = bytes.split_at(split);
        let head = std::str::from_utf8(head)
            .map_err(|_| fail(format!("{what}: the header lines are not UTF-8")))?;
        let headers = head
            .lines()
            .map(|line| {
                let (name, value) = line
                    .split_once(':')
                    .ok_or_else(|| fail(format!("{what}: a header line has no ':'")))?;
                Ok((name.trim().to_owned(), value.trim().to_owned()))
            })
            .collect::<Result<Vec<_>, Failure>>()?;
        Ok(Message {
            headers,
            body: body.get(2..).unwrap_or_default().to_vec(),
        })
    }

    fn read(path: &Path, what: &str) -> Result<Message, Failure> {
        let bytes = std::fs::read(path)
            .map_err(|e| fail(format!("cannot read {what} {}: {e}", path.display())))?;
        Message::parse(&bytes, what)
    }

    fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

fn write_message<'a>(headers: impl Iterator<Item = (&'a str, &'a str)>, body: &[u8]) -> Vec<u8> {
    let mut head = String::new();
    for (name, value) in headers {
        let _ = writeln!(head, "{name}: {value}");
    }
    head.push('\n');
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The parts both sides load: signer, keys and routes.
fn load(args: &ExchangeArgs) -> Result<(TokenSigner, SharedKeyring, RouteTable), Failure> {
    let signer = TokenSigner::new(&input::secret(&args.secret)?);
    let keys = SharedKeyring::new(KeyFile::read(&args.keyring, None)?.into_keyring()?);
    let text = std::fs::read_to_string(&args.routes).map_err(|e| {
        fail(format!(
            "cannot read --routes {}: {e}",
            args.routes.display()
        ))
    })?;
    Ok((signer, keys, RouteTable::from_json(&text)?))
}

/// The server side's accept of `request`, and the server that accepted it.
fn accept(
    common: &ExchangeArgs,
    request: &Message,
    strict: bool,
    now: SystemTime,
) -> Result<(Server, AcceptedRequest), Failure> {
    let (signer, keys, routes) = load(common)?;
    let options = if strict {
        VerifyOptions::default()
            .with_forms(AcceptedForms::UnpaddedOnly)
            .with_exact_tran_time()
    } else {
        VerifyOptions::default()
    };
    let server = Server::new(signer, keys, routes)?.with_verify_options(options);
    let accepted = server.accept(
        &common.method,
        &common.path,
        request.pairs(),
        &request.body,
        now,
    )?;
    Ok((server, accepted))
}

pub fn run(cmd: ExchangeCommand) -> Result<Zeroizing<Vec<u8>>, Failure> {
    let now = SystemTime::now();
    match cmd {
        ExchangeCommand::Prepare {
            common,
            asp_id,
            access_key,
            key_id,
        } => {
            let (signer, keys, routes) = load(&common)?;
            let mut client = Client::new(asp_id, signer, keys, routes).access_key(access_key);
            if let Some(id) = key_id {
                client = client.crypto_key_id(id);
            }
            let body = Zeroizing::new(read_stdin()?);
            let request = client.prepare(&common.method, &common.path, &body, now)?;
            Ok(Zeroizing::new(write_message(
                request.header_pairs(),
                request.body(),
            )))
        }
        ExchangeCommand::Accept { common, strict } => {
            let request = Message::parse(&read_stdin()?, "the request on stdin")?;
            let (_, accepted) = accept(&common, &request, strict, now)?;
            Ok(Zeroizing::new(accepted.body().to_vec()))
        }
        ExchangeCommand::Respond {
            common,
            request,
            strict,
        } => {
            let request = Message::read(&request, "--request")?;
            let (server, accepted) = accept(&common, &request, strict, now)?;
            let body = Zeroizing::new(read_stdin()?);
            let response = server.respond(&accepted, &body)?;
            Ok(Zeroizing::new(write_message(
                response.header_pairs(),
                response.body(),
            )))
        }
        ExchangeCommand::Finish { common, request } => {
            let (signer, keys, routes) = load(&common)?;
            let request = Message::read(&request, "--request")?;
            let sent = RequestHeaders::parse(request.pairs(), &VerifyOptions::default())?;
            let client = Client::new(*sent.asp_id(), signer, keys, routes);
            let prepared =
                client.resume(&common.method, &common.path, request.pairs(), &request.body)?;
            let response = Message::parse(&read_stdin()?, "the response on stdin")?;
            Ok(client.finish(&prepared, response.pairs(), &response.body)?)
        }
    }
}
