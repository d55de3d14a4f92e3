"""Which DeePMD-kit this interpreter would import, found without importing it.

``deepmd-lr check`` compares a section with the installed release on every
run, and its start-up is part of its interface: the version is read from
the distribution's metadata directory as :func:`importlib.metadata.version`
finds it, without importing :mod:`importlib.metadata`, which would make the
command start some 40% slower.
"""

from __future__ import annotations

import os
import sys

__all__ = ["DEEPMD_DISTRIBUTIONS", "installed_deepmd_version"]

DEEPMD_DISTRIBUTIONS = ("deepmd-kit", "deepmd-kit-cu11")
"""The names DeePMD-kit is published under on PyPI; ``deepmd-kit-cu11`` is
built against CUDA 11. Both install the ``deepmd`` package."""


def _normalized_name(name: str) -> str:
    # PEP 503: runs of "-", "_" and "." are one "-", letters compare lower-case.
    for separator in "_.":
        name = name.replace(separator, "-")
    while "--" in name:
        name = name.replace("--", "-")
    return name.lower()


def _version_in_metadata(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as metadata:
            for line in metadata:
                if line.startswith("Version:"):
                    return line[len("Version:") :].strip() or None
                if not line.strip():
                    return None  # the headers end at the first empty line
    except OSError:
        return None
    return None


def _installed_version_in(directory: str) -> str | None:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return None
    for name in names:
        stem, dot, suffix = name.rpartition(".")
        if not dot or suffix not in ("dist-info", "egg-info"):
            continue
        project, _, version_in_name = stem.partition("-")
        if _normalized_name(project) not in DEEPMD_DISTRIBUTIONS:
            continue
        path = os.path.join(directory, name)
        if suffix == "dist-info":
            metadata = os.path.join(path, "METADATA")
        elif os.path.isdir(path):
            metadata = os.path.join(path, "PKG-INFO")
        else:
            metadata = path
        version = _version_in_metadata(metadata)
        if version is not None:
            return version
        if version_in_name:
            return version_in_name.partition("-")[0]
    return None


def installed_deepmd_version() -> str | None:
    """The version of the DeePMD-kit that this interpreter would import.

    It is read from the metadata directory of a distribution named in
    :data:`DEEPMD_DISTRIBUTIONS` (``deepmd_kit-3.1.3.dist-info``, or an
    ``.egg-info``) in the first entry of :data:`sys.path` that has one, as
    :func:`importlib.metadata.version` finds it, importing neither:
    ``None`` when there is none.
    """
    for entry in sys.path:
        version = _installed_version_in(entry or os.curdir)
        if version is not None:
            return version
    return None
