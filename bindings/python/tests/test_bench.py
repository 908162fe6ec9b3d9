"""The bench script beside the tests runs, and both sides of each pair do
the same work (what joserfc makes, the module opens, and the reverse)."""

import json
import subprocess
import sys
from pathlib import Path

import bench_seed


def test_both_sides_of_the_bench_agree():
    cases = bench_seed.setup()
    ours_sealed, theirs_sealed = (f() for f in cases["encrypt"][:2])
    ours_open, theirs_open = cases["decrypt"]
    assert json.loads(ours_open()) == json.loads(theirs_open()) == json.loads(bench_seed.SEED_RESPONSE)
    # Each side's sealed document has the other side's shape: JWEs in both fields.
    for doc in (ours_sealed, theirs_sealed):
        d = json.loads(doc)
        assert all(d[p].startswith("eyJ") and d[p].count(".") == 4 for p in bench_seed.PATHS)


def test_the_script_reports_every_figure():
    out = subprocess.run(
        [sys.executable, str(Path(bench_seed.__file__)), "--seconds", "0.01", "--json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    results = json.loads(out)
    assert set(results) == {"encrypt", "decrypt"}
    for r in results.values():
        assert r["konaplate_crypto_per_s"] > 0 and r["joserfc_per_s"] > 0
