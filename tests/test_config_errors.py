"""Constructor errors: one ``LearningRateConfigError`` per broken rule."""

from __future__ import annotations

import math
import pickle

import pytest

from deepmd_lr import BaseLR, LearningRateConfigError

VALID = {"start_lr": 1e-3, "stop_lr": 1e-5, "num_steps": 10_000}


def error_for(**changes) -> LearningRateConfigError:
    config = {**VALID, **changes}
    config = {k: v for k, v in config.items() if v is not ...}
    with pytest.raises(LearningRateConfigError) as caught:
        BaseLR(**config)
    return caught.value


def test_config_error_is_a_value_error():
    assert issubclass(LearningRateConfigError, ValueError)


def test_stop_lr_above_start_lr():
    error = error_for(stop_lr=2e-3)
    assert error.path == "learning_rate/stop_lr"
    assert error.value == 2e-3
    assert "start_lr" in str(error)


def test_stop_lr_equal_to_start_lr_is_valid():
    assert BaseLR(type="cosine", **{**VALID, "stop_lr": 1e-3}).value(5) == 1e-3


def test_stop_lr_and_stop_lr_ratio_together():
    error = error_for(stop_lr_ratio=0.01)
    assert error.path == "learning_rate/stop_lr"
    assert "stop_lr_ratio" in str(error)
    assert "1e-05" in str(error)
    assert "0.01" in str(error)


def test_neither_stop_lr_nor_stop_lr_ratio():
    error = error_for(stop_lr=...)
    assert error.path == "learning_rate/stop_lr"
    assert "stop_lr_ratio" in str(error)


def test_warmup_steps_and_warmup_ratio_together():
    error = error_for(warmup_steps=10, warmup_ratio=0.1)
    assert error.path == "learning_rate/warmup_steps"
    assert "warmup_ratio" in str(error)


def test_zero_warmup_steps_with_warmup_ratio_is_valid():
    assert BaseLR(**VALID, warmup_steps=0, warmup_ratio=0.1).warmup_steps == 1000


@pytest.mark.parametrize("warmup", [10_000, 10_001])
def test_warmup_not_shorter_than_training(warmup):
    error = error_for(warmup_steps=warmup)
    assert error.path == "learning_rate/warmup_steps"
    assert "10000" in str(error)


def test_warmup_with_zero_num_steps():
    error = error_for(num_steps=0, warmup_steps=5)
    assert error.path == "learning_rate/warmup_steps"


def test_negative_warmup_steps():
    assert error_for(warmup_steps=-1).path == "learning_rate/warmup_steps"


def test_negative_num_steps():
    assert error_for(num_steps=-1).path == "training/numb_steps"


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        ("start_lr", True, "learning_rate/start_lr"),
        ("stop_lr", False, "learning_rate/stop_lr"),
        ("warmup_steps", True, "learning_rate/warmup_steps"),
        ("warmup_start_factor", True, "learning_rate/warmup_start_factor"),
        ("num_steps", True, "training/numb_steps"),
        ("decay_steps", True, "learning_rate/decay_steps"),
        ("decay_rate", True, "learning_rate/decay_rate"),
    ],
)
def test_bool_is_not_a_number(key, value, path):
    error = error_for(**{key: value})
    assert error.path == path


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "key", ["start_lr", "stop_lr", "stop_lr_ratio", "warmup_ratio", "decay_rate"]
)
def test_nan_and_infinity_are_rejected(key, bad):
    changes = {key: bad}
    if key == "stop_lr_ratio":
        changes["stop_lr"] = ...
    error = error_for(**changes)
    assert error.path == f"learning_rate/{key}"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("start_lr", 0.0),
        ("start_lr", -1e-3),
        ("stop_lr", -1e-9),
        ("warmup_ratio", 1.0),
        ("warmup_ratio", -0.1),
        ("warmup_start_factor", 1.5),
        ("decay_steps", 0),
        ("decay_rate", 0.0),
        ("decay_rate", 1.5),
    ],
)
def test_out_of_range_value(key, value):
    error = error_for(**{key: value})
    assert error.path == f"learning_rate/{key}"
    assert error.value == value


def test_stop_lr_ratio_above_one():
    error = error_for(stop_lr=..., stop_lr_ratio=1.5)
    assert error.path == "learning_rate/stop_lr_ratio"


def test_integer_key_given_as_float():
    assert error_for(decay_steps=5000.0).path == "learning_rate/decay_steps"


@pytest.mark.parametrize("key", ["stop_lr", "stop_lr_ratio"])
def test_exp_cannot_decay_to_zero_without_decay_rate(key):
    changes = {"stop_lr": ..., key: 0.0}
    error = error_for(**changes)
    assert error.path == f"learning_rate/{key}"
    assert "decay_rate" in str(error)


def test_exp_may_floor_at_zero_with_decay_rate():
    assert BaseLR(**{**VALID, "stop_lr": 0.0}, decay_rate=0.9).min_lr == 0.0


def test_cosine_may_decay_to_zero():
    assert BaseLR(type="cosine", **{**VALID, "stop_lr": 0.0}).value(10_000) == 0.0


@pytest.mark.parametrize(
    ("key", "value"), [("decay_steps", 100), ("decay_rate", 0.9), ("smooth", True)]
)
def test_exp_key_under_cosine_names_its_type(key, value):
    error = error_for(type="cosine", **{key: value})
    assert error.path == f"learning_rate/{key}"
    assert '"exp"' in str(error)
    assert '"cosine"' in str(error)


def test_wsd_key_under_exp_names_its_type():
    error = error_for(decay_type="linear")
    assert error.path == "learning_rate/decay_type"
    assert '"wsd"' in str(error)


def test_unknown_key_suggests_the_closest_one():
    error = error_for(type="cosine", warmup_step=10)
    assert error.path == "learning_rate/warmup_step"
    assert 'Did you mean "warmup_steps"?' in str(error)


def test_message_has_path_reason_and_fix():
    error = error_for(stop_lr=2e-3)
    assert str(error).startswith("learning_rate/stop_lr: ")
    assert error.reason in str(error)
    assert error.fix.startswith("Fix:")
    assert error.fix in str(error)


def test_config_error_survives_pickling():
    error = error_for(stop_lr=2e-3)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is LearningRateConfigError
    assert str(copy) == str(error)
    assert (copy.path, copy.reason, copy.fix, copy.value) == (
        error.path,
        error.reason,
        error.fix,
        error.value,
    )
    assert copy.has_value


def test_config_error_without_a_value_survives_pickling():
    error = error_for(stop_lr=...)
    assert not error.has_value
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert not copy.has_value
    assert copy.value is None
