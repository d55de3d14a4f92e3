"""The generated argument reference follows the Argument tree."""

from __future__ import annotations

import pytest

from deepmd_lr import BaseLR, learning_rate_args
from deepmd_lr.documentation import (
    argument_reference,
    markdown_reference,
    rst_reference,
)
from deepmd_lr.keys import COMMON_KEYS


def test_rst_is_dargs_own_rendering() -> None:
    argument = learning_rate_args()
    expected = argument.gen_doc(make_anchor=True, make_link=True).rstrip() + "\n"
    assert argument_reference("rst") == expected == rst_reference(argument)


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
    assert key.full_doc() in block


def test_markdown_of_a_folded_argument_stops_at_its_own_doc() -> None:
    text = markdown_reference(learning_rate_args(fold_subdoc=True))
    assert "learning_rate/start_lr" not in text


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(ValueError, match="'html'"):
        argument_reference("html")  # type: ignore[arg-type]
