"""Write two example runs as DeePMD-kit 3.1.3's PyTorch trainer leaves them.

``wsd/`` trained its 2000 steps in one go; ``wsd_restarted/`` was restarted
from ``model.ckpt-1000.pt`` (step 999) under 3.1.3, whose rates after the
restart are ``value(0) * value(t + 999) / value(999)``. Only the ``lr``
column matters to ``deepmd-lr audit``; the loss columns are placeholders.

Run from this directory: ``python write_runs.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from deepmd_lr.schedules.building import make_learning_rate_schedule

HERE = Path(__file__).resolve().parent
INPUT = json.loads((HERE / "wsd" / "input.json").read_text())
NUM_STEPS = INPUT["training"]["numb_steps"]
DISP_FREQ = INPUT["training"]["disp_freq"]
SCHEDULE = make_learning_rate_schedule(INPUT["learning_rate"], NUM_STEPS)


def value(step: int) -> float:
    return float(SCHEDULE.value(step))


def session(rate: Callable[[int], float], first_step: int) -> str:
    text = "# {:5s}".format("step")
    text += "   {:>11s} {:>11s}".format("rmse_val", "rmse_trn")
    text += "   {:8s}\n".format("lr")
    text += (
        "# If there is no available reference data, rmse_*_{val,trn} will print nan\n"
    )
    for step in range(first_step, NUM_STEPS):
        shown = step + 1
        if shown % DISP_FREQ == 0 or shown == 1:
            text += f"{shown:7d}   {0.1:11.2e} {0.1:11.2e}   {rate(step):8.1e}\n"
    return text


def restarted(step: int) -> float:
    return value(0) * (value(step + 999) / value(999))


(HERE / "wsd" / "lcurve.out").write_text(session(value, 0))
(HERE / "wsd_restarted" / "lcurve.out").write_text(
    session(value, 0)[: session(value, 0).index("   1100 ")] + session(restarted, 999)
)
