"""Auditing the files of a DeePMD-kit run: its logged rates against its schedule.

:func:`audit_files` reads the run's learning curve and checkpoints and
compares the rates they hold with the schedule. Neither torch nor DeePMD-kit
is imported here; torch is imported only to read checkpoints, and
checkpoints are skipped when it is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from deepmd_lr.audit.checkpoints import read_checkpoint_rates
from deepmd_lr.audit.comparison import RunAudit, audit_rates
from deepmd_lr.audit.learning_curve import read_learning_curve
from deepmd_lr.audit.run_files import RunFiles
from deepmd_lr.files.storage import InputFileError

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR


def audit_files(schedule: BaseLR, files: RunFiles) -> RunAudit:
    """Audit the learning curve and checkpoints ``files`` against ``schedule``.

    Raises
    ------
    InputFileError
        For a file that cannot be read or is not what it should be, or
        checkpoints alone where torch is not installed.
    """
    curve = files.learning_curve
    logged = read_learning_curve(curve) if curve is not None else []
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
        learning_curve=None if curve is None else str(curve),
        checkpoint_files=names,
        checked_checkpoints=checked,
    )
