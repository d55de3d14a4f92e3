"""The ``deepmd-lr`` command, end to end, subcommand by subcommand."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr import BaseLR
from deepmd_lr.cli.main import main
from deepmd_lr.deepmd.reading import normalize
from deepmd_lr.describe.schema import json_schema
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.section.keys import COMMON_KEYS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
VALID_EXAMPLES = sorted(
    path.name
    for path in EXAMPLES.iterdir()
    if path.is_file() and not path.name.startswith("pre_")
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of examples/, made the working directory."""
    for path in EXAMPLES.iterdir():
        if path.is_file():
            shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def assert_one_clean_line(err: str) -> None:
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err


# -- usage -------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check"],
        ["show", "examples/input.json", "--num-steps", "-5"],
        ["show", "examples/input.json", "--num-steps", "ten"],
        ["plot", "examples/input.json"],
        ["migrate", "x.json", "-o", "y.json", "--in-place"],
        ["doc", "--format", "html"],
    ],
    ids=lambda argv: " ".join(argv) or "no arguments",
)
def test_usage_errors_exit_with_2(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    status, _, err = run(capsys, *argv)
    assert status == 2
    assert "usage: deepmd-lr" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from deepmd_lr import __version__

    status, out, _ = run(capsys, "--version")
    assert status == 0
    assert out.strip() == f"deepmd-lr {__version__}"


# -- check -------------------------------------------------------------------


def problem_lines(out: str) -> tuple[list[str], str]:
    """The problem lines of check's text output, and its summary line."""
    *lines, summary = out.splitlines()
    assert "Traceback" not in out
    return lines, summary


ONE_ERROR = "1 problem (1 error, 0 warnings) in 1 of 1 file"


def assert_one_problem(out: str, err: str, start: str) -> str:
    lines, summary = problem_lines(out)
    assert err == ""
    assert summary == ONE_ERROR
    assert len(lines) == 1, lines
    assert lines[0].startswith(start), lines[0]
    return lines[0]


@pytest.mark.parametrize("name", VALID_EXAMPLES)
def test_check_accepts_every_example(
    capsys: pytest.CaptureFixture[str], workdir: Path, name: str
) -> None:
    # Against a release that has every type and no warmup pitfall: the
    # default release is whichever DeePMD-kit is installed, if any.
    status, out, err = run(capsys, "check", "--deepmd-version", "3.2.0", name)
    assert (status, out, err) == (0, "no problems in 1 file\n", "")


def test_check_reports_every_problem_of_every_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = write(tmp_path / "good.json", {"start_lr": 1e-3, "stop_lr": 1e-5})
    bad = write(tmp_path / "bad.json", {"start_lr": 1e-3, "stop_lr": 1e-2})
    worse = write(tmp_path / "worse.json", {"start_lr": 1e-3, "stop_lr_ration": 0.1})
    status, out, err = run(capsys, "check", good, bad, worse)
    assert (status, err) == (1, "")
    lines, summary = problem_lines(out)
    assert len(lines) == 4
    column = Path(bad).read_text().index('"stop_lr"') + 1
    assert lines[0].startswith(f"{bad}:1:{column}: LR302 ")
    assert "learning_rate/stop_lr: " in lines[0]
    assert "0.01" in lines[0]
    # The misspelt key leaves no final rate: an error at the key, and the
    # missing value (an error, and a warning of what DeePMD-kit would fill)
    # at the section, which is the whole file.
    worse_lines = lines[1:]
    assert all(line.startswith(f"{worse}:1:") for line in worse_lines)
    column = Path(worse).read_text().index('"stop_lr_ration"') + 1
    [misspelt] = [line for line in worse_lines if " LR103 " in line]
    assert misspelt.startswith(f"{worse}:1:{column}: LR103 ")
    assert 'Did you mean "stop_lr_ratio"?' in misspelt
    codes = sorted(line.split()[1] for line in worse_lines)
    assert codes == ["LR103", "LR107", "LW203"]
    assert summary == "4 problems (3 errors, 1 warning) in 2 of 3 files"


def test_check_reads_a_whole_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = json.loads((EXAMPLES / "input.json").read_text())
    data["learning_rate"]["warmup_steps"] = 300000
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data, indent=4))
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    line = assert_one_problem(out, err, f"{path}:")
    written = path.read_text().splitlines()
    number, column = map(int, line.split(":")[1:3])
    assert written[number - 1][column - 1 :].startswith('"warmup_steps"')
    assert "learning_rate/warmup_steps: " in line
    assert "numb_steps" in line


