"""Every problem of a section is reported at once, each with its code and path."""

from __future__ import annotations

import copy
import math
import pickle
import warnings
from typing import Any

import pytest
from dargs_checking import dargs_rejection
from hypothesis import given, settings
from hypothesis import strategies as st
from registry_scope import scoped_schedules
from section_strategies import any_section, valid_sections
from sections import DROP, section

from deepmd_lr import (
    BaseLR,
    Key,
    LearningRateConfigError,
    LearningRateExp,
    LearningRateWarning,
    find_problems,
    learning_rate_args,
    normalize_learning_rate,
)
from deepmd_lr.deepmd.reading import normalize
from deepmd_lr.schedules.building import find_warnings
from deepmd_lr.section.codes import CODES
from deepmd_lr.section.rules import check_section


def codes_and_paths(problems: list[LearningRateConfigError]) -> list[tuple[str, str]]:
    return [(problem.code, problem.path) for problem in problems]


class Constant(BaseLR):
    """Holds start_lr: the decay does not matter to these tests."""

    def _decay_xp(self, xp: Any, decay_step: Any) -> Any:
        return xp.full_like(decay_step, self.start_lr)


# -- several problems, one report --------------------------------------------


def test_several_problems_are_all_reported_with_their_codes_and_paths() -> None:
    problems = find_problems(
        {
            "start_lr": -1.0,
            "smooth": 1,
            "decay_step": 100,
            "decay_phase_ratio": 0.5,
            "warmup_steps": 10,
            "warmup_ratio": 0.1,
            "stop_lr": 1e-5,
        }
    )
    assert codes_and_paths(problems) == [
        ("LR204", "learning_rate/start_lr"),
        ("LR201", "learning_rate/smooth"),
        ("LR103", "learning_rate/decay_step"),
        ("LR104", "learning_rate/decay_phase_ratio"),
        ("LR303", "learning_rate/warmup_steps"),
    ]


def test_the_length_of_training_is_checked_beside_the_section() -> None:
    problems = find_problems(section(stop_lr=1.0, warmup_steps=50), num_steps=50)
    assert codes_and_paths(problems) == [
        ("LR302", "learning_rate/stop_lr"),
        ("LR403", "learning_rate/warmup_steps"),
    ]


def test_a_bad_number_of_steps_is_reported_with_the_section() -> None:
    problems = find_problems(section(smooth="yes"), num_steps=-1)
    assert codes_and_paths(problems) == [
        ("LR201", "learning_rate/smooth"),
        ("LR401", "training/numb_steps"),
    ]


def test_a_valid_section_has_no_problems() -> None:
    assert find_problems(section(warmup_steps=10), num_steps=100) == []


# -- no cascade ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "num_steps", "expected"),
    [
        # A final rate of the wrong type is still given: not "missing", and
        # not compared with start_lr.
        (section(stop_lr="1e-5"), None, ("LR201", "learning_rate/stop_lr")),
        # A bad start_lr is not compared with stop_lr.
        (
            section(start_lr=-1.0, stop_lr=0.5),
            None,
            ("LR204", "learning_rate/start_lr"),
        ),
        # A bad warmup is not compared with the length of training.
        (section(warmup_steps=-5), 3, ("LR204", "learning_rate/warmup_steps")),
        (section(warmup_ratio=1.5), 10, ("LR204", "learning_rate/warmup_ratio")),
        # Nor with the other way of giving a warmup.
        (
            section(warmup_steps=2.5, warmup_ratio=0.1),
            None,
            ("LR201", "learning_rate/warmup_steps"),
        ),
        # A bad decay_rate leaves open whether exp may decay to 0.
        (
            section(stop_lr=0.0, decay_rate=2.0),
            None,
            ("LR204", "learning_rate/decay_rate"),
        ),
        # A bad stop_lr_ratio is not "both given" with stop_lr.
        (
            section(stop_lr_ratio=math.nan),
            None,
            ("LR203", "learning_rate/stop_lr_ratio"),
        ),
    ],
)
def test_a_bad_value_is_one_problem(
    bad: dict[str, Any], num_steps: int | None, expected: tuple[str, str]
) -> None:
    assert codes_and_paths(find_problems(bad, num_steps)) == [expected]


