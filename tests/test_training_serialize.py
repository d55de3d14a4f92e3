"""serialize() / deserialize(): a schedule survives a JSON round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest
from backend_cases import CASE_IDS, CASES, STEPS, schedule

from deepmd_lr import BaseLR, LearningRateCosine, LearningRateExp


@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_json_round_trip_rebuilds_an_equal_schedule(type_key, warmup_key):
    lr = schedule(type_key, warmup_key)
    rebuilt = BaseLR.deserialize(json.loads(json.dumps(lr.serialize())))
    assert rebuilt == lr
    assert type(rebuilt) is type(lr)
    np.testing.assert_array_equal(rebuilt.value(STEPS), lr.value(STEPS))


def test_serialized_form_is_the_keys_with_defaults_plus_type_num_steps_and_version():
    lr = BaseLR(
        type="exp", start_lr=1e-3, stop_lr_ratio=1e-2, decay_steps=50, num_steps=500
    )
    assert lr.serialize() == {
        "@version": 1,
        "type": "exp",
        "num_steps": 500,
        "start_lr": 1e-3,
        "stop_lr_ratio": 1e-2,
        "warmup_steps": 0,
        "warmup_start_factor": 0.0,
        "scale_by_worker": "linear",
        "decay_steps": 50,
        "smooth": False,
    }


def test_serialized_numpy_numbers_become_python_numbers():
    lr = BaseLR(
        type="cosine", start_lr=np.float64(1e-3), stop_lr=np.float64(1e-5), num_steps=9
    )
    data = lr.serialize()
    assert type(data["start_lr"]) is float
    assert type(data["stop_lr"]) is float


def test_a_subclass_deserializes_its_own_type():
    data = LearningRateCosine(start_lr=1e-3, stop_lr=0.0, num_steps=10).serialize()
    assert isinstance(LearningRateCosine.deserialize(data), LearningRateCosine)


def test_a_subclass_refuses_another_type():
    data = LearningRateCosine(start_lr=1e-3, stop_lr=0.0, num_steps=10).serialize()
    with pytest.raises(ValueError, match="does not match LearningRateExp"):
        LearningRateExp.deserialize(data)


@pytest.mark.parametrize("version", [None, 0, 2, "1"])
def test_unknown_format_version_is_refused(version):
    data = schedule("exp", "warmup").serialize()
    data["@version"] = version
    if version is None:
        del data["@version"]
    with pytest.raises(ValueError, match="format version"):
        BaseLR.deserialize(data)


def test_deserialize_checks_the_keys_again():
    data = schedule("cosine", "warmup").serialize()
    data["stop_lr_ratio"] = 2.0
    with pytest.raises(ValueError, match="stop_lr_ratio"):
        BaseLR.deserialize(data)
