"""The rates a run used against the rates its schedule defines.

A logged rate matches when the schedule's rate prints as it does, a
checkpoint's when it is the schedule's (see :mod:`.printing`). The
sessions that depart are fitted to the restart pattern of the run's
trainer (see :mod:`.restarts`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.audit.checkpoints import CheckpointRate
from deepmd_lr.audit.learning_curve import LearningCurve
from deepmd_lr.audit.printing import exact, rounds_to
from deepmd_lr.audit.restarts import Restart, find_restarts, resumed_rates
from deepmd_lr.audit.trainers import PYTORCH, Trainer

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


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
        logged, expected = np.asarray(self.logged), np.asarray(self.expected)
        return float(_relative_errors(logged, expected))


@dataclass(frozen=True, eq=False)
class Comparisons:
    """Rows of a learning curve next to the schedule, then checkpoints.

    A sequence of :class:`Comparison`, each made when it is asked for: the
    rows stay in the arrays of the curve, as a run may log millions.
    """

    curve: LearningCurve | None
    expected: np.ndarray
    """The schedule's rate at every row of the curve."""
    matches: np.ndarray
    """Whether each row of the curve matches it."""
    rows: np.ndarray
    """The rows held, by index in the curve, in file order."""
    checkpoints: tuple[Comparison, ...] = ()

    def __len__(self) -> int:
        return len(self.rows) + len(self.checkpoints)

    def __getitem__(self, index: int) -> Comparison:
        index = range(len(self))[index]
        if index >= len(self.rows):
            return self.checkpoints[index - len(self.rows)]
        curve = self.curve
        assert curve is not None
        row = self.rows[index]
        text = curve.texts[curve.rate_ids[row]]
        return Comparison(
            f"{curve.path}:{curve.lines[row]}",
            int(curve.steps[row]),
            float(text),
            text,
            float(self.expected[row]),
            bool(self.matches[row]),
        )

    def __iter__(self) -> Iterator[Comparison]:
        return map(self.__getitem__, range(len(self)))

    def where(self, keep: np.ndarray) -> Comparisons:
        """Those for which ``keep``, one per comparison, is true."""
        rows, checkpoints = np.split(np.asarray(keep, dtype=bool), [len(self.rows)])
        kept = (
            c for c, chosen in zip(self.checkpoints, checkpoints, strict=True) if chosen
        )
        return replace(self, rows=self.rows[rows], checkpoints=tuple(kept))

    def column(self, name: str) -> np.ndarray:
        """``step``, ``matches`` or ``relative_error`` of every comparison."""
        if self.curve is None:
            of_rows = np.empty(0)
        elif name == "relative_error":
            of_rows = _relative_errors(self.curve.rates, self.expected)[self.rows]
        else:
            of_rows = (self.curve.steps if name == "step" else self.matches)[self.rows]
        of_checkpoints = [getattr(c, name) for c in self.checkpoints]
        return np.concatenate([of_rows, of_checkpoints])


