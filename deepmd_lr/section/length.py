"""The rules of a section against the length of training.

The length is ``training.numb_steps`` (or its older alias ``stop_batch``) of
a whole input, or the ``num_steps`` a schedule is built with; the warmup
must be shorter than it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import MAX_STEPS, given, key_path
from deepmd_lr.section.text import describe, plain, portable_float_text


def check_num_steps(num_steps: Any, path: str = "training/numb_steps") -> int:
    """Validate the total number of training steps and return it as an ``int``.

    A NumPy integer counts as the integer it is; at most :data:`MAX_STEPS`.
    A bad one is a :class:`LearningRateConfigError` of code LR401 at
    ``path``.
    """
    num_steps = plain(num_steps)
    if isinstance(num_steps, bool) or not isinstance(num_steps, int):
        rule = "be an integer"
        fix = "Fix: give numb_steps as a whole number such as 100000"
    elif num_steps < 0:
        rule = "be >= 0"
        fix = "Fix: give a non-negative numb_steps"
    elif num_steps > MAX_STEPS:
        rule = (
            f"be at most 2**53 = {MAX_STEPS}, beyond which steps are not exact floats"
        )
        fix = f"Fix: give a numb_steps of at most {MAX_STEPS}"
    else:
        return num_steps
    raise LearningRateConfigError(
        path,
        f"got {describe(num_steps)}, but the number of training steps must {rule}",
        fix,
        value=num_steps,
        code=codes.BAD_NUM_STEPS,
    )


def resolve_warmup_steps(values: Mapping[str, Any], num_steps: int) -> int:
    """The warmup length in steps, from ``warmup_steps`` or ``warmup_ratio``."""
    ratio = values.get("warmup_ratio")
    if ratio is not None:
        return int(ratio * num_steps)
    return int(values.get("warmup_steps") or 0)


def warmup_conflict(valid: Mapping[str, Any]) -> bool:
    return (valid.get("warmup_steps") or 0) != 0 and given(valid, "warmup_ratio")


def training_num_steps(jdata: Mapping[str, Any]) -> int | None:
    """``training.numb_steps`` (or its alias ``stop_batch``), if present.

    Raises
    ------
    LearningRateConfigError
        When the length is not a valid number of steps, or ``training`` is
        there but is not an object to read it from (code ``LR401``).
    """
    training = jdata.get("training")
    if training is None:
        return None
    if not isinstance(training, Mapping):
        raise LearningRateConfigError(
            "training",
            f"got {describe(training)}, but training must be an object, which "
            "holds numb_steps",
            'Fix: write it as {"numb_steps": 100000, ...}',
            value=training,
            code=codes.BAD_NUM_STEPS,
        )
    for name in ("numb_steps", "stop_batch"):
        if name in training:
            return check_num_steps(training[name], f"training/{name}")
    return None


def check_against_num_steps(
    section: Mapping[str, Any],
    valid: Mapping[str, Any],
    num_steps: Any,
    problems: list[LearningRateConfigError],
    warnings: list[LearningRateWarning],
) -> None:
    """The rules of the warmup against the length of training (LR401-LR403,
    LW103), on the keys of ``section`` whose own values pass (``valid``)."""
    try:
        num_steps = check_num_steps(num_steps)
    except LearningRateConfigError as error:
        problems.append(error)
        return
    names = ("warmup_steps", "warmup_ratio")
    bad_value = any(name in section and name not in valid for name in names)
    if bad_value or warmup_conflict(valid):
        return
    warmup = resolve_warmup_steps(valid, num_steps)
    name = "warmup_ratio" if given(valid, "warmup_ratio") else "warmup_steps"
    shown = describe(valid.get(name, 0))
    if num_steps == 0 and warmup != 0:
        problems.append(
            LearningRateConfigError(
                key_path(name),
                f"{name} ({shown}) asks for a warmup, but numb_steps is 0",
                "Fix: remove the warmup or train for more than 0 steps",
                value=valid.get(name),
                code=codes.WARMUP_WITHOUT_TRAINING,
            )
        )
    if num_steps > 0 and warmup >= num_steps:
        problems.append(
            LearningRateConfigError(
                key_path(name),
                f"{name} ({shown}, i.e. {describe(warmup)} warmup steps) is not "
                f"shorter than training (numb_steps = {num_steps})",
                f"Fix: use fewer than {num_steps} warmup steps, or raise numb_steps",
                value=valid.get(name),
                code=codes.WARMUP_TOO_LONG,
            )
        )
    ratio = valid.get("warmup_ratio")
    if ratio is not None and ratio > 0 and warmup == 0 and num_steps > 0:
        if num_steps > 1:
            least = _least_warmup_ratio(num_steps)
            fix = f"Fix: remove warmup_ratio, or raise it to at least {least}"
        else:
            fix = (
                "Fix: remove warmup_ratio: one step of training leaves no room for one"
            )
        warnings.append(
            LearningRateWarning(
                f"{key_path('warmup_ratio')}: {describe(ratio)} of {num_steps} steps "
                f"rounds down to 0 warmup steps, so there is no warmup. {fix}",
                path=key_path("warmup_ratio"),
                code=codes.WARMUP_ROUNDS_TO_ZERO,
            )
        )


def _least_warmup_ratio(num_steps: int) -> str:
    """The smallest ``warmup_ratio`` of three significant digits that gives
    ``num_steps`` a warmup of at least one step (as ``int(ratio * steps)``
    counts it, in floating point)."""
    ratio = 1 / num_steps
    step = 10.0 ** (math.floor(math.log10(ratio)) - 2)
    value = math.ceil(ratio / step) * step
    while int(float(f"{value:.3g}") * num_steps) < 1:
        value += step
    return portable_float_text(float(f"{value:.3g}"))
