"""Warnings that know DeePMD-kit's trainer: ``--backend``, found beside the input."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr.cli.main import main
from deepmd_lr.deepmd.releases import release_warnings
from deepmd_lr.deepmd.trainers import detect_backend

WARMUP_FROM_ZERO = {"start_lr": 1e-3, "stop_lr": 1e-5, "warmup_steps": 100}
SCALED = {"start_lr": 1e-3, "stop_lr": 1e-5, "scale_by_worker": "sqrt"}
DECAY_RATE = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "decay_rate": 0.95}


def codes(
    section: dict[str, Any],
    version: str,
    backend: str | None,
    workers: int | None = None,
    num_steps: int = 10_000,
) -> list[str]:
    found = release_warnings(section, num_steps, version, backend, workers)
    return [warning.code for warning in found]


@pytest.mark.parametrize(
    ("backend", "version", "warned"),
    [
        (None, "3.1.3", True),
        ("pt", "3.1.3", True),
        ("pt", "3.2.0b0", False),
        ("pt_expt", "3.1.3", True),
        ("pt_expt", "3.2.0b0", True),
        ("pt_expt", "3.2.0", False),
        ("tf", "3.1.3", False),
        ("pd", "3.1.3", False),
    ],
)
def test_a_warmup_from_zero_stops_only_the_pytorch_trainers(
    backend: str | None, version: str, warned: bool
) -> None:
    assert ("LW201" in codes(WARMUP_FROM_ZERO, version, backend)) == warned


def test_the_warmup_warning_names_the_trainer_and_its_command() -> None:
    [warning] = release_warnings(WARMUP_FROM_ZERO, 1000, "3.1.3", "pt_expt")
    assert "PyTorch-exportable trainer" in str(warning)
    assert "dp --pt-expt train" in str(warning)
    [unknown] = release_warnings(WARMUP_FROM_ZERO, 1000, "3.1.3")
    assert str(unknown) == str(*release_warnings(WARMUP_FROM_ZERO, 1000, "3.1.3", "pt"))


@pytest.mark.parametrize(
    ("backend", "version", "expected"),
    [
        ("pt", "3.0.0", ["LW209"]),
        ("pt", "2.2.11", ["LW212"]),
        ("pd", "3.1.0", ["LW209"]),
        ("pd", "3.0.3", ["LW212"]),
        ("pt_expt", "3.1.3", ["LW209"]),
        ("pt_expt", "3.1.2", ["LW212"]),
        ("pt", "3.2.0", ["LW209"]),
        (None, "3.1.3", []),
        ("tf", "3.1.3", ["LW210"]),
    ],
)
def test_scale_by_worker_is_read_by_the_tensorflow_trainer_only(
    backend: str | None, version: str, expected: list[str]
) -> None:
    assert codes(SCALED, version, backend) == expected


def test_scale_by_worker_none_asks_for_what_every_trainer_does() -> None:
    section = SCALED | {"scale_by_worker": "none"}
    for backend in ("tf", "pt", "pd", "pt_expt"):
        assert codes(section, "3.1.3", backend, workers=8) == []


def test_the_tensorflow_default_scales_with_more_than_one_worker_only() -> None:
    section = {"start_lr": 1e-3, "stop_lr": 1e-5}
    assert codes(section, "3.1.3", "tf") == []
    assert codes(section, "3.1.3", "tf", workers=1) == []
    [warning] = release_warnings(section, 1000, "3.1.3", "tf", workers=4)
    assert warning.code == "LW210"
    assert "by 4 (linear, 4 Horovod workers)" in str(warning)
    [warning] = release_warnings(SCALED, 1000, "3.1.3", "tf", workers=4)
    assert "by 2 (sqrt, 4 Horovod workers)" in str(warning)


def test_releases_before_scale_by_worker_do_not_scale() -> None:
    section = {"start_lr": 1e-3, "stop_lr": 1e-5}
    assert codes(section, "2.0.2", "tf", workers=4) == ["LW210"]
    assert codes(section, "2.0.1", "tf", workers=4) == []


@pytest.mark.parametrize(
    ("backend", "version", "kind", "warned"),
    [
        ("pt_expt", "3.1.3", "cosine", True),
        ("pt_expt", "3.2.0b0", "wsd", True),
        ("pt_expt", "3.2.0", "cosine", False),
        ("pt_expt", "3.1.3", "exp", False),
        ("pt", "3.1.3", "cosine", False),
        (None, "3.1.3", "cosine", False),
    ],
)
def test_the_pytorch_exportable_trainer_of_3_1_3_ignores_the_type(
    backend: str | None, version: str, kind: str, warned: bool
) -> None:
    section = {"type": kind, "start_lr": 1e-3, "stop_lr": 1e-5}
    assert ("LW211" in codes(section, version, backend)) == warned


@pytest.mark.parametrize(
    ("backend", "version", "expected"),
    [
        (None, "3.0.0", ["LW206", "LW207"]),
        ("tf", "3.0.0", ["LW206"]),
        ("pt", "3.0.0", ["LW207"]),
        ("pd", "3.1.0", ["LW207"]),
        ("pt", "3.1.3", []),
    ],
)
def test_decay_rate_warnings_concern_their_own_trainers(
    backend: str | None, version: str, expected: list[str]
) -> None:
    assert codes(DECAY_RATE, version, backend, num_steps=4000) == expected


def test_the_decay_steps_warning_names_the_paddle_trainer() -> None:
    [warning] = release_warnings(DECAY_RATE, 4000, "3.1.0", "pd")
    assert "the Paddle trainer of DeePMD-kit 3.0.0 to 3.1.2" in str(warning)


def test_an_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match='"jax" is not one of tf, pt, pd, pt_expt'):
        release_warnings(SCALED, 1000, "3.1.3", "jax")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            ["model.ckpt.index", "model.ckpt-20.index", "checkpoint"],
            ("tf", "model.ckpt-20.index"),
        ),
        (["frozen_model.pb"], ("tf", "frozen_model.pb")),
        (["model.ckpt-20.pt", "model.ckpt.pt"], ("pt", "model.ckpt-20.pt")),
        (["model.pt"], ("pt", "model.pt")),
        (["model.ckpt-40.pd"], ("pd", "model.ckpt-40.pd")),
        (["lcurve.out", "checkpoint", "model.ckpt-20.data-00000-of-00001"], None),
        (["model.ckpt-20.pt", "model.ckpt-20.pd"], None),
        (["my_model.ckpt-20.pt", "model.ckpt-x.pd"], None),
    ],
)
def test_the_backend_is_detected_only_where_certain(
    tmp_path: Path, files: list[str], expected: tuple[str, str] | None
) -> None:
    for name in files:
        (tmp_path / name).touch()
    detected = detect_backend(str(tmp_path / "input.json"))
    found = None if detected is None else (detected.backend, detected.evidence)
    assert found == expected


def test_a_directory_that_cannot_be_listed_shows_no_backend(tmp_path: Path) -> None:
    assert detect_backend(str(tmp_path / "missing" / "input.json")) is None


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write_run(directory: Path, section: dict[str, Any], *files: str) -> str:
    directory.mkdir()
    for name in files:
        (directory / name).touch()
    path = directory / "input.json"
    data = {"learning_rate": section, "training": {"numb_steps": 10_000}}
    path.write_text(json.dumps(data))
    return str(path)


def test_check_says_which_trainer_it_found_and_checks_for_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write_run(tmp_path / "run", SCALED, "model.ckpt-20.pd")
    status, out, err = run(
        capsys, "check", "--format", "json", "--deepmd-version", "3.1.3", name
    )
    assert (status, [problem["code"] for problem in json.loads(out)]) == (0, ["LW209"])
    assert "Paddle trainer" in json.loads(out)[0]["message"]
    assert err == (
        f"{name}: checked for the trainer pd, detected from model.ckpt-20.pd "
        "beside the input\n"
    )
    # --backend wins, and says nothing.
    status, out, err = run(capsys, "check", "--format", "json", "--backend", "tf", name)
    assert (status, [p["code"] for p in json.loads(out)], err) == (0, ["LW210"], "")


def test_check_without_a_trainer_warns_as_for_every_trainer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write_run(tmp_path / "run", SCALED, "model.ckpt-20.pt", "model.ckpt-20.pd")
    assert run(capsys, "check", "--deepmd-version", "3.1.3", name) == (
        0,
        "no problems in 1 file\n",
        "",
    )


def test_check_of_standard_input_takes_the_backend_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(SCALED).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(capsys, "check", "--format", "json", "--backend", "pt", "-")
    assert (status, [problem["code"] for problem in json.loads(out)]) == (0, ["LW209"])


def test_show_prints_the_rates_a_tensorflow_run_trains_with(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    section = {"type": "cosine", "start_lr": 1e-3, "stop_lr": 1e-5}
    name = write_run(tmp_path / "run", section, "model.ckpt.index")
    status, out, err = run(capsys, "show", "--workers", "4", name)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[1] == "  trainer: tf, detected from model.ckpt.index beside the input"
    start = lines.index(
        "  rates trained with 4 Horovod workers (x4, scale_by_worker linear; "
        "lcurve.out logs the rates above):"
    )
    assert lines[start + 1].split()[:3] == ["step", "0", "0.004"]
    assert lines[start + 11].split()[:4] == ["step", "10000", "4e-05", "end"]
    assert "note: LW210 learning_rate/scale_by_worker:" in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["--backend", "pt", "--workers", "4"],
            "the rates above (the pt trainer does not scale them)",
        ),
        (
            ["--backend", "tf", "--workers", "1"],
            "rates trained with 1 workers: the rates above",
        ),
    ],
)
def test_show_says_when_the_workers_change_no_rate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], said: str
) -> None:
    name = write_run(tmp_path / "run", {"start_lr": 1e-3, "stop_lr": 1e-5})
    status, out, _ = run(capsys, "show", *argv, name)
    assert status == 0
    assert said in out
    assert "LW210" not in out


def test_show_needs_the_trainer_for_workers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = write_run(tmp_path / "run", SCALED)
    status, out, err = run(capsys, "show", "--workers", "4", name)
    assert (status, out) == (1, "")
    assert "--workers needs the trainer" in err
    # Without a trainer, show is as before: no trainer line and no release note.
    status, out, _ = run(capsys, "show", name)
    assert status == 0
    assert "trainer:" not in out
    assert "LW2" not in out


# -- LW213: a warmup under training, which TensorFlow 3.0.0 to 3.1.2 never read --

MOVED_WARMUP = {"start_lr": 1e-3, "stop_lr": 1e-8, "warmup_steps": 100}


@pytest.mark.parametrize(
    ("backend", "version", "warned"),
    [
        ("tf", "2.2.11", False),
        ("tf", "3.0.0b0", True),
        ("tf", "3.1.2", True),
        ("tf", "3.1.3rc1", True),
        ("tf", "3.1.3", False),
        ("pt", "3.1.2", False),
        ("pd", "3.1.2", False),
        (None, "3.1.2", False),
    ],
)
def test_tensorflow_before_3_1_3_ignores_a_warmup_under_training(
    backend: str | None, version: str, warned: bool
) -> None:
    found = release_warnings(
        MOVED_WARMUP, 10_000, version, backend, from_training=["warmup_steps"]
    )
    assert ("LW213" in [warning.code for warning in found]) == warned


def test_a_warmup_written_in_the_section_draws_no_lw213() -> None:
    found = release_warnings(MOVED_WARMUP, 10_000, "3.1.2", "tf")
    assert "LW213" not in [warning.code for warning in found]


def test_check_places_lw213_at_the_key_under_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "input.json"
    path.write_text(
        '{"learning_rate": {"type": "exp", "start_lr": 0.001, "stop_lr": 1e-08},\n'
        ' "training": {"numb_steps": 10000, "warmup_steps": 100}}\n'
    )
    argv = ["check", "--deepmd-version", "3.1.2", "--backend", "tf", str(path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"{path}:2:36: LW213 warning: training/warmup_steps: " in out
    # A key in the place these releases read it is not unknown to them.
    assert "LW204" not in out
