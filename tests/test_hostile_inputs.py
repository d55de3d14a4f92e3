"""Hostile files and command lines: one clear line, the right status, no damage.

Every case asserts the exit status, a single line on stderr with neither a
traceback nor an exception class name, and that the input's bytes are
unchanged.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmd_lr.cli.main import main
from deepmd_lr.files.nodes import MAX_ALIAS_VALUES, MAX_DEPTH
from deepmd_lr.files.reader import read_input
from deepmd_lr.files.storage import InputFileError

ROOT = Path(__file__).resolve().parent.parent
# Warnings (such as one about a broken plugin installed next to the package)
# are not the command's output, whose every line these tests count.
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
SECTION_JSON = '{"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8}'
SECTION_YAML = "type: exp\nstart_lr: 1.0e-3\nstop_lr: 1.0e-8\n"
SECTION_FLOW = "{type: exp, start_lr: 1.0e-3, stop_lr: 1.0e-8}"
EXCEPTION_NAME = re.compile(r"\b[A-Z]\w*(Error|Exception):")

yaml = pytest.importorskip("yaml")


def child(*argv: Any, env: dict[str, str] | None = None, **options: Any) -> Any:
    """Run the command in a child process; text output captured unless told."""
    settings: dict[str, Any] = {"capture_output": True, "text": True, **options}
    if "stdout" in options or "stderr" in options:
        settings.pop("capture_output")
    return subprocess.run(
        [sys.executable, "-m", "deepmd_lr", *(os.fsdecode(arg) for arg in argv)],
        env={**CHILD_ENV, **(env or {})},
        timeout=30,
        **settings,
    )


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_clean_line(err: str) -> None:
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    assert not EXCEPTION_NAME.search(err), err


WARNING_LINE = re.compile(r".*?:\d+:\d+: (?:LW\d{3} )?warning: ")
ONE_ERROR = "1 problem (1 error, 0 warnings) in 1 of 1 file"


def assert_one_reported_problem(out: str, err: str, path: Path | str) -> str:
    """The one problem line of check's report, checked to be clean."""
    assert err == ""
    *lines, summary = out.splitlines()
    assert summary == ONE_ERROR
    assert len(lines) == 1, out
    assert_one_clean_line(lines[0] + "\n")
    assert lines[0].startswith(f"{path}:"), lines[0]
    return lines[0]


def whole_input(sibling: str) -> str:
    return f'{{"learning_rate": {SECTION_JSON}, "model": {sibling}}}'


def nested_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_yaml_block(depth: int) -> str:
    lines = [f"{'  ' * level}k{level}:" for level in range(depth)]
    return "\n".join(lines) + " 1\n"


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)

