"""How DeePMD-kit reads a whole training input's ``learning_rate`` section.

DeePMD-kit rewrites an older input as it reads it: in a v1-era input its
converter replaces ``decay_rate`` by the ``stop_lr`` it computes, and 3.1.3
moves warmup keys written under ``training`` into the section. Checking,
normalizing, showing and auditing an input all start from the section it
runs, which :func:`survey_run_input` gives with every problem, and
:func:`read_run_input` for an input file.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deepmd_lr.deepmd import migration
from deepmd_lr.files.reader import DuplicateKey, read_input
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.legacy import missing_rates_fix
from deepmd_lr.section.length import training_num_steps
from deepmd_lr.section.normalization import normalize_learning_rate
from deepmd_lr.section.rules import find_problems
from deepmd_lr.section.text import describe, portable_json

_TRAINING_WARMUP_KEYS = ("warmup_steps", "warmup_ratio", "warmup_start_factor")


@dataclass(frozen=True)
class RunInput:
    """A training input as DeePMD-kit runs it; see :func:`survey_run_input`."""

    data: Mapping[str, Any]
    """The input's top-level object, as written."""
    section: Any
    """The ``learning_rate`` section DeePMD-kit runs: the input's section as
    DeePMD-kit rewrites it, or the file itself when it is a bare section;
    ``None`` for an input without one."""
    num_steps: int | None
    """``training.numb_steps`` (or ``stop_batch``); ``None`` when the input
    does not give it."""
    notes: tuple[LearningRateWarning, ...]
    """What DeePMD-kit rewrites as it reads the input (``LW104``, ``LW105``),
    so that the input can be made to say what is run."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """For each key of :attr:`section` that the input does not write there,
    where it comes from: ``training/warmup_steps``, or
    ``learning_rate/decay_rate`` for the converter's ``stop_lr``."""

    @property
    def training(self) -> Any:
        """The input's ``training`` section, ``None`` when it has none."""
        return self.data.get("training")

    @property
    def from_training(self) -> list[str]:
        """The keys of :attr:`section` that the input writes under ``training``."""
        return [
            name
            for name, origin in self.origins.items()
            if origin.startswith("training/")
        ]

    @property
    def num_steps_key(self) -> str | None:
        """The key of ``training`` that :attr:`num_steps` is read from:
        ``"numb_steps"``, or its alias ``"stop_batch"``."""
        if self.num_steps is None:
            return None
        return "numb_steps" if "numb_steps" in self.training else "stop_batch"


def survey_run_input(
    data: Mapping[str, Any], *, before_3_1_3: bool = False
) -> tuple[RunInput, list[LearningRateConfigError]]:
    """The input ``data`` (a whole training input, or a bare ``learning_rate``
    section) as DeePMD-kit runs it, and every problem of its rate; nothing is
    raised.

    A whole input is read as DeePMD-kit reads it: an older input is
    rewritten first, each rewriting is a note, and each problem is placed at
    the key the input writes; a problem of ``training.numb_steps`` comes
    after those of the section. A missing start or final rate is fixed with
    the values of DeePMD-kit 3.1.3, or with ``before_3_1_3`` of the releases
    before it.
    """
    if migration.is_whole_input(data) and SECTION not in data:
        return RunInput(data, None, None, ()), [migration.no_section_error()]
    # A bare section is the section run; it has no training section.
    section = data.get(SECTION, data)
    training: Any = data.get("training")
    read: Any = section
    origins: dict[str, str] = {}
    notes: list[LearningRateWarning] = []
    problems: list[LearningRateConfigError] = []
    if isinstance(section, Mapping) and isinstance(training, Mapping):
        read = dict(section)
        if _converter_applies(section, training):
            # With start_lr and decay_steps written, the migration changes
            # only what the converter does.
            read, rewritten = migration.migrate_section(section, training)
            [stop_lr] = [note for note in rewritten if note.path == "stop_lr"]
            notes.append(_converter_note(stop_lr))
            origins["stop_lr"] = f"{SECTION}/decay_rate"
        for name in _TRAINING_WARMUP_KEYS:
            if name in training and name in section:
                problems.append(_warmup_in_both_places(name, training[name]))
            elif name in training:
                read[name] = training[name]
                origins[name] = f"training/{name}"
                notes.append(_warmup_moved(name, training[name]))
    try:
        num_steps = training_num_steps(data)
    except LearningRateConfigError as error:
        problems.append(error)
        num_steps = None
    # A missing rate, the one problem given a fix here, comes only from a
    # section that is an object.
    found = find_problems(read, num_steps)
    wrong = {problem.path for problem in found}
    fixed = [_with_input_fix(p, section, training, before_3_1_3, wrong) for p in found]
    problems[:0] = [_error_where_written(problem, origins) for problem in fixed]
    run = RunInput(data, read, num_steps, tuple(notes), origins)
    return run, problems


