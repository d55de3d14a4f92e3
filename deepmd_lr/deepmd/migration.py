"""Bringing old ``learning_rate`` sections up to date.

Two kinds of old input are read differently by DeePMD-kit, and a migration
writes out what it did with them, so that the rate at every step stays the
same:

- A v1-era input (its ``training`` section lists ``systems`` directly) with a
  ``decay_rate``: DeePMD-kit's input converter, applied by every release since
  2.0 before the input is checked, replaces ``decay_rate`` by
  ``stop_lr = start_lr * decay_rate ** (stop_batch / decay_steps)``.
- An input that leaves out ``start_lr`` or the final rate: releases before
  3.1.3 filled ``start_lr = 1e-3``, ``stop_lr = 1e-8`` and
  ``decay_steps = 5000`` silently, and replaced a ``decay_steps`` not shorter
  than training even when ``decay_rate`` was given.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from deepmd_lr.schedules.exp import replaced_decay_steps
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import COMMON_KEYS, DEFAULT_TYPE, MAX_STEPS, SECTION
from deepmd_lr.section.legacy import is_legacy, legacy_values, section_fix_text
from deepmd_lr.section.registry import SCHEDULES

OLD_DEFAULT_RULE = "the default of releases before 3.1.3"

_WHOLE_INPUT_SECTIONS = ("learning_rate", "training", "model", "loss", "optimizer")


@dataclass(frozen=True)
class MigrationNote:
    """One value a migration added, changed or removed, and the rule why.

    ``old`` is ``None`` for an added key (absent or null before), ``new`` is
    ``None`` for a removed one. ``path`` is the key's path, such as
    ``learning_rate/stop_lr`` (or ``stop_lr`` in a bare section).
    """

    path: str
    rule: str
    old: Any
    new: Any

    @property
    def action(self) -> str:
        """``"added"``, ``"changed"`` or ``"removed"``."""
        if self.old is None:
            return "added"
        return "removed" if self.new is None else "changed"

    def __str__(self) -> str:
        old, new = json_text(self.old), json_text(self.new)
        if self.action == "added":
            return f"added {self.path} = {new}: {self.rule}"
        if self.action == "removed":
            return f"removed {self.path} (was {old}): {self.rule}"
        return f"changed {self.path} from {old} to {new}: {self.rule}"


def json_text(value: Any) -> str:
    """``value`` as JSON writes it, a value JSON cannot hold by its ``repr``.

    >>> json_text(1e-8), json_text("exp"), json_text(None)
    ('1e-08', '"exp"', 'null')
    """
    return json.dumps(value, default=repr)


def migrate_section(
    section: Mapping[str, Any], training: Mapping[str, Any] | None = None
) -> tuple[dict[str, Any], list[MigrationNote]]:
    """Migrate one ``learning_rate`` section.

    ``training`` is the input's ``training`` section, when known: it tells a
    v1-era input apart and gives the training length. Returns a new dict
    (key order kept, added keys appended) and a note per key that changed,
    with the key name as its path. An up-to-date section is returned
    unchanged with no notes, so running the migration twice changes nothing
    the second time.
    """
    migrated = dict(section)
    notes: dict[str, MigrationNote] = {}

    def put(name: str, value: Any, rule: str) -> None:
        # One note per key, from the value the input had, in the order of
        # the last change.
        old = notes.pop(name).old if name in notes else migrated.get(name)
        notes[name] = MigrationNote(name, rule, old, value)
        migrated[name] = value

    length = converter_length(section, training)
    if length is not None:
        for name, value in legacy_values(section).items():
            # The converter computes stop_lr from the other two.
            if name != "stop_lr":
                put(name, value, OLD_DEFAULT_RULE)
        decay_rate = migrated.pop("decay_rate")
        put("stop_lr", *_converted_stop_lr(migrated, decay_rate, *length))
        notes["decay_rate"] = MigrationNote(
            "decay_rate",
            "DeePMD-kit's input converter replaces it by stop_lr in a v1-era "
            "input (one whose training section lists systems)",
            decay_rate,
            None,
        )
    elif is_legacy(section):
        for name, value in legacy_values(section).items():
            put(name, value, OLD_DEFAULT_RULE)
        replaced = _old_decay_steps(migrated, training)
        if replaced is not None:
            put("decay_steps", *replaced)
    return migrated, list(notes.values())


def converter_length(
    section: Mapping[str, Any], training: Mapping[str, Any] | None
) -> tuple[str, int] | None:
    """The training length DeePMD-kit's converter turns ``decay_rate`` with.

    ``None`` unless the converter applies: in a v1-era input with a
    ``decay_rate``. Values it could not compute with are left for the
    checker to report. The converter reads ``training.stop_batch`` (and
    fails without it); ``numb_steps`` gives the same length.
    """
    if not isinstance(training, Mapping) or "systems" not in training:
        return None
    # A null decay_rate counts as not given.
    if section.get("type", DEFAULT_TYPE) != "exp" or section.get("decay_rate") is None:
        return None
    # Only values the section's own rules accept are computed with; the
    # checker reports the others.
    exp = SCHEDULES.get("exp")
    keys = {key.name: key for key in (*COMMON_KEYS, *exp.variant_keys)}
    try:
        for name in ("decay_rate", "start_lr", "decay_steps"):
            if name in section:
                keys[name].check(section[name])
    except LearningRateConfigError:
        return None
    for name in ("stop_batch", "numb_steps"):
        length = training.get(name)
        if _is_count(length) and length <= MAX_STEPS:
            return name, length
    return None


def _converted_stop_lr(
    section: Mapping[str, Any], decay_rate: float, name: str, stop_step: int
) -> tuple[float, str]:
    """``stop_lr`` as DeePMD-kit's converter computes it, and the rule."""
    import numpy as np

    start_lr, decay_steps = section["start_lr"], section["decay_steps"]
    # The converter's own arithmetic, so that stop_lr agrees to the last bit.
    stop_lr = float(np.exp(np.log(decay_rate) * (stop_step / decay_steps)) * start_lr)
    rule = (
        f"from decay_rate {json_text(decay_rate)} every {decay_steps} steps over "
        f"the {stop_step} steps of training/{name} (DeePMD-kit's input converter)"
    )
    return stop_lr, rule


