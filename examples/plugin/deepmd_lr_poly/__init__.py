"""A polynomial-decay schedule, shipped as a deepmd-lr plugin.

After the shared warmup the rate falls from start_lr to stop_lr as
``stop_lr + (start_lr - stop_lr) * (1 - u / D) ** power`` over the decay
phase of ``D`` steps, and stays at stop_lr afterwards.
"""

from __future__ import annotations

from typing import Any

from deepmd_lr import BaseLR, Key


class LearningRatePoly(BaseLR):
    """Polynomial decay; ``power = 1`` is a straight line."""

    variant_doc = (
        "Polynomial decay: the rate falls from start_lr to stop_lr along "
        "(1 - progress) ** power over the decay phase."
    )
    variant_keys = (
        Key(
            "power",
            float,
            "Exponent of the decay curve: 1 is linear, larger values drop "
            "faster at first and flatten towards the end.",
            default=1.0,
            minimum=0.0,
            exclusive_minimum=True,
        ),
    )

    power: float  # set from the key when the schedule is built

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        if self.decay_num_steps == 0:
            return xp.full_like(decay_step, self.start_lr)
        remaining = 1.0 - xp.clip(decay_step / self.decay_num_steps, max=1.0)
        return self.stop_lr + (self.start_lr - self.stop_lr) * remaining**self.power
