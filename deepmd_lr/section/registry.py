"""The table of schedule types: ``type`` name -> schedule class.

Built-in schedules register themselves when :mod:`deepmd_lr.schedules` is
imported, which the table does the first time it is consulted. Third-party
ones are discovered through the ``deepmd_lr.schedules`` entry-point group
the first time the table is listed or asked for a name it does not hold.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from importlib import import_module
from typing import Any, TypeVar

from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import key_path
from deepmd_lr.section.text import describe, did_you_mean

ENTRY_POINT_GROUP = "deepmd_lr.schedules"

T = TypeVar("T", bound=type)

ScheduleClass = Any
"""A registered schedule class, a subclass of :class:`deepmd_lr.BaseLR`; this
layer sits below the schedules and never imports them."""


class PluginWarning(UserWarning):
    """A third-party schedule plugin could not be loaded and was skipped."""


class ScheduleRegistry:
    """Maps each ``type`` name to the class that computes that schedule."""

    def __init__(self) -> None:
        self._classes: dict[str, ScheduleClass] = {}
        self._base: type | None = None
        self._plugins_loaded = False

    def bind(self, base: type) -> None:
        """Only subclasses of ``base`` may be registered."""
        self._base = base

    def register(self, name: str) -> Callable[[T], T]:
        """Class decorator registering a schedule under ``name``."""
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"schedule type names must be identifiers, got {name!r}")

        def decorate(cls: T) -> T:
            self._add(name, cls)
            return cls

        return decorate

    def _add(self, name: str, cls: Any) -> None:
        if self._base is not None and not (
            isinstance(cls, type) and issubclass(cls, self._base)
        ):
            raise TypeError(
                f"cannot register {cls!r} as schedule type {name!r}: "
                f"it is not a subclass of {self._base.__name__}"
            )
        taken = self._classes.get(name)
        if taken is not None and taken is not cls:
            raise ValueError(
                f"schedule type {name!r} is already registered by "
                f"{taken.__module__}.{taken.__qualname__}"
            )
        cls.type_name = name
        self._classes[name] = cls

    def get(self, name: Any) -> ScheduleClass:
        """The class registered under ``name``.

        Raises
        ------
        LearningRateConfigError
            When ``name`` is not a string (code LR201) or no schedule has
            that name (LR105); the message lists the known types and
            suggests the closest one.
        """
        # Importing the schedules registers the built-in types; it is done on
        # first use, so that reading a file does not pay for them. A plugin
        # cannot take a name that is registered already, so a known name is
        # answered without reading the entry points.
        import_module("deepmd_lr.schedules")
        if isinstance(name, str) and name not in self._classes:
            self._load_plugins()
        if isinstance(name, str) and name in self._classes:
            return self._classes[name]
        known = ", ".join(f'"{n}"' for n in self.classes())
        if isinstance(name, str):
            reason = f"unknown schedule type {describe(name)}; known types are {known}"
            hint = did_you_mean(name, list(self._classes))
            code = codes.UNKNOWN_TYPE
        else:
            reason = (
                f"got {describe(name)}, but type must be a string naming a schedule"
            )
            hint = ""
            code = codes.WRONG_TYPE
        raise LearningRateConfigError(
            key_path("type"),
            reason,
            hint or f"Fix: use one of {known}",
            value=name,
            code=code,
        )

    def classes(self) -> dict[str, ScheduleClass]:
        """All registered classes by name, in registration order (a copy)."""
        import_module("deepmd_lr.schedules")
        self._load_plugins()
        return dict(self._classes)

    def _load_plugins(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        from importlib.metadata import entry_points

        for entry in entry_points(group=ENTRY_POINT_GROUP):
            self._load_plugin(entry)

    def _load_plugin(self, entry: Any) -> None:
        def skip(reason: str) -> None:
            where = f"schedule plugin {entry.name!r} ({entry.value})"
            warnings.warn(f"{where} {reason}", PluginWarning, stacklevel=3)

        try:
            plugin = entry.load()
        except Exception as exc:  # a broken plugin must not break the built-ins
            skip(f"failed to import and was skipped: {exc!r}")
            return
        registered_as = [name for name, cls in self._classes.items() if cls is plugin]
        if not registered_as:
            try:
                self._add(entry.name, plugin)
            except (TypeError, ValueError) as exc:
                skip(f"was skipped: {exc}")
        elif entry.name not in registered_as:
            skip(
                f"registers itself as {registered_as[0]!r}; the entry-point name "
                "is ignored"
            )


SCHEDULES = ScheduleRegistry()
"""The registry consulted by :class:`~deepmd_lr.BaseLR` and the argument layer."""
