"""The ``deepmd-lr`` command: check, normalize, show, plot and migrate inputs, audit runs.

Every subcommand that reads a file accepts JSON or YAML (by suffix), holding
a whole training input or the ``learning_rate`` section alone. Problems with
a file or its content are reported as one line on stderr and exit status 1
(``check`` reports every problem on standard output, a line each, see
:mod:`deepmd_lr.lint.report`);
wrong usage exits with status 2; Ctrl-C and SIGTERM exit with 130 and 143
after one line. Files are written atomically, and only after the whole new
content is known to be valid; what is reported as written has been written.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from deepmd_lr import __version__
from deepmd_lr.cli.check import run_check
from deepmd_lr.cli.edits import run_migrate, run_normalize
from deepmd_lr.cli.explain import run_explain
from deepmd_lr.cli.streams import PROG, CommandError, print_error, run_guarded
from deepmd_lr.cli.views import run_audit, run_doc, run_plot, run_schema, run_show
from deepmd_lr.deepmd.trainers import BACKENDS
from deepmd_lr.section.keys import MAX_STEPS


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    return run_guarded(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        status: int = args.run(args)
    except CommandError as error:
        print_error(str(error))
        return 1
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Check, normalize, inspect, plot and migrate the learning_rate "
            "section of DeePMD-kit training inputs (JSON or YAML files, whole "
            "inputs or the section alone)."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    # The order of the help: checking, then looking at a schedule, then
    # rewriting an old input, then describing the section and its codes.
    _add_check(commands)
    _add_edit(commands, "normalize", "write here (JSON, or YAML for .yaml)")
    _add_views(commands)
    _add_edit(commands, "migrate", "write the result here")
    _add_reference(commands)
    explain = _command(commands, "explain", run_explain)
    explain.add_argument(
        "code", nargs="?", metavar="CODE", help="a code such as LR204; none lists all"
    )
    # explain runs the command of a code's example as this command line runs it.
    explain.set_defaults(run_command_line=_run)
    return parser


def _command(
    commands: Any, name: str, run: Callable[[argparse.Namespace], int]
) -> argparse.ArgumentParser:
    # What a command does, as its help shows, is the docstring of its function.
    sub: argparse.ArgumentParser = commands.add_parser(
        name, help=run.__doc__, description=run.__doc__
    )
    sub.set_defaults(run=run)
    return sub


def _add_check(commands: Any) -> None:
    check = _command(commands, "check", run_check)
    check.add_argument(
        "files", nargs="+", metavar="FILE", help="input files; - reads standard input"
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text lines (default), a JSON list, or GitHub Actions annotations",
    )
    check.add_argument(
        "--strict", action="store_true", help="warnings fail the run too (exit 1)"
    )
    _release_options(check)
    check.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the name shown for standard input; its suffix gives the format",
    )
    check.add_argument(
        "--stdin-format",
        choices=("json", "yaml"),
        help="the format of standard input (default: by --stdin-filename, else JSON)",
    )


_EDITS = {
    "normalize": (run_normalize, "the section changes"),
    "migrate": (run_migrate, "something is added"),
}
"""Each command that rewrites a file: its function, and when it rewrites."""


def _add_edit(commands: Any, name: str, output_help: str) -> None:
    run, rewritten_when = _EDITS[name]
    edit = _command(commands, name, run)
    edit.add_argument("file", metavar="FILE")
    target = edit.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", metavar="OUT", help=output_help)
    target.add_argument(
        "--in-place",
        action="store_true",
        help=f"rewrite FILE, atomically and only when {rewritten_when} "
        "(only the learning_rate section changes)",
    )
    target.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what would change in FILE; write nothing",
    )


def _add_views(commands: Any) -> None:
    show = _command(commands, "show", run_show)
    show.add_argument("file", metavar="FILE")
    _num_steps_option(show)
    _release_options(show)
    show.add_argument(
        "--workers",
        type=_worker_count,
        metavar="N",
        help="the number of data-parallel workers: show the rates the trainer "
        "uses with them (needs the backend)",
    )

    plot = _command(commands, "plot", run_plot)
    plot.add_argument("file", metavar="FILE")
    _num_steps_option(plot)
    plot.add_argument(
        "-o", "--output", metavar="OUT.png", required=True, help="image to write"
    )
    plot.add_argument(
        "--lcurve",
        metavar="PATH",
        help="also draw the rates logged in this learning curve (or run directory)",
    )
    scale = plot.add_mutually_exclusive_group()
    scale.add_argument(
        "--log",
        action="store_true",
        default=None,
        help="logarithmic rate axis (the default for exp)",
    )
    scale.add_argument(
        "--linear",
        dest="log",
        action="store_false",
        help="linear rate axis (the default for cosine and wsd)",
    )

    audit = _command(commands, "audit", run_audit)
    audit.add_argument("run_path", metavar="RUN_DIR_OR_LCURVE")
    audit.add_argument(
        "--input",
        metavar="FILE",
        required=True,
        help="the training input the run was started with",
    )
    audit.add_argument(
        "--backend",
        choices=("tf", "pt", "pd"),
        help="the DeePMD-kit trainer that wrote the run (told from its files "
        "where that is certain, else pt)",
    )
    _num_steps_option(audit)


def _add_reference(commands: Any) -> None:
    doc = _command(commands, "doc", run_doc)
    doc.add_argument(
        "--format",
        choices=("md", "rst"),
        default="md",
        help="Markdown (default) or reStructuredText",
    )
    schema = _command(commands, "schema", run_schema)
    schema.add_argument("-o", "--output", metavar="OUT", help="write it here")


def _release_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deepmd-version",
        metavar="X.Y.Z",
        type=_deepmd_release,
        help="warn about what this DeePMD-kit release does with the section "
        "(default: the installed DeePMD-kit, else 3.1.3)",
    )
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help="warn about what this DeePMD-kit trainer does with the section "
        "(default: the one whose checkpoints or frozen model lie beside FILE, "
        "else none: only what every trainer does)",
    )


def _num_steps_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--num-steps",
        type=_step_count,
        metavar="N",
        help="number of training steps (default: training.numb_steps of FILE)",
    )


def _step_count(text: str) -> int:
    shown = (
        repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text)} characters)"
    )
    if len(text.strip().lstrip("+-")) > len(str(MAX_STEPS)):
        raise argparse.ArgumentTypeError(
            f"must be at most 2**53 = {MAX_STEPS}, got {shown}"
        )
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {shown}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {value}")
    if value > MAX_STEPS:
        raise argparse.ArgumentTypeError(
            f"must be at most 2**53 = {MAX_STEPS} (larger steps are not "
            f"exact in float64), got {value}"
        )
    return value


def _worker_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= MAX_STEPS:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_STEPS}, got {value}")
    return value


def _deepmd_release(text: str) -> Any:
    from deepmd_lr.deepmd.installed import DeepmdVersion

    try:
        return DeepmdVersion.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


if __name__ == "__main__":
    raise SystemExit(main())
