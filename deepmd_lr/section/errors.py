"""The one exception type raised for a bad ``learning_rate`` configuration."""

from __future__ import annotations

import copy
import os
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from deepmd_lr.section.text import short_text


class _NotGiven:
    """The ``value`` of an error that no single value caused: ``None`` is a
    value a key can have (``null``), so it cannot mark the absence."""

    def __repr__(self) -> str:
        return "<not given>"


_NO_VALUE: Any = _NotGiven()


class LearningRateConfigError(ValueError):
    """A ``learning_rate`` setting breaks a rule of the schema.

    The message reads ``<path>: <what is wrong>. <how to fix it>``; the parts
    are also available as attributes so tools can format them their own way.

    Attributes
    ----------
    path : str
        Slash-separated location of the offending key, e.g.
        ``"learning_rate/stop_lr"``.
    value : Any
        The offending value, when a single value is at fault.
    reason : str
        The rule that was broken, quoting the value.
    fix : str
        What to change so that the input becomes valid.
    code : str
        The stable code of the broken rule (see :mod:`deepmd_lr.section.codes`),
        or ``""`` for a rule without one.
    problems : list of LearningRateConfigError
        Every problem this error reports: the error itself, or, for an
        error made by :meth:`from_problems`, each problem found.

    Examples
    --------
    >>> from deepmd_lr import normalize_learning_rate
    >>> try:
    ...     normalize_learning_rate({"start_lr": 1e-3, "stop_lr": -1.0})
    ... except LearningRateConfigError as error:
    ...     print(error.path, error.value)
    ...     print(error.fix)
    learning_rate/stop_lr -1.0
    Fix: set stop_lr to 0 <= value (a number), or remove the key
    """

    def __init__(
        self,
        path: str,
        reason: str,
        fix: str = "",
        *,
        value: Any = _NO_VALUE,
        code: str = "",
    ) -> None:
        self.path = path
        self.code = code
        self.reason = reason
        self.fix = fix
        self.value = None if value is _NO_VALUE else value
        self.has_value = value is not _NO_VALUE
        self.problems: list[LearningRateConfigError] = [self]
        message = f"{short_text(path)}: {reason}" if path else reason
        if fix:
            message = f"{message}. {fix}"
        super().__init__(message)

    @classmethod
    def from_problems(
        cls, problems: Sequence[LearningRateConfigError]
    ) -> LearningRateConfigError:
        """One error that reports every problem of ``problems``.

        A single problem is returned as it is. For several, the message
        says on its first line how many there are, then gives the message
        of each on a line of its own (a message that runs over several lines
        continues indented); ``path``, ``reason``, ``fix``, ``value`` and
        ``code`` are those of the first problem, and :attr:`problems` lists
        them all.

        Examples
        --------
        >>> from deepmd_lr.section import codes
        >>> error = LearningRateConfigError.from_problems([
        ...     LearningRateConfigError("learning_rate/start_lr", "got -1.0",
        ...                             "Fix: make it positive", code=codes.OUT_OF_RANGE),
        ...     LearningRateConfigError("learning_rate/smooth", "got 1",
        ...                             "Fix: use true or false", code=codes.WRONG_TYPE),
        ... ])
        >>> print(error)
        2 problems:
          - learning_rate/start_lr: got -1.0. Fix: make it positive
          - learning_rate/smooth: got 1. Fix: use true or false
        >>> error.path, error.code, [problem.code for problem in error.problems]
        ('learning_rate/start_lr', 'LR204', ['LR204', 'LR201'])
        """
        if not problems:
            raise ValueError("from_problems needs at least one problem")
        if len(problems) == 1:
            return problems[0]
        error = copy.copy(problems[0])
        error.problems = list(problems)
        listed = "".join(
            "\n  - " + str(problem).replace("\n", "\n    ") for problem in problems
        )
        error.args = (f"{len(problems)} problems:{listed}",)
        return error

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduction would call __init__ with the message alone;
        # this one restores the message and every attribute as they are.
        state = {**vars(self), "args": self.args}
        return (BaseException.__new__, (type(self),), state)


class LearningRateWarning(UserWarning):
    """A valid setting was adjusted or is likely not what was meant.

    Examples
    --------
    >>> import warnings
    >>> from deepmd_lr import LearningRateExp
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    >>> caught[0].category.__name__, lr.decay_steps
    ('LearningRateWarning', 2)

    Attributes
    ----------
    path : str
        Slash-separated location of the key the warning is about, or ``""``.
    code : str
        The stable code of the warning (see :mod:`deepmd_lr.section.codes`), or ``""``.
    """

    def __init__(self, message: str = "", *, path: str = "", code: str = "") -> None:
        super().__init__(message)
        self.path = path
        self.code = code


# The package folder: this file lies in its section/ layer.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def warn_user(message: str, *, path: str = "", code: str = "") -> None:
    """Issue a :class:`LearningRateWarning` pointing at the user's code.

    A schedule can be built directly, through ``BaseLR`` or from a subclass,
    so no fixed ``stacklevel`` fits every caller: the level is found by
    skipping the frames that belong to this package.
    """
    level = 2
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(
        _PACKAGE_DIR
    ):
        frame = frame.f_back
        level += 1
    warnings.warn(LearningRateWarning(message, path=path, code=code), stacklevel=level)


@contextmanager
def captured_warnings() -> Iterator[list[LearningRateWarning]]:
    """Collect the :class:`LearningRateWarning` issued inside the block
    instead of showing them; the list is filled when the block ends, and any
    other warning is issued again as it came.

    :func:`warnings.catch_warnings` is not thread-safe: capture from one
    thread at a time.

    Examples
    --------
    >>> from deepmd_lr.section import codes
    >>> with captured_warnings() as found:
    ...     warn_user("learning_rate/x: adjusted", code=codes.DECAY_STEPS_REPLACED)
    >>> [(str(warning), warning.code) for warning in found]
    [('learning_rate/x: adjusted', 'LW102')]
    """
    found: list[LearningRateWarning] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LearningRateWarning)
        yield found
    for warning in caught:
        if isinstance(warning.message, LearningRateWarning):
            found.append(warning.message)
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
