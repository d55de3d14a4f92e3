"""The dargs declaration of the ``learning_rate`` section.

:func:`learning_rate_args` assembles the ``Argument`` from the common
:data:`~deepmd_lr.section.keys.COMMON_KEYS` and, for each registered schedule type,
the keys that type declares, each key's ``Argument`` written by
:func:`key_argument` from its :class:`~deepmd_lr.section.keys.Key`.
:func:`~deepmd_lr.section.rules.check_section` is its ``extra_check``, so
``dargs check`` applies the same rules as
:func:`~deepmd_lr.normalize_learning_rate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deepmd_lr.section import keys
from deepmd_lr.section.errors import LearningRateConfigError
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
        Argument(name, dict, variant_arguments(cls), doc=cls.variant_doc)
        for name, cls in SCHEDULES.classes().items()
    ]
    variant = Variant(
        "type", choices, optional=True, default_tag=keys.DEFAULT_TYPE, doc=keys.TYPE_DOC
    )
    argument = Argument(
        keys.SECTION,
        dict,
        [key_argument(key) for key in keys.COMMON_KEYS],
        [variant],
        optional=True,
        doc=keys.SECTION_DOC,
        fold_subdoc=fold_subdoc,
    )

    def check(section: Any) -> bool:
        """Every rule of the section, once; a broken one is dargs' message."""
        try:
            check_section(_as_written(section))
        except LearningRateConfigError as error:
            argument.extra_check_errmsg = str(error)
            return False
        return True

    argument.extra_check = check
    return argument


def _as_written(section: Any) -> Any:
    """``section`` without the keys that hold their default.

    dargs fills in every default before its extra check, so a fix that shows
    the section would show keys the user never wrote. Left out, they mean
    the same, and the section breaks the same rules; ``type`` stays.
    """
    if not isinstance(section, dict):
        return section
    try:
        spec = SCHEDULES.get(section.get("type", keys.DEFAULT_TYPE))
    except LearningRateConfigError:
        return section
    declared = {key.name: key for key in (*keys.COMMON_KEYS, *spec.variant_keys)}
    return {
        name: value
        for name, value in section.items()
        if name == "type"
        or name not in declared
        or not _at_default(declared[name], value)
    }


def _at_default(key: keys.Key, value: Any) -> bool:
    default = key.default
    return not key.required and type(value) is type(default) and value == default


def variant_arguments(schedule_class: type[BaseLR]) -> list[Argument]:
    """The dargs arguments of the keys that only ``schedule_class`` has.

    The keys common to every type sit beside the ``type`` variant, so a
    type's variant holds its own keys only.
    """
    return [key_argument(key) for key in schedule_class.variant_keys]


def key_argument(key: keys.Key) -> Argument:
    """The dargs ``Argument`` of one key: its type, default and doc.

    Its value rules are not attached here: the section's own check
    applies them with every other rule, so each key is checked once.

    Examples
    --------
    >>> from deepmd_lr.section.keys import COMMON_KEYS
    >>> argument = key_argument(COMMON_KEYS[1])
    >>> argument.name, argument.optional, argument.default
    ('stop_lr', True, None)
    """
    from dargs import Argument

    dtype: list[Any] = [key.kind, None] if key.nullable else [key.kind]
    declared: dict[str, Any] = {} if key.required else {"default": key.default}
    return Argument(
        key.name, dtype, optional=not key.required, doc=key.reference_doc(), **declared
    )
