"""Drawing a schedule with matplotlib (the ``plot`` extra).

Used by ``deepmd-lr plot`` and by the figures of the documentation, so both
show the same curve in the same style. matplotlib is imported only when a
figure is drawn.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from deepmd_lr.views.summary import phases

if TYPE_CHECKING:
    from deepmd_lr.schedules.base import BaseLR

MAX_POINTS = 4000
"""Curves with more steps than this are drawn from evenly spread samples."""

FIGURE_WIDTH = 7.5
"""Width of a figure, in inches."""

PANEL_HEIGHT = 3.2
"""Height of one schedule's axes, in inches."""

SHORT_WARMUP = 0.05
"""A warmup shorter than this fraction of training gets a zoomed inset."""

CURVE_GID = "schedule"
"""``gid`` of the curve of a schedule."""

FINAL_RATE_GID = "final-rate"
"""``gid`` of the dashed line at the final rate."""

WARMUP_INSET_GID = "warmup-inset"
"""``gid`` of the inset that zooms into a short warmup."""

PHASE_LABEL_GID = "phase-label"
"""``gid`` of the phase names written above the curve."""

LOGGED_RATES_GID = "logged-rates"
"""``gid`` of the points of the rates a run logged."""

_PHASE_COLORS = {"warmup": "tab:orange", "stable": "tab:green", "decay": "tab:blue"}
_CURVE_WIDTH = 1.6
_GUIDE_COLOR = "0.35"
_LABEL_SIZE = "small"
_LABEL_ABOVE = {"va": "bottom", "fontsize": _LABEL_SIZE}
"""How a label written above a line or the axes is set."""
_RATE_HEADROOM = 1.08
# A phase narrower than this fraction of the axes has no room for its name
# centred above it.
_CENTRED_NAME_WIDTH = 0.1
_INSET_SIZE = (0.34, 0.42)
_INSET_PLACES = ((0.62, 0.5), (0.33, 0.2), (0.62, 0.2), (0.33, 0.5))
"""Lower-left corners, in axes fractions, tried in order; the first that the
curve crosses least is used."""
_LOG_MAX = math.log10(sys.float_info.max)
_LOG_MIN = math.log10(5e-324)
_DECADE_STRIDES = (1, 2, 5, 10, 20, 50, 100)
_MAX_TICKS = 8
_INSET_SPAN = 2.5
"""The inset shows the steps up to this many warmup lengths."""


@dataclass
class _RateAxis:
    """What the curves drawn into one Axes so far need of its rate axis."""

    unit: int
    """The power of ten a linear axis counts rates in, the same for every curve."""
    low: float
    """The smallest rate above 0."""
    high: float
    """The largest rate."""


_RATE_AXES: WeakKeyDictionary[Any, _RateAxis] = WeakKeyDictionary()


class MatplotlibMissingError(ImportError):
    """Raised when a plot is asked for and matplotlib is not installed."""


def new_figure(rows: int = 1) -> tuple[Any, list[Any]]:
    """A figure of ``rows`` stacked axes sharing the step axis, in the house size.

    Returns the figure and the list of its axes, top first. matplotlib is
    imported here, with a non-interactive backend unless pyplot already is.
    """
    try:
        import matplotlib
    except ImportError:
        raise MatplotlibMissingError(
            "plotting needs matplotlib, which is not installed; install it with "
            "`pip install matplotlib`, or with `pip install '.[plot]'` in the "
            "deepmd-lr checkout"
        ) from None
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    size = (FIGURE_WIDTH, PANEL_HEIGHT * rows)
    figure, axes = plt.subplots(
        rows, 1, figsize=size, sharex=True, layout="constrained", squeeze=False
    )
    return figure, list(axes[:, 0])


def plot_steps(schedule: BaseLR, last: int) -> np.ndarray:
    """The steps up to ``last`` at which the curve is evaluated, phase
    boundaries included.

    Examples
    --------
    >>> from deepmd_lr import LearningRateCosine
    >>> lr = LearningRateCosine(start_lr=1.0, stop_lr=0.0, num_steps=10)
    >>> plot_steps(lr, lr.num_steps).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    """
    if last + 1 <= MAX_POINTS:
        return np.arange(0, last + 1, dtype=np.int64)
    samples = np.linspace(0, last, MAX_POINTS).round().astype(np.int64)
    bounds = [edge for _, start, stop in phases(schedule) for edge in (start, stop)]
    # Both sides of each boundary, so warmup's end is not cut off diagonally.
    edges = [
        step + offset
        for step in bounds
        for offset in (-1, 0)
        if 0 <= step + offset <= last
    ]
    return np.unique(np.concatenate([samples, np.asarray(edges, dtype=np.int64)]))


