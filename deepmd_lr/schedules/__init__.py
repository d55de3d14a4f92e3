"""Schedule classes; importing this package registers the built-in types."""

# ruff: noqa: I001 - registration order is the order types are listed in.
from deepmd_lr.schedules.base import BaseLR
from deepmd_lr.schedules.exp import LearningRateExp
from deepmd_lr.schedules.cosine import LearningRateCosine
from deepmd_lr.schedules.wsd import LearningRateWSD

__all__ = ["BaseLR", "LearningRateCosine", "LearningRateExp", "LearningRateWSD"]
