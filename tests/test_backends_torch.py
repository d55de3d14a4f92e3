"""torch tensors: eager, ``torch.jit.trace`` and ``torch.compile``."""

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
    TYPES,
    UINT64_STEPS,
    check_against_numpy,
    edge_schedule,
    final_rate,
    float32_steps_near_1e8,
    huge_reference,
    long_schedule,
    schedule,
)

from deepmd_lr import BaseLR

torch = pytest.importorskip("torch")

pytestmark = [
    pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated"),
    pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools"),
]


def eager(lr, example=None):
    return lr.value


def traced(lr, example=None):
    example = torch.arange(4) if example is None else example
    return torch.jit.trace(lr.value, example)


RUNNERS = {"eager": eager, "jit_trace": traced}


def numpy_of(tensor):
    return tensor.detach().cpu().numpy()


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_torch_agrees_with_numpy(type_key, warmup_key, runner):
    lr = schedule(type_key, warmup_key)
    run = RUNNERS[runner](lr)
    assert check_against_numpy(lr, run, torch.asarray, numpy_of) <= TOLERANCE


@pytest.mark.parametrize("dynamic", [False, True])
@pytest.mark.parametrize("type_key", TYPES)
def test_torch_compile_agrees_with_numpy(type_key, dynamic):
    lr = schedule(type_key, "warmup")
    torch._dynamo.reset()
    run = torch.compile(lr.value, fullgraph=True, dynamic=dynamic)
    assert check_against_numpy(lr, run, torch.asarray, numpy_of) <= TOLERANCE


@pytest.mark.parametrize("type_key", TYPES)
def test_torch_compile_with_dynamic_shapes_takes_a_zero_dim_step(type_key):
    # Python float bounds become symbols under dynamic shapes; the formulas
    # must still trace for a single step, as a training loop passes it.
    lr = schedule(type_key, "warmup")
    torch._dynamo.reset()
    run = torch.compile(lr.value, fullgraph=True, dynamic=True)
    for step in (0.0, 700.0, 19_999.0, math.inf):
        expected = lr.value(min(step, 1e30))
        assert float(run(torch.tensor(step, dtype=torch.float64))) == pytest.approx(
            expected, rel=1e-12
        )


@pytest.mark.parametrize("runner", RUNNERS)
def test_torch_cosine_to_zero_agrees_with_numpy_in_absolute_terms(runner):
    lr = BaseLR(**COSINE_TO_ZERO, num_steps=NUM_STEPS)
    out = numpy_of(RUNNERS[runner](lr)(torch.asarray(STEPS)))
    np.testing.assert_allclose(
        out, lr.value(STEPS), rtol=0, atol=ABSOLUTE_TOLERANCE * lr.start_lr
    )


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint8"])
def test_torch_integer_steps_give_float64(dtype):
    lr = schedule("exp", "warmup")
    out = lr.value(torch.arange(5, dtype=getattr(torch, dtype)))
    assert out.dtype == torch.float64


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_torch_floating_steps_keep_their_dtype(dtype):
    lr = schedule("cosine", "warmup")
    steps = torch.arange(0, 40_000, 999, dtype=getattr(torch, dtype))
    out = lr.value(steps)
    assert out.dtype == steps.dtype
    expected = lr.value(steps.double().numpy())
    torch.testing.assert_close(out, torch.asarray(expected).to(steps.dtype))


def test_torch_result_has_the_shape_and_device_of_the_steps():
    lr = schedule("wsd_inverse_linear", "warmup")
    steps = torch.arange(24, device="cpu").reshape(2, 3, 4) * 1000
    out = lr.value(steps)
    assert out.shape == steps.shape
    assert out.device == steps.device
    assert isinstance(out, torch.Tensor)


@pytest.mark.parametrize("runner", RUNNERS)
def test_torch_negative_steps_clamp_at_zero(runner):
    lr = schedule("exp", "warmup")
    out = RUNNERS[runner](lr)(torch.tensor([-3, -1, 0, 7]))
    expected = [lr.value(0)] * 3 + [lr.value(7)]
    assert numpy_of(out).tolist() == expected


