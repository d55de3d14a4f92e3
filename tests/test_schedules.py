"""The values of each schedule: warmup, exp (staircase and smooth), cosine."""

from __future__ import annotations

import contextlib
import math
import re
import warnings

import formulas
import pytest

from deepmd_lr import (
    BaseLR,
    LearningRateCosine,
    LearningRateExp,
    LearningRateWarning,
)

REL = 1e-12


def close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


@contextlib.contextmanager
def no_warnings():
    """A block in which any warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# -- warmup -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["exp", "cosine"])
def test_warmup_starts_at_factor_times_start_lr(kind):
    lr = BaseLR(
        type=kind,
        start_lr=2e-3,
        stop_lr=1e-6,
        num_steps=10_000,
        warmup_steps=400,
        warmup_start_factor=0.25,
    )
    assert close(lr.value(0), 0.25 * 2e-3)


@pytest.mark.parametrize("kind", ["exp", "cosine"])
def test_warmup_starts_from_zero_by_default(kind):
    lr = BaseLR(
        type=kind, start_lr=2e-3, stop_lr=1e-6, num_steps=10_000, warmup_steps=400
    )
    assert lr.value(0) == 0.0


@pytest.mark.parametrize("kind", ["exp", "cosine"])
def test_warmup_ends_at_start_lr(kind):
    lr = BaseLR(
        type=kind,
        start_lr=2e-3,
        stop_lr=1e-6,
        num_steps=10_000,
        warmup_steps=400,
        warmup_start_factor=0.1,
    )
    assert close(lr.value(400), 2e-3)


@pytest.mark.parametrize("step", [1, 100, 200, 333, 399])
def test_warmup_is_a_straight_line(step):
    lr = LearningRateCosine(
        start_lr=2e-3,
        stop_lr=1e-6,
        num_steps=10_000,
        warmup_steps=400,
        warmup_start_factor=0.1,
    )
    assert close(lr.value(step), formulas.warmup(step, 2e-3, 400, 0.1))


def test_warmup_ratio_gives_whole_warmup_steps():
    lr = LearningRateCosine(
        start_lr=1e-3, stop_lr=1e-5, num_steps=1001, warmup_ratio=0.25
    )
    assert lr.warmup_steps == 250
    assert lr.decay_num_steps == 751


def test_warmup_ratio_that_rounds_to_zero_warns():
    with pytest.warns(LearningRateWarning, match="0 warmup steps"):
        lr = LearningRateCosine(
            start_lr=1e-3, stop_lr=1e-5, num_steps=10, warmup_ratio=0.05
        )
    assert lr.warmup_steps == 0


# -- exp ----------------------------------------------------------------------

EXP = {"start_lr": 1e-3, "stop_lr": 1e-7, "num_steps": 100_000, "decay_steps": 5000}


def test_exp_decay_rate_is_computed_to_reach_stop_lr():
    lr = LearningRateExp(**EXP)
    expected = (1e-7 / 1e-3) ** (5000 / 100_000)
    assert close(lr.decay_rate, expected)


def test_exp_reaches_stop_lr_when_decay_steps_divide_the_phase():
    lr = LearningRateExp(**EXP)
    assert close(lr.value(100_000), 1e-7, rel=1e-10)


def test_exp_staircase_holds_within_a_period():
    lr = LearningRateExp(**EXP)
    assert lr.value(4999) == lr.value(0) == 1e-3
    assert lr.value(5000) == lr.value(9999) < 1e-3


@pytest.mark.parametrize("step", [0, 1, 4999, 5000, 12_345, 50_000, 99_999, 100_000])
def test_exp_staircase_follows_the_formula(step):
    lr = LearningRateExp(**EXP)
    assert close(lr.value(step), formulas.exp(step, **EXP))


@pytest.mark.parametrize("step", [0, 1, 2500, 4999, 5000, 12_345, 99_999, 100_000])
def test_exp_smooth_follows_the_formula(step):
    lr = LearningRateExp(**EXP, smooth=True)
    assert close(lr.value(step), formulas.exp(step, **EXP, smooth=True))


def test_exp_smooth_changes_within_a_period():
    lr = LearningRateExp(**EXP, smooth=True)
    assert lr.value(0) > lr.value(1) > lr.value(2500) > lr.value(4999)


@pytest.mark.parametrize("step", [0, 999, 1000, 1001, 6000, 50_000, 101_000])
def test_exp_decay_starts_after_warmup(step):
    config = {**EXP, "num_steps": 101_000}
    lr = LearningRateExp(**config, warmup_steps=1000, warmup_start_factor=0.5)
    expected = formulas.exp(step, **config, warmup_steps=1000, warmup_start_factor=0.5)
    assert close(lr.value(step), expected)


def test_exp_decay_rate_uses_the_phase_after_warmup():
    lr = LearningRateExp(**{**EXP, "num_steps": 120_000}, warmup_steps=20_000)
    assert close(lr.decay_rate, (1e-7 / 1e-3) ** (5000 / 100_000))


def test_exp_given_decay_rate_is_used_as_is():
    lr = LearningRateExp(**EXP, decay_rate=0.9)
    assert lr.decay_rate == 0.9
    assert close(lr.value(3 * 5000), 1e-3 * 0.9**3)


def test_exp_given_decay_rate_makes_stop_lr_a_floor():
    lr = LearningRateExp(
        start_lr=1e-3, stop_lr=1e-4, num_steps=100_000, decay_steps=10, decay_rate=0.5
    )
    assert close(lr.value(30), 1e-3 * 0.5**3)
    assert lr.value(40) == 1e-4
    assert lr.value(100_000) == 1e-4


def test_exp_given_decay_rate_with_zero_stop_lr_decays_towards_zero():
    lr = LearningRateExp(
        start_lr=1e-3, stop_lr=0.0, num_steps=1000, decay_steps=10, decay_rate=0.5
    )
    assert close(lr.value(100), 1e-3 * 0.5**10)
    assert lr.value(10**6) == 0.0


def test_exp_clips_at_stop_lr_past_the_end():
    lr = LearningRateExp(**EXP)
    assert lr.value(200_000) == 1e-7
    assert lr.value(10**9) == 1e-7


def test_exp_smooth_clips_at_stop_lr_past_the_end():
    lr = LearningRateExp(**EXP, smooth=True)
    assert lr.value(100_001) == 1e-7
    assert lr.value(200_000) == 1e-7


def test_exp_staircase_remainder_leaves_the_end_above_stop_lr():
    # 3000 does not divide 10000: the last full period ends at step 9000.
    config = {"start_lr": 1e-3, "stop_lr": 1e-6, "num_steps": 10_000}
    lr = LearningRateExp(**config, decay_steps=3000)
    rate = (1e-6 / 1e-3) ** (3000 / 10_000)
    assert close(lr.value(10_000), 1e-3 * rate**3)
    assert lr.value(10_000) > 1e-6


def test_exp_stop_lr_below_log_floor_aims_at_the_floor():
    config = {"start_lr": 1e-3, "stop_lr": 1e-14, "num_steps": 10_000}
    lr = LearningRateExp(**config, decay_steps=100)
    assert close(lr.decay_rate, (1e-10 / 1e-3) ** (100 / 10_000))
    assert close(lr.value(10_000), 1e-10, rel=1e-10)
    assert lr.value(10**6) == 1e-14


def test_exp_stop_lr_ratio_sets_stop_lr():
    lr = LearningRateExp(
        start_lr=4e-3, stop_lr_ratio=0.25, num_steps=10_000, decay_steps=100
    )
    assert lr.stop_lr == 4e-3 * 0.25
    assert close(lr.value(10_000), 1e-3)


# -- decay_steps auto-adjust --------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "replacement"),
    [(1, 1), (99, 1), (100, 2), (1000, 11), (1009, 11), (1010, 100), (10**6, 100)],
)
def test_decay_steps_not_shorter_than_phase_is_replaced(phase, replacement):
    with pytest.warns(LearningRateWarning):
        lr = LearningRateExp(
            start_lr=1e-3, stop_lr=1e-5, num_steps=phase, decay_steps=10**7
        )
    assert lr.decay_steps == replacement


def test_decay_steps_replacement_warning_names_old_and_new_value():
    with pytest.warns(LearningRateWarning, match=r"decay_steps") as record:
        LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=4000, decay_steps=5000)
    message = str(record[0].message)
    assert re.search(r"\b5000\b", message)
    assert re.search(r"\b100\b", message)


def test_decay_steps_equal_to_phase_is_replaced():
    with pytest.warns(LearningRateWarning):
        lr = LearningRateExp(
            start_lr=1e-3, stop_lr=1e-5, num_steps=500, decay_steps=500
        )
    assert lr.decay_steps == 6


def test_decay_steps_shorter_than_phase_is_kept_silently():
    with no_warnings():
        lr = LearningRateExp(
            start_lr=1e-3, stop_lr=1e-5, num_steps=5001, decay_steps=5000
        )
    assert lr.decay_steps == 5000


def test_decay_steps_is_kept_when_decay_rate_is_given():
    with no_warnings():
        lr = LearningRateExp(
            start_lr=1e-3,
            stop_lr=1e-5,
            num_steps=100,
            decay_steps=5000,
            decay_rate=0.5,
        )
    assert lr.decay_steps == 5000
    assert lr.value(4999) == 1e-3


def test_decay_steps_replacement_counts_the_phase_after_warmup():
    with pytest.warns(LearningRateWarning):
        lr = LearningRateExp(
            start_lr=1e-3,
            stop_lr=1e-5,
            num_steps=1200,
            warmup_steps=400,
            decay_steps=5000,
        )
    assert lr.decay_steps == 9


def test_exp_replaced_decay_steps_still_reaches_stop_lr():
    with pytest.warns(LearningRateWarning):
        lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=2000)
    assert lr.decay_steps == 100
    assert close(lr.value(2000), 1e-5, rel=1e-10)


# -- no decay phase -----------------------------------------------------------


def test_exp_without_decay_phase_keeps_start_lr():
    with pytest.warns(LearningRateWarning):
        lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=0)
    assert lr.decay_num_steps == 0
    assert lr.decay_rate == 1.0
    assert lr.value(0) == 1e-3
    assert lr.value(10**6) == 1e-3


def test_cosine_without_decay_phase_keeps_start_lr():
    lr = LearningRateCosine(start_lr=1e-3, stop_lr=1e-5, num_steps=0)
    assert lr.value(0) == 1e-3
    assert lr.value(10**6) == 1e-3


# -- cosine -------------------------------------------------------------------

COS = {"start_lr": 1e-3, "stop_lr": 1e-5, "num_steps": 10_000}


def test_cosine_midpoint_is_the_mean_of_start_and_stop():
    lr = LearningRateCosine(**COS)
    assert close(lr.value(5000), (1e-3 + 1e-5) / 2)


def test_cosine_midpoint_counts_from_the_end_of_warmup():
    lr = LearningRateCosine(**{**COS, "num_steps": 12_000}, warmup_steps=2000)
    assert close(lr.value(7000), (1e-3 + 1e-5) / 2)


def test_cosine_ends_at_stop_lr():
    lr = LearningRateCosine(**COS)
    assert close(lr.value(10_000), 1e-5)


@pytest.mark.parametrize("step", [10_001, 15_000, 20_000, 10**9])
def test_cosine_stays_at_stop_lr_past_the_end(step):
    lr = LearningRateCosine(**COS)
    assert close(lr.value(step), 1e-5)


@pytest.mark.parametrize("step", [0, 1, 1234, 2500, 7500, 9999])
def test_cosine_follows_the_formula(step):
    lr = LearningRateCosine(**COS)
    assert close(lr.value(step), formulas.cosine(step, **COS))


def test_cosine_with_zero_stop_lr_ends_at_zero():
    lr = LearningRateCosine(start_lr=1e-3, stop_lr=0.0, num_steps=100)
    assert lr.value(100) == 0.0
    assert lr.value(50) > 0.0


# -- public attributes --------------------------------------------------------


def test_exp_public_attributes():
    lr = LearningRateExp(
        start_lr=2e-3,
        stop_lr_ratio=1e-3,
        num_steps=50_000,
        decay_steps=500,
        warmup_ratio=0.1,
        warmup_start_factor=0.2,
        smooth=True,
    )
    assert lr.start_lr == 2e-3
    assert lr.stop_lr == 2e-3 * 1e-3
    assert lr.num_steps == 50_000
    assert lr.warmup_steps == 5000
    assert lr.warmup_start_lr == 0.2 * 2e-3
    assert lr.decay_num_steps == 45_000
    assert lr.decay_steps == 500
    assert close(lr.decay_rate, (2e-6 / 2e-3) ** (500 / 45_000))
    assert lr.min_lr == lr.stop_lr
    assert lr.smooth is True


def test_exp_smooth_defaults_to_staircase():
    lr = LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=10**6)
    assert lr.smooth is False
    assert lr.decay_steps == 5000


def test_cosine_public_attributes():
    lr = LearningRateCosine(
        start_lr=2e-3,
        stop_lr=4e-5,
        num_steps=1000,
        warmup_steps=100,
        warmup_start_factor=0.5,
    )
    assert lr.start_lr == 2e-3
    assert lr.stop_lr == 4e-5
    assert lr.num_steps == 1000
    assert lr.warmup_steps == 100
    assert lr.warmup_start_lr == 1e-3
    assert lr.decay_num_steps == 900
    assert close(lr.min_lr, 4e-5)


def test_start_lr_is_read_only():
    lr = LearningRateCosine(**COS)
    with pytest.raises(AttributeError):
        lr.start_lr = 1.0


# -- where warnings point -----------------------------------------------------


def test_decay_steps_warning_points_at_the_callers_line():
    with pytest.warns(LearningRateWarning) as record:
        LearningRateExp(start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    assert record[0].filename == __file__


def test_decay_steps_warning_through_base_lr_points_at_the_callers_line():
    with pytest.warns(LearningRateWarning) as record:
        BaseLR(type="exp", start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "config", [{"type": "exp", "decay_steps": 100}, {"type": "cosine"}], ids=repr
)
def test_warmup_ratio_warning_points_at_the_callers_line(config):
    with pytest.warns(LearningRateWarning, match="0 warmup steps") as record:
        BaseLR(
            start_lr=1e-3, stop_lr=1e-5, num_steps=10**6, warmup_ratio=1e-7, **config
        )
    assert [entry.filename for entry in record] == [__file__]
