"""Which DeePMD-kit this interpreter would import, found without importing it.

``deepmd-lr check`` compares a section with the installed release on every
run, and pre-commit starts it once per commit, so the lookup is on the
command's start-up path. Where no ``deepmd`` package can be imported (a
pre-commit environment, say) there is no release to read. Where there is
one, its release is first read from the name of the ``.dist-info``
directory installed beside it, as every wheel installer writes one
(``deepmd_kit-3.1.3.dist-info``); only where that is not found (an editable
or egg install, several candidates) is :mod:`importlib.metadata` asked,
whose import alone costs more than a third of the command's start-up.
"""

from __future__ import annotations

import os
from importlib.util import find_spec

__all__ = ["DEEPMD_DISTRIBUTIONS", "installed_deepmd_version"]

DEEPMD_DISTRIBUTIONS = ("deepmd-kit", "deepmd-kit-cu11")
"""The names DeePMD-kit is published under on PyPI; ``deepmd-kit-cu11`` is
built against CUDA 11. Both install the ``deepmd`` package."""


def installed_deepmd_version() -> str | None:
    """The version of the DeePMD-kit that this interpreter would import, as
    :func:`importlib.metadata.version` gives it for a distribution named in
    :data:`DEEPMD_DISTRIBUTIONS`; ``None`` when there is none, or no
    ``deepmd`` package to import."""
    spec = find_spec("deepmd")
    if spec is None:
        return None
    for location in spec.submodule_search_locations or ():
        beside = _version_beside(os.path.dirname(location))
        if beside is not None:
            return beside
    from importlib.metadata import PackageNotFoundError, version

    for distribution in DEEPMD_DISTRIBUTIONS:
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return None


def _version_beside(directory: str) -> str | None:
    """The version in the name of the one DeePMD-kit ``.dist-info`` directory
    in ``directory``; ``None`` when there is none, or more than one."""
    try:
        entries = os.listdir(directory)
    except OSError:
        return None
    prefixes = tuple(
        f"{distribution.replace('-', '_')}-" for distribution in DEEPMD_DISTRIBUTIONS
    )
    versions = [
        entry[: -len(".dist-info")].split("-", 1)[1]
        for entry in entries
        if entry.lower().startswith(prefixes) and entry.endswith(".dist-info")
    ]
    return versions[0] if len(versions) == 1 else None
