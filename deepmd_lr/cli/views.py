"""``deepmd-lr show``, ``plot`` and ``audit``: a schedule shown, drawn, and
compared with a run; ``doc`` and ``schema``: the section described."""

from __future__ import annotations

import argparse
import io
import sys
import warnings
from pathlib import Path
from typing import Any

from deepmd_lr.cli.reading import read_schedule
from deepmd_lr.cli.streams import (
    PROG,
    CommandError,
    file_errors,
    print_notes,
    report_stream,
    write,
)
from deepmd_lr.section.text import one_line


def run_show(args: argparse.Namespace) -> int:
    """Describe the schedule: phases, decay rate and the rate at milestones."""
    from deepmd_lr.views.summary import describe_schedule

    schedule, _, source, notes = read_schedule(args.file, args.num_steps)
    print(f"{args.file}")
    for line in describe_schedule(schedule):
        if line.startswith("training steps:"):
            line += f" ({source})"
        print(f"  {line}")
    print_notes("  ", notes, sys.stdout)
    return 0


def run_plot(args: argparse.Namespace) -> int:
    """Draw the schedule into an image file."""
    from deepmd_lr.views import plotting

    schedule, run, _, notes = read_schedule(args.file, args.num_steps)
    logged = None if args.lcurve is None else _logged_rates(args.lcurve, run.training)
    image = io.BytesIO()
    # Extreme rates make matplotlib warn over several lines; the image is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ax = plotting.plot_schedule(
                schedule, log=args.log, label=None if logged is None else "schedule"
            )
            if logged is not None:
                label, steps, rates = logged
                plotting.plot_logged_rates(ax, steps, rates, label=label)
        except plotting.MatplotlibMissingError as error:
            raise CommandError(f"{PROG} plot: {error}") from None
        # A file name is text, not mathtext between dollar signs.
        title = f"{args.file}: type {schedule.type_name}".replace("$", r"\$")
        ax.set_title(title, fontsize="medium", pad=14)
        try:
            ax.figure.savefig(
                image, format=Path(args.output).suffix[1:] or None, dpi=120
            )
        except (ValueError, RuntimeError, OSError) as error:
            # An unknown format, or one whose tool (LaTeX for .pgf) is missing.
            raise CommandError(
                f"{args.output}: cannot write the image: {error}"
            ) from None
        finally:
            import matplotlib.pyplot as plt

            plt.close(ax.figure)
    write(args.output, image.getvalue())
    report = report_stream(args.output)
    print_notes(f"{args.file}: ", notes, report)
    print(f"wrote {args.output}", file=report)
    return 0


def _logged_rates(run: str, training: Any) -> tuple[str, list[int], list[float]]:
    """The label, steps and rates of the learning curve of ``run``."""
    from deepmd_lr.audit.learning_curve import read_learning_curve
    from deepmd_lr.audit.run import find_run_files

    with file_errors():
        curve = find_run_files(run, training).learning_curve
        if curve is None:
            raise CommandError(f"{run}: no learning curve there to draw")
        rows = read_learning_curve(curve)
    return f"logged in {curve.name}", rows.steps.tolist(), rows.rates.tolist()


def run_audit(args: argparse.Namespace) -> int:
    """Compare the rates a DeePMD-kit run used (its learning curve and
    checkpoints) with the schedule of its input; exit 1 if they depart."""
    from deepmd_lr.audit.report import describe_audit
    from deepmd_lr.audit.run import audit_files, find_run_files

    schedule, run, _, notes = read_schedule(args.input, args.num_steps)
    with file_errors():
        files = find_run_files(args.run_path, run.training)
        audit = audit_files(schedule, files, args.backend)
    print(f"{args.run_path}: rates of the schedule in {args.input}")
    for line in describe_audit(audit):
        print(f"  {one_line(line)}")
    print_notes("  ", notes, sys.stdout)
    return 0 if audit.followed else 1


def run_doc(args: argparse.Namespace) -> int:
    """Print the reference of every learning_rate key."""
    from deepmd_lr.describe.documentation import argument_reference

    sys.stdout.write(argument_reference(args.format))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema for editors."""
    from deepmd_lr.describe.schema import json_schema
    from deepmd_lr.files.writer import dumps

    with file_errors(PROG):
        text = dumps(json_schema(), "json")
    if args.output is None:
        sys.stdout.write(text)
    else:
        write(args.output, text)
    return 0
