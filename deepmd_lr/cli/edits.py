"""``deepmd-lr normalize`` and ``deepmd-lr migrate``: inputs rewritten, with
only their learning_rate section edited."""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any

from deepmd_lr.cli.reading import captured_notes, config_errors, read_source
from deepmd_lr.cli.streams import (
    CommandError,
    file_errors,
    print_notes,
    report_stream,
    write,
)
from deepmd_lr.deepmd.migration import is_whole_input, migrate
from deepmd_lr.deepmd.reading import checked_run_input, normalize
from deepmd_lr.files.reader import file_format
from deepmd_lr.files.writer import dumps
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.text import one_line


def run_normalize(args: argparse.Namespace) -> int:
    """Print the input with learning_rate checked and its defaults filled in
    (JSON; other sections unchanged)."""
    from deepmd_lr.section.normalization import normalize_learning_rate

    source, data = read_source(args.file)
    with config_errors(args.file), captured_notes() as notes:
        if is_whole_input(data):
            normalized = normalize(data)
        else:
            normalized = normalize_learning_rate(data)
    to_stdout = args.output is None and not args.in_place and not args.diff
    fmt = "json" if to_stdout else file_format(args.output or args.file)
    text = _rewritten(args.file, source, data, normalized, fmt)
    _put(args, source, text, rewrite_in_place=text != source)
    print_notes(f"{args.file}: ", notes, sys.stderr)
    return 0


def run_migrate(args: argparse.Namespace) -> int:
    """Write what older DeePMD-kit releases did implicitly into an old input:
    the defaults releases before 3.1.3 filled in silently (start_lr 1e-3,
    stop_lr 1e-8, decay_steps 5000), and the stop_lr its input converter
    computes from a v1-era decay_rate; an up-to-date input is left as it is."""
    source, data = read_source(args.file)
    migrated, notes = migrate(data)
    try:
        with config_errors(args.file), file_errors(), captured_notes():
            checked_run_input(migrated, args.file)
    except CommandError as error:
        after = "after migration; " if notes else ""
        raise CommandError(f"{error} ({after}nothing was written)") from None
    fmt = file_format(args.output or args.file)
    text = _rewritten(args.file, source, data, migrated, fmt)
    _put(args, source, text, rewrite_in_place=bool(notes))
    to_stdout = args.output is None and not args.in_place
    report = sys.stderr if to_stdout else report_stream(args.output or args.file)
    for note in notes:
        print(f"{args.file}: {note}", file=report)
    if not notes:
        print(f"{args.file}: nothing to add, already in the 3.1.3 form", file=report)
    return 0


def _rewritten(
    path: str, source: str, data: dict[str, Any], new_data: dict[str, Any], fmt: str
) -> str:
    """``new_data`` as text: ``source`` with only its section edited, in its format.

    In another format than the file's, the whole input is written anew.
    """
    with file_errors(path):
        if fmt != file_format(path):
            return dumps(new_data, fmt)
        from deepmd_lr.files.editing import edit_section

        whole = is_whole_input(data)
        return edit_section(
            source, fmt, new_data[SECTION] if whole else new_data, bare=not whole
        )


def _put(
    args: argparse.Namespace, source: str, text: str, rewrite_in_place: bool
) -> None:
    """Show ``text``, the edited input, as a diff, write it to ``--output`` or
    the file itself, or print it, as the options ask."""
    if args.diff:
        _print_diff(args.file, source, text)
    elif args.output is not None:
        write(args.output, text)
        _note_format_change(args.file, args.output)
    elif not args.in_place:
        sys.stdout.write(text)
    elif rewrite_in_place:
        write(args.file, text)


def _note_format_change(path: str, output: str) -> None:
    """Say so when ``-o`` names another format, which is written anew."""
    fmt = file_format(output)
    if fmt != file_format(path):
        print(
            one_line(
                f"{path}: {output} is written as {fmt.upper()} (by its name), "
                f"not as {file_format(path).upper()} like {path}, so it is written "
                "anew: its data and key order are kept, not the layout or comments"
            ),
            file=sys.stderr,
        )


def _print_diff(path: str, source: str, edited: str) -> None:
    import difflib

    # Lines end at "\n" alone: splitlines() would also break at "\r" and U+2028.
    before, after = (re.findall(r"[^\n]*\n|[^\n]+", text) for text in (source, edited))
    name = os.path.normpath(path).lstrip("/")
    for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"):
        if line.endswith("\n"):
            sys.stdout.write(line)
        else:
            sys.stdout.write(line + "\n\\ No newline at end of file\n")
