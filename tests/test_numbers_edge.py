"""Numbers at the edge (spec section 8), on NumPy and plain Python.

NumPy scalars as numbers, step counts up to 2**53, sizes beyond a float,
huge, unsigned and infinite steps, subnormal rates and the length of
messages.
"""

from __future__ import annotations

import json
import math
import sys
import warnings

import numpy as np
import pytest
from backend_cases import TYPES
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deepmd_lr import (
    BaseLR,
    LearningRateConfigError,
    LearningRateWarning,
    normalize_learning_rate,
)
from deepmd_lr.describe.schema import section_schema
from deepmd_lr.schedules.arrays import STEP_HORIZON, xp_value
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.schedules.workers import scale_by_worker
from deepmd_lr.section.keys import COMMON_KEYS, MAX_STEPS
from deepmd_lr.section.length import check_num_steps
from deepmd_lr.section.text import OutOfRangeFloat, describe

BUILT_IN = {
    **TYPES,
    "exp_rate": {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 0.0,
        "decay_rate": 0.9,
        "decay_steps": 500,
    },
}
NUM_STEPS = 10_000
SECTION = {"type": "cosine", "start_lr": 1e-3, "stop_lr": 1e-5}


def schedule(name: str, **changes) -> BaseLR:
    config = {**BUILT_IN[name], "warmup_steps": 100, **changes}
    return BaseLR(**config, num_steps=config.pop("num_steps", NUM_STEPS))


def final_rate(lr: BaseLR) -> float:
    """The rate after training, from the spec: the limit of the decay."""
    decays = getattr(lr, "decay_rate", 0.0) < 1.0 and lr.decay_num_steps > 0
    return lr.stop_lr if decays or lr.type_name != "exp" else lr.start_lr


# -- NumPy scalars are numbers --------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"start_lr": np.float32(1e-3)},
        {"start_lr": np.float64(1e-3), "stop_lr": np.float16(0.0)},
        {"stop_lr_ratio": np.float32(0.5), "stop_lr": None},
        {"warmup_steps": np.int32(3)},
        {"warmup_steps": np.uint8(3)},
        {"warmup_ratio": np.float32(0.25)},
        {"warmup_start_factor": np.float64(0.1)},
    ],
    ids=repr,
)
def test_numpy_scalars_are_accepted_as_the_numbers_they_are(changes):
    section = {**SECTION, **changes}
    lr = make_learning_rate_schedule(section, np.int64(100))
    expected = {
        k: v.item() if isinstance(v, np.generic) else v for k, v in changes.items()
    }
    for name, value in expected.items():
        if value is not None:
            assert lr.settings[name] == value
    assert lr.num_steps == 100


def test_numpy_scalars_pass_every_key_check():
    samples = {int: np.int64(7), float: np.float32(0.5), bool: np.bool_(True)}
    for key in COMMON_KEYS + BaseLR.get_class_by_type("exp").variant_keys:
        if key.kind in samples and key.name != "warmup_ratio":
            key.check(samples[key.kind])


def test_numpy_step_count_is_accepted():
    assert check_num_steps(np.int64(100)) == 100
    assert type(check_num_steps(np.uint32(100))) is int


def test_numpy_bool_is_accepted_for_a_boolean_key():
    lr = BaseLR(**BUILT_IN["exp"], num_steps=1000, smooth=np.bool_(True))
    assert lr.smooth is True


def test_constructor_takes_numpy_scalars():
    lr = BaseLR(
        type="exp",
        start_lr=np.float32(1e-3),
        stop_lr=np.float64(1e-8),
        num_steps=np.int64(100),
        warmup_steps=np.int32(3),
        decay_steps=np.int16(10),
    )
    assert lr.num_steps == 100
    assert lr.warmup_steps == 3
    assert lr.decay_steps == 10
    assert lr.start_lr == float(np.float32(1e-3))


