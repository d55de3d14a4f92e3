"""Figure helpers for the documentation pages (run by the plot directive)."""

from __future__ import annotations

from typing import Any

import numpy as np

from deepmd_lr import BaseLR
from deepmd_lr.files.reader import read_input
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.views.plotting import (
    FIGURE_WIDTH,
    PANEL_HEIGHT,
    new_figure,
    plot_schedule,
)
from deepmd_lr.views.summary import phases

__all__ = ["choice_comparison", "schedule_panels"]


def _section(source: str | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    data = read_input(source).data
    return data.get("learning_rate", data)


def schedule_panels(
    panels: dict[str, str | dict[str, Any]],
    num_steps: int,
    *,
    log: bool | None = None,
) -> None:
    """One panel per titled section (a dict, or an input file in examples/).

    ``log=None`` gives each panel the rate axis of its schedule type.
    """
    _, axes = new_figure(len(panels))
    for ax, (title, source) in zip(axes, panels.items(), strict=True):
        schedule = make_learning_rate_schedule(_section(source), num_steps)
        plot_schedule(schedule, ax, log=log)
        ax.set_title(title, fontsize="medium", loc="left", pad=14)
    for ax in axes[:-1]:
        ax.set_xlabel("")


def choice_comparison(
    section: dict[str, Any],
    key_name: str,
    num_steps: int,
    *,
    log: bool | None = None,
    zoom_on: str | None = None,
) -> None:
    """One curve per allowed value of a key, the choices read from its ``Key``.

    ``zoom_on`` names a phase (``"decay"``) that a second panel shows alone,
    where the curves differ.
    """
    import matplotlib.pyplot as plt

    schedule_class = BaseLR.get_class_by_type(section["type"])
    key = next(k for k in schedule_class.variant_keys if k.name == key_name)
    rows = 1 if zoom_on is None else 2
    _, axes = plt.subplots(
        rows, 1, figsize=(FIGURE_WIDTH, PANEL_HEIGHT * rows), layout="constrained"
    )
    axes = np.atleast_1d(axes)
    for choice in key.choices:
        schedule = make_learning_rate_schedule({**section, key_name: choice}, num_steps)
        for ax in axes:
            plot_schedule(
                schedule, ax, log=log, label=f"{key_name}: {choice}", mark_phases=False
            )
    if zoom_on is not None:
        start, stop = next(
            (begin, end) for name, begin, end in phases(schedule) if name == zoom_on
        )
        axes[0].set_xlabel("")
        axes[1].set_xlim(start, stop)
        axes[1].get_legend().remove()
        axes[1].set_title(
            f"the {zoom_on} phase alone: steps {start:,} to {stop:,}",
            fontsize="medium",
            loc="left",
        )
