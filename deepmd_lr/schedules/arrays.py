"""``value`` for arrays of steps: NumPy arrays, lists, and any Array-API array.

One body, :func:`rates`, evaluates a schedule for every array library: only
namespace calls and arithmetic, no Python branch on the step's values, so
``jax.jit``, ``torch.jit.trace`` and ``torch.compile`` can compile it. NumPy
arrays and lists are checked first: a negative, NaN or infinite step in them
is an error, as it is for a Python number. The arrays of other libraries
cannot raise (they may be traced), and are clamped instead
(:func:`xp_value`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Protocol

from deepmd_lr.section.text import describe

if TYPE_CHECKING:
    import numpy as np

STEP_HORIZON = 2.0**120
"""A step by which every built-in schedule has reached its final rate, for
any valid configuration: with at most 2**53 steps per decay period, the
slowest exponential decay has underflowed to 0 long before (after about
1e35 steps). Larger steps, and ``+inf`` in traced arrays, are computed as
this one, so no formula sees an infinity or an integer too large for a
float. It is exact in float32, the widest float some libraries have."""


class Formula(Protocol):
    """What the array code reads of a schedule: its warmup and its decay."""

    warmup_steps: int
    warmup_start_lr: float
    _warmup_span: float

    def value(self, step: Any) -> Any: ...

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any: ...


def array_value(schedule: Formula, step: Any) -> Any:
    """The rate of ``schedule`` for a step that is not a plain ``int``/``float``.

    NumPy arrays and scalars, lists of numbers and the arrays of other
    Array-API libraries; anything else is a :class:`TypeError`.
    """
    import numpy as np

    if isinstance(step, (bool, np.bool_, str, bytes)) or step is None:
        raise step_type_error(step)
    if isinstance(step, (np.ndarray, np.generic)):
        return _numpy_value(schedule, step)
    if isinstance(step, (list, tuple)):
        return array_value(schedule, _array_of_steps(step))
    if isinstance(step, (int, float)):
        # Subclasses of int and float (IntEnum, say) count as plain numbers.
        return schedule.value(float(step) if isinstance(step, float) else int(step))
    import array_api_compat

    if array_api_compat.is_array_api_obj(step):
        return xp_value(schedule, step)
    raise step_type_error(step)


def xp_value(schedule: Formula, step: Any) -> Any:
    """The rate of ``schedule`` at every step of the array ``step``.

    For the arrays of any library, traced ones included: these cannot raise,
    so a negative step is computed as 0, and +inf as :data:`STEP_HORIZON`.
    """
    import array_api_compat

    xp = array_api_compat.array_namespace(step)
    floating = xp.isdtype(step.dtype, "real floating")
    if not floating and not xp.isdtype(step.dtype, "integral"):
        raise step_type_error(step)
    work = widest_float(xp)
    # Widening is exact (every integer up to 2**53 is a float64), so the
    # staircase index and the warmup fraction see the step itself and a
    # narrow dtype touches only the result. +inf is held at the horizon,
    # where every schedule is at its final rate: formulas such as
    # r ** (t // s) would turn it into NaN.
    steps = clamp(xp, xp.astype(step, work), 0.0, STEP_HORIZON)
    out_dtype = step.dtype if floating else work
    return xp.astype(rates(schedule, xp, steps), out_dtype, copy=False)


def rates(schedule: Formula, xp: Any, steps: Any) -> Any:
    """The rate of ``schedule`` at ``steps``, floating steps in ``[0, STEP_HORIZON]``.

    The one body for every array library: the warmup line, then the decay
    formula of the schedule. The steps are float64, or float32 for a library
    without float64; the result has their dtype.

    An augmented assignment (``x *= c``) changes an array made here in place
    where the library allows it (NumPy, torch) and makes a new one where it
    does not (JAX): allocating a large array costs more than the arithmetic
    done on it. The steps themselves are never changed.
    """
    warmup = schedule.warmup_steps
    if warmup == 0:
        return schedule._decay_xp(xp, steps)
    in_warmup = steps < warmup
    # Held at W: the decay phase starts at 0 for every warmup step, and the
    # warmup line stays at 1 for every later one, so that the branch those
    # do not take cannot overflow (a rate near the float maximum times a
    # huge step).
    held = xp.where(in_warmup, steps, warmup)
    decay = schedule._decay_xp(xp, steps - held)
    held /= warmup
    held *= schedule._warmup_span
    held += schedule.warmup_start_lr
    return xp.where(in_warmup, held, decay)


def clamp(xp: Any, x: Any, low: float | None = None, high: float | None = None) -> Any:
    """``x`` held within ``[low, high]``, for bounds taken from a schedule.

    Written with ``where`` rather than ``xp.clip`` or ``xp.maximum``:
    ``torch.compile`` with dynamic shapes turns a schedule's numbers into
    symbols, which array-api-compat's ``clip`` and ``maximum`` cannot take.
    """
    if low is not None:
        x = xp.where(x < low, low, x)
    if high is not None:
        x = xp.where(x > high, high, x)
    return x


def widest_float(xp: Any) -> Any:
    """float64, or float32 where the library has no float64.

    JAX without ``jax_enable_x64`` is such a library: asked for float64 it
    gives float32 and a warning, so the choice is made up front.
    """
    info = getattr(xp, "__array_namespace_info__", None)
    if info is None:
        return xp.float64
    floats = info().dtypes(kind="real floating")
    return floats.get("float64", floats.get("float32", xp.float64))


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


def _numpy_value(schedule: Formula, steps: np.ndarray | np.generic) -> Any:
    """The rate of ``schedule`` at NumPy steps, once each is known to be valid.

    Unsigned integers up to 2**64 - 1 are the steps they are: widened to
    float64, never wrapped to negative numbers.
    """
    import array_api_compat.numpy
    import numpy as np

    array = np.asarray(steps)
    kind = array.dtype.kind
    if kind not in "iuf":
        raise step_type_error(steps)
    if array.size and kind != "u":
        # A NaN step makes both NaN, which is neither >= 0 nor below inf.
        low = array.min().item()
        high = array.max().item() if kind == "f" else 0
        if not (low >= 0 and high < math.inf):
            raise bad_step(low if not low >= 0 else high, array=True)
        if high > STEP_HORIZON:
            # A long double can exceed the float64 range, where widening
            # would overflow; such a step is far past the end of training.
            array = np.minimum(array, STEP_HORIZON)
    work = array.astype(np.float64, copy=False)
    out = rates(schedule, array_api_compat.numpy, work)
    out = out.astype(array.dtype if kind == "f" else np.float64, copy=False)
    return out[()] if isinstance(steps, np.generic) else np.asarray(out)


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
