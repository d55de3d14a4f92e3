"""``deepmd-lr doc`` and ``deepmd-lr schema``: the section described."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from deepmd_lr.cli.reading import dumps_or_fail
from deepmd_lr.cli.streams import write

if TYPE_CHECKING:
    pass


def run_doc(args: argparse.Namespace) -> int:
    from deepmd_lr.describe.documentation import argument_reference

    sys.stdout.write(argument_reference(args.format))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from deepmd_lr.describe.schema import json_schema

    text = dumps_or_fail(json_schema(), "json")
    if args.output is None:
        sys.stdout.write(text)
    else:
        write(args.output, text)
    return 0
