"""Which DeePMD-kit this interpreter would import, found without importing it,
and DeePMD-kit versions as ``check`` compares them.

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
from dataclasses import dataclass, field
from importlib.util import find_spec

from packaging.version import InvalidVersion, Version

from deepmd_lr.section.text import describe

__all__ = [
    "DEEPMD_DISTRIBUTIONS",
    "DEFAULT_DEEPMD_VERSION",
    "DeepmdVersion",
    "default_deepmd_version",
    "installed_deepmd_version",
]

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


@dataclass(frozen=True, order=True)
class DeepmdVersion:
    """A DeePMD-kit version ``X.Y.Z``, ordered as PEP 440 orders versions.

    A development build comes before the pre-releases of its release, which
    come before the release (``3.2.0.dev3 < 3.2.0b0 < 3.2.0rc1 < 3.2.0``),
    and a post-release after it. The local part (``+gabc``) names a build and
    takes no part in the order.

    >>> DeepmdVersion.parse("3.1.3.dev12+gabc") < DeepmdVersion.parse("3.1.3rc1")
    True
    >>> str(DeepmdVersion.parse("v3.2.0-beta.0"))
    '3.2.0b0'
    """

    public: Version = field(repr=False)
    """The version without its local part: what orders it."""
    version: Version = field(compare=False)
    """The version as :mod:`packaging` parses it, with all its parts."""

    @classmethod
    def parse(cls, text: str) -> DeepmdVersion:
        """The version ``text`` spells, such as ``3.1.3``, ``3.2.0b0``,
        ``3.1.3rc1`` or ``3.1.3.dev12+gabc``.

        Raises
        ------
        ValueError
            For any other text, with a one-line message that quotes it.
        """
        try:
            version = Version(text) if isinstance(text, str) else None
        except InvalidVersion:
            version = None
        # DeePMD-kit's versions have three numbers and no epoch ("1!").
        if version is None or len(version.release) != 3 or "!" in text:
            raise ValueError(
                f"{describe(text)} is not a DeePMD-kit version: write it as X.Y.Z, "
                "optionally with a pre-release, post-release or dev suffix, "
                "such as 3.1.3, 3.2.0b0 or 3.1.3.dev12"
            )
        return cls(Version(version.public), version)

    def __str__(self) -> str:
        return str(self.version)


DEFAULT_DEEPMD_VERSION = "3.1.3"
"""The release ``check`` assumes when no DeePMD-kit is installed: the one the
contract of deepmd-lr describes."""


def default_deepmd_version() -> DeepmdVersion:
    """The installed DeePMD-kit's version, or else :data:`DEFAULT_DEEPMD_VERSION`.

    An installed version that is not ``X.Y.Z`` (a build from a source tree
    without tags) is not guessed at: the default is used for it too.
    """
    installed = installed_deepmd_version()
    try:
        return DeepmdVersion.parse(installed or DEFAULT_DEEPMD_VERSION)
    except ValueError:
        return DeepmdVersion.parse(DEFAULT_DEEPMD_VERSION)
