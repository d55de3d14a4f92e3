"""``migrate`` and ``normalize`` write only the learning_rate section; ``--diff``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from deepmd_lr.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
OLD_EXAMPLE = ROOT / "examples" / "pre_3.1.3.json"

COMMENTED_YAML = """\
# An old input, commented.
model:
  sel: [46,92]   # neighbours
learning_rate:
  type: exp   # the only key older releases needed
training:
  numb_steps: 400000
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def old_json(tmp_path: Path) -> Path:
    path = tmp_path / "old.json"
    shutil.copy(OLD_EXAMPLE, path)
    return path


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), n=0))
    added = [line for line in diff[2:] if line.startswith("+")]
    removed = [line for line in diff[2:] if line.startswith("-")]
    return added, removed


def test_migrate_in_place_changes_only_the_section(
    capsys: pytest.CaptureFixture[str], old_json: Path
) -> None:
    before = old_json.read_text(encoding="utf-8")
    status, _, err = run(capsys, "migrate", str(old_json), "--in-place")
    assert (status, err) == (0, "")
    after = old_json.read_text(encoding="utf-8")
    added, removed = changed_lines(before, after)
    assert removed == ['-        "type": "exp"']
    assert added == [
        '+        "type": "exp",',
        '+        "start_lr": 0.001,',
        '+        "stop_lr": 1e-08,',
        '+        "decay_steps": 5000',
    ]
    # The inline lists outside the section stay inline.
    assert '"sel": [46, 92],' in after


def test_migrate_to_stdout_prints_the_edited_file(
    capsys: pytest.CaptureFixture[str], old_json: Path
) -> None:
    before = old_json.read_text(encoding="utf-8")
    status, out, err = run(capsys, "migrate", str(old_json))
    assert status == 0
    assert err.count(": added ") == 3
    assert out.startswith(before[: before.index('"learning_rate"')])
    assert json.loads(out)["learning_rate"]["stop_lr"] == 1e-8
    assert old_json.read_text(encoding="utf-8") == before


def test_migrate_keeps_yaml_comments(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.yaml"
    path.write_bytes(COMMENTED_YAML.replace("\n", "\r\n").encode())
    status, _, _ = run(capsys, "migrate", str(path), "--in-place")
    assert status == 0
    assert path.read_bytes().decode() == COMMENTED_YAML.replace(
        "needed\n",
        "needed\n  start_lr: 0.001\n  stop_lr: 1.0e-08\n  decay_steps: 5000\n",
    ).replace("\n", "\r\n")


def test_migrate_keeps_a_byte_order_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.json"
    path.write_bytes(b"\xef\xbb\xbf" + OLD_EXAMPLE.read_bytes())
    status, _, _ = run(capsys, "migrate", str(path), "--in-place")
    assert status == 0
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf{\n")
    assert json.loads(content.decode("utf-8-sig"))["learning_rate"]["start_lr"] == 1e-3


def test_migrate_to_another_format_writes_the_input_anew(
    capsys: pytest.CaptureFixture[str], old_json: Path, tmp_path: Path
) -> None:
    import yaml

    status, _, _ = run(capsys, "migrate", str(old_json), "-o", str(tmp_path / "x.yaml"))
    assert status == 0
    data = yaml.safe_load((tmp_path / "x.yaml").read_text())
    assert data["learning_rate"]["stop_lr"] == 1e-8


def test_migrate_refuses_an_edit_it_cannot_make_in_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.yaml"
    text = "training: {numb_steps: 10}\nlearning_rate: &lr\n  type: exp\nother: *lr\n"
    path.write_text(text)
    status, out, err = run(capsys, "migrate", str(path), "--in-place")
    assert (status, out) == (1, "")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    assert err.startswith(
        f"{path}: the learning_rate section cannot be edited in place"
    )
    assert path.read_text() == text


TRAINING = "training:\n  numb_steps: 100000\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "learning_rate:\n  type: exp\n  decay_steps: 5000\n  stop_lr:\n" + TRAINING,
            "learning_rate:\n  type: exp\n  decay_steps: 5000\n  stop_lr: 1.0e-08\n"
            "  start_lr: 0.001\n" + TRAINING,
        ),
        (
            "learning_rate: {type: exp, decay_steps: 5000, stop_lr: }\n" + TRAINING,
            "learning_rate: {type: exp, decay_steps: 5000, stop_lr: 1.0e-08, "
            "start_lr: 0.001 }\n" + TRAINING,
        ),
        (
            "learning_rate: {type: exp, stop_lr: , decay_steps: 5000}\n" + TRAINING,
            "learning_rate: {type: exp, stop_lr: 1.0e-08 , decay_steps: 5000 , "
            "start_lr: 0.001}\n" + TRAINING,
        ),
        (
            "learning_rate:\n  ? type\n  : exp\n  ? stop_lr\n  :\n"
            "  ? decay_steps  # steps\n  : 5000\n" + TRAINING,
            "learning_rate:\n  ? type\n  : exp\n  ? stop_lr\n  : 1.0e-08\n"
            "  ? decay_steps  # steps\n  : 5000\n  start_lr: 0.001\n" + TRAINING,
        ),
        (
            ("learning_rate:\n  type: exp\n  decay_steps: 5000\n" + TRAINING).replace(
                "\n", "\r"
            ),
            (
                "learning_rate:\n  type: exp\n  decay_steps: 5000\n  start_lr: 0.001\n"
                "  stop_lr: 1.0e-08\n" + TRAINING
            ).replace("\n", "\r"),
        ),
        (
            (TRAINING + "other: 1\n").replace("\n", "\r"),
            (
                TRAINING + "other: 1\nlearning_rate:\n  start_lr: 0.001\n"
                "  stop_lr: 1.0e-08\n  decay_steps: 5000\n"
            ).replace("\n", "\r"),
        ),
    ],
    ids=[
        "empty block value, last kept",
        "empty flow value, last",
        "empty flow value, in the middle",
        "keys written with ?",
        "lines ending in a carriage return",
        "section added, lines ending in a carriage return",
    ],
)
def test_migrate_in_place_edits_what_it_once_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, before: str, after: str
) -> None:
    path = tmp_path / "input.yaml"
    path.write_bytes(before.encode())
    status, _, err = run(capsys, "migrate", str(path), "--in-place")
    assert status == 0, err
    assert path.read_bytes() == after.encode()


