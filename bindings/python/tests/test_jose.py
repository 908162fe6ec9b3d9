"""joserfc, an independent JOSE implementation, opens what the module seals
and the module opens what joserfc seals: dir with A128GCM/A256GCM, and
RSA-OAEP-256 to the keys of test-vectors/rsa."""

import json

import pytest
from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey, RSAKey

import konaplate_crypto as km
from conftest import KEY_A, KEY_B, SEED_RESPONSE, VECTORS

REGISTRY = JWERegistry(algorithms=["dir", "RSA-OAEP-256", "A128GCM", "A256GCM"])


def oct_key(dir_vectors, kid):
    jwk = next(k for k in dir_vectors["jwks"]["keys"] if k["kid"] == kid)
    return OctKey.import_key(jwk), jwk["alg"]


@pytest.mark.parametrize("kid", [KEY_A, KEY_B])
def test_joserfc_opens_the_fields_the_module_seals(dir_vectors, keyring, kid):
    key, enc = oct_key(dir_vectors, kid)
    sealed = json.loads(km.Fields(["mobileCardNo", "par"]).encrypt(SEED_RESPONSE, keyring, kid))
    clear = json.loads(SEED_RESPONSE)
    for field in ("mobileCardNo", "par"):
        opened = jwe.decrypt_compact(sealed[field], key, registry=REGISTRY)
        assert opened.protected == {"alg": "dir", "enc": enc, "kid": kid}
        assert opened.plaintext == clear[field].encode()
    assert sealed["code"] == "000_000"


@pytest.mark.parametrize("kid", [KEY_A, KEY_B])
def test_the_module_opens_the_fields_joserfc_seals(dir_vectors, keyring, kid):
    key, enc = oct_key(dir_vectors, kid)
    doc = json.loads(SEED_RESPONSE)
    for field in ("mobileCardNo", "par"):
        doc[field] = jwe.encrypt_compact(
            {"alg": "dir", "enc": enc, "kid": kid}, doc[field].encode(), key, registry=REGISTRY
        )
    opened = km.Fields(["mobileCardNo", "par"]).decrypt(json.dumps(doc).encode(), keyring, kid)
    assert json.loads(opened) == json.loads(SEED_RESPONSE)


def test_envelopes_both_ways(dir_vectors, keyring):
    key, enc = oct_key(dir_vectors, KEY_B)
    envelope = json.loads(km.envelope_seal(SEED_RESPONSE, keyring, KEY_B))
    assert list(envelope) == ["encData"]
    assert jwe.decrypt_compact(envelope["encData"], key, registry=REGISTRY).plaintext == SEED_RESPONSE
    token = jwe.encrypt_compact({"alg": "dir", "enc": enc, "kid": KEY_B}, SEED_RESPONSE, key, registry=REGISTRY)
    doc = json.dumps({"encData": token}).encode()
    assert km.envelope_open(doc, keyring, KEY_B) == SEED_RESPONSE


def test_the_vectors_seed_response_opens(dir_vectors, keyring):
    case = next(c for c in dir_vectors["fields"] if c["name"] == "seed response")
    fields = km.Fields(case["paths"])
    assert fields.decrypt(case["expected"].encode(), keyring, case["kid"]) == case["document"].encode()


def test_rsa_oaep_256_both_ways():
    rsa = VECTORS / "rsa"
    # To the server: the module seals to its certificate, joserfc opens with its key.
    to_server = km.Keyring.read(rsa / "server-certificate.pem", key_id="S" * 32)
    sealed = json.loads(km.envelope_seal(SEED_RESPONSE, to_server, "S" * 32))["encData"]
    server_key = RSAKey.import_key((rsa / "server-private-pkcs8.pem").read_bytes())
    opened = jwe.decrypt_compact(sealed, server_key, registry=REGISTRY)
    assert opened.plaintext == SEED_RESPONSE and opened.protected["alg"] == "RSA-OAEP-256"
    # To the client: joserfc seals to its certificate, the module opens with its key.
    client_public = RSAKey.import_key((rsa / "client-certificate.pem").read_bytes())
    token = jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "C" * 32}, SEED_RESPONSE, client_public, registry=REGISTRY
    )
    client = km.Keyring.load((rsa / "client-private-pkcs8.pem").read_bytes(), key_id="C" * 32)
    doc = json.dumps({"encData": token}).encode()
    assert km.envelope_open(doc, client, "C" * 32) == SEED_RESPONSE
    # The same key from its PKCS#12 store, opened with its password.
    store = km.Keyring.read(str(rsa / "client-pbes2.p12"), key_id="C" * 32, password="test password")
    assert km.envelope_open(doc, store, "C" * 32) == SEED_RESPONSE


def test_large_inputs_round_trip_with_the_gil_released(keyring):
    import threading

    body = b'{"pan":"' + b"9" * 3_000_000 + b'"}'
    results = []

    def work():
        sealed = km.envelope_seal(body, keyring, KEY_B)
        results.append(km.envelope_open(sealed, keyring, KEY_B) == body)
        doc = km.Fields(["pan"]).encrypt(body, keyring, KEY_B)
        results.append(km.Fields(["pan"]).decrypt(doc, keyring, KEY_B) == body)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 8
