"""Every problem of an input file, each with its code and its place in the file.

This is what ``deepmd-lr check`` reports. A problem is an error (an ``LR``
code: DeePMD-kit would refuse the input, or run something else than meant)
or a warning (an ``LW`` code). Reading the file, its shape and its
``learning_rate`` section are checked in that order; a file that cannot be
read as an object of keys has that one problem only.

Nothing here imports NumPy or dargs: the check runs once per commit in
pre-commit, and its start-up is part of its interface.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from deepmd_lr.deepmd.installed import DeepmdVersion
from deepmd_lr.deepmd.migration import is_whole_input, v0_input_error
from deepmd_lr.deepmd.reading import not_an_object, survey_run_input, where_written
from deepmd_lr.deepmd.releases import RELEASE_3_1_3, release_warnings
from deepmd_lr.files.reader import InputDocument, KeyPath, file_format, parse_input
from deepmd_lr.files.storage import InputFileError, read_text
from deepmd_lr.schedules.building import find_warnings
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import COMMON_KEYS, SECTION
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.text import describe, portable_float_text, short_text

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem of one file, where it is and how to fix it.

    Its fields, in their order, are the keys of each problem in the JSON
    report; the end of the span is given by name.
    """

    file: str
    """The file's name as given (``-`` or the ``--stdin-filename`` for stdin)."""
    line: int
    """Line of the offending key, from 1 (of the section for a missing key)."""
    column: int
    """Column of the offending key, from 1, in characters."""
    end_line: int | None = field(default=None, kw_only=True)
    end_column: int | None = field(default=None, kw_only=True)
    """Where the offending key ends, when known."""
    code: str
    """The stable code (see :mod:`deepmd_lr.section.codes`), or ``""`` when the rule has none."""
    severity: str
    """``"error"`` or ``"warning"``."""
    path: str
    """Slash-separated key path, such as ``learning_rate/stop_lr``; ``""`` for the file."""
    message: str
    """What is wrong, on one line."""
    fix: str = ""
    """How to fix it, or ``""``."""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def check_file(
    path: str, deepmd_version: DeepmdVersion | None = None, backend: str | None = None
) -> list[Problem]:
    """Every problem of the input file at ``path`` (JSON, or YAML by suffix).

    With ``deepmd_version``, the warnings about what that DeePMD-kit release
    does with the section (the ``LW2xx`` codes) are included, for the
    trainer ``backend`` when it is known (see
    :func:`~deepmd_lr.deepmd.releases.release_warnings`).
    """
    try:
        text = read_text(path)
    except InputFileError as error:
        return [_file_problem(path, codes.UNREADABLE_FILE, error)]
    except MemoryError:
        reason = InputFileError("out of memory while reading the file")
        return [_file_problem(path, codes.UNREADABLE_FILE, reason)]
    return check_text(text, path, file_format(path), deepmd_version, backend)


def check_text(
    text: str,
    name: str,
    fmt: str,
    deepmd_version: DeepmdVersion | None = None,
    backend: str | None = None,
) -> list[Problem]:
    """Every problem of an input whose text is ``text``, shown as file ``name``.

    ``fmt`` is ``"json"`` or ``"yaml"``; ``deepmd_version`` and ``backend``
    as for :func:`check_file`.

    Examples
    --------
    >>> [problem] = check_text('{"start_lr": 1e-3, "stop_lr": 1e-2}', "in.json", "json")
    >>> problem.line, problem.column, problem.severity, problem.path
    (1, 20, 'error', 'learning_rate/stop_lr')
    """
    try:
        document = parse_input(text, fmt)
    except InputFileError as error:
        return [_file_problem(name, codes.NOT_JSON_OR_YAML, error)]
    # A file whose top level is not an input to check has that one problem.
    if not isinstance(document.data, dict):
        reason = not_an_object(document.data)
        fix = 'Fix: write the input as an object, such as {"learning_rate": {...}}'
        return [Problem(name, 1, 1, codes.TOP_LEVEL_NOT_OBJECT, ERROR, "", reason, fix)]
    v0_error = v0_input_error(document.data)
    if v0_error is not None:
        code, reason, fix = v0_error.code, v0_error.reason, v0_error.fix
        return [Problem(name, 1, 1, code, ERROR, "", reason, fix)]
    found = _Found(name, document)
    if found.add_repeated_keys():
        return found.problems
    # What DeePMD-kit runs: an older input is rewritten as it is read.
    before_3_1_3 = deepmd_version is not None and deepmd_version < RELEASE_3_1_3
    run, problems = survey_run_input(document.data, before_3_1_3=before_3_1_3)
    found.add_warnings(run.notes)
    for problem in problems:
        found.add_error(problem)
    warnings = find_warnings(run.section, run.num_steps)
    if deepmd_version is not None:
        warnings += release_warnings(
            run.section,
            run.num_steps,
            deepmd_version,
            backend,
            from_training=run.from_training,
        )
    found.add_warnings(where_written(w, run.origins) for w in warnings)
    return found.problems