@pytest.mark.parametrize(
    "text",
    [
        "learning_rate:\n  ? type\n  : exp\n  ? stop_lr\n" + TRAINING,
        "learning_rate: {type: exp, stop_lr}\n" + TRAINING,
    ],
    ids=["? key", "flow"],
)
def test_migrate_refuses_a_key_with_no_colon_and_says_how_to_write_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(text)
    status, _, err = run(capsys, "migrate", str(path), "--in-place")
    assert status == 1
    assert err == (
        f"{path}: the learning_rate section cannot be edited in place: the key "
        "stop_lr is written with no ':' and no value; write it as 'stop_lr:'; "
        "the file is left as it is\n"
    )
    assert path.read_text() == text


@pytest.mark.parametrize("command", ["migrate", "normalize"])
def test_diff_prints_what_would_change_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], old_json: Path, command: str
) -> None:
    before = old_json.read_bytes()
    if command == "normalize":
        run(capsys, "migrate", str(old_json), "--in-place")
        before = old_json.read_bytes()
    status, out, _ = run(capsys, command, str(old_json), "--diff")
    assert status == 0
    assert old_json.read_bytes() == before
    lines = out.splitlines()
    assert lines[:2] == [f"--- a{old_json}", f"+++ b{old_json}"]
    assert lines[2].startswith("@@ ")
    assert '+        "stop_lr": 1e-08,' in lines or command == "normalize"
    assert any(line.startswith("+") and "smooth" in line for line in lines) or (
        command == "migrate"
    )
    assert not list(old_json.parent.glob(".*.tmp"))


def test_diff_of_an_up_to_date_file_is_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    shutil.copy(ROOT / "examples" / "input.json", path)
    status, out, _ = run(capsys, "migrate", str(path), "--diff")
    assert (status, out) == (0, "")


def test_diff_marks_a_missing_final_newline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.yaml"
    path.write_text("type: exp")
    status, out, _ = run(capsys, "migrate", str(path), "--diff")
    assert status == 0
    assert "-type: exp\n\\ No newline at end of file\n+type: exp\n" in out
    assert out.endswith("+decay_steps: 5000\n\\ No newline at end of file\n")


@pytest.mark.parametrize("argv", [["-o", "x.json", "--diff"], ["--in-place", "--diff"]])
def test_diff_excludes_writing(
    capsys: pytest.CaptureFixture[str], old_json: Path, argv: list[str]
) -> None:
    command = "normalize" if argv[0] == "-o" else "migrate"
    status, _, err = run(capsys, command, str(old_json), *argv)
    assert status == 2
    assert "not allowed with argument" in err


