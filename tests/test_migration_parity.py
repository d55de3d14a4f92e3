"""A migrated input gives, at every step from 0 to 10T, the rates DeePMD-kit
gave the original one.

DeePMD-kit's side is what ``dp train`` does with an input file: its input
converter (``update_deepmd_input``), then ``normalize``, then the schedule
built from the normalized ``learning_rate`` section and
``training.numb_steps``. Which release an old input must agree with depends
on the input:

- one that 3.1.3 runs as written agrees with 3.1.3 and later;
- one that relied on the defaults releases before 3.1.3 filled in (no
  ``start_lr`` or no final rate) agrees with 3.1.2, whose PyTorch trainer
  builds ``LearningRateExp(stop_steps=numb_steps)``; 3.1.3 rejects such an
  input or fills another final rate.

The comparison with 3.1.2 runs only where 3.1.2 is the installed release.
Whatever the release, DeePMD-kit must run every migrated input with the
rates deepmd-lr computes for it.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

import numpy as np
import pytest
from packaging.version import Version

import deepmd_lr
from deepmd_lr.deepmd.reading import normalize
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.section.length import training_num_steps

compat = pytest.importorskip("deepmd.utils.compat")
argcheck = pytest.importorskip("deepmd.utils.argcheck")
reference = pytest.importorskip("deepmd.dpmodel.utils.learning_rate")
ArgumentError = pytest.importorskip("dargs.dargs").ArgumentError

pytestmark = pytest.mark.parity

RTOL = 1e-12
RELEASE = Version(version("deepmd-kit"))
UNIFIED_SCHEDULES = Version("3.1.3")
"""The first release whose trainer builds ``BaseLR`` and whose checker fills
``stop_lr = 5e-8``."""

MODEL = {
    "type_map": ["O", "H"],
    "descriptor": {"type": "se_e2_a", "sel": [4, 8], "rcut": 6.0, "rcut_smth": 0.5},
    "fitting_net": {"neuron": [8]},
}


def v1_training(num_steps: int, **extra: Any) -> dict[str, Any]:
    """A v1-era ``training`` section: systems listed directly, ``stop_batch``."""
    return {"systems": ["data"], "stop_batch": num_steps, "batch_size": 1, **extra}


def v2_training(num_steps: int, name: str = "numb_steps") -> dict[str, Any]:
    return {"training_data": {"systems": ["data"]}, name: num_steps}


@dataclass
class OldInput:
    section: dict[str, Any]
    training: dict[str, Any]
    runs_on_3_1_3: bool
    """Whether 3.1.3 runs it as written, meaning what the migration keeps."""
    old_defaults: bool = False
    """Whether it relied on the defaults of releases before 3.1.3."""
    expected_changes: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        """Whether DeePMD-kit's converter replaces its ``decay_rate``."""
        return "systems" in self.training and "decay_rate" in self.section

    def whole(self) -> dict[str, Any]:
        return {
            "model": copy.deepcopy(MODEL),
            "learning_rate": copy.deepcopy(self.section),
            "loss": {},
            "training": copy.deepcopy(self.training),
        }


