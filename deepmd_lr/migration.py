"""Bringing pre-3.1.3 ``learning_rate`` sections up to date.

Releases before DeePMD-kit 3.1.3 filled ``start_lr = 1e-3``,
``stop_lr = 1e-8`` and ``decay_steps = 5000`` silently. Writing those values
into an old input reproduces the old run's schedule exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from deepmd_lr.errors import LearningRateConfigError
from deepmd_lr.keys import DEFAULT_TYPE, SECTION
from deepmd_lr.registry import SCHEDULES

LEGACY_DEFAULTS: dict[str, Any] = {"start_lr": 1e-3, "stop_lr": 1e-8}
"""Values older releases used when the key was absent; each schedule type
adds its own in its ``legacy_defaults``."""

_WHOLE_INPUT_SECTIONS = ("learning_rate", "training", "model", "loss", "optimizer")


def is_legacy(section: Mapping[str, Any]) -> bool:
    """Whether the section lacks ``start_lr`` or both stop values."""
    has_stop = (
        section.get("stop_lr") is not None or section.get("stop_lr_ratio") is not None
    )
    return "start_lr" not in section or not has_stop


def migrate_section(section: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Write the old implicit defaults into ``section``.

    Returns a new dict (key order kept, added keys appended) and the names
    of the keys that were added. A section that already has ``start_lr`` and
    a stop value is returned unchanged with nothing added, so running the
    migration twice changes nothing the second time.
    """
    migrated = dict(section)
    if not is_legacy(section):
        return migrated, []
    added = []
    missing = dict(LEGACY_DEFAULTS)
    if section.get("stop_lr_ratio") is not None:
        missing.pop("stop_lr")
    missing.update(_legacy_defaults_of_type(section.get("type", DEFAULT_TYPE)))
    for name, value in missing.items():
        if migrated.get(name) is None:
            migrated[name] = value
            added.append(name)
    return migrated, added


def _legacy_defaults_of_type(type_name: Any) -> dict[str, Any]:
    try:
        schedule = SCHEDULES.get(type_name)
    except LearningRateConfigError:
        return {}  # the checker reports the unknown type
    return dict(schedule.legacy_defaults)


def is_whole_input(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` is a whole training input rather than a bare section."""
    return any(name in data for name in _WHOLE_INPUT_SECTIONS)


def migrate(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Migrate a whole training input or a bare ``learning_rate`` section.

    For a whole input, only its ``learning_rate`` section changes (it is
    created when absent, as older releases used an all-default one); the
    names of added keys are returned as paths such as
    ``learning_rate/start_lr``.
    """
    if not is_whole_input(data):
        return migrate_section(data)
    result = dict(data)
    section = data.get(SECTION)
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        return result, []
    migrated, added = migrate_section(section)
    result[SECTION] = migrated
    return result, [f"{SECTION}/{name}" for name in added]


def legacy_fix_text(section: Mapping[str, Any]) -> str:
    """The fix shown for a pre-3.1.3 section: the corrected section as JSON."""
    migrated, _ = migrate_section(section)
    body = json.dumps({SECTION: migrated}, indent=2, default=repr)
    return (
        "Fix: write the missing values explicitly; with the ones older releases used "
        f"silently the section reads\n{body}\n"
        "(`deepmd-lr migrate FILE` writes this into the input file)"
    )
