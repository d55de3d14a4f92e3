"""The Array-API body, run on NumPy arrays so that it is checked without any
optional backend installed.

``value`` checks NumPy input for bad steps before the body sees it; here the
body is called directly, as it is for torch, JAX and CuPy arrays, which it
cannot check: negative steps are clamped there instead.
"""

from __future__ import annotations

import numpy as np
import pytest
from backend_cases import (
    CASE_IDS,
    CASES,
    HUGE,
    HUGE_STEPS,
    STEPS,
    TOLERANCE,
    float32_steps_near_1e8,
    huge_reference,
    long_schedule,
    max_relative_error,
    schedule,
)

from deepmd_lr import BaseLR
from deepmd_lr.schedules.arrays import xp_value


@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_generic_path_equals_python_numbers(type_key, warmup_key):
    lr = schedule(type_key, warmup_key)
    steps = STEPS[::97]
    expected = [lr.value(int(t)) for t in steps]
    assert max_relative_error(xp_value(lr, steps), expected) <= TOLERANCE


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int32, np.int64])
def test_generic_path_gives_float64_for_integer_steps(dtype):
    lr = schedule("exp", "warmup")
    assert xp_value(lr, np.arange(5, dtype=dtype)).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_generic_path_keeps_a_floating_dtype(dtype):
    lr = schedule("cosine", "warmup")
    assert xp_value(lr, np.arange(5, dtype=dtype)).dtype == dtype


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 1, 4)])
def test_generic_path_keeps_the_shape(shape):
    lr = schedule("wsd_cosine", "warmup")
    steps = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape) * 997
    out = xp_value(lr, steps)
    assert out.shape == shape
    np.testing.assert_array_equal(out, lr.value(steps))


@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_generic_path_clamps_negative_steps_at_zero(type_key, warmup_key):
    lr = schedule(type_key, warmup_key)
    out = xp_value(lr, np.array([-1, -12345, 0], dtype=np.int64))
    np.testing.assert_array_equal(out, np.full(3, lr.value(0)))
    out = xp_value(lr, np.array([-0.5, -1e30], dtype=np.float32))
    np.testing.assert_array_equal(out, np.full(2, np.float32(lr.value(0))))


def test_generic_path_is_exact_for_integer_steps_up_to_2_to_the_53():
    lr = BaseLR(**HUGE)
    np.testing.assert_array_equal(xp_value(lr, HUGE_STEPS), huge_reference())


@pytest.mark.parametrize("type_key", ["exp", "exp_smooth", "cosine", "wsd_linear"])
def test_float32_steps_near_1e8_are_the_float64_values_rounded(type_key):
    lr = long_schedule(type_key)
    steps = float32_steps_near_1e8()
    expected = lr.value(steps.astype(np.float64)).astype(np.float32)
    out = xp_value(lr, steps)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


def test_float32_steps_keep_a_staircase_boundary_at_1e8():
    lr = long_schedule("exp")
    below, at = np.float32(1e8 - 8), np.float32(1e8)
    out = xp_value(lr, np.array([below, at]))
    expected = np.array([lr.value(100_000_000 - 8), lr.value(100_000_000)])
    np.testing.assert_array_equal(out, expected.astype(np.float32))
    assert out[0] > out[1]
