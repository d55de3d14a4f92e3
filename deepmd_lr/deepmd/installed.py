"""Which DeePMD-kit this interpreter would import, found without importing it.

``deepmd-lr check`` compares a section with the installed release on every
run. Where no ``deepmd`` package can be imported (a pre-commit environment,
say) there is no release to read, and the metadata library, which costs
more than a third of the command's start-up, is not imported at all.
"""

from __future__ import annotations

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
    if find_spec("deepmd") is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    for distribution in DEEPMD_DISTRIBUTIONS:
        try:
            return version(distribution)
        except PackageNotFoundError:
            continue
    return None
