"""What each DeePMD-kit release does with a ``learning_rate`` section.

DeePMD-kit's releases read the section differently: which keys and schedule
types they accept, which values they fill in when a key is missing, and one
of them cannot start a warmup from 0. :func:`release_warnings` lists, for a
section and a release, each of these that applies, as a
:class:`~deepmd_lr.section.errors.LearningRateWarning` with its ``LW2xx`` code.

What is known of each release comes from its source at its git tag (the
ranges and the evidence are listed in the documentation's DeePMD-kit page).
A development build or pre-release of ``X.Y.Z`` counts as a release before
``X.Y.Z`` (the order of PEP 440), except where a tag shows that a change was
already in a pre-release: ``decay_rate`` in 3.0.0b0, ``wsd`` and the
warmup fix in 3.2.0b0.

This module is on the start-up path of ``deepmd-lr check``: it imports
neither DeePMD-kit nor :mod:`importlib.metadata`, and finds the installed
release with :func:`~deepmd_lr.deepmd.installed.installed_deepmd_version`.
"""

from __future__ import annotations

import math
from functools import total_ordering
from typing import Any, NamedTuple

from packaging.version import InvalidVersion, Version

from deepmd_lr.deepmd.installed import installed_deepmd_version
from deepmd_lr.schedules.exp import replaced_decay_steps
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateWarning
from deepmd_lr.section.keys import key_path
from deepmd_lr.section.legacy import LEGACY_DEFAULTS, type_legacy_defaults
from deepmd_lr.section.text import describe, plain, portable_float_text


@total_ordering
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

    __slots__ = ("_order", "version")

    def __init__(self, version: Version) -> None:
        self.version = version
        """The version as :mod:`packaging` parses it, with all its parts."""
        self._order = Version(version.public)

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
        return cls(version)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeepmdVersion):
            return NotImplemented
        return self._order == other._order

    def __lt__(self, other: DeepmdVersion) -> bool:
        if not isinstance(other, DeepmdVersion):
            return NotImplemented
        return self._order < other._order

    def __hash__(self) -> int:
        return hash(self._order)

    def __str__(self) -> str:
        return str(self.version)

    def __repr__(self) -> str:
        return f"DeepmdVersion.parse({str(self)!r})"


DEFAULT_DEEPMD_VERSION = "3.1.3"
"""The release ``check`` assumes when no DeePMD-kit is installed: the one the
contract of deepmd-lr describes."""


def default_deepmd_version() -> DeepmdVersion:
    """The installed DeePMD-kit's version, or else :data:`DEFAULT_DEEPMD_VERSION`.

    An installed version that is not ``X.Y.Z`` (a build from a source tree
    without tags) is not guessed at: the default is used for it too.
    """
    installed = installed_deepmd_version()
    if installed is not None:
        try:
            return DeepmdVersion.parse(installed)
        except ValueError:
            pass
    return DeepmdVersion.parse(DEFAULT_DEEPMD_VERSION)


def _release(text: str) -> DeepmdVersion:
    return DeepmdVersion.parse(text)


_V2_0_0 = _release("2.0.0")
_V2_0_2 = _release("2.0.2")
_V3_0_0B0 = _release("3.0.0b0")
_V3_1_3 = _release("3.1.3")
_V3_2_0B0 = _release("3.2.0b0")

_BEFORE_3_1_3 = "DeePMD-kit 2.0.0 to 3.1.2"
_FROM_3_1_3 = "DeePMD-kit 3.1.3 and later"
_DECAY_RATE_ONLY_PYTORCH = "DeePMD-kit 3.0.0 to 3.1.2"

