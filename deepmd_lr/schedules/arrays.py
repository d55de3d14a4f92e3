"""``value`` for the arrays of any Array-API library.

One body serves NumPy, torch, JAX, CuPy and array-api-strict: only namespace
calls and arithmetic, no Python branch on the step's values, so ``jax.jit``,
``torch.jit.trace`` and ``torch.compile`` can compile it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deepmd_lr.schedules.steps import STEP_HORIZON, step_type_error

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def xp_value(schedule: BaseLR, step: Any) -> Any:
    """The rate of ``schedule`` at every step of the array ``step``."""
    import array_api_compat

    xp = array_api_compat.array_namespace(step)
    if xp.isdtype(step.dtype, "bool") or not xp.isdtype(
        step.dtype, ("integral", "real floating")
    ):
        raise step_type_error(step)
    work = widest_float(xp)
    floating = xp.isdtype(step.dtype, "real floating")
    out_dtype = step.dtype if floating else work
    # Widening is exact (every integer up to 2**53 is a float64), so the
    # staircase index and the warmup fraction see the step itself and a
    # narrow dtype touches only the result. Negative steps cannot raise
    # inside a traced function: they are clamped.
    # +inf is held at the horizon, where every schedule is at its final
    # rate: formulas such as r ** (t // s) would turn it into NaN.
    t = clamp(xp, xp.astype(step, work), 0.0, STEP_HORIZON)
    warmup = schedule.warmup_steps
    rate = schedule._decay_xp(xp, clamp(xp, t - warmup, 0.0))
    if warmup > 0:
        # Held at W, so that the unused branch of later steps cannot
        # overflow (a rate near the float maximum times a huge step).
        fraction = clamp(xp, t, high=float(warmup)) / warmup
        warm = schedule.warmup_start_lr + schedule._warmup_span * fraction
        rate = xp.where(t < warmup, warm, rate)
    return xp.astype(rate, out_dtype)


def clamp(xp: Any, x: Any, low: float | None = None, high: float | None = None) -> Any:
    """``x`` held within ``[low, high]``, for formulas written over ``xp``.

    Written with ``where`` rather than ``xp.clip``: ``torch.compile`` with
    dynamic shapes turns a Python float bound into a symbol, which
    array-api-compat's ``clip`` then cannot test for NaN while tracing.
    """
    if low is not None:
        x = xp.where(x < low, xp.full_like(x, low), x)
    if high is not None:
        x = xp.where(x > high, xp.full_like(x, high), x)
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


def numpy_namespace() -> Any:
    """NumPy as an Array-API namespace, for evaluating ``_decay_xp`` on it."""
    import array_api_compat.numpy

    return array_api_compat.numpy
