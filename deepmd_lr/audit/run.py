"""What a DeePMD-kit run really used: its logged rates against its schedule.

The PyTorch trainer of DeePMD-kit writes a learning curve (``lcurve.out``,
or ``training.disp_file``). Each training session starts it with a header
line ``# step ... lr``, then writes a row for every displayed step ``N``
(``N`` counts from 1): the last column is the rate that training step
``N - 1`` ran with, printed as ``%8.1e``, so with two significant digits. A
restarted session appends a header of its own and its rows to the same
file. A multi-task run has a set of loss columns per task and one shared
``lr`` column, last as well. A checkpoint ``model.ckpt-N.pt`` (or
``training.save_ckpt``) keeps the rate of step ``N - 1`` exactly, as ``lr``
and ``step`` of ``model/_extra_state/train_infos``.

DeePMD-kit 3.1.3 resumes a run (``dp --pt train --restart``) with a torch
scheduler whose base rate is restored from the optimizer, ``value(0)``, and
whose factor at step ``t`` is ``value(t + s) / value(s)``, where ``s`` is
the step restarted from. Every step ``t`` of the resumed session then runs
with ``value(0) * value(t + s) / value(s)`` instead of ``value(t)``.
DeePMD-kit 3.2.0 fixed it; :func:`audit_rates` recognises the pattern.

Neither torch nor DeePMD-kit is imported here; torch is imported only to
read checkpoints, and checkpoints are skipped when it is missing.
"""

from __future__ import annotations

import math
import os
import re
import stat
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.files.storage import InputFileError, read_text
from deepmd_lr.section.keys import MAX_STEPS
from deepmd_lr.section.text import short_text

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

__all__ = [
    "CHECKPOINT_TOLERANCE",
    "CheckpointRate",
    "Comparison",
    "LoggedRate",
    "Restart",
    "RunAudit",
    "RunFiles",
    "audit_rates",
    "audit_run",
    "describe_audit",
    "find_run_files",
    "printed_rate",
    "read_checkpoint_rates",
    "read_learning_curve",
    "rounds_to",
]

DEFAULT_LEARNING_CURVE = "lcurve.out"
"""``training.disp_file`` when the input does not set it."""

DEFAULT_CHECKPOINT_PREFIX = "model.ckpt"
"""``training.save_ckpt`` when the input does not set it."""

CHECKPOINT_TOLERANCE = 1e-12
"""Relative difference allowed between a checkpoint's rate and the schedule.

The same bound as between deepmd-lr's rates and DeePMD-kit's own; it also
covers the rounding of the rate through a torch scheduler's factor.
"""

PRINT_DIGITS = 2
"""Significant digits of the rate in a learning curve (``%8.1e``)."""

PRINT_ROUNDING = 0.05
"""Largest relative error that printing a rate with two digits makes."""

_CHECKPOINT_NUMBER = re.compile(r"-([0-9]{1,16})\.pt\Z")
_MAX_START_CANDIDATES = 100_000
"""Most restart steps tried when fitting the 3.1.3 restart pattern."""


def printed_rate(rate: float) -> str:
    """``rate`` as a DeePMD-kit learning curve prints it, without padding.

    Examples
    --------
    >>> printed_rate(0.00123), printed_rate(9.96e-4), printed_rate(0.0)
    ('1.2e-03', '1.0e-03', '0.0e+00')
    """
    return f"{rate:.{PRINT_DIGITS - 1}e}"


def rounds_to(expected: float, logged: float) -> bool:
    """Whether a rate printed as ``logged`` can be ``expected``.

    ``expected`` matches when it rounds to ``logged`` with two significant
    digits, after a relative change of at most :data:`CHECKPOINT_TOLERANCE`:
    a rate within that distance of a tie between two printed values
    matches both, since which way the trainer's own rounding went cannot be
    told.

    Examples
    --------
    >>> rounds_to(1.23e-3, 1.2e-3), rounds_to(1.26e-3, 1.2e-3)
    (True, False)
    >>> rounds_to(1.25e-3, 1.2e-3), rounds_to(1.25e-3, 1.3e-3)
    (True, True)
    """
    low = float(printed_rate(expected * (1 - CHECKPOINT_TOLERANCE)))
    high = float(printed_rate(expected * (1 + CHECKPOINT_TOLERANCE)))
    return low <= logged <= high


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


@dataclass(frozen=True)
class CheckpointRate:
    """The exact rate a checkpoint holds."""

    path: str
    step: int
    """The training step (from 0) that ran with ``rate``."""
    rate: float


