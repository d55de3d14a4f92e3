"""Editing the learning_rate section in place: every other byte stays."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deepmd_lr.deepmd.migration import is_whole_input
from deepmd_lr.files.editing import edit_section
from deepmd_lr.files.reader import file_format, parse_input
from deepmd_lr.files.splicing import same_value
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.files.writer import dumps

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_FILES = sorted(
    path
    for path in (ROOT / "examples").rglob("*")
    if path.suffix in (".json", ".yaml", ".yml")
)
FAST = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def section_span(text: str, fmt: str) -> tuple[int, int]:
    """Where the section's key and value lie, found without the editor's scanner.

    A missing section is the empty span before the last closing brace (JSON)
    or at the end (YAML); a bare section is the whole top-level object.
    """
    body = text.removeprefix("\ufeff")
    offset = len(text) - len(body)
    if fmt == "json":
        data = json.loads(body)
        if not is_whole_input(data):
            start = body.index("{")
            return offset + start, offset + body.rindex("}") + 1
        for match in re.finditer(r'"(?:[^"\\]|\\.)*"\s*:\s*', body):
            if json.loads(match.group().rstrip(": \t\r\n")) == "learning_rate":
                _, end = json.JSONDecoder().raw_decode(body, match.end())
                return offset + match.start(), offset + end
        end = len(body[: body.rindex("}")].rstrip())
        return offset + end, offset + end
    root = yaml.compose(body)
    if not is_whole_input(yaml.safe_load(body)):
        return offset + root.start_mark.index, offset + root.end_mark.index
    for key, value in root.value:
        if key.value == "learning_rate":
            end = value.end_mark.index
            if value.start_mark.index < key.start_mark.index:
                # An alias: the node is where its anchor is.
                end = body.find("\n", key.end_mark.index) % (len(body) + 1)
            return offset + key.start_mark.index, offset + end
    end = root.end_mark.index
    return offset + end, offset + end


def assert_only_section_changed(before: str, after: str, fmt: str) -> None:
    if before == after:
        return
    start, end = section_span(before, fmt)
    prefix = 0
    while prefix < min(len(before), len(after)) and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(before), len(after)) - prefix
        and before[-1 - suffix] == after[-1 - suffix]
    ):
        suffix += 1
    assert prefix >= start, (before[start:], after[start:])
    assert len(before) - suffix <= end, (before[:end], after[:end])


def read(text: str, fmt: str) -> Any:
    return parse_input(text, fmt).data


def section_of(data: dict[str, Any]) -> Any:
    return data.get("learning_rate") if is_whole_input(data) else data


def edit(text: str, fmt: str, new: dict[str, Any]) -> str:
    bare = not is_whole_input(read(text, fmt))
    return edit_section(text, fmt, new, bare=bare)


# -- the shipped examples ---------------------------------------------------------


def changed_sections(old: dict[str, Any]) -> list[dict[str, Any]]:
    """An added key, a changed value, a removed key, and all three at once."""
    added = {**old, "warmup_start_factor": 1e-08}
    changed = {name: value for name, value in old.items()}
    changed["start_lr"] = 0.5 * float(old.get("start_lr", 2e-3))
    if len(old) < 2:
        return [added, changed]
    removed = {name: value for name, value in old.items() if name != list(old)[-1]}
    everything = {name: value for name, value in changed.items() if name in removed}
    everything["smooth"] = True
    return [added, changed, removed, everything]


@pytest.mark.parametrize(
    "path", EXAMPLE_FILES, ids=lambda path: str(path.relative_to(ROOT))
)
def test_edits_of_the_examples_change_only_the_section(
    path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    fmt = file_format(copy)
    before = copy.read_text(encoding="utf-8")
    data = read(before, fmt)
    old = section_of(data)
    for new in changed_sections(old):
        after = edit(before, fmt, new)
        assert_only_section_changed(before, after, fmt)
        result = section_of(read(after, fmt))
        assert same_value(result, new)
        kept = [name for name in old if name in new]
        assert list(result) == kept + [name for name in new if name not in old]


@pytest.mark.parametrize(
    "path", EXAMPLE_FILES, ids=lambda path: str(path.relative_to(ROOT))
)
def test_an_unchanged_section_leaves_the_text_as_it_is(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fmt = file_format(path)
    assert edit(text, fmt, dict(section_of(read(text, fmt)))) is text


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_an_edit_keeps_the_byte_order_mark(fmt: str) -> None:
    text = '\ufeff{"learning_rate": {"type": "exp"}, "training": {"numb_steps": 10}}'
    new = {"type": "exp", "start_lr": 1e-3}
    edited = edit_section(text, fmt, new)
    assert edited.startswith('\ufeff{"learning_rate": {"type": "exp", ')
    assert parse_input(edited, fmt).data["learning_rate"] == new
    assert edit_section(text, fmt, {"type": "exp"}) is text


def test_migrating_the_old_example_changes_five_lines() -> None:
    from deepmd_lr.deepmd.migration import migrate

    path = ROOT / "examples" / "pre_3.1.3.json"
    before = path.read_text(encoding="utf-8")
    migrated, _ = migrate(read(before, "json"))
    after = edit_section(before, "json", migrated["learning_rate"])
    removed = set(before.splitlines()) - set(after.splitlines())
    added = set(after.splitlines()) - set(before.splitlines())
    assert [line.strip() for line in removed] == ['"type": "exp"']
    assert sorted(line.strip() for line in added) == [
        '"decay_steps": 5000',
        '"start_lr": 0.001,',
        '"stop_lr": 1e-08,',
        '"type": "exp",',
    ]


# -- JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "new", "after"),
    [
        (
            '{"training": {"x": [1,2]}, "learning_rate": {"type": "exp", "start_lr": 1e-3}}',
            {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8},
            '{"training": {"x": [1,2]}, "learning_rate": {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-08}}',
        ),
        (
            '{"training":1,"learning_rate":{"start_lr":1E-3}}',
            {"start_lr": 1e-3, "stop_lr": 0},
            '{"training":1,"learning_rate":{"start_lr":1E-3,"stop_lr":0}}',
        ),
        (
            '{\r\n\t"learning_rate": {\r\n\t\t"a": 1,\r\n\t\t"b": 2.50\r\n\t},\r\n\t"training": 1\r\n}',
            {"b": 2.5, "c": None},
            '{\r\n\t"learning_rate": {\r\n\t\t"b": 2.50,\r\n\t\t"c": null\r\n\t},\r\n\t"training": 1\r\n}',
        ),
        (
            '{\n  "training": 1,\n  "learning_rate": {\n  }\n}',
            {"start_lr": 0.001},
            '{\n  "training": 1,\n  "learning_rate": {\n    "start_lr": 0.001\n  }\n}',
        ),
        (
            '\ufeff{\n    "training": 1\n}',
            {"type": "exp"},
            '\ufeff{\n    "training": 1,\n    "learning_rate": {\n        "type": "exp"\n    }\n}',
        ),
        (
            '{"model": "é", "learning\\u005frate": {"type": "ex\\u0070", "start_lr": 1}}',
            {"type": "exp", "start_lr": 2, "note": "λ\ud800"},
            '{"model": "é", "learning\\u005frate": {"type": "ex\\u0070", "start_lr": 2, "note": "λ\\ud800"}}',
        ),
        (
            '{"training": 1, "learning_rate": null}\n',
            {"start_lr": 1e-3},
            '{"training": 1, "learning_rate": {"start_lr": 0.001}}\n',
        ),
        (
            '{"training": 1, "training": 2, "learning_rate": {"a": 1, "b": 2, "c": 3}}',
            {"a": 1, "c": 3},
            '{"training": 1, "training": 2, "learning_rate": {"a": 1, "c": 3}}',
        ),
        (
            '{"learning_rate": {\r    "a": 1\r},\r"training": 1}\r',
            {"a": 1, "b": 2},
            '{"learning_rate": {\r    "a": 1,\r    "b": 2\r},\r"training": 1}\r',
        ),
        (
            '{"learning_rate": {\r    "a": 1\r  },\r"training": 1}\r',
            {},
            '{"learning_rate": {\r  },\r"training": 1}\r',
        ),
    ],
    ids=[
        "added key keeps the line and the spelling",
        "compact layout",
        "CRLF and tabs, a key removed",
        "empty multi-line object",
        "missing section with a byte-order mark",
        "escaped keys and unicode",
        "null section",
        "repeated key outside the section",
        "lines ending in a carriage return, a key added",
        "lines ending in a carriage return, every key removed",
    ],
)
def test_json_edits(before: str, new: dict[str, Any], after: str) -> None:
    assert edit_section(before, "json", new) == after
    assert_only_section_changed(before, after, "json")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("{}\n", "{learning_rate: {type: exp}}\n"),
        ("{\r\n}\r\n", "{\r\n  learning_rate: {type: exp}\r\n}\r\n"),
    ],
)
def test_a_section_is_added_to_an_empty_yaml_flow_mapping(
    before: str, after: str
) -> None:
    assert edit_section(before, "yaml", {"type": "exp"}) == after


def test_a_repeated_json_section_is_refused() -> None:
    text = '{"learning_rate": {"a": 1}, "learning_rate": {"a": 2}}'
    with pytest.raises(InputFileError, match="more than one learning_rate"):
        edit_section(text, "json", {"a": 3})


# -- YAML ---------------------------------------------------------------------------

COMMENTED_YAML = """\
# A training input
defaults: &defaults
  numb_steps: 100   # short