def test_normalization_returns_plain_python_numbers():
    section = {
        "type": "exp",
        "start_lr": np.float32(1e-3),
        "stop_lr": np.float64(1e-8),
        "warmup_steps": np.int32(3),
        "decay_steps": np.int64(10),
        "smooth": np.bool_(False),
    }
    normalized = normalize_learning_rate(section, np.int64(100))
    assert type(normalized["start_lr"]) is float
    assert type(normalized["stop_lr"]) is float
    assert type(normalized["warmup_steps"]) is int
    assert type(normalized["decay_steps"]) is int
    assert normalized["smooth"] is False
    assert normalized["start_lr"] == float(np.float32(1e-3))
    assert json.loads(json.dumps(normalized)) == normalized


def test_serialized_schedule_built_from_numpy_scalars_is_json():
    lr = BaseLR(type="cosine", start_lr=np.float32(0.5), stop_lr=0.0, num_steps=10)
    data = lr.serialize()
    assert type(data["start_lr"]) is float
    assert BaseLR.deserialize(json.loads(json.dumps(data))) == lr


@pytest.mark.parametrize("flag", [True, np.bool_(True), False, np.bool_(False)])
@pytest.mark.parametrize("name", ["start_lr", "warmup_steps", "stop_lr_ratio"])
def test_booleans_are_never_numbers(name, flag):
    section = {**SECTION, name: flag}
    if name == "stop_lr_ratio":
        del section["stop_lr"]
    with pytest.raises(LearningRateConfigError, match="boolean") as caught:
        normalize_learning_rate(section)
    assert caught.value.path == f"learning_rate/{name}"


@pytest.mark.parametrize("flag", [True, np.bool_(True)])
def test_a_boolean_step_count_is_refused(flag):
    with pytest.raises(LearningRateConfigError, match="integer"):
        check_num_steps(flag)


@pytest.mark.parametrize("number", [np.float64(100.0), np.float32(3.0), 3.0])
def test_a_float_is_still_not_an_integer(number):
    with pytest.raises(LearningRateConfigError, match="must be an integer"):
        normalize_learning_rate({**SECTION, "warmup_steps": number})
    with pytest.raises(LearningRateConfigError, match="must be an integer"):
        check_num_steps(number)


# -- step counts and sizes beyond a float ---------------------------------------


def test_two_to_the_53_steps_is_the_largest_count():
    assert check_num_steps(MAX_STEPS) == 2**53
    lr = make_learning_rate_schedule({**SECTION, "warmup_ratio": 0.5}, MAX_STEPS)
    assert lr.warmup_steps == 2**52


@pytest.mark.parametrize("count", [2**53 + 1, 2**63, 10**400, int("1" + "0" * 400)])
def test_a_larger_step_count_is_a_config_error(count):
    with pytest.raises(LearningRateConfigError) as caught:
        make_learning_rate_schedule(SECTION, count)
    error = caught.value
    assert error.path == "training/numb_steps"
    assert "at most 2**53" in error.reason
    assert str(MAX_STEPS) in error.fix
    assert len(str(error)) < 300


@pytest.mark.parametrize(
    ("name", "type_name"),
    [("warmup_steps", "cosine"), ("decay_steps", "exp")],
)
@pytest.mark.parametrize("count", [2**53 + 1, 2**70, 10**400])
def test_a_step_count_key_above_two_to_the_53_is_a_config_error(name, type_name, count):
    section = {**SECTION, "type": type_name, name: count}
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section)
    assert caught.value.path == f"learning_rate/{name}"
    assert str(MAX_STEPS) in str(caught.value)
    assert len(str(caught.value)) < 300


def test_the_step_limit_is_declared_once_and_reaches_the_schema():
    declared = {
        key.name: key.maximum
        for cls in BaseLR.get_plugins().values()
        for key in (*COMMON_KEYS, *cls.variant_keys)
        if key.kind is int
    }
    assert declared == {"warmup_steps": MAX_STEPS, "decay_steps": MAX_STEPS}
    assert section_schema()["properties"]["warmup_steps"]["maximum"] == MAX_STEPS
    exp_key = BaseLR.get_class_by_type("exp").variant_keys[0]
    assert str(MAX_STEPS) in exp_key.full_doc()


