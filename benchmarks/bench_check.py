"""Start-up and throughput of ``deepmd-lr check``.

Run ``python benchmarks/bench_check.py`` from the repository root (add
``--quick`` for fewer repeats). It prints

* the median wall time of a bare ``python -c pass`` and of ``deepmd-lr
  check`` on one valid training input, and their ratio (target: at most
  3): pre-commit starts the command once per commit, so start-up is most
  of its cost, and it must never pay for NumPy or dargs; the standard
  library's dataclasses and inspect are a fair price;
* the median wall time of one ``deepmd-lr check`` call on 1,000 generated
  files (JSON and YAML, whole inputs and bare sections, a third of them with
  problems), and the time per file (target: well under 10 ms).

The two commands of the start-up pair run alternately, so that a machine
whose load drifts slows both alike; medians over the repeats damp the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TARGET = 3.0
PER_FILE_TARGET_MS = 10.0

SECTIONS = [
    {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 5000},
    {"type": "cosine", "start_lr": 1e-3, "stop_lr_ratio": 0.01, "warmup_ratio": 0.05},
    {"type": "wsd", "start_lr": 1e-3, "stop_lr": 1e-6, "decay_phase_ratio": 0.2},
]
BROKEN = [
    {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-2},
    {"type": "cosine", "start_lr": 1e-3, "stop_lr_ration": 0.01},
    {"type": "exp", "stop_lr": 1e-8},
]


def command(*argv: str) -> list[str]:
    return [sys.executable, "-m", "deepmd_lr", *argv]


def wall_time(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def yaml_text(data: dict[str, object], indent: str = "") -> str:
    lines = []
    for name, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{indent}{name}:")
            lines.append(yaml_text(value, indent + "  ").rstrip("\n"))
        elif isinstance(value, float):
            lines.append(f"{indent}{name}: {value!r}".replace("e-", ".0e-", 1))
        else:
            lines.append(f"{indent}{name}: {json.dumps(value)}")
    return "\n".join(lines) + "\n"


def generate(directory: Path, count: int) -> list[str]:
    """``count`` input files, valid and invalid, JSON and YAML."""
    names = []
    for number in range(count):
        broken = number % 3 == 2
        pool = BROKEN if broken else SECTIONS
        section = pool[number % len(pool)]
        whole = number % 2 == 0
        data: dict[str, object] = (
            {
                "model": {"type_map": ["O", "H"], "rcut": 6.0},
                "learning_rate": section,
                "training": {"numb_steps": 100000 + number, "disp_freq": 100},
            }
            if whole
            else dict(section)
        )
        if number % 4 < 2:
            path = directory / f"input_{number}.json"
            path.write_text(json.dumps(data, indent=4))
        else:
            path = directory / f"input_{number}.yaml"
            path.write_text(yaml_text(data))
        names.append(str(path))
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    startup_repeats, batch_repeats = (11, 3) if args.quick else (31, 5)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # An installed package has its bytecode compiled; the warm-up run below
    # writes it, unless the environment forbids that.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        files = generate(directory, args.files)
        one = directory / "one_input.json"
        one.write_text(
            json.dumps(
                {"learning_rate": SECTIONS[0], "training": {"numb_steps": 100000}}
            )
        )
        one_yaml = directory / "one_input.yaml"
        one_yaml.write_text(yaml_text({"learning_rate": SECTIONS[0]}))
        one_bad = directory / "bad_input.json"
        one_bad.write_text(json.dumps({"learning_rate": BROKEN[1]}))
        bare_argv = [sys.executable, "-c", "pass"]
        check_argv = command("check", str(one))
        others = {
            "a YAML file (PyYAML's import)": command("check", str(one_yaml)),
            "a JSON file with a misspelt key": command("check", str(one_bad)),
        }
        # Warm the caches (bytecode, file system) before timing.
        for argv in (check_argv, *others.values()):
            wall_time(argv, env)
        bare, check = [], []
        other_times: dict[str, list[float]] = {name: [] for name in others}
        for _ in range(startup_repeats):
            bare.append(wall_time(bare_argv, env))
            check.append(wall_time(check_argv, env))
            for name, argv in others.items():
                other_times[name].append(wall_time(argv, env))
        many_argv = command("check", *files)
        problems = subprocess.run(
            many_argv, env=env, capture_output=True, text=True, check=False
        ).stdout.splitlines()[-1]
        batch = [wall_time(many_argv, env) for _ in range(batch_repeats)]
    bare_ms = statistics.median(bare) * 1e3
    check_ms = statistics.median(check) * 1e3
    ratio = check_ms / bare_ms
    batch_ms = statistics.median(batch) * 1e3
    per_file = batch_ms / args.files
    print(f"python {sys.version.split()[0]}; medians of {startup_repeats} runs")
    print(f"  python -c pass              {bare_ms:8.1f} ms")
    print(f"  deepmd-lr check (one file)  {check_ms:8.1f} ms")
    verdict = "ok" if ratio <= STARTUP_TARGET else "MISSED"
    print(f"  ratio {ratio:.2f} (target <= {STARTUP_TARGET}): {verdict}")
    for name, times in other_times.items():
        other_ms = statistics.median(times) * 1e3
        print(f"  for reference, {name}: {other_ms:.1f} ms, {other_ms / bare_ms:.2f}x")
    print(f"check on {args.files} files in one call, median of {batch_repeats} runs")
    print(f"  total {batch_ms:8.1f} ms, {per_file:.2f} ms per file ({problems})")
    verdict = "ok" if per_file < PER_FILE_TARGET_MS else "MISSED"
    print(f"  per file < {PER_FILE_TARGET_MS:g} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
