"""The values releases before DeePMD-kit 3.1.3 filled in silently.

Those releases gave ``start_lr``, ``stop_lr`` and each schedule type's
``legacy_defaults`` a default; 3.1.3 requires the rates. A section that
leaves them out is refused, and its fix writes these values out, so that
the run stays the one the older release made.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import DEFAULT_TYPE, given, key_path
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.text import portable_json

LEGACY_DEFAULTS: dict[str, Any] = {"start_lr": 1e-3, "stop_lr": 1e-8}
"""Values older releases used when the key was absent; each schedule type
adds its own in its ``legacy_defaults``."""

FILLED_STOP_LR = 5e-8
"""The ``stop_lr`` DeePMD-kit 3.1.3's argument checker fills in, silently,
for a section with neither ``stop_lr`` nor ``stop_lr_ratio``, although its
guide says a final rate is required."""


def is_legacy(section: Mapping[str, Any]) -> bool:
    """Whether the section lacks ``start_lr`` or both stop values."""
    has_stop = given(section, "stop_lr") or given(section, "stop_lr_ratio")
    return "start_lr" not in section or not has_stop


def legacy_values(section: Mapping[str, Any]) -> dict[str, Any]:
    """The value older releases used for each key ``section`` leaves out
    (absent or null), in the order they are written."""
    values = {"start_lr": LEGACY_DEFAULTS["start_lr"]}
    if section.get("stop_lr_ratio") is None:
        values["stop_lr"] = LEGACY_DEFAULTS["stop_lr"]
    values.update(type_legacy_defaults(section.get("type")))
    return {name: value for name, value in values.items() if section.get(name) is None}


def type_legacy_defaults(type_name: Any) -> dict[str, Any]:
    """The ``legacy_defaults`` of the schedule type named ``type_name``."""
    try:
        schedule = SCHEDULES.get(DEFAULT_TYPE if type_name is None else type_name)
    except LearningRateConfigError:
        return {}  # the checker reports the unknown type
    return dict(schedule.legacy_defaults)


def section_fix_text(section: Mapping[str, Any]) -> str:
    """The fix that writes ``section`` out whole, on one line, spelled so
    that JSON and YAML 1.1 read it alike.

    Examples
    --------
    >>> print(section_fix_text({"type": "exp", "start_lr": 0.001}))
    Fix: write the section as {"type": "exp", "start_lr": 0.001}, with what older \
releases used silently (`deepmd-lr migrate FILE` writes it and gives the rule \
behind each value)
    """
    return (
        f"Fix: write the section as {_one_line_object(section)}, with what older "
        "releases used silently (`deepmd-lr migrate FILE` writes it and gives "
        "the rule behind each value)"
    )


def missing_rates_fix(
    section: Mapping[str, Any],
    *,
    wrong: Collection[str] = (),
    before_3_1_3: bool = False,
) -> str:
    """The fix of a section without ``start_lr`` or a final rate: the section
    as written, its null keys and the keys at the paths ``wrong`` (values
    reported as wrong in the same check) left out, with the missing values
    added; the final rate is the one DeePMD-kit 3.1.3 runs, or with
    ``before_3_1_3`` the one of the releases before it, and the other is
    named.

    Examples
    --------
    >>> print(missing_rates_fix({"type": "exp", "start_lr": 0.001, "stop_lr": None}))
    Fix: write the section as {"type": "exp", "start_lr": 0.001, "stop_lr": \
5.0e-08}: stop_lr 5.0e-08 is the final rate DeePMD-kit 3.1.3 runs (releases \
before it ran 1.0e-08); `deepmd-lr migrate FILE` writes what the releases \
before 3.1.3 ran
    """
    section = {
        name: value
        for name, value in section.items()
        if isinstance(name, str) and key_path(name) not in wrong
    }
    written = {name: value for name, value in section.items() if value is not None}
    said = []
    if "start_lr" not in section:
        written["start_lr"] = LEGACY_DEFAULTS["start_lr"]
        said.append(
            f"start_lr {portable_json(LEGACY_DEFAULTS['start_lr'])} is the "
            "default of the releases before 3.1.3, which has none"
        )
    if not given(section, "stop_lr") and not given(section, "stop_lr_ratio"):
        filled = portable_json(FILLED_STOP_LR)
        legacy = portable_json(LEGACY_DEFAULTS["stop_lr"])
        if before_3_1_3:
            written["stop_lr"] = LEGACY_DEFAULTS["stop_lr"]
            said.append(
                f"stop_lr {legacy} is the final rate DeePMD-kit 2.0.0 to 3.1.2 "
                f"run (3.1.3 and later run {filled})"
            )
        else:
            written["stop_lr"] = FILLED_STOP_LR
            said.append(
                f"stop_lr {filled} is the final rate DeePMD-kit 3.1.3 runs "
                f"(releases before it ran {legacy})"
            )
    return (
        f"Fix: write the section as {_one_line_object(written)}: {'; '.join(said)}; "
        "`deepmd-lr migrate FILE` writes what the releases before 3.1.3 ran"
    )


def _one_line_object(section: Mapping[str, Any]) -> str:
    """``section`` as a one-line object that JSON and YAML 1.1 read alike."""
    members = (f"{json.dumps(k)}: {portable_json(v)}" for k, v in section.items())
    return "{" + ", ".join(members) + "}"
