"""Every rule of the ``learning_rate`` section, in one place.

Single-key rules are declared on each :class:`~deepmd_lr.section.keys.Key` and
applied here, together with the rules that look at the whole section
(unknown keys, required keys, exclusivity, ``stop_lr <= start_lr``, a final
rate above 0 where the decay needs one, warmup versus the length of
training). :func:`find_problems` reports every rule a section breaks, each
with its code from :mod:`deepmd_lr.section.codes`; constructors, normalization and
the dargs ``Argument`` call :func:`check_section`, which raises on the same
findings, so a rule is written once.

The rules see a schedule type only through four attributes of its class,
which :class:`~deepmd_lr.BaseLR` declares: ``type_name``, the value of
``type`` that selects it; ``variant_keys``, the keys only that type has;
``positive_stop_unless``, ``None`` when a final rate of 0 is allowed, else
the keys one of which must be given for a final rate of 0; and
``check_variant(values)``, the type's own rule across several keys, which
raises when broken. They never import the schedules.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from deepmd_lr.section import codes
from deepmd_lr.section.errors import (
    LearningRateConfigError,
    LearningRateWarning,
    warn_user,
)
from deepmd_lr.section.keys import COMMON_KEYS, DEFAULT_TYPE, SECTION, given, key_path
from deepmd_lr.section.legacy import FILLED_STOP_LR, LEGACY_DEFAULTS, missing_rates_fix
from deepmd_lr.section.length import check_against_num_steps, warmup_conflict
from deepmd_lr.section.registry import SCHEDULES, ScheduleClass
from deepmd_lr.section.text import (
    describe,
    did_you_mean,
    plain,
    portable_json,
    short_text,
)


def section_keys(spec: ScheduleClass) -> frozenset[str]:
    """Every key a section of type ``spec`` may hold, ``type`` included."""
    return frozenset(
        ["type", *(k.name for k in COMMON_KEYS), *(k.name for k in spec.variant_keys)]
    )


def filled_in(spec: ScheduleClass, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every key of type ``spec``, common ones first, each with its value in
    ``values`` or its default, as a plain Python value."""
    return {
        key.name: plain(values.get(key.name, key.default))
        for key in (*COMMON_KEYS, *spec.variant_keys)
    }


def check_section(section: Any, num_steps: int | None = None) -> Any:
    """Check a ``learning_rate`` section; return the schedule class it selects.

    Keys starting with ``_`` are comments and are ignored. The section is
    never modified. A section that passes issues the warnings of
    :func:`survey_section` (a ``warmup_ratio`` that rounds down to no warmup).

    Raises
    ------
    LearningRateConfigError
        For the rules the section breaks: the one problem :func:`find_problems`
        reports, or, for several, an error that lists them all (see
        :meth:`LearningRateConfigError.from_problems`).
    """
    survey = survey_section(section, num_steps)
    if survey.problems:
        raise LearningRateConfigError.from_problems(survey.problems)
    for warning in survey.warnings:
        warn_user(str(warning), path=warning.path, code=warning.code)
    return survey.spec


def find_problems(
    section: Any, num_steps: int | None = None
) -> list[LearningRateConfigError]:
    """Every rule the ``learning_rate`` section breaks, not just the first.

    Each problem is a :class:`~deepmd_lr.LearningRateConfigError` with its
    ``path`` and its stable ``code`` (see :mod:`deepmd_lr.section.codes`). The list
    is empty exactly when :func:`~deepmd_lr.normalize_learning_rate` accepts
    the section, and its first problem is the error that function raises
    when there is only one.

    Parameters
    ----------
    section
        The section as written by the user. It is not modified.
    num_steps
        The number of training steps; when given, it is checked itself
        (LR401) and the warmup is checked against it.

    Returns
    -------
    list of LearningRateConfigError
        In a stable order: first the problems of single keys, in the order
        of the keys in the section (a key that is not a string, unknown,
        of another type, or of a bad value); then the rules of the whole
        section in the order of their codes (required keys, keys that
        contradict each other, the length of training).

    Notes
    -----
    A key whose own value is bad is left out of every rule that combines
    it with other keys, so that one bad value is one problem. Checking stops
    early in two cases only: a section that is not an object, and a ``type``
    that names no schedule (its keys are then unknown). The type's own rule
    (``check_variant``) runs only once every other rule of the section
    passes, so that it may rely on valid values; its problem has code LR305
    unless it carries its own.

    Examples
    --------
    >>> problems = find_problems(
    ...     {"start_lr": -1.0, "stop_lr": 1e-5, "smooth": 1,
    ...      "warmup_ratio": 0.2, "warmup_steps": 10, "decay_step": 100})
    >>> for problem in problems:
    ...     print(problem.code, problem.path)
    LR204 learning_rate/start_lr
    LR201 learning_rate/smooth
    LR103 learning_rate/decay_step
    LR303 learning_rate/warmup_steps
    >>> problems[2].reason
    'decay_step is not a key of learning_rate for type "exp"'
    >>> problems[2].fix
    'Did you mean "decay_steps"?'
    >>> find_problems({"start_lr": 1e-3, "stop_lr": 1e-5}, num_steps=1000)
    []
    """
    return survey_section(section, num_steps).problems


