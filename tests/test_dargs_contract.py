"""dargs on its own applies the section's rules, through its public contract.

The key table is the one description of the section: the dargs ``Argument``
is generated from it, and dargs' own ``normalize_value`` then ``check_value``
must accept and fill exactly what :func:`normalize_learning_rate` does.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from dargs import Argument
from dargs_checking import CRASHES, dargs_check, dargs_rejection
from hypothesis import given, settings
from section_strategies import any_section, valid_sections
from sections import INVALID, LEGACY, VALID, params, section

from deepmd_lr import (
    LearningRateConfigError,
    learning_rate_args,
    normalize_learning_rate,
)


def through_dargs(section_: Any) -> dict[str, Any]:
    return dargs_check(copy.deepcopy(section_))


def outcome_of_dargs(section_: Any) -> Any:
    try:
        return through_dargs(section_)
    except CRASHES:
        raise
    except Exception as error:  # dargs raises its own error types
        return type(error)


def outcome_of_checker(section_: Any) -> Any:
    try:
        return normalize_learning_rate(section_)
    except LearningRateConfigError as error:
        return type(error)


def _same(dargs_result: Any, checker_result: Any) -> bool:
    if isinstance(checker_result, type):
        return isinstance(dargs_result, type)
    # dargs appends a defaulted ``type`` after the common keys, the checker
    # puts it first: key order is not part of the contract, value types are.
    if not isinstance(dargs_result, dict):
        return False
    return _by_key(dargs_result) == _by_key(checker_result)


def _by_key(result: dict[str, Any]) -> str:
    return repr(sorted(result.items(), key=lambda item: item[0]))


@pytest.mark.parametrize("case", params(VALID))
def test_dargs_fills_what_the_checker_fills(case: dict[str, Any]) -> None:
    assert through_dargs(case) == normalize_learning_rate(case)


@pytest.mark.parametrize("case", params({**INVALID, **LEGACY}))
def test_dargs_rejects_what_the_checker_rejects(case: Any) -> None:
    dargs_rejection(copy.deepcopy(case.section))


@settings(max_examples=300, deadline=None)
@given(valid_sections())
def test_generated_valid_sections_agree(case: dict[str, Any]) -> None:
    assert through_dargs(case) == normalize_learning_rate(case)


@settings(max_examples=300, deadline=None)
@given(any_section)
def test_generated_sections_agree(case: dict[str, Any]) -> None:
    dargs_result = outcome_of_dargs(case)
    checker_result = outcome_of_checker(case)
    if isinstance(checker_result, dict) and any(
        isinstance(v, float) and math.isnan(v) for v in case.values()
    ):
        return  # NaN is never equal to itself
    assert _same(dargs_result, checker_result), (dargs_result, checker_result)


def test_extra_check_returns_a_boolean_and_never_raises() -> None:
    check = learning_rate_args().extra_check
    assert check is not None
    assert check(section()) is True
    assert check(section(stop_lr=1.0)) is False


def test_failed_extra_check_message_names_the_key_value_and_fix() -> None:
    argument = learning_rate_args()
    with pytest.raises(Exception) as caught:  # noqa: PT011
        argument.check_value(section(type="cosine", decay_steps=100), strict=True)
    message = str(caught.value)
    assert "learning_rate/decay_steps" in message
    assert 'belongs to type "exp"' in message
    assert "Fix:" in message


def test_keys_carry_no_check_of_their_own() -> None:
    argument = learning_rate_args()
    fields: list[Argument] = list(argument.sub_fields.values())
    for choice in argument.sub_variants["type"].choice_dict.values():
        fields += list(choice.sub_fields.values())
    assert fields
    assert all(field.extra_check is None for field in fields)


def test_a_dollar_ref_key_is_refused_by_dargs_as_by_the_checker() -> None:
    dargs_rejection(section(**{"$ref": 0.0}))
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section(**{"$ref": 0.0}))
    assert caught.value.path.startswith("learning_rate")
