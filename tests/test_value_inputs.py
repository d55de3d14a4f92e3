"""What ``value`` accepts and returns, and that every input path agrees."""

from __future__ import annotations

import math

import formulas
import numpy as np
import pytest

from deepmd_lr import BaseLR, LearningRateExp

WARMUP = 1000
TOTAL = 20_000
LARGE = 50_000
"""Steps in a large array."""


def make(kind: str) -> BaseLR:
    """A schedule of each shape, all with warmup, ending at step TOTAL."""
    common = {
        "start_lr": 1e-3,
        "stop_lr": 1e-6,
        "num_steps": TOTAL,
        "warmup_steps": WARMUP,
        "warmup_start_factor": 0.1,
    }
    if kind == "exp":
        return BaseLR(type="exp", decay_steps=700, **common)
    if kind == "exp_smooth":
        return BaseLR(type="exp", decay_steps=700, smooth=True, **common)
    return BaseLR(type=kind, **common)


KINDS = ["exp", "exp_smooth", "cosine", "wsd"]

# Both sides of the end of warmup and of the end of training, and far beyond.
EDGE_STEPS = [0, 1, WARMUP - 1, WARMUP, WARMUP + 1, 5000, TOTAL - 1, TOTAL]
EDGE_STEPS += [TOTAL + 1, 2 * TOTAL, 10**9]


def scalar_values(lr: BaseLR, steps) -> np.ndarray:
    return np.array([lr.value(float(s)) for s in np.ravel(steps)]).reshape(
        np.shape(steps)
    )


# -- return types -------------------------------------------------------------


def test_python_int_gives_python_float():
    assert type(make("exp").value(10)) is float


def test_python_float_gives_python_float():
    assert type(make("cosine").value(10.5)) is float


def test_python_int_and_float_steps_agree():
    lr = make("exp_smooth")
    assert lr.value(12_345) == lr.value(12_345.0)


def test_calling_the_schedule_is_value():
    lr = make("cosine")
    assert lr(3000) == lr.value(3000)


@pytest.mark.parametrize(
    ("step", "dtype"),
    [
        (np.int64(5), np.float64),
        (np.int32(5), np.float64),
        (np.uint16(5), np.float64),
        (np.float64(5), np.float64),
        (np.float32(5), np.float32),
    ],
)
def test_numpy_scalar_gives_numpy_scalar(step, dtype):
    result = make("exp").value(step)
    assert isinstance(result, np.generic)
    assert result.dtype == dtype


def test_zero_dimensional_array_stays_an_array():
    result = make("exp").value(np.array(5))
    assert isinstance(result, np.ndarray)
    assert result.shape == ()


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4), (2, 3, 5)])
def test_array_keeps_its_shape(shape):
    steps = np.arange(math.prod(shape)).reshape(shape) * 997
    assert make("cosine").value(steps).shape == shape


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint32, np.uint64])
def test_integer_array_gives_float64(dtype):
    assert make("exp").value(np.arange(10, dtype=dtype)).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_floating_array_keeps_its_dtype(dtype):
    assert make("exp").value(np.arange(10, dtype=dtype)).dtype == dtype


def test_float32_steps_are_computed_in_float64_then_cast():
    lr = LearningRateExp(
        start_lr=1.0, stop_lr=1e-8, num_steps=10**8, decay_steps=7, smooth=True
    )
    steps = np.array([1e8 - 64, 99_999_000, 1e8], dtype=np.float32)
    expected = np.array([lr.value(float(s)) for s in steps]).astype(np.float32)
    np.testing.assert_array_equal(lr.value(steps), expected)


def test_list_is_accepted_as_an_array():
    lr = make("exp")
    result = lr.value([0, 1000, 5000])
    assert isinstance(result, np.ndarray)
    np.testing.assert_array_equal(result, lr.value(np.array([0, 1000, 5000])))


def test_tuple_is_accepted_as_an_array():
    lr = make("cosine")
    np.testing.assert_array_equal(lr.value((1, 2.5)), lr.value(np.array([1, 2.5])))


# -- bad steps ----------------------------------------------------------------

