"""Invariants that hold for every valid configuration (hypothesis)."""

from __future__ import annotations

import math
import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmd_lr import BaseLR, LearningRateWarning

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def schedules(draw, kinds=("exp", "cosine")) -> BaseLR:
    kind = draw(st.sampled_from(kinds))
    num_steps = draw(st.integers(0, 10**6))
    start_lr = draw(st.floats(1e-7, 1.0))
    config = {"type": kind, "start_lr": start_lr, "num_steps": num_steps}
    positive_stop = kind in ("exp", "wsd")
    ratio = draw(
        st.one_of(
            st.just(1.0),
            st.floats(1e-12, 1.0),
            st.just(0.0) if not positive_stop else st.floats(1e-12, 1e-3),
        )
    )
    if draw(st.booleans()):
        config["stop_lr_ratio"] = ratio
    else:
        config["stop_lr"] = start_lr * ratio
    if num_steps > 0 and draw(st.booleans()):
        if draw(st.booleans()):
            config["warmup_steps"] = draw(st.integers(0, num_steps - 1))
        else:
            config["warmup_ratio"] = draw(st.floats(0.0, 0.99))
        config["warmup_start_factor"] = draw(st.floats(0.0, 1.0))
    if kind == "exp":
        config["decay_steps"] = draw(st.integers(1, 10**6))
        config["smooth"] = draw(st.booleans())
        if draw(st.booleans()):
            config["decay_rate"] = draw(st.floats(1e-3, 1.0, exclude_min=True))
    if kind == "wsd":
        config["decay_phase_ratio"] = draw(st.floats(1e-3, 1.0))
        config["decay_type"] = draw(
            st.sampled_from(["inverse_linear", "cosine", "linear"])
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        return BaseLR(**config)


def steps_for(lr: BaseLR, data) -> np.ndarray:
    """Sorted steps from 0 to 3T, with every phase boundary included."""
    top = 3 * max(lr.num_steps, 1) + 10
    drawn = data.draw(st.lists(st.integers(0, top), min_size=1, max_size=60))
    marks = [0, lr.warmup_steps, lr.num_steps, top]
    marks += [max(m - 1, 0) for m in marks] + [m + 1 for m in marks]
    return np.unique(np.array(drawn + marks, dtype=np.int64))


@SETTINGS
@given(lr=schedules(kinds=("exp", "cosine", "wsd")), data=st.data())
def test_value_is_finite_and_not_negative(lr, data):
    values = lr.value(steps_for(lr, data))
    assert np.all(np.isfinite(values))
    assert np.all(values >= 0)


@SETTINGS
@given(lr=schedules(kinds=("exp", "cosine", "wsd")), data=st.data())
def test_after_warmup_value_stays_between_stop_and_start(lr, data):
    steps = steps_for(lr, data)
    values = lr.value(steps[steps >= lr.warmup_steps])
    assert np.all(values <= lr.start_lr)
    assert np.all(values >= lr.stop_lr)


@SETTINGS
@given(lr=schedules(kinds=("exp", "cosine", "wsd")), data=st.data())
def test_warmup_rises_from_its_start_to_start_lr(lr, data):
    steps = steps_for(lr, data)
    values = lr.value(steps[steps < lr.warmup_steps])
    assert np.all(np.diff(values) >= 0)
    assert np.all(values >= lr.warmup_start_lr)
    assert np.all(values <= lr.start_lr)


@SETTINGS
@given(lr=schedules(), data=st.data())
def test_value_does_not_increase_after_warmup(lr, data):
    steps = steps_for(lr, data)
    values = lr.value(steps[steps >= lr.warmup_steps])
    assert np.all(np.diff(values) <= 0)


@SETTINGS
@given(lr=schedules(kinds=("exp", "cosine", "wsd")), data=st.data())
def test_array_path_equals_scalar_path(lr, data):
    steps = steps_for(lr, data)
    scalars = np.array([lr.value(int(s)) for s in steps])
    np.testing.assert_allclose(lr.value(steps), scalars, rtol=1e-13, atol=0)
    np.testing.assert_allclose(
        lr.value(steps.astype(np.float64)), scalars, rtol=1e-13, atol=0
    )


@SETTINGS
@given(lr=schedules(), data=st.data())
def test_value_at_the_end_of_warmup_is_start_lr(lr, data):
    if lr.decay_num_steps == 0:
        assert lr.value(lr.warmup_steps) == lr.start_lr
    else:
        assert math.isclose(lr.value(lr.warmup_steps), lr.start_lr, rel_tol=1e-15)


@SETTINGS
@given(lr=schedules(kinds=("cosine",)))
def test_cosine_ends_at_stop_lr(lr):
    if lr.decay_num_steps > 0:
        assert math.isclose(lr.value(lr.num_steps), lr.stop_lr, rel_tol=1e-12)
        assert math.isclose(lr.value(2 * lr.num_steps), lr.stop_lr, rel_tol=1e-12)


@SETTINGS
@given(lr=schedules(kinds=("exp",)))
def test_exp_never_goes_below_stop_lr_far_past_the_end(lr):
    assert lr.stop_lr <= lr.value(10**15) <= lr.start_lr
    # Python's pow and NumPy's may differ in the last bits at huge exponents.
    far = lr.value(np.array([10**15]))[0]
    assert math.isclose(lr.value(10**15), far, rel_tol=1e-13)