def _converter_applies(section: Mapping[str, Any], training: Mapping[str, Any]) -> bool:
    """Whether DeePMD-kit's input converter turns this section's
    ``decay_rate`` into ``stop_lr`` (a v1-era input), before any release's
    own default for a missing final rate could apply.

    Only where the converter runs through: it reads ``start_lr``,
    ``decay_steps`` and ``training.stop_batch`` with no default, and its
    values must be ones the rules accept.
    """
    return (
        "stop_batch" in training
        and "start_lr" in section
        and "decay_steps" in section
        and migration.converter_length(section, training) is not None
    )


def _converter_note(note: migration.MigrationNote) -> LearningRateWarning:
    """What DeePMD-kit's input converter does with ``decay_rate``: ``note``,
    the migration of ``stop_lr`` that writes it out."""
    was = "sets stop_lr to"
    if note.old is not None:
        was = f"replaces stop_lr {migration.json_text(note.old)} by"
    return LearningRateWarning(
        f"{SECTION}/decay_rate: the input is in the v1 form (its training "
        f"lists systems), so DeePMD-kit's input converter {was} "
        f"{migration.json_text(note.new)} and drops decay_rate; the rule: "
        f"{note.rule}. Fix: `deepmd-lr migrate FILE` writes what DeePMD-kit runs",
        path=f"{SECTION}/decay_rate",
        code=codes.CONVERTER_SETS_STOP_LR,
    )


def _warmup_in_both_places(name: str, value: Any) -> LearningRateConfigError:
    return LearningRateConfigError(
        f"training/{name}",
        f"{name} is given both here and in learning_rate; DeePMD-kit 3.1.3 refuses "
        "such an input, and which value is meant is unclear",
        f"Fix: keep only one {name}, in learning_rate",
        value=value,
        code=codes.WARMUP_KEY_IN_BOTH_PLACES,
    )


def _warmup_moved(name: str, value: Any) -> LearningRateWarning:
    where = "where no release reads it; DeePMD-kit 3.1.3 moves it"
    if name == "warmup_steps":
        where = "the place DeePMD-kit 3.0.0 to 3.1.2 read it from; 3.1.3 moves it"
    return LearningRateWarning(
        f"training/{name}: {name} is written under training, {where} into "
        "learning_rate as it reads the input, and it is checked there. "
        f"Fix: move {name}: {portable_json(value)} into learning_rate",
        path=f"training/{name}",
        code=codes.WARMUP_KEY_UNDER_TRAINING,
    )


def where_written(
    warning: LearningRateWarning, origins: Mapping[str, str]
) -> LearningRateWarning:
    """``warning`` of the section DeePMD-kit reads, placed at the key the
    input writes (``training/warmup_steps`` for a warmup moved from there);
    ``origins`` as :attr:`RunInput.origins` gives them."""
    origin = origins.get(warning.path.removeprefix(f"{SECTION}/"))
    if origin is None:
        return warning
    message = str(warning).replace(f"{warning.path}:", f"{origin}:", 1)
    return LearningRateWarning(message, path=origin, code=warning.code)


def _error_where_written(
    error: LearningRateConfigError, origins: Mapping[str, str]
) -> LearningRateConfigError:
    origin = origins.get(error.path.removeprefix(f"{SECTION}/"))
    if origin is None:
        return error
    value = {"value": error.value} if error.has_value else {}
    return LearningRateConfigError(
        origin,
        f"{error.reason} (DeePMD-kit reads it as {error.path})",
        error.fix,
        code=error.code,
        **value,
    )


