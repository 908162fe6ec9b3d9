"""Every error kind: a subclass of konaplate_crypto.Error named after it,
with its stable code and HTTP status, in the type stubs, and raised by the
call that meets it."""

import ast
import base64
import json
import re
from pathlib import Path

import pytest

import konaplate_crypto as km
from conftest import ACCESS_KEY, ASP_ID, CANCEL, KEY_A, KEY_B, ROUTES, SEED_REQUEST, SEED_RESPONSE, VECTORS

# Kinds no call of this package can meet, and why.
UNREACHABLE = {
    "buffer_too_small": "the package returns new objects; there is no caller's buffer",
    "no_key_id": "keys are always named or the first-issued; the package has no kid-in-message mode",
    "unreadable_body": "raised by the HTTP layer reading a body; Python hands over bytes",
    "streaming_body": "raised by the HTTP layer for a streamed body; Python hands over bytes",
    "invalid_correlation_id": "a correlation id read from a header is invalid_header, naming it",
    "replay_store_unavailable": "the shared replay stores (Redis) are the Rust front ends'; Python's guard is in-process",
    "unknown_asp_id": "tenant registries are the Rust front ends'; a Python Server serves one provider",
    "unknown_access_key": "tenant registries are the Rust front ends'; a Python Server serves one provider",
    "invalid_tenants": "tenant registries are the Rust front ends'",
}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def test_every_kind_is_a_subclass_with_its_code_and_status():
    assert len(km.ERROR_CLASSES) == 43
    for cls in km.ERROR_CLASSES:
        assert issubclass(cls, km.Error) and issubclass(cls, Exception)
        assert cls.code == snake(cls.__name__), cls
        assert cls.http_status in {400, 401, 404, 413, 500, 503}, cls
        assert cls.__module__ == "konaplate_crypto"
        assert cls.code in cls.__doc__