@pytest.mark.parametrize("size", [10**400, 2**1100, -(10**400)])
@pytest.mark.parametrize("name", ["start_lr", "stop_lr", "warmup_start_factor"])
def test_an_integer_beyond_a_float_for_a_float_key_is_a_config_error(name, size):
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({**SECTION, name: size})
    assert caught.value.path == f"learning_rate/{name}"
    assert "digits" in caught.value.reason
    assert len(str(caught.value)) < 300


def test_a_literal_beyond_a_float_is_named_as_such():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({**SECTION, "start_lr": OutOfRangeFloat("1e400")})
    assert "1e400 (beyond the range of a float)" in caught.value.reason
    assert "must be a finite number" in caught.value.reason
    assert "Infinity" not in str(caught.value)


def test_a_long_double_beyond_a_float_is_named_as_such():
    huge = np.longdouble("1e400")
    assume_wide = np.finfo(np.longdouble).max > sys.float_info.max
    if not assume_wide:
        pytest.skip("long double is float64 on this platform")
    with pytest.raises(LearningRateConfigError, match="beyond the range of a float"):
        normalize_learning_rate({**SECTION, "start_lr": huge})


def test_deserializing_a_huge_step_count_is_a_config_error():
    data = BaseLR(**SECTION, num_steps=10).serialize()
    with pytest.raises(LearningRateConfigError):
        BaseLR.deserialize({**data, "num_steps": 10**400})


# -- value() at huge, unsigned and infinite steps -------------------------------


@pytest.mark.parametrize("name", BUILT_IN)
@pytest.mark.parametrize("step", [10**400, 2**1100, 2**64, 10**30, 1e300])
def test_a_huge_python_step_gives_the_final_rate(name, step):
    lr = schedule(name)
    assert lr.value(step) == final_rate(lr)


@pytest.mark.parametrize("name", BUILT_IN)
def test_steps_past_the_horizon_are_the_horizon(name):
    lr = schedule(name)
    assert lr.value(10**400) == lr.value(STEP_HORIZON) == lr.value(int(STEP_HORIZON))


@pytest.mark.parametrize("step", [-(10**400), -(2**1100), -1, -1e300])
def test_a_negative_python_step_is_a_short_value_error(step):
    with pytest.raises(ValueError, match="finite and >= 0") as caught:
        schedule("exp").value(step)
    assert len(str(caught.value)) < 120


def near_two_to_the_64() -> np.ndarray:
    return np.array(
        [0, 1, 99, 100, 5000, 2**53, 2**63 - 1, 2**63, 2**63 + 1, 2**64 - 1],
        dtype=np.uint64,
    )


@pytest.mark.parametrize("name", BUILT_IN)
def test_uint64_steps_are_the_non_negative_steps_they_are(name):
    lr = schedule(name)
    steps = near_two_to_the_64()
    expected = [lr.value(int(s)) for s in steps]
    np.testing.assert_array_equal(lr.value(steps), expected)
    assert lr.value(np.uint64(2**64 - 1)) == lr.value(2**64 - 1)


