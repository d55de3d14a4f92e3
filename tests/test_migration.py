"""What ``deepmd_lr.migrate`` writes into an old input, and the note per change."""

from __future__ import annotations

import copy
import json
import math
import warnings
from typing import Any

import pytest

import deepmd_lr
from deepmd_lr import LearningRateWarning
from deepmd_lr.deepmd.migration import OLD_DEFAULT_RULE, MigrationNote, migrate_section
from deepmd_lr.deepmd.reading import normalize
from deepmd_lr.schedules.building import make_learning_rate_schedule


def v1_input(section: dict[str, Any], **training: Any) -> dict[str, Any]:
    """A v1-era input: its training section lists the systems directly."""
    return {
        "model": {},
        "learning_rate": section,
        "training": {"systems": ["data"], **training},
    }


def v2_input(section: dict[str, Any], **training: Any) -> dict[str, Any]:
    return {
        "model": {},
        "learning_rate": section,
        "training": {"training_data": {"systems": ["data"]}, **training},
    }


def changes(notes: list[MigrationNote]) -> list[tuple[str, str, Any, Any]]:
    return [(note.action, note.path, note.old, note.new) for note in notes]


# -- v1-era decay_rate ----------------------------------------------------------


def test_v1_decay_rate_becomes_the_stop_lr_it_reaches_at_the_end() -> None:
    old = v1_input(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 5000}, stop_batch=400000
    )
    new, notes = deepmd_lr.migrate(old)
    section = new["learning_rate"]
    assert list(section) == ["start_lr", "decay_steps", "stop_lr"]
    assert math.isclose(section["stop_lr"], 1e-3 * 0.95**80, rel_tol=1e-13)
    assert changes(notes) == [
        ("added", "learning_rate/stop_lr", None, section["stop_lr"]),
        ("removed", "learning_rate/decay_rate", 0.95, None),
    ]
    assert "DeePMD-kit's input converter" in notes[0].rule
    assert "0.95" in notes[0].rule
    assert "400000 steps of training/stop_batch" in notes[0].rule


def test_v1_decay_rate_uses_true_division_of_the_training_length() -> None:
    old = v1_input(
        {"start_lr": 1e-2, "decay_rate": 0.5, "decay_steps": 300}, stop_batch=1000
    )
    stop_lr = deepmd_lr.migrate(old)[0]["learning_rate"]["stop_lr"]
    assert math.isclose(stop_lr, 1e-2 * 0.5 ** (1000 / 300), rel_tol=1e-13)


def test_v1_decay_rate_replaces_a_given_stop_lr_as_the_converter_does() -> None:
    old = v1_input(
        {"start_lr": 1e-3, "stop_lr": 1e-6, "decay_rate": 0.9, "decay_steps": 50},
        stop_batch=1000,
    )
    new, notes = deepmd_lr.migrate(old)
    stop_lr = new["learning_rate"]["stop_lr"]
    assert math.isclose(stop_lr, 1e-3 * 0.9**20, rel_tol=1e-13)
    assert [note.action for note in notes] == ["changed", "removed"]
    assert notes[0].old == 1e-6
    assert str(notes[0]).startswith(
        f"changed learning_rate/stop_lr from 1e-06 to {stop_lr!r}: from decay_rate"
    )


def test_v1_decay_rate_fills_the_old_defaults_the_converter_needs() -> None:
    new, notes = deepmd_lr.migrate(v1_input({"decay_rate": 0.95}, stop_batch=20000))
    section = new["learning_rate"]
    assert (section["start_lr"], section["decay_steps"]) == (1e-3, 5000)
    assert math.isclose(section["stop_lr"], 1e-3 * 0.95**4, rel_tol=1e-13)
    assert [(note.path, note.rule) for note in notes[:2]] == [
        ("learning_rate/start_lr", OLD_DEFAULT_RULE),
        ("learning_rate/decay_steps", OLD_DEFAULT_RULE),
    ]