def test_the_stubs_declare_every_class():
    stubs = Path(km.__file__).with_name("__init__.pyi").read_text()
    declared = {
        node.name
        for node in ast.parse(stubs).body
        if isinstance(node, ast.ClassDef) and any(getattr(b, "id", "") == "Error" for b in node.bases)
    }
    assert declared == {cls.__name__ for cls in km.ERROR_CLASSES}


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture()
def triggers(signer, keyring, client, server, dir_vectors, tmp_path):
    """Each reachable kind's code, with a call that must raise it."""
    fields = km.Fields(["mobileCardNo", "par"])
    sealed = fields.encrypt(SEED_RESPONSE, keyring, KEY_B)
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    headers = list(request.headers)

    def accept(hs, body=request.body, method="POST", path=CANCEL, srv=server):
        return lambda: srv.accept(method, path, hs, body)

    def replace(name, value):
        return [(n, value if n == name else v) for n, v in headers]

    response = server.respond(server.accept("POST", CANCEL, headers, request.body), SEED_RESPONSE)
    a128_as_b = json.dumps(
        {"keys": [{"kty": "oct", "kid": KEY_B, "alg": "A128GCM", "k": b64(b"k" * 16)}]}
    )
    unsupported = b64(json.dumps({"alg": "dir", "enc": "A192GCM", "kid": KEY_B}).encode())
    tampered = bytearray(sealed)
    # One base64url character of the tag changed to another (XOR could make
    # '-' or '_' a character that is no base64url at all: malformed_jwe).
    tampered[-5] = ord("B") if tampered[-5] == ord("A") else ord("A")
    return {
        "missing_header": accept([h for h in headers if h[0] != "X-KM-Tran-Token"]),
        "duplicate_header": accept(headers + [headers[0]]),
        "invalid_header": accept(replace("X-KM-Correlation-Id", "nope")),
        "invalid_time": lambda: signer.sign(b"", "20261301000000000"),
        "unknown_time_zone": lambda: km.new_correlation_id("Mars"),
        "malformed_token": lambda: signer.verify(b"", "KMV1:nope"),
        "token_mismatch": accept(headers, body=request.body + b" "),
        "token_time_outside_window": lambda: signer.verify(b"", signer.sign(b"", "20200101000000000")),
        "padded_token_refused": lambda: signer.verify(b"", signer.sign(b"", padded=True), strict=True),
        "invalid_json": lambda: fields.encrypt(b"{not json", keyring, KEY_B),
        "invalid_field_path": lambda: km.Fields(["cards["]),
        "field_not_found": lambda: km.Fields(["nowhere"], strict=True).encrypt(SEED_RESPONSE, keyring, KEY_B),
        "invalid_field": lambda: fields.decrypt(b'{"par":17}', keyring, KEY_B),
        "invalid_key": lambda: km.Keyring.load(b"hello"),
        "unknown_key_id": lambda: fields.encrypt(SEED_RESPONSE, keyring, "Z" * 32),
        "key_id_mismatch": lambda: fields.decrypt(sealed, keyring, KEY_A),
        "key_mismatch": lambda: fields.decrypt(sealed, km.Keyring.from_jwks(a128_as_b), KEY_B),
        "malformed_jwe": lambda: fields.decrypt(b'{"par":"abc"}', keyring, KEY_B),
        "unsupported_jwe": lambda: fields.decrypt(
            json.dumps({"par": unsupported + "..AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA"}).encode(),
            keyring,
            KEY_B,
        ),
        "decryption_failed": lambda: fields.decrypt(bytes(tampered), keyring, KEY_B),
        "too_large": lambda: km.envelope_open(b'{"encData":"' + b"A" * (17 << 20) + b'"}', keyring, KEY_B),
        "invalid_envelope": lambda: km.envelope_open(b'{"other":1}', keyring, KEY_B),
        "invalid_secret": lambda: km.TokenSigner(b""),
        "invalid_routes": lambda: km.Server(signer, keyring, '{"routes":7}'),
        "route_not_found": accept(headers, path="/nowhere"),
        "correlation_id_mismatch": lambda: client.finish(
            client.prepare("POST", CANCEL, SEED_REQUEST), response.headers, response.body
        ),
        "io": lambda: km.Keyring.read(tmp_path / "no such file"),
        "replayed": lambda: [
            guarded.accept("POST", CANCEL, headers, request.body) for guarded in [km.Server(signer, keyring, ROUTES, replay_guard=10)] for _ in range(2)
        ],
        "replay_guard_full": lambda: [
            full.accept("POST", CANCEL, list(r.headers), r.body)
            for full in [km.Server(signer, keyring, ROUTES, replay_guard=1)]
            for r in [client.prepare("POST", CANCEL, SEED_REQUEST + b" " * n) for n in range(2)]
        ],
        "too_deep": lambda: fields.encrypt(b"[" * 65 + b"]" * 65, keyring, KEY_B),
        "key_unusable": lambda: km.Server(
            signer, km.Keyring.read(VECTORS / "rsa" / "server-private-pkcs8.pem", key_id=KEY_B), ROUTES
        ).accept("POST", CANCEL, headers, request.body),
        "query_not_allowed": accept(headers, path=CANCEL + "?userId=999"),
        "invalid_capacity": lambda: km.Server(signer, keyring, ROUTES, replay_guard=0),
        "invalid_instance": lambda: km.CorrelationIds(16),
    }


def test_every_reachable_kind_is_raised_as_its_class(triggers):
    codes = {cls.code for cls in km.ERROR_CLASSES}
    assert set(triggers) | set(UNREACHABLE) == codes
    assert not set(triggers) & set(UNREACHABLE)
    by_code = {cls.code: cls for cls in km.ERROR_CLASSES}
    for code, call in triggers.items():
        with pytest.raises(km.Error) as e:
            call()
        assert type(e.value) is by_code[code], f"{code}: {type(e.value).__name__}: {e.value}"
        assert e.value.code == code
        assert str(e.value), code  # a message that says what was wrong


def test_messages_never_show_a_secret_or_plaintext(keyring, signer):
    with pytest.raises(km.Error) as e:
        km.Fields(["par"]).decrypt(b'{"par":"9410123412341234"}', keyring, KEY_B)
    assert "9410123412341234" not in str(e.value)
    with pytest.raises(km.Error) as e:
        km.Client(ASP_ID, signer, keyring, ROUTES, access_key="short")
    assert isinstance(e.value, km.Error) and ACCESS_KEY not in str(e.value)
