"""``type: "cosine"``: cosine annealing from start_lr to stop_lr."""

from __future__ import annotations

import math
from typing import Any

from deepmd_lr.schedules.arrays import clamp
from deepmd_lr.schedules.base import BaseLR


@BaseLR.register("cosine")
class LearningRateCosine(BaseLR):
    r"""Cosine annealing after an optional linear warmup.

    With :math:`u = t - W` the step within the decay phase of
    :math:`D = T - W` steps:

    .. math::

        \eta(u) =
        \begin{cases}
        \eta_{\mathrm{stop}} + \dfrac{\eta_0 - \eta_{\mathrm{stop}}}{2}
        \left(1 + \cos\dfrac{\pi u}{D}\right) & u < D, \\
        \eta_{\mathrm{stop}} & u \ge D,
        \end{cases}

    and :math:`\eta = \eta_0` throughout when :math:`D = 0`. The rate never
    goes below :math:`\eta_{\mathrm{stop}}`: the formula's own end,
    :math:`\eta_0 \cdot (\eta_{\mathrm{stop}} / \eta_0)`, can miss it, by a
    rounding, or by far when that ratio is subnormal.

    Examples
    --------
    >>> lr = LearningRateCosine(start_lr=1e-3, stop_lr=1e-5, num_steps=10000)
    >>> lr.value(0), lr.value(10000), lr.value(20000)
    (0.001, 1e-05, 1e-05)
    >>> round(lr.value(5000), 10)
    0.000505
    """

    variant_doc = (
        "Cosine annealing: over the decay phase the rate follows half a cosine "
        "period from start_lr down to stop_lr, then stays at stop_lr."
    )

    def _prepare(self) -> None:
        self.lr_min_factor = self.stop_lr / self._start_lr
        formula_end = self._start_lr * self.lr_min_factor
        self.min_lr = max(formula_end, self.stop_lr)
        # Only when the formula's own end falls short of stop_lr can a rate
        # fall below it; the array formula skips the floor otherwise.
        self._floored = formula_end < self.stop_lr
        # The formula is evaluated as start_lr * (f + a * (1 + cos(pi * u / D)))
        # in that order, which is DeePMD-kit's: near the end 1 + cos(...)
        # cancels, and only the same rounding gives the same numbers there.
        self._half_range = 0.5 * (1 - self.lr_min_factor)

    def _scalar_decay(self, decay_step: float) -> float:
        phase = self.decay_num_steps
        if phase == 0:
            return self._start_lr
        if decay_step >= phase:
            return self.min_lr
        rate = self._start_lr * (
            self.lr_min_factor
            + self._half_range * (1 + math.cos(math.pi * (decay_step / phase)))
        )
        return rate if rate > self.min_lr else self.min_lr

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        phase = self.decay_num_steps
        if phase == 0:
            return xp.full_like(decay_step, self._start_lr)
        # Past the end u is held at D: cos(pi) is exactly -1, so the
        # formula yields its own end, start_lr * f, which the floor raises to
        # stop_lr where it falls short. In place where the library allows it,
        # as in rates().
        angle = clamp(xp, decay_step, high=phase)
        angle /= phase
        angle *= math.pi
        rate = xp.cos(angle)
        rate += 1
        rate *= self._half_range
        rate += self.lr_min_factor
        rate *= self._start_lr
        return clamp(xp, rate, self.min_lr) if self._floored else rate
