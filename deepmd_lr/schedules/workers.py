"""``scale_by_worker``: start_lr for several data-parallel workers.

With N workers each step averages N times as many samples, and start_lr is
commonly raised to match: by N (``"linear"``), by the square root of N
(``"sqrt"``), or not at all (``"none"``).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from deepmd_lr.section.errors import LearningRateConfigError
from deepmd_lr.section.keys import COMMON_KEYS, key_path
from deepmd_lr.section.text import describe, plain

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

FACTORS: dict[str, Callable[[int], float]] = {
    "linear": float,
    "sqrt": math.sqrt,
    "none": lambda num_workers: 1.0,
}
"""start_lr is multiplied by ``FACTORS[method](num_workers)``."""

FROM_TORCH = "torch.distributed"
"""``num_workers`` value that asks ``torch.distributed`` for the world size."""

_METHOD_KEY = next(key for key in COMMON_KEYS if key.name == "scale_by_worker")

_LARGEST_FLOAT = int(sys.float_info.max)


def scale_by_worker(
    schedule: BaseLR, num_workers: int | str, method: str | None = None
) -> BaseLR:
    """The schedule to use when ``num_workers`` workers train together.

    ``start_lr`` is multiplied by N (``"linear"``), by the square root of N
    (``"sqrt"``) or by 1 (``"none"``). The rest follows the way each value
    was given:

    - ``stop_lr_ratio`` and ``warmup_start_factor`` are fractions of
      ``start_lr``, so the final rate and the first warmup rate scale along;
    - an absolute ``stop_lr`` stays as it is. N >= 1, so it stays at most the
      scaled ``start_lr``; an exp schedule then decays by a larger factor
      (its ``decay_rate`` is recomputed, unless it was given).

    The returned schedule has ``scale_by_worker: "none"``: it is already
    scaled, so scaling it again, for instance when a run is resumed from its
    serialized schedule, changes nothing.

    Parameters
    ----------
    schedule
        The schedule as written for one worker.
    num_workers
        The number of workers, an integer >= 1 (NumPy integers included),
        or ``"torch.distributed"`` for the world size of the initialized
        default process group (1 when torch.distributed is unavailable or
        not initialized).
    method
        ``"linear"``, ``"sqrt"`` or ``"none"``; by default the schedule's own
        ``scale_by_worker`` key (itself ``"linear"`` by default).

    Raises
    ------
    ValueError
        For a ``num_workers`` that is not an integer >= 1 within the range
        of a float.
    LearningRateConfigError
        For an unknown ``method``, or when the scaled ``start_lr`` is beyond
        the range of a float.

    Examples
    --------
    >>> from deepmd_lr import BaseLR, scale_by_worker
    >>> lr = BaseLR(type="cosine", start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    >>> four = scale_by_worker(lr, 4)
    >>> four.start_lr, four.stop_lr, four.scale_by_worker
    (0.004, 1e-05, 'none')
    >>> scale_by_worker(four, 4) == four
    True
    >>> ratio = BaseLR(type="cosine", start_lr=1e-3, stop_lr_ratio=0.01, num_steps=100)
    >>> scale_by_worker(ratio, 4, method="sqrt").stop_lr
    2e-05
    """
    num_workers = worker_count(num_workers)
    if method is None:
        method = schedule.scale_by_worker
    _METHOD_KEY.check(method)
    data = schedule.serialize()
    start_lr = data["start_lr"] * FACTORS[method](num_workers)
    if not math.isfinite(start_lr):
        raise LearningRateConfigError(
            key_path("start_lr"),
            f"start_lr ({describe(data['start_lr'])}) scaled for "
            f"{describe(num_workers)} workers ({method}) is beyond the range "
            "of a float",
            "Fix: lower start_lr, or scale by fewer workers",
            value=data["start_lr"],
        )
    data["start_lr"] = start_lr
    data["scale_by_worker"] = "none"
    return type(schedule).deserialize(data)


def worker_count(num_workers: int | str) -> int:
    """``num_workers`` as the number it stands for, once it is known to be one.

    Raises
    ------
    ValueError
        For anything but an integer >= 1 within the range of a float, or
        ``"torch.distributed"``.
    """
    num_workers = plain(num_workers)
    if num_workers == FROM_TORCH:
        num_workers = torch_world_size()
    if (
        isinstance(num_workers, bool)
        or not isinstance(num_workers, int)
        or not 1 <= num_workers <= _LARGEST_FLOAT
    ):
        raise ValueError(
            f"num_workers must be an integer from 1 to the largest float "
            f"(about 1.8e308), or {FROM_TORCH!r}; got {describe(num_workers)}"
        )
    return num_workers


def torch_world_size() -> int:
    """The number of processes in torch.distributed's default group.

    1 when torch.distributed is not available or not initialized, which is
    what a single-process run is.
    """
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        return int(dist.get_world_size())
    return 1
