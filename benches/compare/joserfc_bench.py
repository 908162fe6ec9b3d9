#!/usr/bin/env python3
"""Python joserfc on the inputs of benches/compare/run: the same four
operations, measured as main.rs measures the crate (a fixed time per round,
five rounds, the median rate). One JSON line per operation."""

import base64
import json
import os
import sys
import time

from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

REGISTRY = JWERegistry(algorithms=["dir", "A256GCM"])

with open(os.path.join(sys.argv[1], "inputs.json")) as f:
    INPUT = json.load(f)
KEY = OctKey.import_key(base64.urlsafe_b64decode(INPUT["key_b64url"] + "=="))
HEADER = {"alg": "dir", "enc": "A256GCM", "kid": INPUT["kid"]}
PLAINTEXT = INPUT["plaintext"].encode()


def seal(data):
    return jwe.encrypt_compact(HEADER, data, KEY, registry=REGISTRY)


def open_(token):
    return jwe.decrypt_compact(token, KEY, registry=REGISTRY).plaintext


def encrypt_fields(text):
    doc = json.loads(text)
    for f in INPUT["fields"]:
        doc[f] = seal(doc[f].encode())
    return json.dumps(doc, separators=(",", ":"))


def decrypt_fields(text):
    doc = json.loads(text)
    for f in INPUT["fields"]:
        doc[f] = open_(doc[f]).decode()
    return json.dumps(doc, separators=(",", ":"))


# The same answers the crate gives.
assert open_(INPUT["jwe"]) == PLAINTEXT
assert decrypt_fields(INPUT["response_encrypted"]) == INPUT["response"]


def rate(op):
    rates = []
    for _ in range(5):
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < 0.4:
            for _ in range(64):
                op()
            n += 64
        rates.append(n / (time.perf_counter() - start))
    return sorted(rates)[2]


for name, op in [
    ("seal-1KiB", lambda: seal(PLAINTEXT)),
    ("open-1KiB", lambda: open_(INPUT["jwe"])),
    ("fields-encrypt", lambda: encrypt_fields(INPUT["response"])),
    ("fields-decrypt", lambda: decrypt_fields(INPUT["response_encrypted"])),
]:
    print(json.dumps({"impl": "joserfc (Python)", "op": name, "ops": round(rate(op))}))
