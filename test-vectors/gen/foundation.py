#!/usr/bin/env python3
"""Generates the foundation test vectors (tokens, times, correlation ids, RFC 4231).

Expected values come from Python's standard library (hmac, hashlib, base64,
datetime), never from the crate under test. Deterministic: rerunning it
rewrites the same files.

    python3 test-vectors/gen/foundation.py
"""
import base64
import datetime as dt
import hashlib
import hmac
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent
ZONES = {"UTC": 0, "KST": 9 * 3600, "JST+09:00": 9 * 3600, "EST-05:00": -5 * 3600, "IST+05:30": 19800}


def write(name, about, cases):
    doc = {"about": about, "generator": "test-vectors/gen/foundation.py", "cases": cases}
    (OUT / name).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def mac_b64(secret: bytes, body: bytes) -> str:
    return base64.standard_b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()


def t17(ms: int, offset: int) -> str:
    t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms, seconds=offset)
    return t.strftime("%Y%m%d%H%M%S") + f"{t.microsecond // 1000:03d}"


def tokens():
    rng = random.Random(20261124)
    cases = []
    plain = [
        ("ascii secret, seed body", "sandboxSecretKey0001", '{"cardApplyNo":"2022110812081460812345","userId":1}'),
        ("ascii secret, empty body (GET)", "sandboxSecretKey0001", ""),
        ("korean secret and body", "비밀키-시크릿", '{"name":"홍길동","memo":"카드 취소"}'),
        ("emoji in body", "k", '{"note":"\U0001F4B3 card"}'),
        ("secret longer than a SHA-256 block", "s" * 100, "body"),
        ("secret with base64 look (used as text, not decoded)", "c2VjcmV0", "body"),
        ("body with CRLF and trailing space", "sk", "line1\r\nline2 \n"),
    ]
    for name, secret, body in plain:
        cases.append({"name": name, "secret": secret, "body": body})
    # Raw, non-UTF-8 bodies: the token signs bytes, not text.
    cases.append({"name": "binary body", "secret": "sk", "body_hex": bytes(range(256)).hex()})
    cases.append({"name": "long random body", "secret": "sk", "body_hex": rng.randbytes(5000).hex()})
    for i, c in enumerate(cases):
        secret = c["secret"].encode()
        body = bytes.fromhex(c["body_hex"]) if "body_hex" in c else c["body"].encode()
        zone = ["KST", "UTC"][i % 2]
        ms = 1667876894608 + i * 86_400_123
        time = t17(ms, ZONES[zone])
        padded = mac_b64(secret, body)
        c.update({
            "zone": zone,
            "unix_ms": ms,
            "time": time,
            "token": f"KMV1:{time}:{padded.rstrip('=')}",
            "token_padded": f"KMV1:{time}:{padded}",
        })
        assert len(c["token"]) == 66 and len(c["token_padded"]) == 67
    return cases


