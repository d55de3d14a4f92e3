"""The drawing of a schedule, checked on the matplotlib objects it makes.

What is drawn (the scale of the rate axis, the final-rate line, the warmup
inset, the phase names) is read back from the returned Axes; no pixels are
compared.
"""

from __future__ import annotations

import io
import json
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from deepmd_lr import LearningRateCosine
from deepmd_lr.schedules.building import make_learning_rate_schedule
from deepmd_lr.section.errors import LearningRateWarning

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from deepmd_lr.views.plotting import (  # noqa: E402
    CURVE_GID,
    FINAL_RATE_GID,
    LOGGED_RATES_GID,
    PHASE_LABEL_GID,
    WARMUP_INSET_GID,
    format_rate,
    plot_logged_rates,
    plot_schedule,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

EXP = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 5000}
COSINE = {"type": "cosine", "start_lr": 1e-3, "stop_lr": 1e-5}
WSD = {"type": "wsd", "start_lr": 1e-3, "stop_lr": 1e-5, "decay_phase_ratio": 0.2}


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def draw(section: dict[str, Any], num_steps: int = 100000, **options: Any) -> Any:
    return plot_schedule(make_learning_rate_schedule(section, num_steps), **options)


def curve(ax: Any) -> Any:
    (line,) = [line for line in ax.lines if line.get_gid() == CURVE_GID]
    return line


def final_rate_line(ax: Any) -> Any:
    lines = [line for line in ax.lines if line.get_gid() == FINAL_RATE_GID]
    assert len(lines) == 1
    return lines[0]


def final_rate_label(ax: Any) -> str:
    (text,) = [t.get_text() for t in ax.texts if t.get_gid() == FINAL_RATE_GID]
    return text


def insets(ax: Any) -> list[Any]:
    return [child for child in ax.child_axes if child.get_gid() == WARMUP_INSET_GID]


def phase_names(ax: Any) -> list[str]:
    return [t.get_text() for t in ax.texts if t.get_gid() == PHASE_LABEL_GID]


def in_rates(ax: Any, drawn: Any) -> Any:
    """Values drawn on ``ax`` as rates: a linear axis counts in 10**unit."""
    if ax.get_yscale() == "log":
        return np.asarray(drawn, dtype=float)
    label = ax.get_ylabel()
    unit = int(label.split("10^{")[1].split("}")[0]) if "10^{" in label else 0
    return np.asarray(drawn, dtype=float) * 10.0**unit


# -- the rate axis ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "scale"), [(EXP, "log"), (COSINE, "linear"), (WSD, "linear")]
)
def test_the_default_scale_is_the_schedule_types(
    section: dict[str, Any], scale: str
) -> None:
    assert draw(section).get_yscale() == scale


@pytest.mark.parametrize(
    ("section", "log", "scale"),
    [(EXP, False, "linear"), (COSINE, True, "log"), (WSD, True, "log")],
)
def test_log_overrides_the_default_scale(
    section: dict[str, Any], log: bool, scale: str
) -> None:
    assert draw(section, log=log).get_yscale() == scale


