"""Normalizing sections and whole inputs; the pre-3.1.3 hint; building schedules."""

from __future__ import annotations

import copy
import json
import re

import pytest
import yaml
from sections import DROP, LEGACY, section

from deepmd_lr import (
    LearningRateConfigError,
    LearningRateCosine,
    LearningRateExp,
    LearningRateWarning,
    learning_rate_args,
    normalize_learning_rate,
)
from deepmd_lr.deepmd.migration import migrate_section
from deepmd_lr.deepmd.reading import normalize
from deepmd_lr.schedules.building import make_learning_rate_schedule

COMMON_DEFAULTS = {
    "stop_lr_ratio": None,
    "warmup_steps": 0,
    "warmup_ratio": None,
    "warmup_start_factor": 0.0,
    "scale_by_worker": "linear",
}


# -- normalize_learning_rate -------------------------------------------------


def test_exp_defaults_are_filled():
    assert normalize_learning_rate(section()) == {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        **COMMON_DEFAULTS,
        "decay_steps": 5000,
        "decay_rate": None,
        "smooth": False,
    }


def test_cosine_defaults_are_filled_without_exp_keys():
    assert normalize_learning_rate(section(type="cosine")) == {
        "type": "cosine",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        **COMMON_DEFAULTS,
    }


def test_wsd_defaults_are_filled():
    normalized = normalize_learning_rate(section(type="wsd"))
    assert normalized["decay_phase_ratio"] == 0.1
    assert normalized["decay_type"] == "inverse_linear"


def test_stop_lr_is_null_when_stop_lr_ratio_is_given():
    normalized = normalize_learning_rate({"start_lr": 1e-3, "stop_lr_ratio": 0.01})
    assert normalized["stop_lr"] is None
    assert normalized["stop_lr_ratio"] == 0.01


def test_given_values_are_kept_as_given():
    given = section(warmup_steps=7, decay_steps=300, smooth=True, start_lr=2)
    normalized = normalize_learning_rate(given)
    assert {k: normalized[k] for k in given} == given
    assert type(normalized["start_lr"]) is int


def test_comment_keys_are_dropped():
    normalized = normalize_learning_rate(section(_comment="a", __x=[1], _=None))
    assert not any(name.startswith("_") for name in normalized)


def test_normalize_learning_rate_returns_a_new_dict():
    given = section()
    assert normalize_learning_rate(given) is not given


def test_normalize_learning_rate_does_not_mutate_its_input():
    given = section(type="cosine", _comment="x")
    before = copy.deepcopy(given)
    normalize_learning_rate(given)
    assert given == before


def test_normalized_section_normalizes_to_itself():
    once = normalize_learning_rate(section(warmup_ratio=0.1, smooth=True))
    assert normalize_learning_rate(once) == once


def test_normalized_section_survives_a_json_round_trip():
    once = normalize_learning_rate(section(type="wsd", stop_lr_ratio=None))
    assert normalize_learning_rate(json.loads(json.dumps(once))) == once


# -- the pre-3.1.3 form ------------------------------------------------------


def _legacy_error(section_):
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section_)
    return caught.value


def _shown_section(message: str) -> dict:
    """The corrected section the fix of ``message`` shows."""
    match = re.search(r"Fix: write the section as (\{.*?\}): ", message)
    assert match, message
    shown = json.loads(match.group(1))
    # Spelled so that YAML 1.1 reads it alike, to be pasted in either format.
    assert yaml.safe_load(match.group(1)) == shown
    return shown


@pytest.mark.parametrize("case", [pytest.param(c, id=n) for n, c in LEGACY.items()])
def test_legacy_section_error_points_at_the_missing_key(case):
    assert _legacy_error(case.section).path == case.path


@pytest.mark.parametrize("case", [pytest.param(c, id=n) for n, c in LEGACY.items()])
def test_legacy_section_error_names_the_migrate_command(case):
    assert "deepmd-lr migrate" in str(_legacy_error(case.section))


@pytest.mark.parametrize("case", [pytest.param(c, id=n) for n, c in LEGACY.items()])
def test_legacy_section_error_shows_a_valid_corrected_section(case):
    shown = _shown_section(str(_legacy_error(case.section)))
    normalize_learning_rate(shown)


def test_legacy_error_for_start_lr_alone_speaks_of_it_in_the_singular():
    message = str(_legacy_error(section(start_lr=DROP)))
    assert "start_lr is missing; since DeePMD-kit 3.1.3 it has no default" in message


def test_legacy_fix_adds_the_start_of_older_releases_and_the_stop_of_3_1_3():
    message = str(_legacy_error({"type": "exp"}))
    assert _shown_section(message) == {"type": "exp", "start_lr": 1e-3, "stop_lr": 5e-8}
    assert "releases before it ran 1.0e-08" in message


