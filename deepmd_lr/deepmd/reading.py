"""How DeePMD-kit reads a whole training input's ``learning_rate`` section.

DeePMD-kit rewrites an older input as it reads it; checking, normalizing,
showing and auditing an input all start from the section it runs.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, NamedTuple, overload

from deepmd_lr.deepmd.migration import (
    _converter_length,
    _shown,
    legacy_fix_text,
    migrate_section,
    no_section_error,
)
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.length import training_num_steps
from deepmd_lr.section.normalization import normalize_learning_rate
from deepmd_lr.section.rules import find_problems
from deepmd_lr.section.text import describe, portable_json

_TRAINING_WARMUP_KEYS = ("warmup_steps", "warmup_ratio", "warmup_start_factor")


class DeepmdReading(NamedTuple):
    """The ``learning_rate`` section DeePMD-kit runs for a whole input.

    DeePMD-kit rewrites an older input as it reads it: in a v1-era input its
    converter replaces ``decay_rate`` by the ``stop_lr`` it computes, and
    3.1.3 moves warmup keys written under ``training`` into the section.
    Checking this section, not the one written, checks the run.
    """

    section: Any
    """The section as DeePMD-kit runs it (the written one when nothing moves)."""
    origins: dict[str, str]
    """For each key of ``section`` that is not written there, where it comes
    from: ``training/warmup_steps``, or ``learning_rate/decay_rate`` for the
    converter's ``stop_lr``."""
    errors: list[LearningRateConfigError]
    """What DeePMD-kit refuses in the rewriting (a warmup key in both places)."""
    warnings: list[LearningRateWarning]
    """What the rewriting changes, so that the input says what is run."""


def deepmd_reading(data: Mapping[str, Any]) -> DeepmdReading:
    """How DeePMD-kit reads the ``learning_rate`` section of the input ``data``."""
    section = data.get(SECTION)
    training = data.get("training")
    if not isinstance(section, Mapping) or not isinstance(training, Mapping):
        return DeepmdReading(section, {}, [], [])
    read = dict(section)
    origins: dict[str, str] = {}
    errors: list[LearningRateConfigError] = []
    warnings: list[LearningRateWarning] = []
    if converter_applies(section, training):
        _, notes = migrate_section(section, training)
        [note] = [note for note in notes if note.path == "stop_lr"]
        read.pop("decay_rate")
        read["stop_lr"] = note.new
        origins["stop_lr"] = f"{SECTION}/decay_rate"
        was = (
            f"replaces stop_lr {_shown(note.old)} by"
            if note.old is not None
            else "sets stop_lr to"
        )
        warnings.append(
            LearningRateWarning(
                f"{SECTION}/decay_rate: the input is in the v1 form (its training "
                f"lists systems), so DeePMD-kit's input converter {was} "
                f"{_shown(note.new)} and drops decay_rate; the rule: {note.rule}. "
                "Fix: `deepmd-lr migrate FILE` writes what DeePMD-kit runs",
                path=f"{SECTION}/decay_rate",
                code="LW104",
            )
        )
    for name in _TRAINING_WARMUP_KEYS:
        if name not in training:
            continue
        path = f"training/{name}"
        if name in section:
            errors.append(
                LearningRateConfigError(
                    path,
                    f"{name} is given both here and in learning_rate; DeePMD-kit "
                    "3.1.3 refuses such an input, and which value is meant is "
                    "unclear",
                    f"Fix: keep only one {name}, in learning_rate",
                    value=training[name],
                    code="LR007",
                )
            )
            continue
        read[name] = training[name]
        origins[name] = path
        where = (
            "the place DeePMD-kit 3.0.0 to 3.1.2 read it from; 3.1.3 moves it"
            if name == "warmup_steps"
            else "where no release reads it; DeePMD-kit 3.1.3 moves it"
        )
        warnings.append(
            LearningRateWarning(
                f"{path}: {name} is written under training, {where} into "
                "learning_rate as it reads the input, and it is checked there. "
                f"Fix: move {name}: {portable_json(training[name])} into learning_rate",
                path=path,
                code="LW105",
            )
        )
    return DeepmdReading(read, origins, errors, warnings)


@overload
def where_written(
    problem: LearningRateConfigError, origins: Mapping[str, str]
) -> LearningRateConfigError: ...
@overload
def where_written(
    problem: LearningRateWarning, origins: Mapping[str, str]
) -> LearningRateWarning: ...
def where_written(
    problem: LearningRateConfigError | LearningRateWarning, origins: Mapping[str, str]
) -> LearningRateConfigError | LearningRateWarning:
    """``problem`` (an error or a warning) of the section DeePMD-kit reads,
    placed at the key the input writes (``training/warmup_steps`` for a
    warmup moved from there)."""
    origin = origins.get(problem.path.removeprefix(f"{SECTION}/"))
    if origin is None or problem.path == origin:
        return problem
    if isinstance(problem, LearningRateWarning):
        message = str(problem).replace(f"{problem.path}:", f"{origin}:", 1)
        return LearningRateWarning(message, path=origin, code=problem.code)
    value = {"value": problem.value} if problem.has_value else {}
    return LearningRateConfigError(
        origin,
        f"{problem.reason} (DeePMD-kit reads it as {problem.path})",
        problem.fix,
        code=problem.code,
        **value,
    )


def converter_applies(
    section: Mapping[str, Any], training: Mapping[str, Any] | None
) -> bool:
    """Whether DeePMD-kit's input converter turns this section's
    ``decay_rate`` into ``stop_lr`` (a v1-era input), before any release's
    own default for a missing final rate could apply.

    Only where the converter runs through: it reads ``start_lr``,
    ``decay_steps`` and ``training.stop_batch`` with no default, and its
    values must be ones the rules accept.
    """
    return (
        isinstance(training, Mapping)
        and "stop_batch" in training
        and "start_lr" in section
        and "decay_steps" in section
        and _converter_length(section, training) is not None
    )


def with_input_fix(
    problems: list[LearningRateConfigError], data: Mapping[str, Any]
) -> list[LearningRateConfigError]:
    """``problems`` of the section of the whole input ``data``, a missing
    start or final rate given the fix that its ``training`` section implies."""
    training = data.get("training")
    section = data.get(SECTION)
    if not isinstance(training, Mapping) or not isinstance(section, Mapping):
        return problems
    return [
        LearningRateConfigError(
            problem.path,
            problem.reason,
            legacy_fix_text(section, training),
            code=problem.code,
        )
        if problem.code in ("LR106", "LR107")
        else problem
        for problem in problems
    ]


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
    :func:`~deepmd_lr.deepmd.reading.deepmd_reading`): an older input is
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
