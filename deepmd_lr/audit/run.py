"""A DeePMD-kit run: where it keeps the rates it used, and auditing them.

:func:`find_run_files` finds the run's learning curve and checkpoints, and
:func:`audit_files` compares the rates they hold with the schedule. Neither
torch nor DeePMD-kit is imported here; torch is imported only to read
checkpoints, and checkpoints are skipped when it is missing.
"""

from __future__ import annotations

import glob
import os
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deepmd_lr.audit.checkpoints import read_checkpoint_rates
from deepmd_lr.audit.comparison import RunAudit, audit_rates
from deepmd_lr.audit.learning_curve import LearningCurve, read_learning_curve
from deepmd_lr.audit.trainers import PADDLE, PYTORCH, TENSORFLOW, TRAINERS, Trainer
from deepmd_lr.deepmd.reading import read_run_input
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.text import short_text

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

DEFAULT_LEARNING_CURVE = "lcurve.out"
"""``training.disp_file`` when the input does not set it."""

DEFAULT_CHECKPOINT_PREFIX = "model.ckpt"
"""``training.save_ckpt`` when the input does not set it."""

_CHECKPOINT_SUFFIX = re.compile(r"(?:-(0|[1-9][0-9]{0,15}))?\.(pt|pd|index)")
"""What follows the prefix in the name of a trainer's checkpoint file."""

_CHECKPOINT_TRAINERS = {"index": TENSORFLOW, "pd": PADDLE, "pt": PYTORCH}


@dataclass(frozen=True)
class RunFiles:
    """The files of a run that hold the rates it used."""

    learning_curve: Path | None
    checkpoints: tuple[Path, ...]
    """The PyTorch trainer's checkpoints, in the order of their steps."""
    trainer_marks: tuple[tuple[Trainer, Path], ...]
    """A checkpoint of each trainer that left one beside the learning curve."""


def find_run_files(
    run: str | Path, training: Mapping[str, Any] | None = None
) -> RunFiles:
    """The learning curve and checkpoints of ``run``, a directory or a file.

    A file is taken as the learning curve alone. In a directory, the names
    come from ``training.disp_file`` and ``training.save_ckpt`` of the
    input, or DeePMD-kit's defaults ``lcurve.out`` and ``model.ckpt``.

    Raises
    ------
    InputFileError
        When ``run`` does not exist, or holds neither file.
    """
    try:
        return _find_run_files(Path(run), training)
    except OSError as error:  # a name too long, a loop of links, ...
        reason = error.strerror
        if isinstance(error, FileNotFoundError):
            reason = "no such file or directory"
        raise InputFileError(f"{short_text(os.fspath(run))}: {reason}") from None


def _find_run_files(run: Path, training: Mapping[str, Any] | None) -> RunFiles:
    os.stat(run)  # a missing run, or one behind a loop of links, is named
    training = training if isinstance(training, Mapping) else {}
    checkpoint_name = _file_name(training, "save_ckpt", DEFAULT_CHECKPOINT_PREFIX)
    if not run.is_dir():
        _, marks = _checkpoints(run.parent / checkpoint_name)
        return RunFiles(run, (), marks)
    curve_name = _file_name(training, "disp_file", DEFAULT_LEARNING_CURVE)
    prefix = run / checkpoint_name
    curve = run / curve_name
    checkpoints, marks = _checkpoints(prefix)
    if not os.path.lexists(curve) and not checkpoints:
        raise InputFileError(
            f"{run}: neither {curve_name} nor {prefix.name}-*.pt checkpoints "
            "are there; give the run's directory or its learning curve"
        )
    return RunFiles(curve if os.path.lexists(curve) else None, checkpoints, marks)


def _checkpoints(
    prefix: Path,
) -> tuple[tuple[Path, ...], tuple[tuple[Trainer, Path], ...]]:
    """The PyTorch checkpoints ``prefix-N.pt`` by step, and a checkpoint of
    each trainer that left one there."""
    numbered = []
    marks: dict[Trainer, Path] = {}
    if prefix.parent.is_dir():
        for path in sorted(prefix.parent.glob(f"{glob.escape(prefix.name)}*")):
            match = _CHECKPOINT_SUFFIX.fullmatch(path.name[len(prefix.name) :])
            if not match or (match[1] is None and match[2] != "index"):
                continue
            marks.setdefault(_CHECKPOINT_TRAINERS[match[2]], path)
            if match[2] == "pt":
                numbered.append((int(match[1]), path))
    checkpoints = tuple(path for _, path in sorted(numbered))
    return checkpoints, tuple(marks.items())


