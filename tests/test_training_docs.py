"""Every Python block of doc/training.md runs, in page order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parent.parent / "doc" / "training.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
IMPORT = re.compile(r"^(?:import|from) (\w+)", re.MULTILINE)


def blocks() -> list[str]:
    return BLOCK.findall(PAGE.read_text())


def test_the_page_has_code_for_numpy_torch_and_optax():
    imported = {name for block in blocks() for name in IMPORT.findall(block)}
    assert {"numpy", "torch", "jax", "optax"} <= imported


def test_the_page_runs():
    namespace: dict = {}
    for block in blocks():
        for module in set(IMPORT.findall(block)) - {"deepmd_lr", "io"}:
            pytest.importorskip(module)
        exec(compile(block, str(PAGE), "exec"), namespace)
