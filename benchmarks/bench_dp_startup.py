"""What deepmd-lr's ``deepmd.backend`` entry point adds to DeePMD-kit's start-up.

Run ``python benchmarks/bench_dp_startup.py`` (``--runs N``, default 15) in an
environment where DeePMD-kit and deepmd-lr are installed, deepmd-lr with its
entry point (``pip install -e .``). Each case runs in fresh interpreters,
taking turns with and without deepmd-lr: "without" puts an empty module in
place of ``deepmd_lr_dp`` before DeePMD-kit loads its entry points, so that
both pay the same entry-point scan. The times are the median wall-clock
milliseconds of the whole child process:

* ``dp -h``: DeePMD-kit's ``main(["-h"])``, the cheapest ``dp`` command;
* ``import deepmd.backend``: what every ``dp`` command imports first;
* ``dp`` up to its input arguments: ``import deepmd.backend`` then
  ``deepmd.utils.argcheck.gen_args()``, as ``dp train`` and
  ``dp doc-train-input`` do; here deepmd-lr adds its types.

It also times the import statement of ``deepmd_lr_dp`` alone, in a fresh
interpreter that has imported ``deepmd.backend`` without it: the part of the
start-up that is deepmd-lr's, free of the noise of whole processes.

Targets: ``dp -h`` at most 1.1x without deepmd-lr; ``import deepmd_lr_dp``
under 5 ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from importlib.metadata import entry_points, version

DP_H_TARGET = 1.1
"""``dp -h`` with deepmd-lr over without must be at most this."""
IMPORT_TARGET_MS = 5.0
"""``import deepmd_lr_dp`` must take less than this."""

WITHOUT = "import types; sys.modules['deepmd_lr_dp'] = types.ModuleType('x')\n"
CASES = {
    "dp -h": (
        "import contextlib, io\n"
        "from deepmd.main import main\n"
        "with contextlib.suppress(SystemExit), "
        "contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['-h'])\n"
    ),
    "import deepmd.backend": "import deepmd.backend\n",
    "dp up to its input arguments": (
        "import deepmd.backend\n"
        "from deepmd.utils.argcheck import gen_args\n"
        "gen_args()\n"
    ),
}


def child_milliseconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return (time.perf_counter() - start) * 1e3


IMPORT_ALONE = (
    "import sys, time\n" + WITHOUT + "import deepmd.backend\n"
    "del sys.modules['deepmd_lr_dp']\n"
    "start = time.perf_counter()\n"
    "import deepmd_lr_dp\n"
    "print((time.perf_counter() - start) * 1e3)\n"
)


def import_alone_milliseconds(runs: int) -> float:
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", IMPORT_ALONE],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def medians(runs: int) -> dict[str, tuple[float, float]]:
    """Per case, the median milliseconds (with, without) deepmd-lr."""
    result = {}
    for name, body in CASES.items():
        with_, without = [], []
        for _ in range(runs):
            with_.append(child_milliseconds("import sys\n" + body))
            without.append(child_milliseconds("import sys\n" + WITHOUT + body))
        result[name] = (statistics.median(with_), statistics.median(without))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args(argv).runs
    if not any(
        entry.value == "deepmd_lr_dp" for entry in entry_points(group="deepmd.backend")
    ):
        print("deepmd-lr's deepmd.backend entry point is not installed here")
        return 2
    print(
        f"DeePMD-kit {version('deepmd-kit')}, median ms of {runs} fresh "
        "interpreters each"
    )
    print(f"{'case':<30} {'with':>8} {'without':>8} {'ratio':>7} {'added':>7}")
    results = medians(runs)
    for name, (with_, without) in results.items():
        print(
            f"{name:<30} {with_:8.1f} {without:8.1f} {with_ / without:6.3f}x "
            f"{with_ - without:+7.1f}"
        )
    alone = import_alone_milliseconds(runs)
    print(f"import deepmd_lr_dp alone: {alone:.2f} ms")
    with_, without = results["dp -h"]
    met = with_ / without <= DP_H_TARGET and alone < IMPORT_TARGET_MS
    print(
        f"targets (dp -h <= {DP_H_TARGET}x, import < {IMPORT_TARGET_MS} ms): "
        f"{'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
