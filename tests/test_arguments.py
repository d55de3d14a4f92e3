"""The rules of the ``learning_rate`` keys (types, ranges, exclusivity) and their dargs form."""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys

import pytest
from dargs import Argument, Variant
from dargs_checking import dargs_check, dargs_normalized, dargs_rejection
from registry_scope import scoped_schedules
from sections import INVALID, LEGACY, VALID, has_fix, params, section

from deepmd_lr import (
    BaseLR,
    LearningRateConfigError,
    LearningRateCosine,
    learning_rate_args,
    normalize_learning_rate,
)
from deepmd_lr.section.keys import Key
from deepmd_lr.section.registry import SCHEDULES
from deepmd_lr.section.rules import check_section


def error_of(section_: object) -> LearningRateConfigError:
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section_)  # type: ignore[arg-type]
    return caught.value


# -- one valid and one invalid case per rule ---------------------------------


@pytest.mark.parametrize("valid", params(VALID))
def test_valid_section_normalizes(valid):
    normalized = normalize_learning_rate(valid)
    assert normalized["type"] == valid.get("type", "exp")


@pytest.mark.parametrize("case", params(INVALID))
def test_invalid_section_raises_config_error_at_the_key(case):
    assert error_of(case.section).path == case.path


@pytest.mark.parametrize("case", params(INVALID))
def test_invalid_section_message_names_keys_values_and_fix(case):
    message = str(error_of(case.section))
    for word in case.mentions:
        assert word in message
    assert has_fix(message)


def test_config_error_is_a_value_error():
    assert isinstance(error_of(section(start_lr=0.0)), ValueError)


def test_error_carries_the_offending_value():
    assert error_of(section(warmup_ratio=1.5)).value == 1.5


def test_key_of_another_variant_says_which_type_it_belongs_to():
    message = str(error_of(section(type="cosine", decay_rate=0.9)))
    assert 'decay_rate belongs to type "exp", not to type "cosine"' in message


def test_unknown_key_suggests_the_closest_key():
    assert 'Did you mean "warmup_steps"?' in str(error_of(section(warmup_step=10)))


def test_unknown_type_lists_known_types_with_did_you_mean():
    message = str(error_of(section(type="expp")))
    for name in SCHEDULES.classes():
        assert f'"{name}"' in message
    assert 'Did you mean "exp"?' in message


def test_huge_integer_is_rejected_as_not_finite():
    error = error_of(section(start_lr=10**400))
    assert error.path == "learning_rate/start_lr"
    assert "finite" in str(error)


def test_integer_too_long_to_print_is_rejected_with_a_config_error():
    with pytest.raises(LearningRateConfigError, match="warmup_steps"):
        normalize_learning_rate(section(warmup_steps=10**5000), num_steps=100)


def test_non_string_key_is_rejected():
    assert error_of({**section(), 3: 4}).path == "learning_rate"


@pytest.mark.parametrize("case", params({**INVALID, **LEGACY}))
def test_checking_never_mutates_the_section(case):
    given = copy.deepcopy(case.section)
    with pytest.raises(LearningRateConfigError):
        normalize_learning_rate(case.section)
    assert repr(case.section) == repr(given)


# -- the dargs Argument ------------------------------------------------------


def test_learning_rate_args_is_an_argument_named_learning_rate():
    argument = learning_rate_args()
    assert isinstance(argument, Argument)
    assert argument.name == "learning_rate"


def test_learning_rate_args_variant_on_type_lists_registered_types():
    variant = learning_rate_args().sub_variants["type"]
    assert isinstance(variant, Variant)
    assert list(variant.choice_dict) == list(SCHEDULES.classes())
    assert variant.optional
    assert variant.default_tag == "exp"


def test_learning_rate_args_common_keys_sit_outside_the_variant():
    assert set(learning_rate_args().sub_fields) == {
        "start_lr",
        "stop_lr",
        "stop_lr_ratio",
        "warmup_steps",
        "warmup_ratio",
        "warmup_start_factor",
        "scale_by_worker",
    }


def test_exp_variant_declares_its_own_keys():
    exp = learning_rate_args().sub_variants["type"].choice_dict["exp"]
    assert set(exp.sub_fields) == {"decay_steps", "decay_rate", "smooth"}


def _all_arguments(argument):
    yield argument
    for sub in argument.sub_fields.values():
        yield from _all_arguments(sub)
    for variant in argument.sub_variants.values():
        for choice in variant.choice_dict.values():
            yield from _all_arguments(choice)


def test_every_key_has_documentation():
    for argument in _all_arguments(learning_rate_args()):
        assert argument.doc.strip(), argument.name


