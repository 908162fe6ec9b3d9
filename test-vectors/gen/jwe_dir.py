#!/usr/bin/env python3
"""Generates the JWE `dir` vectors: sealing with fixed IVs, opening, refusals,
marked fields and the encData envelope.

Expected values come from Python's `cryptography` (AES-GCM) and `base64`, and
every JWE made here is cross-checked by opening it with `joserfc`, an
independent JOSE implementation; some are made by `joserfc` itself. Keys are
random test keys made here, never credentials. Deterministic for the fixed-IV
parts (seeded); the joserfc-made tokens change on each run.

    pip install cryptography joserfc
    python3 test-vectors/gen/jwe_dir.py
"""
import base64
import json
import random
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe
from joserfc.jwk import OctKey

OUT = Path(__file__).resolve().parent.parent
rng = random.Random(5160)


def b64u(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def unb64u(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def kid(c: str) -> str:
    return (c * 32)[:32]


KEYS = {
    kid("A"): ("A128GCM", rng.randbytes(16)),
    kid("B"): ("A256GCM", rng.randbytes(32)),
    kid("C"): ("A256GCM", rng.randbytes(32)),  # a second key, for "wrong key" cases
}


def jwks(kids):
    return {"keys": [{"kty": "oct", "kid": k, "use": "enc", "alg": KEYS[k][0], "k": b64u(KEYS[k][1])} for k in kids]}


def header_b64(enc, k, cty=None):
    h = '{"alg":"dir","enc":"%s","kid":"%s"' % (enc, k) if k else '{"alg":"dir","enc":"%s"' % enc
    h += ',"cty":"%s"}' % cty if cty else "}"
    return b64u(h.encode())


def seal(k, plaintext: bytes, iv: bytes, cty=None, header=None, key=None):
    enc, raw = KEYS[k]
    key = key or raw
    h = header or header_b64(enc, k, cty)
    ct = AESGCM(key).encrypt(iv, plaintext, h.encode())
    compact = ".".join([h, "", b64u(iv), b64u(ct[:-16]), b64u(ct[-16:])])
    return compact


def joserfc_open(compact, k):
    return jwe.decrypt_compact(compact, OctKey.import_key(KEYS[k][1])).plaintext


RFC7520_5_6 = {
    "name": "RFC 7520 section 5.6: direct encryption using AES-GCM",
    "jwk": {"kty": "oct", "kid": "77c7e2b8-6e13-45cf-8672-617b5b45243a", "use": "enc", "alg": "A128GCM",
            "k": "XctOhJAkA-pD9Lh7ZgW_2A"},
    "compact": "eyJhbGciOiJkaXIiLCJraWQiOiI3N2M3ZTJiOC02ZTEzLTQ1Y2YtODY3Mi02MTdiNWI0NTI0M2EiLCJlbmMiOiJBMTI4R0NNIn0"
               "..refa467QzzKx6QAB.JW_i_f52hww_ELQPGaYyeAB6HYGcR559l9TYnSovc23XJoBcW29rHP8yZOZG7YhLpT1bjFuvZPjQS-m0"
               "IFtVcXkZXdH_lr_FrdYt9HRUYkshtrMmIUAyGmUnd9zMDB2n0cRDIHAzFVeJUDxkUwVAE7_YGRPdcqMyiBoCO-FBdE-Nceb4h3-"
               "FtBP-c_BIwCPTjb9o0SbdcdREEMJMyZBH8ySWMVi1gPD9yxi-aQpGbSv_F9N4IZAxscj5g-NJsUPbjk29-s7LJAGb15wEBtXphV"
               "Cgyy53CoIKLHHeJHXex45Uz9aKZSRSInZI-wjsY0yu3cT4_aQ3i1o-tiE-F8Ios61EKgyIQ4CWao8PFMj8TTnp.vbb32Xvllea2"
               "OtmHAdccRQ",
    "plaintext": "You can trust us to stick with you through thick and thin\u2013to the bitter end. And you can trust "
                 "us to keep any secret of yours\u2013closer than you keep it yourself. But you cannot trust us to "
                 "let you face trouble alone, and go off without a word. We are your friends, Frodo.",
}


def check_rfc7520():
    c = RFC7520_5_6
    h, ek, iv, ct, tag = c["compact"].split(".")
    pt = AESGCM(unb64u(c["jwk"]["k"])).decrypt(unb64u(iv), unb64u(ct) + unb64u(tag), h.encode())
    assert pt.decode() == c["plaintext"], "RFC 7520 5.6 does not decrypt to its plaintext"
    return c


def seal_cases():
    cases = []
    plaintexts = [
        ("card number", "9410123412341234", None),
        ("PAN replacement", "Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0", None),
        ("empty", "", None),
        ("korean text", "홍길동 카드", None),
        ("JSON number (cty json)", "1234567890123456789", "json"),
        ("JSON object (cty json)", '{"a": [1, 2, null]}', "json"),
        ("long", "x" * 3000, None),
    ]
    for i, (name, pt, cty) in enumerate(plaintexts):
        k = [kid("A"), kid("B")][i % 2]
        iv = rng.randbytes(12)
        compact = seal(k, pt.encode(), iv, cty)
        assert joserfc_open(compact, k) == pt.encode()
        cases.append({"name": name, "kid": k, "iv_hex": iv.hex(), "plaintext": pt, "json": cty == "json",
                      "compact": compact})
    return cases


def joserfc_made():
    """JWEs made by joserfc: member orders and headers this crate did not choose."""
    out = []
    for k, protected in [
        (kid("A"), {"enc": "A128GCM", "alg": "dir", "kid": kid("A")}),
        (kid("B"), {"kid": kid("B"), "alg": "dir", "enc": "A256GCM", "typ": "JWE"}),
        (kid("B"), {"alg": "dir", "enc": "A256GCM", "kid": kid("B"), "cty": "json"}),
    ]:
        pt = json.dumps({"mobileCardNo": "9410123412341234"}) if protected.get("cty") else "9410123412341234"
        compact = jwe.encrypt_compact(protected, pt.encode(), OctKey.import_key(KEYS[k][1]))
        out.append({"name": "joserfc " + json.dumps(protected), "compact": compact, "plaintext": pt,
                    "kid": k, "expect": "open"})
    return out


def refusals():
    k = kid("B")
    enc, key = KEYS[k]
    good = seal(k, b"9410123412341234", bytes(12))
    h, ek, iv, ct, tag = good.split(".")

    def flip(part: str) -> str:
        raw = bytearray(unb64u(part))
        raw[0] ^= 1
        return b64u(bytes(raw))

    def hdr(obj):
        return b64u(json.dumps(obj, separators=(",", ":")).encode())

    cases = [
        ("tampered header", ".".join([hdr({"alg": "dir", "enc": "A256GCM", "kid": k, "x": 1}), ek, iv, ct, tag]), "decryption_failed"),
        ("tampered IV", ".".join([h, ek, flip(iv), ct, tag]), "decryption_failed"),
        ("tampered ciphertext", ".".join([h, ek, iv, flip(ct), tag]), "decryption_failed"),
        ("tampered tag", ".".join([h, ek, iv, ct, flip(tag)]), "decryption_failed"),
        ("wrong key under the right kid", seal(k, b"x", bytes(12), key=KEYS[kid("C")][1]), "decryption_failed"),
        ("unknown kid", seal(k, b"x", bytes(12), header=header_b64("A256GCM", kid("Z"))), "unknown_key_id"),
        ("no kid and no key id given", seal(k, b"x", bytes(12), header=header_b64("A256GCM", None)), "no_key_id"),
        ("enc A256GCM against an A128GCM key", seal(kid("A"), b"x", bytes(12), header=header_b64("A256GCM", kid("A")), key=bytes(32)), "key_mismatch"),
        ("alg none", ".".join([hdr({"alg": "none", "enc": "A256GCM", "kid": k}), ek, iv, ct, tag]), "unsupported"),
        ("alg A128KW", ".".join([hdr({"alg": "A128KW", "enc": "A256GCM", "kid": k}), ek, iv, ct, tag]), "unsupported"),
        ("enc A192GCM", ".".join([hdr({"alg": "dir", "enc": "A192GCM", "kid": k}), ek, iv, ct, tag]), "unsupported"),
        ("enc A128CBC-HS256", ".".join([hdr({"alg": "dir", "enc": "A128CBC-HS256", "kid": k}), ek, iv, ct, tag]), "unsupported"),
        ("zip", ".".join([hdr({"alg": "dir", "enc": "A256GCM", "kid": k, "zip": "DEF"}), ek, iv, ct, tag]), "unsupported"),
        ("crit", ".".join([hdr({"alg": "dir", "enc": "A256GCM", "kid": k, "crit": ["exp"], "exp": 1}), ek, iv, ct, tag]), "unsupported"),
        ("16-byte IV", ".".join([h, ek, b64u(bytes(16)), ct, tag]), "malformed"),
        ("8-byte tag", ".".join([h, ek, iv, ct, b64u(unb64u(tag)[:8])]), "malformed"),
        ("dir with an encrypted key", ".".join([h, b64u(bytes(16)), iv, ct, tag]), "malformed"),
        ("four parts", ".".join([h, ek, iv, ct]), "malformed"),
        ("six parts", good + ".", "malformed"),
        ("padded base64", ".".join([h, ek, iv, ct, tag + "=="]), "malformed"),
        ("standard alphabet", ".".join([h, ek, iv, ct.replace("-", "+").replace("_", "/") + "+", tag]), "malformed"),
        ("header not JSON", ".".join([b64u(b"{alg:dir}"), ek, iv, ct, tag]), "malformed"),
        ("header repeats alg", ".".join([b64u(('{"alg":"dir","alg":"dir","enc":"A256GCM","kid":"%s"}' % k).encode()), ek, iv, ct, tag]), "malformed"),
        ("empty", "", "malformed"),
    ]
    for name, compact, _ in cases:
        if name.startswith("tampered") or name.startswith("wrong key"):
            try:
                joserfc_open(compact, k)
                raise AssertionError(f"joserfc opened {name}")
            except AssertionError:
                raise
            except Exception:
                pass
    return [{"name": n, "compact": c, "expect": e} for n, c, e in cases]


def fields_cases():
    """Documents as pieces: literal text, and values to encrypt (JSON text).
    The expected output replaces each value, in document order, by the JWE
    string made with the next IV; literal text is kept byte for byte."""
    V = lambda raw: {"value": raw}
    docs = [
        ("seed response", ["mobileCardNo", "par"], kid("B"),
         ['{"code":"000_000","message":"Success.", "mobileCardNo":', V('"9410123412341234"'), ' ,\n  "par" : ',
          V('"Q1J4AwSWD4Jr4e4G7wUP2ujLKQ0"'), "}"]),
        ("wildcard over an array, non-string types", ["cardDataInfo[*].par", "$.cardDataInfo[*].limit"], kid("A"),
         ['{"cardDataInfo":[{"par":', V('"P1"'), ',"limit":', V("1000000"), '},{"par":', V("null"),
          '},{"limit":', V('{"daily":5,"monthly":[1,2]}'), ',"par":', V('"P\\u0033"'), "}]}"]),
        ("wildcard over an object, bracket names, nested", ["$['card info'][*]", "list[1][0]"], kid("B"),
         ['{"card info":{"a":', V("true"), ',"b":', V('"b\\n\\"quoted\\""'), '},"list":[[1],[', V("2.5e10"),
          ',3]],"other":"untouched  \\u00e9"}']),
        ("same value named twice is encrypted once", ["mobileCardNo", "$['mobileCardNo']"], kid("A"),
         ['{ "mobileCardNo" : ', V('"1111222233334444"'), " }"]),
        ("a path matching nothing is skipped", ["par", "missing.deep[0]"], kid("A"),
         ['[{"par":"x"}, {"mobileCardNo":"1"}]']),
        ("korean and emoji values", ["name", "memo"], kid("B"),
         ['{"name":', V('"홍길동"'), ',"memo":', V('"💳 카드"'), "}"]),
    ]
    cases = []
    for name, paths, k, pieces in docs:
        doc, expected, plaintexts, ivs = "", "", [], []
        for p in pieces:
            if isinstance(p, str):
                doc += p
                expected += p
                continue
            raw = p["value"]
            value = json.loads(raw)
            if isinstance(value, str):
                pt, cty = value.encode(), None
            else:
                pt, cty = raw.encode(), "json"
            iv = rng.randbytes(12)
            compact = seal(k, pt, iv, cty)
            assert joserfc_open(compact, k) == pt
            doc += raw
            expected += '"' + compact + '"'
            ivs.append(iv.hex())
            plaintexts.append(raw)
        json.loads(doc)
        json.loads(expected)
        cases.append({"name": name, "paths": paths, "kid": k, "document": doc, "ivs_hex": ivs, "expected": expected})
    return cases


def field_failures():
    k = kid("B")
    good = seal(k, b"9410123412341234", bytes(12))
    return [
        {"name": "invalid JSON", "op": "encrypt", "paths": ["a"], "document": '{"a":1,}', "expect": "invalid_json"},
        {"name": "repeated member name", "op": "encrypt", "paths": ["a"], "document": '{"a":1,"a":2}', "expect": "invalid_json"},
        {"name": "bad path", "op": "encrypt", "paths": ["a..b"], "document": '{"a":1}', "expect": "invalid_path"},
        {"name": "overlapping paths", "op": "encrypt", "paths": ["a", "a.b"], "document": '{"a":{"b":1}}', "expect": "invalid_field"},
        {"name": "strict and nothing matches", "op": "encrypt", "paths": ["a", "zzz"], "strict": True, "document": '{"a":1}', "expect": "field_not_found"},
        {"name": "decrypt a value that is not a string", "op": "decrypt", "paths": ["a"], "document": '{"a":1}', "expect": "invalid_field"},
        {"name": "decrypt a string that is not a JWE", "op": "decrypt", "paths": ["a"], "document": '{"a":"plain"}', "expect": "malformed"},
        {"name": "second field tampered: no output at all", "op": "decrypt", "paths": ["a", "b"],
         "document": '{"a":"%s","b":"%s"}' % (good, good[:-2] + ("AA" if good[-2:] != "AA" else "BA")), "expect": "decryption_failed"},
        {"name": "not UTF-8", "op": "encrypt", "paths": ["a"], "document_hex": "7b2261223a22ff227d", "expect": "invalid_json"},
    ]


def envelopes():
    out = []
    for name, body, k in [
        ("seed request body", '{"cardApplyNo":"2022110812081460812345","userId":1234567890}', kid("A")),
        ("whitespace is kept", '{ "userId" : 1 }\n', kid("B")),
        ("empty body", "", kid("B")),
    ]:
        iv = rng.randbytes(12)
        compact = seal(k, body.encode(), iv)
        assert joserfc_open(compact, k) == body.encode()
        out.append({"name": name, "kid": k, "body": body, "iv_hex": iv.hex(),
                    "envelope": '{"encData":"%s"}' % compact})
    refuse = [
        ("not an object", '["x"]'),
        ("extra member", '{"encData":"%s","x":1}' % out[0]["envelope"][12:-2]),
        ("other member name", '{"data":"%s"}' % out[0]["envelope"][12:-2]),
        ("encData not a string", '{"encData":1}'),
        ("not JSON", "encData"),
    ]
    return out, [{"name": n, "envelope": e} for n, e in refuse]


def main():
    sealed, refused_env = envelopes()
    doc = {
        "about": "JWE alg dir with A128GCM/A256GCM (SPEC section 5). Fixed-IV vectors computed with Python "
                 "cryptography's AESGCM and checked by opening them with joserfc; some tokens made by joserfc. "
                 "Test keys only.",
        "generator": "test-vectors/gen/jwe_dir.py",
        "jwks": jwks([kid("A"), kid("B")]),
        "other_jwks": jwks([kid("C")]),
        "rfc7520_5_6": check_rfc7520(),
        "seal": seal_cases(),
        "open": joserfc_made(),
        "refuse": refusals(),
        "fields": fields_cases(),
        "field_failures": field_failures(),
        "envelope": sealed,
        "envelope_refuse": refused_env,
    }
    (OUT / "jwe-dir.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
