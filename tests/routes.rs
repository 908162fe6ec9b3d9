//! The route table: exact segments, `{param}`, duplicates and ambiguity
//! refused at load, unmatched routes refused by kind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use konaplate_crypto::{ErrorKind, RequestProtection, ResponseProtection, Route, RouteTable};

fn table(routes: &[(&str, &str)]) -> konaplate_crypto::Result<RouteTable> {
    let entries: Vec<String> = routes
        .iter()
        .map(|(m, p)| {
            format!(r#"{{"method":"{m}","path":"{p}","request":"plain","response":"plain"}}"#)
        })
        .collect();
    RouteTable::from_json(&format!(r#"{{"routes":[{}]}}"#, entries.join(",")))
}

#[test]
fn the_shipped_table_holds_the_seed_route() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/kona.json")).unwrap();
    let routes = RouteTable::from_json(&text).unwrap();
    let found = routes.find("POST", "/api/v1/card/delivery/cancel").unwrap();
    let route = found.route();
    assert_eq!(route.request(), RequestProtection::Plain);
    let ResponseProtection::Fields(fields) = route.response() else {
        panic!(
            "the seed's response protects fields: {:?}",
            route.response()
        );
    };
    let paths: Vec<&str> = fields.paths().iter().map(|p| p.as_str()).collect();
    assert_eq!(paths, ["mobileCardNo", "par"]);
    assert!(route.needs_key());
    assert_eq!(
        routes
            .find("GET", "/api/v1/card/delivery/cancel")
            .unwrap_err()
            .kind(),
        ErrorKind::RouteNotFound
    );
}

#[test]
fn segments_match_exactly_and_params_bind_one_segment() {
    let routes = table(&[
        ("POST", "/resource"),
        ("GET", "/cards/{cardId}"),
        ("GET", "/cards/{cardId}/limits/{kind}"),
        ("GET", "/"),
    ])
    .unwrap();
    assert_eq!(
        routes.find("POST", "/resource").unwrap().route().template(),
        "/resource"
    );
    // The counter-example: an unanchored pattern for /resource matches these.
    for path in [
        "/resource1",
        "/resource/1",
        "/resource/",
        "/x/resource",
        "resource",
        "",
    ] {
        assert_eq!(
            routes.find("POST", path).unwrap_err().kind(),
            ErrorKind::RouteNotFound,
            "{path:?}"
        );
    }
    let m = routes.find("GET", "/cards/42").unwrap();
    assert_eq!(m.param("cardId"), Some("42"));
    assert_eq!(m.param("kind"), None);
    let m = routes.find("GET", "/cards/42/limits/daily?x=1").unwrap();
    assert_eq!(
        m.params(),
        [
            ("cardId".to_owned(), "42".to_owned()),
            ("kind".to_owned(), "daily".to_owned())
        ]
    );
    assert_eq!(routes.find("GET", "/").unwrap().route().template(), "/");
    // A parameter binds a non-empty segment, and methods are case-sensitive.
    assert_eq!(
        routes.find("GET", "/cards/").unwrap_err().kind(),
        ErrorKind::RouteNotFound
    );
    assert_eq!(
        routes.find("get", "/cards/42").unwrap_err().kind(),
        ErrorKind::RouteNotFound
    );
    assert_eq!(
        routes.find("POST", "/cards/42").unwrap_err().kind(),
        ErrorKind::RouteNotFound
    );
    // Unmatched input is quoted only as a short prefix.
    let long = format!("/{}", "a".repeat(5000));
    let e = routes.find("POST", &long).unwrap_err();
    assert!(e.to_string().len() < 200, "{e}");
}

#[test]
fn duplicate_and_ambiguous_routes_are_refused_when_loaded() {
    for (routes, why) in [
        (vec![("POST", "/a"), ("POST", "/a")], "a duplicate"),
        (vec![("GET", "/a/{x}"), ("GET", "/a/{y}")], "a duplicate"),
        (vec![("GET", "/a/{x}"), ("GET", "/a/b")], "ambiguous"),
        (vec![("GET", "/{x}/b"), ("GET", "/a/{y}")], "ambiguous"),
    ] {
        let e = table(&routes).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{routes:?}");
        assert!(e.to_string().contains(why), "{routes:?}: {e}");
    }
    // Different methods, lengths or literals do not overlap.
    table(&[
        ("GET", "/a/{x}"),
        ("POST", "/a/b"),
        ("GET", "/a/{x}/c"),
        ("GET", "/b/{x}"),
    ])
    .unwrap();
}

#[test]
fn bad_templates_and_files_are_refused() {
    for (method, path) in [
        ("POST", "no-slash"),
        ("POST", "/a//b"),
        ("POST", "/a/"),
        ("POST", "/a/{}"),
        ("POST", "/a/x{id}"),
        ("POST", "/a/{id}/{id}"),
        ("POST", "/a?b"),
        ("post", "/a"),
        ("", "/a"),
    ] {
        let e = table(&[(method, path)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{method} {path}");
    }
    for json in [
        "",
        "[]",
        r#"{"routes":[{"method":"POST","path":"/a","request":"plain"}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","request":"plain","response":"plain","extra":1}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","request":"fields","response":"plain"}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","request":{"fields":["x"],"strict":true},"response":"plain"}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","request":"plain","response":{"fields":["x"]}}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","request":"plain","response":{"fields":[".x"],"strict":true}}]}"#,
        r#"{"routes":[{"method":"POST","path":"/a","method":"GET","request":"plain","response":"plain"}]}"#,
    ] {
        let e = RouteTable::from_json(json).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{json}");
    }
}

#[test]
fn routes_can_be_built_in_code() {
    let route = Route::new(
        "PUT",
        "/keys/{kid}",
        RequestProtection::Envelope,
        ResponseProtection::Envelope,
    )
    .unwrap();
    let table = RouteTable::new(vec![route.clone(), route]).unwrap_err();
    assert_eq!(table.kind(), ErrorKind::InvalidRoutes);
}

/// Issue 16, item 10: a duplicate or ambiguous template is quoted cut to 40
/// characters, as every other error quotes input (a 5,000-character
/// template was quoted whole, twice).
#[test]
fn route_errors_quote_long_templates_cut_short() {
    let long = format!("/{}", "a".repeat(5_000));
    let param = "/{p}".to_string();
    for (first, second) in [(&long, &long), (&param, &long)] {
        let e = table(&[("POST", first), ("POST", second)]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRoutes);
        let text = e.to_string();
        assert!(
            text.len() < 300,
            "{} characters: {}",
            text.len(),
            &text[..200]
        );
        assert!(text.contains("..."), "{text}");
    }
}

#[test]
fn query_and_callback_are_off_unless_the_table_says_so() {
    let routes = RouteTable::from_json(
        r#"{"routes":[
            {"method":"GET","path":"/a","request":"plain","response":"plain"},
            {"method":"GET","path":"/b","request":"plain","response":"plain","query":true},
            {"method":"POST","path":"/c","request":"plain","response":"plain","callback":true}
        ]}"#,
    )
    .unwrap();
    let flags: Vec<(bool, bool)> = routes
        .iter()
        .map(|r| (r.takes_query(), r.is_callback()))
        .collect();
    assert_eq!(flags, [(false, false), (true, false), (false, true)]);
    let e = RouteTable::from_json(
        r#"{"routes":[{"method":"GET","path":"/a","request":"plain","response":"plain","query":"yes"}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRoutes);
}

/// Issue 21, item 4: a route whose response is not known
/// (`"envelope-or-plain"`). A client opens an envelope if the answer is
/// one and takes any other answer as it is; a server refuses such a table,
/// naming the route, unless each answer says (and then it must).
#[test]
fn envelope_or_plain_is_read_by_clients_and_chosen_by_servers() {
    use konaplate_crypto::{
        AccessKey, AspId, Client, ContentEncryption, CryptoKeyId, Error, Keyring, ProjectSecret,
        ResponseChoice, Server, SharedKeyring, TokenSigner, generate_jwks,
    };
    use std::time::SystemTime;

    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/routes/kona.json")).unwrap();
    let routes = RouteTable::from_json(&text).unwrap();
    let found = routes.find("POST", "/api/v1/user/card/list").unwrap();
    assert!(matches!(
        found.route().response(),
        ResponseProtection::EnvelopeOrPlain
    ));
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let keys = SharedKeyring::new(
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm)).unwrap(),
    );
    let signer = TokenSigner::new(&ProjectSecret::from("a secret"));
    let Err(Error::InvalidRoutes { reason }) =
        Server::new(signer.clone(), keys.clone(), routes.clone())
    else {
        panic!("a server must be told what it sends");
    };
    assert!(
        reason.starts_with(
            "route 1 (POST /api/v1/user/registration): the response is \"envelope-or-plain\""
        ),
        "{reason}"
    );

    let server = Server::new(
        signer.clone(),
        keys.clone(),
        routes.clone().chosen_per_answer(),
    )
    .unwrap();
    let client = Client::new(
        AspId::parse("000170000002000").unwrap(),
        signer,
        keys,
        routes,
    )
    .access_key(AccessKey::parse(&"A".repeat(40)).unwrap())
    .crypto_key_id(kid);
    let answer = br#"{"code":"000_000","cards":[]}"#;
    for (path, request_body) in [
        ("/api/v1/user/card/list", &br#"{"userId":1}"#[..]),
        ("/api/v1/user/registration", &br#"{"loginId":"kim"}"#[..]),
    ] {
        let request = client
            .prepare("POST", path, request_body, SystemTime::now())
            .unwrap();
        let accepted = server
            .accept(
                "POST",
                path,
                request.header_pairs(),
                request.body(),
                SystemTime::now(),
            )
            .unwrap();
        assert_eq!(accepted.body(), request_body);
        let e = server.respond(&accepted, answer).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{e}");
        let sealed = server
            .respond_as(&accepted, ResponseChoice::Envelope, answer)
            .unwrap();
        assert!(sealed.body().starts_with(br#"{"encData":"ey"#));
        let clear = client
            .finish(&request, sealed.header_pairs(), sealed.body())
            .unwrap();
        assert_eq!(&clear[..], answer);
        let plain = server
            .respond_as(&accepted, ResponseChoice::Plain, answer)
            .unwrap();
        assert_eq!(plain.body(), answer);
        let clear = client
            .finish(&request, plain.header_pairs(), plain.body())
            .unwrap();
        assert_eq!(&clear[..], answer);
    }
    // On a route that says how it answers, an answer may not choose.
    let seed = "/api/v1/card/delivery/cancel";
    let request = client
        .prepare("POST", seed, br#"{"userId":1}"#, SystemTime::now())
        .unwrap();
    let accepted = server
        .accept(
            "POST",
            seed,
            request.header_pairs(),
            request.body(),
            SystemTime::now(),
        )
        .unwrap();
    let e = server
        .respond_as(&accepted, ResponseChoice::Plain, b"{}")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidRoutes, "{e}");
}

/// A path that is a route for another method is explained so, each such
/// method named once.
#[test]
fn a_route_for_another_method_is_named_once() {
    use konaplate_crypto::{
        ContentEncryption, CryptoKeyId, Keyring, ProjectSecret, Server, SharedKeyring, TokenSigner,
        generate_jwks,
    };
    let routes = table(&[
        ("GET", "/a/{id}"),
        ("GET", "/b"),
        ("PUT", "/a/{id}"),
        ("POST", "/c"),
    ])
    .unwrap();
    let kid = CryptoKeyId::parse("0123456789abcdef0123456789abcdef").unwrap();
    let keys = SharedKeyring::new(
        Keyring::from_jwks(&generate_jwks(&kid, ContentEncryption::A128Gcm)).unwrap(),
    );
    let server = Server::new(TokenSigner::new(&ProjectSecret::from("s")), keys, routes).unwrap();
    let error = server.routes().find("POST", "/a/7?x=1").unwrap_err();
    let text = server.explain(
        "POST",
        "/a/7?x=1",
        [],
        b"",
        std::time::SystemTime::now(),
        &error,
    );
    assert!(
        text.ends_with(": the path is a route for GET, PUT"),
        "{text}"
    );
    let error = server.routes().find("POST", "/z").unwrap_err();
    let text = server.explain("POST", "/z", [], b"", std::time::SystemTime::now(), &error);
    assert!(
        text.ends_with(": no route of the table has this path"),
        "{text}"
    );
}
