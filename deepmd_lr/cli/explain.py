"""``deepmd-lr explain``: what a problem code means, offline."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import textwrap
from pathlib import Path

from deepmd_lr.cli.check import run_check
from deepmd_lr.cli.streams import PROG
from deepmd_lr.section.codes import CODES, Explanation, explanations


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
    shown = _shown(entry)
    if shown is None:
        print(f"Shown by: {entry.command}\n")
    else:
        print(f"$ {entry.command}\n{textwrap.indent(shown, '    ')}")
    print(f"{entry.fix}\n")
    print(f"Documentation: {entry.code.url}")
    return 0


def _shown(entry: Explanation) -> str | None:
    """What the example's ``check`` command prints, run on it in a temporary
    directory; None for another command, or for an example that needs what
    is not installed here (a plugin's schedule type)."""
    words = entry.command.split()
    if words[1] != "check":
        return None
    from deepmd_lr.deepmd.releases import DeepmdVersion

    version = None
    if "--deepmd-version" in words:
        version = DeepmdVersion.parse(words[words.index("--deepmd-version") + 1])
    args = argparse.Namespace(
        files=[entry.file_name],
        format="text",
        strict=False,
        stdin_filename=None,
        stdin_format=None,
        deepmd_version=version,
    )
    printed = io.StringIO()
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, entry.file_name).write_text(
            entry.example, encoding=entry.encoding
        )
        os.chdir(directory)
        try:
            with contextlib.redirect_stdout(printed):
                run_check(args)
        finally:
            os.chdir(previous)
    return printed.getvalue() if entry.code in printed.getvalue() else None
