"""How :meth:`~deepmd_lr.BaseLR.value` computes the rate for each kind of step.

A schedule defines its decay formula once, in ``_decay_xp``, over any
Array-API namespace. :mod:`.array_api` evaluates it for the arrays of any
library (torch, JAX, CuPy, ...); :mod:`.numpy_blocks` runs the schedule's
in-place NumPy kernels over cache-sized blocks on several threads. Python
numbers take the schedule's own ``math`` path in ``value`` itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deepmd_lr.keys import describe

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def array_value(schedule: BaseLR, step: Any) -> Any:
    """The rate of ``schedule`` for a step that is not a plain ``int``/``float``.

    NumPy arrays and scalars (and lists of numbers) take the blocked NumPy
    engine, other Array-API arrays the generic one; anything else is a
    :class:`TypeError`.
    """
    import numpy as np

    if isinstance(step, (bool, np.bool_, str, bytes)) or step is None:
        raise step_type_error(step)
    if isinstance(step, (np.ndarray, np.generic)):
        from deepmd_lr.engines.numpy_blocks import numpy_value

        return numpy_value(schedule, step)
    if isinstance(step, (list, tuple)):
        return array_value(schedule, np.asarray(step))
    if isinstance(step, (int, float)):
        # Subclasses of int and float (IntEnum, say) count as plain numbers.
        return schedule.value(float(step) if isinstance(step, float) else int(step))
    import array_api_compat

    if array_api_compat.is_array_api_obj(step):
        from deepmd_lr.engines.array_api import xp_value

        return xp_value(schedule, step)
    raise step_type_error(step)


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
