"""Time and memory of ``deepmd-lr audit`` on large and awkward learning curves.

Run ``python benchmarks/bench_audit.py`` from the repository root (add
``--repeats N`` for other than 5 runs of each, ``--timeout S`` to give up on
a run after S seconds). It writes four learning curves into a temporary directory and
runs ``deepmd-lr audit`` on each in a child process, printing the median
wall time and the child's peak resident memory (``ru_maxrss``) against its
target:

* 2,000,000 rows under one header, one per step of an ``exp`` schedule they
  follow (90 MB): at most 5 s and 300 MB;
* 40,000 rows, each after a header line of its own, so 40,000 training
  sessions, following a ``wsd`` schedule: at most 2 s;
* 200 rows 100,000 steps apart from step 100,001, on the plateau of a
  ``wsd`` schedule, after a restart: they show the rate a restart of
  DeePMD-kit 3.1.3 gives there, but the last row departs from it, so that
  every restart step fits every row but the last (about 4 KB): under 1 s;
* about 150 training sessions of one row each (4 KB), 20,000 steps apart
  from step 1,000,001 of a ``wsd`` schedule that decays along a cosine for
  most of its 10,000,000 steps, each row logging a rate of 0 that no restart
  step gives: each of the 100,000 steps a session may have resumed at would
  have to be ruled out, so the restart search stops after its budget of
  checks and says how many sessions it left: under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from deepmd_lr.schedules.building import make_learning_rate_schedule

ROOT = Path(__file__).resolve().parent.parent
HEADER = "# step        rmse_val    rmse_trn    lr\n"
SHORT_HEADER = "# step lr\n"


def write_run(directory: Path, section: dict[str, object], num_steps: int) -> None:
    directory.mkdir()
    training = {"numb_steps": num_steps, "disp_freq": 1}
    (directory / "input.json").write_text(
        json.dumps({"learning_rate": section, "training": training})
    )


def write_rows(
    path: Path,
    section: dict[str, object],
    num_steps: int,
    shown: np.ndarray,
    header: str,
) -> None:
    """Append the rows of displayed steps ``shown``, each with the rate of its
    step and after ``header``, a slice at a time: the peak memory of a child
    process counts what its parent held when it started it."""
    schedule = make_learning_rate_schedule(section, num_steps)
    with path.open("a") as curve:
        for start in range(0, len(shown), 100_000):
            steps = shown[start : start + 100_000]
            rates = schedule.value(steps - 1).tolist()
            curve.writelines(
                f"{header}{step:7d}   {0.5 / step:11.2e} {0.25:11.2e}   {rate:8.1e}\n"
                for step, rate in zip(steps.tolist(), rates, strict=True)
            )


def plain_rows(directory: Path) -> Path:
    section = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 5000}
    count = 2_000_000
    run = directory / "plain"
    write_run(run, section, count)
    (run / "lcurve.out").write_text(HEADER)
    shown = np.arange(1, count + 1)
    write_rows(run / "lcurve.out", section, count, shown, "")
    return run


def many_restarts(directory: Path) -> Path:
    section = {"type": "wsd", "start_lr": 1e-3, "stop_lr": 1e-6, "warmup_steps": 100}
    count = 40_000
    run = directory / "restarts"
    write_run(run, section, 100 * count)
    shown = 100 * np.arange(1, count + 1)
    write_rows(run / "lcurve.out", section, 100 * count, shown, HEADER)
    return run


def plateau(directory: Path) -> Path:
    section = {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "warmup_steps": 200,
        "warmup_start_factor": 0.1,
        "decay_phase_ratio": 0.01,
    }
    run = directory / "plateau"
    write_run(run, section, 10**8)
    # A restart of 3.1.3 runs the plateau at value(0) = 1e-4 instead of 1e-3.
    shown = [10**5 + 1 + 10**5 * k for k in range(200)]
    text = [f"{step} {1e-4 if step != shown[-1] else 2e-4:.1e}\n" for step in shown]
    curve = SHORT_HEADER + "1 1.0e-04\n" + SHORT_HEADER + "".join(text)
    (run / "lcurve.out").write_text(curve)
    return run


def departing_sessions(directory: Path) -> Path:
    section = {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "decay_type": "cosine",
        "decay_phase_ratio": 0.9,
    }
    run = directory / "departing"
    write_run(run, section, 10**7)
    curve = ""
    for k in range(1000):
        session = f"{SHORT_HEADER}{10**6 + 1 + 20_000 * k} 0.0e+00\n"
        if len(curve) + len(session) > 4096:
            break
        curve += session
    (run / "lcurve.out").write_text(curve)
    return run


def timed_audit(run: Path, timeout: float) -> tuple[float, float, int]:
    """Wall seconds, peak megabytes and exit status of ``deepmd-lr audit RUN``."""
    argv = [sys.executable, "-m", "deepmd_lr", "audit", str(run)]
    argv += ["--input", str(run / "input.json")]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            return float("inf"), usage.ru_maxrss / 1024, -1
        time.sleep(0.005)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, child.returncode


WORKLOADS = [
    ("2,000,000 plain rows", plain_rows, 5.0, 300.0),
    ("40,000 restarts, a header before each row", many_restarts, 2.0, None),
    ("a 4 KB curve on a wsd plateau", plateau, 1.0, None),
    ("4 KB of one-row sessions, each departing", departing_sessions, 1.0, None),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    repeats = args.repeats
    missed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name, write, seconds_target, megabytes_target in WORKLOADS:
            run = write(Path(scratch))
            size = (run / "lcurve.out").stat().st_size
            results = [timed_audit(run, args.timeout) for _ in range(repeats)]
            seconds = statistics.median(result[0] for result in results)
            megabytes = max(result[1] for result in results)
            statuses = sorted({result[2] for result in results})
            ok = seconds <= seconds_target and (
                megabytes_target is None or megabytes <= megabytes_target
            )
            missed += not ok
            target = f"<= {seconds_target:g} s" + (
                f", <= {megabytes_target:g} MB" if megabytes_target else ""
            )
            print(f"{name} ({size / 1e6:.3g} MB), median of {repeats}:")
            print(
                f"  {seconds:7.2f} s, peak {megabytes:6.0f} MB, exit {statuses} "
                f"(target {target}): {'ok' if ok else 'MISSED'}"
            )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