def test_the_default_scale_is_read_from_the_schedule_class(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(LearningRateCosine, "plot_log_scale", True)
    assert draw(COSINE).get_yscale() == "log"


def test_a_linear_axis_names_the_power_of_ten_it_counts_in() -> None:
    ax = draw(COSINE)
    assert ax.get_ylabel() == r"learning rate ($\times 10^{-3}$)"
    rates = in_rates(ax, curve(ax).get_ydata())
    assert rates[0] == pytest.approx(1e-3)
    assert rates[-1] == pytest.approx(1e-5)
    assert ax.get_ylim()[0] == 0


def test_a_log_axis_leaves_out_a_rate_of_zero() -> None:
    ax = draw({**COSINE, "warmup_steps": 10}, log=True)
    assert math.isnan(curve(ax).get_ydata()[0])
    assert (curve(ax).get_ydata()[1:] > 0).all()


@pytest.mark.parametrize("section", [COSINE, EXP], ids=["linear", "log"])
def test_logged_rates_of_zero_leave_the_rate_axis_as_it_is(
    section: dict[str, Any],
) -> None:
    ax = draw(section)
    limits = ax.get_ylim()
    plot_logged_rates(ax, [0, 10], [0.0, 0.0])
    assert ax.get_ylim() == limits
    (points,) = [line for line in ax.lines if line.get_gid() == LOGGED_RATES_GID]
    zero = 0.0 if ax.get_yscale() == "linear" else math.nan
    np.testing.assert_array_equal(points.get_ydata(), [zero, zero])


def test_curves_drawn_into_one_axes_share_its_unit_and_limits() -> None:
    ax = draw(COSINE)
    plot_schedule(make_learning_rate_schedule({**COSINE, "start_lr": 5e-2}, 1000), ax)
    first, second = [line for line in ax.lines if line.get_gid() == CURVE_GID]
    assert in_rates(ax, first.get_ydata())[0] == pytest.approx(1e-3)
    assert in_rates(ax, second.get_ydata())[0] == pytest.approx(5e-2)
    assert in_rates(ax, ax.get_ylim()[1]) >= 5e-2
    final_rate_line(ax)


# -- the final rate --------------------------------------------------------------


@pytest.mark.parametrize("section", [EXP, COSINE, WSD])
@pytest.mark.parametrize("log", [None, True, False])
def test_a_dashed_line_marks_the_final_rate(
    section: dict[str, Any], log: bool | None
) -> None:
    ax = draw({**section, "smooth": True} if section is EXP else section, log=log)
    line = final_rate_line(ax)
    assert line.get_linestyle() == "--"
    assert in_rates(ax, line.get_ydata()[0]) == pytest.approx(section["stop_lr"])
    assert final_rate_label(ax) == f"stop_lr = {format_rate(section['stop_lr'])}"


def test_the_final_rate_of_cosine_is_labelled_with_its_value() -> None:
    ax = draw({**COSINE, "stop_lr": 1e-6})
    assert final_rate_label(ax) == "stop_lr = 1e-06"
    bottom, top = ax.get_ylim()
    height = final_rate_line(ax).get_ydata()[0]
    assert bottom == 0
    assert 0 < height < top / 100


def test_a_final_rate_off_stop_lr_names_both() -> None:
    ax = draw({**EXP, "warmup_steps": 2000})
    final = make_learning_rate_schedule({**EXP, "warmup_steps": 2000}, 100000).value(
        100000
    )
    assert final != pytest.approx(1e-8)
    assert (
        final_rate_label(ax) == f"final rate = {format_rate(final)} (stop_lr = 1e-08)"
    )
    assert final_rate_line(ax).get_ydata()[0] == pytest.approx(final)


def test_a_final_rate_of_zero_has_no_line_on_a_log_axis() -> None:
    ax = draw({**COSINE, "stop_lr": 0.0}, log=True)
    assert not [line for line in ax.lines if line.get_gid() == FINAL_RATE_GID]


# -- warmup and phases -----------------------------------------------------------


@pytest.mark.parametrize(
    ("warmup_steps", "zoomed"),
    [(1, True), (1000, True), (4999, True), (5000, False), (20000, False), (0, False)],
)
def test_a_warmup_under_5_percent_is_zoomed_in_an_inset(
    warmup_steps: int, zoomed: bool
) -> None:
    ax = draw({**COSINE, "warmup_steps": warmup_steps})
    assert len(insets(ax)) == (1 if zoomed else 0)


def test_the_inset_shows_the_whole_ramp_readably() -> None:
    ax = draw({**EXP, "warmup_steps": 1000, "warmup_start_factor": 0.1})
    (inset,) = insets(ax)
    assert inset.get_yscale() == "linear"
    assert inset.get_xlim()[1] > 1000
    assert [t.get_text() for t in inset.get_xticklabels()] == ["1,000"]
    assert [t.get_text() for t in inset.get_yticklabels()] == ["0.0001", "0.001"]
    assert "warmup: 1,000 steps" in inset.get_title()


def test_beside_a_linear_axis_the_inset_counts_in_the_axis_unit() -> None:
    ax = draw({**EXP, "warmup_steps": 1000, "warmup_start_factor": 0.1}, log=False)
    (inset,) = insets(ax)
    assert ax.get_ylabel() == r"learning rate ($\times 10^{-3}$)"
    assert [t.get_text() for t in inset.get_yticklabels()] == ["0.1", "1"]


def test_no_inset_without_phase_marks() -> None:
    assert not insets(draw({**COSINE, "warmup_steps": 100}, mark_phases=False))


@pytest.mark.parametrize(
    "section",
    [
        {**EXP, "warmup_steps": 2000},
        {**COSINE, "warmup_steps": 1000},
        {**WSD, "warmup_steps": 2000},
    ],
)
def test_the_inset_is_placed_off_the_curve(section: dict[str, Any]) -> None:
    ax = draw(section)
    ax.figure.canvas.draw()
    (inset,) = insets(ax)
    box = inset.get_window_extent()
    line = curve(ax)
    points = line.get_transform().transform(line.get_xydata())
    points = points[np.isfinite(points).all(axis=1)]
    assert not box.count_contains(points)


def test_the_example_wsd_names_its_phases_and_zooms_into_its_warmup() -> None:
    section = json.loads((EXAMPLES / "wsd.json").read_text())
    ax = draw(section)
    # The 2% warmup has no room for its name above the curve; the inset has it.
    assert phase_names(ax) == ["stable", "decay"]
    (inset,) = insets(ax)
    assert inset.get_title() == "warmup: 2,000 steps"


def test_a_warmup_of_5_percent_is_named_above_the_curve() -> None:
    assert phase_names(draw({**COSINE, "warmup_ratio": 0.05})) == ["warmup", "decay"]


# -- numbers at the edge ---------------------------------------------------------

EDGE_CASES = [
    ({**EXP, "stop_lr": 5e-324}, 100000),
    ({**EXP, "start_lr": 1.7e308, "warmup_steps": 10}, 100000),
    ({**COSINE, "start_lr": 1.7976931348623157e308, "stop_lr": 5e-324}, 100000),
    ({**COSINE, "start_lr": 5e-324, "stop_lr": 0.0, "warmup_steps": 1}, 100),
    (EXP, 0),
    (EXP, 1),
    (EXP, 2),
    ({**WSD, "start_lr": 1.7e308, "stop_lr": 5e-324, "warmup_steps": 1}, 2**53),
]


@pytest.mark.parametrize(("section", "num_steps"), EDGE_CASES)
@pytest.mark.parametrize("log", [True, False])
def test_rates_and_lengths_at_the_edge_draw_without_a_warning(
    section: dict[str, Any], num_steps: int, log: bool
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LearningRateWarning)
        schedule = make_learning_rate_schedule(section, num_steps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_schedule(schedule, log=log)
        ax.figure.savefig(io.BytesIO(), format="png", dpi=30)
    bottom, top = ax.get_ylim()
    assert math.isfinite(bottom)
    assert math.isfinite(top)
    assert bottom < top
