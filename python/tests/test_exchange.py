"""The seed flow both ways: client prepare, server accept and respond,
client finish; on the seed route (fields) and an enveloped route."""

import pytest

import konaplate_crypto as km
from conftest import CANCEL, KEY_B, SEED_REQUEST, SEED_RESPONSE


def test_the_seed_flow_round_trips(client, server):
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    names = {name for name, _ in request.headers}
    assert {"X-KM-Correlation-Id", "X-KM-Tran-Token", "X-KM-Crypto-Key-Id"} <= names
    assert request.body == SEED_REQUEST  # the seed route sends its request clear

    accepted = server.accept("POST", CANCEL, dict(request.headers), request.body)
    assert accepted.body == SEED_REQUEST
    assert accepted.key_id == KEY_B
    assert accepted.correlation_id == request.correlation_id

    response = server.respond(accepted, SEED_RESPONSE)
    assert b"9410123412341234" not in response.body  # the card number never travels clear
    assert b"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0" not in response.body
    assert dict(response.headers)["X-KM-Correlation-Id"] == request.correlation_id

    # Headers as pairs, or as a mapping.
    assert client.finish(request, response.headers, response.body) == SEED_RESPONSE
    assert client.finish(request, dict(response.headers), response.body) == SEED_RESPONSE


def test_an_enveloped_route_seals_both_bodies(client, server):
    request = client.prepare("POST", "/api/v1/cards/C77/pan", SEED_REQUEST)
    assert request.body.startswith(b'{"encData":"eyJ')
    accepted = server.accept("POST", "/api/v1/cards/C77/pan", request.headers, request.body)
    assert accepted.body == SEED_REQUEST and accepted.params == {"cardId": "C77"}
    response = server.respond(accepted, b'{"pan":"9410123412341234"}')
    assert response.body.startswith(b'{"encData":"eyJ')
    assert client.finish(request, response.headers, response.body) == b'{"pan":"9410123412341234"}'


def test_tampering_either_way_is_refused(client, server):
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    with pytest.raises(km.TokenMismatch):
        server.accept("POST", CANCEL, request.headers, request.body.replace(b"1234567890", b"1234567891"))
    accepted = server.accept("POST", CANCEL, request.headers, request.body)
    response = server.respond(accepted, SEED_RESPONSE)
    body = bytearray(response.body)
    body[-5] ^= 1  # in the tag of the last field's JWE
    with pytest.raises((km.DecryptionFailed, km.MalformedJwe)):
        client.finish(request, response.headers, bytes(body))
    other = client.prepare("POST", CANCEL, SEED_REQUEST)
    with pytest.raises(km.CorrelationIdMismatch):
        client.finish(other, response.headers, response.body)


def test_a_replay_guard_refuses_the_same_request_twice(signer, keyring, client):
    from conftest import ROUTES

    guarded = km.Server(signer, keyring, ROUTES, replay_guard=1000)
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    guarded.accept("POST", CANCEL, request.headers, request.body)
    with pytest.raises(km.Replayed) as e:
        guarded.accept("POST", CANCEL, request.headers, request.body)
    assert e.value.code == "replayed" and e.value.http_status == 401
