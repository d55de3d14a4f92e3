"""The learning curve of a DeePMD-kit run: the rate of each displayed step.

Every trainer of DeePMD-kit writes a learning curve (``lcurve.out``, or
``training.disp_file``). Each training session starts it with a header
line ``# step ... lr``, then writes a row for every displayed step ``N``:
the last column is a rate, printed as ``%8.1e``, so with two significant
digits. The PyTorch and Paddle trainers count ``N`` from 1 and print the
rate that training step ``N - 1`` ran with; the TensorFlow trainer counts
from 0 and prints the rate of step ``N`` (see :mod:`.trainers`). A
restarted session appends a header of its own and its rows to the same
file. A multi-task run has a set of loss columns per task and one shared
``lr`` column, last as well.

A run may log millions of rows, so the file is read a line at a time and
its rows are kept as NumPy arrays, a column each.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from deepmd_lr.files.storage import InputFileError, read_lines
from deepmd_lr.section.keys import MAX_STEPS
from deepmd_lr.section.text import short_text


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """The rows of a learning curve, a NumPy array per column, in file order."""

    path: str
    steps: np.ndarray
    """The training step (from 0) that ran with each row's rate: its step
    number less :attr:`row_lag`."""
    lines: np.ndarray
    """The line of each row in the file, from 1."""
    rate_ids: np.ndarray
    """Each row's rate as printed, by its index in :attr:`texts`."""
    texts: tuple[str, ...]
    """The rates as printed, each once."""
    sessions: np.ndarray
    """For each training session, a header line each, the index of its first
    row; a session without rows starts where the next one does."""
    cut_off_line: int | None
    """The line of a last row left out, as the file ends inside it."""
    row_lag: int
    """Row ``N`` holds the rate of step ``N - row_lag``: 1, or 0 for the
    TensorFlow trainer."""

    @cached_property
    def rates(self) -> np.ndarray:
        """Each row's rate."""
        values = np.asarray([float(text) for text in self.texts])
        return np.take(values, self.rate_ids)


def read_learning_curve(path: str | Path, row_lag: int | None = 1) -> LearningCurve:
    """The rows of a DeePMD-kit learning curve (single or multi-task).

    Row ``N`` holds the rate of step ``N - row_lag``; with ``row_lag`` None,
    the first row decides: 0 when it is at step 0 (only the TensorFlow
    trainer writes one), else 1.

    Raises
    ------
    InputFileError
        For a file that cannot be read, or is not such a learning curve;
        the message names the file and the line.
    """
    return learning_curve_of(_lines_of(path), str(path), row_lag)


def learning_curve_of(
    lines: Iterable[str], name: str, row_lag: int | None = 1
) -> LearningCurve:
    """The rows of the learning curve ``name`` whose lines are ``lines``.

    ``row_lag`` is as for :func:`read_learning_curve`.

    Each line ends with ``\\n``, but the last may not. A row without one is
    one the trainer has not finished writing (it was stopped, or is still
    running): its numbers may be cut short, so it is left out, its line kept
    in :attr:`~LearningCurve.cut_off_line`.

    Raises
    ------
    InputFileError
        For lines that are not such a learning curve, naming ``name`` and
        the line.

    Examples
    --------
    >>> curve = learning_curve_of(["# step lr\\n", "1 1.0e-03\\n", "100 9.8e-"], "lc")
    >>> curve.steps.tolist(), curve.texts, curve.cut_off_line
    ([0], ('1.0e-03',), 3)
    """
    steps, line_numbers, rate_ids, sessions = (array("q") for _ in range(4))
    known_rates: dict[str, int] = {}
    columns = 0
    cut_off_line = None
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        step = fields[0]
        if step.startswith("#"):
            names = line.lstrip()[1:].split()
            if names[:1] == ["step"]:
                _check_header(f"{name}:{number}", names)
                sessions.append(len(steps))
                columns = len(names)
            continue
        if row_lag is None:
            row_lag = 0 if step == "0" else 1
        # A row like those before it, checked with as little as possible.
        rate_id = known_rates.get(fields[-1])
        complete = line.endswith("\n")
        if not (
            complete
            and rate_id is not None
            and len(fields) == columns
            and _is_step(step, row_lag)
        ):
            if not sessions:
                raise InputFileError(
                    f"{name}:{number}: a row before the header line '# step ... lr': "
                    "not a learning curve of DeePMD-kit"
                )
            if not complete:
                cut_off_line = number
                break
            rate_id = _check_row(
                f"{name}:{number}", fields, columns, known_rates, row_lag
            )
        steps.append(int(step) - row_lag)
        line_numbers.append(number)
        rate_ids.append(rate_id)
    if not steps:
        cut = "" if cut_off_line is None else f" but one cut off at line {cut_off_line}"
        raise InputFileError(f"{name}: no rows{cut}, so no rates to check")
    return LearningCurve(
        name,
        np.frombuffer(steps, dtype=np.int64),
        np.frombuffer(line_numbers, dtype=np.int64),
        np.frombuffer(rate_ids, dtype=np.int64),
        tuple(known_rates),
        np.frombuffer(sessions, dtype=np.int64),
        cut_off_line,
        1 if row_lag is None else row_lag,
    )


def _lines_of(path: str | Path) -> Iterator[str]:
    """The lines of ``path``, an error reading them naming it."""
    try:
        yield from read_lines(path)
    except InputFileError as error:
        raise InputFileError(f"{path}: {error}") from None


def _check_header(where: str, names: list[str]) -> None:
    if names[-1] != "lr":
        raise InputFileError(
            f"{where}: the last column is {short_text(names[-1])!r}, not lr: "
            "not a learning curve of DeePMD-kit"
        )


def _is_step(text: str, least: int) -> bool:
    """Whether ``text`` is a step number from ``least``: ASCII digits only
    (isdigit() accepts "²" and Arabic-Indic digits), and few enough for a
    step count."""
    return (
        text.isascii()
        and text.isdigit()
        and len(text) <= 16
        and least <= int(text) <= MAX_STEPS
    )


def _check_row(
    where: str,
    fields: list[str],
    columns: int,
    known_rates: dict[str, int],
    least_step: int,
) -> int:
    """The index of a row's rate in ``known_rates``, where it is added if new."""
    if len(fields) != columns:
        raise InputFileError(
            f"{where}: {len(fields)} columns where the header has {columns}"
        )
    if not _is_step(fields[0], least_step):
        raise InputFileError(
            f"{where}: the step column holds {short_text(fields[0])!r}, "
            "not a step number"
        )
    text = fields[-1]
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate >= 0):
        raise InputFileError(
            f"{where}: the lr column holds {short_text(text)!r}, not a learning rate"
        )
    return known_rates.setdefault(text, len(known_rates))
