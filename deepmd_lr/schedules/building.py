"""Building the schedule a ``learning_rate`` section describes, and the
warnings that building it gives."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepmd_lr.schedules.base import BaseLR
from deepmd_lr.section.errors import LearningRateWarning, captured_warnings
from deepmd_lr.section.keys import DEFAULT_TYPE
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.rules import check_section, survey_section


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
    with captured_warnings() as found:
        make_learning_rate_schedule(section, num_steps)
    return found
