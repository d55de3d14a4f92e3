"""A schedule as a torch ``LambdaLR`` that stays right when training resumes.

A torch scheduler sets each parameter group's rate to its base rate (the
group's ``initial_lr``) times a factor of the step. Resumed runs have gone
wrong in two ways: the base rate was read from a checkpoint whose rate had
already decayed, so the decay was applied twice; or the start step was added
to a step count that ``last_epoch`` had already restored, so the schedule ran
ahead. Here every base rate is ``start_lr``, whatever a checkpoint says, and
the step is ``last_epoch`` itself: the absolute training step.

torch is imported only when a scheduler is built.
"""

from __future__ import annotations

import functools
import weakref
from typing import TYPE_CHECKING, Any

from deepmd_lr.keys import describe, plain

if TYPE_CHECKING:
    import torch

    from deepmd_lr.schedules.base import BaseLR


def torch_lambda_lr(
    optimizer: torch.optim.Optimizer, schedule: BaseLR, start_step: int = 0
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` that gives ``optimizer`` the rate ``schedule.value(step)``.

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
        NumPy integer). Loading a scheduler
        ``state_dict`` afterwards sets it from the checkpoint instead.

    Returns
    -------
    torch.optim.lr_scheduler.LambdaLR
        A subclass whose ``state_dict()`` holds plain numbers only, so that
        ``torch.load`` reads it with ``weights_only=True``. After its own
        ``load_state_dict`` and after ``optimizer.load_state_dict`` the base
        rates are ``start_lr`` again and every group's ``lr`` is the
        schedule's rate at the restored step.
    """
    start_step = plain(start_step)
    if isinstance(start_step, bool) or not isinstance(start_step, int):
        raise TypeError(f"start_step must be an integer, got {describe(start_step)}")
    if start_step < 0:
        raise ValueError(f"start_step must be >= 0, got {describe(start_step)}")
    return _lambda_lr_class()(optimizer, schedule, start_step)  # type: ignore[no-any-return]


@functools.cache
def _lambda_lr_class() -> type:
    from torch.optim.lr_scheduler import LambdaLR

    class ScheduleLambdaLR(LambdaLR):
        """``LambdaLR`` on absolute steps, every base rate pinned to start_lr."""

        def __init__(
            self, optimizer: torch.optim.Optimizer, schedule: BaseLR, start_step: int
        ) -> None:
            self._schedule = schedule
            start_lr = schedule.start_lr
            for group in optimizer.param_groups:
                group["initial_lr"] = start_lr

            def factor(step: int) -> float:
                return float(schedule.value(step)) / start_lr

            super().__init__(optimizer, factor, last_epoch=start_step - 1)
            owner = weakref.ref(self)
            optimizer.register_load_state_dict_post_hook(
                lambda _optimizer: _repin(owner)
            )

        def get_lr(self) -> list[Any]:
            # value() itself: start_lr * (value / start_lr) can be a bit off.
            rate = float(self._schedule.value(self.last_epoch))
            return [rate] * len(self.optimizer.param_groups)

        def state_dict(self) -> dict[str, Any]:
            state = super().state_dict()
            del state["_schedule"]
            return state

        def load_state_dict(self, state_dict: dict[str, Any]) -> None:
            super().load_state_dict(state_dict)
            self._pin()

        def _pin(self) -> None:
            """Base rates back to start_lr, and each group at the current rate."""
            start_lr = self._schedule.start_lr
            rate = float(self._schedule.value(max(self.last_epoch, 0)))
            groups = self.optimizer.param_groups
            for group in groups:
                group["initial_lr"] = start_lr
                if hasattr(group["lr"], "fill_"):
                    group["lr"].fill_(rate)
                else:
                    group["lr"] = rate
            self.base_lrs = [start_lr] * len(groups)
            self._last_lr = [rate] * len(groups)

    return ScheduleLambdaLR


def _repin(owner: Any) -> None:
    scheduler = owner()
    if scheduler is not None:
        scheduler._pin()
