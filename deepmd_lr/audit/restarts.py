"""The sessions of a learning curve that resumed with a trainer's wrong rates.

DeePMD-kit 3.1.3's PyTorch trainer resumes a run (``dp --pt train
--restart``) with a torch scheduler whose base rate is restored from the
optimizer, ``value(0)``, and whose factor at step ``t`` is
``value(t + s) / value(s)``, where ``s`` is the step restarted from: every
step ``t`` of the resumed session runs with
``value(0) * value(t + s) / value(s)`` instead of ``value(t)``. DeePMD-kit
3.2.0 fixed it. The Paddle trainer of 3.1.3 and 3.2.0 resumes with a
scheduler that adds ``s`` to the step: it runs step ``t`` with
``value(t + s)``. :func:`find_restarts` fits a departing session's rows to
its trainer's pattern (see :mod:`.trainers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.audit.learning_curve import LearningCurve
from deepmd_lr.audit.printing import rounds_to
from deepmd_lr.audit.trainers import PADDLE, Trainer

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


_MAX_START_CANDIDATES = 100_000
"""Most restart steps tried when fitting a restart pattern."""

_MOST_PAIRS_PER_CALL = 1 << 16
"""About how many pairs of a row and a restart step the fit computes at most
in one NumPy call: enough for the call to cost little, few enough for its
arrays to stay small."""

RESTART_SEARCH_CHECKS = 5_000_000
"""How many checks an audit makes at most in its search for the restart of
its trainer: the rate at a restart step, or a logged row against it. A
session that departs for another reason costs a check per step it may have resumed at, up to
100,000; the bound keeps a short curve of many such sessions quick. The
sessions left when it is spent are not searched (the verdict is the same:
they depart), and the report counts them."""

_FIRST_PAIRS_PER_CALL = 1 << 10
"""How many pairs the first call for a block of steps computes at least
(then twice as many in each call): as cheap as a single pair, and as many
as most sessions have rows."""


@dataclass(frozen=True)
class Restart:
    """A session that ran with its trainer's wrong restart rates."""

    start_step: int
    """The step ``s`` the session resumed at: the latest that fits its rows."""
    earliest_start: int
    """The earliest step that fits as well; rows of a staircase cannot tell apart
    the steps of one stair."""
    source: str
    """Where the session's rows start: ``FILE:LINE``."""
    rows: int
    """How many of its rows follow the trainer's restart pattern."""


def resumed_rates(
    schedule: BaseLR, trainer: Trainer, steps: Any, starts: Any, at_start: Any
) -> Any:
    """The rates of ``steps`` in sessions that ``trainer`` resumed at ``starts``
    (where the schedule is ``at_start``), broadcast against each other."""
    ahead = schedule.value(steps + starts)
    if trainer is PADDLE:
        return ahead
    return schedule.value(0) * ahead / at_start


def find_restarts(
    schedule: BaseLR,
    curve: LearningCurve | None,
    matches: np.ndarray,
    trainer: Trainer,
) -> tuple[list[Restart], np.ndarray, int]:
    """The sessions of ``curve`` that departed by ``trainer``'s restart, the
    rows they explain, and how many departing sessions were left unsearched.

    ``matches`` tells for each row whether it matches the schedule.
    """
    restarts: list[Restart] = []
    explained_rows = np.zeros(len(matches), dtype=bool)
    if curve is None or trainer.restart is None:
        return restarts, explained_rows, 0
    checks = _Checks(RESTART_SEARCH_CHECKS)
    unsearched = 0
    ends = np.append(curve.sessions, len(curve.steps))
    departing = np.flatnonzero(~matches)
    for session in np.unique(np.searchsorted(ends, departing, "right") - 1):
        begin, end = int(ends[session]), int(ends[session + 1])
        try:
            starts = _fit_restart(
                schedule,
                trainer,
                curve.steps[begin:end],
                curve.rates[begin:end],
                checks,
            )
        except _NoChecksLeftError:
            unsearched += 1
            continue
        if starts:
            source = f"{curve.path}:{curve.lines[begin]}"
            restarts.append(Restart(starts[0], starts[-1], source, end - begin))
            explained_rows[begin:end] = True
    return restarts, explained_rows, unsearched


