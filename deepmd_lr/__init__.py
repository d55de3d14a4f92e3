"""The ``learning_rate`` section of a DeePMD-kit training input.

Declare it (:func:`learning_rate_args`), normalize and check it
(:func:`normalize_learning_rate`, :func:`normalize`, :func:`find_problems`),
bring an old one up to date (:func:`migrate`) and compute it
(:class:`BaseLR` and the registered schedules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deepmd_lr.section.errors import LearningRateConfigError, LearningRateWarning
from deepmd_lr.section.keys import REQUIRED, Key

if TYPE_CHECKING:
    from deepmd_lr.deepmd.reading import normalize
    from deepmd_lr.describe.arguments import learning_rate_args
    from deepmd_lr.schedules import (
        BaseLR,
        LearningRateCosine,
        LearningRateExp,
        LearningRateWSD,
    )
    from deepmd_lr.schedules.building import make_learning_rate_schedule
    from deepmd_lr.schedules.torch_lr import ScheduleLR, torch_lambda_lr
    from deepmd_lr.schedules.workers import scale_by_worker
    from deepmd_lr.section.normalization import normalize_learning_rate

__version__ = "0.1.0"

__all__ = [
    "REQUIRED",
    "BaseLR",
    "Key",
    "LearningRateConfigError",
    "LearningRateCosine",
    "LearningRateExp",
    "LearningRateWSD",
    "LearningRateWarning",
    "ScheduleLR",
    "find_problems",
    "learning_rate_args",
    "make_learning_rate_schedule",
    "migrate",
    "normalize",
    "normalize_learning_rate",
    "scale_by_worker",
    "torch_lambda_lr",
]

# dargs is only needed once arguments are declared or checked, torch once the
# torch scheduler is asked for, and the schedules are not needed to read a file,
# so the modules that hold them load on first access: ``import deepmd_lr``
# stays light, and ``deepmd-lr check`` starts fast.
_LAZY = {
    "BaseLR": "deepmd_lr.schedules",
    "LearningRateCosine": "deepmd_lr.schedules",
    "LearningRateExp": "deepmd_lr.schedules",
    "LearningRateWSD": "deepmd_lr.schedules",
    "find_problems": "deepmd_lr.section.rules",
    "learning_rate_args": "deepmd_lr.describe.arguments",
    "normalize": "deepmd_lr.deepmd.reading",
    "normalize_learning_rate": "deepmd_lr.section.normalization",
    "make_learning_rate_schedule": "deepmd_lr.schedules.building",
    "migrate": "deepmd_lr.deepmd.migration",
    "scale_by_worker": "deepmd_lr.schedules.workers",
    "torch_lambda_lr": "deepmd_lr.schedules.torch_lr",
    "ScheduleLR": "deepmd_lr.schedules.torch_lr",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'deepmd_lr' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
