"""Figure helpers for the documentation pages (run by the plot directive)."""

from __future__ import annotations

from typing import Any

from deepmd_lr import BaseLR
from deepmd_lr.files.reader import read_input
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.views.plotting import new_figure, plot_schedule

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
) -> None:
    """One curve per allowed value of a key, the choices read from its ``Key``."""
    schedule_class = BaseLR.get_class_by_type(section["type"])
    key = next(k for k in schedule_class.variant_keys if k.name == key_name)
    _, (ax,) = new_figure()
    for choice in key.choices:
        schedule = make_learning_rate_schedule({**section, key_name: choice}, num_steps)
        plot_schedule(
            schedule, ax, log=log, label=f"{key_name}: {choice}", mark_phases=False
        )