def _file_name(training: Mapping[str, Any], key: str, default: str) -> str:
    name = training.get(key, default)
    if not isinstance(name, str) or not name:
        raise InputFileError(
            f"training/{key} must be a file name, got {name!r}; "
            f"fix: remove it to use {default}"
        )
    return name


def audit_run(
    run: str | Path,
    input_file: str | Path,
    *,
    num_steps: int | None = None,
    backend: str | None = None,
) -> RunAudit:
    """Audit the run in ``run`` (a directory or a learning curve) against its input.

    ``input_file`` is the training input (JSON or YAML) the run was started
    with, read as ``deepmd-lr audit`` and DeePMD-kit read it (see
    :func:`~deepmd_lr.deepmd.reading.read_run_input`): the section it runs
    and ``training.numb_steps`` (or ``num_steps`` when given) define the
    schedule, and what DeePMD-kit rewrites as it reads the input is issued
    as a :class:`~deepmd_lr.LearningRateWarning`. Checkpoints are compared
    only when torch is installed. ``backend`` (``"tf"``, ``"pt"`` or
    ``"pd"``) names the trainer that wrote the run; without it, it is told
    where that is certain.

    Raises
    ------
    InputFileError
        For a file that cannot be read or is not what it should be.
    LearningRateConfigError
        For an input whose schedule is invalid or whose number of steps is
        unknown.
    """
    run_input = read_run_input(input_file)
    if num_steps is None:
        num_steps = run_input.num_steps
    if num_steps is None:
        raise LearningRateConfigError(
            "training/numb_steps",
            "is missing, so the length of the schedule is unknown",
            "Fix: give the number of training steps (--num-steps N)",
        )
    schedule = make_learning_rate_schedule(run_input.section, num_steps)
    for note in run_input.notes:
        warnings.warn(note, stacklevel=2)
    return audit_files(schedule, find_run_files(run, run_input.training), backend)


def audit_files(
    schedule: BaseLR, files: RunFiles, backend: str | None = None
) -> RunAudit:
    """Audit the learning curve and checkpoints ``files`` against ``schedule``.

    ``backend`` is as for :func:`audit_run`.

    Raises
    ------
    InputFileError
        For a file that cannot be read or is not what it should be, or
        checkpoints alone where torch is not installed.
    """
    logged, trainer, reason = read_run_learning_curve(files, backend)
    names = tuple(str(path) for path in files.checkpoints)
    try:
        kept = read_checkpoint_rates(files.checkpoints) if names else []
        checked = True
    except ImportError:
        kept, checked = [], False
    if not logged and not checked:
        raise InputFileError(
            f"{names[0]}: checkpoints need torch to be read, which is not "
            "installed, and there is no learning curve"
        )
    return audit_rates(
        schedule,
        logged,
        kept,
        checkpoint_files=names,
        checked_checkpoints=checked,
        trainer=trainer,
        trainer_reason=reason,
    )


def read_run_learning_curve(
    files: RunFiles, backend: str | None = None
) -> tuple[LearningCurve | None, Trainer, str]:
    """The learning curve of ``files``, each row at the step whose rate it
    holds; the trainer it is read as, and why that one.

    ``backend`` is as for :func:`audit_run`.

    Raises
    ------
    InputFileError
        For a learning curve that cannot be read or is not one.
    """
    trainer, reason = _given_trainer(files, backend)
    path = files.learning_curve
    row_lag = None if trainer is None else trainer.row_lag
    curve = read_learning_curve(path, row_lag) if path is not None else None
    if trainer is None and curve is not None and curve.row_lag == 0:
        trainer, reason = TENSORFLOW, "its first row is at step 0"
    if trainer is None:
        trainer = PYTORCH
        reason = "nothing tells its trainer apart; --backend names it"
    return curve, trainer, reason


def _given_trainer(files: RunFiles, backend: str | None) -> tuple[Trainer | None, str]:
    """The trainer ``backend`` names, or that alone left checkpoints beside
    the curve, and why; ``None`` when neither tells."""
    if backend is not None:
        return TRAINERS[backend], f"--backend {backend}"
    if len(files.trainer_marks) == 1:
        ((trainer, path),) = files.trainer_marks
        return trainer, f"{path.name} is beside it"
    return None, ""
