"""The learning curve of a DeePMD-kit run: the rate of each displayed step.

The PyTorch trainer of DeePMD-kit writes a learning curve (``lcurve.out``,
or ``training.disp_file``). Each training session starts it with a header
line ``# step ... lr``, then writes a row for every displayed step ``N``
(``N`` counts from 1): the last column is the rate that training step
``N - 1`` ran with, printed as ``%8.1e``, so with two significant digits. A
restarted session appends a header of its own and its rows to the same
file. A multi-task run has a set of loss columns per task and one shared
``lr`` column, last as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from deepmd_lr.files.storage import InputFileError, read_text
from deepmd_lr.section.keys import MAX_STEPS
from deepmd_lr.section.text import short_text


@dataclass(frozen=True)
class LoggedRate:
    """One row of a learning curve."""

    row: int
    """The step number the row shows (from 1)."""
    text: str
    """The rate as printed."""
    line: int
    """The line of the file, from 1."""
    session: int
    """Which training session wrote it: 0 for the first, 1 after a restart..."""

    @property
    def step(self) -> int:
        """The training step (from 0) that ran with this rate: ``row - 1``."""
        return self.row - 1

    @property
    def rate(self) -> float:
        return float(self.text)


def read_learning_curve(path: str | Path) -> list[LoggedRate]:
    """The rows of a DeePMD-kit learning curve (single or multi-task).

    Raises
    ------
    InputFileError
        For a file that cannot be read, or is not such a learning curve;
        the message names the file and the line.
    """
    try:
        text = read_text(path)
    except InputFileError as error:
        raise InputFileError(f"{path}: {error}") from None
    rows: list[LoggedRate] = []
    session = -1
    columns = 0
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        where = f"{path}:{number}"
        if fields[0].startswith("#"):
            names = line.lstrip()[1:].split()
            if names[:1] == ["step"]:
                if names[-1] != "lr":
                    raise InputFileError(
                        f"{where}: the last column is {short_text(names[-1])!r}, not lr: "
                        "not a learning curve of DeePMD-kit's PyTorch trainer"
                    )
                session += 1
                columns = len(names)
            continue
        if session < 0:
            raise InputFileError(
                f"{where}: a row before the header line '# step ... lr': "
                "not a learning curve of DeePMD-kit's PyTorch trainer"
            )
        if len(fields) != columns:
            raise InputFileError(
                f"{where}: {len(fields)} columns where the header has {columns}"
            )
        row = _row_number(where, fields[0])
        _check_rate(where, fields[-1])
        rows.append(LoggedRate(row, fields[-1], number, session))
    if not rows:
        raise InputFileError(f"{path}: no rows, so no rates to check")
    return rows


def _row_number(where: str, text: str) -> int:
    # ASCII digits only (isdigit() accepts "²" and Arabic-Indic digits), and few
    # enough for a step count: at most 2**53.
    if (
        not (text.isascii() and text.isdigit() and len(text) <= 16)
        or not 1 <= int(text) <= MAX_STEPS
    ):
        raise InputFileError(
            f"{where}: the step column holds {short_text(text)!r}, not a step number"
        )
    return int(text)


def _check_rate(where: str, text: str) -> None:
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate >= 0):
        raise InputFileError(
            f"{where}: the lr column holds {short_text(text)!r}, not a learning rate"
        )