@dataclass
class SectionSurvey:
    """What checking a section finds: its type, its problems, its warnings."""

    spec: ScheduleClass | None
    """The schedule type the section selects; ``None`` when it selects none."""
    problems: list[LearningRateConfigError] = field(default_factory=list)
    """Every rule broken, in the order :func:`find_problems` documents."""
    warnings: list[LearningRateWarning] = field(default_factory=list)
    """The warnings the rules give (not issued): settings that are valid but
    likely not what was meant."""


def survey_section(section: Any, num_steps: int | None = None) -> SectionSurvey:
    """Apply every rule to ``section``; issue nothing, raise nothing.

    The one pass behind :func:`find_problems` and :func:`check_section`.
    """
    if not isinstance(section, Mapping):
        problem = LearningRateConfigError(
            SECTION,
            f"got {describe(section)}, but the learning_rate section must be an "
            "object of keys and values",
            'Fix: write it as {"type": "exp", "start_lr": 0.001, "stop_lr": 1.0e-08}',
            value=section,
            code=codes.SECTION_NOT_OBJECT,
        )
        return SectionSurvey(None, [problem])
    try:
        spec = SCHEDULES.get(section.get("type", DEFAULT_TYPE))
    except LearningRateConfigError as error:
        return SectionSurvey(None, [error])
    survey = SectionSurvey(spec)
    valid = _check_keys(spec, section, survey.problems)
    wrong = {problem.path for problem in survey.problems}
    survey.problems += _missing_keys(spec, section, wrong)
    survey.problems += _contradictions(spec, section, valid)
    if not survey.problems:
        survey.problems += _type_rule(spec, valid)
    if num_steps is not None:
        check_against_num_steps(
            section, valid, num_steps, survey.problems, survey.warnings
        )
    return survey


def _check_keys(
    spec: ScheduleClass,
    section: Mapping[str, Any],
    problems: list[LearningRateConfigError],
) -> dict[str, Any]:
    """Check each key on its own, in the order of the section; return the
    known keys whose values pass, as plain Python values."""
    declared = {key.name: key for key in (*COMMON_KEYS, *spec.variant_keys)}
    valid: dict[str, Any] = {}
    for name, value in section.items():
        if not isinstance(name, str):
            problems.append(
                LearningRateConfigError(
                    SECTION,
                    f"key {describe(name)} is not a string",
                    "Fix: use the key names of the learning_rate section",
                    value=name,
                    code=codes.KEY_NOT_STRING,
                )
            )
        elif name == "type" or name.startswith("_"):
            continue
        elif name not in declared:
            problems.append(unknown_key_error(name, value, spec))
        else:
            try:
                declared[name].check(value)
            except LearningRateConfigError as error:
                problems.append(error)
            else:
                valid[name] = plain(value)
    return valid


_FILLED_SILENTLY = (
    f"its argument checker fills in stop_lr = {portable_json(FILLED_STOP_LR)} "
    "silently, where earlier releases used "
    f"{portable_json(LEGACY_DEFAULTS['stop_lr'])}"
)


def _missing_keys(
    spec: ScheduleClass, section: Mapping[str, Any], wrong: Collection[str]
) -> Iterator[LearningRateConfigError]:
    """The keys the section lacks; ``wrong`` are the paths of the values
    already reported as wrong, which a fix that shows the section leaves out."""
    no_start = "start_lr" not in section
    no_stop = not given(section, "stop_lr") and not given(section, "stop_lr_ratio")
    # A section without both is one problem with one fix: the values to
    # write out.
    if no_start or no_stop:
        if no_start and no_stop:
            what = (
                "start_lr and a final rate (stop_lr or stop_lr_ratio) are missing; "
                "since DeePMD-kit 3.1.3 start_lr has no default, and "
                f"{_FILLED_SILENTLY}"
            )
        elif no_stop:
            what = (
                "neither stop_lr nor stop_lr_ratio is given; DeePMD-kit 3.1.3's "
                f"guide requires a final rate, yet {_FILLED_SILENTLY}"
            )
        else:
            what = "start_lr is missing; since DeePMD-kit 3.1.3 it has no default"
        yield LearningRateConfigError(
            key_path("start_lr" if no_start else "stop_lr"),
            what,
            missing_rates_fix(section, wrong=wrong),
            code=codes.START_LR_MISSING if no_start else codes.FINAL_RATE_MISSING,
        )
    for key in spec.variant_keys:
        if key.required and key.name not in section:
            yield LearningRateConfigError(
                key_path(key.name),
                f'{key.name} is missing, and type "{spec.type_name}" has no '
                "default for it",
                f"Fix: add {key.name} ({key.range_text()})",
                code=codes.REQUIRED_KEY_MISSING,
            )


