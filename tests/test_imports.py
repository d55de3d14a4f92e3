"""``import deepmd_lr`` loads neither torch nor dargs until they are needed."""

from __future__ import annotations

import subprocess
import sys

import pytest


def modules_loaded_after(code: str) -> set[str]:
    """Which of torch and dargs a fresh interpreter has loaded after ``code``."""
    probe = (
        f"import sys\n{code}\nprint(*sorted({{'torch', 'dargs'}} & set(sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(result.stdout.split())


def test_import_loads_neither_torch_nor_dargs():
    assert modules_loaded_after("import deepmd_lr") == set()


@pytest.mark.parametrize("name", ["ScheduleLR", "torch_lambda_lr"])
def test_the_torch_scheduler_brings_torch_with_it(name):
    pytest.importorskip("torch")
    assert "torch" in modules_loaded_after(f"from deepmd_lr import {name}")
