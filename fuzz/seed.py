#!/usr/bin/env python3
"""Seeds each fuzz target's corpus (fuzz/corpus/<target>/) from test-vectors/
and routes/: tokens, correlation ids, JWEs, envelopes, key files, route
tables. Standard library only; the corpora are not committed."""
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VEC = ROOT / "test-vectors"


def put(target, name, data):
    d = HERE / "corpus" / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def load(name):
    return json.loads((VEC / name).read_text())


for i, c in enumerate(load("tokens.json")["cases"]):
    for k in ("token", "token_padded"):
        if k in c:
            put("token", f"{i}-{k}", c[k])
for i, c in enumerate(load("token-failures.json")["cases"]):
    put("token", f"fail-{i}", c["token"])
ids = load("correlation-ids.json")
for i, v in enumerate(ids["cases"]["valid"] if "cases" in ids else ids["valid"]):
    put("correlation_id", f"valid-{i}", v)

dir_ = load("jwe-dir.json")
for group in ("seal", "open", "refuse"):
    for i, c in enumerate(dir_[group]):
        put("jwe_open_dir", f"{group}-{i}", c["compact"])
for i, c in enumerate(dir_["envelope"]):
    put("envelope_open", f"{i}", c["envelope"])
for i, c in enumerate(dir_["envelope_refuse"]):
    put("envelope_open", f"refuse-{i}", c["envelope"])
rsa = load("jwe-rsa.json")
for group in ("open", "refuse"):
    for i, c in enumerate(rsa[group]):
        put("jwe_open_rsa", f"{group}-{i}", c["jwe"])
for i, c in enumerate(dir_["fields"]):
    for p in c["paths"]:
        put("field_paths", f"{i}-{p}", p)

put("jwks_load", "dir", json.dumps(dir_["jwks"]))
put("jwks_load", "rsa", (VEC / "rsa" / "keyring.json").read_text())
for f in sorted((VEC / "rsa").iterdir()):
    put("key_load", f.name, f.read_bytes())
put("key_load", "jwks", json.dumps(dir_["jwks"]))
put("routes", "kona", (ROOT / "routes" / "kona.json").read_bytes())

# The JSON scanner against serde_json: documents from the vectors, and the
# edges the scanner is meant to take (big numbers, nesting at the limit).
for i, c in enumerate(dir_["open"]):
    put("json_agrees", f"doc-{i}", json.dumps(c))
put("json_agrees", "big-number", '{"a":1e999,"b":-1.7976931348623157e309}')
put("json_agrees", "deep", "[" * 64 + "]" * 64)
put("json_agrees", "escapes", '{"a":"\\ud83d\\ude00\\n","b":[true,false,null]}')
