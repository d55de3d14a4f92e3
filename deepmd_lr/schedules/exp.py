"""``type: "exp"``: exponential decay, as a staircase or smooth."""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from functools import cached_property
from typing import Any, ClassVar

from deepmd_lr.schedules.arrays import clamp
from deepmd_lr.schedules.base import BaseLR
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError, warn_user
from deepmd_lr.section.keys import MAX_STEPS, Key, given, key_path
from deepmd_lr.section.text import describe

# The rate formula takes a logarithm of stop_lr; zero is raised to this first.
_LOG_FLOOR = 1e-10


def replaced_decay_steps(decay_phase: int) -> int:
    """The ``decay_steps`` DeePMD-kit uses instead of one that is not shorter
    than the ``decay_phase`` steps after warmup (without ``decay_rate``, and
    before 3.1.3 also with it).

    >>> replaced_decay_steps(100_000), replaced_decay_steps(500)
    (100, 6)
    """
    return 100 if decay_phase // 10 > 100 else decay_phase // 100 + 1


@BaseLR.register("exp")
class LearningRateExp(BaseLR):
    r"""Exponential decay after an optional linear warmup.

    With :math:`u = t - W` the step within the decay phase, :math:`s` =
    ``decay_steps`` and :math:`r` = ``decay_rate``:

    .. math::

        \eta(u) = \max\left(\eta_{\mathrm{stop}},\;
        \eta_0\, r^{\lfloor u / s \rfloor}\right)
        \quad\text{(staircase)}, \qquad
        \eta(u) = \max\left(\eta_{\mathrm{stop}},\; \eta_0\, r^{u / s}\right)
        \quad\text{(smooth)}.

    Unless ``decay_rate`` is given, :math:`r` is chosen so that the rate
    reaches ``stop_lr`` after the :math:`D = T - W` decay steps,
    :math:`r = (\eta_{\mathrm{stop}} / \eta_0)^{s / D}`. A ``decay_steps`` not
    smaller than :math:`D` is then replaced (with a warning) by
    ``100 if D // 10 > 100 else D // 100 + 1``; with :math:`D = 0`, :math:`r = 1`.

    Examples
    --------
    >>> lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=10000,
    ...                      decay_steps=5000)
    >>> lr.value(0), round(lr.value(5000), 12)
    (0.001, 0.0001)
    >>> round(lr.value(10000), 12)
    1e-05
    """

    variant_doc = (
        "Exponential decay: the rate is multiplied by decay_rate once every "
        "decay_steps steps (or continuously with smooth), falling from "
        "start_lr to stop_lr over the decay phase and never below stop_lr."
    )
    variant_keys = (
        Key(
            "decay_steps",
            int,
            "Length of one decay period, in steps: with the staircase the rate "
            "drops once per period. Without decay_rate, a value not smaller than "
            "the decay phase (numb_steps minus warmup) is replaced by "
            "100 if that phase has more than 1000 steps, else by phase // 100 + 1, "
            "with a warning.",
            default=5000,
            minimum=1,
            maximum=MAX_STEPS,
        ),
        Key(
            "decay_rate",
            float,
            "Factor applied to the rate per decay period. When given it is used "
            "as is and stop_lr only acts as a floor; when not, it is computed so "
            "that the rate ends at stop_lr.",
            default=None,
            minimum=0.0,
            exclusive_minimum=True,
            maximum=1.0,
        ),
        Key(
            "smooth",
            bool,
            "false: staircase, the rate changes once per decay_steps. true: the "
            "same curve without steps, the rate changes at every step.",
            default=False,
        ),
    )

    positive_stop_unless = ("decay_rate",)
    legacy_defaults: ClassVar[dict[str, Any]] = {"decay_steps": 5000}
    plot_log_scale: ClassVar[bool] = True

    @classmethod
    def check_variant(cls, values: Mapping[str, Any]) -> None:
        if not given(values, "decay_rate") and values["start_lr"] < _LOG_FLOOR:
            # The rate is fitted against max(stop_lr, 1e-10); from a start
            # below that floor it would rise instead of decay, without bound.
            raise LearningRateConfigError(
                key_path("start_lr"),
                f"start_lr is {describe(values['start_lr'])}, but exponential "
                f"decay without decay_rate needs start_lr >= {_LOG_FLOOR!r}",
                "Fix: raise start_lr, or give decay_rate",
                value=values["start_lr"],
            )

    decay_steps: int
    smooth: bool

    def _prepare(self) -> None:
        phase = self.decay_num_steps
        decay_steps, decay_rate = self.decay_steps, self.settings.get("decay_rate")
        replacement = replaced_decay_steps(phase)
        if decay_rate is None and decay_steps >= phase and replacement != decay_steps:
            self.decay_steps = replacement
            warn_user(
                f"{key_path('decay_steps')}: {decay_steps} is not shorter than the "
                f"decay phase ({phase} steps), so decay_steps = {self.decay_steps} "
                f"is used instead. Fix: write decay_steps: {self.decay_steps} to say "
                "so, or a value below the decay phase",
                path=key_path("decay_steps"),
                code=codes.DECAY_STEPS_REPLACED,
            )
        self.min_lr = self.stop_lr
        if decay_rate is not None:
            self.decay_rate = float(decay_rate)
        elif phase == 0:
            self.decay_rate = 1.0
        else:
            floor = max(self.stop_lr, _LOG_FLOOR)
            self._decay_fit = (floor / self._start_lr, phase / self.decay_steps)
            if "numpy" in sys.modules:
                self.decay_rate = self._fitted_decay_rate()
            else:
                # Checking an input builds its schedule, and must not import
                # NumPy for that: the fit waits for the first use of
                # decay_rate. Every array library loads NumPy, so a compiled
                # function never meets a fit still to be done.
                del self.decay_rate

    @cached_property
    def decay_rate(self) -> float:
        """The factor per ``decay_steps``: as given, or fitted to reach stop_lr."""
        # Read only when _prepare deferred the fit; otherwise the instance's
        # own value comes first.
        return self._fitted_decay_rate()

    def _fitted_decay_rate(self) -> float:
        import numpy as np

        # NumPy's exp/log, not math's: r is raised to large powers, so the
        # last bit must agree with DeePMD-kit's.
        floor_ratio, decays = self._decay_fit
        return float(np.exp(np.log(floor_ratio) / decays))

    def summary_items(self) -> list[tuple[str, Any]]:
        items = [item for item in super().summary_items() if item[0] != "decay_rate"]
        origin = (
            "as given"
            if "decay_rate" in self.settings
            else "computed so that the rate reaches stop_lr"
        )
        text = f"{self.decay_rate:.9g} every {self.decay_steps} steps ({origin})"
        return [*items, ("decay rate", text)]

    def _scalar_decay(self, decay_step: float) -> float:
        if self.smooth:
            exponent = decay_step / self.decay_steps
        else:
            exponent = decay_step // self.decay_steps
        rate = self._start_lr * self.decay_rate**exponent
        return rate if rate > self.min_lr else self.min_lr

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        exponent = decay_step / self.decay_steps
        if not self.smooth:
            # The floor of the rounded quotient is decay_step // decay_steps:
            # below 2**53 steps, a quotient by a whole number never rounds up
            # to the next whole number. NumPy computes it several times faster.
            exponent = xp.floor(exponent)
        if decay_step.dtype == xp.float64:
            rate = self.decay_rate**exponent
        else:
            # decay_rate rounded to float32 and raised to the thousandth power
            # is off by 1e-4; its logarithm, rounded once, keeps 1e-6.
            exponent *= math.log(self.decay_rate)
            rate = xp.exp(exponent)
        rate *= self._start_lr
        return clamp(xp, rate, self.min_lr)
