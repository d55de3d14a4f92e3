"""``deepmd-lr explain``: what a problem code means, offline."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

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
    import textwrap

    entry = explanations()[code]
    kind = "error" if entry.code.is_error else "warning"
    written = "" if entry.encoding == "utf-8" else f", written in {entry.encoding}"
    print(f"{code} ({kind}): {entry.code.meaning}\n")
    print(f"{entry.text}\n")
    print(f"Example, {entry.file_name}{written}:\n")
    print(textwrap.indent(entry.example, "    "))
    shown = _shown(entry, args.run_command_line)
    if shown is None:
        print(f"Shown by: {entry.command}\n")
    else:
        print(textwrap.indent(f"$ {entry.command}\n{shown}", "    "))
    print(f"{entry.fix}\n")
    print(f"Documentation: {entry.code.url}")
    return 0


def _shown(
    entry: Explanation, run_command_line: Callable[[list[str]], int]
) -> str | None:
    """What the example's command prints, or None where ``check`` does not
    report the code here (an example that needs a plugin's schedule type)."""
    printed = example_output(entry, run_command_line)
    if entry.command.split()[1] == "check" and entry.code not in printed:
        return None
    return printed


def example_output(
    entry: Explanation, run_command_line: Callable[[list[str]], int]
) -> str:
    """What the example's command prints (on stdout and stderr alike), run
    by ``run_command_line`` (a function of the words after ``deepmd-lr``) on
    the example, written to a temporary directory."""
    # Only on explaining a code: every command starts with this module.
    import contextlib
    import io
    import tempfile
    from pathlib import Path

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
                run_command_line(entry.command.split()[1:])
        finally:
            os.chdir(previous)
    return printed.getvalue()
