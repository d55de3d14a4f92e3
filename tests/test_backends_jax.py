"""JAX arrays, eager and under ``jax.jit``, with and without float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
from backend_cases import (
    ABSOLUTE_TOLERANCE,
    CASE_IDS,
    CASES,
    COSINE_TO_ZERO,
    EDGE_TYPES,
    HUGE,
    HUGE_STEPS,
    NUM_STEPS,
    STEPS,
    SUBNORMAL_STOP_LR,
    SUBNORMAL_TYPES,
    TOLERANCE,
    UINT64_STEPS,
    check_against_numpy,
    edge_schedule,
    final_rate,
    float32_steps_near_1e8,
    huge_reference,
    long_schedule,
    max_relative_error,
    schedule,
)

from deepmd_lr import BaseLR

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")


@pytest.fixture(autouse=True)
def float64_enabled():
    with jax.enable_x64(True):
        yield


def eager(lr):
    return lr.value


def jitted(lr):
    return jax.jit(lr.value)


RUNNERS = {"eager": eager, "jit": jitted}


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_jax_agrees_with_numpy(type_key, warmup_key, runner):
    lr = schedule(type_key, warmup_key)
    run = RUNNERS[runner](lr)
    assert check_against_numpy(lr, run, jnp.asarray, np.asarray) <= TOLERANCE


@pytest.mark.parametrize("runner", RUNNERS)
def test_jax_cosine_to_zero_agrees_with_numpy_in_absolute_terms(runner):
    lr = BaseLR(**COSINE_TO_ZERO, num_steps=NUM_STEPS)
    out = np.asarray(RUNNERS[runner](lr)(jnp.asarray(STEPS)))
    np.testing.assert_allclose(
        out, lr.value(STEPS), rtol=0, atol=ABSOLUTE_TOLERANCE * lr.start_lr
    )


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8"])
def test_jax_integer_steps_give_float64(dtype):
    lr = schedule("exp", "warmup")
    assert lr.value(jnp.arange(5, dtype=dtype)).dtype == jnp.float64


# float16 is left out: rates below 6e-5 are subnormal there.
@pytest.mark.parametrize("dtype", ["bfloat16", "float32", "float64"])
def test_jax_floating_steps_keep_their_dtype(dtype):
    lr = schedule("cosine", "warmup")
    steps = jnp.arange(0, 40_000, 999).astype(dtype)
    out = jax.jit(lr.value)(steps)
    assert out.dtype == steps.dtype
    expected = lr.value(np.asarray(steps, dtype=np.float64))
    error = max_relative_error(np.asarray(out, dtype=np.float64), expected)
    assert error <= max(jnp.finfo(dtype).eps, TOLERANCE)


def test_jax_result_has_the_shape_and_device_of_the_steps():
    lr = schedule("wsd_inverse_linear", "warmup")
    steps = jnp.arange(24).reshape(2, 3, 4) * 1000
    out = lr.value(steps)
    assert out.shape == steps.shape
    assert out.devices() == steps.devices()


@pytest.mark.parametrize("runner", RUNNERS)
def test_jax_negative_steps_clamp_at_zero(runner):
    lr = schedule("exp", "warmup")
    out = RUNNERS[runner](lr)(jnp.asarray([-3, -1, 0, 7]))
    expected = [lr.value(0)] * 3 + [lr.value(7)]
    assert max_relative_error(np.asarray(out), expected) <= TOLERANCE


@pytest.mark.parametrize("runner", RUNNERS)
def test_jax_integer_steps_are_exact_up_to_2_to_the_53(runner):
    lr = BaseLR(**HUGE)
    out = np.asarray(RUNNERS[runner](lr)(jnp.asarray(HUGE_STEPS)))
    reference = huge_reference()
    # XLA divides by a constant through its reciprocal: the warmup fraction
    # may differ in its last bit. The staircase index is exact.
    np.testing.assert_allclose(out, reference, rtol=2**-52, atol=0)
    staircase = np.greater_equal(HUGE_STEPS, HUGE["warmup_steps"])
    np.testing.assert_array_equal(out[staircase], reference[staircase])


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", ["exp", "exp_smooth", "cosine", "wsd_linear"])
def test_jax_float32_steps_near_1e8_keep_float32_precision(type_key, runner):
    lr = long_schedule(type_key)
    steps = float32_steps_near_1e8()
    out = np.asarray(RUNNERS[runner](lr)(jnp.asarray(steps)))
    assert out.dtype == np.float32
    expected = lr.value(steps.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_max_ulp(out, expected, maxulp=1)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_jax_without_float64_computes_in_float32(type_key, warmup_key, runner):
    lr = schedule(type_key, warmup_key)
    with jax.enable_x64(False):
        out = RUNNERS[runner](lr)(jnp.asarray(STEPS.astype(np.int32)))
        assert out.dtype == jnp.float32
    values, expected = np.asarray(out, dtype=np.float64), lr.value(STEPS)
    # Float32 arithmetic: a few roundings of 6e-8 relative to start_lr (the
    # cosines cancel near their end, so a relative bound would not hold).
    np.testing.assert_allclose(values, expected, rtol=0, atol=2.5e-7 * lr.start_lr)
    if lr.type_name == "exp":
        # The exponent, not decay_rate, is rounded: relative error stays
        # near |log(stop_lr / start_lr)| * 1e-7 down to stop_lr.
        assert max_relative_error(values, expected) <= 2e-6


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_jax_infinite_step_gives_the_final_rate(type_key, runner):
    lr = edge_schedule(type_key)
    out = RUNNERS[runner](lr)(jnp.asarray([math.inf, 1e300, 0.0]))
    assert np.asarray(out).tolist() == [final_rate(lr), final_rate(lr), lr.value(0)]


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_jax_without_float64_infinite_step_gives_the_final_rate(type_key, runner):
    lr = edge_schedule(type_key)
    with jax.enable_x64(False):
        out = RUNNERS[runner](lr)(jnp.asarray([math.inf], dtype=jnp.float32))
        assert out.dtype == jnp.float32
    # The formulas run in float32: the cosine ends at start_lr * f, rounded.
    expected = np.array([final_rate(lr)], dtype=np.float32)
    np.testing.assert_array_max_ulp(np.asarray(out), expected, maxulp=2)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_jax_nan_step_does_not_raise(type_key, runner):
    lr = edge_schedule(type_key)
    out = np.asarray(RUNNERS[runner](lr)(jnp.asarray([math.nan, 3.0])))
    assert math.isnan(out[0]) or final_rate(lr) <= out[0] <= lr.start_lr
    assert out[1] == lr.value(3)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_jax_uint64_steps_near_2_to_the_64_are_not_wrapped(type_key, runner):
    lr = edge_schedule(type_key)
    steps = jnp.asarray(UINT64_STEPS, dtype=jnp.uint64)
    out = np.asarray(RUNNERS[runner](lr)(steps))
    assert max_relative_error(out, lr.value(UINT64_STEPS)) <= TOLERANCE
    assert out[-1] == final_rate(lr)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", SUBNORMAL_TYPES)
def test_jax_subnormal_stop_lr_is_kept_or_flushed_to_zero(type_key, runner):
    lr = edge_schedule(type_key, stop_lr=SUBNORMAL_STOP_LR)
    out = np.asarray(RUNNERS[runner](lr)(jnp.asarray(STEPS)))
    expected = lr.value(STEPS)
    # XLA on CPU flushes subnormal results of arithmetic to 0 (documented
    # in value()); every normal rate is the NumPy one.
    normal = expected >= np.finfo(np.float64).tiny
    np.testing.assert_allclose(
        out[normal], expected[normal], rtol=0, atol=ABSOLUTE_TOLERANCE * lr.start_lr
    )
    subnormal = out[~normal]
    assert np.all((subnormal == 0) | (subnormal == expected[~normal]))
    after_warmup = out[np.greater_equal(STEPS, lr.warmup_steps)]
    assert np.all(after_warmup <= lr.start_lr)
    assert not np.any(np.isnan(out))