def test_normalize_to_a_file_keeps_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "old.yaml"
    path.write_text(
        COMMENTED_YAML.replace("exp ", "exp\n  start_lr: 1.0e-3\n  stop_lr: 1.0e-8 ")
    )
    status, _, _ = run(capsys, "normalize", str(path), "-o", str(tmp_path / "new.yaml"))
    assert status == 0
    written = (tmp_path / "new.yaml").read_text()
    assert written.startswith(
        "# An old input, commented.\nmodel:\n  sel: [46,92]   # neighbours\n"
    )
    assert "  stop_lr: 1.0e-8   # the only key older releases needed\n" in written
    assert written.endswith("training:\n  numb_steps: 400000\n")
    assert "  smooth: false\n" in written


VALID_COMMENTED_YAML = """\
# A valid input, commented.
model:
  sel: [46,92]   # neighbours
learning_rate:
  type: cosine   # annealing
  start_lr: 5.0e-4
  stop_lr: 1.0e-6
training:
  numb_steps: 1000
"""


def test_normalize_in_place_edits_only_the_section(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(VALID_COMMENTED_YAML)
    status, out, err = run(capsys, "normalize", "--in-place", str(path))
    assert (status, out, err) == (0, "", "")
    after = path.read_text()
    head, _, rest = VALID_COMMENTED_YAML.partition("  stop_lr: 1.0e-6\n")
    assert after.startswith(head + "  stop_lr: 1.0e-6\n")
    assert after.endswith(rest)
    added = after[len(head) + len("  stop_lr: 1.0e-6\n") : len(after) - len(rest)]
    assert [line.split(":")[0] for line in added.splitlines()] == [
        "  stop_lr_ratio",
        "  warmup_steps",
        "  warmup_ratio",
        "  warmup_start_factor",
        "  scale_by_worker",
    ]


def test_normalize_in_place_leaves_a_normalized_file_alone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(VALID_COMMENTED_YAML)
    assert run(capsys, "normalize", "--in-place", str(path))[0] == 0
    inode, text = path.stat().st_ino, path.read_text()
    assert run(capsys, "normalize", "--in-place", str(path)) == (0, "", "")
    assert (path.stat().st_ino, path.read_text()) == (inode, text)


@pytest.mark.parametrize("command", ["normalize", "migrate"])
def test_output_in_another_format_says_it_is_written_anew(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(VALID_COMMENTED_YAML)
    output = tmp_path / "input.yaml.bak"
    status, _, err = run(capsys, command, str(path), "-o", str(output))
    assert status == 0
    assert f"{output} is written as JSON" in err
    assert "not the layout or comments" in err
    assert json.loads(output.read_text())["learning_rate"]["type"] == "cosine"
    status, _, err = run(capsys, command, str(path), "-o", str(tmp_path / "b.yml"))
    assert "written anew" not in err


def test_diff_headers_of_an_absolute_path_have_one_slash(
    capsys: pytest.CaptureFixture[str], old_json: Path
) -> None:
    status, out, _ = run(capsys, "migrate", "--diff", str(old_json))
    assert status == 0
    first, second = out.splitlines()[:2]
    assert first == f"--- a{old_json}"
    assert second == f"+++ b{old_json}"


def test_diff_headers_of_a_dotted_path_name_the_file_plainly(
    capsys: pytest.CaptureFixture[str], old_json: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(old_json.parent)
    status, out, _ = run(capsys, "migrate", "--diff", f"./{old_json.name}")
    assert status == 0
    assert out.splitlines()[:2] == [f"--- a/{old_json.name}", f"+++ b/{old_json.name}"]


def test_normalize_refuses_an_input_deepmd_kit_rewrites_and_keeps_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A normalized learning_rate would get warmup_steps 0 beside the
    # warmup under training, which DeePMD-kit 3.1.3 refuses.
    path = tmp_path / "input.yaml"
    text = VALID_COMMENTED_YAML.replace(
        "  numb_steps: 1000\n", "  numb_steps: 1000\n  warmup_steps: 10\n"
    )
    path.write_text(text)
    status, out, err = run(capsys, "normalize", "--in-place", str(path))
    assert (status, out) == (1, "")
    assert "learning_rate: DeePMD-kit reads this input in an older form" in err
    assert "training/warmup_steps" in err
    assert path.read_text() == text
    # migrate, which writes nothing outside the section, accepts it.
    assert run(capsys, "migrate", "--diff", str(path))[0] == 0