def _with_input_fix(
    problem: LearningRateConfigError,
    section: Mapping[str, Any],
    training: Any,
    before_3_1_3: bool,
    wrong: Collection[str],
) -> LearningRateConfigError:
    """``problem``, a missing start or final rate given the fix for the
    release: the values of 3.1.3 or of the releases before it, and in a
    v1-era input the section as a migration writes it, with the final rate
    DeePMD-kit's converter computes. ``training`` is the input's
    ``training`` as written, whatever it is."""
    if problem.code not in (codes.START_LR_MISSING, codes.FINAL_RATE_MISSING):
        return problem
    if migration.converter_length(section, training) is not None:
        fix = migration.legacy_fix_text(section, training)
    elif before_3_1_3:
        fix = missing_rates_fix(section, wrong=wrong, before_3_1_3=True)
    else:
        return problem
    return LearningRateConfigError(problem.path, problem.reason, fix, code=problem.code)


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
    if not isinstance(jdata, Mapping):
        raise LearningRateConfigError(
            "",
            f"got {describe(jdata)}, but a training input must be an object",
            "Fix: pass the parsed JSON/YAML input as a dict",
            value=jdata,
            code=codes.TOP_LEVEL_NOT_OBJECT,
        )
    if SECTION not in jdata:
        raise migration.no_section_error()
    run, problems = survey_run_input(jdata)
    if problems:
        raise LearningRateConfigError.from_problems(problems)
    if run.notes:
        moved = ", ".join(sorted(note.path for note in run.notes))
        raise LearningRateConfigError(
            SECTION,
            f"DeePMD-kit reads this input in an older form, taking {moved} into "
            "learning_rate as it reads it; a normalized section beside them "
            "would be read differently",
            "Fix: bring the input to the current form first (`deepmd-lr migrate "
            "FILE` for decay_rate; move warmup keys from training into "
            "learning_rate), then normalize it",
            code=codes.OLDER_FORM_NOT_NORMALIZED,
        )
    section = normalize_learning_rate(jdata[SECTION], run.num_steps)
    return {
        name: section if name == SECTION else copy.deepcopy(value)
        for name, value in jdata.items()
    }


def read_run_input(path: str | Path) -> RunInput:
    """The input file at ``path`` (JSON, or YAML by suffix) as DeePMD-kit runs it.

    A whole training input is read as :func:`survey_run_input` reads it; a
    file that is a bare ``learning_rate`` section is run as it is.

    Raises
    ------
    InputFileError
        For a file that cannot be read, is not an object of keys, or is a
        DeePMD-kit 0.x input; the message starts with ``path``.
    LearningRateConfigError
        For a key repeated in the section, or every problem of the section
        or of ``training.numb_steps``, listed in one error.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "input.json"
    >>> _ = path.write_text(json.dumps({
    ...     "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-5},
    ...     "training": {"numb_steps": 1000, "warmup_steps": 100}}))
    >>> run = read_run_input(path)
    >>> run.section["warmup_steps"], run.num_steps, [n.code for n in run.notes]
    (100, 1000, ['LW105'])
    """
    try:
        document = read_input(path)
    except InputFileError as error:
        raise InputFileError(f"{path}: {error}") from None
    return checked_run_input(document.data, path, document.duplicate_keys)


def checked_run_input(
    data: Any, name: str | Path, duplicate_keys: Iterable[DuplicateKey] = ()
) -> RunInput:
    """:func:`read_run_input` of the input ``data`` of the file ``name``,
    already read, with the keys the file repeats."""
    run, problems = survey_run_input(input_data(data, name, duplicate_keys))
    if problems:
        raise LearningRateConfigError.from_problems(problems)
    return run


def input_data(
    data: Any, name: str | Path, duplicate_keys: Iterable[DuplicateKey] = ()
) -> dict[str, Any]:
    """The top-level object ``data`` of the input file ``name``, checked
    with the keys the file repeats.

    Raises
    ------
    InputFileError
        When it is not an object, or is a DeePMD-kit 0.x input; the message
        starts with ``name``.
    LearningRateConfigError
        When the ``learning_rate`` section, or a key of it, is given more
        than once: which value is meant cannot be known.
    """
    if not isinstance(data, dict):
        raise InputFileError(f"{name}: {not_an_object(data)}")
    v0 = migration.v0_input_error(data)
    if v0 is not None:
        raise InputFileError(f"{name}: {v0}")
    whole = migration.is_whole_input(data)
    for duplicate in duplicate_keys:
        path = duplicate.path if whole else (SECTION, *duplicate.path)
        if path[0] != SECTION:
            continue
        again = f" (again at line {duplicate.line})" if duplicate.line else ""
        raise LearningRateConfigError(
            "/".join(map(str, path)),
            f"the key is given more than once{again}, so which value is meant "
            "is unclear",
            f"Fix: keep a single {path[-1]}",
        )
    return data


def not_an_object(data: Any) -> str:
    """What is wrong with a file whose top level ``data`` is not an object."""
    if data is None:
        kind = "null"
    elif isinstance(data, list):
        kind = "a list"
    else:
        kind = f"the single value {describe(data)}"
    return f"expected an object of keys and values at the top level, got {kind}"
