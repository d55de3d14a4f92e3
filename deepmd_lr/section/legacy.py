"""The values releases before DeePMD-kit 3.1.3 filled in silently.

Those releases gave ``start_lr``, ``stop_lr`` and each schedule type's
``legacy_defaults`` a default; 3.1.3 requires the rates. A section that
leaves them out is refused, and its fix writes these values out, so that
the run stays the one the older release made.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import DEFAULT_TYPE, given
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.text import portable_json

LEGACY_DEFAULTS: dict[str, Any] = {"start_lr": 1e-3, "stop_lr": 1e-8}
"""Values older releases used when the key was absent; each schedule type
adds its own in its ``legacy_defaults``."""


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
    shown = ", ".join(
        f"{json.dumps(name)}: {portable_json(value)}" for name, value in section.items()
    )
    return (
        f"Fix: write the section as {{{shown}}}, with what older releases used "
        "silently (`deepmd-lr migrate FILE` writes it and gives the rule behind "
        "each value)"
    )
