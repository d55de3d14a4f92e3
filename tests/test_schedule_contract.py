"""What a schedule type may rely on, and what it may not get wrong.

Each test stands for a way a plugin author or a DeePMD-kit user could hold
the API; they run against types registered for the test only.
"""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import numpy as np
import pytest
from dargs_checking import dargs_rejection
from registry_scope import scoped_schedules

from deepmd_lr import BaseLR, Key, LearningRateConfigError, LearningRateExp
from deepmd_lr import normalize_learning_rate as normalize
from deepmd_lr.describe.schema import json_schema

SECTION = {"start_lr": 1e-3, "stop_lr": 1e-5}


class Constant(BaseLR):
    """Holds start_lr: the decay does not matter to these tests."""

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        return xp.full_like(decay_step, self.start_lr)


def test_a_required_key_of_a_type_must_be_given() -> None:
    with scoped_schedules():

        @BaseLR.register("needs")
        class Needs(Constant):
            variant_keys = (Key("alpha", float, "A factor.", minimum=0.0),)

        for build in (
            lambda: Needs(num_steps=10, **SECTION),
            lambda: normalize({"type": "needs", **SECTION}),
        ):
            with pytest.raises(LearningRateConfigError) as caught:
                build()
            assert caught.value.path == "learning_rate/alpha"
            assert "Fix: add alpha" in str(caught.value)
        shown_by_dargs = str(dargs_rejection({"type": "needs", **SECTION}))
        assert "learning_rate/alpha: " in shown_by_dargs
        assert "Fix: add alpha" in shown_by_dargs
        assert Needs(num_steps=10, alpha=0.5, **SECTION).alpha == 0.5
        jsonschema = pytest.importorskip("jsonschema")
        validator = jsonschema.Draft202012Validator(json_schema())
        assert not validator.is_valid({"type": "needs", **SECTION})
        assert validator.is_valid({"type": "needs", "alpha": 0.5, **SECTION})


def test_a_types_own_rule_sees_every_key_with_its_default() -> None:
    seen: list[dict[str, Any]] = []
    with scoped_schedules():

        @BaseLR.register("band")
        class Band(Constant):
            variant_keys = (
                Key("low", float, "Lower edge.", default=0.1),
                Key("high", float, "Upper edge.", default=0.9),
            )

            @classmethod
            def check_variant(cls, values: Any) -> None:
                seen.append(dict(values))
                if values["low"] >= values["high"]:
                    raise LearningRateConfigError(
                        "learning_rate/low", "low must be below high", "Fix: lower it"
                    )

        normalize({"type": "band", "low": 0.5, **SECTION})
        with pytest.raises(LearningRateConfigError, match="low must be below high"):
            Band(num_steps=10, low=0.95, **SECTION)
    assert seen[0]["high"] == 0.9
    assert seen[0]["warmup_steps"] == 0


@pytest.mark.parametrize("name", ["start_lr", "type", "num_steps", "value", "settings"])
def test_a_key_named_like_what_every_schedule_has_is_refused(name: str) -> None:
    with scoped_schedules(), pytest.raises(TypeError, match=repr(name)):

        class Clash(BaseLR):
            variant_keys = (Key(name, float, "A key.", default=0.5),)


def test_choices_must_be_a_tuple_of_strings() -> None:
    with pytest.raises(TypeError, match="tuple of strings"):
        Key("mode", str, "A mode.", choices="xyz")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tuple of strings"):
        Key("mode", str, "A mode.", choices=(1,))  # type: ignore[arg-type]


def test_a_bound_must_be_a_number() -> None:
    with pytest.raises(ValueError, match="a bound must be a number"):
        Key("x", float, "X.", minimum=float("nan"))


def test_an_unregistered_class_says_so() -> None:
    class Unlisted(BaseLR):
        def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
            return decay_step

    with pytest.raises(TypeError, match="not a registered schedule type"):
        Unlisted(num_steps=10, **SECTION)


def test_a_subclass_of_a_type_accepts_that_type_by_name() -> None:
    class Tuned(LearningRateExp):
        pass

    lr = Tuned(num_steps=1000, type="exp", decay_steps=100, **SECTION)
    assert lr.value(0) == 1e-3


def test_a_class_below_an_own_constructor_shows_that_constructor() -> None:
    class WithFactor(LearningRateExp):
        def __init__(self, *, factor: float = 2.0, **keys: Any) -> None:
            super().__init__(**keys)
            self.factor = factor

    class Below(WithFactor):
        pass

    for cls in (WithFactor, Below):
        assert "factor" in inspect.signature(cls).parameters


def test_a_changed_attribute_is_used_by_every_path() -> None:
    lr = BaseLR(
        type="exp", start_lr=1e-3, stop_lr=1e-8, num_steps=10_000, decay_steps=100
    )
    lr.value(np.array([5000]))
    lr.decay_rate = 0.5
    lr.min_lr = 1e-4
    assert lr.value(np.array([5000]))[0] == lr.value(5000) == 1e-4


def test_computing_rates_leaves_nothing_behind_in_a_pickle() -> None:
    lr = BaseLR(
        type="exp", start_lr=1e-3, stop_lr=1e-300, num_steps=10**6, decay_steps=1
    )
    small = len(pickle.dumps(lr))
    lr.value(np.arange(0, 10**6, 7))
    again = pickle.loads(pickle.dumps(lr))
    assert len(pickle.dumps(lr)) == small
    np.testing.assert_array_equal(
        again.value(np.arange(0, 10**6, 7)), lr.value(np.arange(0, 10**6, 7))
    )


def test_a_ragged_list_of_steps_is_a_type_error() -> None:
    lr = BaseLR(type="cosine", num_steps=10, **SECTION)
    with pytest.raises(TypeError, match="step must be a number"):
        lr.value([[1, 2], [3]])


@pytest.mark.parametrize("data", [None, [1], "exp"])
def test_deserialize_of_something_else_is_a_value_error(data: Any) -> None:
    with pytest.raises(ValueError, match="serialize"):
        BaseLR.deserialize(data)
