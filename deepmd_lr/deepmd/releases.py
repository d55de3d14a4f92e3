"""What each DeePMD-kit release does with a ``learning_rate`` section.

DeePMD-kit's releases read the section differently: which keys and schedule
types they accept, which values they fill in when a key is missing, and one
of them cannot start a warmup from 0; and so do the trainers of a release.
:func:`release_warnings` lists, for a section, a release and, when known, a
trainer, each of these that applies, as a
:class:`~deepmd_lr.section.errors.LearningRateWarning` with its ``LW2xx`` code.

What is known of each release comes from its source at its git tag (the
ranges and the evidence are listed in the documentation's DeePMD-kit page).
A development build or pre-release of ``X.Y.Z`` counts as a release before
``X.Y.Z`` (the order of PEP 440), except where a tag shows that a change was
already in a pre-release: ``decay_rate`` in 3.0.0b0, ``wsd`` and the
warmup fix in 3.2.0b0 (of the PyTorch trainer; the PyTorch-exportable
one was fixed in 3.2.0).

This module is on the start-up path of ``deepmd-lr check``: it imports
neither DeePMD-kit nor :mod:`importlib.metadata`, and finds the installed
release with :func:`~deepmd_lr.deepmd.installed.installed_deepmd_version`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from deepmd_lr.deepmd.installed import DeepmdVersion
from deepmd_lr.deepmd.trainers import BACKENDS, FIRST_RELEASES, TRAINER_NAMES
from deepmd_lr.schedules.exp import replaced_decay_steps
from deepmd_lr.section import codes
from deepmd_lr.section.errors import LearningRateWarning
from deepmd_lr.section.keys import SECTION, key_path
from deepmd_lr.section.legacy import (
    FILLED_STOP_LR,
    LEGACY_DEFAULTS,
    type_legacy_defaults,
)
from deepmd_lr.section.text import describe, plain, portable_float_text

_V2_0_0 = DeepmdVersion.parse("2.0.0")
_V2_0_2 = DeepmdVersion.parse("2.0.2")
_V3_0_0B0 = DeepmdVersion.parse("3.0.0b0")
RELEASE_3_1_3 = DeepmdVersion.parse("3.1.3")
"""The release the contract of deepmd-lr describes."""
_V3_2_0B0 = DeepmdVersion.parse("3.2.0b0")
_V3_2_0 = DeepmdVersion.parse("3.2.0")

_BEFORE_3_1_3 = "DeePMD-kit 2.0.0 to 3.1.2"
_FROM_3_1_3 = "DeePMD-kit 3.1.3 and later"
_DECAY_RATE_ONLY_PYTORCH = "DeePMD-kit 3.0.0 to 3.1.2"

_FIRST_RELEASE_OF_KEY = {
    "scale_by_worker": (_V2_0_2, "DeePMD-kit 2.0.0 and 2.0.1", "2.0.2"),
    "decay_rate": (_V3_0_0B0, "DeePMD-kit 2.0.0 to 2.2.11", "3.0.0"),
    "stop_lr_ratio": (RELEASE_3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_steps": (RELEASE_3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_ratio": (RELEASE_3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "warmup_start_factor": (RELEASE_3_1_3, _BEFORE_3_1_3, "3.1.3"),
    "smooth": (RELEASE_3_1_3, _BEFORE_3_1_3, "3.1.3"),
}
"""Keys a release's ``dp train`` refuses (it checks keys strictly), with the
first release that has each, the releases that lack it and the release to
name in the fix."""

_INSTEAD_OF_KEY = {
    "warmup_steps": (
        "remove it; DeePMD-kit 3.0.0 to 3.1.2 take a warmup from a rate of 0 "
        "as training/warmup_steps, in their PyTorch and Paddle trainers only"
    ),
    "smooth": "remove it (these releases decay in steps, as smooth: false does)",
    "decay_rate": "remove it (these releases compute the rate from stop_lr)",
}
"""The fix for a key of :data:`_FIRST_RELEASE_OF_KEY` other than
``stop_lr_ratio``, whose fix is computed; ``remove it`` where none is here."""


@dataclass(frozen=True)
class _Judged:
    """A section and a release, with what of the section can be judged."""

    section: dict[str, Any]
    version: DeepmdVersion
    num_steps: int | None
    """``None`` where the length of training is unknown or not a count."""
    backend: str | None
    """The trainer, ``None`` where it is not known."""
    workers: int | None
    """The number of workers, or ``None`` where it is not known."""
    from_training: frozenset[str] = frozenset()
    """The keys of the section written under ``training`` in the input."""

    @property
    def type(self) -> str | None:
        kind = plain(self.section.get("type", "exp"))
        return kind if isinstance(kind, str) else None

    def number(self, key: str, default: Any = None) -> float | None:
        """The finite number at ``key``; ``None`` where there is none."""
        return _number(self.section.get(key, default))

    def given(self, key: str) -> bool:
        # 3.1.3's checker takes a null stop_lr as a missing one; older releases
        # refuse null where they have a default, so for them only presence counts.
        if self.version < RELEASE_3_1_3:
            return key in self.section
        return self.section.get(key) is not None


def _count(value: Any) -> int | None:
    value = plain(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _number(value: Any) -> float | None:
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value) if math.isfinite(value) else None
    except OverflowError:  # an integer beyond the range of a float
        return None


def release_warnings(
    section: Any,
    num_steps: Any,
    version: DeepmdVersion | str,
    backend: str | None = None,
    workers: int | None = None,
    from_training: Collection[str] = (),
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
    backend
        The trainer, one of :data:`~deepmd_lr.deepmd.trainers.BACKENDS`, or
        ``None`` when it is not known: then only what holds for every trainer
        is warned about, and a warmup from 0, which stops the PyTorch trainer.
    workers
        The number of data-parallel workers, or ``None`` when not known.
    from_training
        The keys of ``section`` that the input writes under ``training``,
        where DeePMD-kit 3.0.0 to 3.1.2 read a warmup.

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
    if backend not in (None, *BACKENDS):
        raise ValueError(f"{describe(backend)} is not one of {', '.join(BACKENDS)}")
    if not isinstance(section, dict):
        return []
    unchecked = _unchecked(version, backend)
    if unchecked:
        return [LearningRateWarning(unchecked[1], path=SECTION, code=unchecked[0])]
    judged = _Judged(
        section, version, _count(num_steps), backend, workers, frozenset(from_training)
    )
    return [warning for rule in _RULES for warning in rule(judged)]


def _unchecked(version: DeepmdVersion, backend: str | None) -> tuple[str, str] | None:
    """The code and text of why the section is not checked, if it is not."""
    if version < _V2_0_0:
        return codes.RELEASE_TOO_OLD, (
            f"DeePMD-kit {version} is older than 2.0.0, whose learning_rate "
            "sections deepmd-lr does not describe, so the section is not "
            "checked against it. Fix: convert the input to DeePMD-kit 2.0 "
            "or later (deepmd-lr migrate) and check it against that release"
        )
    first = DeepmdVersion.parse(FIRST_RELEASES.get(str(backend), "2.0.0"))
    if version < first:
        return codes.RELEASE_LACKS_TRAINER, (
            f"DeePMD-kit {version} has no {TRAINER_NAMES[str(backend)]} trainer (it "
            f"came with {first.version.base_version}), so the section is not checked "
            "for it. Fix: name the backend the run uses, or a release that has it"
        )
    return None


def _warning(key: str, code: str, text: str) -> LearningRateWarning:
    """The warning ``code`` about ``key`` of the section, saying ``text``."""
    path = key_path(key)
    return LearningRateWarning(f"{path}: {text}", path=path, code=code)


def _warmup_from_zero(judged: _Judged) -> Iterator[LearningRateWarning]:
    # The PyTorch trainers divide by the first rate; TensorFlow and Paddle do not.
    fixed_in, backend = _V3_2_0B0, "pt"
    if judged.backend == "pt_expt":
        fixed_in, backend = _V3_2_0, "pt_expt"
    if (
        judged.backend in (None, "pt", "pt_expt")
        and RELEASE_3_1_3 <= judged.version < fixed_in
        and judged.number("warmup_start_factor", 0.0) == 0.0
        and _has_warmup(judged)
    ):
        yield _warning(
            "warmup_start_factor",
            codes.WARMUP_FROM_ZERO_DIVIDES,
            f"DeePMD-kit 3.1.3's {TRAINER_NAMES[backend]} trainer divides every rate "
            "by the rate of its first step, which a warmup from warmup_start_factor 0 "
            f"(the default) makes 0, so dp --{backend.replace('_', '-')} train stops "
            "with ZeroDivisionError before its first step (fixed in 3.2.0). Fix: start "
            "the warmup from a small positive fraction of start_lr, such as "
            "warmup_start_factor: 0.01",
        )


def _has_warmup(judged: _Judged) -> bool:
    if _count(judged.section.get("warmup_steps", 0)):
        return True
    ratio = judged.number("warmup_ratio")
    if ratio is None or not 0.0 < ratio < 1.0:
        return False
    # Without numb_steps a positive ratio is taken to ask for a warmup.
    return judged.num_steps is None or int(ratio * judged.num_steps) > 0


def _schedule_type(judged: _Judged) -> Iterator[LearningRateWarning]:
    if judged.type in ("cosine", "wsd") and judged.version < RELEASE_3_1_3:
        first_with = "3.2.0 or later (or 3.1.3 with deepmd-lr's bridge)"
        if judged.type == "cosine":
            first_with = "3.1.3 or later"
        yield _warning(
            "type",
            codes.TYPE_NEEDS_NEWER_RELEASE,
            f"{_BEFORE_3_1_3} know only the exp schedule and refuse "
            f"type {describe(judged.type)}; deepmd-lr's bridge cannot add it "
            "to them, as it needs the schedule registry that 3.1.3 "
            f"introduced. Fix: use DeePMD-kit {first_with}, or type exp",
        )
    elif judged.type == "wsd" and judged.version < _V3_2_0B0:
        yield _warning(
            "type",
            codes.TYPE_NEEDS_NEWER_RELEASE,
            'DeePMD-kit 3.1.3 has no "wsd" schedule (it came with 3.2.0), so dp train '
            "refuses it unless deepmd-lr's bridge adds it: deepmd-lr installed in the "
            "environment of dp registers the deepmd_lr_dp module that does. Fix: "
            "install deepmd-lr where dp runs, or use DeePMD-kit 3.2.0 or later",
        )


def _final_rate_default(judged: _Judged) -> Iterator[LearningRateWarning]:
    if judged.given("stop_lr") or judged.given("stop_lr_ratio"):
        return
    legacy = portable_float_text(LEGACY_DEFAULTS["stop_lr"])
    runs = [(_BEFORE_3_1_3, legacy), (_FROM_3_1_3, portable_float_text(FILLED_STOP_LR))]
    if judged.version >= RELEASE_3_1_3:
        runs.reverse()
    # The releases of this version first, then the others.
    (releases, filled), (others, others_filled) = runs
    # With decay_rate the decay is set by it, and stop_lr is only a floor.
    what = "train to a final rate of"
    if judged.section.get("decay_rate") is not None:
        what = "floor the rate at"
    yield _warning(
        "stop_lr",
        codes.FINAL_RATE_DEFAULT_DIFFERS,
        f"neither stop_lr nor stop_lr_ratio is given, so {releases} {what} {filled} "
        f"({others} use {others_filled}). Fix: write the final rate meant: "
        f"stop_lr: {filled} keeps what {releases} run; `deepmd-lr migrate` writes "
        f"{legacy}, what the releases before 3.1.3 ran",
    )


def _unknown_keys(judged: _Judged) -> Iterator[LearningRateWarning]:
    for key in judged.section:
        # Under training, a warmup key is where releases before 3.1.3 read it.
        if key not in _FIRST_RELEASE_OF_KEY or key in judged.from_training:
            continue
        first, releases, fixed_in = _FIRST_RELEASE_OF_KEY[key]
        if judged.version >= first:
            continue
        instead = _INSTEAD_OF_KEY.get(key, "remove it")
        if key == "stop_lr_ratio":
            instead = _instead_of_ratio(judged)
        yield _warning(
            key,
            codes.KEY_UNKNOWN_TO_RELEASE,
            f"{releases} do not know this key, and dp train refuses an input that has "
            f"it. Fix: {instead}, or use DeePMD-kit {fixed_in} or later",
        )


def _instead_of_ratio(judged: _Judged) -> str:
    ratio, start_lr = judged.number("stop_lr_ratio"), judged.number("start_lr")
    if ratio is not None and start_lr is not None:
        return f"write stop_lr: {portable_float_text(start_lr * ratio)} instead"
    return "write stop_lr (start_lr times the ratio) instead"


def _start_lr_default(judged: _Judged) -> Iterator[LearningRateWarning]:
    if judged.version < RELEASE_3_1_3 and not judged.given("start_lr"):
        legacy = portable_float_text(LEGACY_DEFAULTS["start_lr"])
        yield _warning(
            "start_lr",
            codes.START_LR_DEFAULT_OF_RELEASE,
            f"start_lr is not given, so {_BEFORE_3_1_3} start from {legacy} "
            f"({_FROM_3_1_3} refuse the input). Fix: write start_lr: {legacy}",
        )


def _decay_rate_only_in_pytorch(judged: _Judged) -> Iterator[LearningRateWarning]:
    """What releases that use ``decay_rate`` in their PyTorch trainer only
    do with an ``exp`` section that gives it."""
    if not (
        _V3_0_0B0 <= judged.version < RELEASE_3_1_3
        and judged.type == "exp"
        and judged.number("decay_rate") is not None
    ):
        return
    if judged.backend in (None, "tf"):
        yield _warning(
            "decay_rate",
            codes.TENSORFLOW_IGNORES_DECAY_RATE,
            f"the TensorFlow trainer of {_DECAY_RATE_ONLY_PYTORCH} ignores decay_rate "
            "and decays from start_lr to stop_lr; only the PyTorch and Paddle trainers "
            "use it. Fix: train with dp --pt, or use DeePMD-kit 3.1.3 or later",
        )
    num_steps = judged.num_steps
    legacy = type_legacy_defaults("exp")["decay_steps"]
    decay_steps = _count(judged.section.get("decay_steps", legacy))
    if (
        not num_steps
        or decay_steps is None
        or decay_steps < num_steps
        or judged.backend == "tf"
    ):
        return
    replacement = replaced_decay_steps(num_steps)
    trainer = TRAINER_NAMES["pd" if judged.backend == "pd" else "pt"]
    yield _warning(
        "decay_steps",
        codes.DECAY_STEPS_REPLACED_DESPITE_RATE,
        f"{decay_steps} is not shorter than the {num_steps} training steps, so the "
        f"{trainer} trainer of {_DECAY_RATE_ONLY_PYTORCH} replaces it with {replacement} "
        "although decay_rate is given, and the rate decays by decay_rate every "
        f"{replacement} steps ({_FROM_3_1_3} keep decay_steps). Fix: set decay_steps "
        "below numb_steps, to the period meant",
    )


def _scale_ignored(judged: _Judged) -> Iterator[LearningRateWarning]:
    method = plain(judged.section.get("scale_by_worker", "none"))
    if judged.backend in ("pt", "pd", "pt_expt") and method != "none":
        yield _warning(
            "scale_by_worker",
            codes.TRAINER_IGNORES_SCALE_BY_WORKER,
            f"the {TRAINER_NAMES[str(judged.backend)]} trainer ignores scale_by_worker "
            "(only the TensorFlow trainer reads it), so every worker trains with the "
            "rates as written, whatever their number. Fix: write the rates meant for "
            "the number of workers (start_lr and stop_lr times N, for linear) and "
            'remove scale_by_worker, or write scale_by_worker: "none"',
        )


def _tensorflow_scales_by_workers(judged: _Judged) -> Iterator[LearningRateWarning]:
    written = "scale_by_worker" in judged.section
    method = plain(judged.section.get("scale_by_worker", "linear"))
    workers = judged.workers
    if (
        judged.backend != "tf"
        or judged.version < _V2_0_2
        or method not in ("linear", "sqrt")
    ):
        return
    if workers is None and written:
        scaled = "by the number of Horovod workers (linear) or its square root (sqrt)"
    elif workers is not None and workers > 1:
        factor = float(workers) if method == "linear" else math.sqrt(workers)
        scaled = f"by {factor:.6g} ({method}, {workers} Horovod workers)"
    else:
        return
    yield _warning(
        "scale_by_worker",
        codes.TENSORFLOW_SCALES_BY_WORKERS,
        f"the TensorFlow trainer multiplies every rate {scaled}, the final rate and "
        "the warmup included, while lcurve.out, its log and the loss prefactors show "
        "the rates as written. Fix: see the rates trained with in deepmd-lr show "
        '--backend tf --workers N, or write scale_by_worker: "none" to train with '
        "the rates as written",
    )


def _type_ignored(judged: _Judged) -> Iterator[LearningRateWarning]:
    if (
        judged.backend == "pt_expt"
        and RELEASE_3_1_3 <= judged.version < _V3_2_0
        and judged.type not in (None, "exp")
    ):
        yield _warning(
            "type",
            codes.TRAINER_IGNORES_TYPE,
            "DeePMD-kit 3.1.3's PyTorch-exportable trainer builds an exp schedule "
            f"whatever the type, so dp --pt-expt train runs exp's rates, not those of "
            f"{describe(judged.type)} (fixed in 3.2.0). Fix: train with dp --pt, "
            "or use DeePMD-kit 3.2.0 or later",
        )


def _training_warmup_on_tensorflow(judged: _Judged) -> Iterator[LearningRateWarning]:
    # 3.0.0b0 to 3.1.2 declare training/warmup_steps, which only the PyTorch
    # and Paddle trainers read (v3.1.2 deepmd/utils/argcheck.py:3336-3339).
    if judged.backend != "tf" or not _V3_0_0B0 <= judged.version < RELEASE_3_1_3:
        return
    for name in sorted(judged.from_training):
        yield _warning(
            name,
            codes.TENSORFLOW_IGNORES_TRAINING_WARMUP,
            f"the TensorFlow trainer of DeePMD-kit 3.0.0 to 3.1.2 reads no {name} "
            "under training (only their PyTorch and Paddle trainers do), so dp "
            "--tf train trains without a warmup, from start_lr at its first step. "
            "Fix: train with dp --pt or dp --pd, or with DeePMD-kit 3.1.3 or "
            "later, for the warmup; or remove the key",
        )


_RULES = (
    _warmup_from_zero,
    _schedule_type,
    _final_rate_default,
    _unknown_keys,
    _start_lr_default,
    _decay_rate_only_in_pytorch,
    _scale_ignored,
    _tensorflow_scales_by_workers,
    _type_ignored,
    _training_warmup_on_tensorflow,
)
