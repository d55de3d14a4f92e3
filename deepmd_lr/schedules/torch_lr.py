"""A schedule as a torch learning-rate scheduler that stays right on resume.

A torch scheduler sets each parameter group's rate from its base rate (the
group's ``initial_lr``) and the step. Resumed runs have gone wrong in two
ways: the base rate was read from a checkpoint whose rate had already
decayed, so the decay was applied twice; or the start step was added to a
step count that ``last_epoch`` had already restored, so the schedule ran
ahead. Here every base rate is ``start_lr``, whatever a checkpoint says, and
the step is ``last_epoch`` itself: the absolute training step.

This module imports torch; ``import deepmd_lr`` does not import it, and
``deepmd_lr.ScheduleLR`` and ``deepmd_lr.torch_lambda_lr`` load it on first
access.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import torch
from torch.optim.lr_scheduler import LRScheduler

from deepmd_lr.section.text import describe, plain

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

__all__ = ["ScheduleLR", "torch_lambda_lr"]


class ScheduleLR(LRScheduler):
    """Gives every parameter group of ``optimizer`` the rate ``schedule.value(step)``.

    Call ``scheduler.step()`` once after each ``optimizer.step()``, as with
    any torch scheduler. Step ``t`` of training then runs with
    ``schedule.value(t)`` exactly.

    Parameters
    ----------
    optimizer
        Any torch optimizer. Every parameter group's ``initial_lr`` is set to
        ``schedule.start_lr``, and its ``lr`` to the rate of the current step.
    schedule
        The learning-rate schedule.
    start_step
        The step the next ``optimizer.step()`` performs: 0 for a new run, the
        number of steps already done for a resumed one (an ``int`` or a
        NumPy integer). Loading a scheduler ``state_dict`` afterwards sets it
        from the checkpoint instead.

    Notes
    -----
    ``state_dict()`` holds plain numbers only, so that ``torch.load`` reads it
    with ``weights_only=True``; the schedule itself is not in it. After
    :meth:`load_state_dict`, and after ``optimizer.load_state_dict``, the base
    rates are ``start_lr`` again and every group's ``lr`` is the schedule's
    rate at the restored step.

    Examples
    --------
    >>> import torch
    >>> from deepmd_lr import BaseLR
    >>> weight = torch.nn.Parameter(torch.zeros(2))
    >>> optimizer = torch.optim.SGD([weight], lr=1.0)
    >>> lr = BaseLR(type="exp", start_lr=1e-3, stop_lr=1e-5, num_steps=100,
    ...             decay_steps=10)
    >>> scheduler = ScheduleLR(optimizer, lr, start_step=50)
    >>> optimizer.param_groups[0]["lr"] == lr.value(50)
    True
    """

    def __init__(
        self, optimizer: torch.optim.Optimizer, schedule: BaseLR, start_step: int = 0
    ) -> None:
        start_step = plain(start_step)
        if isinstance(start_step, bool) or not isinstance(start_step, int):
            raise TypeError(
                f"start_step must be an integer, got {describe(start_step)}"
            )
        if start_step < 0:
            raise ValueError(f"start_step must be >= 0, got {describe(start_step)}")
        self.schedule = schedule
        for group in optimizer.param_groups:
            group["initial_lr"] = schedule.start_lr
        super().__init__(optimizer, last_epoch=start_step - 1)
        # The optimizer's own load_state_dict brings back the initial_lr and lr
        # of the checkpoint; this hook puts the schedule's values back.
        owner = weakref.ref(self)
        optimizer.register_load_state_dict_post_hook(lambda _: _repin(owner))

    def get_lr(self) -> list[float | torch.Tensor]:
        """The rate of step ``last_epoch`` for every parameter group."""
        # value() itself, not base rate times a factor: start_lr * (value /
        # start_lr) can be off in the last bit.
        rate = float(self.schedule.value(self.last_epoch))
        return [rate] * len(self.optimizer.param_groups)

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's counters and rates: numbers and lists of numbers."""
        return {
            name: value
            for name, value in super().state_dict().items()
            if name != "schedule"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the step from ``state_dict``; base rates stay ``start_lr``."""
        # The first release's scheduler was a LambdaLR, whose checkpoints also
        # hold its (empty) "lr_lambdas".
        super().load_state_dict(
            {name: value for name, value in state_dict.items() if name != "lr_lambdas"}
        )
        self._pin()

    def _pin(self) -> None:
        """Base rates back to start_lr, and each group at the current rate."""
        start_lr = self.schedule.start_lr
        rate = float(self.schedule.value(max(self.last_epoch, 0)))
        groups = self.optimizer.param_groups
        for group in groups:
            group["initial_lr"] = start_lr
            if isinstance(group["lr"], torch.Tensor):
                group["lr"].fill_(rate)
            else:
                group["lr"] = rate
        self.base_lrs = [start_lr] * len(groups)
        self._last_lr = [rate] * len(groups)


def torch_lambda_lr(
    optimizer: torch.optim.Optimizer, schedule: BaseLR, start_step: int = 0
) -> ScheduleLR:
    """A torch scheduler that gives ``optimizer`` the rate ``schedule.value(step)``.

    ``ScheduleLR(optimizer, schedule, start_step)``: see
    :class:`deepmd_lr.ScheduleLR` for the parameters and for what happens
    when training resumes. The name is that of the first release, which
    returned a ``LambdaLR``; the scheduler is now a
    ``torch.optim.lr_scheduler.LRScheduler`` of its own and behaves the same.

    Examples
    --------
    A training loop steps the scheduler once per training step:

    >>> import torch
    >>> from deepmd_lr import LearningRateCosine
    >>> model = torch.nn.Linear(2, 1)
    >>> optimizer = torch.optim.Adam(model.parameters())
    >>> scheduler = torch_lambda_lr(
    ...     optimizer, LearningRateCosine(start_lr=1e-3, stop_lr=0.0, num_steps=2))
    >>> for _ in range(2):
    ...     optimizer.step()
    ...     scheduler.step()
    >>> optimizer.param_groups[0]["lr"]
    0.0
    """
    return ScheduleLR(optimizer, schedule, start_step)


def _repin(owner: weakref.ref[ScheduleLR]) -> None:
    scheduler = owner()
    if scheduler is not None:
        scheduler._pin()