def test_the_reason_of_a_missing_final_rate_says_what_3_1_3_fills_in():
    message = str(_legacy_error(section(stop_lr=DROP)))
    assert "fills in stop_lr = 5.0e-08 silently" in message
    assert "earlier releases used 1.0e-08" in message
    assert "no default" not in message


def test_legacy_fix_leaves_out_the_null_keys_a_normalized_section_holds():
    written = {"type": "exp", "start_lr": 2e-3, "stop_lr": None, "stop_lr_ratio": None}
    shown = _shown_section(str(_legacy_error(written)))
    assert shown == {"type": "exp", "start_lr": 2e-3, "stop_lr": 5e-8}


def test_legacy_fix_keeps_the_values_that_were_given():
    given = section(start_lr=2e-3, stop_lr=DROP, warmup_steps=10)
    shown = _shown_section(str(_legacy_error(given)))
    assert shown["start_lr"] == 2e-3
    assert shown["warmup_steps"] == 10


def test_legacy_fix_matches_the_migration():
    given = {"type": "cosine", "stop_lr_ratio": 0.1}
    shown = _shown_section(str(_legacy_error(given)))
    assert shown == migrate_section(given)[0]


def test_legacy_cosine_fix_adds_no_exp_key():
    shown = _shown_section(str(_legacy_error({"type": "cosine"})))
    assert "decay_steps" not in shown


# -- num_steps ---------------------------------------------------------------


def test_warmup_steps_shorter_than_training_is_valid():
    assert normalize_learning_rate(section(warmup_steps=99), num_steps=100)


def test_warmup_steps_as_long_as_training_is_rejected():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section(warmup_steps=100), num_steps=100)
    assert caught.value.path == "learning_rate/warmup_steps"
    assert "100" in str(caught.value)
    assert "Fix:" in str(caught.value)


def test_warmup_ratio_below_one_step_short_of_training_is_valid():
    assert normalize_learning_rate(section(warmup_ratio=0.99), num_steps=100)


def test_warmup_ratio_rounding_to_zero_steps_warns():
    with pytest.warns(LearningRateWarning, match="warmup_ratio"):
        normalized = normalize_learning_rate(section(warmup_ratio=0.001), num_steps=10)
    assert normalized["warmup_ratio"] == 0.001


def test_warmup_ratio_without_num_steps_does_not_warn():
    normalize_learning_rate(section(warmup_ratio=0.001))


def test_warmup_with_zero_training_steps_is_rejected():
    with pytest.raises(LearningRateConfigError, match="numb_steps is 0"):
        normalize_learning_rate(section(warmup_steps=1), num_steps=0)


def test_no_warmup_with_zero_training_steps_is_valid():
    assert normalize_learning_rate(section(), num_steps=0)["warmup_steps"] == 0


@pytest.mark.parametrize("num_steps", [-1, 1.5, True, "100", [100]])
def test_bad_num_steps_is_a_config_error(num_steps):
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section(), num_steps=num_steps)
    assert caught.value.path == "training/numb_steps"


# -- normalize(jdata) --------------------------------------------------------


def _jdata(**learning_rate):
    return {
        "model": {"type_map": ["O", "H"], "descriptor": {"sel": [46, 92]}},
        "learning_rate": section(**learning_rate),
        "loss": {"start_pref_e": 0.02},
        "training": {"numb_steps": 1000, "_comment": "kept"},
    }


def test_normalize_changes_only_the_learning_rate_section():
    given = _jdata()
    result = normalize(given)
    assert result["learning_rate"] == normalize_learning_rate(given["learning_rate"])
    for name in ("model", "loss", "training"):
        assert result[name] == given[name]


def test_normalize_returns_copies_of_the_other_sections():
    given = _jdata()
    result = normalize(given)
    assert result is not given
    for name in ("model", "loss", "training"):
        assert result[name] is not given[name]
    assert result["model"]["descriptor"] is not given["model"]["descriptor"]


def test_normalize_does_not_mutate_its_input():
    given = _jdata(_comment="x")
    before = copy.deepcopy(given)
    normalize(given)
    assert given == before


def test_normalize_checks_warmup_against_numb_steps():
    with pytest.raises(LearningRateConfigError) as caught:
        normalize(_jdata(warmup_steps=1000))
    message = str(caught.value)
    assert caught.value.path == "learning_rate/warmup_steps"
    assert "warmup_steps" in message
    assert "numb_steps" in message


def test_normalize_accepts_stop_batch_as_the_number_of_steps():
    given = _jdata(warmup_steps=50)
    given["training"] = {"stop_batch": 50}
    with pytest.raises(LearningRateConfigError, match="warmup_steps"):
        normalize(given)


