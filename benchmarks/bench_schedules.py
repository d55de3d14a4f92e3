"""Speed and memory of the schedules, against DeePMD-kit 3.1.3.

Run ``python benchmarks/bench_schedules.py`` in an environment where
``deepmd-kit==3.1.3`` is installed too (add ``--quick`` for a smaller run).
Each measure stands for a workload of a user:

* one ``value(step)`` call with a Python int, the call a training loop makes
  at every step (microseconds),
* one ``value(steps)`` call on an int64 array of 1e3 steps, a plot of a run
  (microseconds),
* one ``value(steps)`` call on an int64 array holding every step of a run of
  1e7 steps, an audit of a long log (milliseconds),
* the peak memory of that last call, by ``tracemalloc``, in bytes per step
  (the float64 result alone is 8).

Times are medians over repeats, deepmd-lr and DeePMD-kit timed in turn
within each repeat, so that load from elsewhere on the machine slows both
alike. The table gives each measure for both and the ratio, and whether
each target is met:

* Python-number calls at least 20x faster than DeePMD-kit,
* arrays of 1e3 and 1e7 steps no slower than DeePMD-kit,
* peak memory at most 1.25x DeePMD-kit's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import deepmd_lr

try:
    from deepmd.dpmodel.utils import learning_rate as deepmd_kit
except ImportError:
    deepmd_kit = None

SCALAR_TARGET = 20.0
"""DeePMD-kit's time over ours for a Python-number step: at least this."""
ARRAY_TARGET = 1.0
"""DeePMD-kit's time over ours for an array of steps: at least this."""
MEMORY_TARGET = 1.25
"""Our peak memory over DeePMD-kit's: at most this."""

SMALL_ARRAY = 1_000


@dataclass
class Settings:
    num_steps: int
    scalar_calls: int
    small_array_calls: int
    repeats: int


@dataclass
class Measure:
    """One measure of one schedule, for deepmd-lr and DeePMD-kit."""

    schedule: str
    label: str
    ours: float
    theirs: float | None
    faster_is_larger: bool
    target: float

    def ratio(self) -> float | None:
        """How many times better we are: above 1 is better."""
        if self.theirs is None:
            return None
        if self.faster_is_larger:
            return self.theirs / self.ours
        return self.ours / self.theirs

    def met(self) -> bool:
        ratio = self.ratio()
        if ratio is None:
            return True
        return ratio >= self.target if self.faster_is_larger else ratio <= self.target


# -- measuring ----------------------------------------------------------------


