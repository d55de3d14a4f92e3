"""The report of ``deepmd-lr audit``: what a run's rates show, a line each."""

from __future__ import annotations

import math

from deepmd_lr.audit.comparison import (
    PRINT_DIGITS,
    PRINT_ROUNDING,
    RESTART_SEARCH_CHECKS,
    RunAudit,
)


def describe_audit(audit: RunAudit) -> list[str]:
    """The report of ``deepmd-lr audit``, a line each."""
    lines = []
    curve = audit.learning_curve
    if curve is not None:
        departing = len(audit.logged) - int(audit.logged.matches.sum())
        lines.append(
            f"{curve}: {len(audit.logged)} logged rates, "
            + (
                "all as the schedule prints with 2 significant digits"
                if not departing
                else f"{_departing(departing)} from the schedule"
            )
        )
    if audit.cut_off is not None:
        lines.append(
            f"{audit.cut_off}: left out the last row, which the file ends inside "
            "(a run stopped while writing it, or still running)"
        )
    if audit.checkpoint_files and not audit.checked_checkpoints:
        lines.append(
            f"checkpoints: {len(audit.checkpoint_files)} not checked, as torch "
            "is not installed"
        )
    elif audit.checkpoints:
        departing = sum(not c.matches for c in audit.checkpoints)
        lines.append(
            f"checkpoints: {len(audit.checkpoints)} rates, "
            + ("all exact" if not departing else f"{_departing(departing)} from it")
        )
    worst = audit.worst
    first = audit.first_departure
    if first is None:
        lines.append("followed its schedule")
    else:
        lines.append(
            f"departed from its schedule at step {first.step} ({first.source}): "
            f"logged {first.logged_text}, expected {first.expected:.2e}"
        )
    if worst is not None:
        rounding = (
            f"; printing {PRINT_DIGITS} digits allows up to {PRINT_ROUNDING:.0%}"
            if worst.matches and worst not in audit.checkpoints
            else ""
        )
        lines.append(
            f"worst relative error: {_percent(worst.relative_error)} at step "
            f"{worst.step} ({worst.source}){rounding}"
        )
    for restart in audit.restarts:
        s = restart.start_step
        lines.append(
            f"cause: the restart of DeePMD-kit 3.1.3: the session from "
            f"{restart.source} resumed at step {s} and ran each step t with "
            f"value(0) * value(t + {s}) / value({s}) instead of value(t)"
            + (
                f" (its rows fit any restart step from {restart.earliest_start} "
                f"to {s} as well)"
                if restart.earliest_start != s
                else ""
            )
        )
    if audit.restarts:
        lines.append(
            "fix: upgrade to DeePMD-kit 3.2.0, or drive the optimizer with "
            "deepmd_lr.ScheduleLR, which stays right on resume"
        )
        if audit.unexplained:
            lines.append(
                f"{len(audit.unexplained)} other departures are not explained "
                f"by it, the first at step {audit.unexplained[0].step} "
                f"({audit.unexplained[0].source})"
            )
    if audit.unsearched:
        lines.append(
            f"{audit.unsearched} departing sessions were not searched for the "
            "restart of DeePMD-kit 3.1.3: the search stops after "
            f"{RESTART_SEARCH_CHECKS:,} checks of a restart step"
        )
    return lines


def _departing(count: int) -> str:
    return f"{count} departs" if count == 1 else f"{count} depart"


def _percent(fraction: float) -> str:
    if math.isinf(fraction):
        return "inf"
    return f"{fraction:.0%}" if fraction >= 1 else f"{fraction * 100:.3g}%"
