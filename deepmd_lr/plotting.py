"""Drawing a schedule with matplotlib (the ``plot`` extra).

Used by ``deepmd-lr plot`` and by the figures of the documentation.
matplotlib is imported only when a figure is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from deepmd_lr.summary import phases

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

MAX_POINTS = 4000
"""Curves with more steps than this are drawn from evenly spread samples."""

_PHASE_COLORS = {"warmup": "tab:orange", "stable": "tab:green", "decay": "tab:blue"}


class MatplotlibMissingError(ImportError):
    """Raised when a plot is asked for and matplotlib is not installed."""


def require_matplotlib() -> Any:
    """Import ``matplotlib.pyplot`` with a non-interactive backend."""
    try:
        import matplotlib
    except ImportError:
        raise MatplotlibMissingError(
            "plotting needs matplotlib, which is not installed; install it with "
            "`pip install matplotlib`, or with `pip install '.[plot]'` in the "
            "deepmd-lr checkout"
        ) from None
    if "matplotlib.pyplot" not in __import__("sys").modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_steps(schedule: BaseLR) -> np.ndarray:
    """The steps at which the curve is evaluated, phase boundaries included.

    Examples
    --------
    >>> from deepmd_lr import LearningRateCosine
    >>> lr = LearningRateCosine(start_lr=1.0, stop_lr=0.0, num_steps=10)
    >>> plot_steps(lr).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    """
    total = schedule.num_steps
    if total + 1 <= MAX_POINTS:
        return np.arange(total + 1, dtype=np.int64)
    samples = np.linspace(0, total, MAX_POINTS).round().astype(np.int64)
    bounds = [edge for phase in phases(schedule) for edge in (phase.start, phase.stop)]
    # Both sides of each boundary, so warmup's end is not cut off diagonally.
    edges = [step + offset for step in bounds for offset in (-1, 0) if step > 0]
    return np.unique(np.concatenate([samples, np.asarray(edges, dtype=np.int64)]))


def plot_schedule(
    schedule: BaseLR,
    ax: Any = None,
    *,
    log: bool = False,
    label: str | None = None,
    mark_phases: bool = True,
) -> Any:
    """Draw the learning rate of ``schedule`` over its training steps.

    Parameters
    ----------
    schedule
        Any :class:`~deepmd_lr.BaseLR`.
    ax
        The matplotlib ``Axes`` to draw into; a new figure when omitted.
    log
        Use a logarithmic rate axis. Steps where the rate is 0 (the start of
        a warmup from 0) are left out, as they have no logarithm.
    label
        Legend label of the curve.
    mark_phases
        Shade each phase and name it above the curve.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.
    """
    plt = require_matplotlib()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    steps = plot_steps(schedule)
    rates = np.asarray(schedule.value(steps), dtype=np.float64)
    if log:
        rates = np.where(rates > 0, rates, np.nan)
    ax.plot(steps, rates, label=label, linewidth=1.6)
    if mark_phases:
        for phase in phases(schedule):
            color = _PHASE_COLORS.get(phase.name, "tab:gray")
            ax.axvspan(phase.start, phase.stop, color=color, alpha=0.08, linewidth=0)
            ax.text(
                (phase.start + phase.stop) / 2,
                1.0,
                phase.name,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize="small",
                color=color,
            )
            if phase.start > 0:
                ax.axvline(phase.start, color="0.5", linestyle=":", linewidth=1)
    if log:
        ax.set_yscale("log")
    ax.set_xlim(0, max(schedule.num_steps, 1))
    ax.set_xlabel("training step")
    ax.set_ylabel("learning rate")
    if label is not None:
        ax.legend()
    return ax
