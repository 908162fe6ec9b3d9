#!/usr/bin/env python3
"""Prints the criterion side of BENCHMARKS.md from criterion's last run.

Reads the median of each benchmark from target/criterion/<group>/<name>/new/
estimates.json and prints one Markdown table: each figure as a ratio of two
medians taken side by side in the same run (absolute times on a shared
machine are noise), with the goal of issue 9 beside it. Run by benches/run.
"""

import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRITERION = os.path.join(ROOT, "target", "criterion")


def median_ns(group, name):
    path = os.path.join(CRITERION, group, *name.split("/"), "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["median"]["point_estimate"]
    except FileNotFoundError:
        return None


# (figure, group, numerator, denominator, goal, what the ratio is)
# A "limit" ratio is limit time / crate time: 1.0 means as fast as the bare
# primitives. A "peer" ratio is peer time / crate time: how many times faster.
ROWS = [
    ("token sign, 256 B", "token-sign-256B", "bare", "crate", 0.9, "of the limit"),
    ("token sign, 1 KiB", "token-sign-1KiB", "bare", "crate", 0.9, "of the limit"),
    ("token verify, 1 KiB", "token-verify-1KiB", "bare", "crate", 0.9, "of the limit"),
    ("JWE dir A256GCM open, 16 B", "jwe-open-16B", "bare", "crate", 0.6, "of the limit"),
    ("JWE open, 1 KiB", "jwe-open-1KiB", "bare", "crate", 0.85, "of the limit"),
    ("JWE seal, 16 B", "jwe-seal-16B", "bare", "crate", 0.85, "of the limit"),
    ("JWE seal, 1 KiB", "jwe-seal-1KiB", "bare", "crate", 0.85, "of the limit"),
    ("marked fields encrypt, seed response (vs two bare seals)", "fields-encrypt-seed", "two-bare-seals", "crate", 0.6, "of the limit"),
    ("marked fields decrypt, seed response (vs two bare opens)", "fields-decrypt-seed", "two-bare-opens", "crate", 0.6, "of the limit"),
    ("envelope seal, 64 KiB", "envelope-seal-64KiB", "bare", "crate", 0.6, "of the limit"),
    ("envelope seal, 4 MiB", "envelope-seal-4MiB", "bare", "crate", 0.6, "of the limit"),
    ("envelope open, 64 KiB", "envelope-open-64KiB", "bare", "crate", 0.8, "of the limit"),
    ("envelope open, 4 MiB", "envelope-open-4MiB", "bare", "crate", 0.8, "of the limit"),
    ("marked fields encrypt, 2 threads vs 1", "scaling-fields-encrypt", "threads/1", "threads/2", 1.8, "x"),
    ("two bare seals, 2 threads vs 1 (for comparison)", "scaling-two-bare-seals", "threads/1", "threads/2", None, "x"),
    ("JWE seal vs josekit, 16 B", "jwe-seal-16B", "josekit", "crate", None, "x faster"),
    ("JWE seal vs josekit, 1 KiB", "jwe-seal-1KiB", "josekit", "crate", None, "x faster"),
    ("JWE open vs josekit, 16 B", "jwe-open-16B", "josekit", "crate", 4.0, "x faster"),
    ("JWE open vs josekit, 1 KiB", "jwe-open-1KiB", "josekit", "crate", 2.0, "x faster"),
]


def git(*args):
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    dirty = " (with uncommitted changes)" if git("status", "--porcelain", "--untracked-files=no") else ""
    print(f"Commit {git('rev-parse', '--short', 'HEAD')}{dirty}, "
          f"{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
          f"{cpu()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"rustc {subprocess.run(['rustc', '--version'], capture_output=True, text=True).stdout.split()[1]}.")
    print()
    print("| figure | ratio | goal | met |")
    print("|---|---|---|---|")
    missing = 0
    for figure, group, num, den, goal, unit in ROWS:
        a, b = median_ns(group, num), median_ns(group, den)
        if a is None or b is None:
            print(f"| {figure} | not run | | |")
            missing += 1
            continue
        ratio = a / b
        if unit == "of the limit":
            shown = f"{ratio:.2f} of the limit"
        else:
            shown = f"{ratio:.2f}{unit}"
        goal_text = "" if goal is None else f">= {goal}"
        met = "" if goal is None else ("yes" if ratio >= goal else "**no**")
        print(f"| {figure} | {shown} | {goal_text} | {met} |")
    ids = median_ns("correlation-id", "generate_at")
    clock = median_ns("correlation-id", "generate")
    if ids is not None:
        print(f"| correlation ids, one thread, fixed instant | {1e3 / ids:.1f} M/s ({ids:.0f} ns) | >= 20 M/s | {'yes' if 1e3 / ids >= 20 else '**no**'} |")
    if clock is not None:
        print(f"| correlation ids, one thread, reading the clock | {1e3 / clock:.1f} M/s ({clock:.0f} ns) | | |")
    print()
    print("Medians in ns, for the record (noise on a shared machine):")
    print()
    groups = sorted({row[1] for row in ROWS} | {"correlation-id"})
    for group in groups:
        for dirpath, dirs, files in os.walk(os.path.join(CRITERION, group)):
            if os.path.basename(dirpath) == "new" and "estimates.json" in files:
                name = os.path.relpath(os.path.dirname(dirpath), CRITERION)
                with open(os.path.join(dirpath, "estimates.json")) as f:
                    print(f"- `{name}`: {json.load(f)['median']['point_estimate']:.0f}")
    return 1 if missing == len(ROWS) else 0


if __name__ == "__main__":
    sys.exit(main())
