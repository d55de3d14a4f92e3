"""The JSON Schema agrees with the checker wherever JSON Schema can say it."""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from section_strategies import any_section, valid_sections
from sections import INVALID, LEGACY, VALID, params, section

from deepmd_lr import BaseLR, LearningRateConfigError, normalize_learning_rate
from deepmd_lr.describe.schema import json_schema, section_schema
from deepmd_lr.section.keys import COMMON_KEYS

jsonschema = pytest.importorskip("jsonschema")

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Invalid sections that JSON Schema cannot reject (see deepmd_lr.describe.schema).
NOT_EXPRESSIBLE = {
    "stop_lr above start_lr",  # compares two values of the instance
    "decay_steps not whole",  # 100.0 is an integer to JSON Schema
    "start_lr NaN",  # NaN passes every bound
    "decay_rate NaN",
}


@functools.cache
def shared_validator() -> Any:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture
def validator() -> Any:
    return shared_validator()


def whole_input(section_: Any) -> dict[str, Any]:
    return {
        "model": {"type_map": ["O", "H"], "descriptor": {"type": "se_e2_a"}},
        "learning_rate": section_,
        "training": {"numb_steps": 1000, "anything": [1, "two"]},
    }


@pytest.mark.parametrize("case", params(VALID))
def test_valid_section_passes(validator: Any, case: dict[str, Any]) -> None:
    assert list(validator.iter_errors(case)) == []


@pytest.mark.parametrize("case", params(VALID))
def test_valid_section_passes_inside_a_whole_input(
    validator: Any, case: dict[str, Any]
) -> None:
    assert list(validator.iter_errors(whole_input(case))) == []


EXPRESSIBLE = {
    name: case for name, case in INVALID.items() if name not in NOT_EXPRESSIBLE
}


@pytest.mark.parametrize("case", params(EXPRESSIBLE))
def test_invalid_section_fails(validator: Any, case: Any) -> None:
    assert not validator.is_valid(case.section)


@pytest.mark.parametrize("case", params(EXPRESSIBLE))
def test_invalid_section_fails_inside_a_whole_input(validator: Any, case: Any) -> None:
    assert not validator.is_valid(whole_input(case.section))


@pytest.mark.parametrize("case", params(LEGACY))
def test_pre_313_section_fails(validator: Any, case: Any) -> None:
    assert not validator.is_valid(case.section)
    assert not validator.is_valid(whole_input(case.section))


@pytest.mark.parametrize("name", sorted(NOT_EXPRESSIBLE))
def test_inexpressible_rules_are_really_rejected_by_the_checker(name: str) -> None:
    with pytest.raises(LearningRateConfigError):
        normalize_learning_rate(INVALID[name].section)


@pytest.mark.parametrize("name", sorted(NOT_EXPRESSIBLE))
def test_inexpressible_rules_are_named_in_the_module_docstring(name: str) -> None:
    import deepmd_lr.describe.schema

    doc = deepmd_lr.describe.schema.__doc__
    assert doc is not None
    words = {
        "stop_lr above start_lr": "stop_lr <= start_lr",
        "decay_steps not whole": "10.0",
        "start_lr NaN": "NaN",
        "decay_rate NaN": "NaN",
    }
    assert words[name] in doc


@pytest.mark.parametrize(
    "path", sorted(p.name for p in EXAMPLES.glob("*.json")), ids=str
)
def test_example_files_are_judged_like_the_checker(validator: Any, path: str) -> None:
    data = json.loads((EXAMPLES / path).read_text())
    expected = not path.startswith("pre_")
    assert validator.is_valid(data) is expected


def test_other_sections_of_a_whole_input_are_free(validator: Any) -> None:
    data = whole_input(section())
    data["training"] = {"numb_steps": "not checked here", "seed": None}
    data["unknown_section"] = [1, 2, 3]
    assert validator.is_valid(data)


def test_a_whole_input_without_learning_rate_is_not_a_section(validator: Any) -> None:
    assert not validator.is_valid({"model": {}, "training": {"numb_steps": 10}})


def test_comment_keys_are_allowed(validator: Any) -> None:
    assert validator.is_valid(section(_comment="x", __anything={"nested": [1]}))