training: *defaults
learning_rate:   # the schedule
  type: exp      # decays
  # the start
  start_lr:   1e-3
  stop_lr: ~
  smooth: yes
# after the section
model: {sel: [46,92]}
"""


@pytest.mark.parametrize(
    ("before", "new", "after"),
    [
        (
            COMMENTED_YAML,
            {
                "type": "exp",
                "start_lr": "1e-3",
                "stop_lr": 1e-8,
                "smooth": True,
                "decay_steps": 5000,
            },
            COMMENTED_YAML.replace("~", "1.0e-08").replace(
                "yes\n", "yes\n  decay_steps: 5000\n"
            ),
        ),
        (
            COMMENTED_YAML,
            {"type": "exp", "start_lr": "1e-3", "smooth": "yes"},
            COMMENTED_YAML.replace("  stop_lr: ~\n", "").replace(
                "smooth: yes", "smooth: 'yes'"
            ),
        ),
        (
            "training: 1\r\nlearning_rate: {type: exp, start_lr: 1.0e-3}  # flow\r\n",
            {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8},
            "training: 1\r\nlearning_rate: {type: exp, start_lr: 1.0e-3, stop_lr: 1.0e-08}  # flow\r\n",
        ),
        (
            "training:\r\n    numb_steps: 1\r\nlearning_rate:\r\n    type: exp",
            {"type": "cosine", "start_lr": 1e-3},
            "training:\r\n    numb_steps: 1\r\nlearning_rate:\r\n    type: cosine\r\n    start_lr: 0.001",
        ),
        (
            "\ufefftraining:\n    numb_steps: 1\n# end\n",
            {"type": "exp"},
            "\ufefftraining:\n    numb_steps: 1\n# end\nlearning_rate:\n    type: exp\n",
        ),
        (
            "base: &lr\n  type: exp\ntraining: 1\nlearning_rate: *lr\n",
            {"type": "exp", "start_lr": 1e-3},
            "base: &lr\n  type: exp\ntraining: 1\nlearning_rate:\n  type: exp\n  start_lr: 0.001\n",
        ),
        (
            "training: 1\nlearning_rate:\n  type: exp\n  start_lr: |\n    text\n  note: ünï\n",
            {"type": "exp", "start_lr": 1e-3, "note": "ünï"},
            "training: 1\nlearning_rate:\n  type: exp\n  start_lr: 0.001\n  note: ünï\n",
        ),
        (
            "training: 1\rlearning_rate:\r  a: 1\r  b: 2\r  c: 3\rother: 1\r",
            {"a": 1, "c": 4},
            "training: 1\rlearning_rate:\r  a: 1\r  c: 4\rother: 1\r",
        ),
        (
            "learning_rate:\n  ? a\n  : 1\n  ? b\n  : 2\ntraining: 1\n",
            {"b": 3},
            "learning_rate:\n  ? b\n  : 3\ntraining: 1\n",
        ),
        (
            "type: exp  # bare\nstart_lr: 1.0e-3\n",
            {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8},
            "type: exp  # bare\nstart_lr: 1.0e-3\nstop_lr: 1.0e-08\n",
        ),
    ],
    ids=[
        "comments, anchors and spellings kept, a key added",
        "a key removed, a string that YAML 1.1 reads as a boolean",
        "flow section with CRLF",
        "no final newline",
        "missing section after a comment, byte-order mark",
        "aliased section written out",
        "block scalar replaced, unicode kept",
        "lines ending in a carriage return, a key removed",
        "keys written with ?, one removed",
        "bare section",
    ],
)
def test_yaml_edits(before: str, new: dict[str, Any], after: str) -> None:
    bare = not is_whole_input(read(before, "yaml"))
    assert edit_section(before, "yaml", new, bare=bare) == after
    assert_only_section_changed(before, after, "yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "training: 1\nlearning_rate: &lr\n  type: exp\nother: *lr\n",
            r"anchor &lr, which an alias \(\*lr\) repeats elsewhere",
        ),
        (
            "training: 1\nlearning_rate:\n  type: exp\n  start_lr: &r 1.0e-3\nx: *r\n",
            "holds the anchor &r",
        ),
        (
            "base: &b {type: exp}\ntraining: 1\nlearning_rate:\n  <<: *b\n",
            r"merge key \(<<\)",
        ),
        (
            "base: &b {learning_rate: {type: exp}}\n<<: *b\ntraining: 1\n",
            "learning_rate comes from a merge key",
        ),
    ],
    ids=["shared section", "shared value", "merge key", "merged section"],
)
def test_yaml_edits_that_would_change_other_places_are_refused(
    text: str, message: str
) -> None:
    with pytest.raises(InputFileError, match=message) as caught:
        edit_section(text, "yaml", {"type": "exp", "start_lr": 1e-3, "x": 1})
    assert "the file is left as it is" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_read_back_guard_refuses_a_wrong_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deepmd_lr.files import yaml_editing

    # A value written as YAML 1.2 spells it, which YAML 1.1 reads as text.
    monkeypatch.setattr(
        yaml_editing.YamlEdit, "value_text", lambda self, value: "1e-08"
    )
    with pytest.raises(InputFileError, match="would read back differently"):
        edit_section(
            "type: exp\nstop_lr: 1\n",
            "yaml",
            {"type": "exp", "stop_lr": 1e-8},
            bare=True,
        )


# -- generated documents ------------------------------------------------------------

section_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(["yes", "on", "1e-3", "null", "~", "0x10", "λ", "a: b", "#"]),
)
section_keys = st.sampled_from(
    ["type", "start_lr", "stop_lr", "decay_steps", "smooth", "clé", "warmup_steps"]
)
sections = st.dictionaries(section_keys, section_values, min_size=1, max_size=5)


@st.composite
def layouts(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "line_break": draw(st.sampled_from(["\n", "\r\n"])),
        "bom": draw(st.booleans()),
        "final_line_break": draw(st.booleans()),
        "position": draw(st.sampled_from(["first", "middle", "last", "missing"])),
    }


@st.composite
def edits(draw: st.DrawFn, old: dict[str, Any]) -> dict[str, Any]:
    new = {}
    for name, value in old.items():
        fate = draw(st.sampled_from(["keep", "keep", "change", "remove"]))
        if fate == "keep":
            new[name] = value
        elif fate == "change":
            new[name] = draw(section_values)
    new.update(draw(st.dictionaries(section_keys, section_values, max_size=3)))
    return new or {"type": "exp"}


def json_document(section: dict[str, Any], layout: dict[str, Any], indent: Any) -> str:
    others = {"model": {"sel": [46, 92], "name": "λ"}, "training": {"numb_steps": 10}}
    items = list(others.items())
    where = {"first": 0, "middle": 1, "last": 2}.get(layout["position"])
    if where is not None:
        items.insert(where, ("learning_rate", section))
    text = json.dumps(dict(items), indent=indent, ensure_ascii=False)
    return finish(text, layout)


def yaml_document(section: dict[str, Any], layout: dict[str, Any], flow: bool) -> str:
    def dump(data: Any) -> str:
        return yaml.safe_dump(
            data,
            default_flow_style=flow,
            allow_unicode=True,
            sort_keys=False,
            width=10**9,
        ).rstrip("\n")

    if flow:
        rendered = "learning_rate: " + dump(section)
    else:
        lines = ["learning_rate:  # c"]
        for number, item in enumerate(section.items()):
            member = dump(dict([item])).replace("\n", "\n  ")
            # A comment after each one-line member; a multi-line one has none.
            lines.append(f"  {member}" + ("" if "\n" in member else f"  # c{number}"))
        rendered = "\n".join(lines)
    parts = [
        "# top\ndefaults: &d {numb_steps: 10}",
        "training: *d  # alias",
        "model:\n  sel: [46,92]   # flow list\n  name: λ",
    ]
    where = {"first": 0, "middle": 1, "last": 3}.get(layout["position"])
    if where is not None:
        parts.insert(where, rendered)
    return finish("\n".join(parts), layout)


def finish(text: str, layout: dict[str, Any]) -> str:
    if layout["final_line_break"]:
        text += "\n"
    text = text.replace("\n", layout["line_break"])
    return ("\ufeff" if layout["bom"] else "") + text


def check_edit(before: str, fmt: str, new: dict[str, Any]) -> str:
    after = edit_section(before, fmt, new)
    assert_only_section_changed(before, after, fmt)
    old = read(before, fmt).get("learning_rate", {})
    result = read(after, fmt)["learning_rate"]
    assert same_value(result, new)
    kept = [name for name in old if name in new]
    assert list(result) == kept + [name for name in new if name not in old]
    return after


@FAST
@given(
    data=st.data(),
    old=sections,
    layout=layouts(),
    indent=st.sampled_from([None, 2, 4, "\t"]),
)
def test_generated_json_documents(
    data: st.DataObject, old: dict[str, Any], layout: dict[str, Any], indent: Any
) -> None:
    before = json_document(old, layout, indent)
    new = data.draw(edits(old if layout["position"] != "missing" else {}))
    after = check_edit(before, "json", new)
    for name, value in old.items():
        if name in new and same_value(value, new[name]):
            member = json.dumps(name, ensure_ascii=False) + ": "
            assert member + json.dumps(value, ensure_ascii=False) in after


@FAST
@given(data=st.data(), old=sections, layout=layouts(), flow=st.booleans())
def test_generated_yaml_documents(
    data: st.DataObject, old: dict[str, Any], layout: dict[str, Any], flow: bool
) -> None:
    before = yaml_document(old, layout, flow)
    # PyYAML writes text such as 0E0 plain, which YAML 1.2 reads as a number;
    # an edit keeps what it does not change, so the readers must agree before.
    assume(readers_agree(before))
    new = data.draw(edits(old if layout["position"] != "missing" else {}))
    after = check_edit(before, "yaml", new)
    if not flow:
        kept_lines = [
            line
            for line in re.split(r"\r?\n", before)
            if line.startswith("  ")
            and "# c" in line
            and (name := yaml.safe_load(line.split("  # c")[0].strip())) is not None
            and isinstance(name, dict)
            and all(k in new and same_value(v, new[k]) for k, v in name.items())
        ]
        for line in kept_lines:
            assert line in after
    assert_readers_agree(after)


# -- YAML 1.1 and 1.2 -----------------------------------------------------------------


def round_trip_load(text: str) -> Any:
    ruamel_yaml = pytest.importorskip("ruamel.yaml")
    return plain(ruamel_yaml.YAML(typ="rt").load(text.removeprefix("\ufeff")))


def plain(value: Any) -> Any:
    """ruamel's round-trip values as the plain Python values they stand for."""
    if isinstance(value, dict):
        return {plain(key): plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def readers_agree(text: str) -> bool:
    return same_value(
        round_trip_load(text), yaml.safe_load(text.removeprefix("\ufeff"))
    )


def assert_readers_agree(text: str) -> None:
    assert readers_agree(text), text


@pytest.mark.parametrize(
    "path", [p for p in EXAMPLE_FILES if file_format(p) == "yaml"], ids=lambda p: p.name
)
def test_yaml_readers_agree_on_the_examples(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_readers_agree(text)
    assert same_value(read(text, "yaml"), yaml.safe_load(text))


@pytest.mark.parametrize(
    ("literal", "yaml_1_1", "yaml_1_2"),
    [
        ("1e-3", "1e-3", 0.001),
        ("yes", True, "yes"),
        ("off", False, "off"),
        ("010", 8, 10),
        ("0o10", "0o10", 8),
        ("1.0e-3", 0.001, 0.001),
    ],
)
def test_where_yaml_1_1_and_1_2_differ(
    literal: str, yaml_1_1: Any, yaml_1_2: Any
) -> None:
    text = f"start_lr: {literal}\n"
    assert same_value(read(text, "yaml")["start_lr"], yaml_1_1)
    assert same_value(round_trip_load(text)["start_lr"], yaml_1_2)


WRITTEN_VALUES = [
    1e-08,
    1e22,
    0.001,
    5000,
    True,
    None,
    "yes",
    "1e-3",
    "0o10",
    "010",
    "~",
]


@pytest.mark.parametrize("value", WRITTEN_VALUES)
def test_written_values_read_the_same_in_yaml_1_1_and_1_2(value: Any) -> None:
    after = edit_section("type: exp\n", "yaml", {"type": "exp", "x": value}, bare=True)
    assert same_value(read(after, "yaml")["x"], value)
    assert_readers_agree(after)


@pytest.mark.parametrize("value", WRITTEN_VALUES)
def test_whole_yaml_files_read_the_same_in_yaml_1_1_and_1_2(value: Any) -> None:
    text = dumps({"learning_rate": {"type": "exp", "x": value}}, "yaml")
    assert same_value(read(text, "yaml")["learning_rate"]["x"], value)
    assert_readers_agree(text)