class _NoChecksLeftError(Exception):
    """The restart search has made all the checks it may."""


class _Checks:
    """The checks the restart search may still make."""

    def __init__(self, left: int) -> None:
        self.left = left

    def spend(self, count: int) -> None:
        if count > self.left:
            self.left = 0
            raise _NoChecksLeftError
        self.left -= count


def _fit_restart(
    schedule: BaseLR,
    trainer: Trainer,
    steps: np.ndarray,
    logged: np.ndarray,
    checks: _Checks,
) -> list[int]:
    """The latest and the earliest step ``s`` a session may have resumed at.

    Those are steps from which ``trainer``'s restart gives the rate of every row
    (at ``steps``, logged as ``logged``); the list is empty when none does,
    and has one item when they coincide.

    A session resumed at step ``s`` first displays the next step whose
    number is a multiple of the display interval, so ``s`` is at most one
    interval (the distance between its first two rows) before its first
    row.

    Only the latest and the earliest fitting step are reported, so each is
    searched for from its end of the range, in blocks of steps that double
    in size. A block is checked against the rows, many rows in one NumPy
    call, and the rows that ruled steps out are checked first in the next
    blocks. So a fit at an end costs a pass over the rows, and steps that
    one row rules out cost about one evaluation each, wherever that row is
    (a plateau where every other row fits every step). Each step's rate and
    each pair of a row and a step is a check spent from ``checks``, which
    raises :class:`_NoChecksLeftError` when none are left.
    """
    first = int(steps[0])
    if first == 0:
        return []
    interval = int(steps[1]) - first if len(steps) > 1 else first + 1
    earliest = max(1, first - max(interval, 1) + 1, first - _MAX_START_CANDIDATES)
    order = np.arange(len(steps))

    def standing(starts: np.ndarray) -> np.ndarray:
        """The ``starts`` that fit every row."""
        nonlocal order
        checks.spend(starts.size)
        at_start = np.asarray(schedule.value(starts), dtype=np.float64)
        if trainer is not PADDLE:  # whose rates are not divided by it
            starts, at_start = starts[at_start > 0], at_start[at_start > 0]
        ruling_out = np.zeros(len(order), dtype=bool)
        done, pairs = 0, _FIRST_PAIRS_PER_CALL
        while starts.size and done < len(order):
            # Few rows first, those most likely to rule steps out, then more.
            count = max(1, min(pairs, _MOST_PAIRS_PER_CALL) // starts.size)
            rows = order[done : done + count]
            checks.spend(len(rows) * starts.size)
            predicted = resumed_rates(
                schedule, trainer, steps[rows, None], starts, at_start
            )
            fits = rounds_to(predicted, logged[rows, None])
            fitting = fits.all(axis=0)
            starts, at_start = starts[fitting], at_start[fitting]
            ruling_out[done : done + count] = ~fits.all(axis=1)
            done, pairs = done + count, 2 * pairs
        order = np.concatenate([order[ruling_out], order[~ruling_out]])
        return starts

    def first_fit(starts: np.ndarray) -> int | None:
        done, size = 0, 1
        while done < starts.size:
            fitting = standing(starts[done : done + size])
            if fitting.size:
                return int(fitting[0])
            done, size = done + size, 2 * size
        return None

    latest = first_fit(np.arange(first, earliest - 1, -1, dtype=np.int64))
    if latest is None:
        return []
    # The latest fits, so a fit is found at the latest there.
    earliest_fit = first_fit(np.arange(earliest, latest + 1, dtype=np.int64))
    if earliest_fit is None or earliest_fit == latest:
        return [latest]
    return [latest, earliest_fit]