def test_the_types_own_rule_waits_for_every_other_rule() -> None:
    seen: list[dict[str, Any]] = []
    with scoped_schedules():

        @BaseLR.register("band")
        class Band(Constant):
            variant_keys = (Key("low", float, "Lower edge.", default=0.1),)

            @classmethod
            def check_variant(cls, values: Any) -> None:
                seen.append(dict(values))

        find_problems({"type": "band", "start_lr": 1e-3, "stop_lr": 1.0})
        find_problems({"type": "band", "start_lr": 1e-3, "low": "x", "stop_lr": 0.0})
        assert seen == []
        find_problems({"type": "band", "start_lr": 1e-3, "stop_lr": 1e-5})
        assert len(seen) == 1


# -- where checking stops --------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            {"type": "cosin", "start_lr": -1.0, "bogus": 1},
            ("LR105", "learning_rate/type"),
        ),
        ({"type": 3, "smooth": 2, "stop_lr": -1.0}, ("LR201", "learning_rate/type")),
        ({"type": None, "start_lr": "x"}, ("LR201", "learning_rate/type")),
        ([{"start_lr": -1.0}], ("LR101", "learning_rate")),
    ],
)
def test_a_type_that_names_no_schedule_stops_the_check(
    bad: Any, expected: tuple[str, str]
) -> None:
    assert codes_and_paths(find_problems(bad, num_steps=-1)) == [expected]


# -- order and purity ------------------------------------------------------------


def test_problems_of_single_keys_follow_the_order_of_the_keys() -> None:
    keys = {
        "smooth": 1,
        "warmup_steps": -1,
        "bogus": 0,
        "scale_by_worker": "cubic",
        "start_lr": math.inf,
    }
    forward = find_problems(keys)
    backward = find_problems(dict(reversed(keys.items())))
    single = [path for code, path in codes_and_paths(forward) if code != "LR107"]
    assert single == [f"learning_rate/{name}" for name in keys]
    assert [problem.path for problem in backward][: len(keys)] == single[::-1]
    # The section-wide rules come after them, whatever the order of the keys.
    assert forward[-1].code == backward[-1].code == "LR107"


def test_the_same_section_gives_the_same_report() -> None:
    bad = section(start_lr=-1.0, smooth=2, warmup_steps=10, warmup_ratio=0.5)
    first = [str(problem) for problem in find_problems(bad, num_steps=5)]
    assert first == [str(problem) for problem in find_problems(bad, num_steps=5)]


def test_the_section_is_not_modified() -> None:
    bad = {
        "type": "exp",
        "start_lr": -1.0,
        "smooth": [1, {"a": 2}],
        "warmup_ratio": 0.5,
        "warmup_steps": 3,
        "_comment": {"nested": [1, 2]},
        "decay_phase_ratio": 0.2,
    }
    before = copy.deepcopy(bad)
    find_problems(bad, num_steps=1)
    with pytest.raises(LearningRateConfigError):
        normalize_learning_rate(bad, num_steps=1)
    assert bad == before
    assert list(bad) == list(before)


# -- the errors that are raised ------------------------------------------------------


def test_normalize_learning_rate_lists_every_problem() -> None:
    bad = section(start_lr=-1.0, smooth=2, bogus=1)
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(bad)
    error = caught.value
    lines = str(error).splitlines()
    assert lines[0] == "3 problems:"
    found = find_problems(bad)
    assert lines[1:] == [f"  - {problem}" for problem in found]
    assert [str(problem) for problem in error.problems] == [str(p) for p in found]
    assert (error.path, error.code, error.value) == (
        "learning_rate/start_lr",
        "LR204",
        -1.0,
    )
    assert error.reason == found[0].reason
    assert error.fix == found[0].fix


def test_a_message_over_several_lines_continues_indented() -> None:
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate({"smooth": 2})
    lines = str(caught.value).splitlines()
    assert lines[0] == "2 problems:"
    starts = [line for line in lines[1:] if not line.startswith("    ")]
    assert [line[:30] for line in starts] == [
        "  - learning_rate/smooth: got ",
        "  - learning_rate/start_lr: st",
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            section(stop_lr=1e-2),
            "learning_rate/stop_lr: stop_lr (0.01) is larger than start_lr (0.001), "
            "but the schedule can only decrease. Fix: set stop_lr to at most 0.001, "
            "or raise start_lr",
        ),
        (
            section(smooth=1),
            "learning_rate/smooth: got 1 (integer), but smooth must be true or "
            "false. Fix: set smooth to true or false",
        ),
        (
            section(type="cosine", decay_steps=100),
            'learning_rate/decay_steps: decay_steps belongs to type "exp", not to '
            'type "cosine". Fix: remove decay_steps, or set type to "exp"',
        ),
    ],
)
def test_a_single_problem_keeps_its_own_message(bad: Any, message: str) -> None:
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(bad)
    assert str(caught.value) == message
    assert caught.value.problems == [caught.value]
    assert [str(problem) for problem in find_problems(bad)] == [message]


