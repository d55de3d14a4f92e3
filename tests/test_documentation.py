"""The generated argument reference follows the Argument tree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from deepmd_lr import BaseLR, learning_rate_args
from deepmd_lr.describe.documentation import (
    argument_reference,
    markdown_reference,
    rst_reference,
)
from deepmd_lr.section.keys import COMMON_KEYS

# Type and default of keys, spelled as in a JSON input.
RST_SIGNATURES = {
    "learning_rate/start_lr": "type: ``float``\n",
    "learning_rate/stop_lr": "type: ``float`` or ``null``, optional, default: ``null``",
    "learning_rate/warmup_steps": "type: ``int``, optional, default: ``0``",
    "learning_rate/warmup_start_factor": "type: ``float``, optional, default: ``0.0``",
    "learning_rate/scale_by_worker": 'type: ``str``, optional, default: ``"linear"``',
    "learning_rate/type": 'type: ``str`` (flag key), default: ``"exp"``',
    "learning_rate[exp]/decay_steps": "type: ``int``, optional, default: ``5000``",
    "learning_rate[exp]/smooth": "type: ``bool``, optional, default: ``false``",
    "learning_rate[wsd]/decay_type": 'type: ``str``, optional, default: ``"inverse_linear"``',
}


def rst_entry(text: str, path: str) -> str:
    """The part of the rst reference from the anchor of ``path`` to the next one."""
    anchor = f".. _`{path}`:"
    assert anchor in text, path
    return text.split(anchor, 1)[1].split(".. _`", 1)[0]


@pytest.mark.parametrize("path", RST_SIGNATURES)
def test_rst_gives_each_key_an_anchor_its_path_type_and_default(path: str) -> None:
    entry = rst_entry(argument_reference("rst"), path)
    assert f"argument path: ``{path}``" in entry
    assert RST_SIGNATURES[path] in entry


def test_rst_links_each_type_to_its_keys() -> None:
    text = rst_reference(learning_rate_args())
    assert text == argument_reference("rst")
    for name in ("exp", "cosine", "wsd"):
        assert f"|code:learning_rate[{name}]|_" in text
    assert "learning_rate[cosine]/decay_steps" not in text


def test_markdown_has_a_heading_per_key_in_declaration_order() -> None:
    text = argument_reference("md")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    common = [f"## `{key.name}`" for key in COMMON_KEYS]
    assert headings[: 1 + len(common)] == ["# `learning_rate`", *common]
    assert "## `type`" in headings
    for name, cls in BaseLR.get_plugins().items():
        assert f"### When `type` is `{name}`" in headings
        for key in cls.variant_keys:
            assert f"#### `{key.name}`" in headings


@pytest.mark.parametrize("key", COMMON_KEYS, ids=lambda key: key.name)
def test_markdown_states_type_default_and_doc(key) -> None:
    text = argument_reference("md")
    block = text.split(f"Path: `learning_rate/{key.name}`")[1].split("\n## ")[0]
    assert f"`{key.kind.__name__}`" in block
    assert ("required" in block) is key.required
    assert key.reference_doc() in block


def test_markdown_of_a_folded_argument_stops_at_its_own_doc() -> None:
    text = markdown_reference(learning_rate_args(fold_subdoc=True))
    assert "learning_rate/start_lr" not in text


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="'html'"):
        argument_reference("html")  # type: ignore[arg-type]


def all_key_paths() -> list[str]:
    paths = [f"learning_rate/{key.name}" for key in COMMON_KEYS]
    paths.append("learning_rate/type")
    for name, cls in BaseLR.get_plugins().items():
        paths += [f"learning_rate[{name}]/{key.name}" for key in cls.variant_keys]
    return paths


@pytest.mark.parametrize("path", all_key_paths())
def test_rst_states_each_default_once(path: str) -> None:
    entry = rst_entry(argument_reference("rst"), path).lower()
    assert entry.count("default:") <= 1
    assert "not set by default" not in entry


def test_rst_types_read_as_json_types() -> None:
    text = argument_reference("rst")
    assert "NoneType" not in text
    assert "``None``" not in text
    assert "``False``" not in text


def test_rst_links_key_names_in_the_text_to_their_entries() -> None:
    text = argument_reference("rst")
    start = rst_entry(text, "learning_rate/start_lr")
    assert "|key:learning_rate/scale_by_worker|_" in start
    decay_steps = rst_entry(text, "learning_rate[exp]/decay_steps")
    assert "|key:learning_rate[exp]/decay_rate|_" in decay_steps
    # Every link has its definition, and its target is an anchor of the page.
    for path in set(re.findall(r"\|key:([^|]+)\|_", text)):
        assert f".. |key:{path}| replace:: ``{path.rsplit('/', 1)[-1]}``" in text
        assert f".. _`{path}`:" in text


def test_rst_sets_a_key_named_in_its_own_text_as_a_literal() -> None:
    entry = rst_entry(argument_reference("rst"), "learning_rate/stop_lr")
    assert "one of ``stop_lr`` and |key:learning_rate/stop_lr_ratio|_" in entry


def test_rst_leaves_the_names_in_anchors_and_signatures_alone() -> None:
    text = argument_reference("rst")
    assert "argument path: ``learning_rate/stop_lr``" in text
    assert "\n    stop_lr:\n" in text
    assert "\n    .. _`learning_rate/stop_lr`:\n" in text


def test_rst_for_sphinx_declares_each_key_in_the_dargs_domain() -> None:
    text = rst_reference(learning_rate_args(), sphinx_domain=True)
    assert ".. dargs:argument:: stop_lr:" in text
    assert "   :path: learning_rate/stop_lr" in text
    assert "|key:learning_rate/start_lr|_" in text


def test_markdown_states_each_default_once() -> None:
    text = argument_reference("md")
    assert "Default:" not in text
    assert "Not set by default" not in text


def test_the_lines_marked_in_the_deepmd_kit_page_are_those_deepmd_lr_reads() -> None:
    # The page marks the learning_rate section and numb_steps of the input
    # it includes; the numbers are written in the page, so a change to the
    # input must change them too.
    root = Path(__file__).parent.parent
    page = (root / "doc" / "deepmd_kit.md").read_text()
    marked = re.search(
        r"literalinclude\} \.\./(examples/input_wsd\.json)\n:language: json\n"
        r":emphasize-lines: ([\d, -]+)\n",
        page,
    )
    assert marked is not None
    numbers = set()
    for part in marked.group(2).split(","):
        first, _, last = part.strip().partition("-")
        numbers.update(range(int(first), int(last or first) + 1))
    lines = (root / marked.group(1)).read_text().splitlines()
    start = next(n for n, line in enumerate(lines, 1) if '"learning_rate"' in line)
    end = next(
        n for n in range(start, len(lines) + 1) if lines[n - 1].strip() in ("}", "},")
    )
    steps = next(n for n, line in enumerate(lines, 1) if '"numb_steps"' in line)
    assert numbers == {*range(start, end + 1), steps}