def plot_schedule(
    schedule: BaseLR,
    ax: Any = None,
    *,
    log: bool | None = None,
    label: str | None = None,
    mark_phases: bool = True,
) -> Any:
    """Draw the learning rate of ``schedule`` over its training steps.

    Besides the curve, a dashed line marks the final rate, labelled with its
    value, and a warmup shorter than 5% of training is drawn again, zoomed,
    in an inset.

    Parameters
    ----------
    schedule
        Any :class:`~deepmd_lr.BaseLR`.
    ax
        The matplotlib ``Axes`` to draw into; a new figure when omitted.
    log
        ``True`` for a logarithmic rate axis, ``False`` for a linear one,
        ``None`` for the default of the schedule's type
        (:attr:`~deepmd_lr.BaseLR.plot_log_scale`: logarithmic for ``exp``,
        linear for ``cosine`` and ``wsd``). On a logarithmic axis, steps where the rate
        is 0 (the start of a warmup from 0) are left out. A linear axis counts
        the rate in a power of ten named in its label, so that rates near
        the ends of the float range are drawn like any others.
    label
        Legend label of the curve.
    mark_phases
        Shade each phase, name it above the curve and zoom into a short
        warmup.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.

    Examples
    --------
    >>> from deepmd_lr import BaseLR
    >>> lr = BaseLR(type="exp", start_lr=1e-3, stop_lr=1e-8, num_steps=100_000)
    >>> ax = plot_schedule(lr)
    >>> ax.get_yscale()  # exp spans decades: a logarithmic axis by default
    'log'
    >>> ax.figure.savefig("exp.png")  # doctest: +SKIP
    """
    if ax is None:
        _, (ax,) = new_figure()
    if log is None:
        log = type(schedule).plot_log_scale
    steps = plot_steps(schedule, schedule.num_steps)
    rates = np.asarray(schedule.value(steps), dtype=np.float64)
    final_rate = float(schedule.value(schedule.num_steps))
    peak = max(float(np.max(rates)), schedule.start_lr, schedule.warmup_start_lr)
    positive = rates[rates > 0]
    floor = float(np.min(positive)) if positive.size else peak
    if log:
        ax.set_yscale("log")
    unit = _fit_rate_axis(ax, floor, peak, log)
    ax.set_ylabel(_rate_label(unit))
    drawn = np.where(rates > 0, rates, np.nan) if log else _in_unit(rates, unit)
    ax.plot(steps, drawn, label=label, linewidth=_CURVE_WIDTH, zorder=3, gid=CURVE_GID)
    ax.set_xlim(0, max(schedule.num_steps, 1))
    ax.set_xlabel("training step")
    ax.grid(True, which="major", color="0.9", linewidth=0.8, zorder=0)
    ax.set_axisbelow(True)
    if mark_phases:
        _mark_phases(ax, phases(schedule), max(schedule.num_steps, 1))
    if not (log and final_rate <= 0):
        _mark_final_rate(ax, schedule, final_rate, unit, log)
    if mark_phases and 0 < schedule.warmup_steps < SHORT_WARMUP * schedule.num_steps:
        _zoom_into_warmup(ax, schedule, None if log else unit)
    if label is not None:
        ax.legend(fontsize=_LABEL_SIZE)
    return ax


def _fit_rate_axis(ax: Any, low: float, high: float, log: bool) -> int:
    """Widen the rate axis of ``ax`` to hold rates from ``low`` to ``high`` as
    well as every curve drawn into it before; return the power of ten a linear
    axis counts in."""
    rate_axis = _RATE_AXES.setdefault(ax, _RateAxis(_decimal_exponent(high), low, high))
    rate_axis.low = min(rate_axis.low, low)
    rate_axis.high = max(rate_axis.high, high)
    if log:
        _set_log_limits(ax, rate_axis.low, rate_axis.high)
        return 0
    ax.set_ylim(0, _in_unit(rate_axis.high, rate_axis.unit) * _RATE_HEADROOM)
    return rate_axis.unit