def token_failures(good):
    """Tokens to refuse, each with the error kind the crate must give."""
    g = good[0]
    tok = g["token"]
    mac = tok[23:]
    raw = base64.standard_b64decode(mac + "=")
    # Same 32 bytes, but the last character carries non-zero trailing bits.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(mac[-1])
    noncanon = mac[:-1] + alphabet[last | 1 if last % 4 == 0 else last ^ 1]
    # Python ignores trailing bits, so this is the same MAC in a non-canonical spelling.
    assert noncanon != mac and base64.b64decode(noncanon + "=") == raw
    cases = [
        ("empty", "", "malformed"),
        ("65 characters", tok[:-1], "malformed"),
        ("68 characters", tok + "A", "malformed"),
        ("wrong prefix", "KMV2" + tok[4:], "malformed"),
        ("lowercase prefix", "kmv1" + tok[4:], "malformed"),
        ("month 13", tok[:9] + "13" + tok[11:], "malformed"),
        ("30 February", "KMV1:20230230120814608:" + mac, "malformed"),
        ("29 February of a common year", "KMV1:20230229120814608:" + mac, "malformed"),
        ("hour 24", "KMV1:20221108240814608:" + mac, "malformed"),
        ("non-digit in time", "KMV1:2022110812O814608:" + mac, "malformed"),
        ("missing second colon", tok[:22] + "-" + tok[23:], "malformed"),
        ("base64url alphabet", tok[:23] + mac.replace("+", "-").replace("/", "_") if ("+" in mac or "/" in mac) else tok[:23] + "-" + mac[1:], "malformed"),
        ("non-canonical trailing bits", tok[:23] + noncanon, "malformed"),
        ("padding on a 66-character token", tok[:-1] + "=", "malformed"),
        ("non-ASCII", tok[:-2] + "é", "malformed"),
        ("wrong body", tok, "mismatch", {"body": g["body"] + " "}),
        ("wrong secret", tok, "mismatch", {"secret": g["secret"] + "x"}),
        ("flipped MAC character", tok[:30] + ("A" if tok[30] != "A" else "B") + tok[31:], "mismatch"),
        ("stale: 301 s old", tok, "outside_window", {"now_unix_ms": g["unix_ms"] + 301_000}),
        ("future: 301 s ahead", tok, "outside_window", {"now_unix_ms": g["unix_ms"] - 301_000}),
        ("wrong zone reads the time 9 h off", tok, "outside_window", {"zone": "UTC"}),
        ("padded form in strict mode", g["token_padded"], "padded_refused", {"strict": True}),
    ]
    out = []
    for case in cases:
        name, token, kind = case[:3]
        extra = case[3] if len(case) > 3 else {}
        c = {"name": name, "token": token, "expect": kind, "secret": g["secret"], "body": g["body"],
             "zone": g["zone"], "now_unix_ms": g["unix_ms"], "strict": False}
        c.update(extra)
        out.append(c)
    # Boundaries that pass: exactly the allowed skew either way.
    for name, delta in [("exactly 300 s old", 300_000), ("exactly 300 s ahead", -300_000)]:
        c = {"name": name, "token": tok, "expect": "ok", "secret": g["secret"], "body": g["body"],
             "zone": g["zone"], "now_unix_ms": g["unix_ms"] + delta, "strict": False}
        out.append(c)
    return out


def times():
    rng = random.Random(7)
    valid = []
    instants = [0, -1, 951782400000, 951868799999, 1709218799999, 4102444799999, 4102444800000,
                946684800000, 946684799999, 1667876894608]
    instants += [rng.randrange(946684800000, 4102444800000) for _ in range(40)]
    for i, ms in enumerate(instants):
        zone = list(ZONES)[i % len(ZONES)]
        t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms, seconds=ZONES[zone])
        case = {"unix_ms": ms, "zone": zone, "seconds14": t.strftime("%Y%m%d%H%M%S"),
                "millis17": t.strftime("%Y%m%d%H%M%S") + f"{t.microsecond // 1000:03d}"}
        # yyMMddHHmmss is only defined for 2000-2099.
        case["short12"] = t.strftime("%y%m%d%H%M%S") if 2000 <= t.year <= 2099 else None
        valid.append(case)
    invalid = [
        ("20231301000000", "seconds14", "month 13"),
        ("20230001000000", "seconds14", "month 00"),
        ("20230230000000", "seconds14", "day 30 is not a day of February 2023"),
        ("20230229000000", "seconds14", "day 29 is not a day of February 2023"),
        ("21000229000000", "seconds14", "day 29 is not a day of February 2100"),
        ("20230431000000", "seconds14", "day 31 is not a day of April"),
        ("20230100000000", "seconds14", "day 00"),
        ("20230101240000", "seconds14", "hour 24"),
        ("20230101236000", "seconds14", "minute 60"),
        ("20230101235960", "seconds14", "second 60"),
        ("2023010123595", "seconds14", "found 13 characters"),
        ("202301012359590", "seconds14", "found 15 characters"),
        ("2023-101235959", "seconds14", "non-digit at position 5"),
        ("２0230101235959", "seconds14", "characters"),
        ("20230101235959", "millis17", "found 14 characters"),
        ("2023010123595999x", "millis17", "non-digit at position 17"),
        ("230229120000", "short12", "day 29 is not a day of February 2023"),
        ("991231246000", "short12", "hour 24"),
    ]
    for text, fmt, reason in invalid:
        if fmt != "short12" and text.isascii() and text.isdigit() and len(text) == {"seconds14": 14, "millis17": 17}[fmt]:
            try:
                dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S")
                raise AssertionError(f"{text} is valid per Python")
            except ValueError:
                pass
    leap = [y for y in range(1600, 2401) if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0]
    return valid, [{"text": t, "format": f, "reason_contains": r} for t, f, r in invalid], leap