CASES = {
    "v1 decay_rate": OldInput(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 100},
        v1_training(2000),
        runs_on_3_1_3=True,
        expected_changes=["added stop_lr", "removed decay_rate"],
    ),
    "v1 decay_rate with type exp": OldInput(
        {"type": "exp", "start_lr": 5e-3, "decay_rate": 0.98, "decay_steps": 7},
        v1_training(1009),
        runs_on_3_1_3=True,
        expected_changes=["added stop_lr", "removed decay_rate"],
    ),
    "v1 decay_rate overrides stop_lr": OldInput(
        {"start_lr": 1e-3, "stop_lr": 1e-6, "decay_rate": 0.9, "decay_steps": 50},
        v1_training(1000),
        runs_on_3_1_3=True,
        expected_changes=["changed stop_lr", "removed decay_rate"],
    ),
    "v1 decay_rate with decay_steps longer than training": OldInput(
        {"start_lr": 1e-2, "decay_rate": 0.5, "decay_steps": 5000},
        v1_training(1000),
        runs_on_3_1_3=True,
        expected_changes=["added stop_lr", "removed decay_rate"],
    ),
    "v1 without decay_rate": OldInput(
        {"start_lr": 1e-3, "stop_lr": 3e-8, "decay_steps": 200},
        v1_training(4000),
        runs_on_3_1_3=True,
    ),
    "v1 decay_rate without start_lr and decay_steps": OldInput(
        {"decay_rate": 0.95},
        v1_training(20000),
        runs_on_3_1_3=False,
        expected_changes=[
            "added start_lr",
            "added decay_steps",
            "added stop_lr",
            "removed decay_rate",
        ],
    ),
    "v1 decay_rate with numb_steps": OldInput(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 100},
        {"systems": ["data"], "numb_steps": 3000, "batch_size": 1},
        runs_on_3_1_3=False,
        expected_changes=["added stop_lr", "removed decay_rate"],
    ),
    "empty section": OldInput(
        {},
        v2_training(20000),
        runs_on_3_1_3=False,
        old_defaults=True,
        expected_changes=["added start_lr", "added stop_lr", "added decay_steps"],
    ),
    "empty section, stop_batch": OldInput(
        {"type": "exp"},
        v2_training(12000, "stop_batch"),
        runs_on_3_1_3=False,
        old_defaults=True,
        expected_changes=["added start_lr", "added stop_lr", "added decay_steps"],
    ),
    "no stop_lr": OldInput(
        {"start_lr": 1e-2, "decay_steps": 100},
        v2_training(5000),
        runs_on_3_1_3=True,
        old_defaults=True,
        expected_changes=["added stop_lr"],
    ),
    "no start_lr": OldInput(
        {"stop_lr": 1e-6, "decay_steps": 100},
        v2_training(5000),
        runs_on_3_1_3=False,
        old_defaults=True,
        expected_changes=["added start_lr"],
    ),
    "no stop_lr, decay_steps not shorter than training": OldInput(
        {"start_lr": 1e-3, "decay_steps": 5000},
        v2_training(1000),
        runs_on_3_1_3=True,
        old_defaults=True,
        expected_changes=["added stop_lr"],
    ),
    "v2 decay_rate without stop_lr": OldInput(
        {"start_lr": 1e-3, "decay_rate": 0.95, "decay_steps": 100},
        v2_training(3000),
        runs_on_3_1_3=True,
        old_defaults=True,
        expected_changes=["added stop_lr"],
    ),
    "v2 decay_rate, default decay_steps longer than training": OldInput(
        {"start_lr": 1e-3, "decay_rate": 0.9},
        v2_training(1000),
        runs_on_3_1_3=True,
        old_defaults=True,
        expected_changes=["added stop_lr", "added decay_steps"],
    ),
    "v2 decay_rate, decay_steps longer than training": OldInput(
        {"stop_lr": 1e-7, "decay_rate": 0.5, "decay_steps": 20000},
        v2_training(15000),
        runs_on_3_1_3=False,
        old_defaults=True,
        expected_changes=["added start_lr", "changed decay_steps"],
    ),
    "up to date, decay_rate and stop_lr": OldInput(
        {"start_lr": 1e-3, "stop_lr": 1e-7, "decay_rate": 0.9, "decay_steps": 5000},
        v2_training(1000),
        runs_on_3_1_3=True,
    ),
}


