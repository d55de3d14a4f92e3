"""Speed and memory of the schedules, against DeePMD-kit and plain NumPy.

Run ``python benchmarks/bench_schedules.py`` (add ``--quick`` for a smaller
run). For each schedule it measures

* the time of one ``value(step)`` call with a Python int (median over
  repeats, in microseconds),
* the time of one ``value(steps)`` call on an int64 array holding every
  training step (median, in milliseconds),
* the peak memory that call allocates, by ``tracemalloc``, in bytes per step
  (the float64 result alone is 8),

for deepmd_lr, for DeePMD-kit's ``deepmd.dpmodel.utils.learning_rate`` when
it is installed, and for the bare one-line NumPy formula. It prints one table
with the ratios and whether each target is met:

* scalar calls at least 10x faster than DeePMD-kit,
* arrays at least 2x faster than DeePMD-kit and no slower than the bare formula,
* peak memory at most half of DeePMD-kit's.

The script is organised as benchmark groups: functions that take the run
settings and return table rows. ``GROUPS`` lists them; a new measurement
(for instance of input normalization) is a new group appended there.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

import deepmd_lr

try:
    from deepmd.dpmodel.utils import learning_rate as deepmd_kit
except ImportError:
    deepmd_kit = None

SCALAR_TARGET = 10.0
ARRAY_TARGET = 2.0
MEMORY_TARGET = 0.5


@dataclass
class Settings:
    num_steps: int
    scalar_calls: int
    repeats: int


@dataclass
class Row:
    """Measurements of one schedule; ``None`` where a contender is missing."""

    name: str
    scalar_us: dict[str, float | None] = field(default_factory=dict)
    array_ms: dict[str, float | None] = field(default_factory=dict)
    bytes_per_step: dict[str, float | None] = field(default_factory=dict)


# -- measuring ----------------------------------------------------------------


def interleaved_medians(
    runs: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, float]:
    """Median seconds of each run, timed in turn within every repeat.

    Taking turns means a burst of load from elsewhere on the machine slows
    every contender alike, so the ratios stay meaningful.
    """
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {who: [] for who in runs}
    for _ in range(repeats):
        for who, run in runs.items():
            start = time.perf_counter()
            run()
            times[who].append(time.perf_counter() - start)
    return {who: statistics.median(spent) for who, spent in times.items()}


def scalar_loop(value: Callable[[int], Any], steps: list[int]) -> Callable[[], None]:
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


# -- the bare one-line formulas -------------------------------------------------


def bare_exp(lr: deepmd_lr.LearningRateExp) -> Callable[[np.ndarray], np.ndarray]:
    lr0, rate, period, floor = lr.start_lr, lr.decay_rate, lr.decay_steps, lr.min_lr
    return lambda t: np.maximum(lr0 * rate ** (t // period), floor)


def bare_exp_warmup(
    lr: deepmd_lr.LearningRateExp,
) -> Callable[[np.ndarray], np.ndarray]:
    lr0, rate, period, floor = lr.start_lr, lr.decay_rate, lr.decay_steps, lr.min_lr
    warm, low = lr.warmup_steps, lr.warmup_start_lr
    return lambda t: np.where(
        t < warm,
        low + (lr0 - low) * t / warm,
        np.maximum(lr0 * rate ** (np.maximum(t - warm, 0) // period), floor),
    )


def bare_cosine_warmup(
    lr: deepmd_lr.LearningRateCosine,
) -> Callable[[np.ndarray], np.ndarray]:
    lr0, stop, phase = lr.start_lr, lr.stop_lr, lr.decay_num_steps
    warm, low = lr.warmup_steps, lr.warmup_start_lr
    return lambda t: np.where(
        t < warm,
        low + (lr0 - low) * t / warm,
        stop
        + (lr0 - stop)
        / 2
        * (1 + np.cos(np.pi * np.minimum(np.maximum(t - warm, 0) / phase, 1))),
    )


# -- group: schedules -------------------------------------------------------------


def schedule_cases(num_steps: int) -> list[tuple[str, dict[str, Any], Callable]]:
    common = {"start_lr": 1e-3, "stop_lr": 1e-8, "num_steps": num_steps}
    warmup = {"warmup_ratio": 0.05}
    return [
        ("exp", {"type": "exp", "decay_steps": 5000, **common}, bare_exp),
        (
            "exp+warmup",
            {"type": "exp", "decay_steps": 5000, **common, **warmup},
            bare_exp_warmup,
        ),
        ("cosine+warmup", {"type": "cosine", **common, **warmup}, bare_cosine_warmup),
    ]


def deepmd_kit_schedule(config: dict[str, Any]) -> Any:
    if deepmd_kit is None:
        return None
    classes = {
        "exp": deepmd_kit.LearningRateExp,
        "cosine": deepmd_kit.LearningRateCosine,
    }
    settings = {k: v for k, v in config.items() if k != "type"}
    return classes[config["type"]](**settings)


def schedule_group(settings: Settings) -> list[Row]:
    steps = np.arange(settings.num_steps, dtype=np.int64)
    rng = np.random.default_rng(0)
    scalar_steps = [
        int(s) for s in rng.integers(0, settings.num_steps, settings.scalar_calls)
    ]
    rows = []
    for name, config, bare_of in schedule_cases(settings.num_steps):
        ours = deepmd_lr.BaseLR(**config)
        theirs = deepmd_kit_schedule(config)
        bare = bare_of(ours)
        row = Row(name)
        contenders = {"deepmd_lr": ours.value, "bare": bare}
        if theirs is not None:
            contenders["DeePMD-kit"] = theirs.value
        scalar = interleaved_medians(
            {
                who: scalar_loop(value, scalar_steps)
                for who, value in contenders.items()
                if who != "bare"
            },
            settings.repeats,
        )
        row.scalar_us = {who: t / len(scalar_steps) * 1e6 for who, t in scalar.items()}
        array = interleaved_medians(
            {who: partial(value, steps) for who, value in contenders.items()},
            settings.repeats,
        )
        row.array_ms = {who: t * 1e3 for who, t in array.items()}
        row.bytes_per_step = {
            who: peak_bytes_per_step(value, steps) for who, value in contenders.items()
        }
        rows.append(row)
    return rows


GROUPS: list[Callable[[Settings], list[Row]]] = [schedule_group]


# -- report -----------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def shown(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def verdict(value: float | None, ok: bool) -> str:
    return "n/a" if value is None else ("ok" if ok else "MISSED")


def report(rows: list[Row], settings: Settings) -> bool:
    """Print the table; return whether every measurable target is met."""
    dp = "DeePMD-kit"
    print(
        f"steps per array call: {settings.num_steps:,}; scalar calls per repeat: "
        f"{settings.scalar_calls:,}; repeats: {settings.repeats}; "
        f"numpy {np.__version__}; python {sys.version.split()[0]}"
    )
    if deepmd_kit is None:
        print("DeePMD-kit is not installed: its column and ratios are skipped.")
    header = (
        f"{'schedule':<14} {'measure':<16} {'deepmd_lr':>10} {dp:>10} {'bare':>10} "
        f"{'DP/ours':>8} {'bare/ours':>9}  target"
    )
    print(header)
    print("-" * len(header))
    all_met = True
    for row in rows:
        measures = [
            ("scalar us/call", row.scalar_us, 3),
            ("array ms", row.array_ms, 1),
            ("peak B/step", row.bytes_per_step, 1),
        ]
        for label, values, digits in measures:
            ours = values.get("deepmd_lr")
            theirs = values.get(dp)
            bare = values.get("bare")
            vs_dp = ratio(theirs, ours)
            vs_bare = ratio(bare, ours)
            if label.startswith("scalar"):
                met = vs_dp is None or vs_dp >= SCALAR_TARGET
                target = f">=10x vs DP: {verdict(vs_dp, met)}"
            elif label.startswith("array"):
                met_dp = vs_dp is None or vs_dp >= ARRAY_TARGET
                met_bare = vs_bare is None or vs_bare >= 1.0
                met = met_dp and met_bare
                target = (
                    f">=2x vs DP: {verdict(vs_dp, met_dp)}, "
                    f"<= bare: {verdict(vs_bare, met_bare)}"
                )
            else:
                share = ratio(ours, theirs)
                met = share is None or share <= MEMORY_TARGET
                target = f"<= half of DP: {verdict(share, met)}"
            all_met = all_met and met
            print(
                f"{row.name:<14} {label:<16} {shown(ours, digits):>10} "
                f"{shown(theirs, digits):>10} {shown(bare, digits):>10} "
                f"{shown(vs_dp):>8} {shown(vs_bare):>9}  {target}"
            )
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
        settings = Settings(num_steps=10**6, scalar_calls=2000, repeats=3)
    else:
        settings = Settings(num_steps=10**7, scalar_calls=20_000, repeats=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", deepmd_lr.LearningRateWarning)
        rows = [row for group in GROUPS for row in group(settings)]
    schedules_ok = report(rows, settings)
    if args.no_normalize:
        return 0 if schedules_ok else 1
    print()
    import bench_normalize

    normalize_ok = bench_normalize.main(["--quick"] if args.quick else []) == 0
    return 0 if schedules_ok and normalize_ok else 1


if __name__ == "__main__":
    sys.exit(main())
