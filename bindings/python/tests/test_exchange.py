"""The seed flow both ways: client prepare, server accept and respond,
client finish; on the seed route (fields) and an enveloped route."""

import os
from pathlib import Path

import pytest

import konaplate_crypto as km
from conftest import CANCEL, KEY_B, ROUTES, SEED_REQUEST, SEED_RESPONSE


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


def test_capacities_past_the_bound_raise_a_typed_error_and_cost_nothing(signer, keyring):
    """Issue 16, item 12: 2**63 raised a PanicException (a BaseException),
    10**12 aborted the interpreter, 10**8 took 129 MB at construction."""
    for capacity in [0, 2**24 + 1, 10**8, 10**12, 2**63, 2**64 - 1]:
        with pytest.raises(km.InvalidCapacity) as e:
            km.Server(signer, keyring, ROUTES, replay_guard=capacity)
        assert "16777216" in str(e.value)
    with pytest.raises(OverflowError):
        km.Server(signer, keyring, ROUTES, replay_guard=2**64)
    before = rss_kib()
    servers = [km.Server(signer, keyring, ROUTES, replay_guard=2**24) for _ in range(10)]
    assert rss_kib() - before < 8 << 10, "ten guards of the largest capacity took memory up front"
    assert len(servers) == 10


def rss_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_bodies_are_one_object_each(client, server):
    """Issue 16, item 13: every .body made a new copy with the GIL held."""
    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    assert request.body is request.body
    accepted = server.accept("POST", CANCEL, request.headers, request.body)
    assert accepted.body is accepted.body and accepted.body == SEED_REQUEST
    response = server.respond(accepted, SEED_RESPONSE)
    assert response.body is response.body
    assert client.finish(request, response.headers, response.body) == SEED_RESPONSE


def test_key_files_are_read_bounded_and_only_when_regular(tmp_path):
    """Issue 16, item 13: Keyring.read blocked forever on a FIFO, with the
    GIL held, and read files of any size."""
    big = tmp_path / "big.pem"
    big.write_bytes(b"A" * ((1 << 20) + 1))
    with pytest.raises(km.TooLarge):
        km.Keyring.read(big, key_id=KEY_B)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(km.Io) as e:
        km.Keyring.read(fifo, key_id=KEY_B)
    assert "not a regular file" in str(e.value)


def test_encryption_refuses_a_document_decryption_would_refuse(keyring):
    """Issue 16, item 7: under the default 16 MiB limit, 130,000 card
    numbers (3.4 MB) encrypted to more than the limit, which decryption
    then refused; 90,000 encrypt under it and decrypt."""
    fields = km.Fields(["cards[*].no"])

    def doc(n):
        return ('{"cards":[' + ",".join('{"no":"9410%012d"}' % i for i in range(n)) + "]}").encode()

    with pytest.raises(km.TooLarge) as e:
        fields.encrypt(doc(130_000), keyring, KEY_B)
    assert "encrypted document" in str(e.value) and "16777216" in str(e.value)
    sent = fields.encrypt(doc(90_000), keyring, KEY_B)
    assert len(sent) <= 16 << 20
    assert fields.decrypt(sent, keyring, KEY_B) == doc(90_000)


def test_tran_time_may_be_the_next_second_unless_exact(signer, keyring, client):
    """A public client reads its clock once for the token and again for
    X-KM-Tran-Time: one second later is accepted by default, refused with
    exact_tran_time; strict refuses the padded token."""
    import datetime as dt

    request = client.prepare("POST", CANCEL, SEED_REQUEST)
    headers = dict(request.headers)
    token_second = headers["X-KM-Tran-Token"][5:19]
    later = (dt.datetime.strptime(token_second, "%Y%m%d%H%M%S") + dt.timedelta(seconds=1)).strftime("%Y%m%d%H%M%S")
    headers["X-KM-Tran-Time"] = later
    km.Server(signer, keyring, ROUTES).accept("POST", CANCEL, headers, request.body)
    with pytest.raises(km.InvalidHeader) as e:
        km.Server(signer, keyring, ROUTES, exact_tran_time=True).accept("POST", CANCEL, headers, request.body)
    assert "X-KM-Tran-Time" in str(e.value)
    padded = dict(request.headers)
    padded["X-KM-Tran-Token"] = signer.sign(request.body, padded=True)
    padded["X-KM-Tran-Time"] = padded["X-KM-Tran-Token"][5:19]
    km.Server(signer, keyring, ROUTES).accept("POST", CANCEL, padded, request.body)
    with pytest.raises(km.PaddedTokenRefused):
        km.Server(signer, keyring, ROUTES, strict=True).accept("POST", CANCEL, padded, request.body)