def interleaved_medians(
    runs: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, float]:
    """Median seconds of each run, timed in turn within every repeat.

    Taking turns, in the opposite order every other repeat, means a burst of
    load from elsewhere on the machine slows every contender alike, and
    neither always runs right after the other has freed its memory.
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {who: [] for who in runs}
    for repeat in range(repeats):
        order = list(runs) if repeat % 2 == 0 else list(reversed(runs))
        for who in order:
            start = time.perf_counter()
            runs[who]()
            times[who].append(time.perf_counter() - start)
    return {who: statistics.median(spent) for who, spent in times.items()}


def calls(value: Callable[[Any], Any], steps: list[Any]) -> Callable[[], None]:
    """One run: ``value`` called once for each of ``steps``."""

    def run() -> None:
        for step in steps:
            value(step)

    return run


def peak_bytes_per_step(value: Callable[[Any], Any], steps: np.ndarray) -> float:
    tracemalloc.start()
    try:
        result = value(steps)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del result
    return peak / steps.size


# -- the schedules ------------------------------------------------------------------


def schedule_cases(num_steps: int) -> dict[str, dict[str, Any]]:
    common = {"start_lr": 1e-3, "stop_lr": 1e-8, "num_steps": num_steps}
    warmup = {"warmup_ratio": 0.05}
    return {
        "exp": {"type": "exp", "decay_steps": 5000, **common},
        "exp+warmup": {"type": "exp", "decay_steps": 5000, **common, **warmup},
        "cosine+warmup": {"type": "cosine", **common, **warmup},
    }


def deepmd_kit_schedule(config: dict[str, Any]) -> Any:
    if deepmd_kit is None:
        return None
    classes = {
        "exp": deepmd_kit.LearningRateExp,
        "cosine": deepmd_kit.LearningRateCosine,
    }
    settings = {k: v for k, v in config.items() if k != "type"}
    return classes[config["type"]](**settings)


def measure_schedule(name: str, config: dict[str, Any], settings: Settings) -> list:
    ours = deepmd_lr.BaseLR(**config)
    theirs = deepmd_kit_schedule(config)
    contenders = {"ours": ours.value}
    if theirs is not None:
        contenders["theirs"] = theirs.value
    rng = np.random.default_rng(0)
    scalar_steps = [
        int(s) for s in rng.integers(0, settings.num_steps, settings.scalar_calls)
    ]
    small = np.linspace(0, settings.num_steps, SMALL_ARRAY).astype(np.int64)
    small_runs = [small] * settings.small_array_calls
    every_step = np.arange(settings.num_steps, dtype=np.int64)

    def timed(steps: list[Any], unit: float) -> dict[str, float]:
        runs = {who: calls(value, steps) for who, value in contenders.items()}
        medians = interleaved_medians(runs, settings.repeats)
        return {who: spent / len(steps) * unit for who, spent in medians.items()}

    scalar = timed(scalar_steps, 1e6)
    plot = timed(small_runs, 1e6)
    audit = timed([every_step], 1e3)
    memory = {
        who: peak_bytes_per_step(value, every_step) for who, value in contenders.items()
    }
    long_label = f"{settings.num_steps:.0e} steps ms"
    return [
        Measure(
            name,
            "Python step us",
            scalar["ours"],
            scalar.get("theirs"),
            True,
            SCALAR_TARGET,
        ),
        Measure(
            name, "1e3 steps us", plot["ours"], plot.get("theirs"), True, ARRAY_TARGET
        ),
        Measure(
            name, long_label, audit["ours"], audit.get("theirs"), True, ARRAY_TARGET
        ),
        Measure(
            name,
            "peak B/step",
            memory["ours"],
            memory.get("theirs"),
            False,
            MEMORY_TARGET,
        ),
    ]


# -- report -----------------------------------------------------------------------


def shown(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def report(measures: list[Measure], settings: Settings) -> bool:
    """Print the table; return whether every measurable target is met."""
    print(
        f"deepmd-lr {deepmd_lr.__version__} from {deepmd_lr.__file__}; "
        f"numpy {np.__version__}; python {sys.version.split()[0]}; "
        f"repeats: {settings.repeats}"
    )
    if deepmd_kit is None:
        print("DeePMD-kit is not installed: its column and the ratios are skipped.")
    header = (
        f"{'schedule':<14} {'measure':<17} {'deepmd-lr':>10} {'DeePMD-kit':>10} "
        f"{'ratio':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for measure in measures:
        if measure.faster_is_larger:
            target = f"DeePMD-kit / ours >= {measure.target:g}"
        else:
            target = f"ours / DeePMD-kit <= {measure.target:g}"
        verdict = (
            "n/a" if measure.theirs is None else ("ok" if measure.met() else "MISSED")
        )
        digits = 3 if measure.label.startswith("Python") else 1
        print(
            f"{measure.schedule:<14} {measure.label:<17} "
            f"{shown(measure.ours, digits):>10} {shown(measure.theirs, digits):>10} "
            f"{shown(measure.ratio()):>7}  {target}: {verdict}"
        )
    all_met = all(measure.met() for measure in measures)
    print("all targets met" if all_met else "some targets MISSED")
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="1e6 steps and fewer repeats"
    )
    parser.add_argument(
        "--no-normalize",
        action="store_true",
        help="skip the normalization and import timings of bench_normalize.py",
    )
    args = parser.parse_args(argv)
    if args.quick:
        settings = Settings(10**6, scalar_calls=2000, small_array_calls=20, repeats=5)
    else:
        settings = Settings(
            10**7, scalar_calls=20_000, small_array_calls=200, repeats=15
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", deepmd_lr.LearningRateWarning)
        measures = [
            measure
            for name, config in schedule_cases(settings.num_steps).items()
            for measure in measure_schedule(name, config, settings)
        ]
    schedules_ok = report(measures, settings)
    if args.no_normalize:
        return 0 if schedules_ok else 1
    print()
    import bench_normalize

    normalize_ok = bench_normalize.main(["--quick"] if args.quick else []) == 0
    return 0 if schedules_ok and normalize_ok else 1


if __name__ == "__main__":
    sys.exit(main())
