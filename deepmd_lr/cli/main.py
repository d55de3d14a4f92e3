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

import errno
import signal
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deepmd_lr.cli.parser import build_parser
from deepmd_lr.cli.streams import (
    INTERRUPTED_STATUS,
    PROG,
    TERMINATED_STATUS,
    CommandError,
    Terminated,
    detach_stdout,
    escape_unencodable_output,
    open_missing_streams,
    print_error,
    raise_on_sigterm,
)

if TYPE_CHECKING:
    pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    open_missing_streams()
    escape_unencodable_output()
    previous_handler = raise_on_sigterm()
    status = 0
    try:
        status = _run(argv)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; that is not an error, and
        # what was done before keeps its status.
        detach_stdout()
        return status
    except OSError as error:
        # Files have messages of their own, so this is an output stream failing.
        detach_stdout()
        reason = (
            "standard output is closed"
            if error.errno == errno.EBADF
            else error.strerror or str(error)
        )
        print_error(f"{PROG}: cannot write the output: {reason}")
        return 1
    except KeyboardInterrupt as interruption:
        detach_stdout()
        print_error(str(interruption) or "interrupted")
        if isinstance(interruption, Terminated):
            return TERMINATED_STATUS
        return INTERRUPTED_STATUS
    except MemoryError:
        detach_stdout()
        print_error(f"{PROG}: out of memory")
        return 1
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return status


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


# -- subcommands ------------------------------------------------------------


# -- helpers ----------------------------------------------------------------


if __name__ == "__main__":
    raise SystemExit(main())
