"""``deepmd-lr check``: every problem of every file, in a chosen format."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from deepmd_lr.cli.streams import PROG, detach_stdout
from deepmd_lr.files.reader import file_format
from deepmd_lr.files.storage import InputFileError, decode_text
from deepmd_lr.section import codes


def run_check(args: argparse.Namespace) -> int:
    """Check files; print one line per problem (FILE:LINE:COLUMN: CODE message)
    and a summary; exit 1 if any has an error."""
    from deepmd_lr.deepmd.installed import default_deepmd_version
    from deepmd_lr.lint.check import check_file
    from deepmd_lr.lint.report import github_line, json_report, summary_line, text_line

    stdin_given = args.files.count("-")
    if stdin_given > 1 or (
        not stdin_given and (args.stdin_filename or args.stdin_format)
    ):
        what = (
            "standard input (-) can be checked once"
            if stdin_given
            else "--stdin-filename and --stdin-format apply to -, which is not given"
        )
        print(f"{PROG} check: error: {what}", file=sys.stderr)
        return 2
    release = args.deepmd_version or default_deepmd_version()
    every: list[Any] = []
    printing = args.format != "json"
    line_of = text_line if args.format == "text" else github_line
    names = _each_file_once(args.files)
    for name in names:
        if name == "-":
            problems = _check_stdin(args, release)
        else:
            problems = check_file(name, release, _backend_of(name, args.backend))
        problems.sort(key=lambda problem: (problem.line, problem.column))
        every.extend(problems)
        if not printing:
            continue
        try:
            for problem in problems:
                print(line_of(problem))
        except BrokenPipeError:
            # Nobody reads the report any more, but the status still counts
            # every file.
            detach_stdout()
            printing = False
    if args.format == "json":
        sys.stdout.write(json_report(every))
    elif printing:
        print(summary_line(every, len(names)))
    failed = any(args.strict or problem.is_error for problem in every)
    return 1 if failed else 0


def _backend_of(name: str, backend: str | None) -> str | None:
    """The trainer to check the file ``name`` for: ``backend`` when given,
    else the one the files beside it show (said on stderr), else ``None``."""
    from deepmd_lr.deepmd.trainers import detect_backend

    if backend is not None:
        return backend
    detected = detect_backend(name)
    if detected is None:
        return None
    print(f"{name}: checked for the trainer {detected}", file=sys.stderr)
    return detected.backend


def _each_file_once(names: list[str]) -> list[str]:
    """``names`` without the later names of a file already named, however
    spelt (``a.json``, ``./a.json``): a file is checked and counted once."""
    first_names: dict[str, str] = {}
    for name in names:
        first_names.setdefault(name if name == "-" else os.path.realpath(name), name)
    return list(first_names.values())


def _check_stdin(args: argparse.Namespace, release: Any) -> list[Any]:
    from deepmd_lr.lint.check import Problem, check_text

    name = args.stdin_filename or "-"
    fmt = args.stdin_format or file_format(name)
    try:
        if sys.stdin is None:
            raise InputFileError("standard input is closed")
        text = decode_text(sys.stdin.buffer.read())
    except (InputFileError, OSError) as error:
        return [Problem(name, 1, 1, codes.UNREADABLE_FILE, "error", "", str(error))]
    return check_text(text, name, fmt, release, args.backend)
