"""How a learning curve prints a rate, and which rates a printed one can be.

A logged rate is printed with two significant digits, so it matches a
rate of the schedule when that rate prints as it does; a checkpoint's rate
is exact, and matches to a relative :data:`CHECKPOINT_TOLERANCE`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

CHECKPOINT_TOLERANCE = 1e-12
"""Relative difference allowed between a checkpoint's rate and the schedule.

The same bound as between deepmd-lr's rates and DeePMD-kit's own; it also
covers the rounding of the rate through a torch scheduler's factor.
"""

PRINT_DIGITS = 2
"""Significant digits of the rate in a learning curve (``%8.1e``)."""

PRINT_ROUNDING = 0.05
"""Largest relative error that printing a rate with two digits makes."""


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


def exact(expected: float, rate: float) -> bool:
    """Whether ``rate`` is ``expected`` to a relative :data:`CHECKPOINT_TOLERANCE`."""
    return abs(rate - expected) <= CHECKPOINT_TOLERANCE * abs(expected)
