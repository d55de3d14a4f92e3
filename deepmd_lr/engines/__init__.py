"""How :meth:`~deepmd_lr.BaseLR.value` computes the rate for each kind of step.

A schedule defines its decay formula once, in ``_decay_xp``, over any
Array-API namespace. :mod:`.array_api` evaluates it for the arrays of any
library (torch, JAX, CuPy, ...); :mod:`.numpy_blocks` runs the schedule's
in-place NumPy kernels over cache-sized blocks on several threads. Python
numbers take the schedule's own ``math`` path in ``value`` itself.
"""

from __future__ import annotations

from typing import Any

from deepmd_lr.keys import describe


def bad_step(step: Any, *, array: bool = False) -> ValueError:
    """The error for a step that is negative, NaN or infinite."""
    where = "a step in the array" if array else "step"
    return ValueError(
        f"{where} is {describe(float(step))}, but training steps must be finite "
        "and >= 0"
    )


def step_type_error(step: Any) -> TypeError:
    """The error for a step that is not a number or an array of numbers."""
    what = getattr(step, "dtype", None)
    shown = (
        f"an array of dtype {what}"
        if what is not None
        else f"{type(step).__name__} {step!r}"
    )
    return TypeError(f"step must be a number or an array of numbers, got {shown}")