@pytest.mark.parametrize("runner", RUNNERS)
def test_torch_integer_steps_are_exact_up_to_2_to_the_53(runner):
    lr = BaseLR(**HUGE)
    out = RUNNERS[runner](lr)(torch.asarray(HUGE_STEPS))
    np.testing.assert_array_equal(numpy_of(out), huge_reference())


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", ["exp", "exp_smooth", "cosine", "wsd_linear"])
def test_torch_float32_steps_near_1e8_keep_float32_precision(type_key, runner):
    lr = long_schedule(type_key)
    steps = float32_steps_near_1e8()
    example = torch.asarray(steps[:4])
    run = traced(lr, example) if runner == "jit_trace" else lr.value
    out = numpy_of(run(torch.asarray(steps)))
    assert out.dtype == np.float32
    expected = lr.value(steps.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_max_ulp(out, expected, maxulp=1)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_torch_infinite_step_gives_the_final_rate(type_key, runner):
    lr = edge_schedule(type_key)
    steps = torch.tensor([math.inf, 1e300, 0.0], dtype=torch.float64)
    out = numpy_of(RUNNERS[runner](lr, steps)(steps))
    assert out.tolist() == [final_rate(lr), final_rate(lr), lr.value(0)]


@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_torch_compiled_infinite_step_gives_the_final_rate(type_key):
    lr = edge_schedule(type_key)
    torch._dynamo.reset()  # each schedule is a new graph; stay below the limit
    run = torch.compile(lr.value, fullgraph=True, dynamic=False)
    out = run(torch.tensor([math.inf, 5.0], dtype=torch.float64))
    assert numpy_of(out).tolist() == [final_rate(lr), lr.value(5)]


@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_torch_float32_infinite_step_is_not_nan(type_key):
    lr = edge_schedule(type_key)
    out = lr.value(torch.tensor([math.inf], dtype=torch.float32))
    assert numpy_of(out).tolist() == [np.float32(final_rate(lr))]


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_torch_nan_step_does_not_raise(type_key, runner):
    lr = edge_schedule(type_key)
    steps = torch.tensor([math.nan, 3.0], dtype=torch.float64)
    out = numpy_of(RUNNERS[runner](lr, steps)(steps))
    assert math.isnan(out[0]) or final_rate(lr) <= out[0] <= lr.start_lr
    assert out[1] == lr.value(3)


@pytest.mark.parametrize("type_key", EDGE_TYPES)
def test_torch_uint64_steps_near_2_to_the_64_are_not_wrapped(type_key):
    lr = edge_schedule(type_key)
    out = numpy_of(lr.value(torch.asarray(UINT64_STEPS, dtype=torch.uint64)))
    np.testing.assert_allclose(out, lr.value(UINT64_STEPS), rtol=1e-12, atol=0)
    assert out[-1] == final_rate(lr)


def compiled(lr, example=None):
    torch._dynamo.reset()
    return torch.compile(lr.value, fullgraph=True, dynamic=False)


# torch.jit.trace is left out: it merges tensor constants below about 1e-45
# into one, so a traced schedule with such rates is not exact.
@pytest.mark.parametrize("runner", [eager, compiled])
@pytest.mark.parametrize("type_key", SUBNORMAL_TYPES)
def test_torch_subnormal_stop_lr_is_kept(type_key, runner):
    lr = edge_schedule(type_key, stop_lr=SUBNORMAL_STOP_LR)
    steps = torch.asarray(STEPS)
    out = numpy_of(runner(lr)(steps))
    after_warmup = out[np.greater_equal(STEPS, lr.warmup_steps)]
    assert np.all(after_warmup >= SUBNORMAL_STOP_LR)
    assert np.all(after_warmup <= lr.start_lr)
    assert np.all(out[STEPS >= NUM_STEPS] == SUBNORMAL_STOP_LR)
    # A decay to nearly 0: as for COSINE_TO_ZERO, compare in absolute terms.
    np.testing.assert_allclose(
        out, lr.value(STEPS), rtol=0, atol=ABSOLUTE_TOLERANCE * lr.start_lr
    )
