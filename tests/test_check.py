"""``deepmd-lr check`` as a linter: positions, codes, formats, stdin, start-up."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr.cli.main import main
from deepmd_lr.files.reader import KeyPath, KeyPosition, parse_input
from deepmd_lr.lint.check import Problem, check_file, check_text
from deepmd_lr.lint.report import github_line
from deepmd_lr.section.codes import CODES

ROOT = Path(__file__).resolve().parent.parent
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

yaml = pytest.importorskip("yaml")

WHOLE_JSON = """{
    "model": {"type_map": ["O", "H"]},
    "learning_rate": {
        "type": "exp",
        "start_lr": 0.001,
        "stop_lr": 1e-08,
        "decay_steps": 5000
    },
    "training": {
        "numb_steps": 100000
    }
}
"""

WHOLE_YAML = """\
model:
  type_map: [O, H]
learning_rate:
  type: exp
  start_lr: 0.001
  stop_lr: 1.0e-8
  decay_steps: 5000
training:
  stop_batch: 100000
"""


def where(text: str, needle: str) -> tuple[int, int]:
    """The line and column (from 1) of the first ``needle`` in ``text``."""
    offset = text.index(needle)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- positions -----------------------------------------------------------------


def key_positions(text: str, fmt: str) -> dict[KeyPath, KeyPosition]:
    return parse_input(text, fmt).key_positions


@pytest.mark.parametrize(
    ("text", "fmt", "quote", "steps"),
    [(WHOLE_JSON, "json", '"', "numb_steps"), (WHOLE_YAML, "yaml", "", "stop_batch")],
)
def test_every_section_key_and_the_training_length_have_their_position(
    text: str, fmt: str, quote: str, steps: str
) -> None:
    positions = key_positions(text, fmt)
    for name in ("type", "start_lr", "stop_lr", "decay_steps"):
        key = f"{quote}{name}{quote}"
        line, column = where(text, key if quote else f"{key}:")
        span = positions[("learning_rate", name)]
        assert span == (line, column, line, column + len(key))
    assert positions[("learning_rate",)][:2] == where(text, f"{quote}learning_rate")
    assert positions[("training", steps)][:2] == where(text, f"{quote}{steps}")


def test_json_positions_skip_strings_that_look_like_structure() -> None:
    text = '{"a": ["{", {"b": "\\"}, \\"c\\": 1"}], "d": {"e": 2}}'
    positions = key_positions(text, "json")
    assert set(positions) == {("a",), ("a", 1, "b"), ("d",), ("d", "e")}
    assert positions[("d", "e")][:2] == where(text, '"e"')


def test_json_positions_count_characters_not_bytes() -> None:
    text = '{"é€": 1,\n  "stop_lr": 2}'
    assert key_positions(text, "json")[("stop_lr",)][:2] == (2, 3)


def test_a_repeated_key_is_placed_at_its_last_occurrence() -> None:
    text = '{"start_lr": 1, "stop_lr": 2, "start_lr": 3}'
    assert key_positions(text, "json")[("start_lr",)][:2] == (1, 31)
    assert key_positions("a: 1\nb: 2\na: 3\n", "yaml")[("a",)][:2] == (3, 1)


def test_yaml_merged_keys_are_placed_where_the_merged_mapping_writes_them() -> None:
    text = "base: &b\n  start_lr: 0.001\n  stop_lr: 1.0e-8\nlearning_rate:\n  <<: *b\n  stop_lr: 1.0e-9\n"
    positions = key_positions(text, "yaml")
    assert positions[("learning_rate", "start_lr")][:2] == (2, 3)
    assert positions[("learning_rate", "stop_lr")][:2] == (6, 3)


# -- problems ----------------------------------------------------------------


def test_a_bad_value_is_reported_at_its_key_with_its_fix() -> None:
    text = WHOLE_JSON.replace("1e-08", "-1.0")
    [problem] = check_text(text, "in.json", "json")
    assert (problem.line, problem.column) == where(text, '"stop_lr"')
    assert (problem.severity, problem.path) == ("error", "learning_rate/stop_lr")
    assert problem.code == "LR204"
    assert problem.fix.startswith("Fix: ")
    assert "-1.0" in problem.message


def test_a_missing_key_is_reported_at_the_section() -> None:
    text = WHOLE_YAML.replace("  start_lr: 0.001\n", "")
    [problem] = check_text(text, "in.yaml", "yaml")
    assert (problem.line, problem.column) == where(text, "learning_rate:")
    assert (problem.code, problem.path) == ("LR106", "learning_rate/start_lr")


def test_every_problem_of_a_section_is_at_its_own_key_with_its_code() -> None:
    text = (
        WHOLE_YAML.replace("start_lr: 0.001", "start_lr: -1.0")
        .replace(
            "decay_steps: 5000", "decay_steps: 5000\n  smooth: 1\n  stop_lr_ratio: 0.1"
        )
        .replace("type: exp", "type: exp\n  warmup_step: 3")
    )
    problems = check_text(text, "in.yaml", "yaml")
    found = {(p.code, p.path, p.line, p.column) for p in problems}
    assert found == {
        ("LR103", "learning_rate/warmup_step", *where(text, "warmup_step:")),
        ("LR204", "learning_rate/start_lr", *where(text, "start_lr:")),
        ("LR201", "learning_rate/smooth", *where(text, "smooth:")),
        ("LR301", "learning_rate/stop_lr", *where(text, "stop_lr:")),
    }


def test_a_missing_key_of_a_bare_section_is_reported_at_the_start() -> None:
    [problem] = check_text('\n\n{"start_lr": 0.001}', "in.json", "json")
    assert (problem.line, problem.column) == (1, 1)


@pytest.mark.parametrize(
    ("text", "fmt", "code", "line", "column"),
    [
        ('{"start_lr": 1e-3,\n "stop_lr": }', "json", "LR002", 2, 13),
        ("start_lr: [1\nstop_lr: 2\n", "yaml", "LR002", 2, 8),
        ("[1, 2]", "json", "LR003", 1, 1),
        (
            '{"learning_rate": {"start_lr": 1, "start_lr": 2, "stop_lr": 0}}',
            "json",
            "LR004",
            1,
            35,
        ),
        ('{"training": {"numb_steps": 10}}', "json", "LR005", 1, 1),
        (
            '{"learning_rate": {"start_lr": 1, "stop_lr": 0.1},\n'
            ' "training": {"numb_steps": -1}}',
            "json",
            "LR401",
            2,
            15,
        ),
    ],
)
def test_file_level_problems_have_their_code_and_position(
    text: str, fmt: str, code: str, line: int, column: int
) -> None:
    [problem] = check_text(text, "in", fmt)
    assert (problem.code, problem.line, problem.column) == (code, line, column)
    assert problem.severity == "error"
    assert code in CODES


def test_an_unreadable_file_is_lr001(tmp_path: Path) -> None:
    [problem] = check_file(str(tmp_path / "missing.json"))
    assert (problem.code, problem.line, problem.column) == ("LR001", 1, 1)
    assert problem.message == "no such file"


def test_a_key_repeated_outside_the_section_is_a_warning_where_it_is_repeated() -> None:
    text = WHOLE_YAML + "model:\n  type_map: [H]\n"
    problems = check_text(text, "in.yaml", "yaml")
    assert [(p.code, p.severity, p.path) for p in problems] == [
        ("LW101", "warning", "model")
    ]
    assert problems[0].line == 10


# -- the command ---------------------------------------------------------------


def test_zero_problems_has_a_summary_and_status_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    paths = []
    for name, text in (("a.json", WHOLE_JSON), ("b.yaml", WHOLE_YAML)):
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    assert run(capsys, "check", *paths) == (0, "no problems in 2 files\n", "")


def test_json_format_is_a_list_of_documented_objects(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(WHOLE_JSON.replace("0.001", '"fast"'))
    good = tmp_path / "good.json"
    good.write_text(WHOLE_JSON)
    status, out, err = run(capsys, "check", "--format", "json", str(good), str(bad))
    assert (status, err) == (1, "")
    [problem] = json.loads(out)
    assert set(problem) == {
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "code",
        "severity",
        "path",
        "message",
        "fix",
        "url",
    }
    line, column = where(bad.read_text(), '"start_lr"')
    assert problem["file"] == str(bad)
    assert (problem["line"], problem["column"]) == (line, column)
    assert (problem["end_line"], problem["end_column"]) == (line, column + 10)
    assert (problem["severity"], problem["path"]) == ("error", "learning_rate/start_lr")
    assert problem["url"] == f"codes.html#{problem['code'].lower()}"
    assert run(capsys, "check", "--format", "json", str(good)) == (0, "[]\n", "")


def test_github_format_annotates_each_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "in.json"
    path.write_text(WHOLE_JSON.replace("1e-08", "-1.0"))
    status, out, err = run(capsys, "check", "--format", "github", str(path))
    assert (status, err) == (1, "")
    annotation, summary = out.splitlines()
    line, column = where(path.read_text(), '"stop_lr"')
    assert annotation.startswith(
        f"::error file={path},line={line},col={column},endLine={line},"
        f"endColumn={column + 9},title="
    )
    assert "::learning_rate/stop_lr: " in annotation
    assert summary == "1 problem (1 error, 0 warnings) in 1 of 1 file"


def test_github_format_escapes_what_workflow_commands_reserve() -> None:
    from deepmd_lr.lint.check import Problem

    problem = Problem("a:b\r\n,c.json", 1, 2, "LW101", "warning", "", "100%", "")
    assert (
        github_line(problem) == "::warning file=a%3Ab%0D%0A%2Cc.json,line=1,col=2,"
        "title=LW101 (codes.html#lw101)::100%25"
    )


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_a_key_name_with_control_characters_is_shown_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(
        '{"learning_rate": {"start_lr": 0.001, "stop_lr": 1e-5, "a\\nb\\u001b[31m": 1}}'
    )
    status, out, err = run(capsys, "check", "--format", fmt, str(path))
    assert (status, err) == (1, "")
    if fmt == "json":
        [problem] = json.loads(out)
        assert problem["path"] == "learning_rate/a\nb\x1b[31m"
        shown = problem["message"]
    else:
        shown = out.splitlines()[0]
    assert "a b\\x1b[31m is not a key" in shown
    assert "\n" not in shown
    assert "\x1b" not in out


def test_a_missing_key_has_no_span_of_its_own(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"learning_rate": {"start_lr": 0.001}}')
    status, out, _ = run(capsys, "check", "--format", "json", str(path))
    assert status == 1
    [problem] = [p for p in json.loads(out) if p["code"] == "LR107"]
    assert (problem["line"], problem["column"]) == (1, 2)
    assert (problem["end_line"], problem["end_column"]) == (None, None)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, content: bytes) -> None:
    stream: Any = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stream)


def test_dash_reads_json_from_standard_input(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b'\xef\xbb\xbf{"start_lr": 0.001, "stop_lr": 0.1}')
    status, out, _ = run(capsys, "check", "-")
    assert status == 1
    assert out.startswith("-:1:21: ")


def test_stdin_filename_names_the_input_and_gives_its_format(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b"start_lr: 0.001\nstop_lr: 0.1\n")
    status, out, _ = run(capsys, "check", "-", "--stdin-filename", "conf/in.yaml")
    assert status == 1
    assert out.startswith("conf/in.yaml:2:1: ")


def test_stdin_format_overrides_the_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b"start_lr: 0.001\nstop_lr: 1.0e-8\n")
    status, out, _ = run(
        capsys, "check", "-", "--stdin-filename", "in.json", "--stdin-format", "yaml"
    )
    assert (status, out) == (0, "no problems in 1 file\n")


def test_stdin_that_is_not_utf8_is_lr001(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, b'{"type": "\xff"}')
    status, out, _ = run(capsys, "check", "-")
    assert status == 1
    assert out.startswith("-:1:1: LR001 not UTF-8 text")


# -- start-up --------------------------------------------------------------------

# Checking one file needs neither the array library nor the dargs declaration;
# the standard library's own modules are a fair price for what they save.
HEAVY_MODULES = ("numpy", "dargs")


@pytest.mark.parametrize(
    ("name", "text", "summary", "status"),
    [
        ("input.json", WHOLE_JSON, "no problems in 1 file", 0),
        ("input.yaml", WHOLE_YAML, "no problems in 1 file", 0),
        (
            "cosine.json",
            '{"type": "cosine", "start_lr": 0.001, "stop_lr": 1e-5}',
            "no problems in 1 file",
            0,
        ),
        (
            "broken.json",
            '{"type": "exp", "start_lr": 0.001, "stop_lr": 0.01, "warmup_ratio": 2}',
            "2 problems (2 errors, 0 warnings) in 1 of 1 file",
            1,
        ),
    ],
)
def test_checking_a_file_imports_no_module_it_does_not_use(
    tmp_path: Path, name: str, text: str, summary: str, status: int
) -> None:
    path = tmp_path / name
    path.write_text(text)
    program = (
        "import sys\n"
        "from deepmd_lr.cli.main import main\n"
        f"status = main(['check', {str(path)!r}])\n"
        f"print([m for m in {HEAVY_MODULES!r} if m in sys.modules], status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stderr == ""
    assert done.stdout.splitlines()[-2:] == [summary, f"[] {status}"]


def test_an_exp_schedule_built_without_numpy_has_the_same_decay_rate() -> None:
    from deepmd_lr import LearningRateExp

    settings = {"start_lr": 1e-3, "stop_lr": 3.7e-8, "num_steps": 123457}
    program = (
        "import sys\n"
        "from deepmd_lr import LearningRateExp\n"
        f"lr = LearningRateExp(**{settings!r})\n"
        "print('numpy' in sys.modules, repr(lr.decay_rate), repr(lr.value(99999)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    lr = LearningRateExp(**settings)  # type: ignore[arg-type]
    assert done.stdout.split() == ["False", repr(lr.decay_rate), repr(lr.value(99999))]


# -- pre-commit ----------------------------------------------------------------


def test_the_pre_commit_hook_parses_and_its_entry_runs(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["language"]) == ("deepmd-lr-check", "python")
    # The hook's own environment holds deepmd-lr's dependencies only: YAML
    # needs PyYAML brought in, and one process gives one summary.
    assert any(d.startswith("pyyaml") for d in hook["additional_dependencies"])
    assert hook["require_serial"] is True
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("examples/input.json")
    assert pattern.search("runs/se_e2_a/input.yaml")
    assert not pattern.search("README.md")
    good = tmp_path / "input.json"
    good.write_text(WHOLE_JSON)
    bad = tmp_path / "old.yaml"
    bad.write_text("training:\n  numb_steps: 10\n")
    entry = hook["entry"].split()
    assert entry[:2] == ["deepmd-lr", "check"]
    # pre-commit runs the entry with its args and the staged files appended.
    argv = [*entry[1:], *hook.get("args", []), str(good), str(bad)]
    done = subprocess.run(
        [sys.executable, "-m", "deepmd_lr", *argv],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith(f"{bad}:1:1: LR005 ")


@pytest.mark.parametrize("length", [80, 81, 5000])
def test_a_long_unknown_key_is_placed_at_itself_and_abbreviated_in_the_message(
    length: int,
) -> None:
    name = "k" * length
    text = json.dumps({"learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8, name: 1}})
    [problem] = check_text(text, "in.json", "json")
    assert (problem.code, problem.path) == ("LR103", f"learning_rate/{name}")
    assert (problem.line, problem.column) == where(text, f'"{name}"')
    assert len(problem.message) < 600


def test_the_fix_of_a_missing_rate_reads_alike_in_json_and_yaml() -> None:
    import re

    [problem] = check_text("learning_rate:\n  start_lr: 0.001\n", "in.yaml", "yaml")
    match = re.search(r"Fix: write the section as (\{.*?\}): ", problem.fix)
    assert match, problem.fix
    shown = match.group(1)
    expected = {"start_lr": 1e-3, "stop_lr": 5e-8}
    assert yaml.safe_load(shown) == json.loads(shown) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["-", "-"],
        ["--stdin-filename", "x.json", "a.json"],
        ["--stdin-format", "yaml", "a.json"],
    ],
)
def test_misused_standard_input_is_a_usage_error(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "deepmd_lr", "check", *argv],
        input=WHOLE_JSON,
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    [line] = done.stderr.splitlines()
    assert line.startswith("deepmd-lr check: error: ")


def test_a_training_section_that_is_not_an_object_is_a_problem() -> None:
    text = '{"learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8}, "training": 5}'
    [problem] = check_text(text, "in.json", "json")
    assert (problem.code, problem.path) == ("LR401", "training")
    assert (problem.line, problem.column) == where(text, '"training"')
    assert problem.fix.startswith("Fix: ")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        ('start_lr: "0.001"', "it is quoted, so YAML reads it as text"),
        ("start_lr: '1.0e-3'", "it is quoted, so YAML reads it as text"),
        ("decay_steps: 1e3", "write the whole number, e.g. 1000)"),
        ("start_lr: 1e-3", "write it with a decimal point, e.g. 0.001)"),
    ],
)
def test_the_yaml_number_hint_names_what_to_change(line: str, hint: str) -> None:
    text = "start_lr: 1.0e-3\nstop_lr: 1.0e-5\n".replace("start_lr: 1.0e-3", line)
    if "decay_steps" in line:
        text = f"start_lr: 1.0e-3\nstop_lr: 1.0e-5\n{line}\n"
    [problem] = check_text(text, "in.yaml", "yaml")
    assert problem.code == "LR201"
    assert hint in problem.message


def test_warmup_keys_under_training_are_reported_where_they_are() -> None:
    text = json.dumps(
        {
            "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8, "warmup_ratio": 0.1},
            "training": {"numb_steps": 1000, "warmup_steps": 50, "warmup_ratio": 0.2},
        }
    )
    problems = [p for p in check_text(text, "in.json", "json") if p.code != "LW102"]
    found = {(p.code, p.path, p.line, p.column) for p in problems}
    # Moved into learning_rate, warmup_steps meets its warmup_ratio there, as
    # DeePMD-kit 3.1.3 would find.
    assert found == {
        ("LW105", "training/warmup_steps", *where(text, '"warmup_steps"')),
        ("LR303", "training/warmup_steps", *where(text, '"warmup_steps"')),
        ("LR007", "training/warmup_ratio", *where(text, '"warmup_ratio": 0.2')),
    }
    [moved] = [p for p in problems if p.code == "LW105"]
    assert "3.1.3 moves it into learning_rate" in moved.message
    assert moved.fix == "Fix: move warmup_steps: 50 into learning_rate"
    # Nothing to say when training holds no warmup.
    text = json.dumps(
        {
            "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8},
            "training": {"numb_steps": 10},
        }
    )
    assert not [p for p in check_text(text, "in.json", "json") if p.code != "LW102"]


@pytest.mark.parametrize(
    ("value", "code"),
    [("null", "LR201"), ('"ten"', "LR201"), ("5000", "LR403"), ("-1", "LR204")],
)
def test_a_warmup_under_training_is_checked_as_deepmd_kit_runs_it(
    value: str, code: str
) -> None:
    text = (
        '{"learning_rate": {"start_lr": 0.001, "stop_lr": 1e-8, "decay_steps": 100},\n'
        f' "training": {{"numb_steps": 1000, "warmup_steps": {value}}}}}'
    )
    problems = {(p.code, p.path) for p in check_text(text, "in.json", "json")}
    assert (code, "training/warmup_steps") in problems
    assert ("LW105", "training/warmup_steps") in problems


def test_a_warmup_under_training_gets_the_release_warnings_too() -> None:
    from deepmd_lr.deepmd.installed import DeepmdVersion

    text = json.dumps(
        {
            "learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 100},
            "training": {"numb_steps": 1000, "warmup_steps": 10},
        }
    )
    problems = check_text(text, "in.json", "json", DeepmdVersion.parse("3.1.3"))
    found = {(p.code, p.path) for p in problems}
    assert ("LW201", "learning_rate/warmup_start_factor") in found


V1_WITHOUT_STOP_LR = {
    "learning_rate": {"start_lr": 1e-3, "decay_steps": 100, "decay_rate": 0.5},
    "training": {"systems": ["a"], "stop_batch": 1000},
}


def test_a_v1_input_is_checked_with_the_rate_the_converter_computes() -> None:
    problems = check_text(json.dumps(V1_WITHOUT_STOP_LR), "in.json", "json")
    assert [(p.code, p.path) for p in problems] == [
        ("LW104", "learning_rate/decay_rate")
    ]
    assert "sets stop_lr to 9.765625e-07" in problems[0].message
    clash = copy.deepcopy(V1_WITHOUT_STOP_LR)
    clash["learning_rate"]["stop_lr_ratio"] = 0.1
    codes = {p.code for p in check_text(json.dumps(clash), "in.json", "json")}
    assert "LR301" in codes


def test_a_v1_input_the_converter_cannot_read_is_checked_as_written() -> None:
    # The converter reads training.stop_batch only; with numb_steps it stops.
    data = copy.deepcopy(V1_WITHOUT_STOP_LR)
    data["training"] = {"systems": ["a"], "numb_steps": 1000}
    codes = {p.code for p in check_text(json.dumps(data), "in.json", "json")}
    assert "LW104" not in codes
    assert "LR107" in codes


def test_a_problem_is_a_frozen_value_that_survives_pickle() -> None:
    problem = Problem("in.json", 1, 2, "LR204", "error", "learning_rate/x", "bad")
    assert problem == pickle.loads(pickle.dumps(problem))
    assert problem != Problem("in.json", 1, 2, "LR204", "error", "learning_rate/x", "")
    with pytest.raises(AttributeError):
        problem.line = 3  # type: ignore[misc]


def test_a_file_named_twice_is_checked_and_counted_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.json").write_text('{"learning_rate": {"start_lr": 0.001}}')
    Path("good.json").write_text(WHOLE_JSON)
    status, out, _ = run(capsys, "check", "in.json", "./in.json", "good.json")
    lines = out.splitlines()
    assert status == 1
    assert len([line for line in lines if "LR107" in line]) == 1
    assert lines[-1] == "2 problems (1 error, 1 warning) in 1 of 2 files"


@pytest.mark.parametrize(
    ("release", "suggested", "named"),
    [("3.1.3", "5.0e-08", "1.0e-08"), ("3.0.0", "1.0e-08", "5.0e-08")],
)
def test_the_fix_of_a_missing_final_rate_is_that_of_the_release(
    release: str, suggested: str, named: str
) -> None:
    from deepmd_lr.deepmd.installed import DeepmdVersion

    text = '{"learning_rate": {"start_lr": 0.001}, "training": {"numb_steps": 10}}'
    problems = check_text(text, "in.json", "json", DeepmdVersion.parse(release))
    [missing] = [problem for problem in problems if problem.code == "LR107"]
    assert f'"stop_lr": {suggested}}}' in missing.fix
    assert named in missing.fix.split("}: ", 1)[1]