def test_check_shows_the_migration_fix_on_one_line(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "check", "pre_3.1.3.json")
    assert status == 1
    section_line = next(
        number
        for number, text in enumerate(
            Path("pre_3.1.3.json").read_text().splitlines(), 1
        )
        if '"learning_rate"' in text
    )
    assert err == ""
    lines, summary = problem_lines(out)
    assert summary == "2 problems (1 error, 1 warning) in 1 of 1 file"
    [line] = [line for line in lines if " LR106 " in line]
    assert line.startswith(f"pre_3.1.3.json:{section_line}:")
    assert "learning_rate/start_lr: " in line
    assert "deepmd-lr migrate" in line
    [warning] = [line for line in lines if " LW203 " in line]
    assert warning.startswith(f"pre_3.1.3.json:{section_line}:")


def test_check_prints_adjustments_as_warnings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 5000},
        "training": {"numb_steps": 2000},
    }
    path = write(tmp_path / "short.json", data)
    status, out, err = run(capsys, "check", path)
    assert (status, err) == (0, "")
    lines, summary = problem_lines(out)
    assert len(lines) == 1
    assert re.match(rf"{re.escape(path)}:\d+:\d+: (LW102 )?warning: ", lines[0])
    assert "learning_rate/decay_steps" in lines[0]
    assert "5000" in lines[0]
    assert "decay_steps = 100" in lines[0]
    assert summary == "1 problem (0 errors, 1 warning) in 1 of 1 file"
    assert run(capsys, "check", "--strict", path)[0] == 1


def test_check_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", "does-not-exist.json")
    assert status == 1
    line = assert_one_problem(out, err, "does-not-exist.json:1:1: ")
    assert line == "does-not-exist.json:1:1: LR001 no such file"


def test_check_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, "check", str(tmp_path))
    assert status == 1
    line = assert_one_problem(out, err, f"{tmp_path}:1:1: LR001 ")
    assert "directory" in line


def test_check_malformed_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"start_lr": 1e-3,\n "stop_lr": }')
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    line = assert_one_problem(out, err, f"{path}:2:13: LR002 not valid JSON: ")
    assert "line 2" in line


def test_check_malformed_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("start_lr: [1\nstop_lr: 2\n")
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    assert_one_problem(out, err, f"{path}:2:8: LR002 not valid YAML: ")


def test_check_yaml_is_loaded_safely(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("start_lr: !!python/object/apply:os.system ['true']\n")
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    assert_one_problem(out, err, f"{path}:1:11: LR002 not valid YAML")


def test_check_yaml_exponent_without_dot_gets_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "section.yaml"
    path.write_text("start_lr: 1e-3\nstop_lr: 1.0e-5\n")
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    line = assert_one_problem(out, err, f"{path}:1:1: ")
    assert "learning_rate/start_lr" in line
    assert "YAML reads 1e-3 as text" in line
    assert "0.001" in line


@pytest.mark.parametrize("literal", ["1e-8", "5e3", "1E+22", "25e-301", "7e-324"])
def test_the_yaml_number_hint_reads_back_as_the_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, literal: str
) -> None:
    yaml = pytest.importorskip("yaml")
    path = tmp_path / "section.yaml"
    path.write_text(f"start_lr: 1.0e-3\nstop_lr: {literal}\n")
    status, out, _ = run(capsys, "check", str(path))
    assert status == 1
    match = re.search(r"e\.g\. (\S+)\)", out)
    assert match is not None, out
    suggested = yaml.safe_load(f"stop_lr: {match.group(1)}")["stop_lr"]
    assert isinstance(suggested, float)
    assert suggested == float(literal)


