//! The no-I/O exchange over the seed flow: client prepare, server accept,
//! server respond, client finish; tampering at each step refused by kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, SystemTime};

use konaplate_crypto::{
    AcceptedRequest, AccessKey, AspId, Client, ContentEncryption, CryptoKeyId, Error, ErrorKind,
    HeaderName, KeyEntry, Keyring, PreparedRequest, ProjectSecret, RouteTable, Server,
    SharedKeyring, TokenSigner, generate_jwks,
};

const CANCEL: &str = "/api/v1/card/delivery/cancel";
const BODY: &[u8] = br#"{"cardApplyNo":"2022110812081460812345","userId":1234567890}"#;
const RESPONSE: &[u8] = br#"{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234","par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}"#;
const NOT_CANCELABLE: &[u8] = br#"{"code":"003_003","message":"Not cancelable (status)."}"#;

fn kid(c: char) -> CryptoKeyId {
    CryptoKeyId::parse(&c.to_string().repeat(32)).unwrap()
}

fn ring(ids: &[char]) -> Keyring {
    let entries: Vec<KeyEntry> = ids
        .iter()
        .flat_map(|c| {
            Keyring::from_jwks(&generate_jwks(&kid(*c), ContentEncryption::A256Gcm))
                .unwrap()
                .iter()
                .cloned()
                .collect::<Vec<_>>()
        })
        .collect();
    Keyring::from_entries(entries).unwrap()
}

fn routes_json() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/seed.json")).unwrap()
}

fn routes() -> RouteTable {
    RouteTable::from_json(&routes_json()).unwrap()
}

/// `json`'s routes, each marked a callback of the platform's.
fn as_callbacks(json: &str) -> RouteTable {
    RouteTable::from_json(&json.replace(r#""request""#, r#""callback":true,"request""#)).unwrap()
}

/// A route table with an enveloped request and response besides the seed.
fn routes_with_envelope_json() -> String {
    format!(
        r#"{{"routes":[
            {{"method":"POST","path":"{CANCEL}","request":"plain",
              "response":{{"fields":["mobileCardNo","par"],"strict":false}}}},
            {{"method":"POST","path":"/api/v1/cards/{{cardId}}/pan","request":"envelope","response":"envelope"}}
        ]}}"#
    )
}

fn routes_with_envelope() -> RouteTable {
    RouteTable::from_json(&routes_with_envelope_json()).unwrap()
}

struct Sides {
    client: Client,
    server: Server,
    server_keys: SharedKeyring,
}

/// The client holds key 'a'; the server holds 'a' and another tenant's 'b'.
fn sides(routes: RouteTable) -> Sides {
    let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
    let server_ring = ring(&['a', 'b']);
    let client_ring =
        Keyring::from_entries(vec![server_ring.get(&kid('a')).unwrap().clone()]).unwrap();
    let server_keys = SharedKeyring::new(server_ring);
    Sides {
        client: Client::new(
            AspId::parse("000170000002000").unwrap(),
            signer.clone(),
            SharedKeyring::new(client_ring),
            routes.clone(),
        )
        .access_key(AccessKey::parse(&"K".repeat(40)).unwrap())
        .crypto_key_id(kid('a')),
        server: Server::new(signer, server_keys.clone(), routes).unwrap(),
        server_keys,
    }
}

/// The seed request, prepared by the client and accepted by the server.
fn seed_request(s: &Sides, now: SystemTime) -> (PreparedRequest, AcceptedRequest) {
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    let accepted = s
        .server
        .accept("POST", CANCEL, request.header_pairs(), BODY, now)
        .unwrap();
    (request, accepted)
}

fn pairs(v: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    v.iter().map(|(n, v)| (n.as_str(), v.as_str()))
}

fn owned<'a>(it: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    it.map(|(n, v)| (n.to_owned(), v.to_owned())).collect()
}

