"""normalize_learning_rate against DeePMD-kit's own normalize and check.

DeePMD-kit's result for a section is ``learning_rate_args().normalize_value``
followed by ``check_value(strict=True)``; the check may fill ``stop_lr`` in
place, so the dict after the check is what it hands to training. A section of
a type that the installed release lacks (``wsd`` before 3.2.0) is skipped.
"""

from __future__ import annotations

import copy
import warnings
from importlib.metadata import version

import pytest
from hypothesis import HealthCheck, given, settings
from section_strategies import valid_sections
from sections import INVALID, LEGACY, VALID, Invalid, section

from deepmd_lr import (
    LearningRateConfigError,
    learning_rate_args,
    normalize_learning_rate,
)

argcheck = pytest.importorskip("deepmd.utils.argcheck")

pytestmark = pytest.mark.parity

RELEASE = version("deepmd-kit")
BUILT_IN_TYPES = ("exp", "cosine", "wsd")
DEEPMD_TYPES = [
    name
    for name in argcheck.learning_rate_args().sub_variants["type"].choice_dict
    if name in BUILT_IN_TYPES
]


def for_release(cases: dict) -> list:
    """``pytest.param`` per case, skipped when the release lacks its type."""
    return [
        pytest.param(case, id=name, marks=_skip_if_lacking(case))
        for name, case in cases.items()
    ]


def _skip_if_lacking(case) -> list:
    given = case.section if isinstance(case, Invalid) else case
    kind = given.get("type", "exp") if isinstance(given, dict) else None
    if kind in BUILT_IN_TYPES and kind not in DEEPMD_TYPES:
        return [pytest.mark.skip(reason=f"DeePMD-kit {RELEASE} has no {kind} schedule")]
    return []


def deepmd_normalize(section_):
    """DeePMD-kit's normalize+check of a section; raises what it raises."""
    argument = argcheck.learning_rate_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        normalized = argument.normalize_value(
            copy.deepcopy(section_), trim_pattern="_*"
        )
        argument.check_value(normalized, strict=True)
    return normalized


def typed(mapping):
    """Values with their types, so 1 and 1.0 or 0 and False do not compare equal."""
    return {name: (type(value), value) for name, value in mapping.items()}


@pytest.mark.parametrize("valid", for_release(VALID))
def test_valid_section_normalizes_as_deepmd_kit_does(valid):
    assert typed(normalize_learning_rate(valid)) == typed(deepmd_normalize(valid))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_sections(types=DEEPMD_TYPES, min_start_lr=1e-10))
def test_generated_valid_section_normalizes_as_deepmd_kit_does(valid):
    assert typed(normalize_learning_rate(valid)) == typed(deepmd_normalize(valid))


def test_exp_start_lr_below_the_log_floor_is_accepted_by_deepmd_kit_only():
    # Without decay_rate the rate is fitted against max(stop_lr, 1e-10); from a
    # start below that floor DeePMD-kit's schedule rises without bound.
    section = {"start_lr": 1e-12, "stop_lr_ratio": 0.5}
    deepmd_normalize(section)
    with pytest.raises(LearningRateConfigError, match=">= 1e-10"):
        normalize_learning_rate(section)


# Sections DeePMD-kit accepts and this package rejects, each for a rule on
# the keys (type, range, exclusivity, booleans, NaN) that DeePMD-kit's checker
# does not enforce.
MORE_LENIENT = {
    # It fills stop_lr = 5e-8 silently; its own user guide says that from 3.1.3
    # on a missing stop value is an error, and the guide is what we follow.
    "no stop value": "stop_lr = 5e-8 filled in",
    "stop_lr null": "stop_lr = 5e-8 filled in",
    # dargs takes bool for int and float (bool is an int subclass).
    "start_lr true": "booleans taken as numbers",
    "stop_lr false": "booleans taken as numbers",
    "warmup_steps false": "booleans taken as numbers",
    "decay_steps true": "booleans taken as numbers",
    # No range or finiteness check on the common keys.
    "start_lr zero": "start_lr not checked to be > 0",
    "start_lr negative": "start_lr not checked to be > 0",
    "stop_lr negative": "stop_lr not range-checked",
    "stop_lr above start_lr": "stop_lr not compared with start_lr",
    "stop_lr 0 under exp without decay_rate": "0 accepted, floored at 1e-10 later",
    "stop_lr_ratio above 1": "stop_lr_ratio not range-checked",
    "stop_lr_ratio negative": "stop_lr_ratio not range-checked",
    "stop_lr_ratio 0 under exp without decay_rate": "0 accepted",
    "warmup_steps negative": "warmup_steps not range-checked",
    "warmup_ratio 1": "warmup_ratio not range-checked",
    "warmup_ratio negative": "warmup_ratio not range-checked",
    "warmup_start_factor above 1": "warmup_start_factor not range-checked",
    "warmup_start_factor negative": "warmup_start_factor not range-checked",
    "scale_by_worker unknown": "scale_by_worker is a free string",
    "start_lr NaN": "NaN and infinities accepted",
    "stop_lr infinite": "NaN and infinities accepted",
    "warmup_ratio minus infinity": "NaN and infinities accepted",
    "decay_rate NaN": "NaN fails no comparison, so (0, 1] lets it through",
}
ALL_INVALID = {**INVALID, **LEGACY}


def test_every_lenient_case_is_a_known_invalid_case():
    assert set(MORE_LENIENT) <= set(ALL_INVALID)


@pytest.mark.parametrize(
    "case", for_release({name: ALL_INVALID[name] for name in MORE_LENIENT})
)
def test_deepmd_kit_accepts_what_we_reject(case):
    deepmd_normalize(case.section)
    with pytest.raises(LearningRateConfigError):
        normalize_learning_rate(case.section)


@pytest.mark.parametrize(
    "case",
    for_release({n: c for n, c in ALL_INVALID.items() if n not in MORE_LENIENT}),
)
def test_what_deepmd_kit_rejects_we_reject_too(case):
    with pytest.raises(Exception):  # noqa: B017, PT011 - any of its error types
        deepmd_normalize(case.section)
    with pytest.raises(LearningRateConfigError):
        normalize_learning_rate(case.section)


def test_deepmd_kit_fills_the_old_stop_lr_where_we_show_the_fix():
    assert deepmd_normalize(section(stop_lr=None))["stop_lr"] == 5e-8
    with pytest.raises(LearningRateConfigError, match="deepmd-lr migrate"):
        normalize_learning_rate(section(stop_lr=None))


def test_the_release_has_exp_and_cosine():
    assert {"exp", "cosine"} <= set(DEEPMD_TYPES), RELEASE


def test_deepmd_kit_declares_the_same_keys():
    theirs = argcheck.learning_rate_args()
    ours = learning_rate_args()
    assert set(ours.sub_fields) == set(theirs.sub_fields)
    their_choices = theirs.sub_variants["type"].choice_dict
    for name in DEEPMD_TYPES:
        ours_choice = ours.sub_variants["type"].choice_dict[name]
        assert set(ours_choice.sub_fields) == set(their_choices[name].sub_fields)