def test_normalize_without_training_skips_the_warmup_check():
    given = _jdata(warmup_steps=10**6)
    del given["training"]
    assert normalize(given)["learning_rate"]["warmup_steps"] == 10**6


def test_normalize_reports_a_bad_numb_steps_at_its_path():
    given = _jdata()
    given["training"]["numb_steps"] = 1e5
    with pytest.raises(LearningRateConfigError) as caught:
        normalize(given)
    assert caught.value.path == "training/numb_steps"


def test_normalize_without_learning_rate_section_shows_the_fix():
    given = _jdata()
    del given["learning_rate"]
    with pytest.raises(LearningRateConfigError) as caught:
        normalize(given)
    assert caught.value.path == "learning_rate"
    assert "deepmd-lr migrate" in str(caught.value)


def test_normalize_rejects_a_non_object_input():
    with pytest.raises(LearningRateConfigError):
        normalize([1, 2])  # type: ignore[arg-type]


# -- make_learning_rate_schedule --------------------------------------------


def test_make_schedule_builds_the_selected_type():
    schedule = make_learning_rate_schedule(section(type="cosine"), num_steps=100)
    assert isinstance(schedule, LearningRateCosine)


def test_make_schedule_fills_defaults_first():
    schedule = make_learning_rate_schedule(section(decay_steps=10), num_steps=1000)
    assert isinstance(schedule, LearningRateExp)
    assert schedule.decay_steps == 10
    assert schedule.value(0) == 1e-3


@pytest.mark.parametrize(
    "bad",
    [
        section(type="cosine", decay_steps=10),
        section(start_lr=True),
        section(momentum=1),
        {"start_lr": 1e-3},
        "exp",
    ],
    ids=["foreign key", "boolean", "unknown key", "legacy", "not an object"],
)
def test_make_schedule_reports_a_bad_section_as_config_error(bad):
    with pytest.raises(LearningRateConfigError) as caught:
        make_learning_rate_schedule(bad, num_steps=100)
    assert caught.value.path.startswith("learning_rate")


def test_make_schedule_checks_the_warmup_against_num_steps():
    with pytest.raises(LearningRateConfigError, match="warmup_steps"):
        make_learning_rate_schedule(section(warmup_steps=10), num_steps=10)


def test_make_schedule_rejects_a_bad_num_steps():
    with pytest.raises(LearningRateConfigError) as caught:
        make_learning_rate_schedule(section(), num_steps=-5)
    assert caught.value.path == "training/numb_steps"


def test_make_schedule_warns_once_about_a_rounded_warmup_ratio():
    with pytest.warns(LearningRateWarning) as record:
        make_learning_rate_schedule(
            section(type="cosine", warmup_ratio=0.001), num_steps=10
        )
    assert len([w for w in record if "warmup_ratio" in str(w.message)]) == 1


def test_through_dargs_the_fix_shows_the_keys_written_not_the_defaults_it_filled():
    # dargs fills every default in before the section's extra check; a key
    # written at its default value is left out too, which means the same.
    from dargs.dargs import ArgumentValueError

    argument = learning_rate_args()
    written = {"type": "cosine", "start_lr": 1e-2, "warmup_steps": 10, "_note": "x"}
    filled = argument.normalize_value(written, trim_pattern="_*")
    assert {"scale_by_worker", "warmup_start_factor"} <= set(filled)
    with pytest.raises(ArgumentValueError) as caught:
        argument.check_value(filled, strict=True)
    shown = _shown_section(str(caught.value))
    assert shown == {
        "type": "cosine",
        "start_lr": 1e-2,
        "warmup_steps": 10,
        "stop_lr": 5e-8,
    }
    normalize_learning_rate(shown)


def test_the_fix_of_a_missing_rate_shows_no_value_reported_as_wrong():
    # start_lr -1 is its own problem (LR204); the section shown is valid.
    error = _legacy_error({"type": "exp", "start_lr": -1, "_note": "kept"})
    (missing,) = [p for p in error.problems if p.code == "LR107"]
    shown = _shown_section(missing.fix + ": ")
    assert shown == {"type": "exp", "_note": "kept", "start_lr": 1e-3, "stop_lr": 5e-8}
    normalize_learning_rate(shown)


def test_the_fix_of_an_older_release_shows_no_value_reported_as_wrong_either():
    from deepmd_lr.deepmd.reading import survey_run_input

    data = {"learning_rate": {"start_lr": 1e-3, "smooth": 3}}
    _, problems = survey_run_input(data, before_3_1_3=True)
    (missing,) = [p for p in problems if p.code == "LR107"]
    assert _shown_section(missing.fix + ": ") == {"start_lr": 1e-3, "stop_lr": 1e-8}