def test_learning_rate_args_folds_subdoc_on_request():
    assert learning_rate_args(fold_subdoc=True).fold_subdoc


def test_learning_rate_args_renders_its_documentation():
    doc = learning_rate_args().gen_doc()
    assert "warmup_start_factor" in doc
    assert "decay_steps" in doc


@pytest.fixture
def registered_flat():
    """Register a throwaway schedule type ``flat``; unregister it afterwards."""
    with scoped_schedules():

        @BaseLR.register("flat")
        class Flat(BaseLR):
            variant_doc = "Keeps start_lr after warmup."
            variant_keys = (
                Key("hold", bool, "Whether to hold the rate.", default=True),
            )

            def _decay_xp(self, xp, decay_step):
                return xp.full_like(decay_step, self.start_lr)

        yield Flat


def test_registering_a_schedule_adds_its_variant(registered_flat):
    choices = learning_rate_args().sub_variants["type"].choice_dict
    assert set(choices["flat"].sub_fields) == {"hold"}


def test_registered_schedule_is_normalized_with_its_own_defaults(registered_flat):
    normalized = normalize_learning_rate(section(type="flat"))
    assert normalized["hold"] is True
    assert "decay_steps" not in normalized


def test_key_of_registered_schedule_is_foreign_to_other_types(registered_flat):
    assert 'belongs to type "flat"' in str(error_of(section(hold=False)))


def test_registered_schedule_passes_dargs_check(registered_flat):
    checked = dargs_check(section(type="flat"))
    assert checked["hold"] is True


def test_unregistering_removes_the_variant_again():
    with scoped_schedules():

        @BaseLR.register("flat")
        class Flat(LearningRateCosine):
            pass

        assert "flat" in learning_rate_args().sub_variants["type"].choice_dict
    assert "flat" not in learning_rate_args().sub_variants["type"].choice_dict


# -- dargs check enforces the same rules ------------------------------------

# Refused by dargs itself before the section's own check runs: the flag of an
# unknown variant when normalizing, a section that is not an object by type.
DARGS_OWN = ("unknown type", "type not a string", "section not an object")


@pytest.mark.parametrize("valid", params(VALID))
def test_dargs_check_accepts_valid_section(valid):
    dargs_check(copy.deepcopy(valid))


@pytest.mark.parametrize("case", params({**INVALID, **LEGACY}))
def test_dargs_check_rejects_invalid_section(case):
    dargs_rejection(copy.deepcopy(case.section))


@pytest.mark.parametrize(
    "case",
    params(
        {
            name: case
            for name, case in {**INVALID, **LEGACY}.items()
            if name not in DARGS_OWN
        }
    ),
)
def test_dargs_shows_the_checkers_message_naming_the_key(case):
    shown = str(dargs_rejection(copy.deepcopy(case.section)))
    with pytest.raises(LearningRateConfigError) as expected:
        check_section(dargs_normalized(copy.deepcopy(case.section)))
    assert expected.value.path == case.path
    # The section a fix shows leaves out the defaults dargs filled in (see
    # test_normalization); the rest of the message is the checker's own.
    assert _section_hidden(str(expected.value)) in _section_hidden(shown)


def test_every_case_dargs_refuses_itself_is_a_known_case():
    assert set(DARGS_OWN) <= {*INVALID, *LEGACY}


@pytest.mark.parametrize("case", params({**INVALID, **LEGACY}))
def test_dargs_check_never_mutates_the_section(case):
    given = copy.deepcopy(case.section)
    dargs_rejection(case.section)
    assert repr(case.section) == repr(given)


def test_dargs_check_of_valid_section_leaves_it_unchanged():
    given = section(type="cosine", _comment="x")
    dargs_check(given)
    assert given == section(type="cosine", _comment="x")


def _dargs_cli(tmp_path, content):
    path = tmp_path / "learning_rate.json"
    path.write_text(json.dumps(content))
    command = [sys.executable, "-m", "dargs", "check"]
    command += ["-f", "deepmd_lr.learning_rate_args", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_dargs_cli_accepts_a_good_file(tmp_path):
    result = _dargs_cli(tmp_path, section(type="cosine", _comment="ok"))
    assert result.returncode == 0, result.stderr


def test_dargs_cli_rejects_a_bad_file_naming_the_key(tmp_path):
    result = _dargs_cli(tmp_path, section(type="cosine", decay_steps=100))
    assert result.returncode != 0
    assert "learning_rate/decay_steps" in result.stderr


def _section_hidden(message: str) -> str:
    return re.sub(
        r"write the section as \{.*?\}: ", "write the section as {...}: ", message
    )
