"""One reading of a file gives its data, where each key is written and its repeated keys."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmd_lr.cli.main import main
from deepmd_lr.files.nodes import MAX_DEPTH
from deepmd_lr.files.reader import DuplicateKey, KeyPath, parse_input, read_input
from deepmd_lr.files.storage import InputFileError, read_lines, read_text
from deepmd_lr.files.writer import safe_dumper
from deepmd_lr.lint.check import check_text

yaml = pytest.importorskip("yaml")

SECTION_JSON = '{"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8}'
SECTION_FLOW = "{type: exp, start_lr: 1.0e-3, stop_lr: 1.0e-8}"


def places(text: str, fmt: str) -> list[tuple[int, int, str, str]]:
    return [(p.line, p.column, p.code, p.path) for p in check_text(text, "f", fmt)]


# -- repeated keys ------------------------------------------------------------------


def test_a_repeated_json_key_is_reported_with_the_line_it_is_repeated_on() -> None:
    document = parse_input('{"a": 1,\n "b": {"c": 2,\n  "c": 3}}', "json")
    assert document.duplicate_keys == (DuplicateKey(("b", "c"), 3),)


@pytest.mark.parametrize(
    ("text", "fmt", "line"),
    [
        ('{"x": [0, {"k": 1,\n "k": 2}]}', "json", 2),
        ("x:\n- 0\n- k: 1\n  k: 2\n", "yaml", 4),
    ],
)
def test_a_repeated_key_inside_a_list_item_has_the_item_index_in_its_path(
    text: str, fmt: str, line: int
) -> None:
    document = parse_input(text, fmt)
    assert document.duplicate_keys == (DuplicateKey(("x", 1, "k"), line),)


@pytest.mark.parametrize(
    ("first", "second", "key"),
    [
        ("true", "True", True),
        ("0x10", "16", 16),
        ("1.0", "1", 1.0),
        ("~", "null", None),
    ],
)
def test_yaml_keys_that_read_as_the_same_key_are_repeated(
    first: str, second: str, key: object
) -> None:
    document = parse_input(f"model:\n  {first}: a\n  {second}: b\n", "yaml")
    assert document.duplicate_keys == (DuplicateKey(("model", key), 3),)
    assert document.data["model"] == {key: "b"}


def test_a_yaml_number_key_and_a_quoted_one_are_two_keys() -> None:
    document = parse_input('model:\n  1: a\n  "1": b\n', "yaml")
    assert document.duplicate_keys == ()
    assert document.data["model"] == {1: "a", "1": "b"}


def test_a_key_repeated_in_a_mapping_of_a_merge_list_is_repeated_where_merged() -> None:
    text = "model:\n  <<: [{a: 1,\n    a: 2}]\n  b: 3\n"
    assert parse_input(text, "yaml").duplicate_keys == (
        DuplicateKey(("model", "a"), 3),
    )


@pytest.mark.parametrize(
    ("text", "fmt", "place"),
    [
        (
            f"learning_rate: {SECTION_FLOW}\nmodel:\n  a: 1\n  a: 2\n  a: 3\n",
            "yaml",
            (5, 3),
        ),
        (
            f'{{"learning_rate": {SECTION_JSON},\n"model": {{"a": 1, "a": 2, "a": 3}}}}',
            "json",
            (2, 27),
        ),
    ],
)
def test_a_key_given_three_times_is_one_problem_at_its_last_occurrence(
    text: str, fmt: str, place: tuple[int, int]
) -> None:
    assert places(text, fmt) == [(*place, "LW101", "model/a")]


def test_a_json_key_repeated_in_the_section_names_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text('{"type": "exp", "start_lr": 1e-3,\n "start_lr": 2e-3}')
    assert main(["normalize", str(path)]) == 1
    assert (
        "learning_rate/start_lr: the key is given more than once (again at line 2), "
        "so which value is meant is unclear"
    ) in capsys.readouterr().err


# -- positions ----------------------------------------------------------------------


def test_a_key_whose_name_holds_a_slash_is_placed_at_itself() -> None:
    repeated = (
        f'{{"learning_rate": {SECTION_JSON},\n "model": {{"a/b": 1,\n  "a/b": 2}}}}'
    )
    assert places(repeated, "json") == [(3, 3, "LW101", "model/a/b")]
    unknown = '{"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8,\n  "decay/steps": 5}'
    assert places(unknown, "json") == [(2, 3, "LR103", "learning_rate/decay/steps")]


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_lines_break_where_editors_break_them(line_break: str) -> None:
    json_text = line_break.join(
        ['{"type": "exp",', '"start_lr": 1e-3,', '"stop_lr": 1e-2}']
    )
    assert places(json_text, "json")[0][:2] == (3, 1)
    yaml_text = line_break.join(
        ["type: exp", "start_lr: 1.0e-3", "stop_lr: 1.0e-2", ""]
    )
    assert places(yaml_text, "yaml")[0][:2] == (3, 1)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_a_unicode_line_separator_in_a_yaml_string_does_not_break_the_line(
    separator: str,
) -> None:
    text = f'model: "a{separator}b"\nlearning_rate:\n  type: exp\n  stop_lr: 1.0e-2\n'
    assert places(text, "yaml") == [(2, 1, "LR106", "learning_rate/start_lr")]
    text = text.replace("type: exp", "type: exp\n  start_lr: 1.0e-3")
    assert places(text, "yaml") == [(5, 3, "LR302", "learning_rate/stop_lr")]


@pytest.mark.parametrize("key", ["x", "stop_lr"])
def test_a_merged_key_of_a_merge_list_is_placed_where_the_value_loaded_is(key) -> None:
    # Which mapping of a merge list wins is the loader's to say: PyYAML 6.0.4
    # keeps the first mapping's value of a one-letter key and the last one's
    # of a longer key. The position follows the value the data holds.
    yaml = pytest.importorskip("yaml")
    text = f"a: &a {{{key}: 1, y: 4}}\nb: &b {{{key}: 2, y: 3}}\nc:\n  <<: [*a, *b]\n"
    loaded = yaml.safe_load(text)["c"]
    document = parse_input(text, "yaml")
    assert document.data["c"] == loaded
    for name, value in loaded.items():
        line, column, _, end_column = document.key_positions[("c", name)]
        row = text.splitlines()[line - 1]
        written = row[end_column - 1 :].split(",")[0].strip(" :}")
        assert (row[column - 1 : end_column - 1], written) == (name, str(value))


def key_at(text: str, position: tuple[int, int, int, int]) -> str:
    """The text between a position's start and end."""
    starts = [0, *(found.end() for found in re.finditer(r"\r\n|\r|\n", text))]
    line, column, end_line, end_column = position
    return text[starts[line - 1] + column - 1 : starts[end_line - 1] + end_column - 1]


