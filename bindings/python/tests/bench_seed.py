#!/usr/bin/env python3
"""The module against joserfc on the seed response: its two marked fields
(mobileCardNo, par) sealed and opened under one A256GCM key, the way a
Python SDK would do it with each. Both sides run in this process in
alternating batches; the figure is the median over rounds of each side's
rate, and the ratio of the medians.

    python bench_seed.py [--seconds S] [--json]

Not a test: timings on a shared machine are reported, never asserted."""

import argparse
import base64
import json
import statistics
import sys
import time
from pathlib import Path

from joserfc import jwe
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

import konaplate_crypto as km

VECTORS = Path(__file__).resolve().parents[3] / "test-vectors"
SEED_RESPONSE = (
    b'{"code":"000_000","message":"Success.","mobileCardNo":"9410123412341234",'
    b'"par":"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"}'
)
PATHS = ["mobileCardNo", "par"]
REGISTRY = JWERegistry(algorithms=["dir", "A256GCM"])


def setup():
    jwks = json.loads((VECTORS / "jwe-dir.json").read_text())["jwks"]
    jwk = next(k for k in jwks["keys"] if k["alg"] == "A256GCM")
    kid = jwk["kid"]
    keyring = km.Keyring.from_jwks(json.dumps(jwks))
    fields = km.Fields(PATHS)
    key = OctKey.import_key(jwk)
    header = {"alg": "dir", "enc": "A256GCM", "kid": kid}

    def joserfc_encrypt(doc):
        d = json.loads(doc)
        for p in PATHS:
            d[p] = jwe.encrypt_compact(header, d[p].encode(), key, registry=REGISTRY)
        return json.dumps(d, separators=(",", ":")).encode()

    def joserfc_decrypt(doc):
        d = json.loads(doc)
        for p in PATHS:
            d[p] = jwe.decrypt_compact(d[p], key, registry=REGISTRY).plaintext.decode()
        return json.dumps(d, separators=(",", ":")).encode()

    sealed = fields.encrypt(SEED_RESPONSE, keyring, kid)
    return {
        "encrypt": (
            lambda: fields.encrypt(SEED_RESPONSE, keyring, kid),
            lambda: joserfc_encrypt(SEED_RESPONSE),
        ),
        "decrypt": (
            lambda: fields.decrypt(sealed, keyring, kid),
            lambda: joserfc_decrypt(sealed),
        ),
    }


def rate(fn, seconds):
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            fn()
        n += 20
    return n / elapsed


def measure(seconds=0.1, rounds=11):
    results = {}
    for name, (ours, theirs) in setup().items():
        a, b = [], []
        for _ in range(rounds):
            a.append(rate(ours, seconds))
            b.append(rate(theirs, seconds))
        results[name] = {
            "konaplate_crypto_per_s": statistics.median(a),
            "joserfc_per_s": statistics.median(b),
            "ratio": statistics.median(a) / statistics.median(b),
        }
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.1, help="time per batch")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    results = measure(args.seconds)
    if args.json:
        json.dump(results, sys.stdout)
        return
    print("seed response, 2 fields, A256GCM (medians of 11 alternating rounds)")
    for name, r in results.items():
        print(
            f"  fields {name}: konaplate_crypto {r['konaplate_crypto_per_s']:>10,.0f}/s"
            f"  joserfc {r['joserfc_per_s']:>8,.0f}/s  ratio {r['ratio']:.1f}x"
        )


if __name__ == "__main__":
    main()
