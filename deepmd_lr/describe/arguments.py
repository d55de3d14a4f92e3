"""The dargs declaration of the ``learning_rate`` section.

:func:`learning_rate_args` assembles the ``Argument`` from the common
:data:`~deepmd_lr.section.keys.COMMON_KEYS` and, for each registered schedule type,
the keys that type declares. :func:`~deepmd_lr.section.rules.check_section` is its
``extra_check``, so ``dargs check`` applies the same rules as
:func:`~deepmd_lr.normalize_learning_rate`.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import (
    COMMON_KEYS,
    DEFAULT_TYPE,
    SECTION,
    SECTION_DOC,
    TYPE_DOC,
)
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.rules import check_section

if TYPE_CHECKING:
    from dargs import Argument

    from deepmd_lr.schedules.base import BaseLR


def learning_rate_args(fold_subdoc: bool = False) -> Argument:
    """The ``learning_rate`` section as a dargs ``Argument``.

    The common keys are sub-fields; a ``Variant`` on ``type`` (optional,
    default ``"exp"``) holds one choice per registered schedule, with the
    keys that schedule declares. Every rule of the section is enforced by the
    ``extra_check`` of the returned ``Argument``: it returns whether the
    section passes, as dargs expects, and on failure puts the rule that was
    broken into the ``Argument``'s ``extra_check_errmsg``, which dargs shows.

    Parameters
    ----------
    fold_subdoc
        Leave the keys out of the ``Argument``'s own generated documentation
        (for a parent that lists them elsewhere); checking is unchanged.

    Examples
    --------
    >>> argument = learning_rate_args()
    >>> argument.name, list(argument.sub_variants["type"].choice_dict)[:3]
    ('learning_rate', ['exp', 'cosine', 'wsd'])
    >>> argument.normalize_value({"start_lr": 1e-3, "stop_lr": 1e-5})["type"]
    'exp'
    """
    from dargs import Argument, Variant

    choices = [
        Argument(
            name,
            dict,
            variant_arguments(cls),
            doc=cls.variant_doc,
        )
        for name, cls in SCHEDULES.classes().items()
    ]
    variant = Variant(
        "type", choices, optional=True, default_tag=DEFAULT_TYPE, doc=TYPE_DOC
    )
    argument = Argument(
        SECTION,
        dict,
        [key.argument() for key in COMMON_KEYS],
        [variant],
        optional=True,
        doc=SECTION_DOC,
        fold_subdoc=fold_subdoc,
    )
    argument.extra_check = _SectionCheck(argument)
    return argument


def variant_arguments(schedule_class: type[BaseLR]) -> list[Argument]:
    """The dargs arguments of the keys that only ``schedule_class`` has.

    The keys common to every type sit beside the ``type`` variant, so a
    type's variant holds its own keys only.
    """
    return [key.argument() for key in schedule_class.variant_keys]


class _SectionCheck:
    """The ``extra_check`` of the section: every rule, once, as a boolean."""

    def __init__(self, argument: Argument) -> None:
        self._argument = argument
        # Per thread: dargs_check shares one Argument between callers.
        self._last = threading.local()

    @property
    def failure(self) -> LearningRateConfigError | None:
        """The error of this thread's last failed section, for :func:`dargs_check`."""
        failure: LearningRateConfigError | None = getattr(self._last, "failure", None)
        return failure

    @failure.setter
    def failure(self, error: LearningRateConfigError | None) -> None:
        self._last.failure = error

    def __call__(self, section: Any) -> bool:
        try:
            check_section(section)
        except LearningRateConfigError as error:
            self.failure = error
            self._argument.extra_check_errmsg = str(error)
            return False
        return True


_shared: dict[tuple[tuple[str, Any], ...], Any] = {}


def _shared_argument() -> Argument:
    """One ``learning_rate_args()`` per state of the registry, for internal
    checks only (callers of :func:`learning_rate_args` get their own copy)."""
    registered = tuple(SCHEDULES.classes().items())
    argument = _shared.get(registered)
    if argument is None:
        _shared.clear()
        argument = _shared[registered] = learning_rate_args()
    return argument


def dargs_check(section: Any) -> dict[str, Any]:
    """Normalize and check ``section`` with dargs alone, as ``dargs check`` does.

    Errors that dargs raises itself (unknown key, wrong type, unknown
    ``type``) are re-raised as :class:`LearningRateConfigError` with the key
    path and dargs' own suggestion.
    """
    from dargs.check import check
    from dargs.dargs import ArgumentError

    argument = _shared_argument()
    section_check = argument.extra_check
    assert isinstance(section_check, _SectionCheck)
    section_check.failure = None
    try:
        return check(argument, section, strict=True, trim_pattern="_*")
    except (ArgumentError, ValueError) as error:
        # dargs raises a plain ValueError of its own for a "$ref" key.
        if section_check.failure is not None:
            raise section_check.failure from None
        raise from_dargs_error(error) from None


def from_dargs_error(error: Exception) -> LearningRateConfigError:
    """Turn a dargs ``ArgumentError`` into a :class:`LearningRateConfigError`."""
    path = getattr(error, "path", "") or ""
    message = str(getattr(error, "message", None) or error)
    full = f"{SECTION}/{path}".rstrip("/") if not path.startswith(SECTION) else path
    key = _offending_key(message)
    # A wrong type of the whole section names the section itself as the key.
    if key and key != full.rsplit("/", 1)[-1]:
        full = f"{full}/{key}"
    reason = message.replace("`", '"')
    fix = "Fix: correct the key or its value as described"
    hint_at = reason.find("Did you mean")
    if hint_at >= 0:
        reason, fix = reason[:hint_at], reason[hint_at:]
    return LearningRateConfigError(full, reason.rstrip(". "), fix)


def _offending_key(message: str) -> str:
    start = message.find("key `")
    if start < 0:
        return ""
    end = message.find("`", start + 5)
    return message[start + 5 : end] if end > 0 else ""
