"""Declarations of single ``learning_rate`` keys and their value rules.

A :class:`Key` is the one description of a key: its type, default, allowed
range and documentation. The dargs ``Argument``, the constructor checks, the
generated documentation and the JSON schema are all derived from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.text import describe, did_you_mean, json_type_name, plain

SECTION = "learning_rate"
"""The name of the section in a training input."""
SECTION_DOC = (
    "How the learning rate changes during training: an optional linear "
    "warmup, then the decay schedule selected by type."
)
DEFAULT_TYPE = "exp"
"""The schedule type of a section that does not name one."""
TYPE_DOC = "The schedule used after warmup."

MAX_STEPS = 2**53
"""The largest count of training steps: up to it every step is an exact
float64, so no two steps of a schedule are computed as the same one."""


class _Required:
    """Marker for a key that has no default and must be given.

    >>> from deepmd_lr import REQUIRED, Key
    >>> Key("start_lr", float, "The rate after warmup.").default is REQUIRED
    True
    """

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()

_TYPE_WORDS = {
    float: "a number",
    int: "an integer",
    bool: "true or false",
    str: "a string",
}


def key_path(name: str) -> str:
    """Return the slash-separated path of a key inside the section.

    The path holds the name whole, so that it finds the key; messages
    abbreviate a long one where they show it.
    """
    return f"{SECTION}/{name}"


@dataclass(frozen=True)
class Key:
    """One key of the ``learning_rate`` section.

    Parameters
    ----------
    name
        The key as written in the input.
    kind
        ``float``, ``int``, ``bool`` or ``str``. Booleans are never accepted
        where a number is expected, and floats never where an integer is.
    doc
        User documentation: meaning, unit and how the key interacts with others.
    default
        Value filled in by normalization; :data:`REQUIRED` when there is none.
        A default of ``None`` means "not given", and ``null`` is then accepted.
    minimum, maximum
        Inclusive bounds, unless ``exclusive_minimum``/``exclusive_maximum``.
    exclusive_minimum, exclusive_maximum
        Whether the bound itself is out of the range.
    choices
        Allowed strings for a ``str`` key.

    Examples
    --------
    >>> from deepmd_lr import Key, LearningRateConfigError
    >>> key = Key("power", float, "Exponent of the curve.",
    ...           default=1.0, minimum=0.0)
    >>> key.range_text()
    '0 <= value'
    >>> try:
    ...     key.check(-2.0)
    ... except LearningRateConfigError as error:
    ...     print(error.path)
    ...     print(error.reason)
    ...     print(error.fix)
    learning_rate/power
    got -2.0, but power must satisfy 0 <= value
    Fix: set power to 0 <= value (a number)
    """

    name: str
    kind: type
    doc: str
    default: Any = REQUIRED
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A declaration is code, not input: a mistake in it is the author's,
        # reported when the schedule module is imported.
        where = f"Key {self.name!r}"
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ValueError(f"{where}: a key name must be an identifier")
        if self.name.startswith("_"):
            raise ValueError(f"{where}: names starting with '_' are comments")
        if self.kind not in _TYPE_WORDS:
            raise TypeError(
                f"{where}: kind must be one of float, int, bool, str, got {self.kind!r}"
            )
        if not isinstance(self.doc, str) or not self.doc.strip():
            raise ValueError(f"{where}: every key needs its documentation")
        if not isinstance(self.choices, tuple) or not all(
            isinstance(choice, str) for choice in self.choices
        ):
            raise TypeError(f"{where}: choices must be a tuple of strings")
        if self.choices and self.kind is not str:
            raise ValueError(f"{where}: only str keys have choices")
        bounded = self.minimum is not None or self.maximum is not None
        if bounded and self.kind not in (int, float):
            raise ValueError(f"{where}: only int and float keys have bounds")
        for bound in (self.minimum, self.maximum):
            if bound is not None and (not _has_kind(bound, float) or math.isnan(bound)):
                raise ValueError(f"{where}: a bound must be a number, got {bound!r}")
        if (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum > self.maximum
        ):
            raise ValueError(
                f"{where}: minimum {self.minimum} is above maximum {self.maximum}"
            )
        if self.default is not REQUIRED and self.default is not None:
            try:
                self.check(self.default)
            except LearningRateConfigError as error:
                raise ValueError(
                    f"{where}: its default breaks its own rule: {error.reason}"
                ) from None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def nullable(self) -> bool:
        return self.default is None

    def range_text(self) -> str:
        """The allowed values in words, e.g. ``0 <= value < 1``."""
        if self.choices:
            return "one of " + ", ".join(f'"{c}"' for c in self.choices)
        if self.minimum is None and self.maximum is None:
            return _TYPE_WORDS[self.kind]
        text = "value"
        if self.minimum is not None:
            below = "<" if self.exclusive_minimum else "<="
            text = f"{_num(self.minimum)} {below} {text}"
        if self.maximum is not None:
            above = "<" if self.exclusive_maximum else "<="
            text += f" {above} {_num(self.maximum)}"
        return text

    def check(self, value: Any) -> None:
        """Raise :class:`LearningRateConfigError` unless ``value`` is allowed.

        NumPy scalars are judged as the Python numbers they stand for. The
        error's code says which rule failed: LR201 a wrong type or a null,
        LR202 a string outside the choices, LR203 a number that is not
        finite, LR204 a number out of range.
        """
        value = plain(value)
        shown = describe(value)
        if value is None:
            if self.nullable:
                return
            reason = f"got null, but {self.name} must be {_TYPE_WORDS[self.kind]}"
            code = codes.WRONG_TYPE
        elif not _has_kind(value, self.kind):
            reason = (
                f"got {shown} ({json_type_name(value)}), "
                f"but {self.name} must be {_TYPE_WORDS[self.kind]}"
            )
            code = codes.WRONG_TYPE
        elif self.choices and value not in self.choices:
            reason = f"got {shown}, but {self.name} must be {self.range_text()}"
            code = codes.NOT_A_CHOICE
        elif self.kind is float and not _is_finite(value):
            reason = f"got {shown}, but {self.name} must be a finite number"
            code = codes.NOT_FINITE
        elif self.kind is not str and not self.in_range(value):
            reason = f"got {shown}, but {self.name} must satisfy {self.range_text()}"
            code = codes.OUT_OF_RANGE
        else:
            return
        hint = did_you_mean(value, self.choices) if code == codes.NOT_A_CHOICE else ""
        raise LearningRateConfigError(
            key_path(self.name), reason, hint or self._fix(), value=value, code=code
        )

    def in_range(self, value: float) -> bool:
        if self.minimum is not None and (
            value < self.minimum or (self.exclusive_minimum and value == self.minimum)
        ):
            return False
        return self.maximum is None or not (
            value > self.maximum or (self.exclusive_maximum and value == self.maximum)
        )

    def _fix(self) -> str:
        text = f"Fix: set {self.name} to {self.range_text()}"
        if self.kind is not str and self.range_text() != _TYPE_WORDS[self.kind]:
            text += f" ({_TYPE_WORDS[self.kind]})"
        if self.nullable:
            text += ", or remove the key"
        return text

    def reference_doc(self) -> str:
        """The documentation with the allowed range appended, for references
        that state the type and default apart from the text."""
        text = self.doc.rstrip()
        if self.range_text() != _TYPE_WORDS[self.kind]:
            text += f" Allowed: {self.range_text()}."
        return text

    def full_doc(self) -> str:
        """The documentation with the allowed range and default appended."""
        if self.required:
            default = "Required."
        elif self.default is None:
            default = "Not set by default."
        else:
            default = f"Default: {describe(self.default)}."
        return f"{self.reference_doc()} {default}"


def _is_finite(value: float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer beyond the range of a float
        return False


def _num(value: float) -> str:
    if not float(value).is_integer():
        return repr(value)
    whole = int(value)
    # A large power of two, such as the 2**53 limit on step counts, reads
    # better as one.
    if whole >= 2**32 and whole & (whole - 1) == 0:
        return f"2**{whole.bit_length() - 1} ({whole})"
    return str(whole)


def _has_kind(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is float:
        return isinstance(value, (int, float))
    return isinstance(value, kind)


def given(values: Mapping[str, Any], name: str) -> bool:
    """Whether ``name`` is set in ``values`` (``null`` counts as not set)."""
    return values.get(name) is not None


COMMON_KEYS: tuple[Key, ...] = (
    Key(
        "start_lr",
        float,
        "Learning rate reached at the end of warmup, where the decay phase "
        "begins; without warmup it is the rate of step 0. Scaled by the number "
        "of workers according to scale_by_worker.",
        minimum=0.0,
        exclusive_minimum=True,
    ),
    Key(
        "stop_lr",
        float,
        "Learning rate aimed at for the last training step; the schedule never "
        "goes below it. Give exactly one of stop_lr and stop_lr_ratio. "
        "Must not exceed start_lr; for exp without decay_rate it must be above 0.",
        default=None,
        minimum=0.0,
    ),
    Key(
        "stop_lr_ratio",
        float,
        "The final learning rate as a fraction of start_lr "
        "(stop_lr = start_lr * stop_lr_ratio). Give exactly one of stop_lr and "
        "stop_lr_ratio; for exp without decay_rate it must be above 0.",
        default=None,
        minimum=0.0,
        maximum=1.0,
    ),
    Key(
        "warmup_steps",
        int,
        "Length of the linear warmup, in training steps. The rate climbs from "
        "warmup_start_factor * start_lr at step 0 to start_lr at this step. "
        "Must be smaller than the number of training steps. Cannot be combined "
        "with a non-zero warmup_ratio.",
        default=0,
        minimum=0,
        maximum=MAX_STEPS,
    ),
    Key(
        "warmup_ratio",
        float,
        "Length of the warmup as a fraction of the training steps; the warmup "
        "lasts int(warmup_ratio * numb_steps) steps. Use instead of "
        "warmup_steps, not together with a non-zero warmup_steps.",
        default=None,
        minimum=0.0,
        maximum=1.0,
        exclusive_maximum=True,
    ),
    Key(
        "warmup_start_factor",
        float,
        "Where the warmup starts, as a fraction of start_lr: the rate at step 0 "
        "is warmup_start_factor * start_lr. 0 starts from a rate of zero.",
        default=0.0,
        minimum=0.0,
        maximum=1.0,
    ),
    Key(
        "scale_by_worker",
        str,
        "How start_lr grows with the number of parallel workers N: "
        '"linear" multiplies it by N, "sqrt" by the square root of N, '
        '"none" leaves it unchanged.',
        default="linear",
        choices=("linear", "sqrt", "none"),
    ),
)
