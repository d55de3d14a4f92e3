"""Invariants of the argument layer over generated sections (hypothesis)."""

from __future__ import annotations

import contextlib
import copy
import json
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from section_strategies import any_section, valid_sections

from deepmd_lr import (
    LearningRateConfigError,
    LearningRateWarning,
    learning_rate_args,
    normalize_learning_rate,
)
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.section.registry import SCHEDULES

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _normalize_quietly(section, num_steps=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        return normalize_learning_rate(section, num_steps)


@FAST
@given(any_section, st.one_of(st.none(), st.integers(0, 10**6)))
def test_any_section_normalizes_or_raises_config_error(section, num_steps):
    with contextlib.suppress(LearningRateConfigError):
        _normalize_quietly(section, num_steps)


@FAST
@given(any_section)
def test_normalizing_never_mutates_the_section(section):
    before = copy.deepcopy(section)
    with contextlib.suppress(LearningRateConfigError):
        _normalize_quietly(section)
    # repr, since NaN != NaN would make an unchanged dict compare unequal.
    assert repr(section) == repr(before)


@FAST
@given(valid_sections())
def test_valid_section_normalizes_to_every_declared_key(section):
    normalized = normalize_learning_rate(section)
    cls = SCHEDULES.get(normalized["type"])
    expected = {"type"} | set(learning_rate_args().sub_fields)
    expected |= {key.name for key in cls.variant_keys}
    assert set(normalized) == expected


@FAST
@given(st.one_of(valid_sections(), any_section))
def test_normalizing_is_idempotent(section):
    try:
        once = _normalize_quietly(section)
    except LearningRateConfigError:
        return
    assert _normalize_quietly(once) == once


@FAST
@given(valid_sections())
def test_normalized_section_is_stable_through_json(section):
    once = normalize_learning_rate(section)
    text = json.dumps(once, allow_nan=False)
    assert json.loads(text) == once
    assert normalize_learning_rate(json.loads(text)) == once


@FAST
@given(valid_sections(), st.integers(1, 50_000), st.data())
def test_built_schedule_stays_finite_and_within_bounds_after_warmup(
    section, num_steps, data
):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        try:
            normalize_learning_rate(section, num_steps)
        except LearningRateConfigError:
            return  # warmup not shorter than this training; covered elsewhere
        schedule = make_learning_rate_schedule(section, num_steps)
    drawn = data.draw(st.lists(st.integers(0, 2 * num_steps), max_size=20))
    steps = [*drawn, schedule.warmup_steps, num_steps, 2 * num_steps]
    low, high = schedule.stop_lr, schedule.start_lr
    for step in steps:
        rate = schedule.value(step)
        assert math.isfinite(rate)
        assert rate >= 0.0
        if step >= schedule.warmup_steps:
            assert low * (1 - 1e-12) <= rate <= high * (1 + 1e-12), step


@FAST
@given(valid_sections(), st.integers(1, 50_000))
def test_warmup_rises_from_start_factor_to_start_lr(section, num_steps):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        try:
            schedule = make_learning_rate_schedule(section, num_steps)
        except LearningRateConfigError:
            return
    for step in range(0, schedule.warmup_steps, max(1, schedule.warmup_steps // 7)):
        rate = schedule.value(step)
        assert schedule.warmup_start_lr * (1 - 1e-12) <= rate
        assert rate <= schedule.start_lr * (1 + 1e-12)


def test_exp_without_decay_rate_rejects_start_lr_at_or_below_the_log_floor():
    # The rate is fitted against max(stop_lr, 1e-10): from a start below that
    # floor it would grow without bound (and overflow for a subnormal start).
    with pytest.raises(LearningRateConfigError, match=">= 1e-10") as caught:
        make_learning_rate_schedule(
            {"start_lr": 5e-324, "stop_lr_ratio": 0.5, "decay_steps": 2}, num_steps=100
        )
    assert caught.value.path == "learning_rate/start_lr"


def test_exp_with_decay_rate_and_tiny_start_lr_stays_finite():
    schedule = make_learning_rate_schedule(
        {"start_lr": 5e-324, "stop_lr": 0, "decay_rate": 0.5, "decay_steps": 2},
        num_steps=100,
    )
    assert all(math.isfinite(schedule.value(step)) for step in range(201))