def test_v1_decay_rate_with_numb_steps_uses_that_length() -> None:
    old = v1_input(
        {"start_lr": 1e-3, "decay_rate": 0.9, "decay_steps": 100}, numb_steps=1000
    )
    new, notes = deepmd_lr.migrate(old)
    assert math.isclose(new["learning_rate"]["stop_lr"], 1e-3 * 0.9**10, rel_tol=1e-13)
    assert "1000 steps of training/numb_steps" in notes[0].rule


def test_v1_training_section_is_kept_as_it_is() -> None:
    old = v1_input({"start_lr": 1e-3, "decay_rate": 0.9}, stop_batch=1000)
    new, _ = deepmd_lr.migrate(old)
    assert new["training"] is old["training"]
    assert list(new) == list(old)


def test_v1_decay_rate_without_a_training_length_is_left_to_the_checker() -> None:
    old = v1_input({"start_lr": 1e-3, "decay_rate": 0.9})
    new, notes = deepmd_lr.migrate(old)
    assert new["learning_rate"]["decay_rate"] == 0.9
    assert [note.path for note in notes] == [
        "learning_rate/stop_lr",
        "learning_rate/decay_steps",
    ]


@pytest.mark.parametrize("decay_rate", ["0.9", -0.5, True, float("nan")])
def test_v1_decay_rate_that_is_no_rate_is_left_to_the_checker(
    decay_rate: Any,
) -> None:
    old = v1_input({"start_lr": 1e-3, "decay_rate": decay_rate}, stop_batch=1000)
    new, _ = deepmd_lr.migrate(old)
    assert new["learning_rate"]["decay_rate"] is decay_rate


def test_decay_rate_of_a_v2_input_is_kept() -> None:
    old = v2_input(
        {"start_lr": 1e-3, "stop_lr": 1e-7, "decay_rate": 0.9, "decay_steps": 100},
        numb_steps=1000,
    )
    assert deepmd_lr.migrate(old) == (old, [])


def test_migrated_v1_input_is_migrated_no_further() -> None:
    old = v1_input(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 50}, stop_batch=1000
    )
    once, _ = deepmd_lr.migrate(old)
    assert deepmd_lr.migrate(once) == (once, [])


def test_migrated_v1_input_decays_to_the_converted_stop_lr() -> None:
    old = v1_input(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 50}, stop_batch=1000
    )
    new, _ = deepmd_lr.migrate(old)
    normalize(new)
    schedule = make_learning_rate_schedule(new["learning_rate"], 1000)
    assert math.isclose(schedule.value(1000), 1e-3 * 0.95**20, rel_tol=1e-12)
    assert schedule.value(10_000) == schedule.value(1000)


# -- the defaults of releases before 3.1.3 -------------------------------------


def test_missing_values_get_the_old_defaults_in_order() -> None:
    new, notes = deepmd_lr.migrate(v2_input({"type": "exp"}, numb_steps=400000))
    assert new["learning_rate"] == {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 1e-8,
        "decay_steps": 5000,
    }
    assert changes(notes) == [
        ("added", "learning_rate/start_lr", None, 1e-3),
        ("added", "learning_rate/stop_lr", None, 1e-8),
        ("added", "learning_rate/decay_steps", None, 5000),
    ]
    assert {note.rule for note in notes} == {OLD_DEFAULT_RULE}
    assert str(notes[1]) == (
        "added learning_rate/stop_lr = 1e-08: the default of releases before 3.1.3"
    )


def test_a_missing_section_is_migrated_as_an_empty_one() -> None:
    new, notes = deepmd_lr.migrate({"training": {"numb_steps": 10}})
    assert new["learning_rate"]["start_lr"] == 1e-3
    assert len(notes) == 3


