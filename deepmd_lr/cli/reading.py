"""Reading an input file for a subcommand, and turning its problems into
one-line command errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from deepmd_lr.cli.streams import PROG, CommandError
from deepmd_lr.deepmd.migration import is_whole_input
from deepmd_lr.files.reader import (
    DuplicateKey,
    InputDocument,
    InputFileError,
    dumps,
    file_format,
    parse_input,
    read_input,
)
from deepmd_lr.files.storage import read_text
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import SECTION

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def read(path: str) -> tuple[dict[str, Any], list[DuplicateKey]]:
    """The file's top-level object, and the repeated keys outside its section.

    A key repeated inside the ``learning_rate`` section, or a repeated
    section, is an error: which of the values was meant cannot be known.
    """
    try:
        document = read_input(path)
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None
    return _top_level(path, document)


def read_source(path: str) -> tuple[str, dict[str, Any]]:
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
        if not is_whole_input(data):
            in_section.append(DuplicateKey((SECTION, *duplicate.path), duplicate.line))
        elif duplicate.path[0] == SECTION:
            in_section.append(duplicate)
        else:
            others.append(duplicate)
    if in_section:
        first = in_section[0]
        with config_errors(path):
            raise LearningRateConfigError(
                "/".join(first.path),
                "the key is given more than once"
                + (f" (again at line {first.line})" if first.line else "")
                + ", so which value is meant is unclear",
                f"Fix: keep a single {first.path[-1]}",
            )
    return data, others


def run_section(data: dict[str, Any]) -> tuple[Any, int | None, list[str]]:
    """The section DeePMD-kit runs for ``data``, checked, the length of
    training the input gives, and what DeePMD-kit rewrites.

    Raises
    ------
    LearningRateConfigError
        For every problem of it, placed at the keys the input writes.
    """
    from deepmd_lr.deepmd.reading import checked_input
    from deepmd_lr.section.normalization import normalize_learning_rate

    if not is_whole_input(data):
        normalize_learning_rate(data)
        return data, None, []
    num_steps, reading = checked_input(data)
    return reading.section, num_steps, [str(warning) for warning in reading.warnings]


def read_schedule(path: str, num_steps: int | None) -> tuple[BaseLR, str, list[str]]:
    from deepmd_lr.schedules.building import make_learning_rate_schedule

    data, _ = read(path)
    source = "from --num-steps"
    with config_errors(path), captured_notes() as notes:
        section, given_steps, rewritten = run_section(data)
        if num_steps is None:
            num_steps = given_steps
            training = data.get("training") if is_whole_input(data) else None
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
def config_errors(path: str) -> Iterator[None]:
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
def captured_notes() -> Iterator[list[str]]:
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


def dumps_or_fail(data: Any, fmt: str, source: str = PROG) -> str:
    try:
        return dumps(data, fmt)
    except InputFileError as error:
        raise CommandError(f"{source}: {error}") from None
