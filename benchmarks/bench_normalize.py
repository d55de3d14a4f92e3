"""Speed of normalizing a ``learning_rate`` section, and of ``import deepmd_lr``.

Run ``python benchmarks/bench_normalize.py`` (``--quick`` for a smaller run)
in an environment with DeePMD-kit installed to get its column. It measures

* one ``normalize_learning_rate(section)`` call against DeePMD-kit's
  normalize+check of the same section (``learning_rate_args()`` built once,
  then ``normalize_value(section, trim_pattern="_*")`` and
  ``check_value(..., strict=True)``), median microseconds per call, timed in
  turn within every repeat; also, for information, the same check done by
  dargs on this package's ``learning_rate_args()`` and DeePMD-kit's with the
  ``Argument`` rebuilt per call, as its ``normalize`` of a whole input does;
* the time of the import statement itself, in fresh interpreters taking
  turns: ``import deepmd_lr`` against ``import numpy, dargs``, median in
  milliseconds.

Targets: normalization no slower than DeePMD-kit; ``import deepmd_lr`` at
most 1.3x ``import numpy, dargs``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from deepmd_lr import LearningRateWarning, learning_rate_args, normalize_learning_rate

try:
    from deepmd.utils import argcheck as deepmd_argcheck
except ImportError:
    deepmd_argcheck = None

NORMALIZE_TARGET = 1.0
"""DeePMD-kit's time over ours must be at least this."""
IMPORT_TARGET = 1.3
"""``import deepmd_lr`` over ``import numpy, dargs`` must be at most this."""

SECTIONS: dict[str, dict[str, Any]] = {
    "exp": {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 3.51e-8,
        "decay_steps": 5000,
        "_comment": "that's all",
    },
    "exp ratio+warm": {
        "start_lr": 1e-3,
        "stop_lr_ratio": 1e-3,
        "warmup_ratio": 0.05,
        "warmup_start_factor": 0.1,
        "smooth": True,
    },
    "cosine": {"type": "cosine", "start_lr": 2e-3, "stop_lr": 1e-6},
    "wsd": {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "warmup_steps": 1000,
        "decay_type": "cosine",
    },
}

IMPORTS = {
    "deepmd_lr": "import deepmd_lr",
    "numpy, dargs": "import numpy, dargs",
    "deepmd argcheck": "import deepmd.utils.argcheck",
}


def per_call_medians(
    runs: dict[str, Callable[[], Any]], calls: int, repeats: int
) -> dict[str, float]:
    """Median seconds per call of each run; the runs take turns in every repeat,
    so load from elsewhere on the machine slows all of them alike."""
    for run in runs.values():
        run()
    times: dict[str, list[float]] = {who: [] for who in runs}
    for _ in range(repeats):
        for who, run in runs.items():
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times[who].append((time.perf_counter() - start) / calls)
    return {who: statistics.median(spent) for who, spent in times.items()}


def dargs_check(argument: Any, section: dict[str, Any]) -> Any:
    """``section`` normalized and checked against ``argument``, as ``dargs check`` does."""
    normalized = argument.normalize_value(section, trim_pattern="_*")
    argument.check_value(normalized, strict=True)
    return normalized


def deepmd_kit_normalizers(section: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    if deepmd_argcheck is None:
        return {}
    built = deepmd_argcheck.learning_rate_args()

    def once_built() -> Any:
        return dargs_check(built, section)

    def rebuilt() -> Any:
        return dargs_check(deepmd_argcheck.learning_rate_args(), section)

    return {"DeePMD-kit": once_built, "DeePMD-kit rebuilt": rebuilt}


def normalize_rows(calls: int, repeats: int) -> list[tuple[str, dict[str, float]]]:
    rows = []
    argument = learning_rate_args()
    for name, section in SECTIONS.items():
        runs: dict[str, Callable[[], Any]] = {
            "deepmd_lr": lambda section=section: normalize_learning_rate(section),
            "dargs check": lambda section=section: dargs_check(argument, section),
            **deepmd_kit_normalizers(section),
        }
        medians = per_call_medians(runs, calls, repeats)
        rows.append((name, {who: t * 1e6 for who, t in medians.items()}))
    return rows


def import_seconds(statement: str) -> float:
    """Time of ``statement`` alone, in a fresh interpreter."""
    code = (
        "import time; start = time.perf_counter(); "
        f"{statement}; print(time.perf_counter() - start)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return float(result.stdout.strip().splitlines()[-1])


def import_medians(runs: int) -> dict[str, float]:
    statements = dict(IMPORTS)
    if deepmd_argcheck is None:
        statements.pop("deepmd argcheck")
    times: dict[str, list[float]] = {who: [] for who in statements}
    for _ in range(runs):
        for who, statement in statements.items():
            times[who].append(import_seconds(statement))
    return {who: statistics.median(spent) * 1e3 for who, spent in times.items()}


def report(
    rows: list[tuple[str, dict[str, float]]], imports: dict[str, float], runs: int
) -> bool:
    """Print both tables; return whether every measurable target is met."""
    print(f"python {sys.version.split()[0]}")
    if deepmd_argcheck is None:
        print("DeePMD-kit is not installed: its columns and ratios are skipped.")
    who = ["deepmd_lr", "dargs check", "DeePMD-kit", "DeePMD-kit rebuilt"]
    header = f"{'section':<16}" + "".join(f"{w:>20}" for w in who)
    header += f"{'DP/ours':>9}  target"
    print("normalize+check, median us per call")
    print(header)
    print("-" * len(header))
    all_met = True
    for name, times in rows:
        cells = "".join(
            f"{times[w]:>20.1f}" if w in times else f"{'-':>20}" for w in who
        )
        theirs = times.get("DeePMD-kit")
        if theirs is None:
            print(f"{name:<16}{cells}{'-':>9}  n/a")
            continue
        speedup = theirs / times["deepmd_lr"]
        met = speedup >= NORMALIZE_TARGET
        all_met = all_met and met
        verdict = "ok" if met else "MISSED"
        print(f"{name:<16}{cells}{speedup:>9.2f}  no slower than DP: {verdict}")

    print(f"\nimport statement in a fresh interpreter, median ms of {runs} runs")
    base = imports["numpy, dargs"]
    for name, ms in imports.items():
        print(f"  import {name:<18}{ms:>8.1f} ms {ms / base:>6.2f}x numpy+dargs")
    share = imports["deepmd_lr"] / base
    met = share <= IMPORT_TARGET
    all_met = all_met and met
    print(
        f"import deepmd_lr <= {IMPORT_TARGET}x numpy+dargs: "
        f"{share:.2f}x {'ok' if met else 'MISSED'}"
    )
    print("all targets met" if all_met else "some targets MISSED")
    return all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and runs")
    args = parser.parse_args(argv)
    calls, repeats, runs = (200, 5, 7) if args.quick else (2000, 9, 15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        rows = normalize_rows(calls, repeats)
    imports = import_medians(runs)
    return 0 if report(rows, imports, runs) else 1


if __name__ == "__main__":
    sys.exit(main())
