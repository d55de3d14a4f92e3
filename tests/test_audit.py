"""``deepmd-lr audit``: the rates a DeePMD-kit run logged, against its schedule.

The runs are written by ``deepmd_runs`` in the layout of DeePMD-kit 3.1.3's
PyTorch trainer; no DeePMD-kit is needed, and torch only for checkpoints.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from deepmd_runs import checkpoint, header, restarted_rate, row, session

from deepmd_lr import LearningRateWarning
from deepmd_lr.audit.comparison import audit_rates
from deepmd_lr.audit.learning_curve import learning_curve_of, read_learning_curve
from deepmd_lr.audit.printing import printed_rate, rounds_to
from deepmd_lr.audit.run import audit_run
from deepmd_lr.cli.main import main
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.schedules.building import make_learning_rate_schedule

ROOT = Path(__file__).resolve().parent.parent
NUM_STEPS = 2000
WSD = {
    "type": "wsd",
    "start_lr": 1e-3,
    "stop_lr": 1e-5,
    "warmup_steps": 200,
    "warmup_start_factor": 0.1,
    "decay_phase_ratio": 0.3,
}
EXP = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-6, "decay_steps": 100}


def training_input(section: dict[str, Any], **training: Any) -> dict[str, Any]:
    return {
        "learning_rate": section,
        "training": {"numb_steps": NUM_STEPS, "disp_freq": 100, **training},
    }


def value_of(section: dict[str, Any]) -> Callable[[int], float]:
    return value_of_steps(section, NUM_STEPS)


def value_of_steps(section: dict[str, Any], num_steps: int) -> Callable[[int], float]:
    schedule = make_learning_rate_schedule(section, num_steps)
    return lambda step: float(schedule.value(step))


def write_run(
    directory: Path, section: dict[str, Any], curve: str, **training: Any
) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "input.json").write_text(
        json.dumps(training_input(section, **training))
    )
    (directory / training.get("disp_file", "lcurve.out")).write_text(curve)
    return directory


def audit(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    status = main(["audit", *(str(arg) for arg in argv)])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_clean_line(err: str) -> None:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


# -- runs that followed their schedule ---------------------------------------


def test_a_run_that_followed_its_schedule_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, err) == (0, "")
    assert "21 logged rates, all as the schedule prints" in out
    assert "followed its schedule" in out
    assert "printing 2 digits allows up to 5%" in out


def test_row_n_is_compared_with_the_rate_of_step_n_minus_1(tmp_path: Path) -> None:
    value = value_of(EXP)
    # A staircase drops at step 100, which row 101 shows and row 100 does not.
    shifted = session(lambda step: value(step + 1), 0, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", EXP, shifted)
    result = audit_run(run, run / "input.json")
    first = result.first_departure
    assert first is not None
    assert first.step == 99
    assert (first.logged_text, printed_rate(first.expected)) == ("7.1e-04", "1.0e-03")


def test_a_multi_task_run_is_read_by_its_shared_lr_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = ("water", "metal")
    curve = session(value_of(WSD), 0, NUM_STEPS, 100, tasks=tasks)
    assert "rmse_e_val_water" in curve.splitlines()[0]
    run = write_run(tmp_path / "run", WSD, curve)
    assert read_learning_curve(run / "lcurve.out").steps[:3].tolist() == [0, 99, 199]
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 0, out


def test_a_multi_task_run_that_departs_is_flagged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = value_of(WSD)
    curve = session(lambda s: value(s) * 0.8, 0, NUM_STEPS, 100, tasks=("a", "b"))
    run = write_run(tmp_path / "run", WSD, curve)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "departed from its schedule at step 0" in out


def test_an_lcurve_file_is_audited_without_its_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    status, out, _ = audit(capsys, run / "lcurve.out", "--input", run / "input.json")
    assert status == 0, out


def test_the_learning_curve_name_comes_from_training_disp_file(tmp_path: Path) -> None:
    curve = session(value_of(WSD), 0, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", WSD, curve, disp_file="curve.txt")
    result = audit_run(run, run / "input.json")
    assert result.learning_curve == str(run / "curve.txt")
    assert result.followed


def test_a_warmup_under_training_is_audited_where_deepmd_kit_moves_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DeePMD-kit 3.1.3 moves training/warmup_steps into learning_rate as it
    # reads the input, so the run warmed up; the reading and the command
    # both audit that run, and say where the warmup was written.
    ran = {**EXP, "warmup_steps": 100}
    run = write_run(
        tmp_path / "run",
        EXP,
        session(value_of(ran), 0, NUM_STEPS, 100),
        warmup_steps=100,
    )
    with pytest.warns(LearningRateWarning, match="training/warmup_steps") as caught:
        result = audit_run(run, run / "input.json")
    assert result.followed, result.first_departure
    assert [(warning.message.code, warning.message.path) for warning in caught] == [
        ("LW105", "training/warmup_steps")
    ]
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, err) == (0, "")
    assert "note: training/warmup_steps: warmup_steps is written under training" in out


# -- runs that departed ------------------------------------------------------


def test_a_departing_run_reports_its_first_departure_and_worst_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = value_of(WSD)

    def used(step: int) -> float:
        return value(step) * (1.5 if step >= 1000 else 1.0)

    run = write_run(tmp_path / "run", WSD, session(used, 0, NUM_STEPS, 100))
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    curve = run / "lcurve.out"
    line = next(
        number
        for number, text in enumerate(curve.read_text().splitlines(), start=1)
        if text.split()[:1] == ["1100"]
    )
    expected = value(1099)
    assert (
        f"departed from its schedule at step 1099 ({curve}:{line}): "
        f"logged {printed_rate(1.5 * expected)}, expected {expected:.2e}"
    ) in out
    result = audit_run(run, run / "input.json")
    worst = result.worst
    assert worst is not None
    assert worst.relative_error == max(c.relative_error for c in result.logged)
    assert worst.relative_error > 0.4
    assert f"worst relative error: {worst.relative_error * 100:.3g}%" in out
    assert "cause:" not in out


# -- DeePMD-kit 3.1.3's restart ----------------------------------------------


@pytest.mark.parametrize("section", [WSD, EXP], ids=["wsd", "exp"])
def test_a_restart_of_3_1_3_is_named_with_its_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], section: dict[str, Any]
) -> None:
    value = value_of(section)
    # Restarted from model.ckpt-1000.pt, whose train_infos step is 999.
    curve = session(value, 0, 1000, 100) + session(
        restarted_rate(value, 999), 999, NUM_STEPS, 100
    )
    run = write_run(tmp_path / "run", section, curve)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "the restart of DeePMD-kit 3.1.3" in out
    assert "resumed at step 999" in out
    assert "value(0) * value(t + 999) / value(999)" in out
    assert "upgrade to DeePMD-kit 3.2.0" in out
    assert "deepmd_lr.ScheduleLR" in out
    assert "not explained" not in out
    result = audit_run(run, run / "input.json")
    assert [r.start_step for r in result.restarts] == [999]
    assert result.first_departure is not None
    assert result.first_departure.step == 999


def test_a_restart_between_two_displayed_steps_is_fitted(tmp_path: Path) -> None:
    value = value_of(WSD)
    # save_freq 250, disp_freq 100: resumed at step 1749, first row 1800.
    curve = session(value, 0, 1900, 100) + session(
        restarted_rate(value, 1749), 1749, NUM_STEPS, 100
    )
    run = write_run(tmp_path / "run", WSD, curve)
    result = audit_run(run, run / "input.json")
    (restart,) = result.restarts
    # Two printed digits leave a few neighbouring steps that fit as well.
    assert restart.earliest_start <= 1749 <= restart.start_step < 1760
    assert not result.unexplained


def test_a_staircase_restart_names_every_step_that_fits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = value_of(EXP)
    # Rows at steps 99 mod 100, on stairs 100 steps wide: every start from
    # 701 to 799 puts each row on the same stair as 749 does.
    curve = session(value, 0, 900, 100) + session(
        restarted_rate(value, 749), 749, NUM_STEPS, 100
    )
    run = write_run(tmp_path / "run", EXP, curve)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "resumed at step 799" in out
    assert "fit any restart step from 701 to 799 as well" in out


def test_a_correct_restart_is_no_departure(tmp_path: Path) -> None:
    value = value_of(WSD)
    curve = session(value, 0, 1000, 100) + session(value, 999, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", WSD, curve)
    result = audit_run(run, run / "input.json")
    assert result.followed
    assert not result.restarts


def test_a_departure_of_another_kind_is_not_taken_for_a_restart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = value_of(EXP)
    curve = session(value, 0, 1000, 100) + session(
        lambda step: value(step) * 3, 999, NUM_STEPS, 100
    )
    run = write_run(tmp_path / "run", EXP, curve)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "3.1.3" not in out


@pytest.mark.parametrize(
    "separator", ["\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\r"]
)
def test_a_line_break_other_than_newline_inside_a_comment_is_no_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str
) -> None:
    value = value_of(WSD)
    first, *rest = session(value, 0, NUM_STEPS, 100).splitlines(keepends=True)
    # Read as a row, what follows the character would depart from the schedule.
    comment = f"# resumed here{separator}{row(1000, 0.99)}"
    run = write_run(tmp_path / "run", WSD, first + comment + "".join(rest))
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, err) == (0, "")
    assert "21 logged rates, all as the schedule prints" in out


def test_a_learning_curve_with_crlf_line_ends_is_read_alike(tmp_path: Path) -> None:
    curve = session(value_of(WSD), 0, NUM_STEPS, 100).replace("\n", "\r\n")
    run = write_run(tmp_path / "run", WSD, "")
    (run / "lcurve.out").write_bytes(curve.encode())
    result = audit_run(run, run / "input.json")
    assert result.followed
    assert len(result.logged) == 21


# -- a learning curve still being written ------------------------------------


@pytest.mark.parametrize("kept", [70, 68, 67, 60, 30, 5], ids=lambda kept: f"{kept}")
def test_a_last_row_the_file_ends_inside_is_left_out_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kept: int
) -> None:
    # The last row, "   2000 ... 1.0e-05\n", cut after ``kept`` of its 71
    # characters: without its line end, the rate cut to 1.0e-0 (a number,
    # though not the one written) or 1.0e-, the rate gone, the step cut.
    value = value_of(WSD)
    curve = session(value, 0, NUM_STEPS, 100)
    last = row(NUM_STEPS, value(NUM_STEPS - 1))
    assert curve.endswith(last)
    assert len(last) == 71
    run = write_run(tmp_path / "run", WSD, curve[: len(curve) - len(last) + kept])
    line = curve.count("\n")
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, err) == (0, "")
    assert f"{run / 'lcurve.out'}: 20 logged rates, all as the schedule" in out
    assert (
        f"{run / 'lcurve.out'}:{line}: left out the last row, which the file "
        "ends inside (a run stopped while writing it, or still running)"
    ) in out
    assert "followed its schedule" in out


def test_a_complete_last_row_has_no_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 0
    assert "left out" not in out
    assert audit_run(run, run / "input.json").cut_off is None


# -- many restarts -------------------------------------------------------------


def test_every_restart_of_a_run_restarted_many_times_is_found(tmp_path: Path) -> None:
    # Checkpoints every 500 steps: session k resumes at step 500 k - 1; every
    # other one under the fault of 3.1.3, which divides each rate by 10 here.
    num_steps = 100_000
    value = value_of_steps(WSD, num_steps)
    curve = session(value, 0, 500, 100)
    faulty = []
    for k in range(1, num_steps // 500):
        start = 500 * k - 1
        rate = restarted_rate(value, start) if k % 2 else value
        if k % 2:
            # The row after the session's header and note.
            faulty.append((start, curve.count("\n") + 3))
        curve += session(rate, start, start + 501, 100)
    run = write_run(tmp_path / "run", WSD, curve, numb_steps=num_steps)
    result = audit_run(run, run / "input.json")
    assert [r.start_step for r in result.restarts] == [s for s, _ in faulty]
    assert [r.source for r in result.restarts] == [
        f"{run / 'lcurve.out'}:{line}" for _, line in faulty
    ]
    assert {r.rows for r in result.restarts} == {6}
    assert len(result.unexplained) == 0


def test_a_header_before_every_row_is_a_session_each(tmp_path: Path) -> None:
    # 2,000 sessions of one row; every 100th was resumed under the fault of
    # 3.1.3 at the step of its row.
    num_steps = 200_000
    value = value_of_steps(WSD, num_steps)
    shown = range(100, num_steps + 1, 100)
    faulty = [n - 1 for n in shown if n % 10_000 == 0]
    curve = "".join(
        header()
        + row(
            n, restarted_rate(value, n - 1)(n - 1) if n - 1 in faulty else value(n - 1)
        )
        for n in shown
    )
    run = write_run(tmp_path / "run", WSD, curve, numb_steps=num_steps)
    result = audit_run(run, run / "input.json")
    assert len(result.logged) == 2000
    assert [r.start_step for r in result.restarts] == faulty
    assert [r.rows for r in result.restarts] == [1] * len(faulty)
    assert len(result.unexplained) == 0


# -- print rounding ----------------------------------------------------------

CONSTANT = {"type": "cosine", "start_lr": 1.25e-3, "stop_lr": 1.25e-3}
"""Every rate is 1.25e-3, a tie between 1.2e-03 and 1.3e-03."""


@pytest.mark.parametrize("printed", ["1.2e-03", "1.3e-03"])
def test_a_tie_at_the_last_printed_digit_is_not_flagged(printed: str) -> None:
    schedule = make_learning_rate_schedule(CONSTANT, 100)
    rows = [f"{n} {printed}\n" for n in (1, 50, 100)]
    assert audit_rates(
        schedule, learning_curve_of(["# step lr\n", *rows], "lc")
    ).followed


@pytest.mark.parametrize("printed", ["1.1e-03", "1.4e-03"])
def test_a_value_past_the_tie_is_flagged(printed: str) -> None:
    schedule = make_learning_rate_schedule(CONSTANT, 100)
    curve = learning_curve_of(["# step lr\n", f"1 {printed}\n"], "lc")
    assert not audit_rates(schedule, curve).followed


def test_a_rate_just_off_a_tie_rounds_one_way_only() -> None:
    assert rounds_to(1.25e-3 * (1 + 1e-9), 1.3e-3)
    assert not rounds_to(1.25e-3 * (1 + 1e-9), 1.2e-3)
    assert not rounds_to(1.25e-3 * (1 - 1e-9), 1.3e-3)


def test_a_rate_that_rounds_up_to_the_next_decade_matches_it() -> None:
    assert rounds_to(9.96e-4, 1.0e-3)
    assert not rounds_to(9.94e-4, 1.0e-3)
    assert rounds_to(9.94e-4, 9.9e-4)


def printed_as(expected: float, logged: float) -> bool:
    """What ``rounds_to`` means, one rate at a time: print the rate."""
    low = float(printed_rate(expected * (1 - 1e-12)))
    high = float(printed_rate(expected * (1 + 1e-12)))
    return low <= logged <= high


@pytest.mark.parametrize(
    "logged",
    [0.0, 5e-324, 1e-310, 1e-3, 9.9e-4, 1.2e-3, 1.25e-3, 9.9e-1, 0.125, 1e300, 1.7e308],
)
def test_rounds_to_on_arrays_is_printing_even_at_each_edge(logged: float) -> None:
    # The floats next to every decimal midpoint near ``logged``, and those
    # next to where the 1e-12 tolerance carries a rate onto one.
    middles = [0.0, logged] + [
        float(f"{digits}5e{power}")
        for digits in range(9, 100)
        for power in range(int(np.floor(np.log10(logged or 1))) - 3, -1, -1)[:3]
        if logged == 0 or abs(float(f"{digits}5e{power}") / logged - 1) < 0.2
    ]
    expected = []
    for middle in middles:
        for edge in (middle, middle / (1 + 1e-12), middle / (1 - 1e-12)):
            expected += [edge]
            for _ in range(3):
                expected += [np.nextafter(expected[-1], np.inf)]
            expected += [edge]
            for _ in range(3):
                expected += [np.nextafter(expected[-1], -np.inf)]
    expected = [float(x) for x in expected if 0 <= x < np.inf]
    matched = rounds_to(np.array(expected), logged)
    assert matched.tolist() == [printed_as(x, logged) for x in expected]
    assert matched.any()


# -- checkpoints -------------------------------------------------------------


def test_checkpoints_hold_exact_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    value = value_of(WSD)
    run = write_run(tmp_path / "run", WSD, session(value, 0, NUM_STEPS, 100))
    for shown in (500, 1000, NUM_STEPS):
        checkpoint(run / f"model.ckpt-{shown}.pt", shown - 1, value(shown - 1))
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 0, out
    assert "checkpoints: 3 rates, all exact" in out


def test_a_checkpoint_off_by_more_than_1e_12_departs(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    value = value_of(WSD)
    run = write_run(tmp_path / "run", WSD, session(value, 0, NUM_STEPS, 100))
    checkpoint(run / "model.ckpt-1000.pt", 999, value(999) * (1 + 1e-13))
    checkpoint(run / "model.ckpt-1500.pt", 1499, value(1499) * (1 + 1e-9))
    result = audit_run(run, run / "input.json")
    assert [c.matches for c in result.checkpoints] == [True, False]
    assert result.first_departure is not None
    assert result.first_departure.source == str(run / "model.ckpt-1500.pt")


def test_checkpoints_of_a_3_1_3_restart_are_explained_by_it(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    value = value_of(EXP)
    wrong = restarted_rate(value, 999)
    curve = session(value, 0, 1000, 100) + session(wrong, 999, NUM_STEPS, 100)
    run = write_run(tmp_path / "run", EXP, curve)
    checkpoint(run / "model.ckpt-1000.pt", 999, value(999))
    checkpoint(run / "model.ckpt-2000.pt", 1999, wrong(1999))
    result = audit_run(run, run / "input.json")
    assert [c.matches for c in result.checkpoints] == [True, False]
    assert not result.unexplained


def test_checkpoints_are_skipped_without_torch(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    (run / "model.ckpt-2000.pt").write_bytes(b"not read")
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 0
    assert "checkpoints: 1 not checked, as torch is not installed" in out


def test_a_garbled_checkpoint_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    (run / "model.ckpt-2000.pt").write_bytes(b"\x80\x02garbage")
    status, _, err = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert_one_clean_line(err)
    assert "model.ckpt-2000.pt: is not a checkpoint that torch loads" in err


def test_a_pickle_that_is_no_checkpoint_is_one_line_and_never_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    import pickle

    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> Any:
            return (Path.touch, (marker,))

    (run / "model.ckpt-2000.pt").write_bytes(pickle.dumps(Payload(), protocol=4))
    status, _, err = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert_one_clean_line(err)
    assert not marker.exists()


# -- files that are not what they should be ----------------------------------

GOOD_ROW = row(1, 1e-3)


@pytest.mark.parametrize(
    ("curve", "message"),
    [
        ("", "no rows"),
        (header(), "no rows"),
        (header() + GOOD_ROW[:-1], "no rows but one cut off at line 3, so no rates"),
        (GOOD_ROW, ":1: a row before the header line"),
        (
            header() + "   1   2.0e-01   1.0e-03\n",
            ":3: 3 columns where the header has 6",
        ),
        (header() + GOOD_ROW.replace("1.0e-03", "1.0e-0x"), ":3: the lr column holds"),
        (header() + GOOD_ROW.replace("1.0e-03", "-1.0e-03"), "not a learning rate"),
        (header() + GOOD_ROW.replace("      1", "    1.5", 1), "not a step number"),
        (
            header() + GOOD_ROW + GOOD_ROW.replace("      1", "      0", 1),
            ":4: the step column holds '0', not a step number",
        ),
        (
            header() + GOOD_ROW.replace("      1", " 2" + "0" * 19, 1),
            "not a step number",
        ),
        (header() + GOOD_ROW.replace("      1", "9" * 5000, 1), "not a step number"),
        (
            header() + GOOD_ROW.replace("      1", "      \u00b2", 1),
            "not a step number",
        ),
        (
            header() + GOOD_ROW.replace("      1", "      \u0661", 1),
            "not a step number",
        ),
        (header().replace("lr ", "rate"), ":1: the last column is 'rate', not lr"),
        ("\udcff", "not UTF-8"),
        (header() + "\udcff\n", f"byte 0xff at offset {len(header())} cannot be"),
        (
            header() + GOOD_ROW.replace("1.0e-03", "1.0e-")[:-1] + "\n" + GOOD_ROW,
            ":3: the lr column holds '1.0e-'",
        ),
        (header() + GOOD_ROW[:30] + "\n" + GOOD_ROW, ":3: 3 columns where the header"),
    ],
)
def test_a_garbled_learning_curve_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], curve: str, message: str
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "input.json").write_text(json.dumps(training_input(WSD)))
    (run / "lcurve.out").write_bytes(curve.encode("utf-8", "surrogateescape"))
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert message in err


def test_a_missing_run_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "input.json").write_text(json.dumps(training_input(WSD)))
    status, _, err = audit(
        capsys, tmp_path / "nowhere", "--input", tmp_path / "input.json"
    )
    assert status == 1
    assert_one_clean_line(err)
    assert "nowhere: no such file or directory" in err


def test_a_directory_without_run_files_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "input.json").write_text(json.dumps(training_input(WSD)))
    status, _, err = audit(capsys, tmp_path, "--input", tmp_path / "input.json")
    assert status == 1
    assert_one_clean_line(err)
    assert "neither lcurve.out nor model.ckpt-*.pt checkpoints" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "input.json: no such file"),
        ("{", "input.json:"),
        (json.dumps({"learning_rate": WSD}), "pass --num-steps N"),
        (json.dumps(training_input({**WSD, "start_lr": -1})), "learning_rate/start_lr"),
    ],
)
def test_a_bad_input_is_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    if content is None:
        (run / "input.json").unlink()
    else:
        (run / "input.json").write_text(content)
    status, _, err = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert_one_clean_line(err)
    assert message in err


def test_num_steps_gives_the_length_of_a_bare_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "run", WSD, session(value_of(WSD), 0, NUM_STEPS, 100))
    (run / "section.json").write_text(json.dumps(WSD))
    argv = (run, "--input", run / "section.json", "--num-steps", NUM_STEPS)
    assert audit(capsys, *argv)[0] == 0
    assert audit(capsys, *argv[:-1], NUM_STEPS // 2)[0] == 1


def test_read_learning_curve_raises_input_file_error(tmp_path: Path) -> None:
    (tmp_path / "lcurve.out").write_text("no curve\n")
    with pytest.raises(InputFileError, match="row before the header"):
        read_learning_curve(tmp_path / "lcurve.out")


def test_the_command_prints_no_traceback_in_a_child_process(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "input.json").write_text(json.dumps(training_input(WSD)))
    (run / "lcurve.out").write_text(header() + "garbage\n")
    result = subprocess.run(
        [sys.executable, "-m", "deepmd_lr", "audit", str(run), "--input", "input.json"],
        cwd=run,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"},
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert_one_clean_line(result.stderr)


def test_audit_is_in_the_command_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--help"]) == 0
    out = capsys.readouterr().out
    assert "RUN_DIR_OR_LCURVE" in out
    assert "--input" in out


# -- plot --lcurve -----------------------------------------------------------


def logged_points(ax: Any) -> Any:
    from deepmd_lr.views.plotting import LOGGED_RATES_GID

    (points,) = [line for line in ax.lines if line.get_gid() == LOGGED_RATES_GID]
    return points


@pytest.mark.parametrize("section", [WSD, EXP], ids=["linear", "log"])
def test_logged_rates_are_drawn_as_points_over_the_curve(
    section: dict[str, Any],
) -> None:
    pytest.importorskip("matplotlib")
    from deepmd_lr.views.plotting import CURVE_GID, plot_logged_rates, plot_schedule

    schedule = make_learning_rate_schedule(section, NUM_STEPS)
    ax = plot_schedule(schedule)
    steps = [0, 99, 999]
    rates = [float(schedule.value(step)) for step in steps]
    plot_logged_rates(ax, steps, rates)
    points = logged_points(ax)
    (curve,) = [line for line in ax.lines if line.get_gid() == CURVE_GID]
    assert points.get_linestyle() == "None"
    assert points.get_marker() == "o"
    assert list(points.get_xdata()) == steps
    # Points on the curve sit at the curve's height, in the axis's own unit.
    on_curve = np.interp(steps, curve.get_xdata(), curve.get_ydata())
    np.testing.assert_allclose(points.get_ydata(), on_curve, rtol=1e-12)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_points_above_the_curve_stay_inside_the_axes() -> None:
    pytest.importorskip("matplotlib")
    from deepmd_lr.views.plotting import plot_logged_rates, plot_schedule

    ax = plot_schedule(make_learning_rate_schedule(WSD, NUM_STEPS))
    plot_logged_rates(ax, [500], [5e-3])
    assert ax.get_ylim()[1] > logged_points(ax).get_ydata()[0]
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_plot_lcurve_draws_the_logged_rates(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("matplotlib")
    import deepmd_lr.views.plotting

    value = value_of(EXP)
    curve = session(value, 0, 1000, 100) + session(
        restarted_rate(value, 999), 999, NUM_STEPS, 100
    )
    run = write_run(tmp_path / "run", EXP, curve)
    drawn: list[Any] = []
    draw = deepmd_lr.views.plotting.plot_logged_rates

    def spy(ax: Any, *args: Any, **options: Any) -> Any:
        drawn.append(draw(ax, *args, **options))
        return drawn[-1]

    monkeypatch.setattr(deepmd_lr.views.plotting, "plot_logged_rates", spy)
    image = tmp_path / "rates.png"
    status = main(
        ["plot", str(run / "input.json"), "--lcurve", str(run), "-o", str(image)]
    )
    _, err = capsys.readouterr()
    assert (status, err) == (0, ""), err
    assert image.read_bytes().startswith(b"\x89PNG")
    points = logged_points(drawn[0])
    rows = read_learning_curve(run / "lcurve.out")
    assert list(points.get_xdata()) == rows.steps.tolist()
    np.testing.assert_allclose(points.get_ydata(), rows.rates)
    assert "logged in lcurve.out" in [t.get_text() for t in drawn[0].get_legend().texts]


def test_plot_lcurve_of_a_garbled_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "run", WSD, "not a curve\n")
    argv = ["plot", str(run / "input.json"), "--lcurve", str(run / "lcurve.out")]
    status = main([*argv, "-o", str(tmp_path / "x.png")])
    _, err = capsys.readouterr()
    assert status == 1
    assert_one_clean_line(err)
    assert "a row before the header line" in err
    assert not (tmp_path / "x.png").exists()


# -- the example runs of the documentation -----------------------------------


def test_the_example_runs_are_what_their_script_writes(tmp_path: Path) -> None:
    runs = ROOT / "examples" / "runs"
    for name in ("wsd", "wsd_restarted"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "input.json").write_bytes(
            (runs / name / "input.json").read_bytes()
        )
    script = tmp_path / "write_runs.py"
    script.write_bytes((runs / "write_runs.py").read_bytes())
    subprocess.run(
        [sys.executable, str(script)],
        env={"PYTHONPATH": str(ROOT)},
        check=True,
        timeout=60,
    )
    for name in ("wsd", "wsd_restarted"):
        written = (tmp_path / name / "lcurve.out").read_text()
        assert written == (runs / name / "lcurve.out").read_text()


@pytest.mark.parametrize(("name", "status"), [("wsd", 0), ("wsd_restarted", 1)])
def test_the_example_runs_audit_as_documented(
    capsys: pytest.CaptureFixture[str], name: str, status: int
) -> None:
    run = ROOT / "examples" / "runs" / name
    assert audit(capsys, run, "--input", run / "input.json")[0] == status


# -- runs DeePMD-kit 3.1.3 really made ------------------------------------------

REAL_RUNS = Path(__file__).resolve().parent.parent / "examples" / "runs"


def test_a_real_deepmd_kit_run_followed_its_schedule() -> None:
    run = REAL_RUNS / "dp313_wsd"
    report = audit_run(run, run / "input.json")
    assert report.followed
    assert len(report.logged) == 60
    assert report.restarts == ()


def test_a_real_deepmd_kit_3_1_3_restart_is_recognised() -> None:
    run = REAL_RUNS / "dp313_wsd_restarted"
    report = audit_run(run, run / "input.json")
    assert not report.followed
    assert len(report.unexplained) == 0
    (restart,) = report.restarts
    # Restarted from model.ckpt-20.pt, which holds step 19.
    assert restart.start_step == 19
    assert restart.rows == 41


def test_a_schedule_at_zero_for_every_restart_step_is_no_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    section = {"type": "cosine", "start_lr": 1e-3, "stop_lr": 0.0}
    run = tmp_path / "run"
    run.mkdir()
    (run / "input.json").write_text(json.dumps(training_input(section, numb_steps=60)))
    (run / "lcurve.out").write_text(
        header() + row(1, 1e-3) + header() + row(100, 5e-4) + row(101, 5e-4)
    )
    status, out, err = audit(capsys, run, "--input", run / "input.json")
    assert (status, err) == (1, "")
    assert "departed from its schedule" in out


def plateau_run(tmp_path: Path, rows: list[str], numb_steps: int) -> Path:
    """A run on the plateau of a wsd schedule, restarted before ``rows``."""
    section = {**WSD, "decay_phase_ratio": 0.01}
    run = tmp_path / "run"
    run.mkdir()
    (run / "input.json").write_text(
        json.dumps(training_input(section, numb_steps=numb_steps))
    )
    (run / "lcurve.out").write_text(header() + row(1, 1e-4) + header() + "".join(rows))
    return run


def count_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of rates each call of ``rounds_to`` checks, from now on."""
    import deepmd_lr.audit.comparison
    import deepmd_lr.audit.restarts

    checks: list[int] = []
    rounds_to = deepmd_lr.audit.printing.rounds_to

    def counted(expected: Any, logged: Any) -> Any:
        checks.append(np.broadcast(expected, logged).size)
        return rounds_to(expected, logged)

    monkeypatch.setattr(deepmd_lr.audit.comparison, "rounds_to", counted)
    monkeypatch.setattr(deepmd_lr.audit.restarts, "rounds_to", counted)
    return checks