def _relative_errors(logged: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """How far each ``logged`` rate is from its ``expected`` one, relative to it:
    0 when both are 0, infinite when only ``expected`` is 0."""
    # A subnormal expected rate may make the error overflow: it is infinite.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        errors = np.abs(logged - expected) / expected
    unmatched = np.where(logged == 0, 0.0, math.inf)
    return np.where(expected == 0, unmatched, errors)


@dataclass(frozen=True)
class RunAudit:
    """The rates of a run compared with its schedule."""

    learning_curve: str | None
    checkpoint_files: tuple[str, ...]
    checked_checkpoints: bool
    """False when checkpoints were found but torch is not installed."""
    logged: Comparisons
    """The learning curve's rows, in file order."""
    checkpoints: tuple[Comparison, ...]
    """The checkpoints, by step."""
    restarts: tuple[Restart, ...]
    unexplained: Comparisons
    """Departures that the restarts found do not account for."""
    cut_off: str | None
    """``FILE:LINE`` of the learning curve's last row, left out as the file
    ends inside it."""
    unsearched: int
    """Departing sessions not searched for a restart, as the search had made
    its :data:`~deepmd_lr.audit.restarts.RESTART_SEARCH_CHECKS` checks."""
    trainer: Trainer
    """The trainer whose learning curve and restart the audit assumed."""
    trainer_reason: str
    """Why it assumed that trainer."""

    @property
    def everything(self) -> Comparisons:
        """The rows of the learning curve, then the checkpoints."""
        return replace(self.logged, checkpoints=self.checkpoints)

    @property
    def departures(self) -> Comparisons:
        return self.everything.where(self.everything.column("matches") == 0)

    @property
    def followed(self) -> bool:
        """Whether every rate the run used is the schedule's."""
        return not self.departures

    @property
    def first_departure(self) -> Comparison | None:
        """The departure at the earliest step (the earliest in the files on a tie)."""
        return _picked(self.departures, np.argmin, "step")

    @property
    def worst(self) -> Comparison | None:
        """The comparison with the largest relative error."""
        return _picked(self.everything, np.argmax, "relative_error")


def _picked(
    comparisons: Comparisons, pick: Callable[[np.ndarray], Any], column: str
) -> Comparison | None:
    """The comparison whose ``column`` ``pick`` chooses (the first on a tie);
    None when there is none."""
    if not comparisons:
        return None
    return comparisons[int(pick(comparisons.column(column)))]


def audit_rates(
    schedule: BaseLR,
    curve: LearningCurve | None,
    checkpoints: Sequence[CheckpointRate] = (),
    *,
    checkpoint_files: Sequence[str] = (),
    checked_checkpoints: bool = True,
    trainer: Trainer = PYTORCH,
    trainer_reason: str = "",
) -> RunAudit:
    """Compare the rates a run of ``trainer`` used with those ``schedule`` defines.

    A logged row matches when the schedule's rate at its step (see
    :attr:`~deepmd_lr.audit.learning_curve.LearningCurve.steps`) prints as it
    does (see :func:`~deepmd_lr.audit.printing.rounds_to`); a checkpoint
    matches when its rate is the schedule's at its step to a relative
    :data:`~deepmd_lr.audit.printing.CHECKPOINT_TOLERANCE`. Sessions that
    depart are fitted to the restart pattern of ``trainer``, and
    ``trainer_reason`` says why it was assumed.

    Examples
    --------
    >>> from deepmd_lr import LearningRateExp
    >>> from deepmd_lr.audit.learning_curve import learning_curve_of
    >>> from deepmd_lr.audit.printing import printed_rate
    >>> lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=100,
    ...                      decay_steps=10)
    >>> rows = [f"{n} {printed_rate(lr.value(n - 1))}\\n" for n in (1, 50, 100)]
    >>> audit_rates(lr, learning_curve_of(["# step lr\\n", *rows], "lc")).followed
    True
    """
    steps = np.empty(0, dtype=np.int64) if curve is None else curve.steps
    expected = np.asarray(schedule.value(steps), dtype=np.float64)
    matches = rounds_to(expected, np.empty(0) if curve is None else curve.rates)
    logged = Comparisons(curve, expected, matches, np.arange(len(steps)))
    kept = tuple(
        _compare_exactly(point, float(schedule.value(point.step)))
        for point in sorted(checkpoints, key=lambda point: point.step)
    )
    restarts, explained_rows, unsearched = find_restarts(
        schedule, curve, matches, trainer
    )
    explained = {
        point.source
        for point in kept
        if any(_resumed(schedule, trainer, point, r.start_step) for r in restarts)
    }
    everything = replace(logged, checkpoints=kept)
    unexplained = everything.where(
        np.concatenate(
            [
                ~matches & ~explained_rows,
                [not (c.matches or c.source in explained) for c in kept],
            ]
        )
    )
    cut_off = None
    if curve is not None and curve.cut_off_line is not None:
        cut_off = f"{curve.path}:{curve.cut_off_line}"
    return RunAudit(
        None if curve is None else curve.path,
        tuple(checkpoint_files),
        checked_checkpoints,
        logged,
        kept,
        tuple(restarts),
        unexplained,
        cut_off,
        unsearched,
        trainer,
        trainer_reason,
    )


def _resumed(schedule: BaseLR, trainer: Trainer, point: Comparison, start: int) -> bool:
    """Whether the checkpoint ``point`` holds the rate of a session that
    ``trainer`` resumed at step ``start``."""
    if start > point.step:
        return False
    at_start = schedule.value(start)
    return exact(
        float(resumed_rates(schedule, trainer, point.step, start, at_start)),
        point.logged,
    )


def _compare_exactly(point: CheckpointRate, expected: float) -> Comparison:
    return Comparison(
        point.path,
        point.step,
        point.rate,
        repr(point.rate),
        expected,
        exact(expected, point.rate),
    )
