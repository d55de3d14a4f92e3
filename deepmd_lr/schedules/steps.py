"""How :meth:`~deepmd_lr.BaseLR.value` computes the rate for each kind of step.

A schedule defines its decay formula once, in ``_decay_xp``, over any
Array-API namespace. :mod:`.array_api` evaluates it for the arrays of any
library (torch, JAX, CuPy, ...); :mod:`.numpy_blocks` runs the schedule's
in-place NumPy kernels over cache-sized blocks on several threads. Python
numbers take the schedule's own ``math`` path in ``value`` itself.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING, Any

from deepmd_lr.section.text import describe

if TYPE_CHECKING:
    import numpy as np

    from deepmd_lr.schedules.base import BaseLR


@functools.cache
def numpy_kernels() -> tuple[Any, Any]:
    """NumPy and :func:`.numpy_blocks.decay_steps_into`, for the in-place kernels.

    The schedule modules load without NumPy, so that reading and checking an
    input does not import it; their kernels, run on every block and on
    several threads, fetch it here, which is much cheaper than an import
    statement.
    """
    import numpy

    from deepmd_lr.schedules.numpy_blocks import decay_steps_into

    return numpy, decay_steps_into


STEP_HORIZON = 2.0**120
"""A step by which every built-in schedule has reached its final rate, for
any valid configuration: with at most 2**53 steps per decay period, the
slowest exponential decay has underflowed to 0 long before (after about
1e35 steps). Larger steps, and ``+inf`` in traced arrays, are computed as
this one, so no formula sees an infinity or an integer too large for a
float. It is exact in float32, the widest float some libraries have."""


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
        from deepmd_lr.schedules.numpy_blocks import numpy_value

        return numpy_value(schedule, step)
    if isinstance(step, (list, tuple)):
        return array_value(schedule, _array_of_steps(step))
    if isinstance(step, (int, float)):
        # Subclasses of int and float (IntEnum, say) count as plain numbers.
        return schedule.value(float(step) if isinstance(step, float) else int(step))
    import array_api_compat

    if array_api_compat.is_array_api_obj(step):
        from deepmd_lr.schedules.arrays import xp_value

        return xp_value(schedule, step)
    raise step_type_error(step)


def bad_step(step: Any, *, array: bool = False) -> ValueError:
    """The error for a step that is negative, NaN or infinite."""
    where = "a step in the array" if array else "step"
    return ValueError(
        f"{where} is {describe(step)}, but training steps must be finite and >= 0"
    )


def step_type_error(step: Any) -> TypeError:
    """The error for a step that is not a number or an array of numbers."""
    what = getattr(step, "dtype", None)
    shown = (
        f"an array of dtype {what}"
        if what is not None
        else f"{type(step).__name__} {describe(step)}"
    )
    return TypeError(f"step must be a number or an array of numbers, got {shown}")


def _array_of_steps(steps: list[Any] | tuple[Any, ...]) -> np.ndarray:
    """A list of steps as an array; Python ints beyond 64 bits included."""
    import numpy as np

    try:
        array = np.asarray(steps)
    except ValueError:  # a ragged list: no array shape fits it
        raise step_type_error(steps) from None
    if array.dtype != object:
        return array
    # NumPy keeps ints that do not fit 64 bits as objects; as float64 they
    # are steps past the end of training, the rest stay exact up to 2**53.
    converted = np.empty(array.shape, dtype=np.float64)
    for index, step in np.ndenumerate(array):
        if isinstance(step, (bool, np.bool_)) or not isinstance(step, (int, float)):
            raise step_type_error(array)
        if not 0 <= step < math.inf:
            raise bad_step(step, array=True)
        converted[index] = min(step, STEP_HORIZON)
    return converted