names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=5)
documents = st.recursive(
    st.integers(0, 9) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3)
    ),
    max_leaves=12,
)


def key_paths(data: object, path: KeyPath = ()) -> dict[KeyPath, str]:
    found: dict[KeyPath, str] = {}
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else []
    )
    for key, value in items:
        if isinstance(data, dict):
            found[(*path, key)] = key
        found.update(key_paths(value, (*path, key)))
    return found


@settings(max_examples=60, deadline=None)
@given(
    data=st.dictionaries(names, documents, min_size=1, max_size=4),
    indent=st.sampled_from([None, 2]),
)
def test_every_key_is_placed_where_it_is_written(
    data: dict[str, object], indent: int | None
) -> None:
    for fmt, text in [
        ("json", json.dumps(data, indent=indent, ensure_ascii=False)),
        (
            "yaml",
            yaml.dump(
                data,
                Dumper=safe_dumper(yaml),
                allow_unicode=True,
                default_flow_style=indent is None,
            ),
        ),
    ]:
        document = parse_input(text, fmt)
        expected = key_paths(data)
        assert set(document.key_positions) == set(expected)
        for path, name in expected.items():
            written = key_at(text, document.key_positions[path])
            # The key alone, as the key of a document of its own.
            alone = f"{{{written}: 0}}" if fmt == "json" else f"? {written}\n: 0\n"
            assert parse_input(alone, fmt).data == {name: 0}


