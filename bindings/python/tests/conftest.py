"""Shared fixtures: the repository's test vectors (made by independent
implementations: Python's hmac and cryptography, joserfc; their generators
are in test-vectors/gen/) and the seed flow's parties."""

import json
from pathlib import Path

import pytest

import konaplate_crypto as km

# The tests run against the installed wheel, never the source folder.
assert "site-packages" in km.__file__, f"konaplate_crypto imported from {km.__file__}"

VECTORS = Path(__file__).resolve().parents[3] / "test-vectors"
SECRET = "sandboxSecretKey0001"
ASP_ID = "000170000002000"
ACCESS_KEY = "K" * 40
KEY_A = "A" * 32
KEY_B = "B" * 32
CANCEL = "/api/v1/card/delivery/cancel"
ROUTES = json.dumps(
    {
        "routes": [
            {
                "method": "POST",
                "path": CANCEL,
                "request": "plain",
                "response": {"fields": ["mobileCardNo", "par"], "strict": False},
            },
            {
                "method": "POST",
                "path": "/api/v1/cards/{cardId}/pan",
                "request": "envelope",
                "response": "envelope",
            },
        ]
    }
)
SEED_REQUEST = b'{"cardApplyNo":"2022110812081460812345","userId":1234567890}'
SEED_RESPONSE = (
    b'{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234",'
    b'"par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}'
)


def vectors(name):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def dir_vectors():
    return vectors("jwe-dir.json")


@pytest.fixture(scope="session")
def keyring(dir_vectors):
    return km.Keyring.from_jwks(json.dumps(dir_vectors["jwks"]))


@pytest.fixture(scope="session")
def signer():
    return km.TokenSigner(SECRET)


@pytest.fixture()
def client(signer, keyring):
    return km.Client(ASP_ID, signer, keyring, ROUTES, access_key=ACCESS_KEY, crypto_key_id=KEY_B)


@pytest.fixture()
def server(signer, keyring):
    return km.Server(signer, keyring, ROUTES)
