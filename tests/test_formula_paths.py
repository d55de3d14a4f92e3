"""Each schedule's formula is defined once, in ``_decay_xp``.

The Python-number path (``_scalar_decay``, for a training loop that asks for
one step at a time) is an optimization of that one definition: for every
registered type, plugins included, it must give the numbers that
``_decay_xp`` gives for arrays.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from deepmd_lr import REQUIRED, BaseLR
from deepmd_lr.schedules.arrays import xp_value
from deepmd_lr.section.keys import COMMON_KEYS

TYPES = sorted(BaseLR.get_plugins())
NUM_STEPS = 20_000
WARMUPS = {"no warmup": {}, "warmup": {"warmup_steps": 700}}
# Every step of the run and past its end.
STEPS = np.arange(0, 2 * NUM_STEPS + 3)


def build(type_name: str, **keys: Any) -> BaseLR:
    return BaseLR(
        type=type_name, start_lr=1e-3, stop_lr=1e-6, num_steps=NUM_STEPS, **keys
    )


def configurations(type_name: str) -> list[dict[str, Any]]:
    """The defaults, plus each choice of each string key and both booleans."""
    found: list[dict[str, Any]] = [{}]
    for key in BaseLR.get_class_by_type(type_name).variant_keys:
        if key.choices:
            found += [{key.name: choice} for choice in key.choices]
        elif key.kind is bool:
            found += [{key.name: flag} for flag in (False, True)]
    if type_name == "exp":
        found += [{"decay_steps": 300}, {"decay_rate": 0.9, "decay_steps": 200}]
    return found


CASES = [
    pytest.param(name, {**config, **warmup}, id=f"{name}-{config}-{warmup_name}")
    for name in TYPES
    for config in configurations(name)
    for warmup_name, warmup in WARMUPS.items()
]


@pytest.mark.parametrize(("type_name", "keys"), CASES)
def test_scalar_fast_path_equals_the_definition(type_name: str, keys: Any) -> None:
    lr = build(type_name, **keys)
    sample = STEPS[::97]
    expected = xp_value(lr, sample.astype(np.float64))
    scalars = np.array([lr.value(int(step)) for step in sample])
    np.testing.assert_allclose(scalars, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("type_name", TYPES)
def test_constructor_defaults_are_the_key_defaults(type_name: str) -> None:
    cls = BaseLR.get_class_by_type(type_name)
    parameters = inspect.signature(cls).parameters
    for key in (*COMMON_KEYS, *cls.variant_keys):
        if key.name in parameters:
            declared = parameters[key.name].default
            expected = (
                inspect.Parameter.empty if key.default is REQUIRED else key.default
            )
            assert declared == expected, key.name
        else:
            assert any(
                p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
            ), f"{type_name} has no parameter for {key.name}"


def test_signature_lists_every_key_of_a_built_in_type() -> None:
    parameters = inspect.signature(BaseLR.get_class_by_type("exp")).parameters
    assert list(parameters)[:4] == ["start_lr", "num_steps", "stop_lr", "stop_lr_ratio"]
    assert {"decay_steps", "decay_rate", "smooth", "warmup_ratio"} <= set(parameters)
    assert parameters["decay_steps"].kind is inspect.Parameter.KEYWORD_ONLY