fn set(headers: &mut [(String, String)], name: HeaderName, value: &str) {
    let slot = headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.as_str()))
        .unwrap();
    slot.1 = value.to_owned();
}

#[test]
fn the_seed_flow_round_trips() {
    let s = sides(routes());
    let now = SystemTime::now();
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    // A plain request: the body goes as it is, signed.
    assert_eq!(request.body(), BODY);
    assert_eq!(request.headers().crypto_key_id(), Some(&kid('a')));
    let accepted = s
        .server
        .accept("POST", CANCEL, request.header_pairs(), request.body(), now)
        .unwrap();
    assert_eq!(accepted.body(), BODY);
    assert_eq!(accepted.key_id(), Some(&kid('a')));
    assert_eq!(
        accepted.headers().correlation_id(),
        request.headers().correlation_id()
    );

    let response = s.server.respond(&accepted, RESPONSE).unwrap();
    let headers = owned(response.header_pairs());
    assert_eq!(
        headers,
        [
            (
                "X-KM-Correlation-Id".to_owned(),
                request.headers().correlation_id().to_string()
            ),
            ("X-KM-Crypto-Key-Id".to_owned(), kid('a').to_string()),
        ]
    );
    let wire = std::str::from_utf8(response.body()).unwrap();
    assert!(
        !wire.contains("9410123412341234") && !wire.contains("Q1J4AwSW"),
        "{wire}"
    );
    assert!(wire.starts_with(r#"{"code":"000_000","message":"Success.","mobileCardNo":"eyJ"#));

    let clear = s
        .client
        .finish(&request, pairs(&headers), response.body())
        .unwrap();
    assert_eq!(&clear[..], RESPONSE);

    // An answer without the marked fields (003_003) passes as it is: the
    // seed's route is not strict.
    let response = s.server.respond(&accepted, NOT_CANCELABLE).unwrap();
    assert_eq!(response.body(), NOT_CANCELABLE);
    let clear = s
        .client
        .finish(&request, response.header_pairs(), response.body())
        .unwrap();
    assert_eq!(&clear[..], NOT_CANCELABLE);
}

#[test]
fn enveloped_routes_round_trip_and_bind_parameters() {
    let s = sides(routes_with_envelope());
    let now = SystemTime::now();
    let path = "/api/v1/cards/7/pan";
    let request = s
        .client
        .prepare("POST", path, br#"{"pin":"1234"}"#, now)
        .unwrap();
    assert!(request.body().starts_with(br#"{"encData":"eyJ"#));
    let accepted = s
        .server
        .accept("POST", path, request.header_pairs(), request.body(), now)
        .unwrap();
    assert_eq!(accepted.body(), br#"{"pin":"1234"}"#);
    assert_eq!(accepted.route().param("cardId"), Some("7"));
    let response = s.server.respond(&accepted, br#"{"pan":"9410"}"#).unwrap();
    assert!(response.body().starts_with(br#"{"encData":"eyJ"#));
    let clear = s
        .client
        .finish(&request, response.header_pairs(), response.body())
        .unwrap();
    assert_eq!(&clear[..], br#"{"pan":"9410"}"#);
}

#[test]
fn tampering_with_the_request_is_refused() {
    let s = sides(routes_with_envelope());
    let now = SystemTime::now();
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    let headers = owned(request.header_pairs());
    let accept = |h: &[(String, String)], body: &[u8]| {
        s.server
            .accept("POST", CANCEL, pairs(h), body, now)
            .unwrap_err()
            .kind()
    };
    // A changed body byte.
    let mut body = BODY.to_vec();
    let last = body.len() - 2;
    body[last] ^= 1;
    assert_eq!(accept(&headers, &body), ErrorKind::TokenMismatch);
    // A changed token, a missing header, a repeated header.
    let mut h = headers.clone();
    let mut token = request.headers().token().as_str().to_owned().into_bytes();
    token[40] = if token[40] == b'A' { b'B' } else { b'A' };
    set(
        &mut h,
        HeaderName::TranToken,
        std::str::from_utf8(&token).unwrap(),
    );
    assert_eq!(accept(&h, BODY), ErrorKind::TokenMismatch);
    let mut h = headers.clone();
    h.retain(|(n, _)| n != "X-KM-User-AspId");
    assert_eq!(accept(&h, BODY), ErrorKind::MissingHeader);
    let mut h = headers.clone();
    h.push((
        "x-km-correlation-id".into(),
        request.headers().correlation_id().to_string(),
    ));
    assert_eq!(accept(&h, BODY), ErrorKind::DuplicateHeader);
    // Another route, an unknown key id, a replay ten minutes later.
    assert_eq!(
        s.server
            .accept("POST", "/api/v1/other", request.header_pairs(), BODY, now)
            .unwrap_err()
            .kind(),
        ErrorKind::RouteNotFound
    );
    let mut h = headers.clone();
    set(&mut h, HeaderName::CryptoKeyId, &kid('z').to_string());
    assert_eq!(accept(&h, BODY), ErrorKind::UnknownKeyId);
    let later = now + Duration::from_secs(600);
    assert_eq!(
        s.server
            .accept("POST", CANCEL, request.header_pairs(), BODY, later)
            .unwrap_err()
            .kind(),
        ErrorKind::TokenTimeOutsideWindow
    );

    // An enveloped request: X-KM-Crypto-Key-Id is not covered by the token,
    // so a swapped key id reaches the envelope, whose kid refuses it.
    let path = "/api/v1/cards/7/pan";
    let request = s
        .client
        .prepare("POST", path, br#"{"pin":"1234"}"#, now)
        .unwrap();
    let mut h = owned(request.header_pairs());
    set(&mut h, HeaderName::CryptoKeyId, &kid('b').to_string());
    let e = s
        .server
        .accept("POST", path, pairs(&h), request.body(), now)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyIdMismatch);
}

#[test]
fn tampering_with_the_response_is_refused() {
    let s = sides(routes());
    let now = SystemTime::now();
    let (request, accepted) = seed_request(&s, now);
    let response = s.server.respond(&accepted, RESPONSE).unwrap();
    let headers = owned(response.header_pairs());
    let finish = |h: &[(String, String)], body: &[u8]| {
        s.client.finish(&request, pairs(h), body).unwrap_err()
    };
    // A changed byte inside an encrypted field.
    let mut body = response.body().to_vec();
    let at = body.windows(3).position(|w| w == b"eyJ").unwrap() + 120;
    body[at] = if body[at] == b'A' { b'B' } else { b'A' };
    assert_eq!(finish(&headers, &body), Error::DecryptionFailed);
    // Another request's response, a missing or changed correlation id.
    let other = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    let other_accepted = s
        .server
        .accept("POST", CANCEL, other.header_pairs(), BODY, now)
        .unwrap();
    let other_response = s.server.respond(&other_accepted, RESPONSE).unwrap();
    assert_eq!(
        s.client
            .finish(
                &request,
                other_response.header_pairs(),
                other_response.body()
            )
            .unwrap_err(),
        Error::CorrelationIdMismatch
    );
    assert_eq!(
        finish(&headers[1..], response.body()),
        Error::MissingHeader(HeaderName::CorrelationId)
    );
    // The response names another key than the request did.
    let mut h = headers.clone();
    set(&mut h, HeaderName::CryptoKeyId, &kid('b').to_string());
    assert_eq!(finish(&h, response.body()).kind(), ErrorKind::KeyIdMismatch);
    // A response sealed under tenant b's key (the server holds it; the
    // request named a): refused by the client's named key.
    let b_ring = s.server_keys.load();
    let sealed_for_b = konaplate_crypto::Fields::new(["mobileCardNo", "par"])
        .unwrap()
        .encrypt(RESPONSE, &b_ring.sealer(&kid('b')).unwrap())
        .unwrap();
    assert_eq!(
        finish(&headers, &sealed_for_b).kind(),
        ErrorKind::KeyIdMismatch
    );
}

/// A client of the same project, holding `keys`, that names no key.
fn keyless(routes: RouteTable, keys: Keyring) -> Client {
    Client::new(
        AspId::parse("000170000002000").unwrap(),
        TokenSigner::new(&ProjectSecret::from("sandbox secret")),
        SharedKeyring::new(keys),
        routes,
    )
}

#[test]
fn a_route_that_needs_a_key_refuses_a_request_that_names_none() {
    let s = sides(routes());
    let keyless_client =
        keyless(routes(), ring(&['a'])).access_key(AccessKey::parse(&"K".repeat(40)).unwrap());
    let now = SystemTime::now();
    let request = keyless_client.prepare("POST", CANCEL, BODY, now).unwrap();
    assert_eq!(
        s.server
            .accept("POST", CANCEL, request.header_pairs(), BODY, now)
            .unwrap_err(),
        Error::MissingHeader(HeaderName::CryptoKeyId)
    );
    // An enveloped request (not a callback: it sends an access key) cannot
    // even be prepared without a key.
    let e = keyless(routes_with_envelope(), ring(&['a']))
        .access_key(AccessKey::parse(&"K".repeat(40)).unwrap())
        .prepare("POST", "/api/v1/cards/1/pan", b"{}", now)
        .unwrap_err();
    assert_eq!(e, Error::MissingHeader(HeaderName::CryptoKeyId));
    assert_eq!(
        keyless_client
            .prepare("GET", CANCEL, BODY, now)
            .unwrap_err()
            .kind(),
        ErrorKind::RouteNotFound
    );
}

#[test]
fn a_callback_without_a_key_id_uses_the_first_issued_key() {
    let s = sides(as_callbacks(&routes_json()));
    // The platform's callback: no access key, no crypto key id; it holds
    // the provider's first-issued key.
    let first = s.server_keys.load().callback_key().unwrap().clone();
    let platform = keyless(routes(), Keyring::from_entries(vec![first]).unwrap());
    let now = SystemTime::now();
    let request = platform.prepare("POST", CANCEL, BODY, now).unwrap();
    assert!(request.headers().access_key().is_none());
    // Issue 16, item 6: on a route that is no callback, the request lacks
    // its access key (it used to be opened with the first-issued key).
    assert_eq!(
        sides(routes())
            .server
            .accept("POST", CANCEL, request.header_pairs(), BODY, now)
            .unwrap_err(),
        Error::MissingHeader(HeaderName::AccessKey)
    );
    let accepted = s
        .server
        .accept("POST", CANCEL, request.header_pairs(), BODY, now)
        .unwrap();
    assert_eq!(accepted.key_id(), Some(&kid('a')));
    let response = s.server.respond(&accepted, RESPONSE).unwrap();
    let named: Vec<_> = response
        .header_pairs()
        .filter(|(n, _)| *n == "X-KM-Crypto-Key-Id")
        .map(|(_, v)| v.to_owned())
        .collect();
    assert_eq!(named, [kid('a').to_string()]);
    // The platform opens the answer with the key the response names.
    let clear = platform
        .finish(&request, response.header_pairs(), response.body())
        .unwrap();
    assert_eq!(&clear[..], RESPONSE);
    // An enveloped callback is sealed under the first-issued key both ways.
    let s = sides(as_callbacks(&routes_with_envelope_json()));
    let first = s.server_keys.load().callback_key().unwrap().clone();
    let platform = keyless(
        routes_with_envelope(),
        Keyring::from_entries(vec![first]).unwrap(),
    );
    let path = "/api/v1/cards/9/pan";
    let request = platform
        .prepare("POST", path, br#"{"pin":"0000"}"#, now)
        .unwrap();
    assert!(request.headers().crypto_key_id().is_none());
    let accepted = s
        .server
        .accept("POST", path, request.header_pairs(), request.body(), now)
        .unwrap();
    assert_eq!(accepted.body(), br#"{"pin":"0000"}"#);
    let response = s.server.respond(&accepted, b"{}").unwrap();
    let clear = platform
        .finish(&request, response.header_pairs(), response.body())
        .unwrap();
    assert_eq!(&clear[..], b"{}");
}

#[test]
fn keys_rotated_between_accept_and_respond_do_not_fail_the_request() {
    let s = sides(routes());
    let now = SystemTime::now();
    let (request, accepted) = seed_request(&s, now);
    // Key 'a' is retired while the handler runs: the accepted request keeps
    // the keyring it was accepted with.
    s.server_keys.rotate(ring(&['b']));
    let response = s.server.respond(&accepted, RESPONSE).unwrap();
    let clear = s
        .client
        .finish(&request, response.header_pairs(), response.body())
        .unwrap();
    assert_eq!(&clear[..], RESPONSE);
    // A new request naming 'a' is refused now.
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    assert_eq!(
        s.server
            .accept("POST", CANCEL, request.header_pairs(), BODY, now)
            .unwrap_err()
            .kind(),
        ErrorKind::UnknownKeyId
    );
}

#[test]
fn with_the_replay_guard_a_replayed_request_is_refused() {
    let s = sides(routes());
    let server = s.server.clone().with_replay_guard(
        konaplate_crypto::ReplayGuard::new(1000, Duration::from_secs(300)).unwrap(),
    );
    let now = SystemTime::now();
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    // A request refused for another reason leaves no trace.
    let mut h = owned(request.header_pairs());
    set(&mut h, HeaderName::CryptoKeyId, &kid('z').to_string());
    assert_eq!(
        server
            .accept("POST", CANCEL, pairs(&h), BODY, now)
            .unwrap_err()
            .kind(),
        ErrorKind::UnknownKeyId
    );
    server
        .accept("POST", CANCEL, request.header_pairs(), BODY, now)
        .unwrap();
    let again = server
        .accept(
            "POST",
            CANCEL,
            request.header_pairs(),
            BODY,
            now + Duration::from_secs(5),
        )
        .unwrap_err();
    assert_eq!(again, Error::Replayed);
    assert_eq!(again.category().http_status(), 401);
    // Without the guard the platform's tokens allow it: the README says so.
    s.server
        .accept(
            "POST",
            CANCEL,
            request.header_pairs(),
            BODY,
            now + Duration::from_secs(5),
        )
        .unwrap();
}

/// A keyring holding only `file` (test-vectors/rsa) under key id `id`.
fn rsa_ring(file: &str, id: CryptoKeyId) -> SharedKeyring {
    let path = format!("{}/test-vectors/rsa/{file}", env!("CARGO_MANIFEST_DIR"));
    let ring = konaplate_crypto::KeyFile::read(std::path::Path::new(&path), None)
        .unwrap()
        .into_keyring_as(Some(id))
        .unwrap();
    SharedKeyring::new(ring)
}

/// Issue 16, item 3: a private key alone opens but cannot seal. The handler
/// used to run (the seed cancel took effect), then the answer could not be
/// sealed and the client got a bare 500; now `accept` refuses first, by a
/// kind of its own and a 4xx, and a public key alone cannot open an
/// enveloped request.
#[test]
fn a_key_that_cannot_do_what_the_route_needs_is_refused_before_the_handler() {
    let id = kid('r');
    let signer = TokenSigner::new(&ProjectSecret::from("sandbox secret"));
    let client = keyless(routes_with_envelope(), ring(&['a']))
        .access_key(AccessKey::parse(&"K".repeat(40)).unwrap())
        .crypto_key_id(id);
    let now = SystemTime::now();
    // The seed route: a plain request whose response protects fields.
    let request = client.prepare("POST", CANCEL, BODY, now).unwrap();
    for file in ["server-private-pkcs8.pem", "server-certificate.pem"] {
        let server =
            Server::new(signer.clone(), rsa_ring(file, id), routes_with_envelope()).unwrap();
        let got = server.accept("POST", CANCEL, request.header_pairs(), BODY, now);
        if file.contains("private") {
            let e = got.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::KeyUnusable, "{e}");
            assert_eq!(e.category().http_status(), 400);
            assert!(e.to_string().contains("cannot seal"), "{e}");
            assert!(e.to_string().contains(&id.to_string()), "{e}");
        } else {
            // A certificate seals the answer; the plain request needs no opening.
            let accepted = got.unwrap();
            server.respond(&accepted, RESPONSE).unwrap();
        }
    }
    // An enveloped request to a server holding only a public key: it could
    // seal the answer but not open the request.
    let sealer_side = keyless(
        routes_with_envelope(),
        rsa_ring("server-certificate.pem", id).load(),
    )
    .access_key(AccessKey::parse(&"K".repeat(40)).unwrap())
    .crypto_key_id(id);
    let path = "/api/v1/cards/7/pan";
    let request = sealer_side.prepare("POST", path, b"{}", now).unwrap();
    let server = Server::new(
        signer,
        rsa_ring("server-certificate.pem", id),
        routes_with_envelope(),
    )
    .unwrap();
    let e = server
        .accept("POST", path, request.header_pairs(), request.body(), now)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::KeyUnusable, "{e}");
    assert!(e.to_string().contains("cannot open"), "{e}");
}

/// Issue 16, item 5: the token covers the body only; a query string on a
/// route that takes none is refused by its own kind, and taken where the
/// route says `"query": true`.
#[test]
fn a_query_string_is_refused_unless_the_route_takes_one() {
    let s = sides(routes());
    let now = SystemTime::now();
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    for target in [format!("{CANCEL}?userId=999"), format!("{CANCEL}?")] {
        let e = s
            .server
            .accept("POST", &target, request.header_pairs(), BODY, now)
            .unwrap_err();
        assert_eq!(e, Error::QueryNotAllowed, "{target}");
        assert_eq!(e.category().http_status(), 400);
    }
    let open =
        RouteTable::from_json(&routes_json().replace(r#""request""#, r#""query":true,"request""#))
            .unwrap();
    assert!(open.iter().all(|r| r.takes_query()));
    let s = sides(open);
    let accepted = s
        .server
        .accept(
            "POST",
            &format!("{CANCEL}?page=2"),
            request.header_pairs(),
            BODY,
            now,
        )
        .unwrap();
    assert_eq!(accepted.route().route().template(), CANCEL);
}

/// What needs no body is checked without one: `check_head` refuses a
/// request on its route, headers, token time or key before a body exists.
#[test]
fn the_head_is_checked_before_the_body() {
    let s = sides(routes());
    let now = SystemTime::now();
    let request = s.client.prepare("POST", CANCEL, BODY, now).unwrap();
    let head = s
        .server
        .check_head("POST", CANCEL, request.header_pairs(), now)
        .unwrap();
    assert_eq!(head.key_id(), Some(&kid('a')));
    // A body that is not the one signed fails only once it is read.
    assert_eq!(
        s.server.accept_body(head.clone(), b"{}", now).unwrap_err(),
        Error::TokenMismatch
    );
    assert_eq!(s.server.accept_body(head, BODY, now).unwrap().body(), BODY);
    let later = now + Duration::from_secs(301);
    let e = s
        .server
        .check_head("POST", CANCEL, request.header_pairs(), later)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TokenTimeOutsideWindow);
    let e = s
        .server
        .check_head("POST", "/api/v1/unlisted", request.header_pairs(), now)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::RouteNotFound);
    let mut h = owned(request.header_pairs());
    set(&mut h, HeaderName::CryptoKeyId, &kid('z').to_string());
    let e = s
        .server
        .check_head("POST", CANCEL, pairs(&h), now)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownKeyId);
}
