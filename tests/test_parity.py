"""Same numbers as DeePMD-kit, for generated valid configurations.

Skipped unless DeePMD-kit is installed (the ``parity`` extra); a type that the
installed release lacks (``wsd`` before 3.2.0) is skipped on its own. Each
configuration is compared at steps 0 to 2T through the Python-number path,
the int64-array path and the float64-array path, to a relative 1e-12.
"""

from __future__ import annotations

import random
import warnings
from importlib.metadata import version

import numpy as np
import pytest

import deepmd_lr

reference = pytest.importorskip("deepmd.dpmodel.utils.learning_rate")

pytestmark = pytest.mark.parity

RTOL = 1e-12
SEED = 20_240_531
COUNT = 300
RELEASE = version("deepmd-kit")
CLASS_NAMES = {
    "exp": "LearningRateExp",
    "cosine": "LearningRateCosine",
    "wsd": "LearningRateWSD",
}
REFERENCE_CLASSES = {
    kind: getattr(reference, name)
    for kind, name in CLASS_NAMES.items()
    if hasattr(reference, name)
}


def _configuration(rng: random.Random) -> dict:
    kind = rng.choice(["exp", "exp", "cosine", "wsd"])
    num_steps = rng.choice(
        [0, 1, 2, 3, 10, 99, 100, 1000, 1009, 1010, 4321, 10**4, 10**5, 10**6]
    )
    start_lr = 10 ** rng.uniform(-7, 0)
    config = {"start_lr": start_lr, "num_steps": num_steps}
    decay_rate = None
    if kind == "exp" and rng.random() < 0.3:
        decay_rate = rng.choice([0.1, 0.5, 0.9, 0.99, 0.999999, 1.0])
    zero_allowed = kind == "cosine" or decay_rate is not None
    ratios = [1e-300, 1e-12, 1e-8, 1e-3, 0.1, 0.5, 1.0] + [0.0] * zero_allowed
    ratio = rng.choice(ratios)
    if rng.random() < 0.5:
        config["stop_lr_ratio"] = ratio
    else:
        config["stop_lr"] = start_lr * ratio
    if num_steps > 1 and rng.random() < 0.6:
        if rng.random() < 0.5:
            config["warmup_steps"] = rng.choice([1, rng.randrange(num_steps)])
        else:
            config["warmup_ratio"] = rng.choice([0.0, 0.01, 0.05, 0.3, 0.999])
        if rng.random() < 0.5:
            config["warmup_start_factor"] = rng.choice([0.0, 0.1, rng.random(), 1.0])
    if kind == "exp":
        config["decay_steps"] = rng.choice([1, 7, 100, 997, 5000, 10**6])
        if decay_rate is not None:
            config["decay_rate"] = decay_rate
        config["smooth"] = rng.random() < 0.3
    if kind == "wsd":
        config["decay_phase_ratio"] = rng.choice([0.001, 0.1, 0.5, 1.0])
        config["decay_type"] = rng.choice(["inverse_linear", "cosine", "linear"])
    return {"type": kind, **config}


def configurations() -> list[dict]:
    """COUNT valid configurations, the same on every run."""
    rng = random.Random(SEED)
    return [_configuration(rng) for _ in range(COUNT)]


def _warns(config: dict) -> bool:
    """Whether building ``config`` must warn (a decay_steps replaced by
    another value, or an empty warmup from a positive warmup_ratio)."""
    num_steps = config["num_steps"]
    ratio = config.get("warmup_ratio")
    warmup = (
        int(ratio * num_steps) if ratio is not None else config.get("warmup_steps", 0)
    )
    empty_warmup = ratio is not None and ratio > 0 and warmup == 0
    phase = num_steps - warmup
    replacement = 100 if phase // 10 > 100 else phase // 100 + 1
    replaced = (
        config["type"] == "exp"
        and config.get("decay_rate") is None
        and config["decay_steps"] >= phase
        and config["decay_steps"] != replacement
    )
    return empty_warmup or replaced


