"""What help() and the API reference show: real signatures, every parameter."""

from __future__ import annotations

import inspect
import re

import pytest
from registry_scope import scoped_schedules

from deepmd_lr import (
    BaseLR,
    Key,
    LearningRateConfigError,
    LearningRateCosine,
    LearningRateExp,
)
from deepmd_lr.section.keys import COMMON_KEYS

BUILT_IN = ["exp", "cosine", "wsd"]


def documented_parameters(doc: str) -> list[str]:
    """The names in the numpydoc Parameters section of ``doc``."""
    text = inspect.cleandoc(doc)
    section = text.split("\nParameters\n----------\n", 1)[1]
    section = re.split(r"\n\n[A-Z]\w*\n-+\n", section, maxsplit=1)[0]
    return re.findall(r"^(\**\w+)(?: :|$)", section, flags=re.MULTILINE)


def test_base_signature_is_the_constructor_as_called() -> None:
    signature = inspect.signature(BaseLR)
    parameters = signature.parameters
    assert list(parameters) == [
        "start_lr",
        "num_steps",
        "stop_lr",
        "stop_lr_ratio",
        "type",
        "keys",
    ]
    assert parameters["type"].kind is inspect.Parameter.KEYWORD_ONLY
    assert parameters["type"].default == "exp"
    assert parameters["keys"].kind is inspect.Parameter.VAR_KEYWORD
    bound = signature.bind(1e-3, 100, 1e-5, type="cosine", warmup_steps=10)
    assert type(BaseLR(*bound.args, **bound.kwargs)) is LearningRateCosine


def test_base_docstring_describes_every_parameter() -> None:
    assert documented_parameters(BaseLR.__doc__ or "") == [
        "start_lr",
        "num_steps",
        "stop_lr",
        "stop_lr_ratio",
        "type",
        "**keys",
    ]


@pytest.mark.parametrize("type_name", BUILT_IN)
def test_schedule_docstring_describes_each_parameter_of_its_signature(
    type_name: str,
) -> None:
    cls = BaseLR.get_class_by_type(type_name)
    assert documented_parameters(cls.__doc__ or "") == list(
        inspect.signature(cls).parameters
    )


@pytest.mark.parametrize("type_name", BUILT_IN)
def test_schedule_parameters_carry_the_key_docs_without_reprs(type_name: str) -> None:
    cls = BaseLR.get_class_by_type(type_name)
    doc = cls.__doc__ or ""
    for key in (*COMMON_KEYS, *cls.variant_keys):
        assert f"{key.name} : {key.kind.__name__}" in doc
    assert "Key(" not in doc
    assert "object at 0x" not in doc


def test_parameters_come_before_the_examples() -> None:
    doc = inspect.cleandoc(LearningRateExp.__doc__ or "")
    assert doc.index("\nParameters\n") < doc.index("\nExamples\n")
    assert "decay_steps : int, default 5000" in doc


def test_a_subclass_with_its_own_init_shows_that_init() -> None:
    with scoped_schedules():

        class Shifted(LearningRateCosine):
            """A cosine schedule given by its length only."""

            def __init__(self, num_steps: int) -> None:
                super().__init__(1e-3, num_steps, 1e-5)

        assert list(inspect.signature(Shifted).parameters) == ["num_steps"]
        assert "Parameters" not in (Shifted.__doc__ or "")


def test_a_hand_written_parameters_section_is_kept() -> None:
    doc = """Flat.

    Parameters
    ----------
    start_lr : float
        Kept as written.
    """
    with scoped_schedules():
        flat = type(
            "Flat",
            (LearningRateCosine,),
            {
                "__doc__": doc,
                "variant_keys": (Key("hold", bool, "Hold.", default=True),),
            },
        )
    assert flat.__doc__ == doc


def test_error_signature_shows_no_bare_object() -> None:
    text = str(inspect.signature(LearningRateConfigError))
    assert "object at" not in text
    assert "value: 'Any' = <not given>" in text
    error = LearningRateConfigError("learning_rate/x", "bad")
    assert error.has_value is False
    assert error.value is None
