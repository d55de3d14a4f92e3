"""The trainers of DeePMD-kit, by what their learning curves and restarts hold.

DeePMD-kit 3.1.3 and 3.2.0 build the schedule in one registry for every
trainer, but the trainers log it and resume it differently:

- TensorFlow (``dp --tf train``) writes a row for step 0 first, and row
  ``N`` holds ``value(N)``, the rate the next update uses; the last row holds
  ``value(numb_steps)``. A restart appends a header and repeats the row of
  the restored step; its rates follow the schedule.
- PyTorch (``dp --pt train``) writes rows from 1, and row ``N`` holds
  ``value(N - 1)``. Its 3.1.3 restart from step ``s`` runs step ``t`` with
  ``value(0) * value(t + s) / value(s)``; 3.2.0 fixed it.
- Paddle (``dp --pd train``) writes rows as PyTorch does. Its restart from
  step ``s`` (3.1.3 and 3.2.0 alike) runs step ``t`` with ``value(t + s)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepmd_lr.deepmd.trainers import TRAINER_NAMES


@dataclass(frozen=True)
class Trainer:
    """A trainer of DeePMD-kit, as its learning curve and restart show it."""

    option: str
    """Its name for ``dp --OPTION train`` and ``deepmd-lr audit --backend``."""
    row_lag: int
    """Row ``N`` of its learning curve holds the rate of step ``N - row_lag``."""
    restart: str | None
    """The rate its restart from step ``s`` gives step ``t``, as a formula
    with ``{s}`` for ``s``; ``None`` when it keeps the schedule."""

    @property
    def name(self) -> str:
        """Its name, as in "DeePMD-kit's TensorFlow trainer"."""
        return TRAINER_NAMES[self.option]


TENSORFLOW = Trainer("tf", 0, None)
PYTORCH = Trainer("pt", 1, "value(0) * value(t + {s}) / value({s})")
PADDLE = Trainer("pd", 1, "value(t + {s})")

TRAINERS = {trainer.option: trainer for trainer in (TENSORFLOW, PYTORCH, PADDLE)}
"""Each trainer by its option."""