@dataclass(frozen=True)
class Comparison:
    """A rate the run used, next to the rate its schedule defines."""

    source: str
    """``FILE:LINE`` for a learning curve's row, the file for a checkpoint."""
    step: int
    """The training step, from 0."""
    logged: float
    logged_text: str
    expected: float
    matches: bool

    @property
    def relative_error(self) -> float:
        if self.expected == 0:
            return 0.0 if self.logged == 0 else math.inf
        return abs(self.logged - self.expected) / self.expected


@dataclass(frozen=True)
class Restart:
    """A session that ran with DeePMD-kit 3.1.3's restart rates."""

    start_step: int
    """The step ``s`` the session resumed at: the latest that fits its rows."""
    earliest_start: int
    """The earliest step that fits as well; rows of a staircase cannot tell apart
    the steps of one stair."""
    source: str
    """Where the session's rows start: ``FILE:LINE``."""
    rows: int
    """How many of its rows follow ``value(0) * value(t + s) / value(s)``."""


@dataclass(frozen=True)
class RunAudit:
    """The rates of a run compared with its schedule."""

    learning_curve: str | None
    checkpoint_files: tuple[str, ...]
    checked_checkpoints: bool
    """False when checkpoints were found but torch is not installed."""
    logged: tuple[Comparison, ...]
    """The learning curve's rows, in file order."""
    checkpoints: tuple[Comparison, ...]
    """The checkpoints, by step."""
    restarts: tuple[Restart, ...]
    unexplained: tuple[Comparison, ...]
    """Departures that the restarts found do not account for."""

    @property
    def departures(self) -> list[Comparison]:
        return [c for c in (*self.logged, *self.checkpoints) if not c.matches]

    @property
    def followed(self) -> bool:
        """Whether every rate the run used is the schedule's."""
        return not self.departures

    @property
    def first_departure(self) -> Comparison | None:
        """The departure at the earliest step (the earliest in the files on a tie)."""
        return min(self.departures, key=lambda c: c.step, default=None)

    @property
    def worst(self) -> Comparison | None:
        """The comparison with the largest relative error."""
        everything = (*self.logged, *self.checkpoints)
        return max(everything, key=lambda c: c.relative_error, default=None)


@dataclass(frozen=True)
class RunFiles:
    """The files of a run that hold the rates it used."""

    learning_curve: Path | None
    checkpoints: tuple[Path, ...]


def find_run_files(
    run: str | Path, training: Mapping[str, Any] | None = None
) -> RunFiles:
    """The learning curve and checkpoints of ``run``, a directory or a file.

    A file is taken as the learning curve alone. In a directory, the names
    come from ``training.disp_file`` and ``training.save_ckpt`` of the
    input, or DeePMD-kit's defaults ``lcurve.out`` and ``model.ckpt``.

    Raises
    ------
    InputFileError
        When ``run`` does not exist, or holds neither file.
    """
    try:
        return _find_run_files(Path(run), training)
    except OSError as error:  # a name too long, a loop of links, ...
        reason = (
            "no such file or directory"
            if isinstance(error, FileNotFoundError)
            else error.strerror
        )
        raise InputFileError(f"{short_text(os.fspath(run))}: {reason}") from None


def _find_run_files(run: Path, training: Mapping[str, Any] | None) -> RunFiles:
    os.stat(run)  # a missing run, or one behind a loop of links, is named
    if not run.is_dir():
        return RunFiles(run, ())
    training = training if isinstance(training, Mapping) else {}
    curve_name = _file_name(training, "disp_file", DEFAULT_LEARNING_CURVE)
    prefix = run / _file_name(training, "save_ckpt", DEFAULT_CHECKPOINT_PREFIX)
    curve = run / curve_name
    numbered = []
    if prefix.parent.is_dir():
        for path in prefix.parent.glob(f"{_glob_escape(prefix.name)}-*.pt"):
            match = _CHECKPOINT_NUMBER.search(path.name)
            if match and path.name == f"{prefix.name}-{match[1]}.pt":
                numbered.append((int(match[1]), path))
    checkpoints = tuple(path for _, path in sorted(numbered))
    if not os.path.lexists(curve) and not checkpoints:
        raise InputFileError(
            f"{run}: neither {curve_name} nor {prefix.name}-*.pt checkpoints "
            "are there; give the run's directory or its learning curve"
        )
    return RunFiles(curve if os.path.lexists(curve) else None, checkpoints)