FILE_CASES = {
    # name: (file name, content, command, message part)
    "json nested 1000 deep": (
        "deep.json",
        nested_json(1000),
        "check",
        f"nested deeper than {MAX_DEPTH} levels",
    ),
    "yaml flow nested 1000 deep": (
        "deep.yaml",
        f"a: {nested_json(1000)}\n",
        "check",
        f"nested deeper than {MAX_DEPTH} levels",
    ),
    "yaml block nested 1000 deep": (
        "deep.yaml",
        nested_yaml_block(1000),
        "check",
        f"nested deeper than {MAX_DEPTH} levels",
    ),
    "normalize a 500-level sibling section": (
        "input.json",
        whole_input(nested_json(500)),
        "normalize",
        f"nested deeper than {MAX_DEPTH} levels",
    ),
    "json integer of 5000 digits": (
        "input.json",
        whole_input("1" * 5000),
        "normalize",
        "an integer literal of 5000 digits is longer than Python reads",
    ),
    "yaml integer of 5000 digits": (
        "input.yaml",
        f"learning_rate:\n  type: exp\nmodel: {'1' * 5000}\n",
        "normalize",
        "an integer literal of 5000 digits is longer than Python reads",
    ),
    "yaml date written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel:\n  made: 2024-01-01\n",
        "normalize",
        "model/made: a date (2024-01-01) cannot be written as JSON",
    ),
    "yaml binary written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel: [!!binary aGk=]\n",
        "normalize",
        "model/0: binary data (2 bytes) cannot be written as JSON",
    ),
    "yaml set written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel: !!set {{a, b}}\n",
        "normalize",
        "model: a set cannot be written as JSON",
    ),
    "yaml nan written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel:\n  a: .nan\n",
        "normalize",
        "model/a: NaN cannot be written as JSON",
    ),
    "yaml infinity written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel: [1, -.inf]\n",
        "normalize",
        "model/1: -Infinity cannot be written as JSON",
    ),
    "yaml nan key written to json": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel: {{.nan: 1}}\n",
        "normalize",
        "model: the key NaN cannot be written as JSON",
    ),
    "json infinity literal outside the section": (
        "input.json",
        whole_input('{"a": Infinity}'),
        "normalize",
        "model/a: Infinity cannot be written as JSON",
    ),
    "json literal beyond the float range outside the section": (
        "input.json",
        whole_input('{"a": -1e400}'),
        "normalize",
        "model/a: -1e400 (beyond the range of a float) cannot be written as JSON",
    ),
    "yaml key of a 6000-digit integer": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nmodel:\n  ? 0x{'f' * 5000}\n  : 1\n",
        "normalize",
        "model: the key an integer of about 6021 digits cannot be written as text",
    ),
    "yaml keys that collide as json keys": (
        "input.yaml",
        f'learning_rate: {SECTION_FLOW}\ntraining: {{1: a, "1": b}}\n',
        "normalize",
        'training: the keys 1 and "1" would both be written as the JSON key "1"',
    ),
    "yaml keys true and 'true' written as json": (
        "input.yaml",
        f'learning_rate: {SECTION_FLOW}\ntraining: {{true: a, "true": b}}\n',
        "normalize",
        'training: the keys true and "true" would both be written as the JSON key',
    ),
    "billion laughs": (
        "input.yaml",
        BILLION_LAUGHS,
        "normalize",
        f"its aliases expand to more than {MAX_ALIAS_VALUES} values",
    ),
    "recursive alias": (
        "input.yaml",
        "learning_rate: &a [*a]\n",
        "check",
        "refers to a node that contains it",
    ),
    "empty json": ("input.json", "", "check", "the file is empty"),
    "blank yaml": ("input.yaml", "\n  \n", "check", "the file is empty"),
    "yaml of comments only": (
        "input.yaml",
        "# nothing\n",
        "check",
        "the file is empty (it holds no YAML document)",
    ),
    "several yaml documents": (
        "input.yaml",
        f"{SECTION_YAML}---\n{SECTION_YAML}",
        "check",
        "holds more than one YAML document (another starts at line 4)",
    ),
    "yaml object tag": (
        "input.yaml",
        "learning_rate: !!python/object/apply:os.system [echo hi]\n",
        "check",
        "not valid YAML: could not determine a constructor",
    ),
    "duplicate key in the section": (
        "input.json",
        '{"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "start_lr": 2e-3}',
        "check",
        "learning_rate/start_lr: the key is given more than once",
    ),
    "duplicate section": (
        "input.yaml",
        f"learning_rate: {SECTION_FLOW}\nlearning_rate: {{}}\n",
        "normalize",
        "learning_rate: the key is given more than once (again at line 2)",
    ),
    "duplicate key in a yaml section": (
        "input.yaml",
        f"learning_rate:\n  type: exp\n  type: cosine\n{SECTION_YAML}",
        "migrate",
        "learning_rate/type: the key is given more than once (again at line 3)",
    ),
    "duplicate key brought into the section by an alias": (
        "input.yaml",
        "base: &b {start_lr: 1.0e-3, start_lr: 0.5, stop_lr: 1.0e-8}\n"
        "learning_rate: *b\ntraining: {numb_steps: 100}\n",
        "show",
        "learning_rate/start_lr: the key is given more than once (again at line 1)",
    ),
    "duplicate key brought into the section by a merge key": (
        "input.yaml",
        "base: &b {start_lr: 1.0e-3, start_lr: 0.5, stop_lr: 1.0e-8}\n"
        "learning_rate: {<<: *b}\ntraining: {numb_steps: 100}\n",
        "check",
        "learning_rate/start_lr: the key is given more than once",
    ),
    "duplicate key brought into the section by a list of merge keys": (
        "input.yaml",
        "a: &a {stop_lr: 1.0e-8}\nb: &b {type: exp, type: cosine}\n"
        "learning_rate: {<<: [*a, *b], start_lr: 1.0e-3}\n",
        "normalize",
        "learning_rate/type: the key is given more than once (again at line 2)",
    ),
    "number beyond the float range": (
        "input.json",
        '{"type": "exp", "start_lr": 1e400, "stop_lr": 1e-8}',
        "check",
        "got 1e400 (beyond the range of a float)",
    ),
    "not utf-8": (
        "input.json",
        b'{"type": "\xff"}',
        "check",
        "not UTF-8 text: byte 0xff at offset 10",
    ),
}


