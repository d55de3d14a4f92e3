"""Run directories as DeePMD-kit's PyTorch trainer leaves them, for the audit tests.

The layout follows ``deepmd/pt/train/training.py`` of DeePMD-kit 3.1.3:
``print_header`` and ``print_on_training`` write the learning curve, and
``save_model`` the checkpoints. What a trainer does is modelled, not run:
step ``t`` runs with ``rate(t)``, and the row of displayed step ``N = t + 1``
(every ``disp_freq`` steps, and step 1) prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

LOSSES = ("rmse_e", "rmse_f")
"""Loss names of an energy model, as ``more_loss`` holds them (sorted)."""

NOTE = "# If there is no available reference data, rmse_*_{val,trn} will print nan\n"


def header(tasks: Sequence[str] | None = None) -> str:
    """The header a session starts with; ``tasks`` for a multi-task run."""
    text = "# {:5s}".format("step")
    for suffix in _suffixes(tasks):
        for loss in LOSSES:
            text += f"   {loss + '_val' + suffix:>11s} {loss + '_trn' + suffix:>11s}"
    text += "   {:8s}\n".format("lr")
    return text + NOTE


def row(display_step: int, rate: float, tasks: Sequence[str] | None = None) -> str:
    """The row of displayed step ``display_step``, whose rate is ``rate``."""
    text = f"{display_step:7d}"
    for number, _ in enumerate(_suffixes(tasks)):
        for _ in LOSSES:
            text += f"   {0.5 / (number + display_step):11.2e} {0.25:11.2e}"
    return text + f"   {rate:8.1e}\n"


def _suffixes(tasks: Sequence[str] | None) -> list[str]:
    return [""] if tasks is None else [f"_{task}" for task in tasks]


def session(
    rate: Callable[[int], float],
    first_step: int,
    stop_step: int,
    disp_freq: int,
    tasks: Sequence[str] | None = None,
) -> str:
    """The text a session training steps ``first_step`` to ``stop_step - 1`` writes."""
    text = header(tasks)
    for step in range(first_step, stop_step):
        shown = step + 1
        if shown % disp_freq == 0 or shown == 1:
            text += row(shown, rate(step), tasks)
    return text


def restarted_rate(value: Callable[[int], float], start: int) -> Callable[[int], float]:
    """The rates of a session DeePMD-kit 3.1.3 restarted at step ``start``.

    Its torch scheduler has the base rate ``value(0)`` restored from the
    optimizer's state and the factor ``value(t + start) / value(start)``.
    """
    return lambda step: value(0) * (value(step + start) / value(start))


def checkpoint(path: Path, step: int, rate: float) -> None:
    """Save what ``save_model`` saves, with an empty model and optimizer."""
    import torch

    content: dict[str, Any] = {
        "model": {
            "_extra_state": {
                "model_params": {"type_map": ["O", "H"]},
                "train_infos": {"lr": float(rate), "step": step},
            },
            "model.Default.weight": torch.zeros(2),
        },
        "optimizer": {"state": {}, "param_groups": []},
    }
    torch.save(content, path)