class _Found:
    """The problems of one file, placed at their keys as they are added."""

    def __init__(self, name: str, document: InputDocument) -> None:
        self.name = name
        self.document = document
        self.whole = is_whole_input(document.data)
        self.problems: list[Problem] = []

    def add_error(self, error: LearningRateConfigError) -> None:
        hint = yaml_number_hint(self.document.format, error)
        shown = f"{short_text(error.path)}: " if error.path else ""
        message = shown + error.reason + hint
        keys = None
        if error.code == codes.KEY_NOT_STRING:
            # A key that is not a string has no path of its own: it is placed
            # at itself, in the section the path names.
            keys = (*self._keys(error.path), error.value)
        self._add(error.code, ERROR, error.path, message, error.fix, keys)

    def add_warnings(self, found: Iterable[LearningRateWarning]) -> None:
        for warning in found:
            # A warning is one text; its fix, when it gives one, is split
            # off as for errors, for the tools that read the JSON report.
            what, given, fix = str(warning).partition(". Fix: ")
            fix = f"Fix: {fix}" if given else ""
            self._add(warning.code, WARNING, warning.path, what, fix)

    def add_repeated_keys(self) -> bool:
        """Add a problem for each key the file repeats: an error in the
        section, a warning elsewhere. Whether the section repeats one."""
        # A key written three times is one problem, not two.
        repeated = dict.fromkeys(key.path for key in self.document.duplicate_keys)
        in_section = [k for k in repeated if not self.whole or k[0] == SECTION]
        for keys in repeated:
            if keys not in in_section:
                path = "/".join(map(str, keys))
                last = _shown_value(self.document.data, keys)
                message = (
                    f"{path}: the key is given more than once; its last value"
                    f"{last} is used"
                )
                fix = f"Fix: keep a single {keys[-1]}, with the value meant"
                self._add(codes.REPEATED_KEY, WARNING, path, message, fix, keys)
        for keys in in_section:
            path = "/".join(map(str, keys if self.whole else (SECTION, *keys)))
            message = (
                f"{path}: the key is given more than once, so which value is "
                "meant is unclear"
            )
            fix = f"Fix: keep a single {keys[-1]}"
            self._add(codes.REPEATED_SECTION_KEY, ERROR, path, message, fix, keys)
        return bool(in_section)

    def _keys(self, path: str) -> KeyPath:
        # A problem's path is a section or a key of it, whose name may hold a
        # slash; a file that holds the section alone lacks its name.
        keys = tuple(path.split("/", 1)) if path else ()
        if not self.whole and keys[:1] == (SECTION,):
            keys = keys[1:]
        return keys

    def _add(
        self,
        code: str,
        severity: str,
        path: str,
        message: str,
        fix: str,
        keys: KeyPath | None = None,
    ) -> None:
        if keys is None:
            keys = self._keys(path)
        # The span of the key; a key that is not written (a missing one) is
        # placed at the start of its nearest written parent, with no span.
        positions = self.document.key_positions
        written = keys
        while keys and keys not in positions:
            keys = keys[:-1]
        line, column, end_line, end_column = positions.get(keys, (1, 1, None, None))
        if keys != written:
            end_line = end_column = None
        self.problems.append(
            Problem(
                self.name,
                line,
                column,
                code,
                severity,
                path,
                message,
                fix,
                end_line=end_line,
                end_column=end_column,
            )
        )


def _shown_value(data: Any, keys: KeyPath) -> str:
    """`` (VALUE)`` for the scalar that ``keys`` lead to in ``data``."""
    value = data
    for key in keys:
        if (isinstance(value, dict) and key in value) or (
            isinstance(value, list) and isinstance(key, int) and key < len(value)
        ):
            value = value[key]
        else:
            return ""
    if isinstance(value, (dict, list)):
        return ""
    return f" ({describe(value)})"


def _file_problem(name: str, code: str, error: InputFileError) -> Problem:
    return Problem(
        name, error.line or 1, error.column or 1, code, ERROR, "", str(error)
    )


def yaml_number_hint(fmt: str, error: LearningRateConfigError) -> str:
    """A hint for a number that YAML 1.1 (which PyYAML follows) reads as text.

    YAML 1.1 reads an exponent as a number only after a decimal point and
    with a sign (``1.0e-3``); any other number read as text was quoted.

    Examples
    --------
    >>> from deepmd_lr.section.errors import LearningRateConfigError
    >>> def hint(path, value):
    ...     return yaml_number_hint("yaml", LearningRateConfigError(path, "", value=value))
    >>> hint("learning_rate/start_lr", "1e-3")
    ' (YAML reads 1e-3 as text; write it with a decimal point, e.g. 0.001)'
    >>> hint("learning_rate/decay_steps", "5e3")
    ' (YAML reads 5e3 as text; write the whole number, e.g. 5000)'
    >>> hint("learning_rate/start_lr", "0.001")
    ' (it is quoted, so YAML reads it as text; write it without quotes)'
    """
    value = error.value
    if fmt != "yaml" or not isinstance(value, str):
        return ""
    try:
        number = float(value)
    except ValueError:
        return ""
    if not math.isfinite(number):
        return ""
    try:
        unquoted = parse_input(value, "yaml").data
    except InputFileError:
        unquoted = value
    if not isinstance(unquoted, str):
        # Unquoted, YAML would read this number: it was quoted.
        return " (it is quoted, so YAML reads it as text; write it without quotes)"
    if number.is_integer() and _is_integer_key(error.path):
        change = f"write the whole number, e.g. {int(number)}"
    else:
        change = f"write it with a decimal point, e.g. {portable_float_text(number)}"
    return f" (YAML reads {value} as text; {change})"


def _is_integer_key(path: str) -> bool:
    if path in ("training/numb_steps", "training/stop_batch"):
        return True
    name = path.rpartition("/")[2]
    variants = (schedule.variant_keys for schedule in SCHEDULES.classes().values())
    keys = itertools.chain(COMMON_KEYS, *variants)
    return any(key.name == name and key.kind is int for key in keys)