def test_normalize_lists_the_section_and_numb_steps_together() -> None:
    data = {"learning_rate": section(stop_lr=1.0), "training": {"numb_steps": -3}}
    with pytest.raises(LearningRateConfigError) as caught:
        normalize(data)
    assert codes_and_paths(caught.value.problems) == [
        ("LR302", "learning_rate/stop_lr"),
        ("LR401", "training/numb_steps"),
    ]


def test_a_constructor_lists_every_problem() -> None:
    with pytest.raises(LearningRateConfigError) as caught:
        LearningRateExp(start_lr=-1.0, stop_lr=1e-5, num_steps=-1, smooth=2)
    assert codes_and_paths(caught.value.problems) == [
        ("LR204", "learning_rate/start_lr"),
        ("LR201", "learning_rate/smooth"),
        ("LR401", "training/numb_steps"),
    ]


def test_dargs_shows_every_problem() -> None:
    bad = section(start_lr=-1.0, smooth=2)
    argument = learning_rate_args()
    assert argument.extra_check is not None
    assert argument.extra_check(bad) is False
    assert argument.extra_check_errmsg.startswith("2 problems:")
    shown_by_dargs = str(dargs_rejection(bad))
    problems = find_problems(bad)
    assert len(problems) == 2
    for problem in problems:
        assert f"  - {problem}" in shown_by_dargs


def test_an_error_of_several_problems_survives_pickling() -> None:
    with pytest.raises(LearningRateConfigError) as caught:
        normalize_learning_rate(section(start_lr=-1.0, smooth=2))
    copied = pickle.loads(pickle.dumps(caught.value))
    assert str(copied) == str(caught.value)
    assert codes_and_paths(copied.problems) == codes_and_paths(caught.value.problems)
    assert (copied.path, copied.code, copied.value) == (
        caught.value.path,
        caught.value.code,
        caught.value.value,
    )


def test_from_problems_needs_a_problem() -> None:
    with pytest.raises(ValueError, match="at least one"):
        LearningRateConfigError.from_problems([])


# -- codes -------------------------------------------------------------------------

ONE_PROBLEM_EACH: dict[str, tuple[Any, int | None]] = {
    "LR101": ([1, 2], None),
    "LR102": ({1: 2, "start_lr": 1e-3, "stop_lr": 1e-5}, None),
    "LR103": (section(bogus=1), None),
    "LR104": (section(decay_phase_ratio=0.5), None),
    "LR105": (section(type="cosin"), None),
    "LR106": (section(start_lr=DROP), None),
    "LR107": (section(stop_lr=DROP), None),
    "LR201": (section(smooth=1), None),
    "LR202": (section(scale_by_worker="cubic"), None),
    "LR203": (section(start_lr=math.nan), None),
    "LR204": (section(decay_steps=0), None),
    "LR301": (section(stop_lr_ratio=0.1), None),
    "LR302": (section(stop_lr=1.0), None),
    "LR303": (section(warmup_steps=10, warmup_ratio=0.1), None),
    "LR304": (section(stop_lr=0.0), None),
    "LR305": (section(start_lr=1e-12, stop_lr=1e-13), None),
    "LR401": (section(), -1),
    "LR402": (section(warmup_steps=10), 0),
    "LR403": (section(warmup_steps=10), 10),
}
"""For each code, a section (and number of steps) that breaks that rule alone."""


def _required_key_problems() -> list[LearningRateConfigError]:
    """The problems of a section that lacks a key its (test-only) type requires."""
    with scoped_schedules():

        @BaseLR.register("needs")
        class Needs(Constant):
            variant_keys = (Key("alpha", float, "A factor.", minimum=0.0),)

        return find_problems({"type": "needs", "start_lr": 1e-3, "stop_lr": 1e-5})


@pytest.mark.parametrize("code", list(ONE_PROBLEM_EACH))
def test_each_rule_has_its_code(code: str) -> None:
    bad, num_steps = ONE_PROBLEM_EACH[code]
    assert [problem.code for problem in find_problems(bad, num_steps)] == [code]


def test_a_missing_required_key_of_a_type_has_its_code() -> None:
    assert codes_and_paths(_required_key_problems()) == [
        ("LR108", "learning_rate/alpha")
    ]