def _old_decay_steps(
    section: Mapping[str, Any], training: Mapping[str, Any] | None
) -> tuple[int, str] | None:
    """The ``decay_steps`` releases before 3.1.3 used instead, and the rule.

    Those releases replaced a ``decay_steps`` not shorter than the decay
    phase also when ``decay_rate`` was given; 3.1.3 keeps it then. Without
    ``decay_rate`` both replace it alike, so nothing needs writing.
    """
    if section.get("type", DEFAULT_TYPE) != "exp":
        return None
    decay_steps = section.get("decay_steps")
    if section.get("decay_rate") is None or not _is_count(decay_steps):
        return None
    phase = _decay_phase(section, training)
    if phase is None or decay_steps < phase:
        return None
    replacement = replaced_decay_steps(phase)
    if replacement == decay_steps:
        return None
    return replacement, (
        f"releases before 3.1.3 replaced decay_steps {decay_steps}, as it is not "
        f"shorter than the {phase} decay steps, also when decay_rate was given"
    )


def _decay_phase(
    section: Mapping[str, Any], training: Mapping[str, Any] | None
) -> int | None:
    """Training steps after the warmup, or ``None`` when unknown or invalid.

    Before 3.1.3 the warmup was ``training.warmup_steps``; from 3.1.3 on it
    is written in the section, and DeePMD-kit moves the old key there.
    """
    if not isinstance(training, Mapping):
        return None
    num_steps = training.get("numb_steps", training.get("stop_batch"))
    if not _is_count(num_steps) or num_steps > MAX_STEPS:
        return None
    ratio = section.get("warmup_ratio")
    if ratio is not None:
        if isinstance(ratio, bool) or not isinstance(ratio, (int, float)):
            return None
        if not 0 < ratio < 1:
            return None
        warmup = int(ratio * num_steps)
    else:
        warmup = section.get("warmup_steps", training.get("warmup_steps", 0))
    if not _is_count(warmup) or warmup > num_steps:
        return None
    return num_steps - warmup


