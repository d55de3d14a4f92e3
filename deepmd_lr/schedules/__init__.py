"""The schedules: the rate at each step, one file per ``type``.

Owns :class:`BaseLR` (construction, warmup, dispatch on ``type``), one module
per built-in type holding its class and its key declarations, the array
code that runs one formula on any Array-API library, building a schedule
from a section, ``scale_by_worker`` and the torch scheduler. It imports the
:mod:`deepmd_lr.section` layer only. Importing this package registers the
built-in types, in the order they are listed.
"""

# ruff: noqa: I001 - registration order is the order types are listed in.
from deepmd_lr.schedules.base import BaseLR
from deepmd_lr.schedules.exp import LearningRateExp
from deepmd_lr.schedules.cosine import LearningRateCosine
from deepmd_lr.schedules.wsd import LearningRateWSD

__all__ = ["BaseLR", "LearningRateCosine", "LearningRateExp", "LearningRateWSD"]
