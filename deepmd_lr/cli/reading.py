"""Reading an input file for a subcommand, and turning its problems into
one-line command errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from deepmd_lr.cli.streams import CommandError, file_errors
from deepmd_lr.deepmd.reading import RunInput, input_data, read_run_input
from deepmd_lr.files.reader import file_format, parse_input
from deepmd_lr.files.storage import read_text
from deepmd_lr.section.errors import LearningRateConfigError, captured_warnings

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def read_source(path: str) -> tuple[str, dict[str, Any]]:
    """The file's text (with its byte-order mark, if any) and its top-level object.

    Both come from one read, so that an edit of the text matches the data.
    """
    try:
        with file_errors(path):
            source = read_text(path, keep_byte_order_mark=True)
            document = parse_input(source, file_format(path))
    except MemoryError:
        raise CommandError(f"{path}: out of memory while reading the file") from None
    with config_errors(path), file_errors():
        return source, input_data(document.data, path, document.duplicate_keys)


def read_schedule(
    path: str, num_steps: int | None
) -> tuple[BaseLR, RunInput, str, list[str]]:
    """The schedule the input file ``path`` runs, the input as run, where its
    length of training comes from, and the notes of reading and building it."""
    from deepmd_lr.schedules.building import make_learning_rate_schedule

    with config_errors(path), file_errors(), captured_notes() as notes:
        run = read_run_input(path)
        source = "from --num-steps"
        if num_steps is None:
            num_steps = run.num_steps
            source = f"from training.{run.num_steps_key}"
        if num_steps is None:
            raise CommandError(
                f"{path}: the number of training steps is unknown, as the file "
                "has no training.numb_steps. Fix: pass --num-steps N"
            )
        schedule = make_learning_rate_schedule(run.section, num_steps)
    return schedule, run, source, notes + [str(note) for note in run.notes]


@contextmanager
def config_errors(path: str) -> Iterator[None]:
    """Turn a configuration error into a one-line :class:`CommandError`."""
    try:
        yield
    except LearningRateConfigError as error:
        from deepmd_lr.lint.check import yaml_number_hint

        message = " ".join(str(error).split())
        hint = yaml_number_hint(file_format(path), error)
        # Each problem's code, as check gives it, for deepmd-lr explain.
        found = list(dict.fromkeys(problem.code for problem in error.problems))
        if len(error.problems) == 1 and error.code:
            message = f"{error.code} {message}"
        elif any(found):
            message = f"{message} (codes {', '.join(code for code in found if code)})"
        raise CommandError(f"{path}: {message}{hint}") from None


@contextmanager
def captured_notes() -> Iterator[list[str]]:
    """Collect the text of each :class:`LearningRateWarning` once, instead of
    showing it."""
    notes: list[str] = []
    with captured_warnings() as found:
        yield notes
    notes.extend(dict.fromkeys(str(warning) for warning in found))