def _file_name(training: Mapping[str, Any], key: str, default: str) -> str:
    name = training.get(key, default)
    if not isinstance(name, str) or not name:
        raise InputFileError(
            f"training/{key} must be a file name, got {name!r}; "
            f"fix: remove it to use {default}"
        )
    return name


def _glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


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
                        f"{where}: the last column is {_short(names[-1])}, not lr: "
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
            f"{where}: the step column holds {_short(text)}, not a step number"
        )
    return int(text)


def _check_rate(where: str, text: str) -> None:
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate >= 0):
        raise InputFileError(
            f"{where}: the lr column holds {_short(text)}, not a learning rate"
        )


def _short(text: str) -> str:
    return repr(short_text(text))


def read_checkpoint_rates(paths: Sequence[str | Path]) -> list[CheckpointRate]:
    """The exact rate and step kept in each checkpoint, read with torch.

    Checkpoints are loaded with ``weights_only=True``, which unpickles
    tensors and plain containers only.

    Raises
    ------
    ImportError
        When torch is not installed.
    InputFileError
        For a file that is not a readable checkpoint of DeePMD-kit's
        PyTorch trainer.
    """
    import torch

    rates = []
    for path in paths:
        try:
            # torch.load would wait forever on a FIFO.
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise InputFileError(f"{path}: not a regular file")
            # Corrupt or foreign files raise from deep inside torch and pickle,
            # with types no narrower than Exception.
            # torch warns on stderr about some pickles before refusing them.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                content = torch.load(path, map_location="cpu", weights_only=True)
        except InputFileError:
            raise
        except Exception:
            # torch's own reasons are long, or a bare number or class name.
            raise InputFileError(
                f"{path}: is not a checkpoint that torch loads with "
                "weights_only=True (a file saved by DeePMD-kit's PyTorch trainer)"
            ) from None
        rates.append(_training_state(path, content))
    return rates


def _training_state(path: str | Path, content: Any) -> CheckpointRate:
    model = content.get("model", content) if isinstance(content, Mapping) else None
    extra = model.get("_extra_state") if isinstance(model, Mapping) else None
    infos = extra.get("train_infos") if isinstance(extra, Mapping) else None
    lr = infos.get("lr") if isinstance(infos, Mapping) else None
    step = infos.get("step") if isinstance(infos, Mapping) else None
    if (
        isinstance(lr, bool)
        or not isinstance(lr, (int, float))
        or not math.isfinite(lr)
        or isinstance(step, bool)
        or not isinstance(step, int)
        or step < 0
    ):
        raise InputFileError(
            f"{path}: no rate and step under model/_extra_state/train_infos: "
            "not a checkpoint of DeePMD-kit's PyTorch trainer"
        )
    return CheckpointRate(str(path), step, float(lr))


def audit_rates(
    schedule: BaseLR,
    logged: Sequence[LoggedRate],
    checkpoints: Sequence[CheckpointRate] = (),
    *,
    learning_curve: str | None = None,
    checkpoint_files: Sequence[str] = (),
    checked_checkpoints: bool = True,
) -> RunAudit:
    """Compare the rates a run used with those ``schedule`` defines.

    A logged row ``N`` matches when ``schedule.value(N - 1)`` prints as it
    does (see :func:`rounds_to`); a checkpoint matches when its rate is the
    schedule's at its step to a relative :data:`CHECKPOINT_TOLERANCE`.
    Sessions that depart are fitted to DeePMD-kit 3.1.3's restart pattern.

    Examples
    --------
    >>> from deepmd_lr import LearningRateExp
    >>> lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=100,
    ...                      decay_steps=10)
    >>> rows = [LoggedRate(n, printed_rate(lr.value(n - 1)), n, 0)
    ...         for n in (1, 50, 100)]
    >>> audit_rates(lr, rows).followed
    True
    """
    name = learning_curve or "lcurve"
    steps = np.asarray([row.step for row in logged], dtype=np.int64)
    expected = _values(schedule, steps)
    compared = tuple(
        Comparison(
            f"{name}:{row.line}",
            row.step,
            row.rate,
            row.text,
            rate,
            rounds_to(rate, row.rate),
        )
        for row, rate in zip(logged, expected, strict=True)
    )
    kept = tuple(
        _compare_exactly(point, float(schedule.value(point.step)))
        for point in sorted(checkpoints, key=lambda point: point.step)
    )
    restarts = []
    explained: set[str] = set()
    for session in sorted({row.session for row in logged}):
        indices = [i for i, row in enumerate(logged) if row.session == session]
        if all(compared[i].matches for i in indices):
            continue
        starts = _fit_restart(schedule, [logged[i] for i in indices])
        if starts:
            restarts.append(
                Restart(
                    starts[0], starts[-1], compared[indices[0]].source, len(indices)
                )
            )
            explained.update(compared[i].source for i in indices)
    for point in kept:
        if any(
            _exact(
                _restart_rate(schedule, point.step, restart.start_step), point.logged
            )
            for restart in restarts
            if restart.start_step <= point.step
        ):
            explained.add(point.source)
    return RunAudit(
        learning_curve,
        tuple(checkpoint_files),
        checked_checkpoints,
        compared,
        kept,
        tuple(restarts),
        tuple(
            c for c in (*compared, *kept) if not c.matches and c.source not in explained
        ),
    )


