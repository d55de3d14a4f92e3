"""Normalizing ``learning_rate`` sections and whole training inputs."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import Any

from deepmd_lr.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.keys import COMMON_KEYS, DEFAULT_TYPE, SECTION, describe, plain
from deepmd_lr.migration import (
    DeepmdReading,
    deepmd_reading,
    no_section_error,
    where_written,
    with_input_fix,
)
from deepmd_lr.registry import SCHEDULES
from deepmd_lr.rules import (
    check_num_steps,
    check_section,
    find_problems,
    survey_section,
)
from deepmd_lr.schedules.base import BaseLR


def normalize_learning_rate(
    section: Mapping[str, Any], num_steps: int | None = None
) -> dict[str, Any]:
    """Check a ``learning_rate`` section and fill in its defaults.

    Parameters
    ----------
    section
        The section as written by the user. It is not modified.
    num_steps
        The number of training steps (at most 2**53); when given, the warmup
        is also checked to be shorter than training.

    Returns
    -------
    dict
        A new dict: ``type`` first, then every common key, then the keys of
        that type, each with the given value or its default (``None`` where
        the key has no default). Keys starting with ``_`` are dropped.
        NumPy scalars become the Python ``int``, ``float`` or ``bool`` they
        stand for, so the result is plain JSON-able data. Normalizing the
        result again returns an equal dict.

    Raises
    ------
    LearningRateConfigError
        If any rule of the section is broken, or ``num_steps`` is not a
        valid number of steps. Its message lists every problem
        :func:`~deepmd_lr.find_problems` finds, and its ``problems``
        attribute holds them.

    Examples
    --------
    >>> normalize_learning_rate({"type": "cosine", "start_lr": 1e-3,
    ...                          "stop_lr_ratio": 0.01, "_note": "x"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'type': 'cosine', 'start_lr': 0.001, 'stop_lr': None, 'stop_lr_ratio': 0.01,
     'warmup_steps': 0, 'warmup_ratio': None, 'warmup_start_factor': 0.0,
     'scale_by_worker': 'linear'}
    """
    cls = check_section(section, num_steps)
    normalized: dict[str, Any] = {"type": cls.type_name}
    for key in (*COMMON_KEYS, *cls.variant_keys):
        normalized[key.name] = plain(section.get(key.name, key.default))
    return normalized


def make_learning_rate_schedule(section: Mapping[str, Any], num_steps: int) -> BaseLR:
    """Build the schedule a ``learning_rate`` section describes.

    Keys starting with ``_`` (comments) are left out. A bad section is
    reported as a :class:`LearningRateConfigError` naming the key, never as
    an error from inside a constructor.

    Examples
    --------
    >>> lr = make_learning_rate_schedule(
    ...     {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-5, "decay_steps": 100},
    ...     num_steps=1000)
    >>> type(lr).__name__, lr.value(0), round(lr.value(100) / lr.value(0), 12)
    ('LearningRateExp', 0.001, 0.63095734448)
    """
    if isinstance(section, Mapping) and all(isinstance(name, str) for name in section):
        values = {k: v for k, v in section.items() if not k.startswith("_")}
        cls = SCHEDULES.get(values.pop("type", DEFAULT_TYPE))
        if "start_lr" in values and values.keys() <= cls.key_names():
            # The constructor checks every rule, once.
            schedule: BaseLR = cls(**values, num_steps=num_steps)
            return schedule
    # Not constructor arguments as they stand: the full check says why.
    check_section(section, num_steps)
    raise AssertionError(f"check_section accepted {section!r}")


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
            code="LR401",
        )
    for name in ("numb_steps", "stop_batch"):
        if name in training:
            value = training[name]
            try:
                return check_num_steps(value)
            except LearningRateConfigError as error:
                raise LearningRateConfigError(
                    f"training/{name}",
                    error.reason,
                    error.fix,
                    value=value,
                    code=error.code,
                ) from None
    return None


def normalize(jdata: Mapping[str, Any]) -> dict[str, Any]:
    """Normalize the ``learning_rate`` section of a whole training input.

    Returns a new dict in which ``learning_rate`` is normalized and every
    other section is an unchanged copy. When ``training.numb_steps`` is
    present, the warmup is checked against it.

    Raises
    ------
    LearningRateConfigError
        If the section breaks a rule or is missing, or ``training.numb_steps``
        is not a valid number of steps; the message lists every problem.
        Also for an input DeePMD-kit rewrites as it reads it (a v1-era
        ``decay_rate``, warmup keys under ``training``), whose normalized
        section would be read differently (code ``LR008``).

    Examples
    --------
    >>> data = {"learning_rate": {"type": "cosine", "start_lr": 1e-3,
    ...                           "stop_lr": 1e-5, "warmup_ratio": 0.1},
    ...         "training": {"numb_steps": 1000}}
    >>> result = normalize(data)
    >>> result["learning_rate"]["scale_by_worker"], result["training"]
    ('linear', {'numb_steps': 1000})
    """
    num_steps, reading = checked_input(jdata)
    if reading.origins:
        moved = ", ".join(sorted(set(reading.origins.values())))
        raise LearningRateConfigError(
            SECTION,
            f"DeePMD-kit reads this input in an older form, taking {moved} into "
            "learning_rate as it reads it; a normalized section beside them "
            "would be read differently",
            "Fix: bring the input to the current form first (`deepmd-lr migrate "
            "FILE` for decay_rate; move warmup keys from training into "
            "learning_rate), then normalize it",
            code="LR008",
        )
    result = {
        name: value if name == SECTION else copy.deepcopy(value)
        for name, value in jdata.items()
    }
    result[SECTION] = normalize_learning_rate(jdata[SECTION], num_steps)
    return result


def survey_input(
    jdata: Mapping[str, Any],
) -> tuple[int | None, DeepmdReading, list[LearningRateConfigError]]:
    """The length of training, the section DeePMD-kit reads, and every
    problem of the whole training input ``jdata`` for its rate; nothing is
    raised.

    The section is checked as DeePMD-kit reads it (see
    :func:`~deepmd_lr.migration.deepmd_reading`): an older input is
    rewritten first, and each problem is placed at the key the input writes.
    """
    if SECTION not in jdata:
        return None, DeepmdReading(None, {}, [], []), [no_section_error()]
    reading = deepmd_reading(jdata)
    problems = list(reading.errors)
    try:
        num_steps = training_num_steps(jdata)
    except LearningRateConfigError as error:
        problems.append(error)
        num_steps = None
    found = with_input_fix(find_problems(reading.section, num_steps), jdata)
    problems[:0] = [where_written(problem, reading.origins) for problem in found]
    return num_steps, reading, problems


def checked_input(jdata: Mapping[str, Any]) -> tuple[int | None, DeepmdReading]:
    """:func:`survey_input`, raising when the input has a problem.

    Raises
    ------
    LearningRateConfigError
        For every problem, listed in one error.
    """
    if not isinstance(jdata, Mapping):
        raise LearningRateConfigError(
            "",
            f"got {describe(jdata)}, but a training input must be an object",
            "Fix: pass the parsed JSON/YAML input as a dict",
            value=jdata,
            code="LR003",
        )
    num_steps, reading, problems = survey_input(jdata)
    if problems:
        raise LearningRateConfigError.from_problems(problems)
    return num_steps, reading


def find_warnings(
    section: Any, num_steps: int | None = None
) -> list[LearningRateWarning]:
    """The warnings that checking and building the section would issue.

    Nothing is issued: each :class:`~deepmd_lr.LearningRateWarning` is
    returned, with its ``path`` and ``code``, so that a checker can report
    it beside the problems of :func:`~deepmd_lr.find_problems`. With
    ``num_steps``, a section without problems is built as
    :func:`make_learning_rate_schedule` builds it, and the warnings of the
    schedule itself (a replaced ``decay_steps``) are included; a section
    with problems cannot be built, and gives the warnings of its rules
    alone. The warnings are captured with :func:`warnings.catch_warnings`,
    which is not thread-safe: call this from one thread at a time.

    Examples
    --------
    >>> found = find_warnings({"start_lr": 1e-3, "stop_lr": 1e-5,
    ...                        "decay_steps": 5000, "warmup_ratio": 0.001},
    ...                       num_steps=900)
    >>> [(warning.code, warning.path) for warning in found]
    [('LW103', 'learning_rate/warmup_ratio'), ('LW102', 'learning_rate/decay_steps')]
    """
    survey = survey_section(section, num_steps)
    if survey.problems or num_steps is None:
        return survey.warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LearningRateWarning)
        make_learning_rate_schedule(section, num_steps)
    found = []
    for warning in caught:
        if isinstance(warning.message, LearningRateWarning):
            found.append(warning.message)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
    return found
