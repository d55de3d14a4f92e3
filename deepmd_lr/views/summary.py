"""A schedule described in numbers: its phases and the rate at milestones.

Used by ``deepmd-lr show`` and ``deepmd-lr plot``; it reads the public
attributes every schedule has (``warmup_steps``, ``num_steps``, ...) and asks
the schedule itself for its phases and its own settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def phases(schedule: BaseLR) -> list[tuple[str, int, int]]:
    """The warmup, plateau and decay phases of ``schedule``, empty ones left out.

    Each is its name and its run of training steps ``[start, stop)``.

    Examples
    --------
    >>> from deepmd_lr import LearningRateCosine
    >>> lr = LearningRateCosine(start_lr=1e-3, stop_lr=1e-5, num_steps=1000,
    ...                         warmup_steps=100)
    >>> phases(lr)
    [('warmup', 0, 100), ('decay', 100, 1000)]
    """
    return [
        (name, start, stop) for name, start, stop in schedule.phases() if stop > start
    ]


def milestones(schedule: BaseLR) -> list[tuple[int, str]]:
    """The steps ``show`` reports: start, end of warmup, each tenth, end.

    Steps that coincide are reported once, with their labels joined.

    Examples
    --------
    >>> from deepmd_lr import LearningRateCosine
    >>> lr = LearningRateCosine(start_lr=1e-3, stop_lr=1e-5, num_steps=1000,
    ...                         warmup_steps=100)
    >>> milestones(lr)[:3]
    [(0, 'start'), (100, '10%, end of warmup'), (200, '20%')]
    """
    total = schedule.num_steps
    labels: dict[int, list[str]] = {0: ["start"]}
    for tenth in range(1, 10 if total > 0 else 1):
        labels.setdefault(tenth * total // 10, []).append(f"{tenth * 10}%")
    if schedule.warmup_steps > 0:
        labels.setdefault(schedule.warmup_steps, []).append("end of warmup")
    labels.setdefault(total, []).append("end")
    return [(step, ", ".join(labels[step])) for step in sorted(labels)]


def describe_schedule(schedule: BaseLR) -> list[str]:
    """Lines describing ``schedule``: settings, phases and milestone rates."""
    lines = [f"type: {schedule.type_name}"]
    lines.append(f"training steps: {schedule.num_steps}")
    lines.append(f"start_lr: {schedule.start_lr:.6g}")
    lines.append(f"stop_lr: {schedule.stop_lr:.6g}")
    if schedule.warmup_steps:
        lines.append(
            f"warmup: {schedule.warmup_steps} steps from {schedule.warmup_start_lr:.6g}"
        )
    lines += [f"{label}: {_text(value)}" for label, value in schedule.summary_items()]
    lines.append("phases:")
    width = len(str(schedule.num_steps))
    lines += [
        f"  {name:<7} steps {start:>{width}} to {stop:>{width}} ({stop - start} steps)"
        for name, start, stop in phases(schedule)
    ]
    if schedule.num_steps == 0:
        lines.append("  (none: training has 0 steps)")
    lines.append("rates:")
    return lines + rate_lines(schedule)


def rate_lines(schedule: BaseLR, factor: float = 1.0) -> list[str]:
    """The rate at each milestone of ``schedule``, times ``factor``, a line each.

    Examples
    --------
    >>> from deepmd_lr import LearningRateCosine
    >>> lr = LearningRateCosine(start_lr=1e-3, stop_lr=1e-5, num_steps=10)
    >>> rate_lines(lr, factor=4.0)[0]
    '  step  0  0.004         start'
    """
    width = len(str(schedule.num_steps))
    return [
        f"  step {step:>{width}}  {factor * schedule.value(step):<13.6g} {label}".rstrip()
        for step, label in milestones(schedule)
    ]


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)
