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
import errno
import functools
import io
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from deepmd_lr import __version__
from deepmd_lr.files.reader import (
    DuplicateKey,
    InputDocument,
    InputFileError,
    file_format,
    parse_input,
    read_input,
)
from deepmd_lr.files.storage import open_descriptor_named, read_text, write_atomically
from deepmd_lr.files.writer import dumps
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import MAX_STEPS, SECTION
from deepmd_lr.section.text import one_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from deepmd_lr.schedules.base import BaseLR

PROG = "deepmd-lr"

"""Longest message line printed; longer ones keep their start and end."""


class CommandError(Exception):
    """A failure to report as one line on stderr, with exit status 1."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a write in progress is undone."""


INTERRUPTED_STATUS = 128 + signal.SIGINT
TERMINATED_STATUS = 128 + signal.SIGTERM


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    _open_missing_streams()
    _escape_unencodable_output()
    previous_handler = _raise_on_sigterm()
    status = 0
    try:
        status = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; that is not an error, and
        # what was done before keeps its status.
        _detach_stdout()
        return status
    except OSError as error:
        # Files have messages of their own, so this is an output stream failing.
        _detach_stdout()
        reason = (
            "standard output is closed"
            if error.errno == errno.EBADF
            else error.strerror or str(error)
        )
        _print_error(f"{PROG}: cannot write the output: {reason}")
        return 1
    except KeyboardInterrupt as interruption:
        _detach_stdout()
        _print_error(str(interruption) or "interrupted")
        if isinstance(interruption, Terminated):
            return TERMINATED_STATUS
        return INTERRUPTED_STATUS
    except MemoryError:
        _detach_stdout()
        _print_error(f"{PROG}: out of memory")
        return 1
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return status