_FIRST_RELEASE_OF_KEY = {
    "scale_by_worker": (_V2_0_2, "DeePMD-kit 2.0.0 and 2.0.1", "2.0.2"),
    "decay_rate": (_V3_0_0B0, "DeePMD-kit 2.0.0 to 2.2.11", "3.0.0"),
    "stop_lr_ratio": (_V3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_steps": (_V3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_ratio": (_V3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_start_factor": (_V3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "smooth": (_V3_1_3, _BEFORE_3_1_3, "3.1.3"),
}
"""Keys a release's ``dp train`` refuses (it checks keys strictly), with the
first release that has each, the releases that lack it and the release to
name in the fix."""

_FILLED_STOP_LR = 5e-8
"""The ``stop_lr`` DeePMD-kit 3.1.3's checker fills in without ``stop_lr``
and ``stop_lr_ratio``; older releases filled ``LEGACY_DEFAULTS["stop_lr"]``."""


class _Judged(NamedTuple):
    """The section's values that can be judged; ``None`` where one cannot."""

    section: dict[str, Any]
    type: str | None
    num_steps: int | None


def _count(value: Any) -> int | None:
    value = plain(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _number(value: Any) -> float | None:
    value = plain(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            return None
        if math.isfinite(number):
            return number
    return None


def _given(section: dict[str, Any], key: str, version: DeepmdVersion) -> bool:
    # 3.1.3's checker takes a null stop_lr as a missing one; older releases
    # refuse null where they have a default, so for them only presence counts.
    if version < _V3_1_3:
        return key in section
    return section.get(key) is not None


def release_warnings(
    section: Any, num_steps: Any, version: DeepmdVersion | str
) -> list[LearningRateWarning]:
    """What DeePMD-kit ``version`` will do with ``section`` that may surprise.

    Parameters
    ----------
    section
        The ``learning_rate`` section as written (a mapping). It need not be
        valid: only what can be judged is warned about, and anything that
        is not a mapping gives no warning.
    num_steps
        ``training.numb_steps``, or ``None`` when unknown.
    version
        The DeePMD-kit release, parsed or as text (see
        :meth:`DeepmdVersion.parse`, whose ``ValueError`` text raises).

    Returns
    -------
    list of LearningRateWarning
        One per finding, each with its ``LW2xx`` code and key path, in the
        order of the codes.

    Examples
    --------
    >>> section = {"start_lr": 1e-3, "stop_lr": 1e-5, "warmup_steps": 100}
    >>> [w.code for w in release_warnings(section, 10_000, "3.1.3")]
    ['LW201']
    >>> release_warnings(section, 10_000, "3.2.0")
    []
    """
    if not isinstance(version, DeepmdVersion):
        version = DeepmdVersion.parse(version)
    if not isinstance(section, dict):
        return []
    if version < _V2_0_0:
        return [
            LearningRateWarning(
                f"DeePMD-kit {version} is older than 2.0.0, whose learning_rate "
                "sections deepmd-lr does not describe, so the section is not "
                "checked against it. Fix: convert the input to DeePMD-kit 2.0 "
                "or later (deepmd-lr migrate) and check it against that release",
                path="learning_rate",
                code=codes.RELEASE_TOO_OLD,
            )
        ]
    kind = plain(section.get("type", "exp"))
    judged = _Judged(
        section, kind if isinstance(kind, str) else None, _count(num_steps)
    )
    found: list[LearningRateWarning] = []
    for rule in _RULES:
        found.extend(rule(judged, version))
    return found


def _warmup_from_zero(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    if not _V3_1_3 <= version < _V3_2_0B0:
        return []
    section = judged.section
    factor = _number(section.get("warmup_start_factor", 0.0))
    if factor != 0.0 or not _has_warmup(judged):
        return []
    return [
        LearningRateWarning(
            f"{key_path('warmup_start_factor')}: DeePMD-kit 3.1.3's PyTorch "
            "trainer divides every rate by the rate of its first step, which a "
            "warmup from warmup_start_factor 0 (the default) makes 0, so "
            "dp --pt train stops with ZeroDivisionError before its first step "
            "(fixed in 3.2.0). Fix: start the warmup from a small positive "
            "fraction of start_lr, such as warmup_start_factor: 0.01",
            path=key_path("warmup_start_factor"),
            code=codes.WARMUP_FROM_ZERO_DIVIDES,
        )
    ]


def _has_warmup(judged: _Judged) -> bool:
    section = judged.section
    steps = _count(section.get("warmup_steps", 0))
    if steps:
        return True
    ratio = _number(section.get("warmup_ratio"))
    if ratio is None or not 0.0 < ratio < 1.0:
        return False
    # Without numb_steps a positive ratio is taken to ask for a warmup.
    return judged.num_steps is None or int(ratio * judged.num_steps) > 0


def _schedule_type(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    path = key_path("type")
    if judged.type in ("cosine", "wsd") and version < _V3_1_3:
        return [
            LearningRateWarning(
                f"{path}: {_BEFORE_3_1_3} know only the exp schedule and refuse "
                f"type {describe(judged.type)}; deepmd-lr's bridge cannot add it "
                "to them, as it needs the schedule registry that 3.1.3 "
                f"introduced. Fix: use DeePMD-kit {_first_with(judged.type)}, "
                "or type exp",
                path=path,
                code=codes.TYPE_NEEDS_NEWER_RELEASE,
            )
        ]
    if judged.type == "wsd" and version < _V3_2_0B0:
        return [
            LearningRateWarning(
                f'{path}: DeePMD-kit 3.1.3 has no "wsd" schedule (it came '
                "with 3.2.0), so dp train refuses it unless deepmd-lr's bridge "
                "adds it: deepmd-lr installed in the environment of dp "
                "registers the deepmd_lr_dp module that does. Fix: install "
                "deepmd-lr where dp runs, or use DeePMD-kit 3.2.0 or later",
                path=path,
                code=codes.TYPE_NEEDS_NEWER_RELEASE,
            )
        ]
    return []


def _first_with(kind: str) -> str:
    if kind == "cosine":
        return "3.1.3 or later"
    return "3.2.0 or later (or 3.1.3 with deepmd-lr's bridge)"


def _final_rate_default(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    section = judged.section
    if _given(section, "stop_lr", version) or _given(section, "stop_lr_ratio", version):
        return []
    legacy = portable_float_text(LEGACY_DEFAULTS["stop_lr"])
    if version < _V3_1_3:
        filled, releases, others = legacy, _BEFORE_3_1_3, _FROM_3_1_3
        other_value = portable_float_text(_FILLED_STOP_LR)
    else:
        filled, releases, others = (
            portable_float_text(_FILLED_STOP_LR),
            _FROM_3_1_3,
            _BEFORE_3_1_3,
        )
        other_value = legacy
    path = key_path("stop_lr")
    # With decay_rate the decay is set by it, and stop_lr is only a floor.
    what = (
        "floor the rate at"
        if section.get("decay_rate") is not None
        else "train to a final rate of"
    )
    return [
        LearningRateWarning(
            f"{path}: neither stop_lr nor stop_lr_ratio is given, so "
            f"{releases} {what} {filled} ({others} use {other_value}). Fix: write "
            f"the final rate meant: stop_lr: {filled} keeps what {releases} run; "
            f"`deepmd-lr migrate` writes {legacy}, what the releases before 3.1.3 "
            "ran",
            path=path,
            code=codes.FINAL_RATE_DEFAULT_DIFFERS,
        )
    ]


def _unknown_keys(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    found = []
    for key, value in judged.section.items():
        if key not in _FIRST_RELEASE_OF_KEY:
            continue
        first, releases, fixed_in = _FIRST_RELEASE_OF_KEY[key]
        if version >= first:
            continue
        path = key_path(key)
        found.append(
            LearningRateWarning(
                f"{path}: {releases} do not know this key, and dp train refuses "
                f"an input that has it. Fix: {_instead_of(key, value, judged)}, "
                f"or use DeePMD-kit {fixed_in} or later",
                path=path,
                code=codes.KEY_UNKNOWN_TO_RELEASE,
            )
        )
    return found


def _instead_of(key: str, value: Any, judged: _Judged) -> str:
    if key == "stop_lr_ratio":
        ratio = _number(value)
        start_lr = _number(judged.section.get("start_lr"))
        if ratio is not None and start_lr is not None:
            return f"write stop_lr: {portable_float_text(start_lr * ratio)} instead"
        return "write stop_lr (start_lr times the ratio) instead"
    if key == "warmup_steps":
        return (
            "remove it; DeePMD-kit 3.0.0 to 3.1.2 take a warmup from a rate of 0 "
            "as training/warmup_steps, in their PyTorch trainer only"
        )
    if key == "smooth":
        return "remove it (these releases decay in steps, as smooth: false does)"
    if key == "decay_rate":
        return "remove it (these releases compute the rate from stop_lr)"
    return "remove it"


def _start_lr_default(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    if version >= _V3_1_3 or _given(judged.section, "start_lr", version):
        return []
    path = key_path("start_lr")
    legacy = portable_float_text(LEGACY_DEFAULTS["start_lr"])
    return [
        LearningRateWarning(
            f"{path}: start_lr is not given, so {_BEFORE_3_1_3} start from "
            f"{legacy} ({_FROM_3_1_3} refuse the input). "
            f"Fix: write start_lr: {legacy}",
            path=path,
            code=codes.START_LR_DEFAULT_OF_RELEASE,
        )
    ]


def _decay_rate_on_tensorflow(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    if not _V3_0_0B0 <= version < _V3_1_3 or judged.type != "exp":
        return []
    if _number(judged.section.get("decay_rate")) is None:
        return []
    path = key_path("decay_rate")
    return [
        LearningRateWarning(
            f"{path}: the TensorFlow trainer of {_DECAY_RATE_ONLY_PYTORCH} "
            "ignores decay_rate and decays from start_lr to stop_lr; only the "
            "PyTorch and Paddle trainers use it. Fix: train with dp --pt, or "
            "use DeePMD-kit 3.1.3 or later",
            path=path,
            code=codes.TENSORFLOW_IGNORES_DECAY_RATE,
        )
    ]


def _decay_steps_replaced(judged: _Judged, version: DeepmdVersion) -> list[Any]:
    if not _V3_0_0B0 <= version < _V3_1_3 or judged.type != "exp":
        return []
    section = judged.section
    num_steps = judged.num_steps
    legacy = type_legacy_defaults("exp")["decay_steps"]
    decay_steps = _count(section.get("decay_steps", legacy))
    if (
        _number(section.get("decay_rate")) is None
        or not num_steps
        or decay_steps is None
        or decay_steps < num_steps
    ):
        return []
    replacement = replaced_decay_steps(num_steps)
    path = key_path("decay_steps")
    return [
        LearningRateWarning(
            f"{path}: {decay_steps} is not shorter than the {num_steps} training "
            f"steps, so the PyTorch trainer of {_DECAY_RATE_ONLY_PYTORCH} "
            f"replaces it with {replacement} although decay_rate is given, and "
            f"the rate decays by decay_rate every {replacement} steps "
            f"({_FROM_3_1_3} keep decay_steps). Fix: set decay_steps below "
            "numb_steps, to the period meant",
            path=path,
            code=codes.DECAY_STEPS_REPLACED_DESPITE_RATE,
        )
    ]


_RULES = (
    _warmup_from_zero,
    _schedule_type,
    _final_rate_default,
    _unknown_keys,
    _start_lr_default,
    _decay_rate_on_tensorflow,
    _decay_steps_replaced,
)