def unknown_key_error(
    name: str, value: Any, spec: ScheduleClass
) -> LearningRateConfigError:
    """The error for a key that the schedule type ``spec`` does not have."""
    owners = [
        other
        for other, cls in SCHEDULES.classes().items()
        if any(k.name == name for k in cls.variant_keys)
    ]
    if owners:
        where = " or ".join(f'"{o}"' for o in owners)
        reason = f'{name} belongs to type {where}, not to type "{spec.type_name}"'
        fix = f"Fix: remove {name}, or set type to {where}"
        code = codes.KEY_OF_OTHER_TYPE
    else:
        known = sorted(section_keys(spec))
        shown = short_text(name)
        reason = f'{shown} is not a key of learning_rate for type "{spec.type_name}"'
        hint = did_you_mean(name, known)
        fix = hint or "Fix: remove it; known keys are " + ", ".join(known)
        code = codes.UNKNOWN_KEY
    return LearningRateConfigError(key_path(name), reason, fix, value=value, code=code)


def resolve_stop_lr(values: Mapping[str, Any]) -> float:
    ratio = values.get("stop_lr_ratio")
    if ratio is not None:
        return float(values["start_lr"] * ratio)
    return float(values["stop_lr"])


def _contradictions(
    spec: ScheduleClass, section: Mapping[str, Any], valid: Mapping[str, Any]
) -> Iterator[LearningRateConfigError]:
    """The rules across keys, on the keys whose own values pass."""
    if given(valid, "stop_lr") and given(valid, "stop_lr_ratio"):
        yield LearningRateConfigError(
            key_path("stop_lr"),
            f"stop_lr ({describe(valid['stop_lr'])}) and stop_lr_ratio "
            f"({describe(valid['stop_lr_ratio'])}) are both given, but they are "
            "two ways to set the same final rate",
            "Fix: keep exactly one of stop_lr and stop_lr_ratio",
            code=codes.BOTH_FINAL_RATES,
        )
    if (
        given(valid, "stop_lr")
        and given(valid, "start_lr")
        and valid["stop_lr"] > valid["start_lr"]
    ):
        start_lr = valid["start_lr"]
        yield LearningRateConfigError(
            key_path("stop_lr"),
            f"stop_lr ({describe(valid['stop_lr'])}) is larger than start_lr "
            f"({describe(start_lr)}), but the schedule can only decrease",
            f"Fix: set stop_lr to at most {describe(start_lr)}, or raise start_lr",
            value=valid["stop_lr"],
            code=codes.STOP_ABOVE_START,
        )
    if warmup_conflict(valid):
        yield LearningRateConfigError(
            key_path("warmup_steps"),
            f"warmup_steps ({describe(valid['warmup_steps'])}) and warmup_ratio "
            f"({describe(valid['warmup_ratio'])}) are both given, but they are "
            "two ways to set the same warmup length",
            "Fix: keep only one of warmup_steps and warmup_ratio",
            code=codes.BOTH_WARMUP_LENGTHS,
        )
    escapes = spec.positive_stop_unless
    # An escape key with a bad value of its own leaves the rule undecided.
    if escapes is None or any(given(section, name) for name in escapes):
        return
    for name in ("stop_lr", "stop_lr_ratio"):
        if given(valid, name) and valid[name] == 0:
            fix = f"Fix: set a positive {name}"
            if escapes:
                fix += ", or give " + " or ".join(escapes)
            yield LearningRateConfigError(
                key_path(name),
                f'{name} is {describe(valid[name])}, but type "{spec.type_name}" '
                "cannot decay to a rate of 0",
                fix,
                value=valid[name],
                code=codes.ZERO_FINAL_RATE,
            )


def _type_rule(
    spec: ScheduleClass, valid: Mapping[str, Any]
) -> Iterator[LearningRateConfigError]:
    # The type's own rule sees every one of its keys, defaults filled in, so
    # that it can compare two of them whichever the user wrote.
    try:
        spec.check_variant(filled_in(spec, valid))
    except LearningRateConfigError as error:
        if not error.code:
            error.code = codes.TYPE_RULE_BROKEN
        yield error