def plot_logged_rates(
    ax: Any,
    steps: Sequence[int],
    rates: Sequence[float],
    *,
    label: str | None = "logged",
) -> Any:
    """Draw the rates a run used, as points over a curve of :func:`plot_schedule`.

    ``steps`` are training steps from 0: the rate in row ``N`` of a
    DeePMD-kit learning curve belongs to step ``N - 1``. The points take the
    rate axis of the curve already drawn into ``ax`` (its scale and, on a
    linear axis, its power of ten), which grows to show every point. On a
    logarithmic axis, rates of 0 are left out.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn into.
    """
    values = np.asarray(rates, dtype=np.float64)
    log = ax.get_yscale() == "log"
    positive = values[values > 0]
    if positive.size:
        unit = _fit_rate_axis(ax, float(np.min(positive)), float(np.max(positive)), log)
    else:
        # No rate to make room for: the axis stays as the curves drawn left it.
        rate_axis = _RATE_AXES.get(ax)
        unit = 0 if log or rate_axis is None else rate_axis.unit
    drawn = np.where(values > 0, values, np.nan) if log else _in_unit(values, unit)
    ax.plot(
        np.asarray(steps, dtype=np.int64),
        drawn,
        "o",
        markersize=3.5,
        color="tab:red",
        label=label,
        zorder=5,
        gid=LOGGED_RATES_GID,
    )
    if label is not None:
        ax.legend(fontsize=_LABEL_SIZE)
    return ax


def format_rate(rate: float) -> str:
    """A rate in three significant digits, as the plots label it.

    Examples
    --------
    >>> format_rate(1e-5), format_rate(0.0), format_rate(5e-324)
    ('1e-05', '0', '4.94e-324')
    """
    return f"{rate:.3g}"


def _decimal_exponent(value: float) -> int:
    return math.floor(math.log10(value)) if value > 0 else 0


def _in_unit(values: Any, unit: int) -> Any:
    # Two factors, because 10**unit alone leaves the float range at both ends.
    half = unit // 2
    return values * 10.0 ** (-half) * 10.0 ** (half - unit)


