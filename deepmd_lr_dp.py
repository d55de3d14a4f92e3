"""deepmd-lr's schedule types in DeePMD-kit's ``dp``.

DeePMD-kit imports each module of the ``deepmd.backend`` entry-point group
when it starts, on every ``dp`` command; deepmd-lr names this one. Importing
deepmd-lr (and NumPy with it) there would slow down every command, so this
module only watches for DeePMD-kit's learning-rate registry and argument
declarations to be imported, and hands each, once it is, to
:mod:`deepmd_lr.deepmd.bridge`, which adds the schedule types DeePMD-kit lacks.

Nothing here may stop ``dp``: a DeePMD-kit whose registries are not where or
what they are in 3.1 is left alone, with a debug line in the log.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any


def _add_schedules(module: ModuleType) -> None:
    from deepmd_lr.deepmd.bridge import register_schedules

    register_schedules(module.BaseLR)


def _add_arguments(module: ModuleType) -> None:
    from deepmd_lr.deepmd.bridge import register_arguments

    register_arguments(module.lr_args_plugin)


def _run(action: Callable[[ModuleType], None], module: ModuleType) -> None:
    try:
        action(module)
    except Exception as exc:  # an error here would stop every dp command
        # logging is imported only here: dp -h does not otherwise need it.
        import logging

        logger = logging.getLogger(__name__)
        if isinstance(exc, (AttributeError, TypeError)):
            logger.debug("deepmd-lr added nothing to %s: %r", module.__name__, exc)
            return
        logger.warning(
            "deepmd-lr could not add its schedule types to %s",
            module.__name__,
            exc_info=True,
        )


class _ThenRun:
    """A module's own loader, followed by ``action`` on the loaded module."""

    def __init__(self, loader: Any, action: Callable[[ModuleType], None]) -> None:
        self.loader = loader
        self.action = action

    def __getattr__(self, name: str) -> Any:
        # get_source, get_resource_reader, ... stay the module's own.
        return getattr(self.loader, name)

    def create_module(self, spec: Any) -> ModuleType | None:
        module: ModuleType | None = self.loader.create_module(spec)
        return module

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)
        _run(self.action, module)


class AfterImport:
    """A ``sys.meta_path`` finder running an action on each watched module as
    soon as it has been imported, then removing itself once all have been."""

    def __init__(self, actions: dict[str, Callable[[ModuleType], None]]) -> None:
        self.actions = dict(actions)

    def install(self) -> None:
        """Run the actions of the modules already imported; watch the others."""
        for name in [name for name in self.actions if name in sys.modules]:
            _run(self.actions.pop(name), sys.modules[name])
        if self.actions:
            sys.meta_path.insert(0, self)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: Any = None
    ) -> Any:
        action = self.actions.get(fullname)
        if action is None:
            return None
        spec = self._find_spec_elsewhere(fullname, path, target)
        if spec is None or spec.loader is None:
            return spec
        del self.actions[fullname]
        if not self.actions:
            sys.meta_path.remove(self)
        spec.loader = _ThenRun(spec.loader, action)
        return spec

    def _find_spec_elsewhere(
        self, fullname: str, path: Sequence[str] | None, target: Any
    ) -> Any:
        """The spec of ``fullname`` from the finders that follow this one."""
        for finder in sys.meta_path[sys.meta_path.index(self) + 1 :]:
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(fullname, path, target) if find_spec else None
            if spec is not None:
                return spec
        return None


WATCHED: dict[str, Callable[[ModuleType], None]] = {
    "deepmd.dpmodel.utils.learning_rate": _add_schedules,
    "deepmd.utils.argcheck": _add_arguments,
}
"""DeePMD-kit's module holding each registry, and what to add to it."""

AfterImport(WATCHED).install()