def test_a_null_value_counts_as_missing() -> None:
    new, notes = migrate_section({"start_lr": 1e-2, "stop_lr": None})
    assert new == {"start_lr": 1e-2, "stop_lr": 1e-8, "decay_steps": 5000}
    assert changes(notes)[0] == ("added", "stop_lr", None, 1e-8)


def test_stop_lr_ratio_is_kept_and_stop_lr_not_added() -> None:
    new, notes = migrate_section({"type": "cosine", "stop_lr_ratio": 0.01})
    assert new == {"type": "cosine", "stop_lr_ratio": 0.01, "start_lr": 1e-3}
    assert [note.path for note in notes] == ["start_lr"]


def test_decay_rate_without_stop_lr_outside_v1_gets_the_old_stop_lr() -> None:
    section = {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 100}
    new, notes = deepmd_lr.migrate(v2_input(section, numb_steps=3000))
    assert new["learning_rate"] == {**section, "stop_lr": 1e-8}
    assert [note.path for note in notes] == ["learning_rate/stop_lr"]


def test_old_releases_replaced_a_long_decay_steps_also_with_decay_rate() -> None:
    section = {"start_lr": 1e-3, "decay_rate": 0.5, "decay_steps": 20000}
    new, notes = deepmd_lr.migrate(v2_input(section, numb_steps=15000))
    assert new["learning_rate"]["decay_steps"] == 100
    assert changes(notes)[-1] == ("changed", "learning_rate/decay_steps", 20000, 100)
    assert "replaced decay_steps 20000" in notes[-1].rule
    assert "15000 decay steps" in notes[-1].rule


def test_an_added_decay_steps_that_is_replaced_has_one_note() -> None:
    new, notes = deepmd_lr.migrate(
        v2_input({"start_lr": 1e-3, "decay_rate": 0.9}, numb_steps=1000)
    )
    assert new["learning_rate"]["decay_steps"] == 11
    assert changes(notes) == [
        ("added", "learning_rate/stop_lr", None, 1e-8),
        ("added", "learning_rate/decay_steps", None, 11),
    ]


def test_long_decay_steps_are_measured_against_the_old_training_warmup() -> None:
    section = {"start_lr": 1e-3, "decay_rate": 0.9, "decay_steps": 900}
    new, _ = deepmd_lr.migrate(v2_input(section, numb_steps=1000, warmup_steps=200))
    assert new["learning_rate"]["decay_steps"] == 9


def test_long_decay_steps_without_decay_rate_are_left_alone() -> None:
    # Every release replaces them alike, computing the decay rate after.
    section = {"start_lr": 1e-3, "decay_steps": 5000}
    new, notes = deepmd_lr.migrate(v2_input(section, numb_steps=1000))
    assert new["learning_rate"]["decay_steps"] == 5000
    assert [note.path for note in notes] == ["learning_rate/stop_lr"]


def test_a_bare_section_with_decay_rate_keeps_its_decay_steps() -> None:
    # Without the training length, whether it was replaced is unknown.
    new, notes = migrate_section({"decay_rate": 0.9, "decay_steps": 10**6})
    assert new["decay_steps"] == 10**6
    assert [note.path for note in notes] == ["start_lr", "stop_lr"]


def test_up_to_date_input_has_no_notes() -> None:
    section = {"start_lr": 1e-3, "stop_lr": 1e-7, "decay_rate": 0.9}
    old = v2_input(section, numb_steps=1000)
    assert deepmd_lr.migrate(old) == (old, [])


def test_the_input_is_not_modified() -> None:
    old = v1_input({"decay_rate": 0.95}, stop_batch=1000)
    before = repr(old)
    deepmd_lr.migrate(old)
    assert repr(old) == before


# -- notes ---------------------------------------------------------------------


