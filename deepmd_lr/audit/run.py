"""What a DeePMD-kit run really used: its logged rates against its schedule.

:func:`audit_run` reads the run's input as DeePMD-kit runs it, finds the
run's learning curve and checkpoints, and compares the rates they hold with
the schedule. Neither torch nor DeePMD-kit is imported here; torch is
imported only to read checkpoints, and checkpoints are skipped when it is
missing.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from deepmd_lr.audit.checkpoints import read_checkpoint_rates
from deepmd_lr.audit.comparison import RunAudit, audit_rates
from deepmd_lr.audit.learning_curve import read_learning_curve
from deepmd_lr.audit.run_files import RunFiles, find_run_files
from deepmd_lr.files.storage import InputFileError

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

__all__ = ["audit_files", "audit_run"]


def audit_run(
    run: str | Path, input_file: str | Path, *, num_steps: int | None = None
) -> RunAudit:
    """Audit the run in ``run`` (a directory or a learning curve) against its input.

    ``input_file`` is the training input (JSON or YAML) the run was started
    with, read as DeePMD-kit runs it (see
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
    from deepmd_lr.deepmd.reading import read_run_input
    from deepmd_lr.schedules.building import make_learning_rate_schedule
    from deepmd_lr.section.errors import LearningRateConfigError

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
    """Audit the learning curve and checkpoints ``files`` against ``schedule``."""
    logged = (
        read_learning_curve(files.learning_curve)
        if files.learning_curve is not None
        else []
    )
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
        learning_curve=None
        if files.learning_curve is None
        else str(files.learning_curve),
        checkpoint_files=names,
        checked_checkpoints=checked,
    )
