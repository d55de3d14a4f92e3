"""The report of ``deepmd-lr audit``: what a run's rates show, a line each."""

from __future__ import annotations

import math

from deepmd_lr.audit.comparison import RunAudit
from deepmd_lr.audit.printing import PRINT_DIGITS, PRINT_ROUNDING
from deepmd_lr.audit.restarts import RESTART_SEARCH_CHECKS
from deepmd_lr.audit.trainers import PYTORCH, Trainer

_RESTART_FIXES = {
    "pt": "upgrade to DeePMD-kit 3.2.0, or drive the optimizer with "
    "deepmd_lr.ScheduleLR, which stays right on resume",
    "pd": "no release fixes it (3.1.3 and 3.2.0 alike): train the run in one "
    "session, or with the TensorFlow trainer or the PyTorch trainer of "
    "DeePMD-kit 3.2.0, whose restarts keep the schedule",
}


def describe_audit(audit: RunAudit) -> list[str]:
    """The report of ``deepmd-lr audit``, a line each."""
    lines = []
    curve = audit.learning_curve
    if curve is not None:
        lines.append(_trainer_line(audit.trainer, audit.trainer_reason))
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
    trainer = audit.trainer
    for restart in audit.restarts:
        s = restart.start_step
        formula = str(trainer.restart).format(s=s)
        lines.append(
            f"cause: the restart of {_release(trainer)}: the session from "
            f"{restart.source} resumed at step {s} and ran each step t with "
            f"{formula} instead of value(t)"
            + (
                f" (its rows fit any restart step from {restart.earliest_start} "
                f"to {s} as well)"
                if restart.earliest_start != s
                else ""
            )
        )
    if audit.restarts:
        lines.append(f"fix: {_RESTART_FIXES[trainer.option]}")
        if audit.unexplained:
            lines.append(
                f"{len(audit.unexplained)} other departures are not explained "
                f"by it, the first at step {audit.unexplained[0].step} "
                f"({audit.unexplained[0].source})"
            )
    if audit.unsearched:
        lines.append(
            f"{audit.unsearched} departing sessions were not searched for the "
            f"restart of {_release(trainer)}: the search stops after "
            f"{RESTART_SEARCH_CHECKS:,} checks of a restart step"
        )
    return lines


def _trainer_line(trainer: Trainer, reason: str) -> str:
    step = "N" if trainer.row_lag == 0 else f"N - {trainer.row_lag}"
    return (
        f"read as DeePMD-kit's {trainer.name} trainer writes it ({reason}): "
        f"row N holds the rate of step {step}"
    )


def _release(trainer: Trainer) -> str:
    if trainer is PYTORCH:
        return "DeePMD-kit 3.1.3"
    return f"DeePMD-kit's {trainer.name} trainer"


def _departing(count: int) -> str:
    return f"{count} departs" if count == 1 else f"{count} depart"


def _percent(fraction: float) -> str:
    if math.isinf(fraction):
        return "inf"
    return f"{fraction:.0%}" if fraction >= 1 else f"{fraction * 100:.3g}%"
