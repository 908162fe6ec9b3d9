"""The server's side of the RSA test keys as one keyring (a JWK Set):
the server's private key, to open what clients seal to its certificate,
and the client's public key, to seal the server's answers to. The mirror
of rsa/keyring.json (the client's side), from the same PEM files, written
by Python's `cryptography` (rsa.py's JWK layout).

    python3 test-vectors/gen/server_keyring.py
"""

import json
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from rsa import jwk_of

RSA = Path(__file__).resolve().parent.parent / "rsa"


def main():
    server = serialization.load_pem_private_key((RSA / "server-private-pkcs8.pem").read_bytes(), None)
    # Only the client's public half goes in (jwk_of takes the key pair).
    client = serialization.load_pem_private_key((RSA / "client-private-pkcs8.pem").read_bytes(), None)
    certified = x509.load_pem_x509_certificate((RSA / "client-certificate.pem").read_bytes()).public_key()
    assert certified.public_numbers() == client.public_key().public_numbers()
    keyring = {"keys": [jwk_of(client, False), jwk_of(server, True)]}
    (RSA / "server-keyring.json").write_text(json.dumps(keyring, indent=1) + "\n")


if __name__ == "__main__":
    main()
