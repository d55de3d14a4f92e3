"""The rates a run used against the rates its schedule defines.

A logged rate is printed with two significant digits, so it matches when
the schedule's rate prints as it does; a checkpoint's rate is exact, and
matches to a relative :data:`CHECKPOINT_TOLERANCE`.

DeePMD-kit 3.1.3 resumes a run (``dp --pt train --restart``) with a torch
scheduler whose base rate is restored from the optimizer, ``value(0)``, and
whose factor at step ``t`` is ``value(t + s) / value(s)``, where ``s`` is
the step restarted from. Every step ``t`` of the resumed session then runs
with ``value(0) * value(t + s) / value(s)`` instead of ``value(t)``.
DeePMD-kit 3.2.0 fixed it; :func:`audit_rates` recognises the pattern.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.audit.checkpoints import CheckpointRate
from deepmd_lr.audit.learning_curve import LoggedRate

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


CHECKPOINT_TOLERANCE = 1e-12
"""Relative difference allowed between a checkpoint's rate and the schedule.

The same bound as between deepmd-lr's rates and DeePMD-kit's own; it also
covers the rounding of the rate through a torch scheduler's factor.
"""

PRINT_DIGITS = 2
"""Significant digits of the rate in a learning curve (``%8.1e``)."""

PRINT_ROUNDING = 0.05
"""Largest relative error that printing a rate with two digits makes."""

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
    expected = np.asarray(schedule.value(steps), dtype=np.float64).tolist()
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
    restarts, explained = _restarts(schedule, logged, compared, kept)
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


def _restarts(
    schedule: BaseLR,
    logged: Sequence[LoggedRate],
    compared: Sequence[Comparison],
    kept: Sequence[Comparison],
) -> tuple[list[Restart], set[str]]:
    """The sessions that departed by DeePMD-kit 3.1.3's restart, and the
    sources of the departures (rows and checkpoints) that they explain."""
    restarts = []
    explained: set[str] = set()
    for session in sorted({row.session for row in logged}):
        indices = [i for i, row in enumerate(logged) if row.session == session]
        if all(compared[i].matches for i in indices):
            continue
        starts = _fit_restart(schedule, [logged[i] for i in indices])
        if starts:
            source = compared[indices[0]].source
            restarts.append(Restart(starts[0], starts[-1], source, len(indices)))
            explained.update(compared[i].source for i in indices)
    rate0 = schedule.value(0)
    for point in kept:
        for start in (restart.start_step for restart in restarts):
            if start > point.step:
                continue
            rate = rate0 * schedule.value(point.step + start) / schedule.value(start)
            if _exact(float(rate), point.logged):
                explained.add(point.source)
    return restarts, explained


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
