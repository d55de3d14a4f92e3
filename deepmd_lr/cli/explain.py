"""``deepmd-lr explain``: what a problem code means, offline."""

from __future__ import annotations

import argparse
import os
import sys

from deepmd_lr.cli.streams import PROG, CommandError, print_error
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
    import textwrap

    entry = explanations()[code]
    kind = "error" if entry.code.is_error else "warning"
    written = "" if entry.encoding == "utf-8" else f", written in {entry.encoding}"
    print(f"{code} ({kind}): {entry.code.meaning}\n")
    print(f"{entry.text}\n")
    print(f"Example, {entry.file_name}{written}:\n")
    print(textwrap.indent(entry.example, "    "))
    shown = _shown(entry, args.command_line)
    if shown is None:
        print(f"Shown by: {entry.command}\n")
    else:
        print(textwrap.indent(f"$ {entry.command}\n{shown}", "    "))
    print(f"{entry.fix}\n")
    print(f"Documentation: {entry.code.url}")
    return 0


def _shown(entry: Explanation, command_line: argparse.ArgumentParser) -> str | None:
    """What the example's command prints, run on it in a temporary directory
    through ``command_line``; None where ``check`` does not report the code
    here (an example that needs a plugin's schedule type)."""
    # Only on explaining a code: every command starts with this module.
    import contextlib
    import io
    import tempfile
    from pathlib import Path

    words = entry.command.split()
    example_args = command_line.parse_args(words[1:])
    printed = io.StringIO()
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as directory:
        Path(directory, entry.file_name).write_text(
            entry.example, encoding=entry.encoding
        )
        os.chdir(directory)
        try:
            with (
                contextlib.redirect_stdout(printed),
                contextlib.redirect_stderr(printed),
            ):
                try:
                    example_args.run(example_args)
                except CommandError as error:
                    print_error(str(error))
        finally:
            os.chdir(previous)
    if words[1] == "check" and entry.code not in printed.getvalue():
        return None
    return printed.getvalue()
