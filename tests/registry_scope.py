"""Schedule types that a test registers for the length of one block."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import deepmd_lr.schedules  # noqa: F401 (registers the built-in types)
from deepmd_lr.section.registry import SCHEDULES, ScheduleRegistry


@contextmanager
def scoped_schedules(*, reload_plugins: bool = False) -> Iterator[ScheduleRegistry]:
    """Undo, when the block ends, every registration made inside it.

    The table, the ``type_name`` of each class in it and whether plugins have
    been loaded are all as they were before the block, whatever happened
    inside it. With ``reload_plugins``, the first lookup in the block reads
    the entry points again.
    """
    classes = dict(SCHEDULES._classes)
    type_names = {name: cls.type_name for name, cls in classes.items()}
    plugins_loaded = SCHEDULES._plugins_loaded
    if reload_plugins:
        SCHEDULES._plugins_loaded = False
    try:
        yield SCHEDULES
    finally:
        SCHEDULES._classes = classes
        for name, cls in classes.items():
            cls.type_name = type_names[name]
        SCHEDULES._plugins_loaded = plugins_loaded
