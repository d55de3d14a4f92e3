"""deepmd-lr's schedule types in DeePMD-kit's own registries.

For each deepmd-lr schedule type (built-in or from a schedule plugin) that
the installed DeePMD-kit lacks, :func:`register_schedules` adds to
DeePMD-kit's ``BaseLR`` registry a subclass that computes the rate with
deepmd-lr, so that its trainers build it with ``BaseLR(**section)``, and
:func:`register_arguments` adds the type's own keys to DeePMD-kit's argument
declarations, so that ``dp`` accepts and documents the type. A type DeePMD-kit
already has is left alone, and a type whose arguments cannot be declared is
skipped with a warning in the log.

``dp`` calls them through :mod:`deepmd_lr_dp`, as soon as it imports each
registry; importing this module alone changes nothing.

The bridge uses DeePMD-kit's public registries, and one private name: the
adapter defines ``_decay_value``, which DeePMD-kit's ``BaseLR`` declares
abstract (see :func:`adapter_class`). The parity tests check, under 3.1.3
and 3.2.0, that it is still the one abstract method of ``BaseLR``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Container
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

logger = logging.getLogger(__name__)


def adapter_class(name: str, schedule_class: type[BaseLR], deepmd_base: Any) -> Any:
    """A subclass of DeePMD-kit's ``deepmd_base`` computing ``schedule_class``.

    It takes the same arguments as the deepmd-lr schedule, ``num_steps`` and
    ``scale_by_worker`` included, and checks them with deepmd-lr's rules. It
    does not run ``deepmd_base.__init__``: that repeats a part of those rules
    in its own words, and the attributes it would set are set here from the
    deepmd-lr schedule, so that they agree with the rates.
    """

    class DeepmdLRSchedule(deepmd_base):  # type: ignore[misc]
        __doc__ = (
            f'``type: "{name}"``, computed by deepmd-lr\'s '
            f"{schedule_class.__module__}.{schedule_class.__qualname__}."
        )

        def __init__(self, *args: Any, **keys: Any) -> None:
            self.schedule = schedule_class(*args, **keys)
            self.stop_lr = self.schedule.stop_lr
            self.num_steps = self.schedule.num_steps
            self.warmup_steps = self.schedule.warmup_steps
            self.warmup_start_lr = self.schedule.warmup_start_lr
            self.decay_num_steps = self.schedule.decay_num_steps

        @property
        def start_lr(self) -> float:
            return self.schedule.start_lr

        def value(self, step: Any) -> Any:
            return self.schedule.value(step)

        # The one private name of DeePMD-kit the bridge touches: BaseLR
        # declares _decay_value abstract, so a subclass that does not define
        # it cannot be built. BaseLR defines it on steps counted from the end
        # of warmup; value() above does not go through it.
        def _decay_value(self, step: Any) -> Any:
            return self.schedule.value(step + self.warmup_steps)

        def __repr__(self) -> str:
            return f"{type(self).__name__}({self.schedule!r})"

    DeepmdLRSchedule.__name__ = DeepmdLRSchedule.__qualname__ = (
        f"DeepmdLR{schedule_class.__name__}"
    )
    return DeepmdLRSchedule


def _missing_types(known: Container[str]) -> dict[str, type[BaseLR]]:
    from deepmd_lr.section.registry import SCHEDULES

    return {
        name: schedule_class
        for name, schedule_class in SCHEDULES.classes().items()
        if name not in known
    }


def register_schedules(deepmd_base: Any) -> tuple[str, ...]:
    """Register each deepmd-lr type that ``deepmd_base`` lacks with it.

    ``deepmd_base`` is DeePMD-kit's ``BaseLR``. Returns the names registered.
    """
    missing = _missing_types(deepmd_base.get_plugins())
    for name, schedule_class in missing.items():
        deepmd_base.register(name)(adapter_class(name, schedule_class, deepmd_base))
    logger.debug("deepmd-lr schedules added to DeePMD-kit: %s", list(missing))
    return tuple(missing)


def register_arguments(args_plugin: Any) -> tuple[str, ...]:
    """Declare the keys of each deepmd-lr type that ``args_plugin`` lacks.

    ``args_plugin`` is DeePMD-kit's ``deepmd.utils.argcheck.lr_args_plugin``.
    Returns the names registered.
    """
    from deepmd_lr.describe.arguments import variant_arguments

    known = {argument.name for argument in args_plugin.get_all_argument()}
    registered = []
    for name, schedule_class in _missing_types(known).items():
        # DeePMD-kit calls this for every argument tree it builds, and each
        # tree gets arguments of its own, as DeePMD-kit's own declarations give.
        arguments = functools.partial(variant_arguments, schedule_class)
        try:
            # Built once now, so that a faulty declaration is skipped here
            # rather than failing later inside every argument check of dp.
            arguments()
        except Exception:  # a faulty schedule plugin must not stop dp
            logger.warning(
                "deepmd-lr schedule type %r has arguments that cannot be "
                "declared to DeePMD-kit; it was skipped",
                name,
                exc_info=True,
            )
            continue
        args_plugin.register(name, doc=schedule_class.variant_doc)(arguments)
        registered.append(name)
    logger.debug("deepmd-lr arguments added to DeePMD-kit: %s", registered)
    return tuple(registered)
