#!/usr/bin/env python3
"""Prints the first fenced block of a language from the README, so that the
README's C and Python examples are the ones CI compiles and runs.

    readme_block.py LANGUAGE [README]"""
import re
import sys

language = sys.argv[1]
path = sys.argv[2] if len(sys.argv) > 2 else "README.md"
text = open(path, encoding="utf-8").read()
match = re.search(r"^```" + re.escape(language) + r"\n(.*?)^```$", text, re.S | re.M)
if match is None:
    sys.exit(f"no ```{language} block in {path}")
sys.stdout.write(match.group(1))