def test_yaml_without_pyyaml_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    status, out, err = run(capsys, "check", "cosine_warmup_ratio.yaml")
    assert status == 1
    line = assert_one_problem(out, err, "cosine_warmup_ratio.yaml:1:1: LR002 ")
    assert "PyYAML" in line
    assert "pip install pyyaml" in line


@pytest.mark.parametrize(
    ("text", "kind"), [("[1, 2]", "a list"), ("0.001", "0.001"), ("null", "null")]
)
def test_check_a_file_that_is_not_an_object(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, kind: str
) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    status, out, err = run(capsys, "check", str(path))
    assert status == 1
    line = assert_one_problem(out, err, f"{path}:1:1: LR003 ")
    assert "top level" in line
    assert kind in line


def test_check_bad_numb_steps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-5},
        "training": {"numb_steps": "many"},
    }
    path = write(tmp_path / "in.json", data)
    status, out, err = run(capsys, "check", path)
    assert status == 1
    column = Path(path).read_text().index('"numb_steps"') + 1
    line = assert_one_problem(out, err, f"{path}:1:{column}: LR401 ")
    assert " training/numb_steps: " in line


# -- normalize -----------------------------------------------------------------


def test_normalize_keeps_the_whole_input(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "normalize", "input.json")
    assert (status, err) == (0, "")
    original = json.loads((workdir / "input.json").read_text())
    result = json.loads(out)
    assert result == normalize(original)
    assert list(result) == list(original)
    for name in original:
        if name != "learning_rate":
            assert result[name] == original[name]
    assert result["learning_rate"]["scale_by_worker"] == "linear"


def test_normalize_a_bare_yaml_section(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, _ = run(capsys, "normalize", "cosine_warmup_ratio.yaml")
    assert status == 0
    result = json.loads(out)
    assert result["type"] == "cosine"
    assert result["warmup_ratio"] == 0.05
    assert result["stop_lr"] is None
    assert {key.name for key in COMMON_KEYS} <= set(result)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_normalize_writes_to_a_file(
    capsys: pytest.CaptureFixture[str], workdir: Path, suffix: str
) -> None:
    import yaml

    status, out, _ = run(capsys, "normalize", "exp.json", "-o", f"out{suffix}")
    assert (status, out) == (0, "")
    written = (workdir / f"out{suffix}").read_text()
    data = json.loads(written) if suffix == ".json" else yaml.safe_load(written)
    assert data["decay_steps"] == 5000
    assert data["smooth"] is False


def test_normalize_invalid_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.json", {"start_lr": True, "stop_lr": 1e-5})
    status, out, err = run(capsys, "normalize", path)
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    # The code, as check gives it, for deepmd-lr explain.
    assert err.startswith(f"{path}: LR201 learning_rate/start_lr: ")


def test_an_error_of_several_problems_ends_with_their_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "bad.json", {"type": "exp", "start_lr": -1})
    status, _, err = run(capsys, "show", path, "--num-steps", "100")
    assert status == 1
    assert_one_clean_line(err)
    assert err.startswith(f"{path}: 2 problems: ")
    assert err.rstrip().endswith("(codes LR204, LR107)")


