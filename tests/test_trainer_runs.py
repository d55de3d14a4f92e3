"""Real runs of DeePMD-kit's TensorFlow and Paddle trainers, audited by deepmd-lr.

Each test trains a tiny model on DeePMD-kit's water example for 20 steps
with ``type: wsd``, restarts it from its checkpoint at step 10, and audits
both sessions. They need ``dp`` (DeePMD-kit 3.1.x) with the trainer's
backend in this environment, and DEEPMD_KIT_SOURCE for the data; they skip
otherwise, and CI does not run them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_deepmd_bridge import (
    TRAINING_INPUT,
    WATER_SOURCE,
    copy_water_data,
    dp_command,
    needs_3_1,
    needs_entry_point,
)

from deepmd_lr.audit.run import audit_run
from deepmd_lr.audit.trainers import PADDLE, TENSORFLOW

NUM_STEPS = 20
RESTART_CHECKPOINTS = {"tf": "model.ckpt-10", "pd": "model.ckpt-10.pd"}
BACKEND_MODULES = {"tf": "tensorflow", "pd": "paddle"}


def dp(backend: str, run: Path, *arguments: str) -> None:
    child = subprocess.run(
        [*dp_command(), f"--{backend}", "train", "input.json", *arguments],
        capture_output=True,
        text=True,
        cwd=run,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"},
        timeout=900,
    )
    assert child.returncode == 0, child.stderr[-3000:]


def audit(run: Path) -> subprocess.CompletedProcess[str]:
    command = ["audit", str(run), "--input", str(run / "input.json")]
    return subprocess.run(
        [sys.executable, "-m", "deepmd_lr", *command],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
@needs_3_1
@needs_entry_point
@pytest.mark.skipif(
    WATER_SOURCE is None,
    reason="set DEEPMD_KIT_SOURCE to a DeePMD-kit git repository or source tree "
    "(for its water example data)",
)
@pytest.mark.parametrize("backend", ["tf", "pd"])
def test_a_run_and_its_restart_audit_as_the_trainer_ran_them(
    tmp_path: Path, backend: str
) -> None:
    module = BACKEND_MODULES[backend]
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"dp --{backend} train needs {module}, which is not installed")
    assert WATER_SOURCE is not None
    copy_water_data(Path(WATER_SOURCE), tmp_path)
    training = {**TRAINING_INPUT["training"], "numb_steps": NUM_STEPS, "save_freq": 10}
    run_input = {**TRAINING_INPUT, "training": training}
    run = tmp_path
    (run / "input.json").write_text(json.dumps(run_input))

    dp(backend, run, "--skip-neighbor-stat")
    first = audit(run)
    assert (first.returncode, first.stderr) == (0, ""), first.stdout
    assert "followed its schedule" in first.stdout
    trainer = audit_run(run, run / "input.json").trainer
    assert trainer is {"tf": TENSORFLOW, "pd": PADDLE}[backend]

    # Cut back to step 10, as if it had stopped there, and restart.
    curve = run / "lcurve.out"
    kept = [
        line
        for line in curve.read_text().splitlines(keepends=True)
        if line.startswith("#") or int(line.split()[0]) <= 10
    ]
    curve.write_text("".join(kept))
    dp(backend, run, "--skip-neighbor-stat", "--restart", RESTART_CHECKPOINTS[backend])
    report = audit_run(run, run / "input.json")
    if backend == "tf":
        # TensorFlow's restart keeps the schedule.
        assert report.followed
    else:
        # Paddle's resumes at step 9 and runs each step t with value(t + 9).
        assert [r.start_step for r in report.restarts] == [9]
        assert len(report.unexplained) == 0