def deepmd_run(data: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The ``learning_rate`` section and length ``dp train`` runs ``data`` with."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converted = compat.update_deepmd_input(copy.deepcopy(data), warning=False)
        normalized = argcheck.normalize(converted)
    return dict(normalized["learning_rate"]), normalized["training"]["numb_steps"]


def deepmd_rates(data: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    """The rate at each step of a training run of ``data`` by this release."""
    section, num_steps = deepmd_run(data)
    if RELEASE >= UNIFIED_SCHEDULES:
        schedule = reference.BaseLR(**section, num_steps=num_steps)
        return np.asarray(schedule.value(steps), dtype=np.float64)
    # Before 3.1.3, the PyTorch trainer built the exp schedule itself over
    # the steps after its warmup (these inputs have none).
    schedule = reference.LearningRateExp(**section, stop_steps=num_steps)
    return np.array([schedule.value(int(step)) for step in steps], dtype=np.float64)


def deepmd_lr_rates(data: dict[str, Any], steps: np.ndarray) -> np.ndarray:
    num_steps = training_num_steps(data)
    assert num_steps is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", deepmd_lr.LearningRateWarning)
        schedule = make_learning_rate_schedule(data["learning_rate"], num_steps)
    return np.asarray(schedule.value(steps), dtype=np.float64)


def every_step(data: dict[str, Any]) -> np.ndarray:
    num_steps = training_num_steps(data)
    assert num_steps is not None
    return np.arange(10 * num_steps + 1, dtype=np.int64)


def worst_relative_error(value: np.ndarray, want: np.ndarray) -> float:
    assert value.shape == want.shape
    assert np.all(want > 0)
    return float(np.max(np.abs(value - want) / want))


def migrated(case: OldInput) -> dict[str, Any]:
    result, _ = deepmd_lr.migrate(case.whole())
    normalize(result)  # the migrated input is valid
    return result


def _cases(select: Any) -> list[Any]:
    return [pytest.param(case, id=name) for name, case in CASES.items() if select(case)]


@pytest.mark.skipif(
    RELEASE < UNIFIED_SCHEDULES,
    reason=f"DeePMD-kit {RELEASE} is older than 3.1.3",
)
@pytest.mark.parametrize(
    "case", _cases(lambda case: case.runs_on_3_1_3 and not case.old_defaults)
)
def test_migrated_input_has_the_rates_of_the_original_on_this_release(
    case: OldInput,
) -> None:
    steps = every_step(case.whole())
    want = deepmd_rates(case.whole(), steps)
    got = deepmd_lr_rates(migrated(case), steps)
    assert worst_relative_error(got, want) <= RTOL


@pytest.mark.skipif(
    not Version("3.1.2") <= RELEASE < UNIFIED_SCHEDULES,
    reason=(
        f"needs DeePMD-kit 3.1.2 (the last release with the old defaults), "
        f"found {RELEASE}; e.g. pip install deepmd-kit==3.1.2 in a separate venv"
    ),
)
@pytest.mark.parametrize(
    "case",
    _cases(lambda case: case.old_defaults or (case.converted and case.runs_on_3_1_3)),
)
def test_migrated_input_has_the_rates_of_the_original_on_3_1_2(
    case: OldInput,
) -> None:
    steps = every_step(case.whole())
    want = deepmd_rates(case.whole(), steps)
    got = deepmd_lr_rates(migrated(case), steps)
    assert worst_relative_error(got, want) <= RTOL


@pytest.mark.skipif(
    RELEASE < UNIFIED_SCHEDULES,
    reason=f"a migrated input is written for 3.1.3 on, not {RELEASE}",
)
@pytest.mark.parametrize("case", _cases(lambda case: True))
def test_deepmd_kit_runs_the_migrated_input_with_deepmd_lr_rates(
    case: OldInput,
) -> None:
    new = migrated(case)
    steps = every_step(new)
    assert (
        worst_relative_error(deepmd_lr_rates(new, steps), deepmd_rates(new, steps))
        <= RTOL
    )


@pytest.mark.skipif(
    RELEASE < UNIFIED_SCHEDULES,
    reason=f"DeePMD-kit {RELEASE} is older than 3.1.3",
)
@pytest.mark.parametrize("case", _cases(lambda case: not case.runs_on_3_1_3))
def test_inputs_marked_as_not_running_on_3_1_3_do_not(case: OldInput) -> None:
    # The converter's KeyError, or dargs' error for the missing start_lr.
    with pytest.raises((KeyError, ArgumentError)):
        deepmd_run(case.whole())


@pytest.mark.parametrize("case", _cases(lambda case: True))
def test_migration_makes_the_expected_changes(case: OldInput) -> None:
    _, notes = deepmd_lr.migrate(case.whole())
    assert [
        f"{note.action} {note.path.removeprefix('learning_rate/')}" for note in notes
    ] == case.expected_changes


@pytest.mark.skipif(
    RELEASE < UNIFIED_SCHEDULES,
    reason=f"DeePMD-kit {RELEASE} is older than 3.1.3",
)
@pytest.mark.parametrize(
    "case", _cases(lambda case: case.runs_on_3_1_3 and case.old_defaults)
)
def test_inputs_that_relied_on_old_defaults_run_otherwise_on_3_1_3(
    case: OldInput,
) -> None:
    """Why these inputs are compared with 3.1.2: 3.1.3 fills stop_lr = 5e-8."""
    steps = every_step(case.whole())
    want = deepmd_rates(case.whole(), steps)
    got = deepmd_lr_rates(migrated(case), steps)
    assert worst_relative_error(got, want) > 1e-3
