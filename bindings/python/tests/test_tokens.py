"""Tokens and correlation ids, checked against Python's own hmac."""

import base64
import hashlib
import hmac
import os
import re

import pytest

import konaplate_crypto as km
from conftest import vectors


def python_token(secret: bytes, body: bytes, time: str, padded: bool = False) -> str:
    mac = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    return f"KMV1:{time}:{mac if padded else mac.rstrip('=')}"


def test_the_vectors_sign_and_verify():
    for case in vectors("tokens.json")["cases"]:
        signer = km.TokenSigner(case["secret"])
        body = case["body"].encode() if "body" in case else bytes.fromhex(case["body_hex"])
        assert signer.sign(body, case["time"], case["zone"]) == case["token"], case["name"]
        assert signer.sign(body, case["time"], case["zone"], padded=True) == case["token_padded"]
        signer.verify(body, case["token"], now=case["time"], zone=case["zone"])
        signer.verify(body, case["token_padded"], now=case["time"], zone=case["zone"])


def test_random_secrets_and_bodies_match_python_hmac():
    for n in [0, 1, 63, 64, 65, 1000, 70_000]:
        secret, body = os.urandom(1 + n % 97), os.urandom(n)
        signer = km.TokenSigner(secret)
        for padded in (False, True):
            token = signer.sign(body, "20261125093000123", "UTC", padded=padded)
            assert token == python_token(secret, body, "20261125093000123", padded)
            assert len(token) == (67 if padded else 66)


def test_a_str_secret_is_its_utf8_bytes():
    body = "카드 취소".encode()
    token = km.TokenSigner("비밀키").sign(body, "20221110120814854")
    assert token == python_token("비밀키".encode(), body, "20221110120814854")
    assert token == km.TokenSigner("비밀키".encode()).sign(body, "20221110120814854")


def test_sign_now_verifies_now_and_refuses_tampering():
    signer = km.TokenSigner(b"k")
    token = signer.sign(b"body")
    signer.verify(b"body", token)
    with pytest.raises(km.TokenMismatch) as e:
        signer.verify(b"bodY", token)
    assert e.value.code == "token_mismatch" and e.value.http_status == 401
    assert isinstance(e.value, km.Error)


def test_the_window_and_the_strict_form():
    signer = km.TokenSigner(b"k")
    token = signer.sign(b"", "20260101000000000")
    signer.verify(b"", token, now="20260101000500000")
    with pytest.raises(km.TokenTimeOutsideWindow):
        signer.verify(b"", token, now="20260101000500001")
    signer.verify(b"", token, now="20260101001000000", max_skew=600)
    padded = signer.sign(b"", "20260101000000000", padded=True)
    signer.verify(b"", padded, now="20260101000000000")
    with pytest.raises(km.PaddedTokenRefused):
        signer.verify(b"", padded, now="20260101000000000", strict=True)


def test_correlation_ids_are_well_formed_and_unique():
    ids = {km.new_correlation_id() for _ in range(10_000)}
    assert len(ids) == 10_000
    assert all(re.fullmatch(r"\d{12}-[0-9a-f]{7}", i) for i in ids), sorted(ids)[:3]
    assert re.fullmatch(r"\d{12}-.{7}", km.new_correlation_id("UTC"))
    with pytest.raises(km.UnknownTimeZone):
        km.new_correlation_id("Mars")


def test_instances_of_a_fleet_draw_disjoint_ids():
    """Issue 20, item 4: the instance number is the suffix's top bits."""
    fleet = [km.CorrelationIds(n) for n in range(16)]
    drawn = [{ids.generate() for _ in range(2_000)} for ids in fleet]
    assert all(len(d) == 2_000 for d in drawn)
    assert len(set().union(*drawn)) == 16 * 2_000
    for n, d in enumerate(drawn):
        assert all(int(i[13:], 16) >> 24 == n for i in d), n
    wide = km.CorrelationIds(300, instance_bits=10)
    assert (wide.instance, wide.instance_bits, wide.ids_per_second) == (300, 10, 1 << 18)
    assert int(wide.generate("UTC")[13:], 16) >> 18 == 300
    assert repr(wide) == "CorrelationIds(instance=300, instance_bits=10)"
    for bad in [(16,), (0, 0), (0, 17), (-1,)]:
        with pytest.raises((km.InvalidInstance, OverflowError)):
            km.CorrelationIds(*bad)


def test_a_client_sends_ids_of_its_instance():
    signer = km.TokenSigner("s")
    keyring = km.Keyring.from_jwks(
        '{"keys":[{"kty":"oct","alg":"A256GCM","kid":"' + "a" * 32 + '","k":"' + "A" * 43 + '"}]}'
    )
    routes = '{"routes":[{"method":"POST","path":"/p","request":"plain","response":"plain"}]}'
    client = km.Client("000170000002000", signer, keyring, routes, instance=5)
    ids = [client.prepare("POST", "/p", b"{}").correlation_id for _ in range(50)]
    assert all(int(i[13:], 16) >> 24 == 5 for i in ids), ids
    with pytest.raises(km.InvalidInstance):
        km.Client("000170000002000", signer, keyring, routes, instance=16)


def test_the_secret_is_never_shown():
    assert "sandbox" not in repr(km.TokenSigner("sandboxSecretKey0001"))
    with pytest.raises(km.InvalidSecret):
        km.TokenSigner(b"")
    with pytest.raises(TypeError):
        km.TokenSigner(1234)