def test_uint64_steps_below_two_to_the_63_are_those_of_an_int64_array():
    # The longest decay period, still decaying at 2**64.
    lr = BaseLR(
        type="exp",
        start_lr=1e-3,
        stop_lr=0.0,
        decay_rate=0.9,
        decay_steps=2**53,
        num_steps=2**53,
    )
    steps = near_two_to_the_64()
    below = steps < 2**63
    values = lr.value(steps)
    np.testing.assert_array_equal(
        values[below], lr.value(steps[below].astype(np.int64))
    )
    np.testing.assert_array_equal(
        values[~below], lr.value(steps[~below].astype(np.float64))
    )
    # Integer steps are computed as float64: 2**63 - 1 and 2**63 + 1 are
    # 2**63 there (level 1024), and 2**64 - 1 is 2**64 (level 2048).
    levels = [int(float(s)) // 2**53 for s in steps]
    assert levels[-4:] == [1024, 1024, 1024, 2048]
    expected = [1e-3 * 0.9**level for level in levels]
    np.testing.assert_allclose(values, expected, rtol=1e-13, atol=0)


def test_uint64_steps_up_to_two_to_the_53_are_exact():
    lr = BaseLR(
        type="exp",
        start_lr=1e-3,
        stop_lr=0.0,
        decay_rate=0.999,
        decay_steps=2**40,
        warmup_steps=2**52 + 1,
        num_steps=2**53,
    )
    steps = np.array([2**52 - 1, 2**52 + 1, 2**53 - 2**40, 2**53], dtype=np.uint64)
    wrapped_block = np.concatenate([steps, np.array([2**64 - 1], dtype=np.uint64)])
    expected = [lr.value(int(s)) for s in steps]
    np.testing.assert_array_equal(lr.value(steps), expected)
    np.testing.assert_array_equal(lr.value(wrapped_block)[:-1], expected)


def test_one_step_above_two_to_the_63_leaves_the_others_of_a_large_array():
    lr = schedule("cosine")
    steps = np.arange(50_000, dtype=np.uint64) * np.uint64(7)
    steps[40_003] = 2**64 - 1
    values = lr.value(steps)
    assert values[40_003] == final_rate(lr)
    np.testing.assert_array_equal(
        values[:40_000], lr.value(steps[:40_000].astype(np.int64))
    )


@pytest.mark.parametrize("name", BUILT_IN)
def test_a_list_with_huge_python_ints_is_a_list_of_steps(name):
    lr = schedule(name)
    values = lr.value([10**400, 5, 2**64, 150])
    assert values.dtype == np.float64
    assert values.tolist() == [
        final_rate(lr),
        lr.value(5),
        final_rate(lr),
        lr.value(150),
    ]


@pytest.mark.parametrize("steps", [[-(10**400), 3], [[1, 2], [10**400, -1]]])
def test_a_list_with_a_huge_negative_step_is_a_value_error(steps):
    with pytest.raises(ValueError, match="finite and >= 0"):
        schedule("exp").value(steps)


@pytest.mark.parametrize("steps", [[10**400, None], [10**400, "1"], [10**400, True]])
def test_a_list_with_huge_ints_and_non_numbers_is_a_type_error(steps):
    with pytest.raises(TypeError, match="step must be a number"):
        schedule("exp").value(steps)


def test_long_double_steps_beyond_float64_give_the_final_rate():
    if np.finfo(np.longdouble).max <= sys.float_info.max:
        pytest.skip("long double is float64 on this platform")
    lr = schedule("exp")
    steps = np.array(["0", "150", "1e400", "1e4000"], dtype=np.longdouble)
    values = lr.value(steps)
    assert values.dtype == np.longdouble
    assert values.astype(np.float64).tolist() == [
        lr.value(0),
        lr.value(150),
        final_rate(lr),
        final_rate(lr),
    ]


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_narrow_float_steps_at_their_largest_give_the_final_rate(dtype):
    lr = schedule("exp_smooth")
    top = np.finfo(dtype).max
    assert lr.value(np.array([top], dtype=dtype))[0] == dtype(final_rate(lr))


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_numpy_infinite_and_nan_steps_are_still_errors(bad):
    with pytest.raises(ValueError, match="finite and >= 0"):
        schedule("exp").value(np.array([1.0, bad]))


def test_the_longest_decay_period_with_a_decay_rate_computes_any_array():
    lr = BaseLR(
        type="exp",
        start_lr=1e-3,
        stop_lr=1e-9,
        decay_rate=0.5,
        decay_steps=MAX_STEPS,
        num_steps=MAX_STEPS,
    )
    steps = np.array([0, 1, 2**53 - 1, 2**53, 2**62, 2**63 - 1], dtype=np.int64)
    expected = [max(1e-9, 1e-3 * 0.5 ** (int(s) // 2**53)) for s in steps]
    np.testing.assert_allclose(lr.value(steps), expected, rtol=1e-14, atol=0)
    np.testing.assert_allclose(
        lr.value(steps.astype(np.float64)), expected, rtol=1e-14, atol=0
    )


# -- the traced path: +inf and NaN (run here on NumPy) --------------------------


@pytest.mark.parametrize("name", BUILT_IN)
def test_generic_path_gives_the_final_rate_at_infinity(name):
    lr = schedule(name)
    out = xp_value(lr, np.array([math.inf, 1e300, 2.0**1000]))
    assert out.tolist() == [final_rate(lr)] * 3
    assert not np.isnan(xp_value(lr, np.array([math.inf], dtype=np.float32))[0])


@pytest.mark.parametrize("name", BUILT_IN)
def test_generic_path_keeps_uint64_steps_non_negative(name):
    lr = schedule(name)
    steps = near_two_to_the_64()
    np.testing.assert_allclose(xp_value(lr, steps), lr.value(steps), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", BUILT_IN)
def test_generic_path_does_not_raise_for_a_nan_step(name):
    lr = schedule(name)
    out = xp_value(lr, np.array([math.nan, 5.0]))
    assert math.isnan(out[0]) or final_rate(lr) <= out[0] <= lr.start_lr
    assert out[1] == lr.value(5)


# -- subnormal and extreme rates --------------------------------------------------

SUBNORMAL = 1e-310


@pytest.mark.parametrize("decay_type", ["inverse_linear", "cosine", "linear"])
def test_wsd_to_a_subnormal_stop_lr_stays_within_its_range(decay_type):
    lr = BaseLR(
        type="wsd",
        start_lr=1e-3,
        stop_lr=SUBNORMAL,
        num_steps=1000,
        decay_type=decay_type,
    )
    steps = np.arange(0, 1200)
    for values in (
        lr.value(steps),
        xp_value(lr, steps),
        [lr.value(int(s)) for s in steps],
    ):
        values = np.asarray(values)
        assert np.all(values >= SUBNORMAL)
        assert np.all(values <= 1e-3)
        assert np.all(values[1000:] == SUBNORMAL)
    assert lr.value(999) > SUBNORMAL


def test_wsd_inverse_linear_at_a_subnormal_stop_lr_is_the_harmonic_mean():
    lr = BaseLR(type="wsd", start_lr=1e-3, stop_lr=SUBNORMAL, num_steps=1000)
    # tau = 1/2: 1 / (0.5 / stop + 0.5 / start), close to 2 * stop.
    middle = lr.stable_steps + lr.decay_phase_steps // 2
    assert lr.value(middle) == pytest.approx(2 * SUBNORMAL, rel=1e-9)


def test_wsd_inverse_linear_equals_the_textbook_formula_for_normal_rates():
    rng = np.random.default_rng(9)
    for _ in range(200):
        start = 10 ** rng.uniform(-9, 1)
        stop = start * 10 ** rng.uniform(-9, 0)
        lr = BaseLR(type="wsd", start_lr=start, stop_lr=stop, num_steps=1000)
        u = np.arange(lr.stable_steps + 1, lr.num_steps)
        tau = (u - lr.stable_steps) / lr.decay_phase_steps
        textbook = 1.0 / (tau / stop + (1.0 - tau) / start)
        np.testing.assert_allclose(lr.value(u), textbook, rtol=1e-14, atol=0)


@pytest.mark.parametrize("start_lr", [100.0, 1e300, sys.float_info.max])
@pytest.mark.parametrize("type_name", ["cosine", "wsd"])
def test_a_stop_lr_far_below_start_lr_is_reached_exactly(type_name, start_lr):
    # stop_lr / start_lr is 0 in float64 here: the end must still be stop_lr.
    tiny = math.ulp(0.0)
    lr = BaseLR(type=type_name, start_lr=start_lr, stop_lr=tiny, num_steps=100)
    steps = np.arange(0, 150)
    values = lr.value(steps)
    assert np.all(values >= tiny)
    assert np.all(values <= start_lr)
    assert np.all(values[100:] == tiny)
    assert lr.value(10**400) == tiny


def test_cosine_to_a_subnormal_stop_lr_ends_at_it():
    lr = BaseLR(type="cosine", start_lr=1e-3, stop_lr=SUBNORMAL, num_steps=1000)
    assert lr.value(1000) == lr.min_lr == SUBNORMAL
    assert np.all(lr.value(np.arange(1200)) >= SUBNORMAL)


def test_exp_with_a_subnormal_floor_stays_above_it():
    lr = BaseLR(
        type="exp",
        start_lr=1e-3,
        stop_lr=SUBNORMAL,
        decay_rate=0.5,
        decay_steps=1,
        num_steps=100,
    )
    values = lr.value(np.arange(0, 2000))
    assert values.min() == SUBNORMAL
    assert lr.value(2000) == SUBNORMAL


EXTREME_RATES = st.one_of(
    st.sampled_from(
        [math.ulp(0.0), SUBNORMAL, sys.float_info.min, 1e-10, 1.0, 1e300, 1.7e308]
    ),
    st.floats(math.ulp(0.0), sys.float_info.max, allow_subnormal=True),
)
STOP_FRACTIONS = st.one_of(
    st.sampled_from([0.0, math.ulp(0.0), 1e-320, 1e-300, 0.5, 1.0]),
    st.floats(0.0, 1.0, allow_subnormal=True),
)
STEP_COUNTS = st.one_of(
    st.sampled_from([0, 1, 2, 1000, 2**53]), st.integers(0, MAX_STEPS)
)


@st.composite
def edge_schedules(draw) -> BaseLR:
    """Any valid schedule of a built-in type, rates from 5e-324 to 1.8e308."""
    type_name = draw(st.sampled_from(["exp", "cosine", "wsd"]))
    num_steps = draw(STEP_COUNTS)
    start_lr = draw(EXTREME_RATES)
    config = {"type": type_name, "start_lr": start_lr}
    if draw(st.booleans()):
        config["stop_lr"] = start_lr * draw(STOP_FRACTIONS)
    else:
        config["stop_lr_ratio"] = draw(STOP_FRACTIONS)
    if num_steps > 0 and draw(st.booleans()):
        config["warmup_steps"] = draw(st.integers(0, num_steps - 1))
        config["warmup_start_factor"] = draw(st.floats(0.0, 1.0))
    if type_name == "exp":
        config["decay_steps"] = draw(
            st.one_of(st.sampled_from([1, MAX_STEPS]), st.integers(1, MAX_STEPS))
        )
        config["smooth"] = draw(st.booleans())
        if draw(st.booleans()):
            config["decay_rate"] = draw(
                st.one_of(
                    st.sampled_from([math.ulp(0.0), 0.5, 1 - 2**-53, 1.0]),
                    st.floats(0.0, 1.0, exclude_min=True, allow_subnormal=True),
                )
            )
    if type_name == "wsd":
        config["decay_phase_ratio"] = draw(
            st.floats(0.0, 1.0, exclude_min=True, allow_subnormal=True)
        )
        config["decay_type"] = draw(
            st.sampled_from(["inverse_linear", "cosine", "linear"])
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", LearningRateWarning)
            return BaseLR(**config, num_steps=num_steps)
    except LearningRateConfigError:
        assume(False)
        raise


def edge_steps(lr: BaseLR, data) -> np.ndarray:
    top = min(3 * lr.num_steps + 10, 2**62)
    drawn = data.draw(st.lists(st.integers(0, top), max_size=30))
    marks = [lr.warmup_steps, lr.num_steps, MAX_STEPS, 2**62, 2**63 - 1]
    for name in ("stable_steps", "decay_steps"):
        if hasattr(lr, name):
            marks.append(lr.warmup_steps + getattr(lr, name))
    marks += [min(m + 1, 2**63 - 1) for m in marks] + [max(m - 1, 0) for m in marks]
    steps = np.unique(np.array(drawn + marks, dtype=np.int64))
    return steps[steps >= lr.warmup_steps]


@settings(max_examples=300, deadline=None)
@given(lr=edge_schedules(), data=st.data())
def test_after_warmup_every_rate_is_within_final_rate_and_start_lr(lr, data):
    final = lr.value(10**400)
    assert lr.stop_lr <= final <= lr.start_lr
    steps = edge_steps(lr, data)
    for values in (
        lr.value(steps),
        lr.value(steps.astype(np.float64)),
        lr.value(steps.astype(np.uint64)),
        xp_value(lr, steps),
        np.array([lr.value(int(s)) for s in steps]),
    ):
        assert not np.any(np.isnan(values))
        assert np.all(values >= final)
        assert np.all(values <= lr.start_lr)
    for step in (math.inf, 2.0**1023):
        assert xp_value(lr, np.array([step]))[0] == final


# -- workers ----------------------------------------------------------------------


@pytest.mark.parametrize("num_workers", [2**1100, 10**400, -(2**1100)])
@pytest.mark.parametrize("method", ["linear", "sqrt", "none"])
def test_a_worker_count_beyond_a_float_is_a_value_error(num_workers, method):
    lr = BaseLR(**SECTION, num_steps=100)
    with pytest.raises(ValueError, match="num_workers") as caught:
        scale_by_worker(lr, num_workers, method=method)
    assert "digits" in str(caught.value)


def test_a_scaled_start_lr_beyond_a_float_is_a_config_error():
    lr = BaseLR(type="cosine", start_lr=1e300, stop_lr=1e-5, num_steps=100)
    with pytest.raises(LearningRateConfigError) as caught:
        scale_by_worker(lr, 10**10)
    assert caught.value.path == "learning_rate/start_lr"
    assert "beyond the range of a float" in caught.value.reason


def test_a_numpy_worker_count_is_accepted():
    lr = BaseLR(**SECTION, num_steps=100)
    assert scale_by_worker(lr, np.int64(4)) == scale_by_worker(lr, 4)


# -- long values in messages ------------------------------------------------------

LONG = "k" * 1_000_000


def test_a_huge_unknown_key_shows_its_start_and_length():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({**SECTION, LONG: 1})
    message = str(caught.value)
    assert "1000000 characters" in message
    assert "k" * 40 in message
    assert len(message) < 400


def test_a_huge_string_value_is_abbreviated():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({**SECTION, "scale_by_worker": LONG})
    assert "(1000000 characters)" in str(caught.value)
    assert len(str(caught.value)) < 300


def test_a_huge_unknown_type_is_abbreviated():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({**SECTION, "type": LONG})
    assert len(str(caught.value)) < 300


def test_a_huge_string_step_is_an_abbreviated_type_error():
    with pytest.raises(TypeError) as caught:
        schedule("exp").value(LONG)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (10**400, "an integer of about 401 digits"),
        (-(10**400), "a negative integer of about 401 digits"),
        ("x" * 100, '"' + "x" * 40 + '..." (100 characters)'),
        (np.float32(0.5), "0.5"),
        (np.int64(7), "7"),
        (np.bool_(True), "true"),
        (OutOfRangeFloat("1e400"), "1e400 (beyond the range of a float)"),
    ],
    ids=repr,
)
def test_describe_is_short(value, shown):
    assert describe(value) == shown
