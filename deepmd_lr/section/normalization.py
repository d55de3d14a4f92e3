"""Normalizing ``learning_rate`` sections and whole training inputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepmd_lr.section.rules import check_section, filled_in


def normalize_learning_rate(
    section: Mapping[str, Any], num_steps: int | None = None
) -> dict[str, Any]:
    """Check a ``learning_rate`` section and fill in its defaults.

    Parameters
    ----------
    section
        The section as written by the user. It is not modified.
    num_steps
        The number of training steps (at most 2⁵³); when given, the warmup
        is also checked to be shorter than training.

    Returns
    -------
    dict
        A new dict: ``type`` first, then every common key, then the keys of
        that type, each with the given value or its default (``None`` where
        the key has no default). Keys starting with ``_`` are dropped.
        NumPy scalars become the Python ``int``, ``float`` or ``bool`` they
        stand for, so the result is plain JSON-able data. Normalizing the
        result again returns an equal dict.

    Raises
    ------
    LearningRateConfigError
        If any rule of the section is broken, or ``num_steps`` is not a
        valid number of steps. Its message lists every problem
        :func:`~deepmd_lr.find_problems` finds, and its ``problems``
        attribute holds them.

    Examples
    --------
    >>> normalize_learning_rate({"type": "cosine", "start_lr": 1e-3,
    ...                          "stop_lr_ratio": 0.01, "_note": "x"})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'type': 'cosine', 'start_lr': 0.001, 'stop_lr': None, 'stop_lr_ratio': 0.01,
     'warmup_steps': 0, 'warmup_ratio': None, 'warmup_start_factor': 0.0,
     'scale_by_worker': 'linear'}
    """
    cls = check_section(section, num_steps)
    return {"type": cls.type_name, **filled_in(cls, section)}
