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
from deepmd_lr.audit.learning_curve import read_learning_curve
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

_CHECKPOINT_NUMBER = re.compile(r"-([0-9]{1,16})\.pt\Z")


@dataclass(frozen=True)
class RunFiles:
    """The files of a run that hold the rates it used."""

    learning_curve: Path | None
    checkpoints: tuple[Path, ...]


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
    if not run.is_dir():
        return RunFiles(run, ())
    training = training if isinstance(training, Mapping) else {}
    curve_name = _file_name(training, "disp_file", DEFAULT_LEARNING_CURVE)
    prefix = run / _file_name(training, "save_ckpt", DEFAULT_CHECKPOINT_PREFIX)
    curve = run / curve_name
    numbered = []
    if prefix.parent.is_dir():
        for path in prefix.parent.glob(f"{glob.escape(prefix.name)}-*.pt"):
            match = _CHECKPOINT_NUMBER.search(path.name)
            if match and path.name == f"{prefix.name}-{match[1]}.pt":
                numbered.append((int(match[1]), path))
    checkpoints = tuple(path for _, path in sorted(numbered))
    if not os.path.lexists(curve) and not checkpoints:
        raise InputFileError(
            f"{run}: neither {curve_name} nor {prefix.name}-*.pt checkpoints "
            "are there; give the run's directory or its learning curve"
        )
    return RunFiles(curve if os.path.lexists(curve) else None, checkpoints)


def _file_name(training: Mapping[str, Any], key: str, default: str) -> str:
    name = training.get(key, default)
    if not isinstance(name, str) or not name:
        raise InputFileError(
            f"training/{key} must be a file name, got {name!r}; "
            f"fix: remove it to use {default}"
        )
    return name


def audit_run(
    run: str | Path, input_file: str | Path, *, num_steps: int | None = None
) -> RunAudit:
    """Audit the run in ``run`` (a directory or a learning curve) against its input.

    ``input_file`` is the training input (JSON or YAML) the run was started
    with, read as ``deepmd-lr audit`` and DeePMD-kit read it (see
    :func:`~deepmd_lr.deepmd.reading.read_run_input`): the section it runs
    and ``training.numb_steps`` (or ``num_steps`` when given) define the
    schedule, and what DeePMD-kit rewrites as it reads the input is issued
    as a :class:`~deepmd_lr.LearningRateWarning`. Checkpoints are compared
    only when torch is installed.

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
    return audit_files(schedule, find_run_files(run, run_input.training))


def audit_files(schedule: BaseLR, files: RunFiles) -> RunAudit:
    """Audit the learning curve and checkpoints ``files`` against ``schedule``.

    Raises
    ------
    InputFileError
        For a file that cannot be read or is not what it should be, or
        checkpoints alone where torch is not installed.
    """
    curve = files.learning_curve
    logged = read_learning_curve(curve) if curve is not None else None
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
        schedule, logged, kept, checkpoint_files=names, checked_checkpoints=checked
    )
