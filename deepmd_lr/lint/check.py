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

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deepmd_lr.deepmd.migration import is_whole_input, v0_input_problem
from deepmd_lr.deepmd.reading import not_an_object, where_written
from deepmd_lr.files.reader import (
    DuplicateKey,
    InputDocument,
    KeyPath,
    file_format,
    parse_input,
)
from deepmd_lr.files.storage import InputFileError, read_text
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.text import describe, portable_float_text, short_text

if TYPE_CHECKING:
    from deepmd_lr.deepmd.releases import DeepmdVersion

__all__ = ["Problem", "check_file", "check_text"]

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem of one file, where it is and how to fix it."""

    file: str
    """The file's name as given (``-`` or the ``--stdin-filename`` for stdin)."""
    line: int
    """Line of the offending key, from 1 (of the section for a missing key)."""
    column: int
    """Column of the offending key, from 1, in characters."""
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
    end_line: int | None = None
    end_column: int | None = None
    """Where the offending key ends, when known."""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def check_file(path: str, deepmd_version: DeepmdVersion | None = None) -> list[Problem]:
    """Every problem of the input file at ``path`` (JSON, or YAML by suffix).

    With ``deepmd_version``, the warnings about what that DeePMD-kit release
    does with the section (the ``LW2xx`` codes) are included.
    """
    try:
        text = read_text(path)
    except InputFileError as error:
        return [_file_problem(path, codes.UNREADABLE_FILE, error)]
    except MemoryError:
        reason = InputFileError("out of memory while reading the file")
        return [_file_problem(path, codes.UNREADABLE_FILE, reason)]
    return check_text(text, path, file_format(path), deepmd_version)


