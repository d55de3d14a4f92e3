"""The value classes of the package behave as frozen (or plain) dataclasses would."""

from __future__ import annotations

import copy
import pickle

import pytest

from deepmd_lr import REQUIRED, Key
from deepmd_lr.deepmd.migration import MigrationNote
from deepmd_lr.files.reader import DuplicateKey, parse_input
from deepmd_lr.lint.check import Problem


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


def test_records_of_other_classes_are_never_equal() -> None:
    note = MigrationNote("learning_rate/stop_lr", "a rule", None, 1e-8)
    assert note == MigrationNote("learning_rate/stop_lr", "a rule", None, 1e-8)
    assert note != DuplicateKey(("learning_rate", "stop_lr"))
    assert hash(note) == hash(copy.copy(note))
    problem = Problem("in.json", 1, 2, "LR204", "error", "learning_rate/x", "bad")
    assert problem == pickle.loads(pickle.dumps(problem))
    assert problem != Problem("in.json", 1, 2, "LR204", "error", "learning_rate/x", "")
    with pytest.raises(AttributeError):
        problem.line = 3  # type: ignore[misc]


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