@pytest.mark.parametrize("case", FILE_CASES, ids=str)
def test_a_hostile_file_is_one_clean_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    name, content, command, message = FILE_CASES[case]
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    status, out, err = run(capsys, command, path)
    assert status == 1
    if command == "check":
        assert err == ""
        *lines, summary = out.splitlines()
        errors = [line for line in lines if not WARNING_LINE.match(line)]
        assert len(errors) == 1, out
        assert re.match(rf"{re.escape(str(path))}:\d+:\d+: (LR\d{{3}} )?", errors[0])
        assert message in errors[0]
        for line in lines:
            assert_one_clean_line(line + "\n")
        assert summary.endswith(" in 1 of 1 file")
    else:
        assert_one_clean_line(err)
        assert err.startswith(f"{path}: ")
        assert message in err
    assert path.read_bytes() == content
    assert sorted(tmp_path.iterdir()) == [path]


MEBIBYTE = 2**20
# Shapes that made the nesting scan retry an unclosed string from every quote.
ADVERSARIAL_JSON = {
    "unclosed string of escaped quotes": "[" + '\\"' * (MEBIBYTE // 2),
    "unclosed string ending in a backslash": '"' + 'a\\"' * (MEBIBYTE // 3) + "\\",
    "quotes only": '"' * (MEBIBYTE + 1),
    "brackets in an unclosed string": '"' + "[" * MEBIBYTE,
    "brackets in closed strings": "[" + '"[[[[",' * (MEBIBYTE // 7) + '""]',
}


@pytest.mark.parametrize("shape", ADVERSARIAL_JSON)
def test_the_nesting_scan_reads_adversarial_strings_as_text(
    tmp_path: Path, shape: str
) -> None:
    # Their time is measured in benchmarks/bench_hostile_inputs.py: these
    # shapes once made the scan retry an unclosed string from every quote.
    path = tmp_path / "input.json"
    path.write_text(ADVERSARIAL_JSON[shape])
    try:
        read_input(path)
        message = ""
    except InputFileError as error:
        message = str(error)
    # Brackets inside strings are text, not nesting.
    assert "nested deeper" not in message


def test_a_huge_step_count_is_a_configuration_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from deepmd_lr import LearningRateConfigError
    from deepmd_lr.schedules.building import make_learning_rate_schedule

    with pytest.raises(LearningRateConfigError):
        make_learning_rate_schedule(json.loads(SECTION_JSON), 10**400)
    path = tmp_path / "input.json"
    content = f'{{"learning_rate": {SECTION_JSON}, "training": {{"numb_steps": 1{"0" * 400}}}}}'
    path.write_text(content)
    status, out, err = run(capsys, "check", path)
    assert status == 1
    assert "training/numb_steps" in assert_one_reported_problem(out, err, path)
    for command in ("show", "normalize"):
        status, _, err = run(capsys, command, path)
        assert status == 1
        assert_one_clean_line(err)
        assert "training/numb_steps" in err
    assert path.read_text() == content


def test_a_megabyte_key_name_gives_a_short_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps({**json.loads(SECTION_JSON), "k" * 2**20: 1}))
    status, out, err = run(capsys, "check", path)
    assert status == 1
    line = assert_one_reported_problem(out, err, path)
    assert len(line) < 1000
    # The name is abbreviated where it is quoted, so the line stays short
    # without cutting the message and its fix.
    assert f"... ({2**20} characters)" in line
    assert line.endswith("warmup_start_factor, warmup_steps")


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    done = child("check", fifo)
    assert done.returncode == 1
    line = assert_one_reported_problem(done.stdout, done.stderr, fifo)
    assert "LR001 " in line
    assert "is not a regular file" in line


def test_a_device_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "check", os.devnull)
    assert status == 1
    assert "is not a regular file" in assert_one_reported_problem(out, err, os.devnull)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_byte_order_mark_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"input{suffix}"
    text = SECTION_JSON if suffix == ".json" else SECTION_YAML
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    status, out, err = run(capsys, "check", path)
    assert (status, out, err) == (0, "no problems in 1 file\n", "")


def test_a_repeated_key_outside_the_section_is_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.yaml"
    content = f"learning_rate: {SECTION_FLOW}\nmodel:\n  a: 1\n  a: 2\n"
    path.write_text(content)
    status, out, err = run(capsys, "check", path)
    assert (status, err) == (0, "")
    assert out.splitlines() == [
        f"{path}:4:3: LW101 warning: model/a: the key is given more than once; "
        "its last value (2) is used. Fix: keep a single a, with the value meant",
        "1 problem (0 errors, 1 warning) in 1 of 1 file",
    ]
    assert run(capsys, "check", "--strict", path)[0] == 1
    status, out, _ = run(capsys, "normalize", path)
    assert status == 0
    assert json.loads(out)["model"] == {"a": 2}
    assert path.read_text() == content


def test_a_repeated_key_with_a_lone_surrogate_is_printed_escaped(
    tmp_path: Path,
) -> None:
    path = tmp_path / "input.json"
    path.write_text(
        f'{{"learning_rate": {SECTION_JSON}, '
        '"training": {"numb_steps": 1000, "\\ud800": 1, "\\ud800": 2}}'
    )
    done = child("check", path)
    assert (done.returncode, done.stderr) == (0, "")
    assert re.search(
        rf"^{re.escape(str(path))}:1:\d+: LW101 warning: training/\\ud800: the key is "
        "given more than once",
        done.stdout,
        re.MULTILINE,
    ), done.stdout


def test_a_file_name_that_is_not_utf8_is_printed_escaped(tmp_path: Path) -> None:
    path = os.path.join(os.fsencode(tmp_path), b"bad\xff.json")
    content = b'{"type": "exp"}'
    Path(os.fsdecode(path)).write_bytes(content)
    done = child("migrate", "--in-place", path, env={"PYTHONIOENCODING": "utf-8"})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"{tmp_path}/bad\\udcff.json: added start_lr")
    assert json.loads(Path(os.fsdecode(path)).read_text())["start_lr"] == 1e-3


