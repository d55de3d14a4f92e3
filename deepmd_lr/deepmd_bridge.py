"""deepmd-lr's schedule types inside DeePMD-kit's own ``dp`` command.

DeePMD-kit imports every module named in the ``deepmd.backend`` entry-point
group when ``deepmd.backend`` is imported, which every ``dp`` command does.
deepmd-lr names this module there, so importing it registers, for each
deepmd-lr schedule type (built-in or from a schedule plugin) that the
installed DeePMD-kit lacks:

- a subclass of DeePMD-kit's ``BaseLR`` that computes the rate with
  deepmd-lr, so that its trainers build it with ``BaseLR(**section)``;
- the type's own arguments, so that ``dp`` accepts and documents the type.

A type DeePMD-kit already has is left alone. Without a usable DeePMD-kit this
module does nothing, and a schedule that cannot be adapted is skipped with a
warning in the log: neither may stop ``dp`` from starting.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dargs import Argument

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
            self._start_lr = self.schedule.start_lr
            self.stop_lr = self.schedule.stop_lr
            self.num_steps = self.schedule.num_steps
            self.warmup_steps = self.schedule.warmup_steps
            self.warmup_start_lr = self.schedule.warmup_start_lr
            self.decay_num_steps = self.schedule.decay_num_steps

        def value(self, step: Any) -> Any:
            return self.schedule.value(step)

        def _decay_value(self, step: Any) -> Any:
            # Abstract in DeePMD-kit's base, which defines it on steps counted
            # from the end of warmup; value() above does not go through it.
            return self.schedule.value(step + self.warmup_steps)

        def __repr__(self) -> str:
            return f"{type(self).__name__}({self.schedule!r})"

    DeepmdLRSchedule.__name__ = DeepmdLRSchedule.__qualname__ = (
        f"DeepmdLR{schedule_class.__name__}"
    )
    return DeepmdLRSchedule


def variant_arguments(schedule_class: type[BaseLR]) -> list[Argument]:
    """The dargs arguments of the keys that only ``schedule_class`` has.

    DeePMD-kit declares the keys common to every type itself, beside its
    ``type`` variant, so a type's variant holds its own keys only.
    """
    return [key.argument() for key in schedule_class.variant_keys]


def _arguments_of(schedule_class: type[BaseLR]) -> Callable[[], list[Argument]]:
    # DeePMD-kit calls this for every argument tree it builds, and each tree
    # gets arguments of its own, as DeePMD-kit's own declarations give.
    return lambda: variant_arguments(schedule_class)


def register_types(deepmd_base: Any, args_plugin: Any) -> tuple[str, ...]:
    """Register each deepmd-lr type missing from DeePMD-kit in both registries.

    ``deepmd_base`` is DeePMD-kit's ``BaseLR`` and ``args_plugin`` its
    ``lr_args_plugin``. A type either registry already knows is skipped.
    Returns the names registered.
    """
    from deepmd_lr.registry import SCHEDULES

    known = set(deepmd_base.get_plugins())
    known.update(argument.name for argument in args_plugin.get_all_argument())
    registered = []
    for name, schedule_class in SCHEDULES.classes().items():
        if name in known:
            continue
        try:
            adapter = adapter_class(name, schedule_class, deepmd_base)
            variant_arguments(schedule_class)
        except Exception:  # a faulty schedule plugin must not stop dp
            logger.warning(
                "deepmd-lr schedule type %r could not be made available to "
                "DeePMD-kit and was skipped",
                name,
                exc_info=True,
            )
            continue
        # Both decorators first: an unexpected signature then fails before
        # either registry holds the type.
        register_class = deepmd_base.register(name)
        register_arguments = args_plugin.register(name, doc=schedule_class.variant_doc)
        register_class(adapter)
        register_arguments(_arguments_of(schedule_class))
        registered.append(name)
    if registered:
        logger.debug("deepmd-lr registered with DeePMD-kit: %s", ", ".join(registered))
    return tuple(registered)


def register_missing_types() -> tuple[str, ...]:
    """Register deepmd-lr's types that the installed DeePMD-kit lacks.

    Returns the names registered: none without DeePMD-kit, or with a release
    whose registries are not where, or not what, they are in DeePMD-kit 3.1.
    """
    try:
        from deepmd.dpmodel.utils.learning_rate import BaseLR as DeepmdBaseLR
        from deepmd.utils.argcheck import lr_args_plugin

        return register_types(DeepmdBaseLR, lr_args_plugin)
    except (ImportError, AttributeError, TypeError) as exc:
        logger.debug("deepmd-lr registered no schedule with DeePMD-kit: %r", exc)
        return ()
    except Exception:  # importing this module must never stop dp
        logger.warning(
            "deepmd-lr could not register its schedules with DeePMD-kit",
            exc_info=True,
        )
        return ()


REGISTERED = register_missing_types()
"""The schedule types this module added to DeePMD-kit when it was imported."""