def test_note_actions_and_text() -> None:
    added = MigrationNote("learning_rate/stop_lr", "why", None, 1e-8)
    changed = MigrationNote("learning_rate/decay_steps", "why", 5000, 11)
    removed = MigrationNote("learning_rate/decay_rate", "why", 0.95, None)
    assert [note.action for note in (added, changed, removed)] == [
        "added",
        "changed",
        "removed",
    ]
    assert str(added) == "added learning_rate/stop_lr = 1e-08: why"
    assert str(changed) == "changed learning_rate/decay_steps from 5000 to 11: why"
    assert str(removed) == "removed learning_rate/decay_rate (was 0.95): why"


# -- no note when nothing changes -------------------------------------------------


@pytest.mark.parametrize("num_steps", [0, 1])
def test_decay_steps_kept_as_given_is_no_warning(num_steps: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", LearningRateWarning)
        schedule = make_learning_rate_schedule(
            {"start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 1}, num_steps
        )
    assert schedule.decay_steps == 1


def test_the_package_exports_migrate() -> None:
    from deepmd_lr.deepmd.migration import migrate

    assert deepmd_lr.migrate is migrate
    assert "migrate" in deepmd_lr.__all__


HUGE = 10**400


@pytest.mark.parametrize(
    ("section_values", "training_values", "code"),
    [
        pytest.param({}, {"stop_batch": HUGE}, "LR401", id="huge stop_batch"),
        pytest.param(
            {"decay_rate": HUGE}, {"stop_batch": 1000}, "LR203", id="huge decay_rate"
        ),
        pytest.param(
            {"start_lr": HUGE}, {"stop_batch": 1000}, "LR203", id="huge start_lr"
        ),
        pytest.param(
            {"warmup_ratio": 0.1}, {"numb_steps": HUGE}, "LR401", id="huge numb_steps"
        ),
    ],
)
def test_a_v1_input_with_a_huge_integer_is_reported_not_computed_with(
    section_values: dict, training_values: dict, code: str
) -> None:
    from deepmd_lr.lint.check import check_text

    data = {
        "learning_rate": {
            "type": "exp",
            "start_lr": 1e-3,
            "decay_steps": 100,
            "decay_rate": 0.95,
            **section_values,
        },
        "training": {"systems": ["a"], **training_values},
    }
    before = copy.deepcopy(data)
    migrated, _ = deepmd_lr.migrate(data)
    assert data == before
    assert (
        migrated["learning_rate"].get("decay_rate")
        == data["learning_rate"]["decay_rate"]
    )
    problems = check_text(json.dumps(data), "in.json", "json")
    assert code in {problem.code for problem in problems}


V0_INPUT = {
    "use_smooth": True,
    "sel_a": [46, 92],
    "systems": ["a"],
    "stop_batch": 1000000,
    "start_lr": 0.005,
    "decay_steps": 5000,
    "decay_rate": 0.95,
}


def test_a_0_x_input_is_refused_not_read_as_a_section() -> None:
    from deepmd_lr.lint.check import check_text

    with pytest.raises(deepmd_lr.LearningRateConfigError) as caught:
        deepmd_lr.migrate(V0_INPUT)
    assert caught.value.code == "LR006"
    assert "0.x" in str(caught.value)
    [problem] = check_text(json.dumps(V0_INPUT), "in.json", "json")
    assert (problem.code, problem.line, problem.column) == ("LR006", 1, 1)
    assert problem.fix.startswith("Fix: write the input in the current form")
    # A bare section is no 0.x input.
    assert deepmd_lr.migrate({"start_lr": 1e-3})[0]["stop_lr"] == 1e-8


def test_a_migration_note_is_a_frozen_value() -> None:
    note = MigrationNote("learning_rate/stop_lr", "a rule", None, 1e-8)
    assert note == MigrationNote("learning_rate/stop_lr", "a rule", None, 1e-8)
    assert note != MigrationNote("learning_rate/stop_lr", "a rule", None, 1e-5)
    assert hash(note) == hash(copy.copy(note))
    with pytest.raises(AttributeError):
        note.new = 1e-5  # type: ignore[misc]
