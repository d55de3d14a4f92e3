"""Reading hostile inputs takes time in proportion to their size.

Run ``python benchmarks/bench_hostile_inputs.py`` (``--repeats N``). For each
shape that once made a reader retry work quadratically, it reads a 1 MiB and
a 4 MiB file with ``deepmd_lr.files.reader.read_input`` and reports the median
milliseconds, the ratio of the two (4 for linear time, 16 for quadratic) and,
for scale, the ratio to the bare ``json.loads`` of a plain 1 MiB JSON file.
It also times the error for a 1 MB unknown key name, which must not run a
did-you-mean search over the whole name.

Targets: 4 MiB at most 6x the time of 1 MiB for every shape; the 1 MB key's
error under 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from deepmd_lr import LearningRateConfigError, normalize_learning_rate
from deepmd_lr.files.reader import read_input
from deepmd_lr.files.storage import InputFileError

MEBIBYTE = 2**20


def shapes(size: int) -> dict[str, str]:
    """The shapes of about ``size`` characters."""
    return {
        "unclosed string of escaped quotes": "[" + '\\"' * (size // 2),
        "unclosed string ending in a backslash": '"' + 'a\\"' * (size // 3) + "\\",
        "quotes only": '"' * (size + 1),
        "brackets in an unclosed string": '"' + "[" * size,
        "brackets in closed strings": "[" + '"[[[[",' * (size // 7) + '""]',
    }


def median_ms(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def read_quietly(path: Path) -> None:
    with contextlib.suppress(InputFileError):
        read_input(path)


def unknown_key() -> None:
    with contextlib.suppress(LearningRateConfigError):
        normalize_learning_rate({"start_lr": 1e-3, "stop_lr": 1e-5, "k" * 10**6: 1})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    plain = json.dumps({"data": ["x" * 60] * (MEBIBYTE // 64)})
    baseline = median_ms(lambda: json.loads(plain), args.repeats)
    print(f"bare json.loads of {len(plain):,} bytes: {baseline:.1f} ms (median)")
    print(f"{'shape':<40}{'1 MiB ms':>10}{'4 MiB ms':>10}{'4/1':>7}{'x bare':>8}")
    met = True
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.json"
        small, large = shapes(MEBIBYTE), shapes(4 * MEBIBYTE)
        for name in small:
            times = []
            for text in (small[name], large[name]):
                path.write_text(text)
                times.append(median_ms(lambda: read_quietly(path), args.repeats))
            growth = times[1] / times[0]
            met &= growth <= 6
            print(
                f"{name:<40}{times[0]:>10.1f}{times[1]:>10.1f}{growth:>7.1f}"
                f"{times[0] / baseline:>8.1f}  <=6x: {'ok' if growth <= 6 else 'MISSED'}"
            )
    key_ms = median_ms(unknown_key, args.repeats)
    met &= key_ms < 50
    verdict = "ok" if key_ms < 50 else "MISSED"
    print(f"error for a 1 MB unknown key: {key_ms:.1f} ms  <50 ms: {verdict}")
    print("all targets met" if met else "some targets MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