def test_normalize_unwritable_output(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, _, err = run(capsys, "normalize", "exp.json", "-o", "no/such/dir/x.json")
    assert status == 1
    assert_one_clean_line(err)
    assert err.startswith("no/such/dir/x.json: cannot write the file")


# -- show ----------------------------------------------------------------------


def rate_lines(out: str) -> dict[int, tuple[float, str]]:
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s+step\s+(\d+)\s+(\S+)\s*(.*)$", line)
        if match:
            found[int(match[1])] = (float(match[2]), match[3])
    return found


def test_show_a_whole_input(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    status, out, err = run(capsys, "show", "input.json")
    assert (status, err) == (0, "")
    assert "training steps: 200000 (from training.numb_steps)" in out
    assert re.search(r"warmup\s+steps\s+0 to\s+2000 \(2000 steps\)", out)
    assert re.search(r"decay\s+steps\s+2000 to 200000 \(198000 steps\)", out)
    assert "decay rate: " in out
    assert "every 5000 steps" in out
    rates = rate_lines(out)
    tenths = {k * 20000 for k in range(11)}
    assert set(rates) == tenths | {2000}
    assert rates[0][1] == "start"
    assert rates[2000][1] == "end of warmup"
    assert rates[100000][1] == "50%"
    assert rates[200000][1] == "end"
    section = json.loads((workdir / "input.json").read_text())["learning_rate"]
    schedule = make_learning_rate_schedule(section, 200000)
    for step, (rate, _) in rates.items():
        assert rate == pytest.approx(schedule.value(step), rel=1e-5)


def test_show_a_bare_section_needs_the_number_of_steps(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "show", "cosine.json")
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "--num-steps" in err
    assert "numb_steps" in err


def test_show_with_num_steps(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    status, out, _ = run(capsys, "show", "cosine.json", "--num-steps", "1000")
    assert status == 0
    assert "training steps: 1000 (from --num-steps)" in out
    assert "decay rate" not in out
    rates = rate_lines(out)
    assert rates[0][0] == pytest.approx(1e-3)
    assert rates[500][0] == pytest.approx((1e-3 + 1e-6) / 2)
    assert rates[1000][0] == pytest.approx(1e-6)


def test_show_num_steps_overrides_the_input(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, _ = run(capsys, "show", "input.json", "--num-steps", "50000")
    assert status == 0
    assert "training steps: 50000 (from --num-steps)" in out
    assert 50000 in rate_lines(out)


def test_show_notes_an_adjusted_decay_steps(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "show", "exp.json", "--num-steps", "4000")
    assert (status, err) == (0, "")
    assert "decay_steps: 100\n" in out
    note = out.splitlines()[-1]
    assert note.startswith("  note: learning_rate/decay_steps: 5000")
    assert "100" in note


def test_show_a_stable_phase(capsys: pytest.CaptureFixture[str], workdir: Path) -> None:
    status, out, _ = run(capsys, "show", "wsd.json", "--num-steps", "100000")
    assert status == 0
    assert re.search(r"stable\s+steps\s+2000 to\s+80000", out)
    assert re.search(r"decay\s+steps\s+80000 to 100000", out)


def test_show_zero_training_steps(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, _ = run(capsys, "show", "cosine.json", "--num-steps", "0")
    assert status == 0
    assert rate_lines(out) == {0: (pytest.approx(1e-3), "start, end")}


def test_show_invalid_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", {"type": "cosine", "start_lr": 1e-3})
    status, out, err = run(capsys, "show", path, "--num-steps", "10")
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "learning_rate/stop_lr" in err


# -- plot ----------------------------------------------------------------------


@pytest.mark.parametrize("log", [False, True])
def test_plot_writes_an_image(
    capsys: pytest.CaptureFixture[str], workdir: Path, log: bool
) -> None:
    pytest.importorskip("matplotlib")
    argv = ["plot", "input.json", "-o", "curve.png"] + (["--log"] if log else [])
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    assert out.strip() == "wrote curve.png"
    assert (workdir / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("flags", "log"), [((), None), (("--log",), True), (("--linear",), False)]
)
def test_plot_leaves_the_axis_to_the_schedule_unless_told(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    flags: tuple[str, ...],
    log: bool | None,
) -> None:
    pytest.importorskip("matplotlib")
    import deepmd_lr.views.plotting

    asked = []
    draw = deepmd_lr.views.plotting.plot_schedule

    def spy(schedule: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs.get("log"))
        return draw(schedule, *args, **kwargs)

    monkeypatch.setattr(deepmd_lr.views.plotting, "plot_schedule", spy)
    status, _, err = run(capsys, "plot", "input.json", "-o", "curve.png", *flags)
    assert (status, err) == (0, "")
    assert asked == [log]


def test_plot_takes_one_axis_choice(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "plot", "x.json", "-o", "x.png", "--log", "--linear")
    assert status == 2
    assert "not allowed with argument" in err


def test_plot_without_matplotlib(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    status, _, err = run(capsys, "plot", "input.json", "-o", "curve.png")
    assert status == 1
    assert_one_clean_line(err)
    assert "matplotlib" in err
    assert "pip install '.[plot]'" in err
    assert not (workdir / "curve.png").exists()


def test_plot_needs_the_number_of_steps(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, _, err = run(capsys, "plot", "exp.json", "-o", "curve.png")
    assert status == 1
    assert_one_clean_line(err)
    assert "--num-steps" in err


def test_plot_to_an_unknown_image_format(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    pytest.importorskip("matplotlib")
    status, _, err = run(capsys, "plot", "input.json", "-o", "curve.notanimage")
    assert status == 1
    assert_one_clean_line(err)
    assert err.startswith("curve.notanimage: cannot write the image")


def test_plot_to_a_format_whose_tool_is_missing(
    capsys: pytest.CaptureFixture[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("matplotlib")
    # No LaTeX on the search path, which .pgf needs.
    monkeypatch.setenv("PATH", str(workdir))
    status, _, err = run(capsys, "plot", "input.json", "-o", "curve.pgf")
    assert status == 1
    assert_one_clean_line(err)
    assert err.startswith("curve.pgf: cannot write the image: ")
    assert "RuntimeError" not in err
    assert not (workdir / "curve.pgf").exists()


def test_plot_of_a_file_name_with_dollar_signs(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    pytest.importorskip("matplotlib")
    shutil.copy(workdir / "input.json", workdir / "p$_$.json")
    status, out, err = run(capsys, "plot", "p$_$.json", "-o", "curve.png")
    assert (status, out, err) == (0, "wrote curve.png\n", "")


def test_plot_of_extreme_rates_shows_no_warnings(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    pytest.importorskip("matplotlib")
    (workdir / "extreme.json").write_text(
        '{"type": "exp", "start_lr": 1e300, "stop_lr": 1e-300}'
    )
    argv = ["plot", "extreme.json", "--num-steps", "100", "--log", "-o", "curve.png"]
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        status, _, err = run(capsys, *argv)
    assert (status, err, [str(w.message) for w in shown]) == (0, "", [])
    assert (workdir / "curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- migrate -------------------------------------------------------------------


def test_migrate_prints_the_migrated_input_and_what_it_added(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "migrate", "pre_3.1.3.json")
    assert status == 0
    original = json.loads((workdir / "pre_3.1.3.json").read_text())
    migrated = json.loads(out)
    added = err.splitlines()
    assert [line.split(" = ")[0] for line in added] == [
        "pre_3.1.3.json: added learning_rate/start_lr",
        "pre_3.1.3.json: added learning_rate/stop_lr",
        "pre_3.1.3.json: added learning_rate/decay_steps",
    ]
    assert list(migrated) == list(original)
    for name in original:
        if name != "learning_rate":
            assert migrated[name] == original[name]
    section = migrated["learning_rate"]
    assert list(section) == [
        *original["learning_rate"],
        "start_lr",
        "stop_lr",
        "decay_steps",
    ]
    assert (section["start_lr"], section["stop_lr"], section["decay_steps"]) == (
        1e-3,
        1e-8,
        5000,
    )


def test_migrated_input_reproduces_the_old_schedule(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    run(capsys, "migrate", "pre_3.1.3.json", "-o", "migrated.json")
    migrated = json.loads((workdir / "migrated.json").read_text())
    num_steps = migrated["training"]["numb_steps"]
    schedule = make_learning_rate_schedule(migrated["learning_rate"], num_steps)
    old = BaseLR(
        type="exp", start_lr=1e-3, stop_lr=1e-8, decay_steps=5000, num_steps=num_steps
    )
    for step in range(0, 2 * num_steps, 997):
        assert schedule.value(step) == old.value(step)


def test_migrate_in_place_is_idempotent(
    capsys: pytest.CaptureFixture[str], workdir: Path
) -> None:
    status, out, err = run(capsys, "migrate", "pre_3.1.3.json", "--in-place")
    assert (status, err) == (0, "")
    assert len(out.splitlines()) == 3
    once = (workdir / "pre_3.1.3.json").read_bytes()
    status, out, _ = run(capsys, "migrate", "pre_3.1.3.json", "--in-place")
    assert status == 0
    assert out == "pre_3.1.3.json: nothing to add, already in the 3.1.3 form\n"
    assert (workdir / "pre_3.1.3.json").read_bytes() == once
    assert run(capsys, "check", "pre_3.1.3.json")[0] == 0


@pytest.mark.parametrize("name", VALID_EXAMPLES)
def test_migrate_leaves_a_valid_input_untouched(
    capsys: pytest.CaptureFixture[str], workdir: Path, name: str
) -> None:
    before = (workdir / name).read_bytes()
    status, out, _ = run(capsys, "migrate", name, "--in-place")
    assert status == 0
    assert "nothing to add" in out
    assert (workdir / name).read_bytes() == before


def test_migrate_a_yaml_section_keeps_its_key_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import yaml

    path = tmp_path / "old.yaml"
    path.write_text("_note: old run\ntype: exp\nwarmup_steps: 10\n")
    status, out, _ = run(capsys, "migrate", str(path), "--in-place")
    assert status == 0
    assert "added start_lr = 0.001" in out
    data = yaml.safe_load(path.read_text())
    assert list(data) == [
        "_note",
        "type",
        "warmup_steps",
        "start_lr",
        "stop_lr",
        "decay_steps",
    ]


def test_migrate_keeps_stop_lr_ratio(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "old.json", {"type": "cosine", "stop_lr_ratio": 0.01})
    status, out, err = run(capsys, "migrate", path)
    assert status == 0
    assert json.loads(out) == {
        "type": "cosine",
        "stop_lr_ratio": 0.01,
        "start_lr": 1e-3,
    }
    assert err.count("added") == 1


def test_migrate_reports_what_is_still_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path / "old.json", {"type": "exp", "smoth": True})
    status, out, err = run(capsys, "migrate", path, "-o", str(tmp_path / "new.json"))
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "learning_rate/smoth" in err
    assert err.endswith("(after migration; nothing was written)\n")
    assert not (tmp_path / "new.json").exists()


def test_migrate_converts_a_v1_decay_rate_into_a_valid_input_with_its_rates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old = {
        "model": {},
        "learning_rate": {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 100},
        "training": {"systems": ["data"], "stop_batch": 2000},
    }
    path = write(tmp_path / "v1.json", old)
    new_path = str(tmp_path / "new.json")
    status, out, _ = run(capsys, "migrate", path, "-o", new_path)
    assert status == 0
    assert out.splitlines() == [
        f"{path}: added learning_rate/stop_lr = {1e-3 * 0.95**20!r}: from decay_rate "
        "0.95 every 100 steps over the 2000 steps of training/stop_batch "
        "(DeePMD-kit's input converter)",
        f"{path}: removed learning_rate/decay_rate (was 0.95): DeePMD-kit's input "
        "converter replaces it by stop_lr in a v1-era input (one whose training "
        "section lists systems)",
    ]
    assert run(capsys, "check", new_path)[0] == 0
    new = json.loads(Path(new_path).read_text())
    assert new["training"] == old["training"]
    schedule = make_learning_rate_schedule(new["learning_rate"], 2000)
    for step in range(0, 20001, 7):
        want = 1e-3 * 0.95 ** min(step // 100, 20)
        assert schedule.value(step) == pytest.approx(want, rel=1e-12)


def test_migrate_prints_no_note_for_a_value_it_keeps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(
        tmp_path / "short.json",
        {
            "learning_rate": {"start_lr": 1e-3, "decay_steps": 1},
            "training": {"numb_steps": 1},
        },
    )
    status, out, err = run(capsys, "migrate", path, "-o", str(tmp_path / "new.json"))
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"{path}: added learning_rate/stop_lr = 1e-08: the default of releases "
        "before 3.1.3",
    ]
    status, out, err = run(capsys, "show", str(tmp_path / "new.json"))
    assert status == 0
    assert "is used instead" not in out + err


def test_migrate_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "migrate", "nowhere.json", "--in-place")
    assert (status, out) == (1, "")
    assert err == "nowhere.json: no such file\n"


# -- doc and schema ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "rst"])
def test_doc_lists_every_declared_key(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    status, out, _ = run(capsys, "doc", "--format", fmt)
    assert status == 0
    # The rst links the key names in the text; read them as plain names.
    text = re.sub(r"\|key:[^|]*/(\w+)\|_|``(\w+)``", lambda m: m[1] or m[2], out)
    for key in COMMON_KEYS:
        assert f"learning_rate/{key.name}" in out
        assert key.doc.split(".")[0] in text
    for name, cls in BaseLR.get_plugins().items():
        for key in cls.variant_keys:
            assert f"learning_rate[{name}]/{key.name}" in out


def test_doc_defaults_to_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "doc")
    assert out.startswith("# `learning_rate`")


def test_schema_to_stdout_and_to_a_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "schema")
    assert status == 0
    assert json.loads(out) == json_schema()
    target = tmp_path / "lr.schema.json"
    status, out, _ = run(capsys, "schema", "-o", str(target))
    assert (status, out) == (0, "")
    assert json.loads(target.read_text()) == json_schema()


# -- as a program --------------------------------------------------------------


def python_m(*argv: str, module: str = "deepmd_lr") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_python_m_show() -> None:
    result = python_m("show", "examples/input.json")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("examples/input.json\n  type: exp\n")
    assert result.stderr == ""


def test_python_m_check_failure_has_no_traceback() -> None:
    result = python_m("check", "examples/pre_3.1.3.json", "missing.json")
    assert (result.returncode, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert lines[2] == "missing.json:1:1: LR001 no such file"
    assert "Traceback" not in result.stdout


def test_python_m_usage_error() -> None:
    result = python_m("show")
    assert result.returncode == 2
    assert "usage: deepmd-lr show" in result.stderr


def test_python_m_cli_module_runs_the_command() -> None:
    result = python_m("check", "examples/exp.json", module="deepmd_lr.cli.main")
    assert (result.returncode, result.stdout) == (0, "no problems in 1 file\n")


def test_show_of_a_v1_input_says_what_deepmd_kit_runs_instead(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {
            "start_lr": 1e-3,
            "decay_rate": 0.5,
            "decay_steps": 100,
            "stop_lr": 1e-4,
        },
        "training": {"systems": ["a"], "stop_batch": 1000},
    }
    status, out, err = run(capsys, "show", write(tmp_path / "v1.json", data))
    assert (status, err) == (0, "")
    assert "(from training.stop_batch)" in out
    [note] = [line for line in out.splitlines() if "note:" in line]
    assert "replaces stop_lr 0.0001 by 9.765625e-07" in note


def test_help_lists_the_commands_in_the_order_of_work(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    listed = [
        line.split()[0]
        for line in out.split("COMMAND\n", 1)[1].splitlines()
        if line.startswith("    ") and not line.startswith("      ")
    ]
    assert listed == [
        "check",
        "normalize",
        "show",
        "plot",
        "audit",
        "migrate",
        "doc",
        "schema",
        "explain",
    ]
