"""``read_run_input``: an input file as DeePMD-kit runs it, the one reading
behind auditing (and showing) a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr.deepmd.reading import read_run_input, survey_run_input, where_written
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.schedules.building import find_warnings
from deepmd_lr.section.errors import LearningRateConfigError

SECTION = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-6, "decay_steps": 100}


def written(tmp_path: Path, content: Any, name: str = "input.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_whole_input_gives_its_section_length_and_nothing_to_note(
    tmp_path: Path,
) -> None:
    data = {"learning_rate": SECTION, "training": {"numb_steps": 2000}}
    run = read_run_input(written(tmp_path, data))
    assert (run.section, run.num_steps, run.notes) == (SECTION, 2000, ())
    assert (run.num_steps_key, run.training) == ("numb_steps", {"numb_steps": 2000})
    assert run.data == data


def test_a_v1_input_runs_the_stop_lr_of_deepmd_kits_converter(tmp_path: Path) -> None:
    section = {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 5000}
    training = {"systems": ["d"], "stop_batch": 400000}
    run = read_run_input(
        written(tmp_path, {"learning_rate": section, "training": training})
    )
    assert run.section == {
        "start_lr": 1e-3,
        "decay_steps": 5000,
        "stop_lr": 1.6515374385013575e-05,
    }
    assert (run.num_steps, run.num_steps_key) == (400000, "stop_batch")
    assert [(note.code, note.path) for note in run.notes] == [
        ("LW104", "learning_rate/decay_rate")
    ]


def test_a_bare_section_is_run_as_written_without_a_length(tmp_path: Path) -> None:
    run = read_run_input(written(tmp_path, SECTION))
    assert (run.section, run.num_steps, run.num_steps_key, run.training) == (
        SECTION,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "[1, 2]",
            "expected an object of keys and values at the top level, got a list",
        ),
        ("null", "got null"),
        (
            json.dumps({"use_smooth": True, "systems": ["d"]}),
            "use_smooth and systems at the top level make this a DeePMD-kit 0.x input",
        ),
        ("{", ""),
    ],
)
def test_a_file_that_is_no_input_is_an_input_file_error_naming_it(
    tmp_path: Path, content: str, message: str
) -> None:
    path = written(tmp_path, content)
    with pytest.raises(InputFileError) as caught:
        read_run_input(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("name", "text", "path", "said"),
    [
        (
            "input.json",
            '{"learning_rate": {"start_lr": 1e-3, "start_lr": 2e-3, "stop_lr": 1e-6},'
            ' "training": {"numb_steps": 10}}',
            "learning_rate/start_lr",
            "the key is given more than once (again at line 1), so",
        ),
        (
            "section.yaml",
            "start_lr: 1.0e-3\nstop_lr: 1.0e-6\nstop_lr: 1.0e-7\n",
            "learning_rate/stop_lr",
            "the key is given more than once (again at line 3), so",
        ),
    ],
)
def test_a_key_repeated_in_the_section_is_refused(
    tmp_path: Path, name: str, text: str, path: str, said: str
) -> None:
    pytest.importorskip("yaml")
    with pytest.raises(LearningRateConfigError) as caught:
        read_run_input(written(tmp_path, text, name))
    assert caught.value.path == path
    assert said in str(caught.value)


def test_a_key_repeated_outside_the_section_is_read_with_its_last_value(
    tmp_path: Path,
) -> None:
    text = (
        '{"learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-6},'
        ' "training": {"numb_steps": 10, "numb_steps": 20}}'
    )
    run = read_run_input(written(tmp_path, text))
    assert run.num_steps == 20


def test_every_problem_is_placed_where_the_input_writes_it(tmp_path: Path) -> None:
    data = {
        "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-6},
        "training": {"numb_steps": 100, "warmup_steps": 500},
    }
    with pytest.raises(LearningRateConfigError) as caught:
        read_run_input(written(tmp_path, data))
    assert caught.value.path == "training/warmup_steps"


def test_a_warning_of_a_moved_key_is_placed_where_the_input_writes_it() -> None:
    data = {
        "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-5},
        "training": {"numb_steps": 10, "warmup_ratio": 0.05},
    }
    run, problems = survey_run_input(data)
    assert problems == []
    [rounded] = [w for w in find_warnings(run.section, 10) if w.code == "LW103"]
    assert rounded.path == "learning_rate/warmup_ratio"
    placed = where_written(rounded, run.origins)
    assert (placed.path, placed.code) == ("training/warmup_ratio", "LW103")
    assert str(placed) == str(rounded).replace(
        "learning_rate/warmup_ratio:", "training/warmup_ratio:"
    )
