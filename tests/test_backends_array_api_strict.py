"""array-api-strict: the generic path uses nothing outside the standard."""

from __future__ import annotations

import numpy as np
import pytest
from backend_cases import (
    CASE_IDS,
    CASES,
    HUGE,
    HUGE_STEPS,
    TOLERANCE,
    check_against_numpy,
    huge_reference,
    schedule,
)

from deepmd_lr import BaseLR

xp = pytest.importorskip("array_api_strict")


def numpy_of(array):
    return np.asarray(xp.asarray(array, copy=True))


@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_array_api_strict_agrees_with_numpy(type_key, warmup_key):
    lr = schedule(type_key, warmup_key)
    error = check_against_numpy(lr, lr.value, xp.asarray, numpy_of)
    assert error <= TOLERANCE


def test_array_api_strict_result_is_an_array_api_strict_array():
    lr = schedule("cosine", "warmup")
    steps = xp.reshape(xp.arange(12), (3, 4))
    out = lr.value(steps)
    assert type(out) is type(steps)
    assert out.shape == (3, 4)
    assert out.dtype == xp.float64
    assert out.device == steps.device


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_array_api_strict_floating_steps_keep_their_dtype(dtype):
    lr = schedule("exp", "warmup")
    out = lr.value(xp.asarray([0.0, 1.5, 7000.0], dtype=getattr(xp, dtype)))
    assert out.dtype == getattr(xp, dtype)


def test_array_api_strict_integer_steps_are_exact_up_to_2_to_the_53():
    lr = BaseLR(**HUGE)
    out = numpy_of(lr.value(xp.asarray(HUGE_STEPS)))
    np.testing.assert_array_equal(out, huge_reference())
