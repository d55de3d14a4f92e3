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
    from deepmd_lr.deepmd.installed import default_deepmd_version
    from deepmd_lr.deepmd.releases import release_warnings
    from deepmd_lr.deepmd.trainers import detect_backend
    from deepmd_lr.views.summary import describe_schedule

    schedule, run, source, notes = read_schedule(args.file, args.num_steps)
    backend, trainer = args.backend, f"{args.backend} (--backend)"
    detected = None if backend else detect_backend(args.file)
    if detected is not None:
        backend, trainer = detected.backend, str(detected)
    if args.workers is not None and backend is None:
        raise CommandError(
            f"{args.file}: --workers needs the trainer, as only the TensorFlow one "
            "scales the rates by workers. Fix: pass --backend"
        )
    print(f"{args.file}")
    if backend is not None:
        print(f"  trainer: {trainer}")
    for line in describe_schedule(schedule):
        if line.startswith("training steps:"):
            line += f" ({source})"
        print(f"  {line}")
    if backend is not None:
        if args.workers is not None:
            for line in _worker_rates(schedule, backend, args.workers):
                print(f"  {line}")
        release = args.deepmd_version or default_deepmd_version()
        found = release_warnings(
            run.section,
            schedule.num_steps,
            release,
            backend,
            args.workers,
            run.from_training,
        )
        notes += [f"{warning.code} {warning}" for warning in found]
    print_notes("  ", notes, sys.stdout)
    return 0


def _worker_rates(schedule: Any, backend: str, workers: int) -> list[str]:
    """What ``show --workers`` adds: the rates the trainer uses with ``workers``."""
    from deepmd_lr.schedules.workers import FACTORS
    from deepmd_lr.views.summary import rate_lines

    method = schedule.scale_by_worker
    unscaled = f"rates trained with {workers} workers: the rates above"
    if workers == 1:
        return [unscaled]
    if backend != "tf":
        return [f"{unscaled} (the {backend} trainer does not scale them)"]
    if method == "none":
        return [f"{unscaled} (scale_by_worker none)"]
    factor = FACTORS[method](workers)
    return [
        f"rates trained with {workers} Horovod workers (x{factor:.6g}, "
        f"scale_by_worker {method}; lcurve.out logs the rates above):",
        *rate_lines(schedule, factor),
    ]


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
    from deepmd_lr.audit.run import find_run_files, read_run_learning_curve

    with file_errors():
        curve, _, _ = read_run_learning_curve(find_run_files(run, training))
        if curve is None:
            raise CommandError(f"{run}: no learning curve there to draw")
    label = f"logged in {Path(curve.path).name}"
    return label, curve.steps.tolist(), curve.rates.tolist()


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
