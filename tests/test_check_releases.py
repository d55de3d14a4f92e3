"""``check --deepmd-version``: what a DeePMD-kit release does with the section."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr.cli.main import main
from deepmd_lr.deepmd.installed import default_deepmd_version
from deepmd_lr.deepmd.migration import migrate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

WSD = {"type": "wsd", "start_lr": 1e-3, "stop_lr": 1e-5}
WARMUP_FROM_ZERO = {"start_lr": 1e-3, "stop_lr": 1e-5, "warmup_steps": 100}


def check(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[dict[str, Any]]]:
    status = main(["check", "--format", "json", *argv])
    out, err = capsys.readouterr()
    assert err == ""
    return status, json.loads(out)


def write(path: Path, data: Any) -> str:
    path.write_text(json.dumps(data, indent=2))
    return str(path)


def codes(problems: list[dict[str, Any]]) -> list[str]:
    return [problem["code"] for problem in problems]


def test_wsd_is_a_warning_for_3_1_3_at_its_type_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "wsd.json", WSD)
    status, problems = check(capsys, "--deepmd-version", "3.1.3", name)
    assert status == 0
    [problem] = problems
    assert (problem["code"], problem["severity"]) == ("LW202", "warning")
    assert problem["path"] == "learning_rate/type"
    assert (problem["line"], problem["column"]) == (2, 3)
    assert "3.2.0" in problem["message"]


def test_wsd_is_fine_for_3_2_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "wsd.json", WSD)
    assert check(capsys, "--deepmd-version", "3.2.0", name) == (0, [])


def test_strict_fails_on_a_release_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "warmup.json", WARMUP_FROM_ZERO)
    status, problems = check(capsys, "--deepmd-version", "3.1.3", "--strict", name)
    assert (status, codes(problems)) == (1, ["LW201"])
    status, problems = check(capsys, "--deepmd-version", "3.2.0", "--strict", name)
    assert (status, problems) == (0, [])


def test_the_default_release_is_the_installed_one_or_3_1_3(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "warmup.json", WARMUP_FROM_ZERO)
    by_default = check(capsys, name)
    named = check(capsys, "--deepmd-version", str(default_deepmd_version()), name)
    assert by_default == named


def test_a_bad_release_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "wsd.json", WSD)
    assert main(["check", "--deepmd-version", "three", name]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--deepmd-version" in err
    assert "Traceback" not in err


def test_a_v1_input_is_converted_by_every_release_so_no_default_applies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # DeePMD-kit converts a v1-era decay_rate into stop_lr before any
    # release could fill its own default final rate: the input runs, with
    # the converter's rate, which the warning quotes as migrate writes it.
    path = EXAMPLES / "pre_2.0.json"
    status, problems = check(capsys, "--deepmd-version", "3.1.3", str(path))
    assert (status, codes(problems)) == (0, ["LW104"])
    migrated, _ = migrate(json.loads(path.read_text()))
    stop_lr = migrated["learning_rate"]["stop_lr"]
    assert f"sets stop_lr to {stop_lr!r}" in problems[0]["message"]
    assert "deepmd-lr migrate" in problems[0]["fix"]


def test_a_2_0_input_with_decay_rate_keeps_the_release_default_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {"type": "exp", "start_lr": 1e-3, "decay_rate": 0.95},
        "training": {"numb_steps": 1000},
    }
    name = write(tmp_path / "input.json", data)
    status, problems = check(capsys, "--deepmd-version", "3.1.3", name)
    assert status == 1
    assert sorted(codes(problems)) == ["LR107", "LW203"]


def test_a_warning_s_fix_is_its_own_field_in_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write(tmp_path / "warmup.json", WARMUP_FROM_ZERO)
    _, [problem] = check(capsys, "--deepmd-version", "3.1.3", name)
    assert "Fix:" not in problem["message"]
    assert problem["fix"].startswith("Fix: ")
    assert "warmup_start_factor" in problem["fix"]


def test_a_v1_input_s_stop_lr_replaced_by_the_converter_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {
            "type": "exp",
            "start_lr": 1e-3,
            "stop_lr": 1e-4,
            "decay_steps": 100,
            "decay_rate": 0.5,
        },
        "training": {"systems": ["a"], "stop_batch": 1000},
    }
    name = write(tmp_path / "v1.json", data)
    status, [problem] = check(capsys, "--strict", "--deepmd-version", "3.1.3", name)
    assert (status, problem["code"], problem["path"]) == (
        1,
        "LW104",
        "learning_rate/decay_rate",
    )
    migrated, _ = migrate(data)
    converted = migrated["learning_rate"]["stop_lr"]
    assert converted == 1e-3 * 0.5**10
    assert f"by {converted!r}" in problem["message"]
    # Without the v1 form, the same section means what it says.
    del data["training"]["systems"]
    name = write(tmp_path / "v2.json", data)
    assert check(capsys, "--strict", "--deepmd-version", "3.1.3", name) == (0, [])


def test_a_warmup_under_training_is_no_unknown_key_for_3_1_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = {
        "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 100},
        "training": {"numb_steps": 1000, "warmup_steps": 10},
    }
    name = write(tmp_path / "input.json", data)
    _, problems = check(capsys, "--deepmd-version", "3.1.2", name)
    assert codes(problems) == ["LW105"]
    # Written in learning_rate, 3.1.2 does not know the key.
    data["learning_rate"]["warmup_steps"] = data["training"].pop("warmup_steps")
    name = write(tmp_path / "input.json", data)
    _, problems = check(capsys, "--deepmd-version", "3.1.2", name)
    assert "LW204" in codes(problems)
