"""The dargs declaration of the ``learning_rate`` section, and its checks.

:func:`learning_rate_args` assembles the ``Argument`` from the common
:data:`~deepmd_lr.keys.COMMON_KEYS` and, for each registered schedule type,
the keys that type declares; :func:`check_section` enforces every rule and is
attached to the ``Argument`` as its ``extra_check``, so ``dargs check``
applies the same rules as :func:`~deepmd_lr.normalize_learning_rate`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from deepmd_lr.errors import LearningRateConfigError
from deepmd_lr.keys import COMMON_KEYS, SECTION, describe, key_path
from deepmd_lr.migration import legacy_fix_text
from deepmd_lr.registry import SCHEDULES
from deepmd_lr.rules import check_values, given
from deepmd_lr.schedules.base import BaseLR, unknown_key_error

if TYPE_CHECKING:
    from dargs import Argument

SECTION_DOC = (
    "How the learning rate changes during training: an optional linear "
    "warmup, then the decay schedule selected by type."
)
TYPE_DOC = 'The schedule used after warmup. Default: "exp".'


def learning_rate_args(fold_subdoc: bool = False) -> Argument:
    """The ``learning_rate`` section as a dargs ``Argument``.

    The common keys are sub-fields; a ``Variant`` on ``type`` (optional,
    default ``"exp"``) holds one choice per registered schedule, with the
    keys that schedule declares. Every rule of the section is enforced by the
    ``extra_check`` of the returned ``Argument``.
    """
    from dargs import Argument, Variant

    choices = [
        Argument(
            name,
            dict,
            [key.argument() for key in cls.variant_keys],
            doc=cls.variant_doc,
        )
        for name, cls in SCHEDULES.classes().items()
    ]
    variant = Variant("type", choices, optional=True, default_tag="exp", doc=TYPE_DOC)
    return Argument(
        SECTION,
        dict,
        [key.argument() for key in COMMON_KEYS],
        [variant],
        optional=True,
        doc=SECTION_DOC,
        fold_subdoc=fold_subdoc,
        extra_check=_extra_check,
    )


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


def _extra_check(section: Any) -> bool:
    check_section(section)
    return True


def schedule_class(section: Mapping[str, Any]) -> type[BaseLR]:
    """The schedule class selected by the section's ``type`` (default exp)."""
    return SCHEDULES.get(section.get("type", "exp"))


def check_section(
    section: Any, num_steps: int | None = None, *, warn: bool = True
) -> type[BaseLR]:
    """Check a ``learning_rate`` section; return the schedule class it selects.

    Keys starting with ``_`` are comments and are ignored. The section is
    never modified.

    Raises
    ------
    LearningRateConfigError
        For the first rule the section breaks.
    """
    if not isinstance(section, Mapping):
        raise LearningRateConfigError(
            SECTION,
            f"got {describe(section)}, but the learning_rate section must be an "
            "object of keys and values",
            'Fix: write it as {"type": "exp", "start_lr": 0.001, "stop_lr": 1e-08}',
            value=section,
        )
    cls = schedule_class(section)
    own = cls.key_names()
    for name, value in section.items():
        if not isinstance(name, str):
            raise LearningRateConfigError(
                SECTION,
                f"key {describe(name)} is not a string",
                "Fix: use the key names of the learning_rate section",
                value=name,
            )
        if name not in own and not name.startswith("_"):
            raise unknown_key_error(name, value, cls.type_name)
    _check_required(section)
    check_values(cls, section, num_steps, warn=warn)
    return cls


def _check_required(section: Mapping[str, Any]) -> None:
    missing = []
    if "start_lr" not in section:
        missing.append("start_lr")
    if not given(section, "stop_lr") and not given(section, "stop_lr_ratio"):
        missing.append("stop_lr")
    if not missing:
        return
    if missing == ["stop_lr"]:
        what = "neither stop_lr nor stop_lr_ratio is given"
    elif len(missing) == 2:
        what = "start_lr and a final rate (stop_lr or stop_lr_ratio) are missing"
    else:
        what = "start_lr is missing"
    subject = "it has" if missing == ["start_lr"] else "they have"
    raise LearningRateConfigError(
        key_path(missing[0]),
        f"{what}; since DeePMD-kit 3.1.3 {subject} no default",
        legacy_fix_text(section),
    )


def dargs_check(section: Any) -> dict[str, Any]:
    """Normalize and check ``section`` with dargs alone, as ``dargs check`` does.

    Errors that dargs raises itself (unknown key, wrong type, unknown
    ``type``) are re-raised as :class:`LearningRateConfigError` with the key
    path and dargs' own suggestion.
    """
    from dargs.check import check
    from dargs.dargs import ArgumentError

    try:
        return check(_shared_argument(), section, strict=True, trim_pattern="_*")
    except ArgumentError as error:
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