def _is_count(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def is_whole_input(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` is a whole training input rather than a bare section."""
    return any(name in data for name in _WHOLE_INPUT_SECTIONS)


_V0_MARKS = ("use_smooth", "systems")
"""Top-level keys of a DeePMD-kit 0.x input; a learning_rate section has neither."""


def v0_input_error(data: Mapping[str, Any]) -> LearningRateConfigError | None:
    """The error for ``data`` when it is a DeePMD-kit 0.x input, else ``None``.

    Such an input holds every setting at its top level, without the
    sections; DeePMD-kit converts it when it reads it. Read as a bare
    ``learning_rate`` section it would get key-by-key advice that harms it.
    """
    if is_whole_input(data):
        return None
    marks = [name for name in _V0_MARKS if name in data]
    if not marks:
        return None
    return LearningRateConfigError(
        "",
        f"{' and '.join(marks)} at the top level "
        f"{'make' if len(marks) > 1 else 'makes'} this a DeePMD-kit 0.x input, which "
        "DeePMD-kit converts as it reads it and deepmd-lr does not read",
        "Fix: write the input in the current form, with its rate in a "
        'learning_rate section, such as {"learning_rate": {"type": "exp", '
        '"start_lr": ..., "decay_steps": ..., "stop_lr": ...}}',
        code=codes.VERSION_0_INPUT,
    )


def migrate(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[MigrationNote]]:
    """Migrate a whole training input or a bare ``learning_rate`` section.

    Writes out what DeePMD-kit did implicitly with an old input, so that the
    migrated input gives the same rate at every step:

    - in a v1-era input (``training.systems``), ``decay_rate`` is replaced by
      the ``stop_lr`` DeePMD-kit's input converter computes from it,
      ``start_lr * decay_rate ** (stop_batch / decay_steps)``;
    - a missing ``start_lr`` or final rate gets the value releases before
      3.1.3 used (``start_lr = 1e-3``, ``stop_lr = 1e-8`` and, for ``exp``,
      ``decay_steps = 5000``), and an ``exp`` ``decay_steps`` not shorter
      than training is replaced as those releases did.

    Only the ``learning_rate`` section changes (it is created when absent,
    as older releases used an all-default one). The input is not modified.

    Parameters
    ----------
    data
        A whole training input, or a bare ``learning_rate`` section.

    Returns
    -------
    tuple of (dict, list of MigrationNote)
        The migrated input (a new dict; keys keep their order, added keys
        come last) and a :class:`MigrationNote` per added, changed or removed
        key, with paths such as ``learning_rate/stop_lr``. No notes when the
        input is already up to date.

    Raises
    ------
    LearningRateConfigError
        For a DeePMD-kit 0.x input (settings at the top level, such as
        ``use_smooth`` and ``systems``), which is not read (code ``LR006``).

    Examples
    --------
    >>> old = {"learning_rate": {"start_lr": 1e-3, "decay_rate": 0.95,
    ...                          "decay_steps": 5000},
    ...        "training": {"systems": ["data"], "stop_batch": 400000}}
    >>> new, notes = migrate(old)
    >>> new["learning_rate"]
    {'start_lr': 0.001, 'decay_steps': 5000, 'stop_lr': 1.6515374385013575e-05}
    >>> [(note.path, note.action) for note in notes]
    [('learning_rate/stop_lr', 'added'), ('learning_rate/decay_rate', 'removed')]
    >>> print(notes[0])  # doctest: +NORMALIZE_WHITESPACE
    added learning_rate/stop_lr = 1.6515374385013575e-05: from decay_rate 0.95
    every 5000 steps over the 400000 steps of training/stop_batch (DeePMD-kit's
    input converter)
    """
    v0 = v0_input_error(data)
    if v0 is not None:
        raise v0
    if not is_whole_input(data):
        return migrate_section(data)
    section = data.get(SECTION)
    if not isinstance(section, Mapping | None):
        return dict(data), []
    # An input without the section ran with an all-default one.
    migrated, notes = migrate_section(section or {}, data.get("training"))
    return {**data, SECTION: migrated}, [
        MigrationNote(f"{SECTION}/{note.path}", note.rule, note.old, note.new)
        for note in notes
    ]


def legacy_fix_text(
    section: Mapping[str, Any], training: Mapping[str, Any] | None = None
) -> str:
    """The fix shown for a pre-3.1.3 section: the section as a migration
    writes it.

    ``training`` is the input's ``training`` section when known; a v1-era
    input then gets the final rate DeePMD-kit's converter computed for it.
    """
    migrated, _ = migrate_section(section, training)
    return section_fix_text(migrated)


def no_section_error() -> LearningRateConfigError:
    """The error for a whole input without a ``learning_rate`` section."""
    return LearningRateConfigError(
        SECTION,
        "the input has no learning_rate section; since DeePMD-kit 3.1.3 "
        "start_lr and a final rate have no default",
        legacy_fix_text({}),
        code=codes.NO_SECTION,
    )
