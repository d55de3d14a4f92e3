"""Every rule of the ``learning_rate`` section, in one place.

Single-key rules are declared on each :class:`~deepmd_lr.keys.Key` and
applied here, together with the rules that look at the whole section
(unknown keys, required keys, exclusivity, ``stop_lr <= start_lr``, a final
rate above 0 where the decay needs one, warmup versus the length of
training). Constructors, normalization and the dargs ``Argument`` all call
:func:`check_section` or :func:`check_values`, so a rule is written once.

The rules see a schedule type only through :class:`ScheduleSpec`: its name,
its keys and its own cross-key rule. They never import the schedules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from deepmd_lr.errors import LearningRateConfigError, warn_user
from deepmd_lr.keys import (
    COMMON_KEYS,
    DEFAULT_TYPE,
    MAX_STEPS,
    SECTION,
    Key,
    describe,
    did_you_mean,
    key_path,
    plain,
    short_text,
)
from deepmd_lr.registry import SCHEDULES

NUM_STEPS_PATH = "training/numb_steps"


class ScheduleSpec(Protocol):
    """What the rules know of a schedule type; every schedule class is one."""

    type_name: str
    """The value of ``type`` that selects the schedule."""
    variant_keys: tuple[Key, ...]
    """The keys that only this type has."""
    positive_stop_unless: tuple[str, ...] | None
    """``None`` when a final rate of 0 is allowed; otherwise the final rate
    must be above 0 unless one of the keys listed here is given."""

    def check_variant(self, values: Mapping[str, Any]) -> None:
        """The type's own rule across several keys; raises when broken."""


def section_keys(spec: ScheduleSpec) -> frozenset[str]:
    """Every key a section of type ``spec`` may hold, ``type`` included."""
    return frozenset(
        ["type", *(k.name for k in COMMON_KEYS), *(k.name for k in spec.variant_keys)]
    )


def schedule_spec(section: Mapping[str, Any]) -> ScheduleSpec:
    """The schedule type the section selects (its ``type``, by default exp)."""
    spec: ScheduleSpec = SCHEDULES.get(section.get("type", DEFAULT_TYPE))
    return spec


def check_section(section: Any, num_steps: int | None = None) -> Any:
    """Check a ``learning_rate`` section; return the schedule class it selects.

    Keys starting with ``_`` are comments and are ignored. The section is
    never modified.

    Raises
    ------
    LearningRateConfigError
        For the first rule the section breaks.
    """
    if not isinstance(section, Mapping):
        raise LearningRateConfigError(
            SECTION,
            f"got {describe(section)}, but the learning_rate section must be an "
            "object of keys and values",
            'Fix: write it as {"type": "exp", "start_lr": 0.001, "stop_lr": 1e-08}',
            value=section,
        )
    spec = schedule_spec(section)
    own = section_keys(spec)
    for name, value in section.items():
        if not isinstance(name, str):
            raise LearningRateConfigError(
                SECTION,
                f"key {describe(name)} is not a string",
                "Fix: use the key names of the learning_rate section",
                value=name,
            )
        if name not in own and not name.startswith("_"):
            raise unknown_key_error(name, value, spec)
    _check_required(section)
    _check_required_variant_keys(spec, section)
    check_values(spec, section, num_steps)
    return spec


def _check_required(section: Mapping[str, Any]) -> None:
    from deepmd_lr.migration import legacy_fix_text

    missing = []
    if "start_lr" not in section:
        missing.append("start_lr")
    if not given(section, "stop_lr") and not given(section, "stop_lr_ratio"):
        missing.append("stop_lr")
    if not missing:
        return
    if missing == ["stop_lr"]:
        what = "neither stop_lr nor stop_lr_ratio is given"
    elif len(missing) == 2:
        what = "start_lr and a final rate (stop_lr or stop_lr_ratio) are missing"
    else:
        what = "start_lr is missing"
    subject = "it has" if missing == ["start_lr"] else "they have"
    raise LearningRateConfigError(
        key_path(missing[0]),
        f"{what}; since DeePMD-kit 3.1.3 {subject} no default",
        legacy_fix_text(section),
    )


def _check_required_variant_keys(
    spec: ScheduleSpec, section: Mapping[str, Any]
) -> None:
    for key in spec.variant_keys:
        if key.required and section.get(key.name) is None:
            raise LearningRateConfigError(
                key_path(key.name),
                f'{key.name} is missing, and type "{spec.type_name}" has no '
                "default for it",
                f"Fix: add {key.name} ({key.range_text()})",
            )


def unknown_key_error(
    name: str, value: Any, spec: ScheduleSpec
) -> LearningRateConfigError:
    """The error for a key that the schedule type ``spec`` does not have."""
    owners = [
        other
        for other, cls in SCHEDULES.classes().items()
        if any(k.name == name for k in cls.variant_keys)
    ]
    if owners:
        where = " or ".join(f'"{o}"' for o in owners)
        return LearningRateConfigError(
            key_path(name),
            f'{name} belongs to type {where}, not to type "{spec.type_name}"',
            f"Fix: remove {name}, or set type to {where}",
            value=value,
        )
    known = sorted(section_keys(spec))
    hint = did_you_mean(name, known)
    return LearningRateConfigError(
        key_path(name),
        f'{short_text(name)} is not a key of learning_rate for type "{spec.type_name}"',
        hint or "Fix: remove it; known keys are " + ", ".join(known),
        value=value,
    )


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
        return float(values["start_lr"] * ratio)
    return float(values["stop_lr"])


def check_values(
    spec: ScheduleSpec,
    values: Mapping[str, Any],
    num_steps: int | None = None,
) -> None:
    """Check every rule of the section for the schedule type ``spec``.

    ``values`` holds the keys of the section that are set; keys of other
    variants and unknown keys must already have been rejected. ``start_lr``
    and one stop value must be present. With ``num_steps`` the warmup length
    is checked against the length of training as well. NumPy scalars count
    as the Python numbers they stand for.
    """
    values = {name: plain(value) for name, value in values.items()}
    for key in (*COMMON_KEYS, *spec.variant_keys):
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
    _check_positive_stop(spec, values)
    # The type's own rule sees every one of its keys, defaults filled in, so
    # that it can compare two of them whichever the user wrote.
    spec.check_variant(
        {
            key.name: values.get(key.name, key.default)
            for key in (*COMMON_KEYS, *spec.variant_keys)
        }
    )
    if num_steps is not None:
        _check_against_num_steps(values, num_steps)


def _check_positive_stop(spec: ScheduleSpec, values: Mapping[str, Any]) -> None:
    escapes = spec.positive_stop_unless
    if escapes is None or any(given(values, name) for name in escapes):
        return
    for name in ("stop_lr", "stop_lr_ratio"):
        if given(values, name) and values[name] == 0:
            fix = f"Fix: set a positive {name}"
            if escapes:
                fix += ", or give " + " or ".join(escapes)
            raise LearningRateConfigError(
                key_path(name),
                f'{name} is {describe(values[name])}, but type "{spec.type_name}" '
                "cannot decay to a rate of 0",
                fix,
                value=values[name],
            )


def _check_against_num_steps(values: Mapping[str, Any], num_steps: int) -> None:
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
    if ratio is not None and ratio > 0 and warmup == 0:
        warn_user(
            f"{key_path('warmup_ratio')}: {describe(ratio)} of {num_steps} steps "
            "rounds down to 0 warmup steps, so there is no warmup"
        )