def _set_log_limits(ax: Any, low: float, high: float) -> None:
    # Limits and ticks are set here rather than by matplotlib, whose margins
    # and tick search step past the float range for rates near its ends.
    from matplotlib.ticker import FixedLocator, NullLocator

    bottom, top = math.log10(low), math.log10(high)
    margin = 0.04 * (top - bottom) if top > bottom else 0.5
    bottom, top = max(bottom - margin, _LOG_MIN), min(top + margin, _LOG_MAX)
    ax.set_ylim(10.0**bottom, sys.float_info.max if top == _LOG_MAX else 10.0**top)
    first, last = math.ceil(bottom), math.floor(top)
    stride = next(
        (step for step in _DECADE_STRIDES if (last - first) // step < _MAX_TICKS),
        _DECADE_STRIDES[-1],
    )
    first = -(-first // stride) * stride
    ax.yaxis.set_major_locator(
        FixedLocator([10.0**decade for decade in range(first, last + 1, stride)])
    )
    if stride > 1:
        ax.yaxis.set_minor_locator(NullLocator())


def _rate_label(unit: int) -> str:
    return "learning rate" if unit == 0 else rf"learning rate ($\times 10^{{{unit}}}$)"


def _mark_phases(ax: Any, runs: Sequence[tuple[str, int, int]], width: int) -> None:
    for name, start, stop in runs:
        color = _PHASE_COLORS.get(name, "tab:gray")
        _shade(ax, start, stop, color)
        if start > 0:
            _divide(ax, start)
        share = (stop - start) / width
        if share < SHORT_WARMUP:
            continue
        # A name wider than its phase starts at the phase's outer end, so it
        # stays inside the axes.
        place, align = (start + stop) / 2, "center"
        if share < _CENTRED_NAME_WIDTH:
            at_left = start + stop < width
            place, align = (start, "left") if at_left else (stop, "right")
        ax.text(
            place,
            1.0,
            name,
            transform=ax.get_xaxis_transform(),
            ha=align,
            color=color,
            **_LABEL_ABOVE,
            gid=PHASE_LABEL_GID,
        )


# _shade and _divide draw what axvspan and axvline would, without their
# update of the data limits, which overflows on a rate axis that reaches the
# end of the float range.


def _shade(ax: Any, start: int, stop: int, color: str) -> None:
    from matplotlib.patches import Rectangle

    band = Rectangle((start, 0), stop - start, 1, color=color, alpha=0.08, linewidth=0)
    band.set_transform(ax.get_xaxis_transform())
    ax.add_artist(band)


def _divide(ax: Any, step: int) -> None:
    from matplotlib.lines import Line2D

    rule = Line2D([step, step], [0, 1], color="0.5", linestyle=":", linewidth=1)
    rule.set_transform(ax.get_xaxis_transform())
    ax.add_artist(rule)


def _mark_final_rate(
    ax: Any, schedule: BaseLR, final_rate: float, unit: int, log: bool
) -> None:
    if any(line.get_gid() == FINAL_RATE_GID for line in ax.lines):
        return
    height = final_rate if log else _in_unit(final_rate, unit)
    guide = {"color": _GUIDE_COLOR, "gid": FINAL_RATE_GID}
    ax.axhline(height, linestyle="--", linewidth=1, zorder=2, **guide)
    text = f"stop_lr = {format_rate(schedule.stop_lr)}"
    if not math.isclose(final_rate, schedule.stop_lr):
        # A staircase, or a given decay_rate, ends off stop_lr.
        text = f"final rate = {format_rate(final_rate)} ({text})"
    y = ax.transAxes.inverted().transform(ax.transData.transform((0, height)))[1]
    # Clear of the line that ends a warmup, which may be near the left edge.
    start = 0.015 + schedule.warmup_steps / max(schedule.num_steps, 1)
    left, right = (start, start + 0.3), (0.7, 0.985)
    crowded = [_points_in(ax, (x0, y, x1 - x0, 0.12)) for x0, x1 in (left, right)]
    at_right = crowded[1] < crowded[0]
    ax.annotate(
        text,
        xy=(right[1] if at_right else left[0], height),
        xycoords=ax.get_yaxis_transform(),
        xytext=(0, 3),
        textcoords="offset points",
        ha="right" if at_right else "left",
        **_LABEL_ABOVE,
        **guide,
    )


def _points_in(
    ax: Any, box: tuple[float, float, float, float], margin: float = 0.0
) -> int:
    """How many points of the curves fall in ``box`` (axes fractions: left,
    bottom, width, height), grown by ``margin`` on every side."""
    x0, y0 = box[0] - margin, box[1] - margin
    width, height = box[2] + 2 * margin, box[3] + 2 * margin
    count = 0
    to_axes = ax.transData + ax.transAxes.inverted()
    for line in ax.lines:
        if line.get_gid() != CURVE_GID:
            continue
        xy = np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float)
        x, y = to_axes.transform(xy[np.isfinite(xy).all(axis=1)]).T
        inside = (x >= x0) & (x <= x0 + width) & (y >= y0) & (y <= y0 + height)
        count += int(inside.sum())
    return count


def _zoom_into_warmup(ax: Any, schedule: BaseLR, axis_unit: int | None) -> None:
    """Draw the warmup into an inset of ``ax``, its rates counted in the
    ``axis_unit`` a linear rate axis names in its label; beside a logarithmic
    axis (``None``), whose labels write rates out, written out too."""
    place = min(
        _INSET_PLACES,
        key=lambda corner: _points_in(ax, (*corner, *_INSET_SIZE), margin=0.04),
    )
    inset = ax.inset_axes([*place, *_INSET_SIZE], facecolor="white", zorder=4)
    inset.set_gid(WARMUP_INSET_GID)
    warmup = schedule.warmup_steps
    last = min(schedule.num_steps, math.ceil(_INSET_SPAN * warmup))
    steps = plot_steps(schedule, last)
    rates = np.asarray(schedule.value(steps), dtype=np.float64)
    low = min(schedule.warmup_start_lr, float(np.min(rates)))
    high = max(schedule.start_lr, float(np.max(rates)))
    unit = _decimal_exponent(high) if axis_unit is None else axis_unit
    color = _PHASE_COLORS["warmup"]
    _shade(inset, 0, warmup, color)
    inset.plot(steps, _in_unit(rates, unit), linewidth=_CURVE_WIDTH)
    inset.set_xlim(0, max(last, 1))
    bottom, top = _in_unit(low, unit), _in_unit(high, unit)
    span = top - bottom if top > bottom else abs(top) or 1.0
    inset.set_ylim(bottom - 0.08 * span, top + 0.12 * span)
    inset.set_xticks([warmup], [f"{warmup:,}"])
    levels = sorted({schedule.warmup_start_lr, schedule.start_lr})
    shown = levels if axis_unit is None else _in_unit(np.array(levels), unit)
    inset.set_yticks(
        _in_unit(np.array(levels), unit), [format_rate(level) for level in shown]
    )
    inset.tick_params(labelsize="x-small", length=2, pad=1)
    inset.set_title(f"warmup: {warmup:,} steps", fontsize="x-small", color=color, pad=2)
    inset.spines[:].set_edgecolor(color)
