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

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.audit.checkpoints import CheckpointRate
from deepmd_lr.audit.learning_curve import LearningCurve

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

_MOST_PAIRS_PER_CALL = 1 << 16
"""About how many pairs of a row and a restart step the fit computes at most
in one NumPy call: enough for the call to cost little, few enough for its
arrays to stay small."""

RESTART_SEARCH_CHECKS = 5_000_000
"""How many checks an audit makes at most in its search for DeePMD-kit
3.1.3's restart: the rate at a restart step, or a logged row against it. A session that departs for
another reason costs a check per step it may have resumed at, up to
100,000; the bound keeps a short curve of many such sessions quick. The
sessions left when it is spent are not searched (the verdict is the same:
they depart), and the report counts them."""

_FIRST_PAIRS_PER_CALL = 1 << 10
"""How many pairs the first call for a block of steps computes at least
(then twice as many in each call): as cheap as a single pair, and as many
as most sessions have rows."""


def printed_rate(rate: float) -> str:
    """``rate`` as a DeePMD-kit learning curve prints it, without padding.

    Examples
    --------
    >>> printed_rate(0.00123), printed_rate(9.96e-4), printed_rate(0.0)
    ('1.2e-03', '1.0e-03', '0.0e+00')
    """
    return f"{rate:.{PRINT_DIGITS - 1}e}"


def rounds_to(expected: Any, logged: Any) -> Any:
    """Whether a rate printed as ``logged`` can be ``expected``; element-wise
    for arrays (``logged >= 0``), which broadcast against each other.

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
    >>> rounds_to(np.array([9.94e-4, 9.96e-4]), 1.0e-3)
    array([False,  True])
    """
    logged = np.asarray(logged, dtype=np.float64)
    values, which = np.unique(logged, return_inverse=True)
    bounds = np.array([_printed_bounds(value) for value in values.tolist()])
    low, high = bounds.reshape(-1, 2).T
    which = which.reshape(logged.shape)
    matches = (low[which] <= expected * (1 + CHECKPOINT_TOLERANCE)) & (
        expected * (1 - CHECKPOINT_TOLERANCE) <= high[which]
    )
    return matches if matches.ndim else bool(matches)


@functools.lru_cache(maxsize=1024)
def _printed_bounds(logged: float) -> tuple[float, float]:
    """The least rate that prints as ``logged`` or above, and the greatest
    that prints as ``logged`` or below.

    Printing is monotonic, so ``x`` prints as ``logged`` or above exactly
    when ``x`` is at least the first, and so on: a comparison of floats
    stands for a printing. The bounds lie a rounding from the decimal
    midpoints around ``logged``, and are pinned to the float by printing
    its neighbours.
    """
    if logged == 0:
        return 0.0, 0.0
    text = printed_rate(logged)
    digits, exponent = text.split("e")
    mantissa, power = int(digits.replace(".", "")), int(exponent)
    # Halfway to the next printed value up, and to the one down, which for
    # 1.0eP is 9.9e(P-1).
    above = float(f"{10 * mantissa + 5}e{power - 2}")
    below = float(
        f"{10 * mantissa - 5}e{power - 2}" if mantissa > 10 else f"995e{power - 3}"
    )
    grid = float(text)
    low = _edge(
        below if grid >= logged else above,
        lambda x: float(printed_rate(x)) >= logged,
        -math.inf,
    )
    high = _edge(
        above if grid <= logged else below,
        lambda x: float(printed_rate(x)) <= logged,
        math.inf,
    )
    return low, high


def _edge(x: float, holds: Callable[[float], bool], outward: float) -> float:
    """The last float from near ``x`` towards ``outward`` for which ``holds``
    holds, when it holds up to an edge near ``x`` and not past it."""
    while not holds(x):
        x = math.nextafter(x, -outward)
    while holds(beyond := math.nextafter(x, outward)):
        x = beyond
    return x


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
    """:attr:`Comparison.relative_error` of each pair."""
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
    cut_off: str | None = None
    """``FILE:LINE`` of the learning curve's last row, left out as the file
    ends inside it."""
    unsearched: int = 0
    """Departing sessions not searched for a restart, as the search had made
    its :data:`RESTART_SEARCH_CHECKS` checks."""

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
        departures = self.departures
        if not departures:
            return None
        return departures[int(np.argmin(departures.column("step")))]

    @property
    def worst(self) -> Comparison | None:
        """The comparison with the largest relative error."""
        everything = self.everything
        if not everything:
            return None
        return everything[int(np.argmax(everything.column("relative_error")))]


def audit_rates(
    schedule: BaseLR,
    curve: LearningCurve | None,
    checkpoints: Sequence[CheckpointRate] = (),
    *,
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
    >>> from deepmd_lr.audit.learning_curve import learning_curve_of
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
    restarts, explained_rows, explained, unsearched = _restarts(schedule, logged, kept)
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
    )


def _restarts(
    schedule: BaseLR, logged: Comparisons, kept: Sequence[Comparison]
) -> tuple[list[Restart], np.ndarray, set[str], int]:
    """The sessions that departed by DeePMD-kit 3.1.3's restart, the rows
    they explain, the checkpoints whose departure they explain, and how many
    departing sessions were left unsearched."""
    restarts = []
    explained_rows = np.zeros(len(logged.rows), dtype=bool)
    checks = _Checks(RESTART_SEARCH_CHECKS)
    unsearched = 0
    curve = logged.curve
    if curve is not None:
        ends = np.append(curve.sessions, len(curve.steps))
        departing = np.flatnonzero(~logged.matches)
        for session in np.unique(np.searchsorted(ends, departing, "right") - 1):
            begin, end = int(ends[session]), int(ends[session + 1])
            try:
                starts = _fit_restart(
                    schedule, curve.steps[begin:end], curve.rates[begin:end], checks
                )
            except _NoChecksLeftError:
                unsearched += 1
                continue
            if starts:
                source = f"{curve.path}:{curve.lines[begin]}"
                restarts.append(Restart(starts[0], starts[-1], source, end - begin))
                explained_rows[begin:end] = True
    explained = set()
    rate0 = schedule.value(0)
    for point in kept:
        for start in (restart.start_step for restart in restarts):
            if start > point.step:
                continue
            rate = rate0 * schedule.value(point.step + start) / schedule.value(start)
            if _exact(float(rate), point.logged):
                explained.add(point.source)
    return restarts, explained_rows, explained, unsearched


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


def _fit_restart(
    schedule: BaseLR, steps: np.ndarray, logged: np.ndarray, checks: _Checks
) -> list[int]:
    """The latest and the earliest step ``s`` a session may have resumed at.

    Those are steps from which 3.1.3's restart gives the rate of every row
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
    rate0 = float(schedule.value(0))
    order = np.arange(len(steps))

    def standing(starts: np.ndarray) -> np.ndarray:
        """The ``starts`` that fit every row."""
        nonlocal order
        checks.spend(starts.size)
        at_start = np.asarray(schedule.value(starts), dtype=np.float64)
        starts, at_start = starts[at_start > 0], at_start[at_start > 0]
        ruling_out = np.zeros(len(order), dtype=bool)
        done, pairs = 0, _FIRST_PAIRS_PER_CALL
        while starts.size and done < len(order):
            # Few rows first, those most likely to rule steps out, then more.
            count = max(1, min(pairs, _MOST_PAIRS_PER_CALL) // starts.size)
            rows = order[done : done + count]
            checks.spend(len(rows) * starts.size)
            predicted = rate0 * schedule.value(steps[rows, None] + starts) / at_start
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
