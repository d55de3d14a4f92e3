"""The warmup and decay formulas of each schedule type, written out plainly.

The tests compare the library with these one-step-at-a-time versions, which
are deliberately naive: plain ``math``, no tables, no blocks, no shortcuts.
"""

from __future__ import annotations

import math


def warmup(t: float, start_lr: float, warmup_steps: int, factor: float) -> float:
    low = factor * start_lr
    return low + (start_lr - low) * t / warmup_steps


def exp_rate(start_lr: float, stop_lr: float, decay_steps: int, phase: int) -> float:
    """The decay rate that brings start_lr to stop_lr over ``phase`` steps."""
    if phase == 0:
        return 1.0
    return (max(stop_lr, 1e-10) / start_lr) ** (decay_steps / phase)


def exp(
    t: float,
    *,
    start_lr: float,
    stop_lr: float,
    num_steps: int,
    decay_steps: int,
    decay_rate: float | None = None,
    warmup_steps: int = 0,
    warmup_start_factor: float = 0.0,
    smooth: bool = False,
) -> float:
    if t < warmup_steps:
        return warmup(t, start_lr, warmup_steps, warmup_start_factor)
    phase = num_steps - warmup_steps
    rate = decay_rate
    if rate is None:
        rate = exp_rate(start_lr, stop_lr, decay_steps, phase)
    u = t - warmup_steps
    power = u / decay_steps if smooth else math.floor(u / decay_steps)
    return max(stop_lr, start_lr * rate**power)


def cosine(
    t: float,
    *,
    start_lr: float,
    stop_lr: float,
    num_steps: int,
    warmup_steps: int = 0,
    warmup_start_factor: float = 0.0,
) -> float:
    if t < warmup_steps:
        return warmup(t, start_lr, warmup_steps, warmup_start_factor)
    phase = num_steps - warmup_steps
    if phase == 0:
        return start_lr
    u = t - warmup_steps
    if u >= phase:
        return stop_lr
    return stop_lr + (start_lr - stop_lr) / 2 * (1 + math.cos(math.pi * u / phase))