def _values(schedule: BaseLR, steps: np.ndarray) -> list[float]:
    if steps.size == 0:
        return []
    return [float(rate) for rate in np.asarray(schedule.value(steps), dtype=np.float64)]


def _compare_exactly(point: CheckpointRate, expected: float) -> Comparison:
    return Comparison(
        point.path,
        point.step,
        point.rate,
        repr(point.rate),
        expected,
        _exact(expected, point.rate),
    )


def _exact(expected: float, rate: float) -> bool:
    return abs(rate - expected) <= CHECKPOINT_TOLERANCE * abs(expected)


def _restart_rate(schedule: BaseLR, step: int, start: int) -> float:
    return float(
        schedule.value(0) * schedule.value(step + start) / schedule.value(start)
    )


def _fit_restart(schedule: BaseLR, rows: Sequence[LoggedRate]) -> list[int]:
    """The latest and the earliest step ``s`` a session may have resumed at.

    Those are steps from which 3.1.3's restart gives every row's rate; the
    list is empty when none does, and has one item when they coincide.

    A session resumed at step ``s`` first displays the next step whose
    number is a multiple of the display interval, so ``s`` is at most one
    interval (the distance between its first two rows) before its first
    row.
    """
    first = rows[0]
    if first.row == 1:
        return []
    interval = rows[1].row - first.row if len(rows) > 1 else first.row
    earliest = max(
        1, first.step - max(interval, 1) + 1, first.step - _MAX_START_CANDIDATES
    )
    starts = np.arange(first.step, earliest - 1, -1, dtype=np.int64)
    at_start = np.asarray(schedule.value(starts), dtype=np.float64)
    usable = at_start > 0
    starts, at_start = starts[usable], at_start[usable]
    if starts.size == 0:
        return []
    # A cheap first pass on the first row keeps the few starts worth a full check.
    rate0 = float(schedule.value(0))
    guess = rate0 * np.asarray(schedule.value(first.step + starts)) / at_start
    close = np.abs(guess - first.rate) <= PRINT_ROUNDING * max(first.rate, guess.max())
    candidates = list(zip(starts[close], at_start[close], strict=True))
    steps = np.asarray([row.step for row in rows], dtype=np.int64)

    def fits(start: Any, rate_at_start: Any) -> bool:
        predicted = rate0 * np.asarray(schedule.value(steps + start)) / rate_at_start
        return all(
            rounds_to(float(rate), row.rate)
            for rate, row in zip(predicted, rows, strict=True)
        )

    # Only the ends of the range are reported, so each scan stops at its
    # first fit: rows that many starts fit (a long plateau) cost two checks.
    latest = next((int(s) for s, r in candidates if fits(s, r)), None)
    if latest is None:
        return []
    earliest_fit = next(int(s) for s, r in reversed(candidates) if fits(s, r))
    return [latest] if earliest_fit == latest else [latest, earliest_fit]


def audit_run(
    run: str | Path, input_file: str | Path, *, num_steps: int | None = None
) -> RunAudit:
    """Audit the run in ``run`` (a directory or a learning curve) against its input.

    ``input_file`` is the training input (JSON or YAML) the run was started
    with; its ``learning_rate`` section and ``training.numb_steps`` (or
    ``num_steps`` when given) define the schedule. Checkpoints are compared
    only when torch is installed.

    Raises
    ------
    InputFileError
        For a file that cannot be read or is not what it should be.
    LearningRateConfigError
        For an input whose schedule is invalid or whose number of steps is
        unknown.
    """
    from deepmd_lr.deepmd.migration import is_whole_input
    from deepmd_lr.files.reader import read_input
    from deepmd_lr.schedules.building import make_learning_rate_schedule
    from deepmd_lr.section.errors import LearningRateConfigError
    from deepmd_lr.section.length import training_num_steps

    try:
        data = read_input(input_file).data
    except InputFileError as error:
        raise InputFileError(f"{input_file}: {error}") from None
    if not isinstance(data, Mapping):
        raise InputFileError(f"{input_file}: not an object of keys and values")
    whole = is_whole_input(data)
    if num_steps is None:
        num_steps = training_num_steps(data) if whole else None
    if num_steps is None:
        raise LearningRateConfigError(
            "training/numb_steps",
            "is missing, so the length of the schedule is unknown",
            "Fix: give the number of training steps (--num-steps N)",
        )
    section: Any = data.get("learning_rate") if whole else data
    schedule = make_learning_rate_schedule(section, num_steps)
    return audit_files(schedule, find_run_files(run, data.get("training")))