def build_both(config: dict) -> tuple:
    settings = {k: v for k, v in config.items() if k != "type"}
    theirs = REFERENCE_CLASSES[config["type"]](**settings)
    if _warns(config):
        with pytest.warns(deepmd_lr.LearningRateWarning):
            ours = deepmd_lr.BaseLR(**config)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error", deepmd_lr.LearningRateWarning)
            ours = deepmd_lr.BaseLR(**config)
    return ours, theirs


def steps_for(ours: deepmd_lr.BaseLR) -> np.ndarray:
    """A dense sample of 0..2T plus every boundary of the schedule."""
    total, warmup = ours.num_steps, ours.warmup_steps
    top = 2 * total
    marks = [0, 1, warmup - 1, warmup, warmup + 1, total - 1, total, total + 1, top]
    period = getattr(ours, "decay_steps", None)
    if period:
        for k in (1, 2, 3, total // (2 * period), total // period):
            marks += [warmup + k * period - 1, warmup + k * period]
    dense = np.linspace(0, top, 401).astype(np.int64)
    steps = np.unique(np.concatenate([dense, np.array(marks, dtype=np.int64)]))
    return steps[steps >= 0]


def relative_errors(config: dict) -> dict[str, float]:
    """Worst relative difference from DeePMD-kit, per input path."""
    ours, theirs = build_both(config)
    steps = steps_for(ours)
    floats = np.concatenate([steps.astype(np.float64), steps[1:] - 0.5])
    expected = np.asarray(theirs.value(steps), dtype=np.float64)
    expected_floats = np.asarray(theirs.value(floats), dtype=np.float64)
    scalar_steps = steps[:: max(1, steps.size // 120)]
    expected_scalars = np.array([theirs.value(int(t)) for t in scalar_steps])
    got = {
        "int array": (ours.value(steps), expected),
        "float array": (ours.value(floats), expected_floats),
        "python int": (
            np.array([ours.value(int(t)) for t in scalar_steps]),
            expected_scalars,
        ),
    }
    errors = {}
    for path, (value, want) in got.items():
        assert value.shape == want.shape
        errors[path] = _worst_relative_error(value, want)
    return errors


def _worst_relative_error(value: np.ndarray, want: np.ndarray) -> float:
    """max |value - want| / |want|; a mismatch against an exact 0 is infinite."""
    diff = np.abs(value - want)
    if not diff.any():
        return 0.0
    nonzero = want != 0
    if np.any(diff[~nonzero] > 0):
        return float("inf")
    return float(np.max(diff[nonzero] / np.abs(want[nonzero])))


CONFIGURATIONS = configurations()


def _compared(config: dict):
    """``config`` as a test case, skipped when the installed release lacks its type."""
    kind = config["type"]
    lacking = pytest.mark.skipif(
        kind not in REFERENCE_CLASSES,
        reason=f"DeePMD-kit {RELEASE} has no {kind} schedule",
    )
    return pytest.param(config, marks=lacking)


@pytest.mark.parametrize(
    "config",
    [_compared(c) for c in CONFIGURATIONS],
    ids=[f"{i}-{c['type']}" for i, c in enumerate(CONFIGURATIONS)],
)
def test_value_matches_deepmd_kit(config):
    errors = relative_errors(config)
    for path, error in errors.items():
        assert error <= RTOL, f"{path}: relative error {error:.3g} for {config}"


def test_every_release_has_exp_and_cosine():
    assert {"exp", "cosine"} <= set(REFERENCE_CLASSES), RELEASE


def test_generated_configurations_cover_every_case():
    kinds = {c["type"] for c in CONFIGURATIONS}
    assert kinds == set(CLASS_NAMES)
    assert any(c["num_steps"] == 0 for c in CONFIGURATIONS)
    assert any(c["num_steps"] == 10**6 for c in CONFIGURATIONS)
    assert any("warmup_ratio" in c for c in CONFIGURATIONS)
    assert any("warmup_steps" in c for c in CONFIGURATIONS)
    assert any("stop_lr_ratio" in c for c in CONFIGURATIONS)
    assert any(c.get("stop_lr_ratio", c.get("stop_lr")) == 0.0 for c in CONFIGURATIONS)
    assert any(c.get("smooth") for c in CONFIGURATIONS)
    assert any("decay_rate" in c for c in CONFIGURATIONS)
    assert any(_warns(c) for c in CONFIGURATIONS)
