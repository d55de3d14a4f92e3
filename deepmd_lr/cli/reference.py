"""``deepmd-lr doc`` and ``deepmd-lr schema``: the section described."""

from __future__ import annotations

import argparse
import sys

from deepmd_lr.cli.streams import PROG, file_errors, write


def run_doc(args: argparse.Namespace) -> int:
    """Print the reference of every learning_rate key."""
    from deepmd_lr.describe.documentation import argument_reference

    sys.stdout.write(argument_reference(args.format))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema for editors."""
    from deepmd_lr.describe.schema import json_schema
    from deepmd_lr.files.writer import dumps

    with file_errors(PROG):
        text = dumps(json_schema(), "json")
    if args.output is None:
        sys.stdout.write(text)
    else:
        write(args.output, text)
    return 0
