"""``deepmd-lr explain``: what a problem code means, offline."""

from __future__ import annotations

import argparse
import sys
import textwrap

from deepmd_lr.cli.streams import PROG
from deepmd_lr.section.codes import CODES, explanations


def run_explain(args: argparse.Namespace) -> int:
    """Explain a problem code (such as LR204): what it means, why it matters,
    an input that shows it and the fix; without CODE, list every code."""
    if args.code is None:
        for code in CODES.values():
            print(f"{code}  {code.meaning}")
        return 0
    code = args.code.upper()
    if code not in CODES:
        known = " ".join(CODES)
        print(
            f"{PROG} explain: error: unknown code {args.code!r}; the codes are {known}",
            file=sys.stderr,
        )
        return 2
    entry = explanations()[code]
    kind = "error" if entry.code.is_error else "warning"
    written = "" if entry.encoding == "utf-8" else f", written in {entry.encoding}"
    print(f"{code} ({kind}): {entry.code.meaning}\n")
    print(f"{entry.text}\n")
    print(f"Example, {entry.file_name}{written}:\n")
    print(textwrap.indent(entry.example, "    "))
    print(f"Shown by: {entry.command}\n")
    print(f"{entry.fix}\n")
    print(f"Documentation: {entry.code.url}")
    return 0
