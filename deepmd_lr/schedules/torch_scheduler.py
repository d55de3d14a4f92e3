"""The torch scheduler of a schedule, reachable without importing torch.

``deepmd_lr.torch_lambda_lr`` is the entry point; the scheduler class,
:class:`deepmd_lr.ScheduleLR`, lives in a module that imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

    from deepmd_lr.schedules.base import BaseLR
    from deepmd_lr.schedules.torch_lr import ScheduleLR


def torch_lambda_lr(
    optimizer: torch.optim.Optimizer, schedule: BaseLR, start_step: int = 0
) -> ScheduleLR:
    """A torch scheduler that gives ``optimizer`` the rate ``schedule.value(step)``.

    ``ScheduleLR(optimizer, schedule, start_step)``: see
    :class:`deepmd_lr.ScheduleLR` for the parameters and for what
    happens when training resumes. The name is that of the first release,
    which returned a ``LambdaLR``; the scheduler is now a
    ``torch.optim.lr_scheduler.LRScheduler`` of its own and behaves the same.

    Examples
    --------
    >>> import pytest
    >>> torch = pytest.importorskip("torch")
    >>> from deepmd_lr import BaseLR
    >>> weight = torch.nn.Parameter(torch.zeros(2))
    >>> optimizer = torch.optim.SGD([weight], lr=1.0)
    >>> lr = BaseLR(type="cosine", start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    >>> scheduler = torch_lambda_lr(optimizer, lr)
    >>> optimizer.param_groups[0]["lr"]
    0.001
    """
    from deepmd_lr.schedules.torch_lr import ScheduleLR

    return ScheduleLR(optimizer, schedule, start_step)
