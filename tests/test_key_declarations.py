"""A :class:`Key` checks its own declaration, so a plugin's mistake shows at import."""

from __future__ import annotations

import pytest

import deepmd_lr
from deepmd_lr import REQUIRED, Key


def test_key_is_exported_for_plugins() -> None:
    assert deepmd_lr.Key is Key
    assert "Key" in deepmd_lr.__all__
    assert "REQUIRED" in deepmd_lr.__all__


def test_a_well_formed_key_is_accepted() -> None:
    key = Key("power", float, "Exponent.", default=1.0, minimum=0.0)
    assert key.default == 1.0
    assert Key("rate", float, "A rate.").default is REQUIRED


@pytest.mark.parametrize("kind", [list, dict, tuple, complex, type(None)])
def test_a_kind_json_inputs_cannot_hold_as_one_value_is_refused(kind: type) -> None:
    with pytest.raises(TypeError, match="kind must be one of"):
        Key("bad", kind, "A key.")


def test_a_default_outside_the_keys_own_range_is_refused() -> None:
    with pytest.raises(ValueError, match="default breaks its own rule"):
        Key("ratio", float, "A ratio.", default=2.0, minimum=0.0, maximum=1.0)


def test_a_default_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ValueError, match="default breaks its own rule"):
        Key("steps", int, "Steps.", default=1.5)


def test_a_default_outside_the_choices_is_refused() -> None:
    with pytest.raises(ValueError, match="default breaks its own rule"):
        Key("shape", str, "Shape.", default="round", choices=("flat", "steep"))


def test_bounds_in_the_wrong_order_are_refused() -> None:
    with pytest.raises(ValueError, match="above maximum"):
        Key("x", float, "X.", minimum=2.0, maximum=1.0)


def test_choices_on_a_number_are_refused() -> None:
    with pytest.raises(ValueError, match="only str keys have choices"):
        Key("x", float, "X.", choices=("a",))


def test_bounds_on_a_string_are_refused() -> None:
    with pytest.raises(ValueError, match="only int and float keys have bounds"):
        Key("x", str, "X.", minimum=0.0)


@pytest.mark.parametrize("name", ["", "two words", "_comment", "1st"])
def test_a_name_that_no_section_key_can_have_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="Key"):
        Key(name, float, "X.")


def test_a_key_without_documentation_is_refused() -> None:
    with pytest.raises(ValueError, match="documentation"):
        Key("x", float, "  ")
