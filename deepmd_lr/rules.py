"""Rules that tie several ``learning_rate`` keys together.

Single-key rules live on each :class:`~deepmd_lr.keys.Key`; the rules here
look at the whole section (exclusivity, ``stop_lr <= start_lr``, warmup versus
the length of training). Constructors and the argument layer both call
:func:`check_values`, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from deepmd_lr.errors import LearningRateConfigError, warn_user
from deepmd_lr.keys import COMMON_KEYS, MAX_STEPS, describe, key_path, plain

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

NUM_STEPS_PATH = "training/numb_steps"


def given(values: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` is set in ``values`` (``null`` counts as not set)."""
    return values.get(name) is not None


def check_num_steps(num_steps: Any) -> int:
    """Validate the total number of training steps and return it as an ``int``.

    A NumPy integer counts as the integer it is; at most :data:`MAX_STEPS`.
    """
    num_steps = plain(num_steps)
    if isinstance(num_steps, bool) or not isinstance(num_steps, int):
        raise LearningRateConfigError(
            NUM_STEPS_PATH,
            f"got {describe(num_steps)}, but the number of training steps must "
            "be an integer",
            "Fix: give numb_steps as a whole number such as 100000",
            value=num_steps,
        )
    if num_steps < 0:
        raise LearningRateConfigError(
            NUM_STEPS_PATH,
            f"got {describe(num_steps)}, but the number of training steps must be >= 0",
            "Fix: give a non-negative numb_steps",
            value=num_steps,
        )
    if num_steps > MAX_STEPS:
        raise LearningRateConfigError(
            NUM_STEPS_PATH,
            f"got {describe(num_steps)}, but the number of training steps must be "
            f"at most 2**53 = {MAX_STEPS}, beyond which steps are not exact floats",
            f"Fix: give a numb_steps of at most {MAX_STEPS}",
            value=num_steps,
        )
    return num_steps


def resolve_warmup_steps(values: Mapping[str, Any], num_steps: int) -> int:
    """The warmup length in steps, from ``warmup_steps`` or ``warmup_ratio``."""
    ratio = values.get("warmup_ratio")
    if ratio is not None:
        return int(ratio * num_steps)
    return int(values.get("warmup_steps") or 0)


def resolve_stop_lr(values: Mapping[str, Any]) -> float:
    ratio = values.get("stop_lr_ratio")
    if ratio is not None:
        return values["start_lr"] * ratio
    return values["stop_lr"]


def check_values(
    schedule: type[BaseLR],
    values: Mapping[str, Any],
    num_steps: int | None = None,
    *,
    warn: bool = True,
) -> None:
    """Check every rule of the section for the schedule class ``schedule``.

    ``values`` holds the keys of the section that are set; keys of other
    variants and unknown keys must already have been rejected. ``start_lr``
    and one stop value must be present. With ``num_steps`` the warmup length
    is checked against the length of training as well. NumPy scalars count
    as the Python numbers they stand for.
    """
    values = {name: plain(value) for name, value in values.items()}
    for key in (*COMMON_KEYS, *schedule.variant_keys):
        if key.name in values:
            key.check(values[key.name])

    if given(values, "stop_lr") and given(values, "stop_lr_ratio"):
        raise LearningRateConfigError(
            key_path("stop_lr"),
            f"stop_lr ({describe(values['stop_lr'])}) and stop_lr_ratio "
            f"({describe(values['stop_lr_ratio'])}) are both given, but they are "
            "two ways to set the same final rate",
            "Fix: keep exactly one of stop_lr and stop_lr_ratio",
        )
    if not given(values, "stop_lr") and not given(values, "stop_lr_ratio"):
        raise LearningRateConfigError(
            key_path("stop_lr"),
            "neither stop_lr nor stop_lr_ratio is given",
            "Fix: add stop_lr (the final rate) or stop_lr_ratio (the final rate "
            "as a fraction of start_lr)",
        )
    start_lr = values["start_lr"]
    if given(values, "stop_lr") and values["stop_lr"] > start_lr:
        raise LearningRateConfigError(
            key_path("stop_lr"),
            f"stop_lr ({describe(values['stop_lr'])}) is larger than start_lr "
            f"({describe(start_lr)}), but the schedule can only decrease",
            f"Fix: set stop_lr to at most {describe(start_lr)}, or raise start_lr",
            value=values["stop_lr"],
        )
    warmup_steps = values.get("warmup_steps") or 0
    if warmup_steps != 0 and given(values, "warmup_ratio"):
        raise LearningRateConfigError(
            key_path("warmup_steps"),
            f"warmup_steps ({describe(warmup_steps)}) and warmup_ratio "
            f"({describe(values['warmup_ratio'])}) are both given, but they are "
            "two ways to set the same warmup length",
            "Fix: keep only one of warmup_steps and warmup_ratio",
        )
    schedule.check_variant(values)
    if num_steps is not None:
        _check_against_num_steps(values, num_steps, warn=warn)


def _check_against_num_steps(
    values: Mapping[str, Any], num_steps: int, *, warn: bool
) -> None:
    warmup = resolve_warmup_steps(values, num_steps)
    name = "warmup_ratio" if given(values, "warmup_ratio") else "warmup_steps"
    shown = describe(values.get(name, 0))
    if num_steps == 0 and warmup != 0:
        raise LearningRateConfigError(
            key_path(name),
            f"{name} ({shown}) asks for a warmup, but numb_steps is 0",
            "Fix: remove the warmup or train for more than 0 steps",
            value=values.get(name),
        )
    if num_steps > 0 and warmup >= num_steps:
        raise LearningRateConfigError(
            key_path(name),
            f"{name} ({shown}, i.e. {describe(warmup)} warmup steps) is not shorter "
            f"than training (numb_steps = {num_steps})",
            f"Fix: use fewer than {num_steps} warmup steps, or raise numb_steps",
            value=values.get(name),
        )
    ratio = values.get("warmup_ratio")
    if warn and ratio is not None and ratio > 0 and warmup == 0:
        warn_user(
            f"{key_path('warmup_ratio')}: {describe(ratio)} of {num_steps} steps "
            "rounds down to 0 warmup steps, so there is no warmup"
        )