def audit_files(schedule: BaseLR, files: RunFiles) -> RunAudit:
    """Audit the learning curve and checkpoints ``files`` against ``schedule``."""
    logged = (
        read_learning_curve(files.learning_curve)
        if files.learning_curve is not None
        else []
    )
    names = tuple(str(path) for path in files.checkpoints)
    try:
        kept = read_checkpoint_rates(files.checkpoints) if names else []
        checked = True
    except ImportError:
        kept, checked = [], False
    if not logged and not checked:
        raise InputFileError(
            f"{names[0]}: checkpoints need torch to be read, which is not "
            "installed, and there is no learning curve"
        )
    return audit_rates(
        schedule,
        logged,
        kept,
        learning_curve=None
        if files.learning_curve is None
        else str(files.learning_curve),
        checkpoint_files=names,
        checked_checkpoints=checked,
    )


def describe_audit(audit: RunAudit) -> list[str]:
    """The report of ``deepmd-lr audit``, a line each."""
    lines = []
    curve = audit.learning_curve
    if curve is not None:
        departing = sum(not c.matches for c in audit.logged)
        lines.append(
            f"{curve}: {len(audit.logged)} logged rates, "
            + (
                "all as the schedule prints with 2 significant digits"
                if not departing
                else f"{_departing(departing)} from the schedule"
            )
        )
    if audit.checkpoint_files and not audit.checked_checkpoints:
        lines.append(
            f"checkpoints: {len(audit.checkpoint_files)} not checked, as torch "
            "is not installed"
        )
    elif audit.checkpoints:
        departing = sum(not c.matches for c in audit.checkpoints)
        lines.append(
            f"checkpoints: {len(audit.checkpoints)} rates, "
            + ("all exact" if not departing else f"{_departing(departing)} from it")
        )
    worst = audit.worst
    first = audit.first_departure
    if first is None:
        lines.append("followed its schedule")
    else:
        lines.append(
            f"departed from its schedule at step {first.step} ({first.source}): "
            f"logged {first.logged_text}, expected {_shown(first.expected)}"
        )
    if worst is not None:
        rounding = (
            f"; printing {PRINT_DIGITS} digits allows up to {PRINT_ROUNDING:.0%}"
            if worst.matches and worst in audit.logged
            else ""
        )
        lines.append(
            f"worst relative error: {_percent(worst.relative_error)} at step "
            f"{worst.step} ({worst.source}){rounding}"
        )
    for restart in audit.restarts:
        s = restart.start_step
        lines.append(
            f"cause: the restart of DeePMD-kit 3.1.3: the session from "
            f"{restart.source} resumed at step {s} and ran each step t with "
            f"value(0) * value(t + {s}) / value({s}) instead of value(t)"
            + (
                f" (its rows fit any restart step from {restart.earliest_start} "
                f"to {s} as well)"
                if restart.earliest_start != s
                else ""
            )
        )
    if audit.restarts:
        lines.append(
            "fix: upgrade to DeePMD-kit 3.2.0, or drive the optimizer with "
            "deepmd_lr.ScheduleLR, which stays right on resume"
        )
        if audit.unexplained:
            lines.append(
                f"{len(audit.unexplained)} other departures are not explained "
                f"by it, the first at step {audit.unexplained[0].step} "
                f"({audit.unexplained[0].source})"
            )
    return lines


def _departing(count: int) -> str:
    return f"{count} departs" if count == 1 else f"{count} depart"


def _shown(rate: float) -> str:
    return f"{rate:.2e}"


def _percent(fraction: float) -> str:
    if math.isinf(fraction):
        return "inf"
    return f"{fraction:.0%}" if fraction >= 1 else f"{fraction * 100:.3g}%"
