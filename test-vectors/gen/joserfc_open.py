#!/usr/bin/env python3
"""Opens JWEs with joserfc, an independent JOSE implementation: the tests run
it on what the crate sealed, to prove a peer can open it.

stdin: {"private_key_pem": "...", "jwes": ["<compact>", ...]}
stdout: {"opened": [{"plaintext_b64": "...", "header": {...}}, ...]}
Exit 1 with a message if any JWE does not open.
"""
import base64
import json
import sys

from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import RSAKey

REGISTRY = JWERegistry(algorithms=["RSA-OAEP-256", "A128GCM", "A256GCM"])


def main():
    req = json.load(sys.stdin)
    key = RSAKey.import_key(req["private_key_pem"])
    out = []
    for i, token in enumerate(req["jwes"]):
        try:
            obj = jwe.decrypt_compact(token, key, registry=REGISTRY)
        except Exception as e:  # report which one and why, then fail
            print(f"joserfc could not open JWE {i}: {e!r}", file=sys.stderr)
            sys.exit(1)
        out.append({"plaintext_b64": base64.b64encode(obj.plaintext).decode(), "header": obj.protected})
    json.dump({"opened": out}, sys.stdout)


if __name__ == "__main__":
    main()