def _open_missing_streams() -> None:
    # A closed standard stream is None, and the next file opened would take
    # its descriptor. Standard output is taken by a read-only null device,
    # so that writing to it fails like a closed one; stderr writes are lost.
    for number, flags in ((1, os.O_RDONLY), (2, os.O_WRONLY)):
        if getattr(sys, _STREAM_NAMES[number]) is not None:
            continue
        descriptor = os.open(os.devnull, flags)
        if descriptor != number:
            os.dup2(descriptor, number)
            os.close(descriptor)
        stream = open(number, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        setattr(sys, _STREAM_NAMES[number], stream)


_STREAM_NAMES = {1: "stdout", 2: "stderr"}


def _raise_on_sigterm() -> Any:
    def terminate(number: int, frame: Any) -> None:
        raise Terminated

    try:
        return signal.signal(signal.SIGTERM, terminate)
    except ValueError:
        # Signal handlers can only be set from the main thread.
        return None


def _escape_unencodable_output() -> None:
    # A file name or key with a lone surrogate is printed as an escape: a
    # message that cannot be encoded must never fail after the work is done.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        status: int = args.run(args)
    except CommandError as error:
        _print_error(str(error))
        return 1
    return status


def _detach_stdout() -> None:
    # Python flushes stdout once more at exit; with stdout on the null device,
    # that flush cannot fail and print "Exception ignored".
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def _print_error(message: str) -> None:
    print(one_line(message), file=sys.stderr)


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, sized once without importing :mod:`shutil`.

    argparse sizes a formatter for every argument it adds, and its own way
    imports :mod:`shutil` (and with it the compression modules): a cost paid
    on every run, help or not, which matters for a command that pre-commit
    starts once per commit.
    """

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", _help_width())
        super().__init__(prog, **options)


@functools.cache
def _help_width() -> int:
    # What argparse would choose: $COLUMNS, else the terminal's width, less 2.
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            columns = os.get_terminal_size(1).columns
        except (ValueError, OSError):
            columns = 80
    return max(columns, 1) - 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        formatter_class=_HelpFormatter,
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

    def command(name: str, run: Callable[[argparse.Namespace], int], text: str) -> Any:
        sub = commands.add_parser(
            name, help=text, description=text, formatter_class=_HelpFormatter
        )
        sub.set_defaults(run=run)
        return sub

    check = command(
        "check",
        run_check,
        "Check files; print one line per problem (FILE:LINE:COLUMN: CODE "
        "message) and a summary; exit 1 if any has an error.",
    )
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
    check.add_argument(
        "--deepmd-version",
        metavar="X.Y.Z",
        type=_deepmd_release,
        help="warn about what this DeePMD-kit release does with the section "
        "(default: the installed DeePMD-kit, else 3.1.3)",
    )
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

    normalize = command(
        "normalize",
        run_normalize,
        "Print the input with learning_rate checked and its defaults filled in "
        "(JSON; other sections unchanged).",
    )
    normalize.add_argument("file", metavar="FILE")
    normalize_target = normalize.add_mutually_exclusive_group()
    normalize_target.add_argument(
        "-o", "--output", metavar="OUT", help="write here (JSON, or YAML for .yaml)"
    )
    normalize_target.add_argument(
        "--in-place",
        action="store_true",
        help="rewrite FILE, atomically and only when the section changes "
        "(only the learning_rate section changes)",
    )
    _diff_option(normalize_target)

    show = command(
        "show",
        run_show,
        "Describe the schedule: phases, decay rate and the rate at milestones.",
    )
    show.add_argument("file", metavar="FILE")
    _num_steps_option(show)

    plot = command("plot", run_plot, "Draw the schedule into an image file.")
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

    audit = command(
        "audit",
        run_audit,
        "Compare the rates a DeePMD-kit run used (its learning curve and "
        "checkpoints) with the schedule of its input; exit 1 if they depart.",
    )
    audit.add_argument("run_path", metavar="RUN_DIR_OR_LCURVE")
    audit.add_argument(
        "--input",
        metavar="FILE",
        required=True,
        help="the training input the run was started with",
    )
    _num_steps_option(audit)

    migrate = command(
        "migrate",
        run_migrate,
        "Write what older DeePMD-kit releases did implicitly into an old input: "
        "the defaults releases before 3.1.3 filled in silently (start_lr 1e-3, "
        "stop_lr 1e-8, decay_steps 5000), and the stop_lr its input converter "
        "computes from a v1-era decay_rate; an up-to-date input is left as it is.",
    )
    migrate.add_argument("file", metavar="FILE")
    target = migrate.add_mutually_exclusive_group()
    target.add_argument("-o", "--output", metavar="OUT", help="write the result here")
    target.add_argument(
        "--in-place",
        action="store_true",
        help=(
            "rewrite FILE, atomically and only when something is added "
            "(only the learning_rate section changes)"
        ),
    )
    _diff_option(target)

    doc = command("doc", run_doc, "Print the reference of every learning_rate key.")
    doc.add_argument(
        "--format",
        choices=("md", "rst"),
        default="md",
        help="Markdown (default) or reStructuredText",
    )

    schema = command("schema", run_schema, "Print the JSON Schema for editors.")
    schema.add_argument("-o", "--output", metavar="OUT", help="write it here")
    return parser


def _diff_option(group: Any) -> None:
    group.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of what would change in FILE; write nothing",
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


# -- subcommands ------------------------------------------------------------


def _deepmd_release(text: str) -> Any:
    from deepmd_lr.deepmd.releases import DeepmdVersion

    try:
        return DeepmdVersion.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run_check(args: argparse.Namespace) -> int:
    from deepmd_lr.deepmd.releases import default_deepmd_version
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
    for name in args.files:
        problems = (
            _check_stdin(args, release) if name == "-" else check_file(name, release)
        )
        problems.sort(key=lambda problem: (problem.line, problem.column))
        every.extend(problems)
        if not printing:
            continue
        try:
            for problem in problems:
                print(
                    text_line(problem)
                    if args.format == "text"
                    else github_line(problem)
                )
        except BrokenPipeError:
            # Nobody reads the report any more, but the status still counts
            # every file.
            _detach_stdout()
            printing = False
    if args.format == "json":
        sys.stdout.write(json_report(every))
    elif printing:
        print(summary_line(every, len(args.files)))
    failing = every if args.strict else [p for p in every if p.is_error]
    return 1 if failing else 0


def _check_stdin(args: argparse.Namespace, release: Any) -> list[Any]:
    from deepmd_lr.files.storage import decode_text
    from deepmd_lr.lint.check import Problem, check_text

    name = args.stdin_filename or "-"
    fmt = args.stdin_format or (file_format(name) if args.stdin_filename else "json")
    try:
        if sys.stdin is None:
            raise InputFileError("standard input is closed")
        text = decode_text(sys.stdin.buffer.read())
    except (InputFileError, OSError) as error:
        return [Problem(name, 1, 1, "LR001", "error", "", str(error))]
    return check_text(text, name, fmt, release)


def run_normalize(args: argparse.Namespace) -> int:
    source, data = _read_source(args.file)
    with _config_errors(args.file), _captured_notes() as notes:
        normalized = _normalized(data)
    if args.diff or args.in_place:
        edited = _rewritten(args.file, source, data, normalized, file_format(args.file))
        if args.diff:
            _print_diff(args.file, source, edited)
        elif edited != source:
            _write(args.file, edited)
    elif args.output is None:
        sys.stdout.write(_rewritten(args.file, source, data, normalized, "json"))
    else:
        fmt = file_format(args.output)
        _write(args.output, _rewritten(args.file, source, data, normalized, fmt))
        _note_format_change(args.file, args.output)
    _print_notes(f"{args.file}: ", notes, sys.stderr)
    return 0


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


def run_show(args: argparse.Namespace) -> int:
    from deepmd_lr.views.summary import describe_schedule

    schedule, source, notes = _schedule(args.file, args.num_steps)
    print(f"{args.file}")
    for line in describe_schedule(schedule):
        if line.startswith("training steps:"):
            line += f" ({source})"
        print(f"  {line}")
    _print_notes("  ", notes, sys.stdout)
    return 0


def run_plot(args: argparse.Namespace) -> int:
    from deepmd_lr.views.plotting import MatplotlibMissingError, plot_schedule

    schedule, _, notes = _schedule(args.file, args.num_steps)
    logged = None if args.lcurve is None else _logged_rates(args.lcurve, args.file)
    image = io.BytesIO()
    # Extreme rates make matplotlib warn over several lines; the image is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ax = plot_schedule(
                schedule, log=args.log, label=None if logged is None else "schedule"
            )
            if logged is not None:
                from deepmd_lr.views.plotting import plot_logged_rates

                curve, rows = logged
                plot_logged_rates(
                    ax,
                    [row.step for row in rows],
                    [row.rate for row in rows],
                    label=f"logged in {curve.name}",
                )
        except MatplotlibMissingError as error:
            raise CommandError(f"{PROG} plot: {error}") from None
        # A file name is text, not mathtext between dollar signs.
        title = f"{args.file}: type {schedule.type_name}".replace("$", r"\$")
        ax.set_title(title, fontsize="medium", pad=14)
        figure = ax.figure
        try:
            figure.savefig(image, format=Path(args.output).suffix[1:] or None, dpi=120)
        except (ValueError, RuntimeError, OSError) as error:
            # An unknown format, or one whose tool (LaTeX for .pgf) is missing.
            raise CommandError(
                f"{args.output}: cannot write the image: {error}"
            ) from None
        finally:
            import matplotlib.pyplot as plt

            plt.close(figure)
    _write_bytes(args.output, image.getvalue())
    report = _report_stream(args.output)
    _print_notes(f"{args.file}: ", notes, report)
    print(f"wrote {args.output}", file=report)
    return 0


def _logged_rates(run: str, input_path: str) -> tuple[Path, list[Any]]:
    from deepmd_lr.audit.run import find_run_files, read_learning_curve

    data, _ = _read(input_path)
    try:
        curve = find_run_files(run, data.get("training")).learning_curve
        if curve is None:
            raise CommandError(f"{run}: no learning curve there to draw")
        return curve, read_learning_curve(curve)
    except InputFileError as error:
        raise CommandError(str(error)) from None


def run_audit(args: argparse.Namespace) -> int:
    from deepmd_lr.audit.run import audit_files, describe_audit, find_run_files

    schedule, _, notes = _schedule(args.input, args.num_steps)
    data, _ = _read(args.input)
    try:
        audit = audit_files(
            schedule, find_run_files(args.run_path, data.get("training"))
        )
    except InputFileError as error:
        raise CommandError(str(error)) from None
    print(f"{args.run_path}: rates of the schedule in {args.input}")
    for line in describe_audit(audit):
        print(f"  {one_line(line)}")
    _print_notes("  ", notes, sys.stdout)
    return 0 if audit.followed else 1


def run_migrate(args: argparse.Namespace) -> int:
    from deepmd_lr.deepmd.migration import migrate

    source, data = _read_source(args.file)
    migrated, notes = migrate(data)
    try:
        with _config_errors(args.file), _captured_notes():
            _run_section(migrated)
    except CommandError as error:
        after = "after migration; " if notes else ""
        raise CommandError(f"{error} ({after}nothing was written)") from None
    to_stdout = args.output is None and not args.in_place
    fmt = file_format(args.output or args.file)
    text = _rewritten(args.file, source, data, migrated, fmt)
    if args.diff:
        _print_diff(args.file, source, text)
    elif to_stdout:
        sys.stdout.write(text)
    elif args.output is not None:
        _write(args.output, text)
        _note_format_change(args.file, args.output)
    elif notes:
        _write(args.file, text)
    report = sys.stderr if to_stdout else _report_stream(args.output or args.file)
    for note in notes:
        print(f"{args.file}: {note}", file=report)
    if not notes:
        print(f"{args.file}: nothing to add, already in the 3.1.3 form", file=report)
    return 0


def run_doc(args: argparse.Namespace) -> int:
    from deepmd_lr.describe.documentation import argument_reference

    sys.stdout.write(argument_reference(args.format))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from deepmd_lr.describe.schema import json_schema

    text = _dumps(json_schema(), "json")
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(args.output, text)
    return 0


# -- helpers ----------------------------------------------------------------


def _read(path: str) -> tuple[dict[str, Any], list[DuplicateKey]]:
    """The file's top-level object, and the repeated keys outside its section.

    A key repeated inside the ``learning_rate`` section, or a repeated
    section, is an error: which of the values was meant cannot be known.
    """
    try:
        document = read_input(path)
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None
    return _top_level(path, document)


def _read_source(path: str) -> tuple[str, dict[str, Any]]:
    """The file's text (with its byte-order mark, if any) and its top-level object.

    Both come from one read, so that an edit of the text matches the data.
    """
    try:
        source = read_text(path, keep_byte_order_mark=True)
        document = parse_input(source, file_format(path))
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None
    except MemoryError:
        raise CommandError(f"{path}: out of memory while reading the file") from None
    return source, _top_level(path, document)[0]


def _top_level(
    path: str, document: InputDocument
) -> tuple[dict[str, Any], list[DuplicateKey]]:
    data = document.data
    if not isinstance(data, dict):
        from deepmd_lr.lint.check import not_an_object

        raise CommandError(f"{path}: {not_an_object(data)}")
    from deepmd_lr.deepmd.migration import v0_input_problem

    v0 = v0_input_problem(data)
    if v0 is not None:
        raise CommandError(f"{path}: {v0}")
    in_section, others = [], []
    for duplicate in document.duplicate_keys:
        if not _is_whole_input(data):
            in_section.append(DuplicateKey((SECTION, *duplicate.path), duplicate.line))
        elif duplicate.path[0] == SECTION:
            in_section.append(duplicate)
        else:
            others.append(duplicate)
    if in_section:
        first = in_section[0]
        with _config_errors(path):
            raise LearningRateConfigError(
                first.key_path,
                "the key is given more than once"
                + (f" (again at line {first.line})" if first.line else "")
                + ", so which value is meant is unclear",
                f"Fix: keep a single {first.path[-1]}",
            )
    return data, others


def _is_whole_input(data: dict[str, Any]) -> bool:
    from deepmd_lr.deepmd.migration import is_whole_input

    return is_whole_input(data)


def _normalized(data: dict[str, Any]) -> dict[str, Any]:
    from deepmd_lr.deepmd.reading import normalize
    from deepmd_lr.section.normalization import normalize_learning_rate

    if _is_whole_input(data):
        return normalize(data)
    return normalize_learning_rate(data)


def _run_section(data: dict[str, Any]) -> tuple[Any, int | None, list[str]]:
    """The section DeePMD-kit runs for ``data``, checked, the length of
    training the input gives, and what DeePMD-kit rewrites.

    Raises
    ------
    LearningRateConfigError
        For every problem of it, placed at the keys the input writes.
    """
    from deepmd_lr.deepmd.reading import checked_input
    from deepmd_lr.section.normalization import normalize_learning_rate

    if not _is_whole_input(data):
        normalize_learning_rate(data)
        return data, None, []
    num_steps, reading = checked_input(data)
    return reading.section, num_steps, [str(warning) for warning in reading.warnings]


def _schedule(path: str, num_steps: int | None) -> tuple[BaseLR, str, list[str]]:
    from deepmd_lr.schedules.building import make_learning_rate_schedule

    data, _ = _read(path)
    source = "from --num-steps"
    with _config_errors(path), _captured_notes() as notes:
        section, given_steps, rewritten = _run_section(data)
        if num_steps is None:
            num_steps = given_steps
            training = data.get("training") if _is_whole_input(data) else None
            if isinstance(training, dict) and "numb_steps" not in training:
                source = "from training.stop_batch"
            else:
                source = "from training.numb_steps"
        if num_steps is None:
            raise CommandError(
                f"{path}: the number of training steps is unknown, as the file "
                "has no training.numb_steps. Fix: pass --num-steps N"
            )
        schedule = make_learning_rate_schedule(section, num_steps)
    return schedule, source, notes + rewritten


@contextmanager
def _config_errors(path: str) -> Iterator[None]:
    """Turn a configuration error into a one-line :class:`CommandError`."""
    try:
        yield
    except LearningRateConfigError as error:
        message = " ".join(str(error).split())
        hint = _yaml_number_hint(path, error)
        raise CommandError(f"{path}: {message}{hint}") from None


def _yaml_number_hint(path: str, error: LearningRateConfigError) -> str:
    from deepmd_lr.lint.check import yaml_number_hint

    return yaml_number_hint(file_format(path), error)


@contextmanager
def _captured_notes() -> Iterator[list[str]]:
    """Collect :class:`LearningRateWarning` messages instead of showing them."""
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LearningRateWarning)
        yield notes
    for warning in caught:
        if issubclass(warning.category, LearningRateWarning):
            text = str(warning.message)
            if text not in notes:
                notes.append(text)
        else:
            warnings.warn_explicit(
                warning.message,
                warning.category,
                warning.filename,
                warning.lineno,
            )


def _print_notes(prefix: str, notes: list[str], stream: TextIO) -> None:
    for note in notes:
        print(f"{prefix}note: {one_line(note)}", file=stream)


def _dumps(data: Any, fmt: str, source: str = PROG) -> str:
    try:
        return dumps(data, fmt)
    except InputFileError as error:
        raise CommandError(f"{source}: {error}") from None


def _rewritten(
    path: str, source: str, data: dict[str, Any], new_data: dict[str, Any], fmt: str
) -> str:
    """``new_data`` as text: ``source`` with only its section edited, in its format.

    In another format than the file's, the whole input is written anew.
    """
    if fmt != file_format(path):
        return _dumps(new_data, fmt, path)
    from deepmd_lr.files.editing import edit_section

    whole = _is_whole_input(data)
    try:
        return edit_section(
            source, fmt, new_data[SECTION] if whole else new_data, bare=not whole
        )
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None


def _print_diff(path: str, source: str, edited: str) -> None:
    import difflib

    # Lines end at "\n" alone: splitlines() would also break at "\r" and U+2028.
    for line in difflib.unified_diff(
        re.findall(r"[^\n]*\n|[^\n]+", source),
        re.findall(r"[^\n]*\n|[^\n]+", edited),
        f"a/{os.path.normpath(path).lstrip('/')}",
        f"b/{os.path.normpath(path).lstrip('/')}",
    ):
        if line.endswith("\n"):
            sys.stdout.write(line)
        else:
            sys.stdout.write(line + "\n\\ No newline at end of file\n")


def _write(path: str, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def _write_bytes(path: str, content: bytes) -> None:
    try:
        write_atomically(path, content)
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None
    except KeyboardInterrupt as interruption:
        raise type(interruption)(_interrupted_write(path, content)) from None


def _interrupted_write(path: str, content: bytes) -> str:
    # The write is atomic: the file holds its old bytes or the new ones.
    if open_descriptor_named(path) is not None or not os.path.isfile(path):
        return "interrupted"
    try:
        with open(path, "rb") as written:
            done = written.read(len(content) + 1) == content
    except OSError:
        return "interrupted"
    return f"interrupted; {path} {'was written' if done else 'is unchanged'}"


def _report_stream(output: str) -> TextIO:
    # Reports must not mix into content written to standard output.
    return sys.stderr if open_descriptor_named(output) == 1 else sys.stdout


if __name__ == "__main__":
    raise SystemExit(main())