def test_a_merge_key_overridden_in_the_section_is_no_repeat(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.yaml"
    path.write_text(
        "base: &b {type: exp, start_lr: 1.0e-3, stop_lr: 1.0e-8}\n"
        "learning_rate: {<<: *b, start_lr: 0.5}\n"
    )
    status, out, err = run(capsys, "check", path)
    assert (status, out, err) == (0, "no problems in 1 file\n", "")


# -- migrate --------------------------------------------------------------------


def test_migrate_of_an_invalid_file_reports_nothing_as_done(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    content = '{"type": "exp", "start_lr": 1e-3, "stop_lr": -1}'
    path.write_text(content)
    status, out, err = run(capsys, "migrate", path, "--in-place")
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "nothing to add" not in err
    assert err.endswith("(nothing was written)\n")
    assert path.read_text() == content


def test_migrate_to_a_missing_directory_reports_nothing_as_added(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text('{"type": "exp"}')
    target = tmp_path / "missing" / "dir" / "x.json"
    status, out, err = run(capsys, "migrate", path, "-o", target)
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert "added" not in err
    assert err.startswith(f"{target}: cannot write the file: the directory ")
    assert sorted(tmp_path.iterdir()) == [path]


def test_migrate_of_a_read_only_file_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    content = '{"type": "exp"}'
    path.write_text(content)
    path.chmod(0o444)
    status, out, err = run(capsys, "migrate", path, "--in-place")
    assert (status, out) == (1, "")
    assert_one_clean_line(err)
    assert (
        err
        == f"{path}: cannot write the file: it is read-only (mode 0444); it is unchanged\n"
    )
    assert path.read_text() == content


def test_an_output_name_with_a_trailing_slash_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    status, _, err = run(capsys, "normalize", path, "-o", f"{tmp_path}/new.json/")
    assert status == 1
    assert_one_clean_line(err)
    assert "Not a directory" in err
    assert sorted(tmp_path.iterdir()) == [path]


def test_normalize_onto_itself_keeps_the_file_whole(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    status, _, err = run(capsys, "normalize", path, "-o", path)
    assert (status, err) == (0, "")
    assert json.loads(path.read_text())["stop_lr"] == 1e-8


# -- the command line and standard output -------------------------------------


@pytest.mark.parametrize("steps", [str(2**53 + 1), str(2**63), "1" + "0" * 5000])
def test_plot_refuses_more_than_2_to_the_53_steps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, steps: str
) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    status, _, err = run(capsys, "plot", path, "--num-steps", steps, "-o", "x.png")
    assert status == 2
    assert "argument --num-steps: must be at most 2**53 = 9007199254740992" in err
    assert len(err) < 1000
    assert "Traceback" not in err


def test_show_accepts_2_to_the_53_steps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    status, out, _ = run(capsys, "show", path, "--num-steps", str(2**53))
    assert status == 0
    assert f"training steps: {2**53} (from --num-steps)" in out


def test_a_full_standard_output_is_one_line_with_status_1() -> None:
    with open("/dev/full", "w") as full:
        done = child("doc", stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1
    assert_one_clean_line(done.stderr)
    assert done.stderr == (
        "deepmd-lr: cannot write the output: No space left on device\n"
    )


def test_output_to_dev_stdout_appends_to_what_the_shell_opened(
    tmp_path: Path,
) -> None:
    log = tmp_path / "log.txt"
    log.write_bytes(b"IMPORTANT\n")
    source = tmp_path / "input.json"
    source.write_text(SECTION_JSON)
    with open(log, "ab") as appended:
        done = child(
            "normalize",
            source,
            "-o",
            "/dev/stdout",
            stdout=appended,
            stderr=subprocess.PIPE,
            text=False,
        )
    assert (done.returncode, done.stderr) == (0, b"")
    important, written = log.read_bytes().split(b"\n", 1)
    assert important == b"IMPORTANT"
    assert json.loads(written)["stop_lr"] == 1e-8
    assert source.read_text() == SECTION_JSON


def test_output_to_a_piped_stdout_is_written_to_the_pipe() -> None:
    done = child("schema", "-o", "/dev/stdout", text=False)
    assert (done.returncode, done.stderr) == (0, b"")
    assert json.loads(done.stdout)["$schema"].startswith("https://json-schema.org")


def run_with_closed(stream: str, *argv: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the command with standard output (``>&-``) or error (``2>&-``) closed."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {stream}', "sh", sys.executable, "-m", "deepmd_lr"]
        + [str(arg) for arg in argv],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_a_closed_stdout_is_a_failing_one(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    for argv in (["check", path], ["normalize", path, "-o", "/dev/stdout"]):
        done = run_with_closed(">&-", *argv)
        assert done.returncode == 1
        assert_one_clean_line(done.stderr)
        assert "cannot write" in done.stderr
    assert path.read_text() == SECTION_JSON


def test_a_closed_stdout_does_not_matter_when_nothing_is_printed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    done = run_with_closed(">&-", "normalize", path, "-o", tmp_path / "out.json")
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads((tmp_path / "out.json").read_text())["stop_lr"] == 1e-8


def test_a_closed_stderr_keeps_the_status(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    missing = tmp_path / "missing.json"
    done = run_with_closed("2>&-", "check", path, missing)
    assert (done.returncode, done.stdout) == (
        1,
        f"{missing}:1:1: LR001 no such file\n{ONE_ERROR} of 2 files\n".replace(
            "1 of 1 file of", "1 of"
        ),
    )


def test_running_out_of_memory_while_reading_is_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def exhaust(path: str | Path) -> str:
        raise MemoryError

    monkeypatch.setattr("deepmd_lr.files.reader.read_text", exhaust)
    monkeypatch.setattr("deepmd_lr.lint.check.read_text", exhaust)
    path = tmp_path / "input.json"
    status, out, err = run(capsys, "check", path)
    assert status == 1
    line = assert_one_reported_problem(out, err, path)
    assert line == f"{path}:1:1: LR001 out of memory while reading the file"
    status, _, err = run(capsys, "show", path)
    assert status == 1
    assert err == f"{path}: out of memory while reading the file\n"


@pytest.mark.parametrize("argv", [["doc"], ["schema"], ["--help"]])
def test_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "deepmd_lr", *argv],
        env=CHILD_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    # Closed before the child has started writing, so every write fails.
    child.stdout.close()
    err = child.stderr.read()
    assert child.wait(timeout=30) == 0
    assert err == b""


@pytest.mark.parametrize("copies", [1, 400])
def test_a_closed_pipe_keeps_the_status_of_check(tmp_path: Path, copies: int) -> None:
    path = tmp_path / "input.json"
    path.write_text(SECTION_JSON)
    missing = tmp_path / "missing.json"
    # With many files the pipe breaks while files are still being checked.
    child = subprocess.Popen(
        [sys.executable, "-m", "deepmd_lr", "check", *[str(path)] * copies, missing],
        env=CHILD_ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stderr is not None
    child.stdout.close()
    err = child.stderr.read()
    # The missing file's problem went to the closed pipe; its status stays.
    assert child.wait(timeout=30) == 1
    assert err == ""


# -- properties -------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(depth=st.integers(MAX_DEPTH - 5, MAX_DEPTH + 5), yaml_format=st.booleans())
def test_nesting_up_to_the_limit_loads_and_beyond_is_named(
    tmp_path_factory: pytest.TempPathFactory, depth: int, yaml_format: bool
) -> None:
    # The section itself is one level, so the sibling may nest one less.
    sibling = nested_json(depth - 1)
    if yaml_format:
        path = tmp_path_factory.mktemp("nested") / "input.yaml"
        path.write_text(f"learning_rate: {SECTION_FLOW}\nmodel: {sibling}\n")
    else:
        path = tmp_path_factory.mktemp("nested") / "input.json"
        path.write_text(whole_input(sibling))
    if depth <= MAX_DEPTH:
        assert main(["normalize", str(path), "-o", str(path)]) == 0
        assert read_input(path).data["learning_rate"]["stop_lr"] == 1e-8
    else:
        with pytest.raises(InputFileError, match=f"deeper than {MAX_DEPTH} levels"):
            read_input(path)


@settings(max_examples=25, deadline=None)
@given(digits=st.integers(1, 6000), negative=st.booleans())
def test_integer_literals_load_up_to_the_digit_limit(
    tmp_path_factory: pytest.TempPathFactory, digits: int, negative: bool
) -> None:
    literal = ("-" if negative else "") + "7" * digits
    path = tmp_path_factory.mktemp("integers") / "input.json"
    path.write_text(whole_input(f"[{literal}]"))
    limit = sys.get_int_max_str_digits()
    if limit == 0 or digits <= limit:
        assert read_input(path).data["model"] == [int(literal)]
    else:
        with pytest.raises(InputFileError, match=f"literal of {digits} digits"):
            read_input(path)


@settings(max_examples=50, deadline=None)
@given(
    text=st.text(
        st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
    )
)
def test_any_string_round_trips_through_a_written_file(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    directory = tmp_path_factory.mktemp("strings")
    for suffix in (".json", ".yaml"):
        path = directory / f"input{suffix}"
        path.write_text(SECTION_JSON)
        source = directory / "source.json"
        source.write_text(whole_input(json.dumps(text)))
        # JSON reads an escaped surrogate pair as the one character it encodes.
        expected = read_input(source).data["model"]
        assert main(["normalize", str(source), "-o", str(path)]) == 0
        assert read_input(path).data["model"] == expected
