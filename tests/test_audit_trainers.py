"""``deepmd-lr audit`` for each trainer of DeePMD-kit: TensorFlow, PyTorch, Paddle.

The ``dp313_*`` runs in ``examples/runs`` are real outputs of DeePMD-kit 3.1.3
(see its README); the others are written here in the layout of each trainer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from deepmd_runs import header, row, session
from test_audit import WSD

from deepmd_lr.audit.run import audit_run, find_run_files
from deepmd_lr.audit.trainers import PADDLE, PYTORCH, TENSORFLOW
from deepmd_lr.cli.main import main
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.schedules.building import make_learning_rate_schedule

RUNS = Path(__file__).resolve().parent.parent / "examples" / "runs"
NUM_STEPS = 2000


def audit(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str]:
    status = main(["audit", *(str(arg) for arg in argv)])
    out, err = capsys.readouterr()
    assert err == ""
    return status, out


def value(step: int) -> float:
    return float(make_learning_rate_schedule(WSD, NUM_STEPS).value(step))


def write_run(directory: Path, curve: str, *marks: str) -> Path:
    """A run of ``WSD`` whose learning curve is ``curve``, with empty files
    named ``marks`` beside it."""
    directory.mkdir()
    training = {"numb_steps": NUM_STEPS, "disp_freq": 100}
    section = {"learning_rate": WSD, "training": training}
    (directory / "input.json").write_text(json.dumps(section))
    (directory / "lcurve.out").write_text(curve)
    for mark in marks:
        (directory / mark).touch()
    return directory


def tensorflow_row(step: int, rate: float) -> str:
    """A row as :func:`deepmd_runs.row` writes it, at any step from 0."""
    return f"{step:7d}" + "   5.00e-01 2.50e-01" * 2 + f"   {rate:8.1e}\n"


def tensorflow_session(first: int, stop: int, disp_freq: int = 100) -> str:
    """What the TensorFlow trainer writes from step ``first`` to ``stop``:
    a row at ``first``, then one every ``disp_freq`` steps, each with the
    rate of its own step."""
    shown = [first, *range(first - first % disp_freq + disp_freq, stop + 1, disp_freq)]
    return header() + "".join(tensorflow_row(step, value(step)) for step in shown)


def planted(curve: str, step: int, factor: float = 1.5) -> str:
    """``curve`` whose first row at ``step`` logs its rate times ``factor``."""
    lines = curve.splitlines(keepends=True)
    for number, line in enumerate(lines):
        fields = line.split()
        if fields and fields[0] == str(step):
            rate = f"{float(fields[-1]) * factor:.1e}"
            lines[number] = line[: line.rindex(fields[-1])] + rate + "\n"
            return "".join(lines)
    raise AssertionError(f"no row at step {step}")


# -- the real runs ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "backend", "rows"),
    [
        ("dp313_tf_wsd", None, 41),
        ("dp313_tf_wsd_restarted", None, 42),
        ("dp313_tf_wsd", "tf", 41),
        ("dp313_pd_wsd", "pd", 40),
    ],
)
def test_a_real_run_of_each_trainer_followed_its_schedule(
    capsys: pytest.CaptureFixture[str], name: str, backend: str | None, rows: int
) -> None:
    run = RUNS / name
    report = audit_run(run, run / "input.json", backend=backend)
    assert report.followed
    assert len(report.logged) == rows
    options = () if backend is None else ("--backend", backend)
    status, out = audit(capsys, run, "--input", run / "input.json", *options)
    assert status == 0
    assert "followed its schedule" in out


def test_a_real_tensorflow_run_is_told_by_its_first_row_and_read_as_value_n(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = RUNS / "dp313_tf_wsd"
    report = audit_run(run, run / "input.json")
    assert report.trainer is TENSORFLOW
    # Rows 0 to 40, the last holding value(numb_steps).
    assert report.logged.column("step").tolist() == list(range(41))
    _, out = audit(capsys, run, "--input", run / "input.json")
    assert (
        "read as DeePMD-kit's TensorFlow trainer writes it (its first row is at "
        "step 0): row N holds the rate of step N\n"
    ) in out


def test_a_real_tensorflow_restart_repeats_its_step_and_keeps_the_schedule() -> None:
    run = RUNS / "dp313_tf_wsd_restarted"
    report = audit_run(run, run / "input.json")
    steps = report.logged.column("step").tolist()
    assert steps == [*range(21), *range(20, 41)]
    assert report.followed
    assert report.restarts == ()


def test_a_real_paddle_restart_is_named_with_its_cause_and_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = RUNS / "dp313_pd_wsd_restarted"
    report = audit_run(run, run / "input.json", backend="pd")
    assert not report.followed
    assert len(report.unexplained) == 0
    (restart,) = report.restarts
    # Restarted from model.ckpt-20.pd, which holds step 19.
    assert (restart.start_step, restart.earliest_start, restart.rows) == (19, 19, 21)
    status, out = audit(capsys, run, "--input", run / "input.json", "--backend", "pd")
    assert status == 1
    assert (
        "resumed at step 19 and ran each step t with value(t + 19) instead of value(t)"
    ) in out
    assert "fix: no release fixes it (3.1.3 and 3.2.0 alike)" in out


def test_a_paddle_run_without_its_checkpoints_is_read_as_pytorchs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Its rows are PyTorch's, but nothing tells Paddle's restart apart.
    run = RUNS / "dp313_pd_wsd_restarted"
    report = audit_run(run, run / "input.json")
    assert report.trainer is PYTORCH
    assert report.restarts == ()
    assert len(report.unexplained) == 21
    status, out = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "(nothing tells its trainer apart; --backend names it)" in out


@pytest.mark.parametrize(
    ("name", "backend", "step"),
    [
        ("dp313_tf_wsd", None, 12),
        ("dp313_tf_wsd_restarted", None, 30),
        ("dp313_pd_wsd", "pd", 12),
        ("dp313_pd_wsd_restarted", "pd", 12),
    ],
)
def test_a_departure_planted_in_a_real_run_is_named(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    backend: str | None,
    step: int,
) -> None:
    run = tmp_path / name
    run.mkdir()
    (run / "input.json").write_bytes((RUNS / name / "input.json").read_bytes())
    (run / "lcurve.out").write_text(
        planted((RUNS / name / "lcurve.out").read_text(), step)
    )
    report = audit_run(run, run / "input.json", backend=backend)
    first = report.first_departure
    assert first is not None
    # The row of step N holds value(N) in TensorFlow's curve, value(N - 1) else.
    assert first.step == (step if backend is None else step - 1)
    assert first.logged == pytest.approx(1.5 * first.expected, rel=0.06)
    options = () if backend is None else ("--backend", backend)
    status, out = audit(capsys, run, "--input", run / "input.json", *options)
    assert status == 1
    assert f"departed from its schedule at step {first.step} " in out


# -- telling the trainer ------------------------------------------------------


@pytest.mark.parametrize(
    ("marks", "trainer", "reason"),
    [
        (["model.ckpt.index"], TENSORFLOW, "model.ckpt.index is beside it"),
        (["model.ckpt-400.index"], TENSORFLOW, "model.ckpt-400.index is beside it"),
        (
            ["model.ckpt-400.pd", "model.ckpt.pd"],
            PADDLE,
            "model.ckpt-400.pd is beside it",
        ),
        (["model.ckpt.pd", "model.ckpt-04.pd", "x.index"], PYTORCH, "nothing tells"),
        (["model.ckpt-400.pd", "model.ckpt.index"], PYTORCH, "nothing tells"),
    ],
)
def test_the_trainer_is_told_by_the_checkpoints_beside_the_curve(
    tmp_path: Path, marks: list[str], trainer: Any, reason: str
) -> None:
    curve = session(value, 0, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", curve, *marks)
    report = audit_run(run, run / "input.json")
    assert report.trainer is trainer
    assert report.trainer_reason.startswith(reason)
    # Given its learning curve alone, the files beside it tell as well.
    assert audit_run(run / "lcurve.out", run / "input.json").trainer is trainer


def test_pytorch_checkpoints_tell_their_trainer(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", session(value, 0, NUM_STEPS, 100))
    (run / "model.ckpt-400.pt").touch()
    files = find_run_files(run)
    assert files.trainer_marks == ((PYTORCH, run / "model.ckpt-400.pt"),)


def test_checkpoints_beside_the_curve_outweigh_its_first_row(tmp_path: Path) -> None:
    # A Paddle run's rows never start at 0: the checkpoint decides, and the row
    # at step 0 is no step number.
    run = write_run(
        tmp_path / "run", tensorflow_session(0, NUM_STEPS), "model.ckpt-4.pd"
    )
    with pytest.raises(
        InputFileError, match=r"lcurve\.out:3: the step column holds '0'"
    ):
        audit_run(run, run / "input.json")


def test_backend_outweighs_every_sign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    curve = tensorflow_session(0, NUM_STEPS)
    run = write_run(tmp_path / "run", curve, "model.ckpt.index")
    status, out = audit(capsys, run, "--input", run / "input.json", "--backend", "tf")
    assert status == 0
    assert "(--backend tf)" in out
    status = main(
        ["audit", str(run), "--input", str(run / "input.json"), "--backend", "pt"]
    )
    _, err = capsys.readouterr()
    assert status == 1
    assert "lcurve.out:3: the step column holds '0', not a step number" in err


# -- reading and restarting per trainer ---------------------------------------


def test_tensorflow_rows_every_interval_hold_the_rate_of_their_own_step(
    tmp_path: Path,
) -> None:
    run = write_run(tmp_path / "tf", tensorflow_session(0, NUM_STEPS))
    report = audit_run(run, run / "input.json")
    assert report.followed
    steps = [int(step) for step in report.logged.column("step")]
    assert steps == list(range(0, NUM_STEPS + 1, 100))
    # The same rows with the rate of the step before, as PyTorch's rows hold
    # it, depart where the rate falls fast.
    shifted = header() + tensorflow_row(0, value(0))
    shifted += "".join(tensorflow_row(step, value(step - 1)) for step in steps[1:])
    run = write_run(tmp_path / "shifted", shifted)
    assert not audit_run(run, run / "input.json").followed


def test_a_tensorflow_session_resumed_mid_interval_is_read_from_its_step(
    tmp_path: Path,
) -> None:
    curve = tensorflow_session(0, 1000) + tensorflow_session(1000, NUM_STEPS)
    curve += tensorflow_session(1234, NUM_STEPS)
    run = write_run(tmp_path / "run", curve)
    report = audit_run(run, run / "input.json")
    assert report.followed
    assert len(report.logged.curve.sessions) == 3


def test_a_tensorflow_departure_is_never_taken_for_a_restart(tmp_path: Path) -> None:
    # Rows that PyTorch's 3.1.3 restart at step 999 would give.
    restarted = header() + "".join(
        tensorflow_row(step, value(0) * value(step + 999) / value(999))
        for step in range(1000, NUM_STEPS + 1, 100)
    )
    run = write_run(tmp_path / "run", tensorflow_session(0, 999) + restarted)
    report = audit_run(run, run / "input.json")
    assert report.trainer is TENSORFLOW
    assert report.restarts == ()
    assert len(report.unexplained) == len(restarted.splitlines()) - 2


@pytest.mark.parametrize("start", [299, 349], ids=["on_a_row", "between_rows"])
def test_a_paddle_restart_is_fitted_between_displayed_steps(
    tmp_path: Path, start: int
) -> None:
    def paddle(step: int) -> float:
        return value(step + start)

    curve = session(value, 0, start, 100) + session(paddle, start, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", curve, "model.ckpt-300.pd")
    report = audit_run(run, run / "input.json")
    (restart,) = report.restarts
    assert restart.earliest_start <= start <= restart.start_step
    assert len(report.unexplained) == 0
    # PyTorch's pattern does not fit these rows.
    assert audit_run(run, run / "input.json", backend="pt").restarts == ()


def test_the_paddle_restart_search_keeps_the_same_budget(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One-row sessions 100,000 steps apart whose rate no restart step gives:
    # each costs 100,000 checks or more, so the search stops before the last.
    num_steps = 10**8
    curve = session(value, 0, 1000, 100)
    for k in range(60):
        curve += header() + row(10**6 + 10**5 * k, 0.0)
    run = write_run(tmp_path / "run", curve, "model.ckpt-1000.pd")
    section = json.loads((run / "input.json").read_text())
    section["training"]["numb_steps"] = num_steps
    (run / "input.json").write_text(json.dumps(section))
    report = audit_run(run, run / "input.json")
    assert 0 < report.unsearched < 60
    _, out = audit(capsys, run, "--input", run / "input.json")
    assert (
        f"{report.unsearched} departing sessions were not searched for the restart "
        "of DeePMD-kit's Paddle trainer: the search stops after 5,000,000 checks"
    ) in out


@pytest.mark.parametrize(
    ("run", "first_steps"), [("dp313_tf_wsd", [0, 1]), ("dp313_wsd", [0, 1])]
)
def test_plot_draws_each_logged_rate_at_the_step_that_used_it(
    run: str, first_steps: list[int]
) -> None:
    # TensorFlow's rows 0, 1 hold steps 0, 1; PyTorch's rows 1, 2 hold 0, 1.
    from deepmd_lr.cli.views import _logged_rates

    directory = Path(__file__).parent.parent / "examples" / "runs" / run
    training = json.loads((directory / "input.json").read_text())["training"]
    _, steps, _ = _logged_rates(str(directory), training)
    assert steps[:2] == first_steps
