"""The ``deepmd-lr`` command: check, normalize, show, plot and migrate inputs, audit runs.

Every subcommand that reads a file accepts JSON or YAML (by suffix), holding
a whole training input or the ``learning_rate`` section alone. Problems with
a file or its content are reported as one line on stderr and exit status 1
(``check`` reports every problem on standard output, a line each, see
:mod:`deepmd_lr.lint.report`);
wrong usage exits with status 2; Ctrl-C and SIGTERM exit with 130 and 143
after one line. Files are written atomically, and only after the whole new
content is known to be valid; what is reported as written has been written.
"""

from __future__ import annotations

from collections.abc import Sequence

from deepmd_lr.cli.parser import build_parser
from deepmd_lr.cli.streams import CommandError, print_error, run_guarded


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    return run_guarded(lambda: _run(argv))


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        status: int = args.run(args)
    except CommandError as error:
        print_error(str(error))
        return 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