BAD_NUMBERS = [-1, -0.5, -(10**20), math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("step", BAD_NUMBERS)
def test_bad_python_number_is_a_value_error(step):
    with pytest.raises(ValueError, match="finite and >= 0"):
        make("exp").value(step)


@pytest.mark.parametrize("step", [np.int64(-1), np.float64(np.nan), np.float32(np.inf)])
def test_bad_numpy_scalar_is_a_value_error(step):
    with pytest.raises(ValueError, match="finite and >= 0"):
        make("cosine").value(step)


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bad_step_anywhere_in_an_array_is_a_value_error(bad, dtype):
    steps = np.arange(LARGE, dtype=dtype)
    steps[LARGE - 7] = bad
    with pytest.raises(ValueError, match="finite and >= 0"):
        make("exp").value(steps)


def test_negative_integer_array_is_a_value_error():
    with pytest.raises(ValueError, match="finite and >= 0"):
        make("exp").value(np.array([3, -2, 5]))


@pytest.mark.parametrize(
    "step",
    [
        True,
        False,
        np.bool_(True),
        "10",
        b"10",
        None,
        np.array([True, False]),
        [True, False],
        np.array([1 + 2j]),
        np.array(["1"]),
        object(),
        [None],
    ],
    ids=repr,
)
def test_non_number_step_is_a_type_error(step):
    with pytest.raises(TypeError, match="step must be a number"):
        make("exp").value(step)


# -- every path gives the same numbers ----------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_array_path_equals_scalar_path(kind):
    lr = make(kind)
    steps = np.array(EDGE_STEPS + list(range(0, 3 * TOTAL, 37)), dtype=np.int64)
    np.testing.assert_allclose(
        lr.value(steps), scalar_values(lr, steps), rtol=1e-14, atol=0
    )


@pytest.mark.parametrize("kind", KINDS)
def test_float_array_path_equals_int_array_path(kind):
    lr = make(kind)
    steps = np.array(EDGE_STEPS + list(range(0, 3 * TOTAL, 41)), dtype=np.int64)
    np.testing.assert_array_equal(lr.value(steps.astype(np.float64)), lr.value(steps))


@pytest.mark.parametrize("kind", KINDS)
def test_fractional_steps_agree_with_scalar_path(kind):
    lr = make(kind)
    steps = np.linspace(0.0, 2.5 * TOTAL, 1001) + 0.25
    np.testing.assert_allclose(
        lr.value(steps), scalar_values(lr, steps), rtol=1e-14, atol=0
    )


@pytest.mark.parametrize("kind", KINDS)
def test_multidimensional_array_is_computed_elementwise(kind):
    lr = make(kind)
    steps = np.array([*EDGE_STEPS, 123]).reshape(3, 2, 2)
    np.testing.assert_allclose(
        lr.value(steps), scalar_values(lr, steps), rtol=1e-14, atol=0
    )


@pytest.mark.parametrize("kind", KINDS)
def test_non_contiguous_array_is_computed_elementwise(kind):
    lr = make(kind)
    grid = np.arange(0, 2 * TOTAL, 7, dtype=np.int64)[:4000].reshape(40, 100)
    for view in (grid[:, ::3], grid.T, grid[::-1, 1::2]):
        assert not view.flags.c_contiguous
        np.testing.assert_allclose(
            lr.value(view), scalar_values(lr, view), rtol=1e-14, atol=0
        )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.float32])
def test_large_unsorted_arrays_are_computed_elementwise(kind, dtype):
    lr = make(kind)
    rng = np.random.default_rng(7)
    # Warmup, decay and post-training steps mixed.
    steps = rng.integers(0, 3 * TOTAL, size=LARGE).astype(dtype)
    steps[LARGE // 2 : LARGE // 2 + 2] = [WARMUP - 1, WARMUP]
    out_dtype = np.float32 if dtype == np.float32 else np.float64
    expected = scalar_values(lr, steps.astype(np.float64)).astype(out_dtype)
    rtol = 2.0**-23 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(lr.value(steps), expected, rtol=rtol, atol=0)


def test_an_array_that_is_all_warmup_is_the_warmup_line():
    lr = LearningRateExp(
        start_lr=1e-3,
        stop_lr=1e-5,
        num_steps=4 * LARGE,
        warmup_steps=2 * LARGE,
        decay_steps=100,
    )
    steps = np.arange(LARGE)
    expected = [formulas.warmup(s, 1e-3, 2 * LARGE, 0.0) for s in steps[::97]]
    np.testing.assert_allclose(lr.value(steps)[::97], expected, rtol=1e-14, atol=0)


# -- staircases with many levels ----------------------------------------------

LEVELS = 1 << 16


def direct_staircase(lr: LearningRateExp, steps: np.ndarray) -> np.ndarray:
    """lr0 * r ** floor(u / s), clipped at stop_lr, one step at a time."""
    return np.array(
        [
            max(lr.min_lr, lr.start_lr * lr.decay_rate ** (int(t) // lr.decay_steps))
            for t in steps
        ]
    )


def test_staircase_with_many_levels_equals_the_formula():
    # decay_rate near 1 with decay_steps=1: a level at every step.
    lr = LearningRateExp(
        start_lr=1e-3, stop_lr=1e-6, num_steps=10, decay_steps=1, decay_rate=1 - 1e-7
    )
    steps = np.unique(np.concatenate([np.arange(0, 4 * LEVELS, 61), [LEVELS - 1]]))
    expected = direct_staircase(lr, steps)
    np.testing.assert_allclose(lr.value(steps), expected, rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        lr.value(steps.astype(np.float64)), expected, rtol=1e-14, atol=0
    )


def test_staircase_that_reaches_stop_lr_is_exact_for_huge_steps():
    lr = LearningRateExp(
        start_lr=1e-3, stop_lr=1e-6, num_steps=10, decay_steps=1, decay_rate=0.5
    )
    steps = np.array([0, 1, 9, 10, 11, 10**6, 10**12, 2**62])
    expected = [max(1e-6, 1e-3 * 0.5 ** min(int(t), 2000)) for t in steps]
    np.testing.assert_allclose(lr.value(steps), expected, rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        lr.value(steps.astype(np.float64)), expected, rtol=1e-14, atol=0
    )


def test_staircase_with_rate_one_never_leaves_start_lr():
    lr = LearningRateExp(
        start_lr=1e-3, stop_lr=1e-6, num_steps=10, decay_steps=1, decay_rate=1.0
    )
    steps = np.arange(0, 2 * LEVELS, 3)
    np.testing.assert_array_equal(lr.value(steps), np.full(steps.shape, 1e-3))