def test_rows_that_many_restart_steps_fit_cost_two_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A plateau: every start within the display interval explains the rows,
    # and only the latest and the earliest are reported, so only starts near
    # those two are checked row by row.
    rows = [row(10**5 + 1 + 10**5 * k, 1e-4) for k in range(50)]
    run = plateau_run(tmp_path, rows, 10**7)
    checks = count_checks(monkeypatch)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "the restart of DeePMD-kit 3.1.3" in out
    assert 0 < len(checks) < 10 * len(rows)


def test_a_plateau_whose_last_row_departs_costs_a_check_per_restart_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every restart step on the plateau gives every row its rate but the
    # last, so no step fits; each step is ruled out by that row alone, not
    # by a pass over the rows before it.
    rows = [row(10**5 + 1 + 10**5 * k, 1e-4) for k in range(199)]
    rows.append(row(10**5 + 1 + 10**5 * 199, 2e-4))
    run = plateau_run(tmp_path, rows, 10**8)
    checks = count_checks(monkeypatch)
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "3.1.3" not in out
    # 10**5 restart steps and 200 rows; the 201 rows against the schedule.
    assert sum(checks) < 2 * 10**5 + 10 * len(rows)


def test_the_restart_search_stops_after_its_checks_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A 3.1.3 restart, then one-row sessions 100,000 steps apart whose rate
    # no restart step gives: each costs 100,000 checks or more, so the search
    # stops before the last of them. The verdict is the same: they depart.
    num_steps = 10**8
    value = value_of_steps(WSD, num_steps)
    curve = session(value, 0, 1000, 100) + session(
        restarted_rate(value, 999), 999, 2000, 100
    )
    for k in range(60):
        curve += header() + row(10**6 + 10**5 * k, 0.0)
    run = write_run(tmp_path / "run", WSD, curve, numb_steps=num_steps)
    result = audit_run(run, run / "input.json")
    assert [r.start_step for r in result.restarts] == [999]
    assert 0 < result.unsearched < 60
    status, out, _ = audit(capsys, run, "--input", run / "input.json")
    assert status == 1
    assert "resumed at step 999" in out
    assert (
        f"{result.unsearched} departing sessions were not searched for the "
        "restart of DeePMD-kit 3.1.3: the search stops after 5,000,000 checks of a "
        "restart step"
    ) in out


def test_a_run_without_departing_sessions_has_none_unsearched(tmp_path: Path) -> None:
    value = value_of(WSD)
    run = write_run(tmp_path / "run", WSD, session(value, 0, NUM_STEPS, 100))
    assert audit_run(run, run / "input.json").unsearched == 0


@pytest.mark.parametrize("name", ["a" * 5000, "loop"])
def test_a_run_name_the_system_refuses_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (tmp_path / "input.json").write_text(json.dumps(training_input(WSD)))
    (tmp_path / "loop").symlink_to("loop")
    status, out, err = audit(
        capsys, tmp_path / name, "--input", tmp_path / "input.json"
    )
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "cannot write the output" not in err
    assert ("File name too long" if len(name) > 255 else "symbolic links") in err


def test_a_relative_error_past_the_float_range_is_infinite_without_a_warning() -> None:
    from deepmd_lr.audit.comparison import _relative_errors

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        errors = _relative_errors(np.array([0.33, 0.0]), np.array([5e-324, 0.0]))
    assert errors.tolist() == [math.inf, 0.0]