def test_every_section_code_in_the_table_is_produced() -> None:
    produced = {p.code for p in _required_key_problems()}
    for bad, num_steps in ONE_PROBLEM_EACH.values():
        produced |= {problem.code for problem in find_problems(bad, num_steps)}
    table = {code for code in CODES if code[:3] in ("LR1", "LR2", "LR3", "LR4")}
    assert table
    assert table <= produced
    assert produced <= set(CODES)


def test_a_types_own_rule_keeps_its_own_code() -> None:
    with scoped_schedules():

        @BaseLR.register("band")
        class Band(Constant):
            variant_keys = (Key("low", float, "Lower edge.", default=0.1),)

            @classmethod
            def check_variant(cls, values: Any) -> None:
                if values["low"] > values["start_lr"]:
                    raise LearningRateConfigError(
                        "learning_rate/low",
                        "low is above start_lr",
                        "Fix: lower it",
                        code="LR204",
                    )

        bad = {"type": "band", "start_lr": 1e-3, "stop_lr": 1e-5, "low": 0.5}
        assert [problem.code for problem in find_problems(bad)] == ["LR204"]


# -- warnings ----------------------------------------------------------------------


def test_the_warnings_of_rules_and_schedule_carry_path_and_code() -> None:
    bad = section(decay_steps=5000, warmup_ratio=0.001)
    found = find_warnings(bad, num_steps=900)
    assert [(w.code, w.path) for w in found] == [
        ("LW103", "learning_rate/warmup_ratio"),
        ("LW102", "learning_rate/decay_steps"),
    ]
    assert all(isinstance(w, LearningRateWarning) for w in found)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LearningRateWarning)
        LearningRateExp(**bad, num_steps=900)
    issued = [w.message for w in caught if isinstance(w.message, LearningRateWarning)]
    assert len(issued) == len(caught)
    assert [(w.code, w.path, str(w)) for w in issued] == [
        (w.code, w.path, str(w)) for w in found
    ]


def test_a_section_with_problems_gives_the_warnings_of_its_rules() -> None:
    bad = section(warmup_ratio=0.001, smooth=2)
    assert [w.code for w in find_warnings(bad, num_steps=900)] == ["LW103"]
    assert find_warnings(section(), num_steps=None) == []
    assert find_warnings(section(decay_steps=5000), num_steps=100_000) == []


# -- properties --------------------------------------------------------------------

num_steps_values = st.one_of(st.none(), st.integers(-2, 2000), st.just(2.5))


def _outcome(check: Any, bad: Any, num_steps: Any) -> LearningRateConfigError | None:
    try:
        check(bad, num_steps)
    except LearningRateConfigError as error:
        return error
    return None


@pytest.mark.filterwarnings("ignore::deepmd_lr.section.errors.LearningRateWarning")
@settings(max_examples=300, deadline=None)
@given(st.one_of(any_section, valid_sections()), num_steps_values)
def test_problems_are_found_exactly_when_normalizing_fails(
    bad: dict[str, Any], num_steps: Any
) -> None:
    problems = find_problems(bad, num_steps)
    assert all(problem.code in CODES for problem in problems)
    error = _outcome(normalize_learning_rate, bad, num_steps)
    if not problems:
        assert error is None
        return
    assert error is not None
    raised = _outcome(check_section, bad, num_steps)
    assert raised is not None
    assert [str(p) for p in raised.problems] == [str(p) for p in problems]
    assert (raised.path, raised.code, raised.reason, raised.fix) == (
        problems[0].path,
        problems[0].code,
        problems[0].reason,
        problems[0].fix,
    )
    if len(problems) == 1:
        assert str(raised) == str(problems[0])
    assert str(error) == str(raised)


@settings(max_examples=200, deadline=None)
@given(num_steps=st.integers(min_value=2, max_value=10**12))
def test_the_warmup_ratio_lw103_suggests_gives_a_warmup(num_steps: int) -> None:
    import re

    from deepmd_lr.schedules.building import find_warnings

    section = {"start_lr": 1e-3, "stop_lr": 1e-5, "warmup_ratio": 1e-13}
    [warning] = [w for w in find_warnings(section, num_steps) if w.code == "LW103"]
    match = re.search(r"raise it to at least (\S+)$", str(warning))
    assert match, str(warning)
    suggested = {**section, "warmup_ratio": float(match.group(1))}
    assert not [w for w in find_warnings(suggested, num_steps) if w.code == "LW103"]