# -- limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "a:\n" + "- " * 10_000 + "1\n",
        "a: &a [[[1]]]\n"
        + "b:"
        + " [" * (MAX_DEPTH - 2)
        + " *a"
        + "]" * (MAX_DEPTH - 2)
        + "\n",
    ],
    ids=["flow", "block", "through an alias"],
)
def test_yaml_nested_beyond_the_limit_is_refused_before_it_is_composed(
    text: str,
) -> None:
    with pytest.raises(InputFileError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_input(text, "yaml")


def test_a_key_repeated_in_a_list_inside_the_section_is_named_by_its_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "input.json"
    path.write_text('{"type": "exp", "start_lr": 1e-3, "x": [{"a": 1, "a": 2}]}')
    assert main(["normalize", str(path)]) == 1
    assert "learning_rate/x/0/a: the key is given more than once (again at line 1)" in (
        capsys.readouterr().err
    )


def test_an_input_document_is_equal_by_its_text_and_never_changes() -> None:
    text = '{"start_lr": 1e-3, "start_lr": 2e-3}'
    document = parse_input(text, "json")
    assert document == parse_input(text, "json")
    assert document != parse_input('{"start_lr": 2e-3}', "json")
    assert repr(document) == (
        "InputDocument(format='json', data={'start_lr': 0.002}, "
        "duplicate_keys=(DuplicateKey(path=('start_lr',), line=1),))"
    )
    with pytest.raises(AttributeError):
        document.data = {}  # type: ignore[misc]
    with pytest.raises(TypeError, match="unhashable"):
        hash(document)


# -- files and streams ----------------------------------------------------------------

INPUT_JSON = f'{{"learning_rate": {SECTION_JSON}, "training": {{"numb_steps": 10}}}}'


NOT_REGULAR = (
    "is not a regular file (a FIFO, a device or a socket): only regular files "
    "are read, so that a stream never makes the command wait; save it to a "
    "file first (check reads a pipe as -)"
)


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: Path) -> None:
    # The contract: regular files only, a FIFO refused at once, never a hang.
    fifo = tmp_path / "input.json"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError) as caught:
        read_text(fifo)
    assert str(caught.value) == NOT_REGULAR
    with pytest.raises(InputFileError, match="is not a regular file"):
        list(read_lines(fifo))


def checked_from_a_pipe(name: str, text: str) -> subprocess.CompletedProcess[str]:
    """``deepmd-lr check NAME`` in a child process, with ``text`` piped in."""
    return subprocess.run(
        [sys.executable, "-m", "deepmd_lr", "check", name],
        input=text,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_dev_stdin_is_refused_and_check_reads_a_pipe_as_dash() -> None:
    text = "\ufeff" + INPUT_JSON.replace("1e-8", "1e-2")
    refused = checked_from_a_pipe("/dev/stdin", text)
    assert refused.returncode == 1
    assert refused.stdout.startswith(f"/dev/stdin:1:1: LR001 {NOT_REGULAR}")
    piped = checked_from_a_pipe("-", text)
    assert piped.returncode == 1
    # The byte-order mark is dropped, as from a file: the column counts without it.
    assert piped.stdout.startswith("-:1:53: LR302 learning_rate/stop_lr: ")


def test_what_cannot_be_read_is_refused_with_one_line(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "socket"))
        with pytest.raises(InputFileError) as caught:
            read_text(tmp_path / "socket")
    assert str(caught.value) == NOT_REGULAR
    with pytest.raises(InputFileError, match=r"^is a directory, not a file$"):
        read_text(tmp_path)
    with pytest.raises(InputFileError, match=r"^no such file$"):
        read_text(tmp_path / "missing.json")
    with pytest.raises(InputFileError, match=r"^is not a regular file \(a FIFO"):
        read_input(os.devnull)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_a_file_that_may_not_be_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(INPUT_JSON)
    path.chmod(0)
    with pytest.raises(
        InputFileError, match=r"^cannot read the file: Permission denied$"
    ):
        read_text(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("learning_rate:\n  type: exp\n  1: 2\n", [(3, 3, "LR102", "learning_rate")]),
        ("type: exp\nstart_lr: 1.0e-3\ntrue: 3\n", [(3, 1, "LR102", "learning_rate")]),
    ],
)
def test_a_key_that_is_not_a_string_is_placed_at_itself(text, expected) -> None:
    pytest.importorskip("yaml")
    found = [place for place in places(text, "yaml") if place[2] == "LR102"]
    assert found == expected
