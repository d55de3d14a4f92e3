"""A :class:`Key` checks its own declaration, so a plugin's mistake shows at import,
and is a frozen value: equal, hashed, shown, pickled and matched by its fields."""

from __future__ import annotations

import copy
import pickle

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


def power_key(**changes: object) -> Key:
    settings: dict[str, object] = {
        "name": "power",
        "kind": float,
        "doc": "Exponent of the curve.",
        "default": 1.0,
        "minimum": 0.0,
    }
    return Key(**{**settings, **changes})  # type: ignore[arg-type]


def test_a_key_is_built_by_keywords_and_positions_alike() -> None:
    by_position = Key("power", float, "Exponent of the curve.", 1.0, 0.0)
    assert by_position == power_key()
    assert by_position.maximum is None
    assert by_position.exclusive_minimum is False
    assert by_position.choices == ()
    assert Key("start_lr", float, "Rate.").default is REQUIRED


def test_keys_are_equal_and_hash_alike_exactly_when_their_fields_are() -> None:
    assert power_key() == power_key()
    assert hash(power_key()) == hash(power_key())
    assert power_key() != power_key(maximum=2.0)
    assert power_key() != power_key(doc="Another text.")
    assert len({power_key(), power_key(), power_key(minimum=0.5)}) == 2
    assert power_key() != ("power", float, "Exponent of the curve.", 1.0, 0.0)


def test_a_key_cannot_be_changed() -> None:
    key = power_key()
    with pytest.raises(AttributeError, match="cannot assign to field 'minimum'"):
        key.minimum = -1.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        key.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        del key.doc
    assert key.minimum == 0.0


def test_a_key_shows_every_field_in_order() -> None:
    assert repr(Key("mode", str, "How.", default="a", choices=("a", "b"))) == (
        "Key(name='mode', kind=<class 'str'>, doc='How.', default='a', "
        "minimum=None, maximum=None, exclusive_minimum=False, "
        "exclusive_maximum=False, choices=('a', 'b'))"
    )
    assert repr(Key("start_lr", float, "Rate.")).startswith(
        "Key(name='start_lr', kind=<class 'float'>, doc='Rate.', default=REQUIRED,"
    )


def test_a_key_survives_pickle_and_copy() -> None:
    key = power_key(maximum=3.0, exclusive_maximum=True)
    for same in (pickle.loads(pickle.dumps(key)), copy.copy(key), copy.deepcopy(key)):
        assert same == key
        assert same.range_text() == "0 <= value < 3"


def test_a_key_matches_by_position_and_keyword() -> None:
    match power_key():
        case Key("power", kind, minimum=minimum):
            assert (kind, minimum) == (float, 0.0)
        case _:
            pytest.fail("the key did not match")
