"""Largest relative difference between each library's values and NumPy's.

For every built-in type (with and without warmup, over steps 0 to 2T) the
values from torch, JAX and array-api-strict, eager and compiled, are
compared with the NumPy path, the one checked against DeePMD-kit. Prints a
Markdown table; libraries that are not installed are left out.

    python benchmarks/cross_backend_error.py
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from backend_cases import (
    STEPS,
    TYPES,
    WARMUPS,
    max_relative_error,
    schedule,
)


def runners() -> dict:
    found: dict = {}
    try:
        import array_api_strict as strict

        found["array-api-strict"] = (
            lambda lr: lr.value,
            strict.asarray,
            lambda a: np.asarray(strict.asarray(a, copy=True)),
        )
    except ImportError:
        pass
    try:
        import torch

        # Each schedule object is a new guard on the same code: one
        # compilation per schedule, more than the default limit of 8.
        torch._dynamo.config.recompile_limit = 64

        def numpy_of(t):
            return t.numpy()

        found["torch"] = (lambda lr: lr.value, torch.asarray, numpy_of)
        found["torch.jit.trace"] = (
            lambda lr: torch.jit.trace(lr.value, torch.arange(4)),
            torch.asarray,
            numpy_of,
        )
        found["torch.compile"] = (
            lambda lr: torch.compile(lr.value, fullgraph=True, dynamic=False),
            torch.asarray,
            numpy_of,
        )
    except ImportError:
        pass
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        found["jax"] = (lambda lr: lr.value, jax.numpy.asarray, np.asarray)
        found["jax.jit"] = (
            lambda lr: jax.jit(lr.value),
            jax.numpy.asarray,
            np.asarray,
        )
    except ImportError:
        pass
    return found


def main() -> None:
    warnings.simplefilter("ignore")
    found = runners()
    print("| backend | " + " | ".join(TYPES) + " |")
    print("|---|" + "---|" * len(TYPES))
    for name, (make, to_array, to_numpy) in found.items():
        cells = []
        for type_key in TYPES:
            worst = 0.0
            for warmup_key in WARMUPS:
                lr = schedule(type_key, warmup_key)
                values = to_numpy(make(lr)(to_array(STEPS)))
                worst = max(worst, max_relative_error(values, lr.value(STEPS)))
            cells.append(f"{worst:.1e}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
