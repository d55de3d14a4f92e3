"""``BaseLR`` dispatches on ``type`` through the schedule registry."""

from __future__ import annotations

import pytest
from registry_scope import scoped_schedules

from deepmd_lr import (
    BaseLR,
    LearningRateConfigError,
    LearningRateCosine,
    LearningRateExp,
    LearningRateWSD,
)

SECTION = {"start_lr": 1e-3, "stop_lr": 1e-5, "num_steps": 100_000}


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("exp", LearningRateExp),
        ("cosine", LearningRateCosine),
        ("wsd", LearningRateWSD),
    ],
)
def test_base_lr_builds_the_class_registered_under_type(name, cls):
    assert type(BaseLR(type=name, **SECTION)) is cls


def test_base_lr_type_defaults_to_exp():
    assert type(BaseLR(**SECTION)) is LearningRateExp


def test_base_lr_passes_every_keyword_on():
    lr = BaseLR(type="exp", decay_steps=1000, smooth=True, **SECTION)
    assert lr.decay_steps == 1000
    assert lr.smooth is True


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("exp", LearningRateExp),
        ("cosine", LearningRateCosine),
        ("wsd", LearningRateWSD),
    ],
)
def test_get_class_by_type_returns_the_registered_class(name, cls):
    assert BaseLR.get_class_by_type(name) is cls


def test_registered_types_lists_the_built_in_types():
    assert {"exp", "cosine", "wsd"} <= set(BaseLR.registered_types())


def test_each_class_knows_its_type_name():
    assert LearningRateExp.type_name == "exp"
    assert LearningRateCosine.type_name == "cosine"


def test_unknown_type_is_a_config_error_listing_known_types():
    with pytest.raises(LearningRateConfigError) as caught:
        BaseLR(type="cosin", **SECTION)
    error = caught.value
    assert error.path == "learning_rate/type"
    assert error.value == "cosin"
    for name in ("exp", "cosine", "wsd"):
        assert f'"{name}"' in str(error)
    assert 'Did you mean "cosine"?' in str(error)


def test_unknown_type_without_a_close_match_lists_known_types():
    with pytest.raises(LearningRateConfigError, match='"exp"') as caught:
        BaseLR.get_class_by_type("zzzzzz")
    assert "Did you mean" not in str(caught.value)


def test_non_string_type_is_a_config_error():
    with pytest.raises(LearningRateConfigError, match="learning_rate/type"):
        BaseLR(type=3, **SECTION)


def test_registering_a_taken_name_fails_and_keeps_the_first_class():
    class Impostor(LearningRateExp):
        pass

    with pytest.raises(ValueError, match="already registered"):
        BaseLR.register("exp")(Impostor)
    assert BaseLR.get_class_by_type("exp") is LearningRateExp
    assert LearningRateExp.type_name == "exp"


def test_registering_a_non_schedule_fails():
    class NotASchedule:
        pass

    with pytest.raises(TypeError, match="not a subclass of BaseLR"):
        BaseLR.register("not_a_schedule")(NotASchedule)
    assert "not_a_schedule" not in BaseLR.registered_types()


def test_registered_type_is_built_by_base_lr():
    with scoped_schedules():

        @BaseLR.register("halfcosine")
        class HalfCosine(LearningRateCosine):
            pass

        assert "halfcosine" in BaseLR.registered_types()
        assert type(BaseLR(type="halfcosine", **SECTION)) is HalfCosine
    assert "halfcosine" not in BaseLR.registered_types()


def test_type_that_contradicts_the_class_is_a_config_error():
    with pytest.raises(LearningRateConfigError) as caught:
        LearningRateExp(type="cosine", **SECTION)
    assert caught.value.path == "learning_rate/type"


def test_matching_type_is_accepted_by_the_class():
    assert LearningRateCosine(type="cosine", **SECTION).stop_lr == 1e-5


def test_a_scoped_registration_is_undone_when_the_block_fails():
    def register_then_fail():
        with scoped_schedules():
            BaseLR.register("halfcosine")(type("HalfCosine", (LearningRateCosine,), {}))
            raise RuntimeError("inside")

    before = BaseLR.registered_types()
    with pytest.raises(RuntimeError, match="inside"):
        register_then_fail()
    assert BaseLR.registered_types() == before
    assert LearningRateCosine.type_name == "cosine"