def check_text(
    text: str, name: str, fmt: str, deepmd_version: DeepmdVersion | None = None
) -> list[Problem]:
    """Every problem of an input whose text is ``text``, shown as file ``name``.

    ``fmt`` is ``"json"`` or ``"yaml"``; ``deepmd_version`` as for
    :func:`check_file`.

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
    data = document.data
    if not isinstance(data, dict):
        fix = 'Fix: write the input as an object, such as {"learning_rate": {...}}'
        return [
            Problem(
                name,
                1,
                1,
                codes.TOP_LEVEL_NOT_OBJECT,
                ERROR,
                "",
                not_an_object(data),
                fix,
            )
        ]
    v0 = v0_input_problem(data)
    if v0 is not None:
        message, _, fix = v0.partition(". Fix: ")
        return [
            Problem(
                name, 1, 1, codes.VERSION_0_INPUT, ERROR, "", message, f"Fix: {fix}"
            )
        ]
    found = _Found(name, document, whole=is_whole_input(data))
    in_section = []
    for duplicate in document.duplicate_keys:
        if not found.whole or duplicate.path[0] == SECTION:
            in_section.append(duplicate)
        else:
            found.add_duplicate(codes.REPEATED_KEY, WARNING, duplicate)
    for duplicate in in_section:
        found.add_duplicate(codes.REPEATED_SECTION_KEY, ERROR, duplicate)
    if in_section:
        return found.problems
    from deepmd_lr.deepmd.reading import survey_input
    from deepmd_lr.schedules.building import find_warnings
    from deepmd_lr.section.rules import find_problems

    if found.whole:
        # What DeePMD-kit runs: an older input is rewritten as it is read.
        num_steps, reading, section_errors = survey_input(data)
        if SECTION not in data:
            found.add_error(section_errors[0])
            return found.problems
        section, origins = reading.section, reading.origins
        found.add_warnings(reading.warnings)
    else:
        num_steps, section, origins = None, data, {}
        section_errors = find_problems(section)
    for section_error in section_errors:
        found.add_error(section_error)
    found.add_warnings(
        where_written(w, origins) for w in find_warnings(section, num_steps)
    )
    if deepmd_version is not None:
        from deepmd_lr.deepmd.releases import release_warnings

        found.add_warnings(
            where_written(w, origins)
            for w in release_warnings(section, num_steps, deepmd_version)
            # Under training, a warmup key is in the place releases before
            # 3.1.3 read it from: not a key they do not know.
            if not (
                w.code == codes.KEY_UNKNOWN_TO_RELEASE
                and w.path.removeprefix(f"{SECTION}/") in origins
            )
        )
    return found.problems


# -- positions ---------------------------------------------------------------


class _Found:
    """The problems of one file, placed at their keys as they are added."""

    def __init__(self, name: str, document: InputDocument, *, whole: bool) -> None:
        self.name = name
        self.document = document
        self.whole = whole
        self.problems: list[Problem] = []
        self._repeated: set[KeyPath] = set()

    def add_error(self, error: LearningRateConfigError) -> None:
        message = error.reason
        hint = yaml_number_hint(self.document.format, error)
        self._add(
            error.code,
            ERROR,
            error.path,
            f"{short_text(error.path)}: {message}{hint}"
            if error.path
            else message + hint,
            error.fix,
        )

    def add_warnings(self, caught: Iterable[Any]) -> None:
        shown: set[str] = set()
        for warning in caught:
            message = str(warning)
            if message in shown:
                continue
            shown.add(message)
            # A warning is one text; its fix, when it gives one, is split
            # off as for errors, for the tools that read the JSON report.
            what, given, fix = message.partition(". Fix: ")
            self._add(
                warning.code,
                WARNING,
                warning.path,
                what,
                f"Fix: {fix}" if given else "",
            )

    def add_duplicate(self, code: str, severity: str, duplicate: DuplicateKey) -> None:
        # A key written three times is one problem, not two.
        if duplicate.path in self._repeated:
            return
        self._repeated.add(duplicate.path)
        path = duplicate.key_path if self.whole else f"{SECTION}/{duplicate.key_path}"
        name = duplicate.path[-1]
        if severity == ERROR:
            message = (
                f"{path}: the key is given more than once, so which value is "
                "meant is unclear"
            )
            fix = f"Fix: keep a single {name}"
        else:
            last = _shown_value(self.document.data, duplicate.path)
            message = (
                f"{path}: the key is given more than once; its last value{last} is used"
            )
            fix = f"Fix: keep a single {name}, with the value meant"
        self._add(code, severity, path, message, fix, duplicate.path)

    def _add(
        self,
        code: str,
        severity: str,
        path: str,
        message: str,
        fix: str,
        keys: KeyPath | None = None,
    ) -> None:
        place = self._place(self._keys(path) if keys is None else keys)
        self.problems.append(
            Problem(
                self.name,
                place[0],
                place[1],
                code,
                severity,
                path,
                message,
                fix,
                *(place[2:] or (None, None)),
            )
        )

    def _keys(self, path: str) -> KeyPath:
        """The keys, from the top of the file, of a slash-separated ``path``."""
        if not self.whole and (path == SECTION or path.startswith(f"{SECTION}/")):
            # The file holds the section alone.
            path = path[len(SECTION) + 1 :]
        return _key_path(self.document.data, path)

    def _place(self, keys: KeyPath) -> tuple[int, ...]:
        """The span of the key at ``keys``, or of its nearest written parent."""
        positions = self.document.key_positions
        while keys:
            position = positions.get(keys)
            if position is not None:
                return tuple(position)
            keys = keys[:-1]
        return (1, 1)


def _key_path(data: Any, path: str) -> KeyPath:
    """The keys of a slash-separated ``path`` as ``data`` holds them.

    A list's index is an ``int``, and a key whose name holds a slash is
    found whole.
    """
    parts = path.split("/") if path else []
    keys: list[Any] = []
    value = data
    while parts:
        key: Any = parts[0]
        taken = 1
        if isinstance(value, dict):
            taken = next(
                (n for n in range(len(parts), 1, -1) if "/".join(parts[:n]) in value),
                1,
            )
            key = "/".join(parts[:taken])
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            key = int(key)
            value = value[key]
        keys.append(key)
        parts = parts[taken:]
    return tuple(keys)


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
        return (
            f" (YAML reads {value} as text; write the whole number, e.g. {int(number)})"
        )
    return (
        f" (YAML reads {value} as text; write it with a decimal point, "
        f"e.g. {portable_float_text(number)})"
    )


def _is_integer_key(path: str) -> bool:
    from deepmd_lr.section.keys import COMMON_KEYS
    from deepmd_lr.section.registry import SCHEDULES

    name = path.rpartition("/")[2]
    if path in ("training/numb_steps", "training/stop_batch"):
        return True
    keys = [*COMMON_KEYS]
    for schedule in SCHEDULES.classes().values():
        keys.extend(schedule.variant_keys)
    return any(key.name == name and key.kind is int for key in keys)