def correlation_ids():
    valid = ["221108120814-0a1b2c3", "221108120814-0A1B2C3", "000101000000-0000000", "991231235959-fffffff",
             "240229000000-1234567"]
    for v in valid:
        dt.datetime.strptime("20" + v[:12], "%Y%m%d%H%M%S")
    invalid = [
        ("221108120814-0a1b2c", "expected 20 characters"),
        ("221108120814-0a1b2c34", "expected 20 characters"),
        ("221108120814_0a1b2c3", "expected '-'"),
        ("221108120814-0a1b2g3", "character 19 is not a hexadecimal digit"),
        ("221108120814-0x1b2c3", "character 15 is not a hexadecimal digit"),
        ("221308120814-0a1b2c3", "month 13"),
        ("230229120814-0a1b2c3", "day 29 is not a day of February 2023"),
        ("221108240814-0a1b2c3", "hour 24"),
        ("221108126014-0a1b2c3", "minute 60"),
        ("221108120860-0a1b2c3", "second 60"),
        ("2211081208140a1b2c3-", "expected '-'"),
        ("22110812081-40a1b2c3", "non-digit at position 12"),
        ("", "expected 20 characters"),
    ]
    return valid, [{"id": i, "reason_contains": r} for i, r in invalid]


RFC4231 = [
    # (test case, key, data, HMAC-SHA-256 hex from RFC 4231 section 4, truncated bits or None)
    (1, b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", None),
    (2, b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", None),
    (3, b"\xaa" * 20, b"\xdd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe", None),
    (4, bytes(range(1, 26)), b"\xcd" * 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b", None),
    (5, b"\x0c" * 20, b"Test With Truncation", "a3b6167473100ee06e0c796c2955552b", 128),
    (6, b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", None),
    (7, b"\xaa" * 131, b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", None),
]


def rfc4231():
    out = []
    for n, key, data, expect, trunc in RFC4231:
        full = hmac.new(key, data, hashlib.sha256).hexdigest()
        assert full.startswith(expect), f"RFC 4231 case {n}: Python disagrees with the RFC"
        out.append({"name": f"RFC 4231 test case {n}", "key_hex": key.hex(), "data_hex": data.hex(),
                    "mac_hex": expect, "truncated_bits": trunc})
    return out


def main():
    good = tokens()
    write("tokens.json", "X-KM-Tran-Token vectors (SPEC section 3): HMAC-SHA256 over the exact body, "
          "secret's UTF-8 bytes as key, standard base64; 66-character and padded 67-character forms. "
          "Times are T17 of unix_ms read in zone.", good)
    write("token-failures.json", "Tokens a verifier must refuse, with the error kind (malformed, mismatch, "
          "outside_window, padded_refused); max skew 300 s. 'ok' cases mark the inclusive boundary.",
          token_failures(good))
    valid, invalid, leap = times()
    write("times.json", "Unix instants formatted in a zone (Python datetime), and texts that are not real "
          "calendar times. 'leap_years' lists every leap year from 1600 to 2400.",
          {"valid": valid, "invalid": invalid, "leap_years": leap})
    cv, ci = correlation_ids()
    write("correlation-ids.json", "X-KM-Correlation-Id: yyMMddHHmmss-xxxxxxx (SPEC section 2).",
          {"valid": cv, "invalid": ci})
    write("rfc4231.json", "HMAC-SHA256 test cases of RFC 4231 section 4 (values from the RFC, checked "
          "against Python's hmac when generated).", rfc4231())


if __name__ == "__main__":
    main()
