"""Every problem code explained: its example shows it, and ``explain`` prints it."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from registry_scope import scoped_schedules

from deepmd_lr import BaseLR, Key, normalize
from deepmd_lr.cli.main import main
from deepmd_lr.section.codes import CODES, explanations

yaml = pytest.importorskip("yaml")

EXPLAINED = explanations()
ROOT = Path(__file__).resolve().parent.parent


def test_every_code_is_explained_once_in_the_order_of_the_table() -> None:
    # Every entry is read: none is skipped for a slip in its layout.
    written = (ROOT / "deepmd_lr/section/explanations.md").read_text(encoding="utf-8")
    assert re.findall(r"^## (\S+)$", written, re.MULTILINE) == list(CODES)
    assert list(EXPLAINED) == list(CODES)
    # The page of codes writes a section for each code explained.
    assert ".. problem-codes::" in (ROOT / "doc/codes.md").read_text()


def reported(
    tmp_path: Path, code: str, capsys: pytest.CaptureFixture[str]
) -> list[str]:
    """The codes the command of ``code``'s example reports for its input."""
    entry = EXPLAINED[code]
    example = tmp_path / entry.file_name
    example.write_text(entry.example, encoding=entry.encoding)
    words = shlex.split(entry.command)
    assert words[:2] == ["deepmd-lr", "check"]
    main(["check", "--format", "json", *words[2:-1], str(example)])
    return [problem["code"] for problem in json.loads(capsys.readouterr().out)]


@pytest.mark.parametrize(
    "code", [code for code in CODES if code not in ("LR008", "LR108")]
)
def test_the_example_of_each_code_is_reported_with_that_code(
    tmp_path: Path, code: str, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = reported(tmp_path, code, capsys)
    assert code in codes
    # A code that always comes with another is explained with it.
    others = set(codes) - {code}
    assert all(other in EXPLAINED[code].text for other in others), codes


def test_the_example_of_a_required_key_needs_a_plugin_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert reported(tmp_path, "LR108", capsys) == ["LR105"]
    with scoped_schedules():

        @BaseLR.register("cyclic")
        class LearningRateCyclic(BaseLR):
            variant_keys = (Key("cycles", int, "Number of cycles.", minimum=1),)

        assert reported(tmp_path, "LR108", capsys) == ["LR108"]


def test_the_example_of_normalize_needing_the_current_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = EXPLAINED["LR008"]
    assert entry.command == "deepmd-lr normalize input.json"
    with pytest.raises(ValueError, match="older form") as raised:
        normalize(json.loads(entry.example))
    assert raised.value.code == "LR008"
    assert main(["normalize", str(tmp_path / "in.json")]) == 1
    example = tmp_path / "input.json"
    example.write_text(entry.example)
    assert main(["normalize", str(example)]) == 1
    assert "older form" in capsys.readouterr().err
    # check warns about what normalize refuses.
    assert reported(tmp_path, "LW105", capsys) == ["LW105"]


def test_explain_prints_the_entry_of_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    entry = EXPLAINED["LR204"]
    assert main(["explain", "lr204"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("LR204 (error): a value is out of its range\n")
    for part in (entry.text, entry.fix, entry.command, "codes.html#lr204"):
        assert part in out
    assert "    " + entry.example.splitlines()[0] in out


@pytest.mark.parametrize("code", ["LR204", "LR001", "LW201"])
def test_explain_prints_what_check_prints_for_the_example(
    capsys: pytest.CaptureFixture[str], code: str
) -> None:
    assert main(["explain", code]) == 0
    out = capsys.readouterr().out
    entry = explanations()[code]
    assert f"$ {entry.command}\n" in out
    assert re.search(rf"^    {entry.file_name}:\d+:\d+: {code} ", out, re.MULTILINE)
    assert "Shown by" not in out


def test_explain_names_the_command_where_check_cannot_show_the_code_here(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # LR108's example needs a plugin's schedule type, not installed here.
    assert main(["explain", "LR108"]) == 0
    assert f"Shown by: {explanations()['LR108'].command}" in capsys.readouterr().out


def test_explain_runs_the_normalize_of_lr008_and_shows_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "LR008"]) == 0
    out = capsys.readouterr().out
    assert "    $ deepmd-lr normalize input.json\n    input.json: LR008 " in out


def test_explain_without_a_code_lists_every_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{code}  {code.meaning}" for code in CODES.values()]


def test_explain_of_an_unknown_code_names_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["explain", "LR999"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("deepmd-lr explain: error: unknown code 'LR999'")
    assert line.endswith(" ".join(CODES))
