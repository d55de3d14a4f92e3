"""``type: "wsd"``: warmup, a stable plateau, then a short decay to stop_lr."""

from __future__ import annotations

import math
from typing import Any

from deepmd_lr.schedules.arrays import clamp
from deepmd_lr.schedules.base import BaseLR
from deepmd_lr.section.keys import Key

DECAY_TYPES = ("inverse_linear", "cosine", "linear")


@BaseLR.register("wsd")
class LearningRateWSD(BaseLR):
    r"""Warmup, stable, decay.

    After the warmup the rate stays at ``start_lr``; the last
    :math:`P = \mathrm{clip}(\lfloor p\,T \rfloor, 1, D)` steps of the decay
    phase (:math:`p` = ``decay_phase_ratio``) bring it to ``stop_lr``. With
    :math:`\tau \in [0, 1]` the progress through those :math:`P` steps:

    .. math::

        \eta =
        \begin{cases}
        \left(\tau / \eta_{\mathrm{stop}} + (1 - \tau) / \eta_0\right)^{-1}
            & \mathtt{inverse\_linear}, \\
        \eta_{\mathrm{stop}} + \tfrac12 (\eta_0 - \eta_{\mathrm{stop}})(1 + \cos \pi\tau)
            & \mathtt{cosine}, \\
        \eta_0 + (\eta_{\mathrm{stop}} - \eta_0)\,\tau & \mathtt{linear},
        \end{cases}

    and :math:`\eta = \eta_{\mathrm{stop}}` from the end of training on.
    The inverse-linear curve is computed as
    :math:`\eta_{\mathrm{stop}} / (\tau + (1 - \tau)\,\eta_{\mathrm{stop}} / \eta_0)`,
    which never forms :math:`1 / \eta_{\mathrm{stop}}` (it overflows for a
    subnormal ``stop_lr``), and every curve is held within
    :math:`[\eta_{\mathrm{stop}}, \eta_0]` against rounding.

    Examples
    --------
    >>> lr = LearningRateWSD(start_lr=1e-3, stop_lr=1e-5, num_steps=10000)
    >>> lr.stable_steps, lr.decay_phase_steps
    (9000, 1000)
    >>> lr.value(8999), lr.value(10000)
    (0.001, 1e-05)
    """

    variant_doc = (
        "Warmup-stable-decay: after warmup the rate holds at start_lr, and only "
        "the last decay_phase_ratio of training brings it down to stop_lr, "
        "along the curve chosen by decay_type."
    )
    variant_keys = (
        Key(
            "decay_phase_ratio",
            float,
            "Length of the final decay, as a fraction of numb_steps; the steps "
            "between warmup and that decay keep the rate at start_lr. The "
            "resulting length is at least 1 step and at most the steps left "
            "after warmup.",
            default=0.1,
            minimum=0.0,
            exclusive_minimum=True,
            maximum=1.0,
        ),
        Key(
            "decay_type",
            str,
            'Shape of the final decay: "inverse_linear" interpolates 1/rate '
            'linearly, "cosine" follows half a cosine period, "linear" '
            "interpolates the rate itself.",
            default="inverse_linear",
            choices=DECAY_TYPES,
        ),
    )

    positive_stop_unless = ()

    decay_phase_ratio: float
    decay_type: str

    def _prepare(self) -> None:
        self.decay_phase_ratio = float(self.decay_phase_ratio)
        self.decay_phase_steps = max(
            1, min(int(self.decay_phase_ratio * self.num_steps), self.decay_num_steps)
        )
        self.stable_steps = self.decay_num_steps - self.decay_phase_steps
        # At least the smallest float, so that the curve never divides by 0;
        # a ratio this small only matters at tau = 0, the last plateau step.
        self._stop_ratio = max(self.stop_lr / self._start_lr, math.ulp(0.0))

    def phases(self) -> list[tuple[str, int, int]]:
        warmup, decay_start = self.warmup_steps, self.warmup_steps + self.stable_steps
        return [
            ("warmup", 0, warmup),
            ("stable", warmup, decay_start),
            ("decay", decay_start, self.num_steps),
        ]

    def _curve(self, tau: Any, cos: Any) -> Any:
        """The decay curve at progress ``0 < tau <= 1``, before clipping."""
        start, stop = self._start_lr, self.stop_lr
        if self.decay_type == "inverse_linear":
            return stop / (tau + (1.0 - tau) * self._stop_ratio)
        if self.decay_type == "cosine":
            return stop + (start - stop) * 0.5 * (1.0 + cos(math.pi * tau))
        return start + (stop - start) * tau

    def _scalar_decay(self, decay_step: float) -> float:
        if decay_step >= self.decay_num_steps:
            return self.stop_lr
        if decay_step <= self.stable_steps:
            return self._start_lr
        # Below 1: the steps from decay_num_steps on returned above.
        progress = (decay_step - self.stable_steps) / self.decay_phase_steps
        rate: float = self._curve(progress, math.cos)
        if rate < self.stop_lr:
            return self.stop_lr
        return rate if rate < self._start_lr else self._start_lr

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        progress = (decay_step - self.stable_steps) / self.decay_phase_steps
        tau = clamp(xp, progress, 0.0, 1.0)
        rate = clamp(xp, self._curve(tau, xp.cos), self.stop_lr, self._start_lr)
        rate = xp.where(decay_step <= self.stable_steps, self._start_lr, rate)
        return xp.where(decay_step >= self.decay_num_steps, self.stop_lr, rate)