def test_unknown_key_fails(validator: Any) -> None:
    assert not validator.is_valid(section(stop_lr_ration=0.1))


def test_type_defaults_to_exp_for_variant_keys(validator: Any) -> None:
    assert validator.is_valid(section(decay_steps=100, smooth=True))
    assert not validator.is_valid(section(decay_type="linear"))


def test_each_type_rejects_the_keys_of_every_other_type(validator: Any) -> None:
    types = BaseLR.get_plugins()
    for name, cls in types.items():
        own = {key.name for key in cls.variant_keys}
        for other, other_cls in types.items():
            for key in other_cls.variant_keys:
                if key.name in own:
                    continue
                value = key.default if key.default is not None else key.minimum
                data = section(type=name, **{key.name: value})
                assert not validator.is_valid(data), (name, other, key.name)


def test_type_enum_is_the_registry(validator: Any) -> None:
    schema = section_schema()
    assert schema["properties"]["type"]["enum"] == list(BaseLR.get_plugins())
    assert schema["properties"]["type"]["default"] == "exp"


@pytest.mark.parametrize("key", COMMON_KEYS, ids=lambda key: key.name)
def test_common_key_bounds_come_from_its_declaration(key: Any) -> None:
    node = section_schema()["properties"][key.name]
    if key.minimum is not None:
        word = "exclusiveMinimum" if key.exclusive_minimum else "minimum"
        assert node[word] == key.minimum
    if key.maximum is not None:
        word = "exclusiveMaximum" if key.exclusive_maximum else "maximum"
        assert node[word] == key.maximum
    if key.choices:
        assert node["enum"] == list(key.choices)
    assert node["description"].startswith(key.doc.rstrip()[:40])


def test_integers_and_numbers_are_distinguished() -> None:
    properties = section_schema()["properties"]
    assert properties["warmup_steps"]["type"] == "integer"
    assert properties["start_lr"]["type"] == "number"
    assert properties["stop_lr"]["type"] == ["null", "number"]


@pytest.mark.parametrize("value", [True, False])
def test_booleans_are_not_numbers(validator: Any, value: bool) -> None:
    assert not validator.is_valid(section(start_lr=value))
    assert not validator.is_valid(section(warmup_steps=value))


def test_infinity_fails(validator: Any) -> None:
    assert not validator.is_valid(section(start_lr=math.inf))


def test_schema_text_does_not_depend_on_the_hash_seed() -> None:
    # The order of a set of strings changes with PYTHONHASHSEED; a schema
    # written to a file must come out the same from every interpreter.
    def schema_text(seed: str) -> str:
        code = "import json; from deepmd_lr.describe.schema import json_schema; print(json.dumps(json_schema()))"
        return subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert schema_text("1") == schema_text("2")


@settings(max_examples=300, deadline=None)
@given(valid_sections())
def test_every_valid_section_passes(case: dict[str, Any]) -> None:
    assert list(shared_validator().iter_errors(case)) == []


def _only_inexpressible_faults(case: dict[str, Any]) -> bool:
    """Whether ``case`` breaks a rule that the schema does not state."""
    numbers = [v for v in case.values() if isinstance(v, float)]
    if any(math.isnan(v) for v in numbers):
        return True
    integer_keys = {
        key.name
        for cls in BaseLR.get_plugins().values()
        for key in (*COMMON_KEYS, *cls.variant_keys)
        if key.kind is int
    }
    if any(
        isinstance(case.get(name), float) and case[name].is_integer()
        for name in integer_keys
    ):
        return True
    start, stop = case.get("start_lr"), case.get("stop_lr")
    return (
        isinstance(start, (int, float))
        and isinstance(stop, (int, float))
        and stop > start
    )


@settings(max_examples=500, deadline=None)
@given(any_section)
def test_schema_and_checker_agree_on_any_section(case: dict[str, Any]) -> None:
    try:
        normalize_learning_rate(case)
        checker_accepts = True
    except LearningRateConfigError:
        checker_accepts = False
    schema_accepts = shared_validator().is_valid(case)
    if checker_accepts:
        assert schema_accepts
    elif schema_accepts:
        assert _only_inexpressible_faults(case)
